"""Last iterate on the Harvey et al. lower-bound instance: c/sqrt(t) against linear decay.

Reproduces the comparison behind Harvey, Liaw, Plan & Randhawa (COLT 2019) and Defazio,
Cutkosky, Mehta & Mishchenko ("When, Why and How Much?", 2023): on the instance built for
horizon T, (sub)gradient descent with eta_t = 1/sqrt(t) ends at f(x_T) - f* of order
log(T)/sqrt(T), while linear decay eta_t = (2/sqrt(T))(1 - t/(T+1)) ends at order 1/sqrt(T).
Both refined last-iterate bounds (catalogue 2.1, D = ||x_1 - x*|| = 0, G the exact
Lipschitz constant), for the point the T updates make (the theorem's x_{T+1}, with the free weight
eta_{T+1} minimised over), are drawn; the right panel shows sqrt(T) (f(x_T) - f*), where the log T
gap is visible as growth.
"""
from __future__ import annotations

import numpy as np

from ... import problems as P
from ... import schedules as S
from ...solve import solve

PARAMETERS = {"instance": "harvey_lipschitz(T)", "inv_sqrt": "eta_t = 1/sqrt(t)",
              "linear_decay": "eta_t = (2/sqrt(T)) (1 - t/(T+1))", "noise": 0.0}
SEEDS = []  # deterministic


def schedule_steps(name, T):
    if name == "inv_sqrt":
        return S.inv_sqrt(1.0).steps(T)
    return S.linear_decay(2.0 / np.sqrt(T), T).steps(T)


def run_one(schedule, horizon, seed=0):
    """Final gap and refined bound of one schedule on the instance built for ``horizon``."""
    prob = P.additive_noise(P.harvey_lipschitz(horizon), noise_std=0.0)
    etas = schedule_steps(schedule, horizon)
    res = solve(prob, "projected_sgd", steps=horizon, schedule=etas, record=np.array([horizon]), seed=seed,
                backend="numpy")
    return dict(schedule=schedule, horizon=horizon, gap=float(res.trace["gap"][-1]),
                bound=float(S.bound_after_updates(etas, 0.0, prob.constants["G"])[0]))


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    horizons = [int(h) for h in np.unique(np.round(np.geomspace(10, 1e4 if quick else 1e5, 10 if quick else 14)))]
    frame = sweep(run_one, {"schedule": ["inv_sqrt", "linear_decay"], "horizon": horizons}, **sweep_options)
    return frame[["schedule", "horizon", "gap", "bound"]]


def draw(frame):
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    labels = {"inv_sqrt": r"$\eta_t = 1/\sqrt{t}$", "linear_decay": r"linear decay $(2/\sqrt{T})(1 - t/(T+1))$"}
    for color, (name, sub) in zip(("C3", "C0"), frame.groupby("schedule", sort=False)):
        T, gap = sub["horizon"].to_numpy(float), sub["gap"].to_numpy()
        slope = np.polyfit(np.log(T[T >= T.max() / 100]), np.log(gap[T >= T.max() / 100]), 1)[0]
        ax.loglog(T, gap, "o-", color=color, label=f"{labels[name]}: measured, slope {slope:.2f}")
        ax.loglog(T, sub["bound"], "--", color=color, label="refined bound (2.1)")
        ax2.semilogx(T, np.sqrt(T) * gap, "o-", color=color, label=labels[name])
    ax.set_xlabel("horizon T (one instance per T)")
    ax.set_ylabel(r"$f(x_T) - f^*$")
    ax.legend(fontsize=7)
    ax.set_title("Harvey et al. instance: last iterate", fontsize=10)
    ax2.set_xlabel("horizon T")
    ax2.set_ylabel(r"$\sqrt{T}\,(f(x_T) - f^*)$")
    ax2.set_title(r"the $\log T$ gap of $1/\sqrt{t}$", fontsize=10)
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return fig
