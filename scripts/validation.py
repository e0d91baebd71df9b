#!/usr/bin/python3
"""Regenerates docs/validation.md and its plots from setol's own output on the MLP3 family.

    scripts/validation.py [--corpus DIR] [--setol build/apps/setol]

Needs Debian's python3-matplotlib and python3-numpy. For every corpus folder mlp3-mnist10k-*
it runs `setol analyze model.safetensors --setol --htmp --randomize --mp-fit` (default seed),
keeps the JSON reports in docs/validation/data/, draws the plots as SVG into docs/validation/,
and writes docs/validation.md with the tables and the reading of them.
"""
import argparse
import json
import os
import subprocess

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "validation")


def run_setol(setol, corpus):
    rows = []
    for name in sorted(os.listdir(corpus)):
        if not name.startswith("mlp3-mnist10k-"):
            continue
        meta = json.load(open(os.path.join(corpus, name, "meta.json")))
        report_path = os.path.join(OUT, "data", name + ".json")
        os.makedirs(os.path.dirname(report_path), exist_ok=True)
        with open(report_path, "w") as f:
            subprocess.run([setol, "analyze", os.path.join(corpus, name, "model.safetensors"), "--setol", "--htmp",
                            "--randomize", "--mp-fit", "-q", "--format", "json"], check=True, stdout=f)
        report = json.load(open(report_path))
        t = meta["training"]
        init = name.endswith("-init")
        layers = {l["name"]: l for l in report["layers"]}
        rows.append({"name": name.replace("mlp3-mnist10k-", ""), "init": init,
                     "bs": None if init else t["batch_size"], "lr": None if init else t["learning_rate"],
                     "test_acc": t["test_acc"], "train_acc": t["train_acc"],
                     "fc1": layers["fc1.weight"], "fc2": layers["fc2.weight"], "fc3": layers["fc3.weight"]})
    order = lambda r: (0 if r["init"] else 1, r["bs"] or 0, r["lr"] or 0)  # noqa: E731
    return sorted(rows, key=order)


def spearman(x, y):
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def sweep(rows, kind):
    """The batch-size sweep (lr 0.01) or the learning-rate sweep (bs 32), in sweep order."""
    if kind == "bs":
        r = [x for x in rows if not x["init"] and x["lr"] == 0.01]
        return sorted(r, key=lambda x: -x["bs"])  # 32 -> 1: 'more noise'
    r = [x for x in rows if not x["init"] and x["bs"] == 32]
    return sorted(r, key=lambda x: x["lr"])


def label(r):
    return "init" if r["init"] else (f"bs{r['bs']}" if r["lr"] == 0.01 and r["bs"] != 32 else f"lr{r['lr']:g}")


def plot_funnel(rows):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    for ax, layer in zip(axes, ["fc1", "fc2"]):
        for kind, color in [("bs", "tab:blue"), ("lr", "tab:red")]:
            s = sweep(rows, kind)
            a = [r[layer]["alpha"] for r in s]
            d = [r[layer]["delta_lambda_min"] for r in s]
            ax.plot(a, d, "-o", color=color, label="batch size 32 → 1 (lr 0.01)" if kind == "bs" else
                    "learning rate 0.01 → 1.28 (bs 32)")
            for r, x, y in zip(s, a, d):
                ax.annotate(label(r), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.axvline(2, color="gray", lw=0.8, ls="--")
        ax.axhline(0, color="gray", lw=0.8, ls="--")
        ax.set_xlabel("alpha")
        ax.set_ylabel("delta_lambda_min (mean-1 units)")
        ax.set_title(f"{layer.upper()}: alpha vs Δλ_min (SETOL funnel toward (2, 0))")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "funnel.svg"))
    fig.savefig(os.path.join(OUT, "funnel.png"), dpi=80)
    plt.close(fig)


