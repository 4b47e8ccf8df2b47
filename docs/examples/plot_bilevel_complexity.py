"""
Oracle complexity of bilevel penalty methods, measured.
=========================================================

Stationarity of the penalty landscape against gradient-oracle calls for the deterministic double loop, the
stochastic double loop with growing batches and the single loop with STORM-type momentum, with the
eps^-3 / eps^-7 / eps^-5 bounds of Kwon et al. (ICLR 2024) as reference slopes, and the fitted exponents of
the calls to first reach each target.

Figure ID ``bilevel-complexity``; from the shell: ``pyoptheory reproduce bilevel-complexity --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("bilevel-complexity")
frame = figure.compute(quick=True)
print(frame[frame.kind == "target"].groupby("setting").exponent.first())
fig = figure.draw(frame)
