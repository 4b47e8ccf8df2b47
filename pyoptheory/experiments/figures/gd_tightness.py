"""Gradient descent: the tight bound L||x0 - x*||^2/(4NL step + 2), attained and not.

Reproduces the picture behind Drori & Teboulle (2014, Thm 3.1) and Taylor,
Hendrickx & Glineur (2017, Fig. 1 style): f(x_N) - f* against N for gradient
descent with step 1/L on the Huber worst case (one instance per horizon; the
bound is attained) and on a random quadratic (the bound is loose), with the
bound drawn (catalogue 1.6 and P7).
"""
from __future__ import annotations

import numpy as np

from ...theory import get_theorem

PARAMETERS = {"theorem": "gd.convex.smooth", "huber": {"L": 3.0, "R": 1.0}, "quadratic": {"dim": 200,
                                                                                             "spectrum": "(i/199)^2",
                                                                                             "seed": 1}}
SEEDS = []  # deterministic


def compute(quick=False, **sweep_options):
    from ...verify.core import measure
    from ..sweep import sweep

    th = get_theorem("gd.convex.smooth")
    horizons = [int(h) for h in np.unique(np.round(np.geomspace(1, 1e4 if quick else 1e5, 25)))]
    frame = sweep(measure, {"theorem_id": [th.id], "instance_name": ["huber_worst_case", "random_quadratic"],
                            "horizons": [horizons]}, **sweep_options)
    frame = frame.rename(columns={"instance_name": "problem", "measured": "gap"})
    return frame[["problem", "horizon", "gap", "bound"]]


def draw(frame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4))
    styles = {"huber_worst_case": ("C0", "Huber worst case (attains the bound)"),
              "random_quadratic": ("C1", "quadratic, d = 200, spectrum $(i/199)^2$ (loose)")}
    for name, sub in frame.groupby("problem"):
        color, label = styles[name]
        ok = sub["gap"] > 1e-13 * sub["gap"].max()
        T, gap = sub["horizon"][ok].to_numpy(float), sub["gap"][ok].to_numpy()
        tail = T >= T.max() / 100
        slope = np.polyfit(np.log(T[tail]), np.log(gap[tail]), 1)[0]
        ax.loglog(T, gap, "o-", ms=5, mfc="none", color=color, label=f"{label}, slope {slope:.2f}")
        ax.loglog(sub["horizon"], sub["bound"], "--", color="k" if name == "huber_worst_case" else color, lw=1.2,
                  zorder=3, label=f"bound on {name.replace('_', ' ')}")
    ax.set_xlabel("iterations N")
    ax.set_ylabel(r"$f(x_N) - f^*$")
    ax.set_title("Gradient descent, step 1/L: $L\\|x_0-x^*\\|^2/(4N+2)$", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
