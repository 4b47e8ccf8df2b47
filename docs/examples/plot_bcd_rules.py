"""
Greedy block coordinate descent against random and cyclic selection.
=====================================================================

Nutini, Laradji & Schmidt, "Let's make block coordinate descent converge faster" (JMLR 2022),
Figures 4 and 5: F(x_k) - F* against iterations for fixed blocks of 5 coordinates (sorted by
coordinate constants) on least squares and on label propagation (two moons, a lattice), with
gradient updates (Cyclic, Random, Lipschitz, GS, GSL, GSD) and matrix updates (GS, GSL, GSD, GSQ).
Greedy rules need far fewer iterations; on graphs with sorted blocks Q_bb is nearly diagonal, so
the matrix update adds little there.

Figure ID ``bcd-rules``; from the shell: ``pyoptheory reproduce bcd-rules --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("bcd-rules")
frame = figure.compute(quick=True)
print(frame.groupby(["problem", "update", "rule"]).gap.last())
fig = figure.draw(frame)
