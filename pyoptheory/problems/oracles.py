r"""Stochastic oracles with exactly known constants (catalogue 0.1, 0.3 P2 and P8).

A stochastic problem wraps a problem and replaces its gradient, inside stochastic
methods, by a random estimate:

- :func:`finite_sum`: ``g = (1/b) sum_{j<b} grad f_{i_j}(x)``, indices uniform, with or
  without replacement (``f = (1/n) sum_i f_i``; linear-model problems with a sum);
- :func:`additive_noise`: ``g = grad f(x) + xi``, ``xi ~ N(0, noise_std^2 I)`` or ``N(0, cov)``;
- :func:`bounded_noise`: ``g = grad f(x) + xi`` with ``||xi|| = radius`` almost surely,
  uniform on the sphere or Rademacher ``radius/sqrt(d) * (+-1)``, for theorems that need
  ``||g|| <= G`` almost surely.

The randomness is drawn in Python from ``numpy.random.default_rng(seed)`` in chunks
(:meth:`StochasticProblem.draw`) and handed to every backend, so the NumPy reference and
the compiled kernels replay the identical stream.

Constants (``problem.constants``), each derived exactly from the data:
``L_max``; ``sigma2_star`` = E||g(x*) - grad f(x*)||^2 (the variance at the optimum,
sigma* of catalogue 1.3, sigma_F* of 1.5); ``sigma2`` = sup_x E||g - grad f||^2 (noise
oracles); ``B2`` = sup E||g||^2 over the domain (needs a Lipschitz base or a bounded set);
``G_as`` = an almost-sure bound on ||g||; ``rho`` = the strong-growth constant
sup E||g||^2/||grad f||^2 (interpolating least squares: lambda_max(H^-1 M H^-1), catalogue
0.3 P2, with its minibatch formula).  A constant an oracle cannot provide raises an error
that says why.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar, choose
from .base import Constants, Problem
from .linear import SQUARED, SUM, LinearModel, loss_deriv

NOISE_KINDS = ("gaussian", "sphere", "rademacher")


class StochasticProblem(Problem):
    """A problem together with a stochastic gradient oracle (see the module docstring).

    ``x_star``, ``f_star`` and ``f_star_accuracy`` are the wrapped problem's: same route, same accuracy."""

    def __init__(self, base, *, batch_size=None, replace=True, noise=None, noise_std=None, cov=None, radius=None):
        if not isinstance(base, Problem) or isinstance(base, StochasticProblem):
            raise TypeError("problem: expected a deterministic pyoptheory problem to wrap")
        super().__init__(base.dim, kind=base.kind, name=base.name, regularizer=base.regularizer)
        self.base = base
        self.batch_size = None
        self.replace = bool(replace)
        if batch_size is not None:
            if not (isinstance(base, LinearModel) and base.reduce == SUM):
                raise ValueError("batch_size: minibatch oracles need a finite sum (a linear-model problem with a sum)")
            self.batch_size = as_int(batch_size, "batch_size", minimum=1)
            if self.batch_size > base.n:
                raise ValueError(f"batch_size: must lie in [1, n={base.n}], got {self.batch_size}")
        self.noise = None if noise is None else choose(noise, "noise", NOISE_KINDS)
        self.noise_factor = None  # xi = noise_factor @ standard normal (gaussian)
        self.radius = None
        if self.noise == "gaussian":
            if (noise_std is None) == (cov is None):
                raise ValueError("noise_std, cov: give exactly one for Gaussian noise")
            if cov is not None:
                cov = as_float_array(cov, "cov", shape=(self.dim, self.dim))
                if not np.allclose(cov, cov.T, rtol=0, atol=1e-12 * max(1.0, np.abs(cov).max())):
                    raise ValueError("cov: must be symmetric")
                evals = np.linalg.eigvalsh(cov)
                if evals[0] < -1e-12 * max(1.0, evals[-1]):
                    raise ValueError("cov: must be positive semidefinite")
                w, V = np.linalg.eigh(cov)
                self.noise_factor = V * np.sqrt(np.clip(w, 0, None))
                self.noise_trace = float(np.trace(cov))
            else:
                noise_std = as_scalar(noise_std, "noise_std", nonnegative=True)
                self.noise_factor = noise_std
                self.noise_trace = self.dim * noise_std * noise_std
                if not np.isfinite(self.noise_trace):
                    raise ValueError(f"noise_std: too large, the noise variance d noise_std^2 overflows ({noise_std})")
        elif self.noise is not None:
            self.radius = as_scalar(radius, "radius", nonnegative=True)
            self.noise_trace = self.radius * self.radius
            if not np.isfinite(self.noise_trace):
                raise ValueError(f"radius: too large, radius^2 overflows ({radius})")
        if self.batch_size is None and self.noise is None:
            raise ValueError("problem: give batch_size (finite-sum oracle) or noise (additive-noise oracle)")

    # --- the deterministic part is the base problem's -----------------------------------
    def f(self, x):
        return self.base.f(x)

    def grad(self, x):
        return self.base.grad(x)

    @property
    def spec(self):
        return self.base.spec

    @property
    def x0(self):
        return self.base.x0

    def _ensure_optimum(self):
        self._x_star, self._f_star = self.base.x_star, self.base.f_star
        self._f_star_accuracy = self.base.f_star_accuracy

    def known_optimum(self):
        return self.base.known_optimum()

    @property
    def optimum_is_cheap(self):
        return self.base.optimum_is_cheap

    @property
    def n(self):
        return getattr(self.base, "n", 1)

    # --- the oracle ------------------------------------------------------------------------
    def sample_grad(self, ids, x):
        """(1/b) sum_j grad f_{ids_j}(x): the NumPy reference of the compiled minibatch gradient."""
        base = self.base
        rows = base.A[ids]
        z = rows @ x
        u = base.n * base.weight * loss_deriv(base.loss, z, base.b[ids], base.loss_param) / len(ids)
        return np.asarray(rows.T @ u, dtype=float).ravel() + base.l2 * x

    def draw(self, rng, m):
        """Randomness of ``m`` steps: sample indices (m, b) and noise (m, d); empty arrays when unused."""
        if self.batch_size is None:
            idx = np.zeros((0, 1), dtype=np.int64)
        elif self.replace:
            idx = rng.integers(0, self.base.n, size=(m, self.batch_size), dtype=np.int64)
        else:
            idx = np.array([rng.choice(self.base.n, self.batch_size, replace=False) for _ in range(m)],
                           dtype=np.int64).reshape(m, self.batch_size)
        d = self.dim
        if self.noise is None or self.noise_trace == 0.0:  # zero noise draws nothing
            noise = np.zeros((0, d))
        elif self.noise == "gaussian":
            xi = rng.standard_normal((m, d))
            noise = xi * self.noise_factor if np.isscalar(self.noise_factor) else xi @ self.noise_factor.T
        elif self.noise == "sphere":
            xi = rng.standard_normal((m, d))
            nrm = np.linalg.norm(xi, axis=1, keepdims=True)
            noise = self.radius * xi / np.where(nrm > 0, nrm, 1.0)
        else:
            noise = (self.radius / np.sqrt(d)) * (2.0 * rng.integers(0, 2, size=(m, d)) - 1.0)
        return idx, np.ascontiguousarray(noise, dtype=np.float64)

    def draws_per_step(self):
        return (self.batch_size or 0) + (self.dim if self.noise and self.noise_trace > 0 else 0)

    # --- constants ---------------------------------------------------------------------------
    def _compute_constants(self):
        base = self.base
        vals, how = dict(base.constants), dict(base.constants.how)
        missing = {}
        noise_var = self.noise_trace if self.noise else 0.0
        if self.batch_size is not None:
            b, n = self.batch_size, base.n
            shrink = 1.0 / b if self.replace else (n - b) / (b * (n - 1)) if n > 1 else 0.0
            xs = self.x_star
            if xs is not None:
                z = base.A @ xs
                u = n * base.weight * loss_deriv(base.loss, z, base.b, base.loss_param)
                G_i = (base.A.multiply(u[:, None]) if hasattr(base.A, "multiply") else base.A * u[:, None])
                G_i = np.asarray(G_i.toarray() if hasattr(G_i, "toarray") else G_i) + base.l2 * xs
                mean = G_i.mean(axis=0)
                sigma1 = float(np.mean(np.sum((G_i - mean) ** 2, axis=1)))
                vals["sigma2_star"] = shrink * sigma1 + noise_var
                how["sigma2_star"] = ("exact: " + ("1/b" if self.replace else "(n-b)/(b(n-1))")
                                      + " * mean_i ||grad f_i(x*) - grad f(x*)||^2" + (" + tr(cov)" if noise_var else ""))
            rho = self._strong_growth(shrink)
            if isinstance(rho, str):
                missing["rho"] = rho
            else:
                vals["rho"], how["rho"] = rho
            if "G" in vals:
                norms = np.sqrt(base._row_norms_sq())
                lip = np.abs(base.b) if base.loss == 2 else np.ones(n)
                reg = base.regularizer
                R = reg.radius if reg is not None else np.inf
                per = n * base.weight * lip * norms + (base.l2 * R if base.l2 else 0.0)
                vals["B2"] = float(np.mean(per**2)) + noise_var
                how["B2"] = "upper bound: mean_i sup ||grad f_i||^2 (+ tr(cov))"
                vals["G_as"] = float(np.max(per)) + (self.radius if self.noise in ("sphere", "rademacher") else 0.0)
                how["G_as"] = "almost-sure bound: max_i sup ||grad f_i|| (+ noise radius)"
        else:
            vals["sigma2_star"] = noise_var
            how["sigma2_star"] = "exact: tr(cov) of the additive noise"
            missing["rho"] = "strong growth needs noise that vanishes at the optimum; additive noise does not"
        if self.noise:
            vals["sigma2"] = noise_var
            how["sigma2"] = "exact: E||xi||^2 = " + ("tr(cov)" if self.noise == "gaussian" else "radius^2")
            if self.batch_size is None and "G" in vals:
                vals["B2"] = vals["G"] ** 2 + noise_var
                how["B2"] = "G^2 + E||xi||^2 (E xi = 0)"
                if self.noise in ("sphere", "rademacher"):
                    vals["G_as"] = vals["G"] + self.radius
                    how["G_as"] = "G + radius (||xi|| = radius almost surely)"
                else:
                    missing["G_as"] = "Gaussian noise is unbounded; use noise='sphere' or 'rademacher'"
        if "B2" not in vals:
            missing["B2"] = ("the second moment of the oracle is unbounded on an unbounded domain for this "
                             "smooth problem; use a Lipschitz problem or a bounded constraint set")
        if "sigma2" not in vals:
            missing["sigma2"] = ("the variance of a finite-sum oracle is not bounded uniformly; use sigma2_star "
                                 "(the variance at the optimum)")
        return Constants(vals, how, unavailable=missing)

    def _strong_growth(self, shrink):
        base = self.base
        if base.loss != SQUARED or base.l2 != 0 or base.regularizer is not None:
            return "strong growth is computed for unregularized least squares only"
        if self.noise:
            return "strong growth fails under additive noise"
        A = base.A.toarray() if hasattr(base.A, "toarray") else base.A
        r = A @ self.x_star - base.b
        if np.max(np.abs(r)) > 1e-9 * max(1.0, np.max(np.abs(base.b))):
            return f"strong growth needs interpolation (b = A xbar); the residual at x* is {np.max(np.abs(r)):.2e}"
        n, w = base.n, base.weight
        H = w * A.T @ A
        if np.linalg.matrix_rank(H) < base.dim:
            return "strong growth with a finite constant needs A^T A invertible (n >= d, full rank)"
        M = (n * w) ** 2 * (A.T * np.sum(A**2, axis=1)) @ A / n
        Hi = np.linalg.inv(H)
        rho1 = float(np.linalg.eigvalsh(Hi @ M @ Hi)[-1])
        rho_b = 1.0 + shrink * (rho1 - 1.0)  # E||g_B||^2 = ||grad||^2 + shrink (E||g_i||^2 - ||grad||^2)
        text = "exact: lambda_max(H^-1 M H^-1) = {:.6g}, minibatch 1 + ({}) (rho - 1)".format(
            rho1, "1/b" if self.replace else "(n-b)/(b(n-1))")
        return rho_b, text


