"""
GFM against GFM+ on a nonconvex, nonsmooth SVM.
================================================

Gradient-free methods for a Lipschitz objective that is neither smooth nor convex (hinge loss plus a capped-l1
penalty on the breast-cancer data): the running mean of ``||grad f_delta(x_k)||``, i.e. the expected
stationarity of the random output ``x_R``, against zeroth-order oracle calls, and the calls to each target
with the fitted exponents.  GFM+'s variance reduction pays for its big batches only at small targets: in this
quick version (smallest target 0.05) plain GFM is still ahead; with the full grid (down to 0.03) GFM+ needs
fewer calls.

Figure ID ``gfm-vs-gfm-plus``; from the shell: ``pyoptheory reproduce gfm-vs-gfm-plus --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("gfm-vs-gfm-plus")
frame = figure.compute(quick=True)
print(figure.summary(frame))
fig = figure.draw(frame)