def plot_accuracy(rows):
    trained = [r for r in rows if not r["init"]]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    for ax, metric, xl in [(axes[0], "alpha", "alpha"), (axes[1], "htmp_kappa", "HTMP kappa")]:
        for layer, color in [("fc1", "tab:blue"), ("fc2", "tab:orange")]:
            pts = [(r[layer][metric], r["test_acc"], label(r)) for r in trained if r[layer][metric] is not None]
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], color=color, label=layer.upper())
            for x, y, t in pts:
                ax.annotate(t, (x, y), textcoords="offset points", xytext=(3, 3), fontsize=7)
        ax.set_xlabel(xl)
        ax.set_ylabel("test accuracy")
        ax.set_ylim(0.89, 0.97)
        ax.set_title(f"test accuracy vs {xl}")
        ax.legend(fontsize=8)
    fig.text(0.5, 0.01, "lr 1.28 (collapsed, test accuracy 0.107) is off the scale", ha="center", fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(os.path.join(OUT, "accuracy.svg"))
    fig.savefig(os.path.join(OUT, "accuracy.png"), dpi=80)
    plt.close(fig)


def fmt(v, nd=3):
    return "–" if v is None else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def write_markdown(rows, corpus):
    trained = [r for r in rows if not r["init"] and r["test_acc"] > 0.5]  # the lr 1.28 run collapsed
    acc = [r["test_acc"] for r in trained]
    rho = {f"{layer}_{m}": spearman([r[layer][m] for r in trained], acc)
           for layer in ["fc1", "fc2"] for m in ["alpha", "htmp_kappa", "delta_lambda_min", "quality_imp"]}
    lr = sweep(rows, "lr")
    bs = sweep(rows, "bs")
    lines = []
    w = lines.append
    w("# Validation on the MLP3 family")
    w("")
    w("*Generated by `scripts/validation.py` from setol's own reports (kept in `docs/validation/data/`); "
      "do not edit by hand.*")
    w("")
    w("The corpus holds the 3-layer MLP of the SETOL experiments (784-300-100-10, ReLU) trained on a 7,200-image "
      "MNIST subset with plain SGD and early stopping, from the same initial weights: a batch-size sweep "
      "(bs 1–32 at lr 0.01) and a learning-rate sweep (lr 0.01–1.28 at bs 32), one seed each. Every layer was "
      "analyzed with `setol analyze model.safetensors --setol --htmp --randomize --mp-fit` (seed 20240910).")
    w("")
    w("## Per checkpoint")
    w("")
    w("| checkpoint | bs | lr | test acc | FC1 α | FC1 Δλ_min | FC1 κ | FC1 trap | FC2 α | FC2 Δλ_min | FC2 κ | FC2 trap |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        f1, f2 = r["fc1"], r["fc2"]
        trap = lambda l: "yes" if l["correlation_trap"] else "no"  # noqa: E731
        kap = lambda l: fmt(l["htmp_kappa"], 2) if l["htmp_status"] == "success" else l["htmp_status"]  # noqa: E731
        w(f"| {r['name']} | {fmt(r['bs'])} | {fmt(r['lr'])} | {r['test_acc']:.4f} | {f1['alpha']:.3f} | "
          f"{f1['delta_lambda_min']:.3f} | {kap(f1)} | {trap(f1)} | {f2['alpha']:.3f} | {f2['delta_lambda_min']:.3f} | "
          f"{kap(f2)} | {trap(f2)} |")
    w("")
    w("![alpha vs delta_lambda_min](validation/funnel.svg)")
    w("")
    w("![test accuracy vs alpha and kappa](validation/accuracy.svg)")
    w("")
    w("Spearman rank correlation with test accuracy over the "
      f"{len(trained)} trained checkpoints that did not collapse (n = {len(trained)}):")
    w("")
    w("| metric | FC1 | FC2 |")
    w("|---|---|---|")
    for m in ["alpha", "htmp_kappa", "delta_lambda_min", "quality_imp"]:
        w(f"| {m} | {rho['fc1_' + m]:+.2f} | {rho['fc2_' + m]:+.2f} |")
    w("")
    w("## Correlation traps")
    w("")
    flagged = [(r["name"], l) for r in rows for l in ["fc1", "fc2", "fc3"] if r[l]["correlation_trap"]]
    w("Layers whose element-permuted matrix still has an eigenvalue beyond its own MP bulk edge (`correlation_trap`): "
      + ", ".join(f"{n} {l.upper()} ({r_spikes} spike{'s' if r_spikes != 1 else ''})"
                  for n, l, r_spikes in [(n, l, next(r for r in rows if r['name'] == n)[l]["rand_num_spikes"])
                                         for n, l in flagged]) + ".")
    w("")
    w("## Reading")
    w("")
    a_lr = [r["fc1"]["alpha"] for r in lr]
    a_bs = [r["fc1"]["alpha"] for r in bs]
    mono_lr = all(a_lr[i] > a_lr[i + 1] for i in range(len(a_lr) - 2))
    w(f"- **Alpha falls toward 2 as training gets noisier.** FC1's α goes {' → '.join(f'{a:.2f}' for a in a_lr)} "
      f"over the learning-rate sweep ({'monotone up to lr 1.0' if mono_lr else 'not monotone'}) and "
      f"{' → '.join(f'{a:.2f}' for a in a_bs)} as the batch size falls from 32 to 1. This agrees with the paper's "
      "Figs. 15-16 (α_FC1 decreases with the learning rate and with smaller batches). The paper has α_FC1 cross 2 at "
      "its most extreme settings (32× lr, bs 1); here it crosses only at lr 1.0 (100×), and bs 1 stays at "
      f"{bs[-1]['fc1']['alpha']:.2f}. FC2 approaches 2 without crossing it until the run collapses, as in the paper.")
    lr064 = next(r for r in lr if r["lr"] == 0.64)
    lr1 = next(r for r in lr if r["lr"] == 1.0)
    w(f"- **The funnel.** FC1 moves almost linearly toward (α, Δλ_min) = (2, 0): at lr 0.64 it sits at "
      f"({lr064['fc1']['alpha']:.2f}, {lr064['fc1']['delta_lambda_min']:+.3f}) — the PL tail and the ERG tail "
      f"start at the same eigenvalue (detX tail {lr064['fc1']['ecs_rank']} vs PL tail {lr064['fc1']['num_pl_spikes']}) — "
      f"and at lr 1.0 it has crossed both thresholds ({lr1['fc1']['alpha']:.2f}, {lr1['fc1']['delta_lambda_min']:+.3f}), "
      "as in the paper's Fig. 21. FC2 follows weakly (Δλ_min stays near 0.4-0.5 until lr 0.64) and the relation breaks "
      "at the extreme settings, also as reported.")
    best = max(trained, key=lambda r: r["test_acc"])
    w(f"- **Quality.** Test accuracy is highest at {best['name']} ({best['test_acc']:.3f}), where FC1 has α = "
      f"{best['fc1']['alpha']:.2f}; within the trained, non-collapsed checkpoints lower FC1 α goes with higher accuracy "
      f"(Spearman {rho['fc1_alpha']:+.2f}), and so does lower HTMP κ ({rho['fc1_htmp_kappa']:+.2f}): κ falls from "
      f"{lr[0]['fc1']['htmp_kappa']:.1f} (lr 0.01) to {lr1['fc1']['htmp_kappa']:.2f} (lr 1.0) and tracks α closely. "
      "The relation is not monotone at the edges: lr 1.0 has the lowest α and κ but lost 5 points of accuracy "
      "(α < 2: over-regularised, flagged `over-trained`), which is the paper's point that α ≈ 2 is the optimum, not "
      "α → 1. With one seed per setting and accuracies within 1.5 points of each other, these correlations are "
      "indicative only.")
    w(f"- **Traps.** FC1 is flagged from lr 0.64 on and FC2 from lr 1.0 on; no layer of the batch-size sweep is "
      "flagged. The paper finds traps in FC1 only at its most extreme setting (and at bs 1) and never in FC2. Our "
      "learning-rate sweep goes further (to 128×), and the collapsed lr 1.28 run shows the large, distorted weights "
      "the detector is meant to catch; bs 1 is not flagged here, which disagrees with the paper.")
    w("- **SETOL qualities** (`quality_*`) are experimental. `quality_imp` moves with α (Spearman with accuracy "
      f"{rho['fc1_quality_imp']:+.2f} for FC1); the paper's claim that the R-transform qualities predict accuracy "
      "better than α is not supported or refuted by 11 single-seed checkpoints.")
    w(f"- **What we could not check.** The paper averages 5 seeds per setting and also trains FC1-only and FC2-only "
      "variants; the corpus has one seed and only all-layer training, so error bars, the ERG/PL truncation "
      "experiments (Figs. 17-19) and the hysteresis plots are out of reach. The corpus is at "
      f"`{os.path.relpath(corpus, ROOT)}` when this file was generated.")
    w("")
    open(os.path.join(ROOT, "docs", "validation.md"), "w").write("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", required=True, help="folder of the MLP3 checkpoints (<name>/model.safetensors)")
    p.add_argument("--setol", default=os.path.join(ROOT, "build", "apps", "setol"))
    a = p.parse_args()
    os.makedirs(OUT, exist_ok=True)
    rows = run_setol(a.setol, os.path.abspath(a.corpus))
    plot_funnel(rows)
    plot_accuracy(rows)
    write_markdown(rows, os.path.abspath(a.corpus))
    print("wrote docs/validation.md and", OUT)


if __name__ == "__main__":
    main()
