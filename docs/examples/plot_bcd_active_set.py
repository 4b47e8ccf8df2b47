"""
Projected Newton, two-metric projection and projected gradient on greedy blocks.
================================================================================

Nutini, Laradji & Schmidt (JMLR 2022), Figure 7: an L1-regularised nonnegative least-squares problem
with greedy blocks of 5, 50 and 100 coordinates.  Once the active set is identified, projected
Newton is Newton's method on the free variables and converges superlinearly (finitely, for this
quadratic); projected gradient stays linear.

Figure ID ``bcd-active-set``; from the shell: ``pyoptheory reproduce bcd-active-set --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("bcd-active-set")
frame = figure.compute(quick=True)
print(frame.groupby(["block_size", "update"]).gap.last())
fig = figure.draw(frame)
