#!/usr/bin/env python3
"""Side-by-side timing on a noisy machine: rounds of (bare reference, old setol, new setol) run
back to back, so that each round's ratios see the same machine speed.

    python3 bench/alternate.py ROUNDS OLD_SETOL NEW_SETOL [MODEL [SETOL ARGS...]]

MODEL defaults to the faceres corpus model beside the project; the bare reference is
build/bench/setol_bare_eig on /tmp/setol-bench/w1024x4096.npy (bench/run.sh writes it). Prints
medians, minima and the per-round ratios (docs/performance.md, "Rank-deficient layers").
"""
import os
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
rounds, old, new = int(sys.argv[1]), sys.argv[2], sys.argv[3]
model = sys.argv[4] if len(sys.argv) > 4 else os.path.join(root, "..", "shared", "corpus",
                                                           "faceres-deep-mobilenetv1", "model.safetensors")
extra = sys.argv[5:]
bench_dir = os.environ.get("SETOL_BENCH_DIR", "/tmp/setol-bench")
commands = {
    "bare": [os.path.join(root, "build", "bench", "setol_bare_eig"), os.path.join(bench_dir, "w1024x4096.npy"), "2"],
    "old": [old, "analyze", model, "-q", "-o", os.path.join(bench_dir, "alternate-old.json")] + extra,
    "new": [new, "analyze", model, "-q", "-o", os.path.join(bench_dir, "alternate-new.json")] + extra,
}
times = {k: [] for k in commands}
for i in range(rounds + 2):  # two warm-up rounds
    for k, cmd in commands.items():
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        if i >= 2:
            times[k].append(time.perf_counter() - start)
for k, t in times.items():
    print("%-5s median %.3f s  fastest %.3f s" % (k, statistics.median(t), min(t)))
ratio = lambda a, b: statistics.median([x / y for x, y in zip(times[a], times[b])])
print("per-round medians: old/new %.3f  new/bare %.3f  old/bare %.3f" % (ratio("old", "new"), ratio("new", "bare"),
                                                                         ratio("old", "bare")))
