"""
The penalty landscape of a bilevel problem is O(sigma) from the hyper-objective.
==================================================================================

Kwon, Kwon, Wright & Nowak (ICLR 2024): psi_sigma(x) = min_y f + (g - min g)/sigma differs from the
hyper-objective psi by O(sigma) in value and gradient.  On the closed-form quadratic both gaps are exactly
first order; on per-feature ridge hyperparameters too, from exact solutions.  The dashed lines are the bound
of the theorem ``bilevel.penalty_gap`` (derived, tight as sigma -> 0 on the quadratic).

Figure ID ``bilevel-penalty-gap``; from the shell: ``pyoptheory reproduce bilevel-penalty-gap --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("bilevel-penalty-gap")
frame = figure.compute(quick=True)
fig = figure.draw(frame)
