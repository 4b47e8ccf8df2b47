"""Codes and the scalar-state layout shared by every backend (mirrors cpp/include/pyoptheory/first_order.hpp)."""
PROX_GRAD, PROX_GRAD_BACKTRACK, SUBGRADIENT, SUBGRADIENT_POLYAK, SGD = range(5)
S_FX, S_BEST_F, S_WSUM, S_LK, S_GRAD_EVALS, S_FEVALS, S_FAIL_ITER, S_F_STAR, S_SIZE = range(9)
OK, NONFINITE, BACKTRACK_FAILED = range(3)
