"""Stochastic heavy ball with step decay against SGD, for several batch sizes.

Reproduces the quadratic simulation of Pan, Liu, Wang & Zhang (ICLR 2024): on
f(w) = (w - w*)^T H (w - w*)/2 with the anisotropic noise g = H(w - w*) + N(0, sigma^2 H/M)
(exact, catalogue 3.6), loss against iterations for SGD and heavy ball, both with step decay
(log2 T equal stages, step 1/L halved per stage; heavy-ball momentum tied to the stage's step,
(1 - sqrt(mu eta))^2), for batch sizes M in {1, 16, 256, 4096} (sigma = 0.05); w0 ~ U(-1, 1)^d.  With large M the
bias dominates and momentum needs about sqrt(kappa) times fewer iterations; with small M the
variance dominates and the two coincide.
"""
from __future__ import annotations

import numpy as np

from ... import problems as P
from ...solve import solve

PARAMETERS = {"dim": 50, "kappa": 1000.0, "sigma": 0.05, "batch_sizes": [1, 16, 256, 4096], "seeds": 8}
SEEDS = list(range(8))


def quadratic():
    rng = np.random.default_rng(0)
    return P.quadratic(50, L=1.0, mu=1e-3, seed=0, x_star=np.zeros(50), x0=rng.uniform(-1, 1, 50),
                       name="pan_quadratic")


def run_one(method, batch, steps, seed=0):
    oracle = P.anisotropic_noise(quadratic(), PARAMETERS["sigma"], batch)
    opts = {} if method == "shb" else {"momentum": 0.0}
    res = solve(oracle, "shb", steps=steps, seed=seed, record=40, **opts)
    return [dict(method=method, batch=batch, k=int(k), loss=float(v)) for k, v in zip(res.trace["iter"],
                                                                                         res.trace["gap"])]


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    steps = 3000 if quick else 30000
    frame = sweep(run_one, {"method": ["sgd", "shb"], "batch": PARAMETERS["batch_sizes"], "steps": [steps]},
                  seeds=SEEDS[:4] if quick else SEEDS, **sweep_options)
    return frame.groupby(["method", "batch", "k"], as_index=False)["loss"].mean()


def draw(frame):
    import matplotlib.pyplot as plt

    batches = sorted(frame.batch.unique())
    fig, axes = plt.subplots(1, len(batches), figsize=(3.6 * len(batches), 3.4), sharey=True)
    for ax, M in zip(np.atleast_1d(axes), batches):
        for method, color in (("sgd", "C0"), ("shb", "C3")):
            sub = frame[(frame.batch == M) & (frame.method == method) & (frame.k > 0)]
            ax.loglog(sub.k, sub.loss, color=color, label="SGD + step decay" if method == "sgd" else
                      "heavy ball + step decay")
        ax.set_title(f"batch size M = {M}", fontsize=10)
        ax.set_xlabel("iteration")
    np.atleast_1d(axes)[0].set_ylabel("mean f(w) - f*")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.tight_layout()
    return fig
