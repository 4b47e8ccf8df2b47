"""
The surprising agreement: the last-iterate bound against practice for constant, cosine and WSD.
===============================================================================================

Reproduces Schaipp, Hägele, Taylor, Simsekli & Bach (2025), "The Surprising Agreement Between
Convex Optimization Theory and Learning-Rate Scheduling for Large Model Training": (left) on
their convex toy ``f(w) = max_i |x_i^T w - y_i|`` (n = 20, d = 2, ``y = X w0``, ``||w0|| = 5``), the final
suboptimality of full-batch subgradient descent after T = 400 steps against the base step, next
to the refined bound Omega_T (catalogue 2.1 with ``G = max_i ||x_i||``, ``D = ||w0||``), for constant,
cosine and WSD (20% cooldown) schedules; (right) the bound Omega_t against t for WSD and cosine
at their optimal base steps, horizons T in {200, ..., 600}, G = D = 1 (their Fig. 1, right).

Figure ID ``schedule-bound-vs-practice``; from the shell: ``pyoptheory reproduce schedule-bound-vs-practice --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("schedule-bound-vs-practice")
frame = figure.compute(quick=True)
print(frame.head())
fig = figure.draw(frame)
