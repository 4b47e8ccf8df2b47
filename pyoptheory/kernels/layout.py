"""Codes and the scalar-state layout shared by every backend (mirrors cpp/include/pyoptheory/first_order.hpp)."""
(PROX_GRAD, PROX_GRAD_BACKTRACK, SUBGRADIENT, SUBGRADIENT_POLYAK, SGD, AGD, AGD_SIMPLE, AGD_SC, HEAVY_BALL,
 SHB, NONCONVEX_AG, ZO_GAUSS, ZO_CGE, ZO_ACCEL) = range(14)
(S_FX, S_BEST_F, S_WSUM, S_LK, S_GRAD_EVALS, S_FEVALS, S_FAIL_ITER, S_F_STAR, S_LAMBDA, S_FPREV, S_BETA, S_RESTART,
 S_BACKTRACK, S_RESTARTS, S_MU, S_SIZE) = range(16)
OK, NONFINITE, BACKTRACK_FAILED, CONVERGED = range(4)  # CONVERGED: a kernel's own stopping rule held
