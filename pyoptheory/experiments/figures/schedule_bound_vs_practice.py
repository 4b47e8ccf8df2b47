"""The surprising agreement: the last-iterate bound against practice for constant, cosine and WSD.

Reproduces Schaipp, Hägele, Taylor, Simsekli & Bach (2025), "The Surprising Agreement Between
Convex Optimization Theory and Learning-Rate Scheduling for Large Model Training": (left) on
their convex toy ``f(w) = max_i |x_i^T w - y_i|`` (n = 20, d = 2, ``y = X w0``, ``||w0|| = 5``), the final
suboptimality of full-batch subgradient descent after T = 400 steps against the base step, next
to the refined bound Omega_T of the point the T steps make (catalogue 2.1 with ``G = max_i ||x_i||``,
``D = ||w0||``, the free weight eta_{T+1} minimised over), for constant,
cosine and WSD (20% cooldown) schedules; (right) the bound Omega_t against t for WSD and cosine
at their optimal base steps, horizons T in {200, ..., 600}, G = D = 1 (their Fig. 1, right).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ... import problems as P
from ... import schedules as S
from ...problems.linear import LinearModel
from ...solve import solve

PARAMETERS = {"toy": {"n": 20, "d": 2, "w0_norm": 5.0, "seed": 0, "T": 400}, "cooldown": 0.2,
              "horizons": [200, 300, 400, 500, 600]}
SEEDS = [0]
SCHEDULES = ("constant", "cosine", "wsd")


def toy_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (20, 2))
    w0 = rng.standard_normal(2)
    w0 = 5 * w0 / np.linalg.norm(w0)
    return LinearModel(X, X @ w0, loss="absolute", reduce="max", weight=1.0, x0=np.zeros(2), x_star=w0, f_star=0.0,
                       name="schaipp_toy")


def multipliers(name, T):
    return {"constant": S.constant(1.0), "cosine": S.cosine(1.0, T), "wsd": S.wsd(1.0, T, 0.2)}[name].steps(T)


def run_lr(schedule, base_lr, seed=0, T=400):
    """Full-batch subgradient descent on the toy with one schedule and base step: final gap and bound."""
    toy = toy_problem()
    oracle = P.additive_noise(toy, noise_std=0.0)  # full-batch subgradients
    G, D = toy.constants["G"], float(np.linalg.norm(toy.x_star))
    etas = base_lr * multipliers(schedule, T)
    res = solve(oracle, "sgd", steps=T, schedule=etas, record=np.array([T]), seed=seed)
    return dict(panel="base_lr", schedule=schedule, base_lr=base_lr, t=T, horizon=T,
                measured=float(res.trace["gap"][-1]), bound=float(S.bound_after_updates(etas, D, G)[0]))


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    lrs = [float(v) for v in np.geomspace(1e-3, 3.0, 12 if quick else 30)]
    left = sweep(run_lr, {"schedule": list(SCHEDULES), "base_lr": lrs}, **sweep_options)
    rows = left.drop(columns=["seed"]).to_dict("records")
    for name in ("wsd", "cosine"):
        for T in PARAMETERS["horizons"]:
            mult = multipliers(name, T)
            gamma, _ = S.optimal_base(mult, 1.0, 1.0)
            curve = S.last_iterate_bound_curve(gamma * mult, 1.0, 1.0)
            for t in range(1, T + 1, 1 if not quick else 4):
                rows.append(dict(panel="horizons", schedule=name, base_lr=gamma, t=t, horizon=T, measured=np.nan,
                                 bound=float(curve[t - 1])))
    return pd.DataFrame(rows)


def draw(frame):
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    left = frame[frame.panel == "base_lr"]
    for color, name in zip(("C2", "C1", "C0"), SCHEDULES):
        sub = left[left.schedule == name]
        ax.loglog(sub.base_lr, sub.bound, "--", color=color, label=f"{name}: bound $\\Omega_T$")
        ax.loglog(sub.base_lr, sub.measured.clip(lower=1e-12), "o-", ms=3, color=color, label=f"{name}: measured")
        best = sub.loc[sub.bound.idxmin()]
        ax.plot(best.base_lr, best.bound, "*", color=color, ms=10)
    ax.set_xlabel("base step size")
    ax.set_ylabel(r"$f(x_T) - f^*$, T = 400")
    ax.set_title("convex toy: bound vs practice", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    right = frame[frame.panel == "horizons"]
    for color, name in zip(("C0", "C1"), ("wsd", "cosine")):
        for i, (T, sub) in enumerate(right[right.schedule == name].groupby("horizon")):
            ax2.plot(sub.t, sub.bound, color=color, alpha=0.4 + 0.12 * i, label=name if i == 0 else None)
    ax2.set_yscale("log")
    ax2.set_xlabel("iteration t")
    ax2.set_ylabel(r"bound $\Omega_t$ (G = D = 1, optimal base)")
    ax2.set_title("WSD vs cosine, T = 200 ... 600", fontsize=10)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig
