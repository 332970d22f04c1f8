"""gen-adversarial.py - writes one hostile input for keyhound (issue #6), at
the size asked: CI size from tests/e2e/t6001, full size from
bench/adversarial.sh. The keys come from the environment ($key, $key2: fake
keys built at run time); nothing here is a key.

  python3 gen-adversarial.py KIND OUT [N [M]]

  long-line OUT N        OUT/line.txt: one line, $key2, N bytes of "a", $key
  sk-only OUT N          OUT/sk.txt: N bytes of "sk-" repeated, nothing else
  tiny-files OUT N M     N directories of M files of a few bytes; $key in the
                         file at (3N/4, M/2), e.g. OUT/150/050.txt for 200 100
  deep OUT N             N nested directories "d", $key in the last one's key.txt
                         (the path is far longer than PATH_MAX)
  sparse OUT N           OUT/big.bin: N bytes, all holes but $key 200 bytes
                         before the end
  nested-json OUT N      OUT/deep.json: $key inside N levels of [{"a": ... }]
  many-keys OUT N        OUT/one.txt: N fresh keys on one line after a two-byte
                         character; the keys also in ./keys.txt, one a line
  refs OUT N             a repository with $key in one commit and N tags
  huge-message OUT N     a repository whose commit message is N bytes, $key last
"""
import os
import random
import subprocess
import sys

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def fresh_key():
    rnd = lambda n: "".join(random.choice(ALNUM) for _ in range(n))
    return ("sk-" + rnd(20) + "T3Blbk" + "FJ" + rnd(20)).encode()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def git(*args):
    subprocess.check_call(["git"] + list(args))


def main():
    kind, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    m = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    key = os.environ["key"].encode()
    key2 = os.environ.get("key2", os.environ["key"]).encode()
    if kind in ("refs", "huge-message"):
        git("init", "-q", out)
    else:
        os.makedirs(out, exist_ok=True)
    if kind == "long-line":
        write(out + "/line.txt", b"x=" + key2 + b" " + b"a" * n + b" " + key)
    elif kind == "sk-only":
        write(out + "/sk.txt", b"sk-" * (n // 3))
    elif kind == "tiny-files":
        for i in range(n):
            d = "%s/%03d" % (out, i)
            os.mkdir(d)
            for j in range(m):
                write("%s/%03d.txt" % (d, j), b"v=%d\n" % j)
        write("%s/%03d/%03d.txt" % (out, 3 * n // 4, m // 2), b"k=" + key + b"\n")
    elif kind == "deep":
        fd = os.open(out, os.O_RDONLY)
        for _ in range(n):
            os.mkdir("d", dir_fd=fd)
            nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        w = os.open("key.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(w, b"k=" + key + b"\n")
        os.close(w)
        os.close(fd)
    elif kind == "sparse":
        with open(out + "/big.bin", "wb") as f:
            f.truncate(n)
            f.seek(n - 200)
            f.write(key)
    elif kind == "nested-json":
        write(out + "/deep.json", b'[{"a":' * n + b'"' + key + b'"' + b"}]" * n + b"\n")
    elif kind == "many-keys":
        keys = [fresh_key() for _ in range(n)]
        write("keys.txt", b"\n".join(keys) + b"\n")
        write(out + "/one.txt", "é ".encode() + b" ".join(keys) + b"\n")
    elif kind == "refs":
        write(out + "/a.txt", b"k=" + key + b"\n")
        git("-C", out, "add", "a.txt")
        git("-C", out, "commit", "-q", "-m", "first")
        head = subprocess.check_output(["git", "-C", out, "rev-parse", "HEAD"]).decode().strip()
        with open(out + "/.git/packed-refs", "w") as f:
            f.write("# pack-refs with: peeled fully-peeled sorted \n")
            for i in range(n):
                f.write("%s refs/tags/t%06d\n" % (head, i))
    elif kind == "huge-message":
        line = b"word " * 15 + b"\n"
        write("msg.txt", b"subject\n\n" + line * (n // len(line)) + b"k=" + key + b"\n")
        git("-C", out, "commit", "-q", "--allow-empty", "-F", os.path.abspath("msg.txt"))
    else:
        sys.exit("gen-adversarial.py: unknown kind " + kind)


main()
