"""Block coordinate descent: greedy against random and cyclic selection, with gradient and matrix updates.

Reproduces the setting of Nutini, Laradji & Schmidt, "Let's make block coordinate descent converge
faster" (JMLR 2022), Figures 4 and 5, on the problems this library solves exactly: F(x_k) - F* against
iterations for fixed blocks of 5 coordinates grouped by sorted coordinate constants (the paper's
"Sort" partition), rules Cyclic, Random, Lipschitz, GS, GSL, GSD with the gradient update
x_b <- x_b - g_b/L_b (top row, Fig. 4) and GS, GSL, GSD, GSQ with the matrix update
x_b <- x_b - Q_bb^-1 g_b (bottom row, Fig. 5), plus the paper's IHT: variable blocks of 5 chosen by
iterative hard thresholding, an approximation of the variable-block GSQ rule.  Problems:

* least squares in the recipe of the paper's dataset A, scaled down (n = 500 rows, d = 1000 columns,
  X = (randn + 1) diag(10 randn) masked with keep-probability 10 log(n)/n, w with 10% nonzeros,
  y = X w + randn), plus a ridge 1e-4 L so that F* is unique;
* label propagation on two moons (scikit-learn's ``make_moons``, 2000 points, noise 0.1, symmetric 5-NN
  graph with Gaussian weights, 100 labelled points): the paper's dataset E;
* label propagation on a 50 x 50 lattice with weights in [0.5, 2] and 100 labelled nodes (dataset D's graph);
* multi-class softmax regression in the recipe of the paper's dataset C, scaled down (n = 1000, d = 100,
  20 classes, l2 = 1e-2; :func:`pyoptheory.problems.jmlr_softmax`), by single coordinates with the margins
  kept (rules Cyclic, Random, Lipschitz, GS, GSL; no quadratic form, so no matrix updates: that panel
  says so).

F* from a direct solve (softmax: Newton's method); the gap is evaluated as F(x) - F*, whose floor is about 1e-16 |F*|.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"block_size": 5, "partition": "sorted", "steps": 500, "seed": 1,
              "rules_gradient": ["cyclic", "uniform", "lipschitz", "gs", "gsl", "gsd"],
              "rules_matrix": ["gs", "gsl", "gsd", "gsq"]}
SEEDS = [0]
PROBLEMS = ("least_squares", "two_moons", "lattice", "softmax")
SOFTMAX_RULES = ["cyclic", "uniform", "lipschitz", "gs", "gsl"]


def least_squares(quick=False, seed=1):
    from ... import problems as P

    rng = np.random.default_rng(seed)
    n, d = (200, 400) if quick else (500, 1000)
    X = (rng.standard_normal((n, d)) + 1.0) * (10.0 * rng.standard_normal(d))[None, :]
    X *= rng.random((n, d)) < 10 * np.log(n) / n
    X = X[:, np.abs(X).sum(axis=0) > 0]
    w = rng.standard_normal(X.shape[1]) * (rng.random(X.shape[1]) < 0.1)
    y = X @ w + rng.standard_normal(n)
    Q = X.T @ X / n
    ridge = 1e-4 * np.linalg.eigvalsh(Q)[-1]
    Q += ridge * np.eye(Q.shape[0])
    return P.QuadraticForm(Q, X.T @ y / n, 0.5 * float(y @ y) / n, name="least_squares_A")


def two_moons(quick=False, seed=1):
    import scipy.sparse as sp
    from sklearn.datasets import make_moons
    from sklearn.neighbors import kneighbors_graph

    from ... import problems as P

    n = 600 if quick else 2000
    Xm, ym = make_moons(n, noise=0.1, random_state=seed)
    G = kneighbors_graph(Xm, 5, mode="distance")
    G = G.maximum(G.T).tocsr()
    sigma = np.median(G.data)
    G.data = np.exp(-(G.data / sigma) ** 2)
    rng = np.random.default_rng(seed)
    labeled = np.zeros(n, dtype=bool)
    labeled[rng.choice(n, 100 if not quick else 40, replace=False)] = True
    comp = sp.csgraph.connected_components(G)[1]
    for c in np.unique(comp):  # every connected component needs a label for a positive definite Q
        members = np.flatnonzero(comp == c)
        if not labeled[members].any():
            labeled[members[0]] = True
    return P.label_propagation(G, 2.0 * ym - 1.0, labeled, name="two_moons")


def lattice(quick=False, seed=1):

    from ... import problems as P

    side = 25 if quick else 50
    rng = np.random.default_rng(seed)
    n = side * side
    W = P.lattice_graph(side, seed=seed)
    labeled = np.zeros(n, dtype=bool)
    labeled[rng.choice(n, 100 if not quick else 25, replace=False)] = True
    return P.label_propagation(W, np.sign(rng.standard_normal(n)), labeled, name="lattice")


def softmax(quick=False, seed=1):
    from ... import problems as P

    return P.jmlr_softmax(*((200, 50, 10) if quick else (1000, 100, 20)), l2=1e-2, seed=seed)


def run_problem(problem, update, quick=False, seed=0):
    from ...solve import solve

    if problem == "softmax" and update == "matrix":
        return []  # no quadratic form: the panel says so
    p = {"least_squares": least_squares, "two_moons": two_moons, "lattice": lattice, "softmax": softmax}[problem](quick)
    f_star = p.f_star
    rules = PARAMETERS["rules_gradient"] if update == "gradient" else PARAMETERS["rules_matrix"]
    steps = 200 if quick else PARAMETERS["steps"]
    blocks = dict(block_size=PARAMETERS["block_size"], partition=PARAMETERS["partition"])
    if problem == "softmax":  # single coordinates (feature, class), a few epochs
        rules, blocks, steps = SOFTMAX_RULES, {}, 1000 if quick else 3000
    rows = []
    if update == "matrix":
        rules = rules + ["iht"]
    for rule in rules:
        opts = dict(blocks="variable", block_size=PARAMETERS["block_size"]) if rule == "iht" else blocks
        res = solve(p, "bcd", rule=rule, update=update, steps=steps, record="all", seed=seed, **opts)
        for k, fun in zip(res.trace["iter"], res.trace["fun"]):
            rows.append(dict(problem=problem, update=update, rule=rule, k=int(k), gap=max(fun - f_star, 0.0),
                             f_star=f_star, dim=p.dim))
    return rows


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    return sweep(run_problem, {"problem": list(PROBLEMS), "update": ["gradient", "matrix"], "quick": [quick]},
                 seeds=SEEDS, **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    updates = ["gradient", "matrix"]
    fig, axes = plt.subplots(len(updates), len(PROBLEMS), figsize=(4.2 * len(PROBLEMS), 7.0), squeeze=False)
    colors = {"cyclic": "C7", "uniform": "C0", "lipschitz": "C9", "gs": "C3", "gsl": "C2", "gsd": "C1", "gsq": "C4", "iht": "C5"}
    for i, update in enumerate(updates):
        for j, problem in enumerate(PROBLEMS):
            ax = axes[i][j]
            sub = frame[(frame["problem"] == problem) & (frame["update"] == update)]
            if sub.empty:
                ax.text(0.5, 0.5, f"{problem}: no quadratic form,\nno {update} update", ha="center", va="center",
                        transform=ax.transAxes, fontsize=9)
                ax.set_axis_off()
                continue
            for rule, part in sub.groupby("rule", sort=False):
                ax.semilogy(part.k, part.gap.clip(lower=1e-16 * max(1.0, abs(part.f_star.iloc[0]))),
                            color=colors[rule], label=rule.upper() + (" (variable)" if rule == "iht" else "") if rule.startswith(("gs", "iht")) else rule)
            unit = "coordinates" if problem == "softmax" else "blocks of 5"
            ax.set_title(f"{problem} (d={sub.dim.iloc[0]}), {update} update, {unit}", fontsize=9)
            ax.set_xlabel("iteration")
            ax.set_ylabel("F(x_k) - F*")
            ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
