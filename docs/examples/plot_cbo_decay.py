"""
CBO: V decays at the mean-field rate, whatever the initial law.
===============================================================

Fornasier, Klock & Riedl, "Consensus-based optimization methods converge globally" (SIAM J. Optim.
2024), Figure 2(b): d = 1, Riedl's Rastrigin, 320,000 particles, lambda = 1, sigma = 0.5,
alpha = 1e15, initial laws N(mu, 0.8) for mu in {1, 2, 3, 4}.  V(t)/V(0) follows
exp(-(2 lambda - d sigma^2) t) = exp(-1.75 t) even where the variance grows at first.

Figure ID ``cbo-decay``; from the shell: ``pyoptheory reproduce cbo-decay --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("cbo-decay")
frame = figure.compute(quick=True)
print(frame.groupby("init_mean").V_ratio.last())
fig = figure.draw(frame)
