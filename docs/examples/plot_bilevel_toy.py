"""
Bilevel toy: random starts of the penalty method end on local minimisers of the hyper-objective.
=================================================================================================

The V-PBGD toy of Shen & Chen (ICML 2023): the hyper-objective psi has several local minima on [0, 3]; the
double-loop penalty method (sigma = 1e-4) from uniform random starts ends within about 1e-4 of one of them.

Figure ID ``bilevel-toy``; from the shell: ``pyoptheory reproduce bilevel-toy --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("bilevel-toy")
frame = figure.compute(quick=True)
print("largest distance to a local minimiser:", frame.dist_to_min.max())
fig = figure.draw(frame)
