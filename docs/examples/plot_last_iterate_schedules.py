"""
Last iterate on the Harvey et al. lower-bound instance: c/sqrt(t) against linear decay.
=======================================================================================

Reproduces the comparison behind Harvey, Liaw, Plan & Randhawa (COLT 2019) and Defazio,
Cutkosky, Mehta & Mishchenko ("When, Why and How Much?", 2023): on the instance built for
horizon T, (sub)gradient descent with eta_t = 1/sqrt(t) ends at f(x_T) - f* of order
log(T)/sqrt(T), while linear decay eta_t = (2/sqrt(T))(1 - t/(T+1)) ends at order 1/sqrt(T).
Both refined last-iterate bounds (catalogue 2.1, D = ||x_1 - x*|| = 0, G the exact
Lipschitz constant) are drawn; the right panel shows sqrt(T) (f(x_T) - f*), where the log T
gap is visible as growth.

Figure ID ``last-iterate-schedules``; from the shell: ``pyoptheory reproduce last-iterate-schedules --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("last-iterate-schedules")
frame = figure.compute(quick=True)
print(frame.head())
fig = figure.draw(frame)
