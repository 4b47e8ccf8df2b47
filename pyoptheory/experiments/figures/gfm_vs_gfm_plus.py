"""GFM against GFM+ on the nonconvex penalised SVM: stationarity against zeroth-order oracle calls.

Chen, Xu & Luo (ICML 2023), the comparison of their Figure 1 (objective against oracle calls on LIBSVM data,
GFM+ faster), at small scale (catalogue first-order.md 5.3): ``F(x; i) = hinge(b_i <a_i, x>) + lam sum_j
min(|x_j|, alpha)`` on scikit-learn's breast-cancer data (569 x 30, rows scaled to unit norm, lam = 0.02,
alpha = 0.5), smoothing radius delta = 0.1.  The stationarity measure is ``||grad f_delta(x)||`` in closed form
(an upper bound on the Goldstein delta-stationarity), and the curves show its mean over the iterates so far,
which is ``E ||grad f_delta(x_R)||`` for a run stopped there (the quantity the theorems bound).

Measured as :mod:`pyoptheory.zeroth.complexity` prescribes: every parameter fixed at the smallest target
eps_min (GFM+'s batches ``b' = d L^2/eps_min^2``, ``b = m = sqrt(b')``), each method's step the best of a fixed
geometric grid at eps_min, one run per step, and the first call count at which each target is reached.  Left:
the curves of the two chosen runs; right: calls against 1/eps with the fitted exponents (the theory's worst
cases: 4 for GFM, 3 for GFM+).
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"targets": [0.2, 0.1, 0.05, 0.03], "budget": 2e7, "smoothing": 0.1, "records": 1000,
              "gfm_steps": [3e-5, 1e-4, 3e-4, 1e-3], "gfm_plus_steps": [0.03, 0.1, 0.3, 1.0]}
QUICK = {"targets": [0.2, 0.1, 0.05], "budget": 3e6, "gfm_steps": [1e-4, 3e-4, 1e-3],
         "gfm_plus_steps": [0.1, 0.3, 1.0]}


def settings(quick=False):
    return {**PARAMETERS, **(QUICK if quick else {})}


def compute(quick=False, **sweep_options):
    import pandas as pd

    from ...zeroth import complexity as Cx
    from ...zeroth.problems import penalized_svm

    cfg = settings(quick)
    p = penalized_svm()
    rows = []
    for method, grid in (("gfm", cfg["gfm_steps"]), ("gfm_plus", cfg["gfm_plus_steps"])):
        step, calls, res, table = Cx.tune_step(p, method, cfg["targets"], grid, budget=cfg["budget"],
                                               smoothing=cfg["smoothing"], records=cfg["records"])
        curve_calls, expected = Cx.expected_output_stationarity(res)
        rows += [dict(kind="curve", method=method, step=step, calls=float(c), value=float(v))
                 for c, v in zip(curve_calls, expected)]
        rows += [dict(kind="calls", method=method, step=step, eps=float(e), calls=float(c))
                 for e, c in zip(cfg["targets"], calls)]
        rows += [dict(kind="grid", method=method, step=float(s), eps=float(e), calls=float(c))
                 for s, cs in table.items() for e, c in zip(cfg["targets"], cs)]
    return pd.DataFrame(rows)


def summary(frame):
    """Per method: the chosen step, the calls to the smallest target and the fitted exponent in 1/eps."""
    from ...zeroth.complexity import fitted_exponent

    out = {}
    for method, part in frame[frame.kind == "calls"].groupby("method"):
        part = part.sort_values("eps", ascending=False)
        out[method] = dict(step=float(part.step.iloc[0]), calls_at_smallest=float(part.calls.iloc[-1]),
                           exponent=fitted_exponent(part.eps.to_numpy(), part.calls.to_numpy()))
    return out


def draw(frame):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    info = summary(frame)
    names = {"gfm": "GFM", "gfm_plus": "GFM+"}
    for i, method in enumerate(("gfm", "gfm_plus")):
        c = frame[(frame.kind == "curve") & (frame.method == method)]
        axes[0].loglog(c.calls, c.value, color=f"C{i}", label=f"{names[method]} (step {info[method]['step']:g})")
        h = frame[(frame.kind == "calls") & (frame.method == method)]
        ok = np.isfinite(h.calls)
        axes[1].loglog(1 / h.eps[ok], h.calls[ok], "o-", color=f"C{i}",
                       label=f"{names[method]}: exponent {info[method]['exponent']:.2f}")
    h = frame[frame.kind == "calls"]
    x = 1 / np.sort(h.eps.unique())[::-1]
    base = np.nanmin(h.calls[np.isfinite(h.calls)])
    for power, style in ((3, ":"), (4, "--")):
        axes[1].loglog(x, base * (x / x[0]) ** power, style, color="gray", lw=0.8, label=f"eps^-{power}")
    for eps in h.eps.unique():
        axes[0].axhline(eps, color="gray", lw=0.5, ls=":")
    axes[0].set_xlabel("zeroth-order oracle calls")
    axes[0].set_ylabel("E ||grad f_delta(x_R)|| (stopped there)")
    axes[0].legend(fontsize=8)
    axes[1].set_xlabel("1/eps")
    axes[1].set_ylabel("calls to reach eps")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig
