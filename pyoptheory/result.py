"""The one result type of every method, and its trace of checkpoints."""
from __future__ import annotations

import numpy as np

#: Trace columns and their meaning (one meaning each, everywhere).
TRACE_COLUMNS = {
    "iter": "iteration count at the checkpoint",
    "time": "seconds spent iterating, recording excluded",
    "fun": "objective value F(x_k) at the current iterate",
    "gap": "F(x_k) - F* at the current iterate",
    "gap_avg": "F(xbar_k) - F* at the averaged iterate",
    "gap_best": "min_{j<=k} F(x_j) - F* (best iterate so far)",
    "grad_norm": "norm of the gradient (gradient mapping for composite problems, subgradient otherwise)",
    "dist": "||x_k - x*||",
    "grad_norm_min": "min over iterations of the gradient-mapping norm the method's theorem bounds",
    "marginal_err": "l1 violation of the marginal constraints (optimal transport)",
    "regret": "cumulative regret against the best fixed point in hindsight (online learning)",
    "fevals": "function evaluations so far",
    "grad_evals": "gradient evaluations so far",
    "run": "run index for multi-run methods",
    "block": "the coordinate (block) selected at the last step before the checkpoint (coordinate descent)",
    "support": "number of nonzero coordinates of x_k",
    "dual_gap": "duality gap at x_k, an upper bound on F(x_k) - F* (L1 problems)",
    "passes": "column reads of the data so far divided by the number of columns",
    "t": "continuous time k * dt of a discretized dynamics (particle methods)",
    "consensus": "the consensus point v_alpha of the particles (a row of length d per checkpoint)",
    "V": "(1/2) mean_i ||x_i - x*||^2 over the particles (the Lyapunov functional of CBO)",
    "variance": "(1/2) mean_i ||x_i - mean_j x_j||^2 over the particles",
    "ess": "effective sample size (sum w)^2 / sum w^2 of the consensus weights",
    "alpha": "the consensus weight parameter alpha in use",
    "loss": "cumulative loss sum_{s<=t} f_s(x_s) of an online learner",
    "pseudo_regret": "sum_{s<=t} F_s(x_s) - min_u sum_{s<=t} F_s(u) with the expected losses F_s (online)",
    "step": "the step size used in the last iteration or round",
    "stationarity": "norm of the projected gradient mapping of the (penalty) hyper-objective at x_k (bilevel); "
                    "the problem's delta-stationarity measure at x_k (GFM: the closed-form Goldstein distance, or "
                    "||grad f_delta(x_k)||, an upper bound on it)",
    "inner_residual": "projected gradient mapping of the lower-level (and penalised) problems at y_k, z_k (bilevel)",
    "penalty": "the penalty parameter sigma_k in use (bilevel)",
    "upper_grad_evals": "upper-level gradient samples so far (bilevel; a deterministic call counts 1)",
    "lower_grad_evals": "lower-level gradient samples so far, Hessian-vector products included (bilevel)",
    "cw_decrease": "max_i [F(x_k) - min_t F(x_k + t e_i)]: zero exactly at coordinate-wise stationary points",
}


class StepSizeWarning(RuntimeWarning):
    """A step size outside what the method's default theorem allows: the run goes on, uncovered."""


class Trace:
    """Columns of NumPy arrays recorded at checkpoints.

    ``trace["gap"]`` is an array over checkpoints, ``trace.to_frame()`` a
    pandas DataFrame.  Column names are those of :data:`TRACE_COLUMNS`.
    """

    def __init__(self, columns=None):
        self._cols = {}
        for key, values in (columns or {}).items():
            self._check_name(key)
            self._cols[key] = np.asarray(values)

    @staticmethod
    def _check_name(key):
        if key not in TRACE_COLUMNS:
            raise KeyError(f"trace column {key!r} is not one of the fixed names: {', '.join(TRACE_COLUMNS)}")

    def __getitem__(self, key):
        return self._cols[key]

    def __contains__(self, key):
        return key in self._cols

    def __iter__(self):
        return iter(self._cols)

    def __len__(self):
        return len(next(iter(self._cols.values()))) if self._cols else 0

    def keys(self):
        return self._cols.keys()

    def items(self):
        return self._cols.items()

    def to_frame(self):
        """A pandas DataFrame; a column of rows (``consensus``) becomes ``consensus[0]``, ``consensus[1]``, ..."""
        import pandas as pd

        flat = {}
        for key, values in self._cols.items():
            if values.ndim == 2:
                flat.update({f"{key}[{j}]": values[:, j] for j in range(values.shape[1])})
            else:
                flat[key] = values
        return pd.DataFrame(flat)

    def __repr__(self):
        return f"Trace({len(self)} checkpoints: {', '.join(self._cols)})"


class Result(dict):
    """Outcome of a run, in the manner of ``scipy.optimize.OptimizeResult``.

    Attributes
    ----------
    x : ndarray
        The iterate the method's default theorem bounds (chosen by ``output=``).
    fun : float
        Objective value at ``x``.
    nit : int
        Iterations performed.
    success : bool
        False when the run diverged, hit ``max_time``, was stopped by the
        callback or by Ctrl-C.
    status : int
        0 finished, 1 non-finite values (divergence), 2 line search failed,
        3 ``max_time`` reached, 4 stopped by the callback, 5 interrupted.
    message : str
        What happened, with the iteration when a run stopped early.
    trace : Trace
        Checkpoint columns (see :data:`TRACE_COLUMNS`).
    backend : str
        The kernel that ran: ``numpy``, ``numba`` or ``cpp``.
    seed : int or None
    grad_evals, fevals : int
        Oracle counters kept by the kernel.
    """

    __getattr__ = dict.get

    def __setattr__(self, key, value):
        self[key] = value

    def __repr__(self):
        keys = ("fun", "nit", "success", "status", "message", "backend", "seed", "grad_evals", "fevals")
        body = "\n".join(f"{k:>10}: {self[k]!r}" for k in keys if k in self)
        return f"Result(\n{body}\n{'x':>10}: array of shape {np.shape(self.get('x'))}\n{'trace':>10}: {self.get('trace')!r}\n)"

    def __dir__(self):
        return list(self.keys())


STATUS_MESSAGES = {
    0: "finished the iteration budget",
    1: "diverged: non-finite objective or gradient",
    2: "line search failed to find an acceptable step",
    3: "stopped: max_time reached",
    4: "stopped by the callback (StopIteration)",
    5: "interrupted (KeyboardInterrupt)",
    6: "converged: tolerance reached",
}
