"""Coordinate descent: the cost of greedy selection on a sparse graph (issue target: one epoch of GS with
the tree (selection="tree") costs no more than 3x an epoch of cyclic), label propagation on a side x side lattice
(10^5 nodes by default).  Prints times and ratios; asserts nothing.

    python benchmarks/bench_bcd.py [--side 317] [--epochs 3]
"""
import argparse

import numpy as np

import pyoptheory as po
from pyoptheory import problems as P


def lattice(side, seed=0):
    rng = np.random.default_rng(seed)
    n = side * side
    W = P.lattice_graph(side, seed=seed)
    labeled = rng.random(n) < 0.01
    return P.label_propagation(W, np.sign(rng.standard_normal(n)), labeled)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=317)
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    p = lattice(args.side)
    d = p.dim
    steps = args.epochs * d
    print(f"label propagation on a {args.side} x {args.side} lattice: d = {d} unknowns, {steps} steps "
          f"({args.epochs} epochs); kernel time per epoch (recording excluded)")
    times = {}
    for rule, selection in (("cyclic", "auto"), ("uniform", "auto"), ("gs", "tree"), ("gsl", "tree"),
                            ("gs_q", "tree")):
        res = po.solve(p, "bcd", rule=rule, selection=selection, steps=steps, record=2, seed=0)
        times[rule] = res.trace["time"][-1] / args.epochs
        print(f"  {rule:<8} ({selection:<4}) {times[rule] * 1e3:9.2f} ms/epoch   gap {res.fun - p.f_star:.3e}"
              f"   {times[rule] / times['cyclic']:5.2f}x cyclic")
    small = po.solve(p, "bcd", rule="gs", selection="scan", steps=200, record=2)
    scan = small.trace["time"][-1] / 200 * d
    print(f"  gs (scan: O(d) per step, extrapolated from 200 steps) {scan * 1e3:9.1f} ms/epoch "
          f"= {scan / times['gs']:.0f}x the tree")


if __name__ == "__main__":
    main()
