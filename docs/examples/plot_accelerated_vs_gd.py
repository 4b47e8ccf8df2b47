"""
Gradient descent, heavy ball and Nesterov's method on quadratics and on Nesterov's chain.
=========================================================================================

Reproduces the classical comparison (Nesterov, Introductory Lectures 2004, section 2.2;
Lessard, Recht & Packard 2016, Fig. 1): f(x_k) - f* against k for GD (step 1/L), heavy ball
(quadratic-optimal tuning) and AGD (lambda sequence) on quadratics with kappa = 1e2 and 1e4,
and on the chain f_p (p = 2K+1), each with its bound: GD L D0^2/(4k+2), AGD L D0^2/(2 lambda_k^2),
heavy ball (L/2)(2k+1)^2 rho^(2k) D0^2; on the chain also the Krylov lower bound
f_k* - f_p* = (L/8)(1/(k+1) - 1/(p+1)) that every method in the span obeys.

Figure ID ``accelerated-vs-gd``; from the shell: ``pyoptheory reproduce accelerated-vs-gd --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("accelerated-vs-gd")
frame = figure.compute(quick=True)
print(frame.head())
fig = figure.draw(frame)
