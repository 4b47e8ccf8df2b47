r"""Environments of the stochastically extended adversarial (SEA) model (catalogue first-order.md 4.1, 4.4).

Round ``t = 1, 2, ...``: the learner plays ``x_t`` in the ball ``||x|| <= R`` (diameter ``D = 2R``), nature
reveals ``f_t(x) = <y_t, x>`` (``loss="linear"``) or ``f_t(x) = ||x - y_t||^2 / 2`` (``loss="quadratic"``) with
``y_t = c_t + xi_t``: a mean path ``c_t`` (the adversarial part) plus bounded noise
``xi_t = s zeta_t / sqrt(d)``, ``zeta_t`` Rademacher, so ``||xi_t|| = s`` exactly.  The expected function is
``F_t(x) = <c_t, x>`` (linear) or ``||x - c_t||^2 / 2 + s^2/2`` (quadratic), and the SEA quantities are exact:

* ``sigma_t^2 = sup_x E||grad f_t(x) - grad F_t(x)||^2 = s^2``, so ``sigma^2_{1:T} = T s^2``;
* ``Sigma^2_{1:T} = sum_{t<=T} sup_x ||grad F_t(x) - grad F_{t-1}(x)||^2 = sum_t ||c_t - c_{t-1}||^2`` with
  ``c_0 = 0`` (the first term is ``||c_1||^2``);
* ``G = max_t ||c_t|| + s`` (linear) or ``R + max_t ||c_t|| + s`` (quadratic); ``L = 0`` or ``1``.

Mean paths (``regime``): ``"stochastic"`` and ``"fixed"`` (``c_t = c``; ``"fixed"`` has no noise),
``"switching"`` (``c_t = +c`` or ``-c``, the sign flipping every ``period`` rounds), ``"drift"``
(``c_t = ||c|| (cos omega t, sin omega t, 0, ...)``).  The noise comes from the counter-based Philox stream
(:mod:`pyoptheory.random_stream`, counter ``(block, t, 0, tag)``, keyed by the run's ``seed``): the
environment is infinite and oblivious (it does not look at the plays), each seed is an independent
realization, and the compiled kernel draws the same ``xi_t``.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar, choose
from .. import random_stream as rs
from ..problems.base import Constants, Problem

LOSSES = {"linear": 0, "quadratic": 1}
REGIMES = {"stochastic": 0, "fixed": 0, "switching": 1, "drift": 2}
#: Purpose tag of the environment's noise in the Philox counter.
STREAM_ENV = 2


def rademacher(seed, t, d):
    """``zeta_t`` in ``{-1, 1}^d``: bit ``j`` of Philox block ``j // 128`` at counter ``(block, t, 0, STREAM_ENV)``."""
    blocks = (d + 127) // 128
    ctr = np.zeros((blocks, 4), dtype=np.uint32)
    ctr[:, 0] = np.arange(blocks)
    ctr[:, 1] = t
    ctr[:, 3] = STREAM_ENV
    words = rs.philox4x32(ctr, seed).reshape(-1)  # 4 words of 32 bits per block
    j = np.arange(d)
    bits = (words[j // 32] >> (j % 32).astype(np.uint32)) & 1
    return 2.0 * bits - 1.0


class SEAEnvironment(Problem):
    """An SEA environment on a Euclidean ball (see the module docstring).

    As a problem, ``f(x) = (1/T) sum_{t<=T} F_t(x)`` over the default horizon ``T`` is the average
    expected loss (what a fixed play would pay), with its minimum in closed form.
    """

    def __init__(self, dim, *, loss="linear", regime="stochastic", mean=None, noise=0.0, period=10, omega=0.1,
                 radius=1.0, horizon=1000, name=None):
        dim = as_int(dim, "dim", minimum=1)
        self.loss = choose(loss, "loss", tuple(LOSSES))
        self.regime = choose(regime, "regime", tuple(REGIMES))
        mean = np.full(dim, 1.0 / np.sqrt(dim)) if mean is None else as_float_array(mean, "mean", shape=(dim,))
        self.mean = mean
        self.noise = 0.0 if self.regime == "fixed" else as_scalar(noise, "noise", nonnegative=True)
        self.period = as_int(period, "period", minimum=1)
        self.omega = as_scalar(omega, "omega")
        self.radius = as_scalar(radius, "radius", positive=True)
        self.horizon = as_int(horizon, "horizon", minimum=1)
        if self.regime == "drift" and dim < 2:
            raise ValueError("dim: the drift regime turns the mean in a plane: dim >= 2")
        super().__init__(dim, kind="online", name=name or f"sea_{self.loss}_{self.regime}", x0=np.zeros(dim))

    # --- the sequence ---------------------------------------------------------------------------------
    def mean_at(self, t):
        """``c_t`` for rounds ``t`` (an int or an array of ints, 1-based): shape (d,) or (len(t), d)."""
        t = np.asarray(t)
        c = np.broadcast_to(self.mean, t.shape + (self.dim,)).copy()
        if self.regime == "switching":
            sign = np.where(((t - 1) // self.period) % 2 == 0, 1.0, -1.0)
            c *= sign[..., None] if t.ndim else sign
        elif self.regime == "drift":
            r = np.linalg.norm(self.mean)
            c[...] = 0.0
            c[..., 0] = r * np.cos(self.omega * t)
            c[..., 1] = r * np.sin(self.omega * t)
        return c

    def noise_at(self, t, seed):
        """``xi_t = s zeta_t / sqrt(d)`` (``||xi_t|| = s``) of the realization ``seed``."""
        if self.noise == 0.0:
            return np.zeros(self.dim)
        return self.noise / np.sqrt(self.dim) * rademacher(seed, int(t), self.dim)

    def target(self, t, seed):
        """``y_t = c_t + xi_t``."""
        return self.mean_at(int(t)) + self.noise_at(t, seed)

    def loss_at(self, t, x, seed):
        """``f_t(x)`` of the realization ``seed``."""
        y = self.target(t, seed)
        return float(y @ x) if self.loss == "linear" else 0.5 * float((x - y) @ (x - y))

    def grad_at(self, t, x, seed):
        """``grad f_t(x)`` of the realization ``seed``."""
        y = self.target(t, seed)
        return y.copy() if self.loss == "linear" else np.asarray(x, float) - y

    # --- exact SEA quantities ----------------------------------------------------------------------------
    def sigma2(self, T):
        """``sigma^2_{1:T} = T s^2``."""
        return float(as_int(T, "T", minimum=0) * self.noise**2)

    def Sigma2(self, T):
        """``Sigma^2_{1:T} = sum_{t<=T} ||c_t - c_{t-1}||^2``, ``c_0 = 0`` (summed exactly)."""
        T = as_int(T, "T", minimum=0)
        if T == 0:
            return 0.0
        C = self.mean_at(np.arange(1, T + 1))
        diffs = np.diff(np.vstack([np.zeros(self.dim), C]), axis=0)
        return float(np.einsum("ij,ij->", diffs, diffs))

    def _compute_constants(self):
        cmax = float(np.linalg.norm(self.mean))
        G = cmax + self.noise + (self.radius if self.loss == "quadratic" else 0.0)
        vals = {"G": G, "D": 2.0 * self.radius, "L": 0.0 if self.loss == "linear" else 1.0,
                "mu": 0.0 if self.loss == "linear" else 1.0, "dim": float(self.dim), "noise": self.noise}
        how = {"G": "exact: max_t ||c_t|| + s" + (" + R" if self.loss == "quadratic" else ""), "D": "exact: 2 R",
               "L": "exact", "mu": "exact", "dim": "exact", "noise": "exact: ||xi_t|| = s"}
        return Constants(vals, how)

    # --- as a problem: the average expected loss over the default horizon ---------------------------------
    def _mean_path(self):
        return self.mean_at(np.arange(1, self.horizon + 1)).mean(axis=0)

    def project(self, x):
        x = np.asarray(x, dtype=float)
        n = np.linalg.norm(x)
        return x if n <= self.radius else x * (self.radius / n)

    def f(self, x):
        x = np.asarray(x, dtype=float)
        cbar = self._mean_path()
        if self.loss == "linear":
            return float(cbar @ x)
        C = self.mean_at(np.arange(1, self.horizon + 1))
        return float(0.5 * np.mean(np.einsum("ij,ij->i", x - C, x - C)) + 0.5 * self.noise**2)

    def feasible(self, x, tol=1e-9):
        return bool(np.linalg.norm(x) <= self.radius * (1 + tol) + tol)

    def _solve(self):
        cbar = self._mean_path()
        if self.loss == "linear":
            n = np.linalg.norm(cbar)
            x = -self.radius * cbar / n if n > 0 else np.zeros(self.dim)
        else:
            x = self.project(cbar)
        return x, self.f(x)

    def kernel_spec(self):
        """Arguments of the C++ round loop: ``(loss, regime, mean, noise, period, omega, radius)``."""
        return (LOSSES[self.loss], REGIMES[self.regime], np.ascontiguousarray(self.mean), self.noise, self.period,
                self.omega, self.radius)


def sea(dim, loss="linear", regime="stochastic", mean=None, noise=0.0, period=10, omega=0.1, radius=1.0,
        horizon=1000):
    """An SEA environment: linear or quadratic losses on the ball of ``radius``, a mean path (``regime``)
    and bounded noise of norm ``noise`` (each run's ``seed`` draws its own noise); see
    :mod:`pyoptheory.online.environments`."""
    return SEAEnvironment(dim, loss=loss, regime=regime, mean=mean, noise=noise, period=period, omega=omega,
                          radius=radius, horizon=horizon)
