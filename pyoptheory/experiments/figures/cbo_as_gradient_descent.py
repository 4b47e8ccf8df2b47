"""Consensus points of CBO and consensus hopping on the 2-D canyon, coloured by time: a noisy descent path.

Reproduces Riedl, Klock, Geldhauser & Fornasier, "Gradient is All You Need?" (arXiv:2306.09778), Figure 1(b)
(``CBOSchemeIntuition.m``: N = 200, K = 250, Delta t = 0.01, lambda = 1, sigma = 1.6, alpha = 100,
particles from N((8, 8), 0.5^2 I), 50 runs) and its consensus-hopping analogue (``CHSchemeIntuition.m``:
sigma = 0.7, alpha = 100, N = 200, K = 250).  The consensus points follow the valley of the canyon
("GrandCanyon3noisy") to the global minimizer at the origin, crossing the energy barrier a gradient
flow would stop at.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"n_particles": 200, "steps": 250, "runs": 50, "cbo": {"dt": 0.01, "drift": 1.0, "noise_std": 1.6,
              "alpha": 100.0, "init_std": 0.5}, "ch": {"noise_std": 0.7, "alpha": 100.0}, "start": [8.0, 8.0]}
SEEDS = [0]


def run_one(method, runs, seed=0):
    import warnings

    import pyoptheory as po
    from ...result import StepSizeWarning

    P = PARAMETERS
    p = po.problems.canyon()
    common = dict(n_particles=P["n_particles"], steps=P["steps"], runs=runs, seed=seed, record="all",
                  x0=np.array(P["start"]))
    if method == "cbo":
        c = P["cbo"]
        with warnings.catch_warnings():  # the paper's sigma is outside the mean-field theorem's regime, on purpose
            warnings.simplefilter("ignore", StepSizeWarning)
            res = po.solve(p, "cbo", alpha=c["alpha"], drift=c["drift"], noise_std=c["noise_std"], dt=c["dt"],
                           init_std=c["init_std"], noise="isotropic", **common)
    else:
        res = po.solve(p, "consensus_hopping", alpha=P["ch"]["alpha"], noise_std=P["ch"]["noise_std"], **common)
    tr = res.trace
    return [dict(method=method, run=int(r), k=int(k), x=float(v[0]), y=float(v[1]), fun=float(f))
            for r, k, v, f in zip(tr["run"], tr["iter"], tr["consensus"], tr["fun"])]


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    runs = 10 if quick else PARAMETERS["runs"]
    return sweep(run_one, {"method": ["cbo", "consensus_hopping"], "runs": [runs]}, seeds=SEEDS, **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    import pyoptheory as po

    p = po.problems.canyon()
    g = np.linspace(-2, 8, 301)
    A, B = np.meshgrid(g, g)
    Z = p.f_batch(np.column_stack([A.ravel(), B.ravel()])).reshape(A.shape)
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.6), sharey=True)
    titles = {"cbo": "CBO (sigma = 1.6, alpha = 100)", "consensus_hopping": "consensus hopping (sigma = 0.7)"}
    for ax, method in zip(axes, ("cbo", "consensus_hopping")):
        ax.contour(A, B, Z, levels=22, colors="0.6", linewidths=0.5)
        sub = frame[frame.method == method]
        sc = ax.scatter(sub.x, sub.y, c=sub.k, s=2, cmap="viridis")
        ax.plot([0], [0], "r*", ms=12, label="global minimizer")
        ax.plot(*PARAMETERS["start"], "ks", ms=6, label="start")
        ax.set_xlim(-2, 8)
        ax.set_ylim(-2, 8)
        ax.set_xlabel("x_1")
        ax.set_title(f"{titles[method]}: {sub.run.nunique()} runs", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel("x_2")
    fig.colorbar(sc, ax=axes, label="step k")
    return fig
