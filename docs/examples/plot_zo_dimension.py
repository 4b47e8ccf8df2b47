"""
Zeroth-order methods pay a factor of the dimension.
=====================================================

Nesterov & Spokoiny's random gradient-free method on quadratics of dimension 4 to 64: the average-iterate gap
against function evaluations with the n/N bound, and the iterations to a fixed accuracy against n + 4 (the
theory predicts exponent 1).

Figure ID ``zo-dimension``; from the shell: ``pyoptheory reproduce zo-dimension --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("zo-dimension")
frame = figure.compute(quick=True)
print("fitted exponent:", figure.dimension_exponent(frame)[0])
fig = figure.draw(frame)
