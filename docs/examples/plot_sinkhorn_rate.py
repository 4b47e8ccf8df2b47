"""
Sinkhorn's marginal error and the Hilbert-metric bound, for several eta.
=========================================================================

Franklin & Lorenz (1989); Peyre & Cuturi, Computational Optimal Transport, Thm 4.2: one Sinkhorn
iteration contracts Hilbert's projective distance to the optimum by kappa^2, kappa = tanh(eta D_C/4).
On point clouds with squared Euclidean cost, the l1 marginal error of the iterates for
eta in {2, 5, 10, 50} (solid) and the marginal-error bound the contraction implies (dashed):
informative for small eta, vacuous (kappa^2 -> 1) long before Sinkhorn itself slows down.

Figure ID ``sinkhorn-rate``; from the shell: ``pyoptheory reproduce sinkhorn-rate --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("sinkhorn-rate")
frame = figure.compute(quick=True)
print(frame.groupby("eta").k.max())
fig = figure.draw(frame)
