"""
Isotropic against anisotropic CBO in growing dimension.
========================================================

Fornasier, Klock & Riedl, "Convergence of anisotropic consensus-based optimization in mean-field law"
(EvoApplications 2022), Figure 1(b): V(t)/V(0) on Riedl's Rastrigin for d in {4, 8, 12, 16},
sigma = 0.32.  The isotropic rate 2 lambda - d sigma^2 falls linearly in d; the anisotropic rate
2 lambda - sigma^2 does not depend on d.

Figure ID ``cbo-anisotropic-dimension``; from the shell:
``pyoptheory reproduce cbo-anisotropic-dimension --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("cbo-anisotropic-dimension")
frame = figure.compute(quick=True)
print(frame.groupby(["noise", "dim"]).V_ratio.last())
fig = figure.draw(frame)
