"""
Tree blocks with exact message-passing updates.
===============================================

Nutini, Laradji & Schmidt (JMLR 2022), Figure 6: on label propagation (a lattice, two moons), blocks
that induce forests in the graph are minimised exactly by Gaussian elimination from the leaves to the
roots (belief propagation is exact on trees) at O(block size) cost, so huge blocks are affordable:
red-black and greedy forest partitions against single coordinates and small blocks.

Figure ID ``bcd-message-passing``; from the shell: ``pyoptheory reproduce bcd-message-passing --quick``.
"""
from pyoptheory.experiments.figures import get_figure

figure = get_figure("bcd-message-passing")
frame = figure.compute(quick=True)
print(frame.groupby(["problem", "config"]).gap.last())
fig = figure.draw(frame)
