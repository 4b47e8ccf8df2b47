"""
Gradient descent: the tight bound L||x0 - x*||^2/(4NL step + 2), attained and not.
==================================================================================

Reproduces the picture behind Drori & Teboulle (2014, Thm 3.1) and Taylor,
Hendrickx & Glineur (2017, Fig. 1 style): f(x_N) - f* against N for gradient
descent with step 1/L on the Huber worst case (one instance per horizon; the
bound is attained) and on a random quadratic (the bound is loose), with the
bound drawn (catalogue 1.6 and P7).

Figure ID ``gd-tightness``; from the shell: ``pyoptheory reproduce gd-tightness --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("gd-tightness")
frame = figure.compute(quick=True)
print(frame.head())
fig = figure.draw(frame)
