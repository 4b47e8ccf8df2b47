"""
CBO and consensus hopping follow a noisy descent path.
=======================================================

Riedl, Klock, Geldhauser & Fornasier, "Gradient is All You Need?" (arXiv:2306.09778), Figure 1(b):
the consensus points of CBO (N = 200, sigma = 1.6, alpha = 100) and of consensus hopping
(sigma = 0.7) on the two-dimensional canyon, coloured by step, from (8, 8): they descend the valley
and cross the barrier a gradient flow stops at.

Figure ID ``cbo-as-gradient-descent``; from the shell:
``pyoptheory reproduce cbo-as-gradient-descent --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("cbo-as-gradient-descent")
frame = figure.compute(quick=True)
print(frame[frame.k == frame.k.max()].groupby("method").fun.describe())
fig = figure.draw(frame)
