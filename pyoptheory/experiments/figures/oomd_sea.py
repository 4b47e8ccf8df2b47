"""Optimistic OMD in the SEA model: regret against T across regimes, and against sigma and Sigma at fixed T.

Reproduces the message of Chen, Zhang, Tu, Zhao & Zhang, "Optimistic online mirror descent for bridging
stochastic and adversarial online convex optimization" (ICML 2023): the regret of optimistic OMD (the last
gradient as hint, the SEA step) scales like sqrt(sigma^2_{1:T}) + sqrt(Sigma^2_{1:T}), interpolating between
the stochastic and the adversarial rates, and stays bounded on a fixed function where OGD pays sqrt(T).
Instances (catalogue first-order.md 4.4, linear losses on the unit ball in d = 10, the mean 1/sqrt(d) (1..1)):
stochastic (noise of norm 1), alternating (the mean flips every round, against which the hint is always
wrong), intermediate (a mean of norm 0.3 flipping every round plus noise of norm 0.5) and fixed; learners OOMD, OGD (step D/(G sqrt(t))) and optimistic FTRL; pseudo-regret averaged over seeds,
with the reported bound of the form of Sachs et al. (NeurIPS 2022, Thm 5; constants [M]).  Right: the
pseudo-regret of OOMD at T = 10^4 against the noise level (a fixed mean) and against the amplitude of an
alternating mean (no noise), with the least-squares fit a sqrt(sigma^2_{1:T}) + b sqrt(Sigma^2_{1:T}) (a, b >= 0) over both grids.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"dim": 10, "T": 10_000, "seeds": 8, "learners": ["oomd", "ogd", "oftrl"],
              "regimes": {"stochastic": {"regime": "stochastic", "noise": 1.0},
                          "alternating": {"regime": "switching", "period": 1},
                          "intermediate": {"regime": "switching", "period": 1, "amplitude": 0.3, "noise": 0.5},
                          "fixed": {"regime": "fixed"}},
              "noise_grid": [0.0, 0.1, 0.3, 1.0, 3.0], "amplitude_grid": [0.03, 0.1, 0.3, 1.0, 3.0]}
SEEDS = list(range(8))


def _env(amplitude=1.0, **kw):
    from ...online import sea

    d = PARAMETERS["dim"]
    return sea(d, loss="linear", mean=np.full(d, amplitude / np.sqrt(d)), **kw)


def regret_curves(regime, learner, T, seed=0):
    import pyoptheory as po
    from ...theory.online import _sachs_bound

    env = _env(**PARAMETERS["regimes"][regime])
    res = po.solve(env, learner, steps=T, seed=seed, record=25, **({"step": "adaptive"} if learner == "ogd" else {}))
    tr = res.trace
    c = env.constants
    rows = []
    for t, pr in zip(tr["iter"][1:], tr["pseudo_regret"][1:]):
        p = {"sigma2": env.sigma2(int(t)), "Sigma2": env.Sigma2(int(t))}
        rows.append(dict(panel="T", regime=regime, learner=learner, T=int(t), pseudo_regret=float(pr),
                         bound=float(_sachs_bound(t, c, p)), sigma2=p["sigma2"], Sigma2=p["Sigma2"]))
    return rows


def regret_at_T(kind, level, T, seed=0):
    import pyoptheory as po

    env = (_env(regime="stochastic", noise=level) if kind == "noise" else
           _env(regime="switching", period=1, amplitude=level))
    res = po.solve(env, "oomd", steps=T, seed=seed, record=2)
    return dict(panel=kind, level=level, T=T, pseudo_regret=float(res.pseudo_regret), sigma2=env.sigma2(T),
                Sigma2=env.Sigma2(T))


def fit_sqrt_model(frame):
    """Nonnegative least squares of the mean pseudo-regret on (sqrt(sigma^2_{1:T}), sqrt(Sigma^2_{1:T})):
    ``(a, b, relative residual)``."""
    from scipy.optimize import nnls

    g = frame.groupby(["panel", "level"]).mean(numeric_only=True).reset_index()
    A = np.column_stack([np.sqrt(g.sigma2), np.sqrt(g.Sigma2)])
    (a, b), res = nnls(A, g.pseudo_regret.to_numpy())
    return float(a), float(b), float(res / np.linalg.norm(g.pseudo_regret))


def compute(quick=False, **sweep_options):
    import pandas as pd

    from ..sweep import sweep

    P = PARAMETERS
    T = 3000 if quick else P["T"]
    seeds = SEEDS[:4] if quick else SEEDS
    curves = sweep(regret_curves, {"regime": list(P["regimes"]), "learner": P["learners"], "T": [T]}, seeds=seeds,
                   **sweep_options)
    grid = [{"kind": "noise", "level": s, "T": T} for s in P["noise_grid"]]
    grid += [{"kind": "amplitude", "level": a, "T": T} for a in P["amplitude_grid"]]
    levels = sweep(regret_at_T, grid, seeds=seeds, **sweep_options)
    a, b, rel = fit_sqrt_model(levels)
    levels["fit_a"], levels["fit_b"], levels["fit_residual"] = a, b, rel
    return pd.concat([curves, levels], ignore_index=True)


def draw(frame):
    import matplotlib.pyplot as plt

    curves = frame[frame.panel == "T"]
    fig, axes = plt.subplots(1, 3, figsize=(14.0, 4.2))
    styles = {"oomd": "-", "ogd": "--", "oftrl": ":"}
    for i, regime in enumerate(PARAMETERS["regimes"]):
        for learner in PARAMETERS["learners"]:
            sub = curves[(curves.regime == regime) & (curves.learner == learner)].groupby("T").mean(numeric_only=True)
            ok = sub.pseudo_regret > 0
            axes[0].loglog(sub.index[ok], sub.pseudo_regret[ok], styles[learner], color=f"C{i}",
                           label=f"{regime}: {learner}" if learner == "oomd" else None)
        sub = curves[(curves.regime == regime) & (curves.learner == "oomd")].groupby("T").mean(numeric_only=True)
        axes[0].loglog(sub.index, sub.bound, color=f"C{i}", lw=0.6, alpha=0.5)
    axes[0].set_xlabel("round T")
    axes[0].set_ylabel("pseudo-regret (OOMD solid, OGD dashed, OFTRL dotted)")
    axes[0].set_title("regret against T; thin: reported bound [M]", fontsize=10)
    axes[0].legend(fontsize=7)
    levels = frame[frame.panel != "T"]
    a, b = levels.fit_a.iloc[0], levels.fit_b.iloc[0]
    for ax, kind, label in ((axes[1], "noise", "noise level s (sigma^2_{1:T} = T s^2)"),
                            (axes[2], "amplitude", "||c||, the mean flipping every round (Sigma^2 ~ 4 T ||c||^2)")):
        g = levels[levels.panel == kind].groupby("level").mean(numeric_only=True)
        ax.plot(g.index, g.pseudo_regret, "o-", label="OOMD, mean over seeds")
        ax.plot(g.index, a * np.sqrt(g.sigma2) + b * np.sqrt(g.Sigma2), "k:",
                label=f"{a:.2f} sqrt(sigma^2) + {b:.2f} sqrt(Sigma^2)")
        ax.set_xscale("symlog", linthresh=0.1)
        ax.set_xlabel(label)
        ax.set_ylabel(f"pseudo-regret at T = {int(g['T'].iloc[0])}")
        ax.legend(fontsize=7)
    axes[1].set_title(f"fit residual {levels.fit_residual.iloc[0]:.1%} (both grids)", fontsize=10)
    fig.tight_layout()
    return fig
