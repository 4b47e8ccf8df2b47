"""
Stochastic heavy ball with step decay against SGD, for several batch sizes.
===========================================================================

Reproduces the quadratic simulation of Pan, Liu, Wang & Zhang (ICLR 2024): on
f(w) = (w - w*)^T H (w - w*)/2 with the anisotropic noise g = H(w - w*) + N(0, sigma^2 H/M)
(exact, catalogue 3.6), loss against iterations for SGD and heavy ball, both with step decay
(log2 T equal stages, step 1/L halved per stage; heavy-ball momentum tied to the stage's step,
(1 - sqrt(mu eta))^2), for batch sizes M in {1, 16, 256, 4096} (sigma = 0.05); w0 ~ U(-1, 1)^d.  With large M the
bias dominates and momentum needs about sqrt(kappa) times fewer iterations; with small M the
variance dominates and the two coincide.

Figure ID ``stochastic-heavy-ball-batch``; from the shell: ``pyoptheory reproduce stochastic-heavy-ball-batch --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("stochastic-heavy-ball-batch")
frame = figure.compute(quick=True)
print(frame.head())
fig = figure.draw(frame)
