"""
Coordinate-wise against randomized gradient estimates.
=======================================================

DeepZero's comparison at small scale: gradient descent on the coordinate-wise estimate (CGE, ``d + 1`` queries
per step) against the randomized estimate (RGE) with ``q = d/100, d/10, d`` directions, on a logistic
regression in d = 200, at an equal number of function queries.

Figure ID ``cge-vs-rge``; from the shell: ``pyoptheory reproduce cge-vs-rge --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("cge-vs-rge")
frame = figure.compute(quick=True)
print(figure.final_gaps(frame))
fig = figure.draw(frame)
