#!/usr/bin/env python3
"""accuracy.py - recall and precision of keyhound's default rules on a labelled corpus.

usage: accuracy.py KEYHOUND RULES_DIR [--out DIR] [--variants N] [--seed S] [--check]

Builds a corpus in a temporary directory (or --out): for every rule, fresh fake
secrets made from the rule's own examples (the random part of each example's
secret is re-drawn character class by character class; the provider prefix and
keywords stay; checksummed formats get a valid checksum), planted in realistic
file types (.env, Python, JavaScript, JSON, YAML, a notebook with JSON escapes,
Terraform, a Kubernetes Secret with base64 values, XML, a URL), and hard
negatives (placeholders, hashes, UUIDs, lockfile integrity strings, minified
code, base64 images, CSS class names). Then runs `keyhound dir` over it and
prints recall and precision per rule family (the rules file a rule comes from).

With --check, exits 1 unless: the OpenAI family has recall 100% and no false
positive, and all families together have recall >= 95% and precision >= 95%.
Nothing here is a real credential: every secret is generated at run time.
"""
import argparse, base64, glob, json, os, random, re, shutil, string, subprocess, sys, tempfile, zlib

try:
    import yaml
except ImportError:
    sys.exit("accuracy.py: needs PyYAML (Debian: python3-yaml)")

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def b62(n, width):
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


def fix_checksum(kind, secret):
    """Recompute the trailing checksum of GitHub/npm tokens (CRC32, base62, 6 chars)."""
    if kind in ("github", "npm"):
        body = secret[:-6]
        return body + b62(zlib.crc32(body.encode()) & 0xFFFFFFFF, 6)
    return secret


def mutate(secret, keep, rnd):
    """Re-draw each character outside `keep` (index set) within its class."""
    out = []
    for i, ch in enumerate(secret):
        if i in keep:
            out.append(ch)
        elif ch.isdigit():
            out.append(rnd.choice(string.digits))
        elif ch.isupper():
            out.append(rnd.choice(string.ascii_uppercase))
        elif ch.islower():
            out.append(rnd.choice(string.ascii_lowercase))
        else:
            out.append(ch)
    return "".join(out)


def kept_positions(secret, keywords):
    """Provider prefix (up to the last - or _ in the first 12 chars, else 4) and keywords."""
    keep = set()
    cut = max(secret.rfind("-", 0, 12), secret.rfind("_", 0, 12))
    for i in range(cut + 1 if cut >= 0 else min(4, len(secret))):
        keep.add(i)
    low = secret.lower()
    for kw in keywords:
        start = 0
        k = kw.lower()
        while k and (j := low.find(k, start)) >= 0:
            keep.update(range(j, j + len(k)))
            start = j + 1
    # structural characters of multi-part tokens stay
    for i, ch in enumerate(secret):
        if not ch.isalnum():
            keep.add(i)
    return keep