def finite_sum(problem, batch_size=1, replace=True):
    """Minibatch gradients ``(1/b) sum_j grad f_{i_j}`` of a finite sum, with or without replacement.

    ``x*``, ``f*`` and ``p.f_star_accuracy`` are those of ``problem`` (same route, same accuracy)."""
    return StochasticProblem(problem, batch_size=batch_size, replace=replace)


def additive_noise(problem, noise_std=None, cov=None, batch_size=None):
    """``g = grad f(x) + xi``, ``xi ~ N(0, noise_std^2 I)`` or ``N(0, cov)`` (on a minibatch gradient if given).

    ``x*``, ``f*`` and ``p.f_star_accuracy`` are those of ``problem`` (same route, same accuracy)."""
    return StochasticProblem(problem, noise="gaussian", noise_std=noise_std, cov=cov, batch_size=batch_size)


def bounded_noise(problem, radius, kind="sphere"):
    """``g = grad f(x) + xi`` with ``||xi|| = radius`` a.s.: uniform on the sphere or Rademacher.

    ``x*``, ``f*`` and ``p.f_star_accuracy`` are those of ``problem`` (same route, same accuracy)."""
    if kind not in ("sphere", "rademacher"):
        raise ValueError(f"kind: unknown bounded noise {kind!r}; valid: rademacher, sphere")
    return StochasticProblem(problem, noise=kind, radius=radius)


def anisotropic_noise(problem, sigma, batch_size=1):
    """``g = grad f(x) + xi``, ``xi ~ N(0, sigma^2 H / M)`` with H the Hessian of a quadratic
    (least squares) problem and M the batch size: the exact noise model of Pan et al. (2024),
    catalogue 3.6 (noise covariance proportional to H, shrinking as 1/M).

    ``x*``, ``f*`` and ``p.f_star_accuracy`` are those of the least-squares ``problem`` (same route, same accuracy)."""
    from .linear import LinearModel

    if not (isinstance(problem, LinearModel) and problem.loss == SQUARED and problem.reduce == SUM):
        raise ValueError("problem: anisotropic noise needs a quadratic (least-squares) problem")
    sigma = as_scalar(sigma, "sigma", nonnegative=True)
    M = as_int(batch_size, "batch_size", minimum=1)
    A = problem.A.toarray() if hasattr(problem.A, "toarray") else problem.A
    H = problem.weight * A.T @ A + problem.l2 * np.eye(problem.dim)
    return StochasticProblem(problem, noise="gaussian", cov=sigma**2 * H / M)
