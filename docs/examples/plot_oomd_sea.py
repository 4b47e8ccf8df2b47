"""
Optimistic OMD between stochastic and adversarial online learning.
====================================================================

Chen, Zhang, Tu, Zhao & Zhang (ICML 2023): the regret of optimistic online mirror descent with the last
gradient as hint scales like sqrt(sigma^2_{1:T}) + sqrt(Sigma^2_{1:T}).  Left: pseudo-regret against T for
OOMD, OGD and optimistic FTRL on stochastic, alternating, intermediate and fixed sequences (linear losses on
the unit ball); right: OOMD at fixed T against the noise level and the amplitude of an alternating mean,
with the fit a sqrt(sigma^2) + b sqrt(Sigma^2).

Figure ID ``oomd-sea``; from the shell: ``pyoptheory reproduce oomd-sea --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("oomd-sea")
frame = figure.compute(quick=True)
print(frame[["fit_a", "fit_b", "fit_residual"]].dropna().iloc[0])
fig = figure.draw(frame)