def run(kh, args, stdin=None):
    p = subprocess.run([kh] + args, input=stdin, capture_output=True)
    if p.returncode not in (0, 1):
        sys.exit(f"accuracy.py: keyhound {' '.join(args)} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def secrets_of(kh, text, rule_id):
    rep = run(kh, ["stdin", "--no-config", "--format", "json", "--show-secrets", "--fail-on", "info"], text.encode())
    return [f["secret"] for f in rep["findings"] if f["rule"] == rule_id]


TEMPLATES = [
    ("config/{n}.env", "# settings\nDEBUG=false\n{line}\nPORT=8080\n"),
    ("src/{n}.py", "import os\n\n\ndef client():\n    # TODO: move to env\n    {line}\n    return None\n"),
    ("web/{n}.js", "const express = require('express');\n// config\n{line}\nmodule.exports = {{}};\n"),
    ("data/{n}.yaml", "service:\n  name: api\n  notes: |\n    {line}\n"),
    ("infra/{n}.tf", "resource \"null_resource\" \"x\" {{\n  # {line}\n}}\n"),
    ("conf/{n}.xml", "<config>\n  <!-- {line} -->\n</config>\n"),
    ("docs/{n}.md", "# Setup\n\nRun the service with:\n\n    {line}\n"),
]


def plant_files(rnd, root, n, line):
    path, tmpl = rnd.choice(TEMPLATES)
    rel = path.format(n=n)
    os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
    with open(os.path.join(root, rel), "w") as f:
        f.write(tmpl.format(line=line))
    return rel


def negatives(rnd, root):
    """Hard negatives: nothing here may be reported (above info severity)."""
    hexs = lambda n: "".join(rnd.choice("0123456789abcdef") for _ in range(n))
    lines = []
    for _ in range(40):
        lines.append(f"commit {hexs(40)}")
        lines.append(f"sha256: {hexs(64)}")
        u = hexs(32)
        lines.append(f"id = \"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}\"")
    placeholders = [
        "OPENAI_API_KEY=sk-...", "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxx", "api_key = \"sk-YOUR-KEY\"",
        "OPENAI_API_KEY=\"${OPENAI_API_KEY}\"", "key = os.environ[\"OPENAI_API_KEY\"]",
        "token: <your-token-here>", "password = \"changeme\"", "AWS_SECRET_ACCESS_KEY=YOUR_SECRET_KEY",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "stripe_key = \"sk_live_...\"",
        "<div class=\"sk-spinner sk-spinner-wave\"></div>", "pip install scikit-learn  # sk-learn",
        "export SLACK_TOKEN=xoxb-your-token", "password: ${DB_PASSWORD}", "secret = process.env.SECRET",
    ]
    lines += placeholders
    with open(os.path.join(root, "neg/notes.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    lock = {"lockfileVersion": 3, "packages": {}}
    for i in range(200):
        integ = base64.b64encode(rnd.randbytes(64)).decode()
        lock["packages"][f"node_modules/pkg{i}"] = {
            "version": f"1.{i}.0", "resolved": f"https://registry.npmjs.org/pkg{i}/-/pkg{i}-1.{i}.0.tgz",
            "integrity": "sha512-" + integ}
    with open(os.path.join(root, "neg/package-lock.json"), "w") as f:
        json.dump(lock, f, indent=2)
    # minified code: long identifiers, hex and base64-ish strings, one line
    parts = []
    for i in range(3000):
        name = "".join(rnd.choice(string.ascii_letters) for _ in range(rnd.randint(1, 3)))
        parts.append(f"var {name}{i}=function(a,b){{return a.{rnd.choice(['map','filter','reduce'])}(b)||\"{hexs(rnd.randint(4, 12))}\"}};")
    with open(os.path.join(root, "neg/bundle.min.js"), "w") as f:
        f.write("".join(parts))
    img = base64.b64encode(rnd.randbytes(30000)).decode()
    with open(os.path.join(root, "neg/page.html"), "w") as f:
        f.write(f"<html><body><img src=\"data:image/png;base64,{img}\"></body></html>\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("keyhound")
    ap.add_argument("rules_dir")
    ap.add_argument("--out")
    ap.add_argument("--variants", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    kh = os.path.abspath(a.keyhound)
    root = a.out or tempfile.mkdtemp(prefix="kh-accuracy-")
    if a.out:
        shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "neg"), exist_ok=True)

    family_of, planted = {}, []  # planted: (rel, secret, rule, family)
    n = 0
    for path in sorted(glob.glob(os.path.join(a.rules_dir, "*.yml"))):
        family = os.path.splitext(os.path.basename(path))[0]
        doc = yaml.safe_load(open(path)) or {}
        for rule in doc.get("rules", []):
            family_of[rule["id"]] = family
            if rule.get("context_only"):
                continue
            for ex in rule.get("examples", []):
                for secret in secrets_of(kh, ex, rule["id"])[:1]:
                    keep = kept_positions(secret, rule.get("keywords", []))
                    for _ in range(a.variants):
                        v = fix_checksum(rule.get("checksum"), mutate(secret, keep, rnd))
                        line = ex.replace(secret, v)
                        if not secrets_of(kh, line, rule["id"]) == [v]:
                            # the mutation broke the format (e.g. a structural
                            # constraint): keep the original example instead
                            v, line = secret, ex
                        n += 1
                        rel = plant_files(rnd, root, n, line)
                        planted.append((rel, v, rule["id"], family))
                    # once per rule: the same secret base64-encoded in a Kubernetes Secret
                    n += 1
                    rel = f"k8s/secret-{n}.yaml"
                    os.makedirs(os.path.join(root, "k8s"), exist_ok=True)
                    with open(os.path.join(root, rel), "w") as f:
                        f.write("apiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n"
                                f"  value: {base64.b64encode(ex.encode()).decode()}\n")
                    planted.append((rel, secret, rule["id"], family))
    negatives(rnd, root)

    rep = run(kh, ["dir", "--no-config", "--format", "json", "--show-secrets", "--fail-on", "info", root])
    found = {}
    for f in rep["findings"]:
        found.setdefault(f["path"], []).append(f)
    stats = {}
    def fam(name):
        return stats.setdefault(name, {"planted": 0, "found": 0, "findings": 0, "fp": 0})
    planted_set = set()
    for rel, secret, rule, family in planted:
        planted_set.add((rel, secret))
        s = fam(family)
        s["planted"] += 1
        if any(secret == f["secret"] or secret in f["secret"] or f["secret"] in secret
               for f in found.get(rel, []) if family_of.get(f["rule"]) == family):
            s["found"] += 1
    fps = []
    for path, fl in found.items():
        for f in fl:
            if f.get("context_only"):
                continue
            family = family_of.get(f["rule"], "?")
            s = fam(family)
            s["findings"] += 1
            ok = any((path, sec) in planted_set and (sec == f["secret"] or sec in f["secret"] or f["secret"] in sec)
                     for (_, sec, _, _) in [p for p in planted if p[0] == path])
            if not ok:
                s["fp"] += 1
                fps.append((path, f["rule"], f["severity"]))

    print(f"{'family':<16} {'planted':>7} {'found':>6} {'recall':>7} {'findings':>8} {'false+':>6} {'precision':>9}")
    tot = {"planted": 0, "found": 0, "findings": 0, "fp": 0}
    for name in sorted(stats):
        s = stats[name]
        for k in tot:
            tot[k] += s[k]
        rec = 100.0 * s["found"] / s["planted"] if s["planted"] else 100.0
        prec = 100.0 * (s["findings"] - s["fp"]) / s["findings"] if s["findings"] else 100.0
        print(f"{name:<16} {s['planted']:>7} {s['found']:>6} {rec:>6.1f}% {s['findings']:>8} {s['fp']:>6} {prec:>8.1f}%")
    rec = 100.0 * tot["found"] / tot["planted"] if tot["planted"] else 100.0
    prec = 100.0 * (tot["findings"] - tot["fp"]) / tot["findings"] if tot["findings"] else 100.0
    print(f"{'all':<16} {tot['planted']:>7} {tot['found']:>6} {rec:>6.1f}% {tot['findings']:>8} {tot['fp']:>6} {prec:>8.1f}%")
    for path, rule, sev in fps[:20]:
        print(f"false positive: {path}: {rule} ({sev})")
    missed = [(rel, rule) for rel, secret, rule, family in planted
              if not any(secret == f["secret"] or secret in f["secret"] or f["secret"] in secret
                         for f in found.get(rel, []) if family_of.get(f["rule"]) == family)]
    for rel, rule in missed[:20]:
        print(f"missed: {rel}: {rule}")
    if not a.out:
        shutil.rmtree(root, ignore_errors=True)
    if a.check:
        o = stats.get("openai", {"planted": 0, "found": 0, "fp": 0})
        ok = o["planted"] > 0 and o["found"] == o["planted"] and o["fp"] == 0 and rec >= 95.0 and prec >= 95.0
        print("accuracy: " + ("targets met" if ok else "TARGETS NOT MET") +
              " (OpenAI recall 100% with no false positive; all families recall and precision >= 95%)")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
