"""
Sinkhorn-Newton-Sparse against Sinkhorn at eta = 1200.
======================================================

Tang et al., "Accelerating Sinkhorn algorithm with sparse Newton iterations" (ICLR 2024),
Figure 1 and Table 1: the dual optimality gap f* - f(z_t) against iterations and wall time on
random assignment and on two handwritten digits (scikit-learn's ``load_digits``, upsampled) with
W2 and W1 costs.  SNS: a short Sinkhorn warm start, then Newton steps on the dual with the
Hessian sparsified to its diagonal and the largest entries of the plan.  There is no rate theorem
for SNS: these are the paper's empirical claims, measured.

Figure ID ``sns-vs-sinkhorn``; from the shell: ``pyoptheory reproduce sns-vs-sinkhorn --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("sns-vs-sinkhorn")
frame = figure.compute(quick=True)
print(figure.table(frame))
fig = figure.draw(frame)
