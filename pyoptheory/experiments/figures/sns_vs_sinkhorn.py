"""Sinkhorn-Newton-Sparse against Sinkhorn: optimality gap against iteration and wall time.

Reproduces the setting of Tang et al., "Accelerating Sinkhorn algorithm with sparse Newton
iterations" (ICLR 2024), Figure 1 and Table 1: eta = 1/reg = 1200, cost normalised to max 1,
uniform or image marginals, f* the dual optimum.  Cases:

* random assignment: C ~ U[0,1]^{n x n}, uniform marginals, n = 500 (quick: 200);
* MNIST-L2 / MNIST-L1: two handwritten digits from scikit-learn's bundled ``load_digits`` (8 x 8,
  upsampled 3x to 24 x 24 by pixel replication), pixel intensities as marginals with zero-mass
  pixels dropped (exact: those rows/columns of the plan are 0), cost the squared Euclidean (W2) or
  the l1 (W1) distance between pixel centres in [0,1]^2, normalised.

f* is the largest dual value either run reached (SNS runs to l1 marginal error 1e-14).  Both methods start from zero
potentials; SNS does ``warm_steps`` Sinkhorn iterations (20; 700 for the L1 cost, whose OT solution
is not unique, as in the paper), then sparse Newton steps.  The table gives iterations and seconds
until the gap is below 1e-9 and until the l1 marginal error is below 1e-12 ("machine precision"
in the paper's Table 1 is not defined more precisely).  Sinkhorn is the library's fastest stable
form (``"stabilized"``); its trace is recorded at 200 log-spaced iterations.  No theorem: SNS's
speed-up is an empirical claim of the paper.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"eta": 1200.0, "n_random": 500, "upsample": 3, "digits": (0, 1), "sinkhorn_steps": 100_000,
              "sns_steps": 2000, "warm_steps": {"random": 20, "mnist_l2": 20, "mnist_l1": 700}}
SEEDS = [0]
CASES = ("random", "mnist_l2", "mnist_l1")


def instance(case, quick=False, seed=0):
    """``(a, b, C)`` of a case."""
    if case == "random":
        n = 200 if quick else PARAMETERS["n_random"]
        rng = np.random.default_rng(seed)
        a = np.full(n, 1.0 / n)
        return a, a.copy(), rng.random((n, n))
    from sklearn.datasets import load_digits

    images = load_digits().images
    k = PARAMETERS["upsample"] if not quick else 2
    side = 8 * k
    grid = (np.stack(np.meshgrid(np.arange(side), np.arange(side), indexing="ij"), -1).reshape(-1, 2) + 0.5) / side
    masses = []
    for idx in PARAMETERS["digits"]:
        img = np.kron(images[idx], np.ones((k, k))).ravel()
        masses.append(img / img.sum())
    (a, b) = masses
    sa, sb = a > 0, b > 0
    X, Y = grid[sa], grid[sb]
    diff = X[:, None, :] - Y[None, :, :]
    C = (diff ** 2).sum(-1) if case == "mnist_l2" else np.abs(diff).sum(-1)
    return a[sa], b[sb], C / C.max()


def run_case(case, quick=False, seed=0):
    import time

    from ...ot import sinkhorn

    a, b, C = instance(case, quick, seed)
    reg = 1.0 / PARAMETERS["eta"]
    warm = PARAMETERS["warm_steps"][case]
    rows = []
    t0 = time.perf_counter()
    sns = sinkhorn(a, b, C, reg, method="sns", marginal_tol=1e-14, steps=PARAMETERS["sns_steps"] + warm,
                   warm_steps=warm)
    sns_wall = time.perf_counter() - t0
    steps = 20_000 if quick else PARAMETERS["sinkhorn_steps"]
    t0 = time.perf_counter()
    sk = sinkhorn(a, b, C, reg, method="stabilized", marginal_tol=1e-13, steps=steps, record=200)
    sk_wall = time.perf_counter() - t0
    f_star = max(float(np.max(sns.trace["fun"])), float(np.max(sk.trace["fun"])))
    for name, res, wall in (("sns", sns, sns_wall), ("sinkhorn", sk, sk_wall)):
        tr = res.trace
        for k, t, err, fun in zip(tr["iter"], tr["time"], tr["marginal_err"], tr["fun"]):
            rows.append(dict(case=case, method=name, k=int(k), time=float(t), marginal_err=float(err),
                             gap=max(f_star - float(fun), 0.0), f_star=f_star, n=len(a), m=len(b),
                             warm_steps=warm if name == "sns" else 0, wall=wall))
    return rows


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    return sweep(run_case, {"case": list(CASES), "quick": [quick]}, seeds=SEEDS, **sweep_options)


def first_reach(sub, column, level):
    """(iterations, seconds) at the first recorded point with ``column <= level``, or (None, None)."""
    hit = sub[sub[column] <= level]
    if hit.empty:
        return None, None
    return int(hit.k.iloc[0]), float(hit.time.iloc[0])


def table(frame):
    """Iterations and seconds to gap <= 1e-9 and to marginal error <= 1e-12, per case and method."""
    import pandas as pd

    rows = []
    for (case, method), sub in frame.groupby(["case", "method"], sort=False):
        sub = sub.sort_values("k")
        k9, t9 = first_reach(sub, "gap", 1e-9)
        k12, t12 = first_reach(sub, "marginal_err", 1e-12)
        rows.append(dict(case=case, method=method, n=int(sub.n.iloc[0]), m=int(sub.m.iloc[0]), iters_gap_1e9=k9,
                         seconds_gap_1e9=t9, iters_err_1e12=k12, seconds_err_1e12=t12))
    return pd.DataFrame(rows)


def draw(frame):
    import matplotlib.pyplot as plt

    cases = [c for c in CASES if c in set(frame.case)]
    fig, axes = plt.subplots(2, len(cases), figsize=(4.2 * len(cases), 7.2), squeeze=False)
    for j, case in enumerate(cases):
        for method, color in (("sinkhorn", "C0"), ("sns", "C3")):
            sub = frame[(frame.case == case) & (frame.method == method)].sort_values("k")
            gap = sub.gap.clip(lower=1e-17)
            axes[0][j].semilogy(sub.k.clip(lower=1), gap, color=color, label=method)
            axes[1][j].semilogy(sub.time.clip(lower=1e-4), gap, color=color, label=method)
        sub = frame[frame.case == case]
        axes[0][j].set_title(f"{case} (n={sub.n.iloc[0]}, m={sub.m.iloc[0]}, eta={PARAMETERS['eta']:g})", fontsize=9)
        axes[0][j].set_xscale("log")
        axes[1][j].set_xscale("log")
        axes[0][j].set_xlabel("iteration")
        axes[1][j].set_xlabel("wall time (s)")
        axes[0][j].set_ylabel("f* - f(z_t)")
        axes[1][j].set_ylabel("f* - f(z_t)")
        axes[0][j].legend(fontsize=7)
    tab = table(frame)
    text = "\n".join(f"{r.case:<9} {r.method:<8} gap<=1e-9: {r.iters_gap_1e9} it / "
                     f"{'-' if r.seconds_gap_1e9 is None or r.seconds_gap_1e9 != r.seconds_gap_1e9 else f'{r.seconds_gap_1e9:.2f}'} s"
                     for r in tab.itertuples())
    fig.text(0.01, 0.005, text, fontsize=6, family="monospace", va="bottom")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
