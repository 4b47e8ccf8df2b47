"""The per-iteration parameters of a bilevel run (penalty, steps, momentum, batch sizes), a window at a time.

Each parameter may be a number, an array with one entry per iteration, or a callable ``k -> value``.  A run
asks for the values of the iterations of one chunk (``window(k0, k1)``), so its memory does not grow with
``steps``; numbers and arrays are checked before the run, a callable on each window it produces, always with
an error naming the argument.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .._validation import as_float_array, as_scalar
from ..methods._sequences import StepSequence


class PerIteration:
    """One parameter: a number, an array of length ``steps`` or a callable ``k -> value``, checked positive
    (and at most ``upper`` when given; ``integer`` for batch sizes)."""

    def __init__(self, value, name, steps, *, upper=None, upper_text="", integer=False):
        self.name, self.upper, self.upper_text, self.integer = name, upper, upper_text, integer
        self.is_callable = callable(value)
        if self.is_callable:  # checked on each window it produces
            self.seq = StepSequence.from_rule(lambda k0, k1: [float(value(k)) for k in range(k0, k1)], steps,
                                              peak=np.inf)
        elif np.ndim(value) == 0:
            self.seq = StepSequence.constant(self._check(np.array([as_scalar(value, name, positive=True)]))[0], steps)
        else:
            self.seq = StepSequence.explicit(self._check(as_float_array(value, name, shape=(steps,))))

    def _check(self, arr):
        if np.any(~(arr > 0)):
            raise ValueError(f"{self.name}: must be positive at every iteration")
        if self.upper is not None and np.any(arr > self.upper * (1 + 1e-12)):
            raise ValueError(f"{self.name}: must {self.upper_text} at every iteration")
        if self.integer and np.any(arr != np.round(arr)):
            raise TypeError(f"{self.name}: batch sizes must be integers")
        return arr

    def window(self, k0, k1):
        """The values of iterations ``k0 .. k1-1`` (an array of length ``k1 - k0``)."""
        values = np.array(self.seq.values(k0, k1))
        return self._check(values) if self.is_callable else values


class RunSchedules:
    """Every per-iteration parameter of one bilevel run, produced and checked a window at a time.

    ``sigma_k = max(penalty, penalty_start decay^k)`` (constant without ``penalty_start``; 0 for ``implicit``);
    ``alpha`` (``step_x``; default ``1/L(psi_sigma_k)``, one constant per distinct ``sigma``), ``beta_y``
    (``step_y``; default ``1/(l_g + sigma_k l_f)``, at most that when given), ``beta_z`` (``step_z``; default and
    at most ``1/l_g``; a schedule for the single-loop method only), ``momentum`` (in (0, 1]) and ``batch``
    (positive integers, or 0: exact oracles).
    """

    def __init__(self, p, method, steps, *, penalty, penalty_start, penalty_decay, step_x, step_y, step_z,
                 momentum, batch):
        c = p.constants
        self.p, self.method, self.steps = p, method, steps
        self.l_f, self.l_g = c["l_f"], c["l_g"]
        if method == "implicit":
            self.penalty, self.start, self.decay = 0.0, None, 1.0
        else:
            self.penalty = as_scalar(penalty, "penalty", positive=True)
            self.start = None
            if penalty_start is not None:
                self.start = as_scalar(penalty_start, "penalty_start", positive=True)
                self.decay = as_scalar(penalty_decay, "penalty_decay", positive=True, upper=1.0)
                if self.start < self.penalty:
                    raise ValueError(f"penalty_start: must be >= penalty = {self.penalty:g}, got {self.start:g}")
        self.local = step_y is None and step_z is None  # inner steps from l_g at the current x
        self.beta_z = PerIteration(1.0 / self.l_g if step_z is None else step_z, "step_z", steps,
                                   upper=1.0 / self.l_g, upper_text=f"be <= 1/l_g = {1 / self.l_g:.6g} (the lower-level"
                                                                     " step of the schedule)")
        if method != "penalty_single_loop" and not self._fixed(self.beta_z):
            raise ValueError("step_z: a schedule of lower-level steps is taken by the single-loop method only")
        self.beta_z0 = float(self.beta_z.window(0, 1)[0]) if steps else 1.0 / self.l_g
        self.step_y = None if step_y is None else PerIteration(step_y, "step_y", steps)
        if step_x is None and not hasattr(p, "L_psi_sigma"):
            raise ValueError(f"step_x: {p.name!r} has no smoothness constant for psi_sigma; give step_x")
        self.step_x = None if step_x is None else PerIteration(step_x, "step_x", steps)
        self._alpha_of_sigma = {}
        self.momentum = PerIteration(momentum, "momentum", steps, upper=1.0, upper_text="lie in (0, 1]")
        self.batch = None
        if batch is not None and method != "implicit":
            if p.n_samples is None and getattr(p, "noise", 0.0) == 0.0:
                raise ValueError(f"batch: {p.name!r} has no stochastic oracle (no finite sum, no noise model)")
            self.batch = PerIteration(batch, "batch", steps, integer=True)
        if steps:  # the first window is checked before the run (the arrays and numbers are checked in full)
            self.window(0, 1)
            explicit = self.step_y is not None and not self.step_y.is_callable and not self.step_y.seq.is_constant
            if explicit:  # an array of step_y: checked against every sigma_k before the run
                for a in range(0, steps, 1 << 16):
                    self.window(a, min(a + (1 << 16), steps))

    def _fixed(self, param):
        if param.is_callable:
            return not self.steps  # a callable schedule of lower-level steps
        return not self.steps or param.seq.is_constant or np.ptp(param.seq.values(0, self.steps)) == 0

    def sigma(self, k0, k1):
        if self.method == "implicit":
            return np.zeros(k1 - k0)
        if self.start is None:
            return np.full(k1 - k0, self.penalty)
        return np.maximum(self.penalty, self.start * self.decay ** np.arange(k0, k1))

    def _alpha(self, sigma):
        """``1/L(psi_sigma)``, computed once per distinct ``sigma`` (a continuation has few of them)."""
        values, inverse = np.unique(sigma, return_inverse=True)
        for s in values:
            if s not in self._alpha_of_sigma:
                self._alpha_of_sigma[s] = 1.0 / self.p.L_psi_sigma(s)
        return np.array([self._alpha_of_sigma[s] for s in values])[inverse]

    def window(self, k0, k1):
        """The parameters of iterations ``k0 .. k1-1``: ``sigma, alpha, beta_y, beta_z, momentum, batch``
        (contiguous arrays; ``batch`` 0 where the oracles are exact)."""
        sigma = self.sigma(k0, k1)
        if self.step_y is None:
            beta_y = 1.0 / (self.l_g + sigma * self.l_f) if self.method != "implicit" else np.zeros(k1 - k0)
        else:
            beta_y = self.step_y.window(k0, k1)
            if np.any(beta_y > 1.0 / (self.l_g + sigma * self.l_f) * (1 + 1e-12)):
                raise ValueError("step_y: must be <= 1/(l_g + sigma l_f), the smoothness of sigma f + g in y")
        alpha = self._alpha(sigma) if self.step_x is None else self.step_x.window(k0, k1)
        beta_z = self.beta_z.window(k0, k1)
        if self.method != "penalty_single_loop" and np.any(beta_z != self.beta_z0):
            raise ValueError("step_z: a schedule of lower-level steps is taken by the single-loop method only")
        batch = np.zeros(k1 - k0, dtype=np.int64) if self.batch is None else self.batch.window(k0, k1).astype(np.int64)
        return SimpleNamespace(**{name: np.ascontiguousarray(v) for name, v in (
            ("sigma", sigma), ("alpha", alpha), ("beta_y", beta_y), ("beta_z", beta_z),
            ("momentum", self.momentum.window(k0, k1)), ("batch", batch))})

    def at(self, k):
        """The parameters of iteration ``k`` (the last iteration's once the run has ended), as scalars."""
        if not self.steps:
            return SimpleNamespace(sigma=self.penalty, alpha=1.0, beta_y=1.0 / (self.l_g + self.penalty * self.l_f))
        k = min(k, self.steps - 1)
        w = self.window(k, k + 1)
        return SimpleNamespace(**{name: v[0] for name, v in vars(w).items()})
