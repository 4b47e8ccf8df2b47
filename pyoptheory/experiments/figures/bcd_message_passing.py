"""Block coordinate descent with tree blocks and exact message-passing updates.

Reproduces the setting of Nutini, Laradji & Schmidt (JMLR 2022), Figure 6, on label propagation over
a 50 x 50 lattice and over two moons (the problems of :mod:`.bcd_rules`): F(x_k) - F* against iterations
for single-coordinate GS, fixed blocks of 5 with GSQ and matrix updates, the red-black partition (two
independent sets, cyclic), and greedy forest partitions (blocks that induce forests, updated exactly by
Gaussian elimination leaves-to-roots, i.e. belief propagation on the trees) with cyclic and GS selection.
Large tree blocks converge in far fewer iterations, each costing O(block size).
"""
from __future__ import annotations

PARAMETERS = {"steps": 100, "problems": ["lattice", "two_moons"]}
SEEDS = [0]
CONFIGS = (
    ("coordinate GS", dict(rule="gs")),
    ("blocks of 5, GSQ + matrix", dict(rule="gsq", update="matrix", block_size=5, partition="sorted")),
    ("red-black, cyclic", dict(rule="cyclic", update="tree", partition="red_black")),
    ("forest, cyclic", dict(rule="cyclic", update="tree", partition="forest")),
    ("forest, GS", dict(rule="gs", update="tree", partition="forest")),
)


def run_problem(problem, quick=False, seed=0):
    from ...solve import solve
    from .bcd_rules import lattice, two_moons

    p = {"lattice": lattice, "two_moons": two_moons}[problem](quick)
    f_star = p.f_star
    steps = 40 if quick else PARAMETERS["steps"]
    rows = []
    for label, options in CONFIGS:
        res = solve(p, "bcd", steps=steps, record="all", seed=seed, **options)
        for k, fun in zip(res.trace["iter"], res.trace["fun"]):
            rows.append(dict(problem=problem, config=label, k=int(k), gap=max(fun - f_star, 0.0), f_star=f_star,
                             dim=p.dim))
    return rows


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    return sweep(run_problem, {"problem": PARAMETERS["problems"], "quick": [quick]}, seeds=SEEDS, **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    problems = PARAMETERS["problems"]
    fig, axes = plt.subplots(1, len(problems), figsize=(5.0 * len(problems), 3.8), squeeze=False)
    for ax, problem in zip(axes[0], problems):
        sub = frame[frame["problem"] == problem]
        for i, (label, _) in enumerate(CONFIGS):
            part = sub[sub["config"] == label]
            ax.semilogy(part.k, part.gap.clip(lower=1e-16 * max(1.0, abs(part.f_star.iloc[0]))), color=f"C{i}",
                        label=label)
        ax.set_title(f"{problem} (d={sub.dim.iloc[0]})", fontsize=9)
        ax.set_xlabel("iteration")
        ax.set_ylabel("F(x_k) - F*")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
