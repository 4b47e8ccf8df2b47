"""Isotropic against anisotropic CBO: V(t)/V(0) for d in {4, 8, 12, 16} with the rates 2 lambda - d sigma^2 and 2 lambda - sigma^2.

Reproduces Fornasier, Klock & Riedl, "Convergence of anisotropic consensus-based optimization in mean-field
law" (EvoApplications 2022), Figure 1(b) (``DecayComparison_V_anisotropicandisotropic_differentd.m``):
Riedl's Rastrigin, sigma = 0.32, lambda = 1, T = 4, Delta t = 0.01, alpha = 1e15, N = 320,000 particles
from N(x* + 2 (1, ..., 1)/sqrt(d), 32 I).  The isotropic rate falls linearly in d; the anisotropic one
does not depend on d.  Quick mode: 20,000 particles.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"dims": [4, 8, 12, 16], "n_particles": 320_000, "steps": 400, "dt": 0.01, "drift": 1.0,
              "noise_std": 0.32, "alpha": 1e15, "init_std": float(np.sqrt(32.0))}
SEEDS = [0]


def run_one(dim, noise, n_particles, seed=0):
    import pyoptheory as po
    from ...theory.consensus import mean_field_rate

    P = PARAMETERS
    p = po.problems.rastrigin_riedl(dim)
    res = po.solve(p, "cbo", n_particles=n_particles, alpha=P["alpha"], drift=P["drift"], noise_std=P["noise_std"],
                   dt=P["dt"], noise=noise, init_std=P["init_std"], steps=P["steps"], seed=seed, record=81)
    tr = res.trace
    rate = mean_field_rate(P["drift"], P["noise_std"], dim, noise)
    return [dict(dim=dim, noise=noise, t=t, V_ratio=V / tr["V"][0], rate=rate) for t, V in zip(tr["t"], tr["V"])]


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    n = 20_000 if quick else PARAMETERS["n_particles"]
    return sweep(run_one, {"dim": PARAMETERS["dims"], "noise": ["isotropic", "anisotropic"], "n_particles": [n]},
                 seeds=SEEDS, **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.0), sharey=True)
    for ax, noise in zip(axes, ("isotropic", "anisotropic")):
        for i, d in enumerate(sorted(frame.dim.unique())):
            sub = frame[(frame.dim == d) & (frame.noise == noise)]
            rate = sub.rate.iloc[0]
            ax.semilogy(sub.t, sub.V_ratio, color=f"C{i}", label=f"d = {d}")
            ax.semilogy(sub.t, np.exp(-rate * sub.t), ":", color=f"C{i}", lw=1.5,
                        label=f"exp(-{rate:.3g} t)")
        ax.set_xlabel("time t = k dt")
        ax.set_title(f"{noise} noise: rate 2 lambda - {'d ' if noise == 'isotropic' else ''}sigma^2", fontsize=10)
        ax.legend(fontsize=7, ncol=2)
    axes[0].set_ylabel("V(t)/V(0)")
    fig.tight_layout()
    return fig
