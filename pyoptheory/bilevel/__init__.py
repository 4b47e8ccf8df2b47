"""Bilevel optimization by penalty methods (Kwon, Kwon, Wright & Nowak, ICLR 2024) with the exact penalty
landscape on problems where it is known: :mod:`pyoptheory.bilevel.problems` (the closed-form quadratic, the
V-PBGD toy, ridge hyperparameters, a set-valued lower level) and the methods ``penalty``,
``penalty_single_loop`` and ``implicit`` (:mod:`pyoptheory.bilevel.methods`), run through ``pyoptheory.solve``.
"""
from .problems import (BilevelProblem, FunctionBilevel, HyperCleaning, MultiBlockRidge, QuadraticBilevel,
                       RidgeHyperparameter, SetValuedBilevel, ToyBilevel, from_functions, hyper_cleaning,
                       multi_block_ridge, quadratic, ridge)

__all__ = ["BilevelProblem", "QuadraticBilevel", "RidgeHyperparameter", "SetValuedBilevel", "ToyBilevel", "quadratic",
           "ridge", "FunctionBilevel", "from_functions", "HyperCleaning", "hyper_cleaning",
           "MultiBlockRidge", "multi_block_ridge"]
