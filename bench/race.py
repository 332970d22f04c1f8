#!/usr/bin/env python3
"""race.py - time several commands under the same conditions.

    race.py RUNS CMD1... --- CMD2... [--- CMD3...]

Runs the commands in rounds, each once per round in a rotating order, so that
a slow spell on a shared machine falls on every command alike rather than on
whichever ran during it; prints, per command in the order given, the fastest
wall time in seconds and that command's largest peak RSS in KB. Output is
discarded. Used by bench-dir.sh."""
import os
import subprocess
import sys
import time


def main():
    runs = int(sys.argv[1])
    cmds, cur = [], []
    for a in sys.argv[2:]:
        if a == "---":
            cmds.append(cur)
            cur = []
        else:
            cur.append(a)
    cmds.append(cur)
    best = [None] * len(cmds)
    rss = [0] * len(cmds)
    for r in range(runs):
        for k in range(len(cmds)):
            i = (k + r) % len(cmds)
            t = time.monotonic()
            p = subprocess.Popen(cmds[i], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, ru = os.wait4(p.pid, 0)
            t = time.monotonic() - t
            best[i] = t if best[i] is None or t < best[i] else best[i]
            kb = ru.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
            rss[i] = max(rss[i], kb)
    for t, m in zip(best, rss):
        print("%.3f %d" % (t, m))


if __name__ == "__main__":
    main()
