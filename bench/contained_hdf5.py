#!/usr/bin/env python3
"""Cost of running libhdf5 in a contained child process (src/io/contained_process.hpp): an
older setol that calls libhdf5 in-process against the current one, on HDF5 models, rounds
alternating so that both see the same machine speed.

    python3 bench/contained_hdf5.py ROUNDS OLD_SETOL NEW_SETOL MODEL.h5...

For each model: the median wall time of `describe` (open and list: one fork, the list sent
back) and of `analyze` (every dataset also sent through the socket), and new/old ratios.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

rounds, old, new, models = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
out = tempfile.mkdtemp()


def run(binary, command, model):
    args = [binary, command, model, "-o", os.path.join(out, "r.json")] + (["-q"] if command == "analyze" else [])
    t0 = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


print("| model | size | describe old | describe new | ratio | analyze old | analyze new | ratio |")
print("|---|---|---|---|---|---|---|---|")
for model in models:
    t = {(b, c): [] for b in ("old", "new") for c in ("describe", "analyze")}
    for r in range(rounds + 1):  # one warm-up round
        for command in ("describe", "analyze"):
            for name, binary in (("old", old), ("new", new)) if r % 2 else (("new", new), ("old", old)):
                s = run(binary, command, model)
                if r:
                    t[(name, command)].append(s)
    m = {k: statistics.median(v) for k, v in t.items()}
    name = os.path.basename(os.path.dirname(model)) or model
    print("| %s | %.1f MB | %.3f s | %.3f s | %.2f | %.3f s | %.3f s | %.2f |" % (
        name, os.path.getsize(model) / 1e6, m[("old", "describe")], m[("new", "describe")],
        m[("new", "describe")] / m[("old", "describe")], m[("old", "analyze")], m[("new", "analyze")],
        m[("new", "analyze")] / m[("old", "analyze")]))
