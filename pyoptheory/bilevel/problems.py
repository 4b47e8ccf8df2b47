r"""Bilevel problems ``min_{x in X} psi(x) = min_{y in S(x)} f(x, y)``, ``S(x) = argmin_{y in Y} g(x, y)``
(catalogue structured.md section 3), with the penalty landscape of Kwon, Kwon, Wright & Nowak (ICLR 2024):

.. math::

    \psi_\sigma(x) = \min_{y \in Y} \Big\{ f(x, y) + \frac{g(x, y) - g^*(x)}{\sigma} \Big\},\qquad
    \nabla\psi_\sigma(x) = \nabla_x f(x, y_\sigma) + \frac{\nabla_x g(x, y_\sigma) - \nabla_x g(x, y^*)}{\sigma}

(Danskin, unique minimisers ``y_sigma`` of ``sigma f + g`` and ``y*`` of ``g``).  ``X`` and ``Y`` are boxes
(infinite bounds allowed).  Every problem gives its oracles (values and partial gradients of both levels),
and where they are known exactly the lower and penalised solutions, ``psi``, ``psi_sigma`` and their
gradients, so that the landscape and the stationarity of the iterates are measured, not estimated.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar
from ..problems.base import Constants, Problem

# kernel codes (cpp/include/pyoptheory/bilevel.hpp)
QUADRATIC, RIDGE, TOY = 0, 1, 2


def _box(lo, hi, d, name):
    lo = np.full(d, -np.inf) if lo is None else as_float_array(np.broadcast_to(lo, (d,)), f"{name}_lo", finite=False)
    hi = np.full(d, np.inf) if hi is None else as_float_array(np.broadcast_to(hi, (d,)), f"{name}_hi", finite=False)
    if np.isnan(lo).any() or np.isnan(hi).any() or np.any(lo > hi):
        raise ValueError(f"{name}_lo, {name}_hi: the box of {name} needs lo <= hi (no NaN)")
    return lo, hi


class BilevelProblem(Problem):
    """Base class: upper level ``f``, lower level ``g``, boxes ``X = [x_lo, x_hi]``, ``Y = [y_lo, y_hi]``.

    Subclasses define ``f, g`` (values), ``grad_f, grad_g`` (``(d/dx, d/dy)``), and where known
    ``lower_solution(x)``, ``penalized_solution(x, sigma)``, ``psi(x)``, ``grad_psi(x)``,
    ``psi_sigma(x, sigma)``, ``grad_psi_sigma(x, sigma)``.  ``objective(x)`` is ``psi(x)``.
    Constants: ``l_f`` and ``l_g`` (gradient Lipschitz constants in ``y``), ``mu_g`` (strong convexity
    of ``g(x, .)``, 0 when it has none).
    """

    kind = "bilevel"
    code = -1  # no compiled oracles

    def __init__(self, dim, dim_y, *, x_lo=None, x_hi=None, y_lo=None, y_hi=None, x0=None, y0=None, name):
        self.dim_y = as_int(dim_y, "dim_y", minimum=1)
        self.x_lo, self.x_hi = _box(x_lo, x_hi, dim, "x")
        self.y_lo, self.y_hi = _box(y_lo, y_hi, self.dim_y, "y")
        super().__init__(dim, kind="bilevel", name=name, x0=x0)
        self._y0 = None if y0 is None else as_float_array(y0, "y0", shape=(self.dim_y,))
        if x0 is not None and not self.feasible(self._x0):
            raise ValueError("x0: is not in the box X")

    # --- sets -------------------------------------------------------------------------------------
    def project_x(self, x):
        return np.clip(x, self.x_lo, self.x_hi)

    def project_y(self, y):
        return np.clip(y, self.y_lo, self.y_hi)

    def feasible(self, x, tol=1e-9):
        x = np.asarray(x, dtype=float)
        return bool(np.all(x >= self.x_lo - tol) and np.all(x <= self.x_hi + tol))

    @property
    def x0(self):
        return self._x0.copy() if self._x0 is not None else self.project_x(np.zeros(self.dim))

    @property
    def y0(self):
        return self._y0.copy() if self._y0 is not None else self.project_y(np.zeros(self.dim_y))

    # --- the hyper-objective ---------------------------------------------------------------------
    def objective(self, x):
        return self.psi(x)

    def f_value(self, x, y):
        raise NotImplementedError

    def psi(self, x):
        raise NotImplementedError(f"{self.name}: the hyper-objective is not known in closed form")

    def grad_psi(self, x):
        raise NotImplementedError(f"{self.name}: the hypergradient is not known in closed form")

    def psi_sigma(self, x, sigma):
        """``min_y f + (g - g*)/sigma`` from the exact penalised and lower solutions."""
        ys, yl = self.penalized_solution(x, sigma), self.lower_solution(x)
        return self.f_value(x, ys) + (self.g(x, ys) - self.g(x, yl)) / sigma

    def grad_psi_sigma(self, x, sigma):
        """Danskin's formula at the exact solutions."""
        ys, yl = self.penalized_solution(x, sigma), self.lower_solution(x)
        fx, _ = self.grad_f(x, ys)
        gx, _ = self.grad_g(x, ys)
        gx0, _ = self.grad_g(x, yl)
        return fx + (gx - gx0) / sigma

    def l_g_at(self, x):
        """The Lipschitz constant of ``grad_y g(x, .)`` at this ``x`` (default: the global ``l_g``)."""
        return self.constants["l_g"]

    def mu_g_at(self, x):
        """The strong convexity of ``g(x, .)`` at this ``x`` (default: the global ``mu_g``)."""
        return self.constants["mu_g"]

    def gradient_mapping(self, x, grad, step):
        """``(x - P_X(x - step grad)) / step``: the stationarity measure on the box ``X``."""
        return (x - self.project_x(x - step * grad)) / step

    def lower_solution(self, x):
        raise NotImplementedError(f"{self.name}: the lower-level solution is not known in closed form")

    def penalized_solution(self, x, sigma):
        raise NotImplementedError(f"{self.name}: the penalised solution is not known in closed form")

    def f(self, x):
        return self.psi(x)

    def grad(self, x):
        return self.grad_psi(x)

    def kernel_spec(self):
        """``(code, arrays, scalars)`` for the compiled oracles, or None."""
        return None

    # --- stochastic oracles and second-order products (where the problem has them) ----------------
    n_samples = None  # rows sampled per level by stochastic oracles (None: additive noise, or none)

    def sample_grad(self, level, x, y, rows=None, eps=None, batch=1):
        """A stochastic partial gradient ``(d/dx, d/dy)`` of ``f`` (level 0) or ``g`` (level 1): the mean
        over the sampled ``rows`` (finite sums), or the exact one plus ``eps * noise / sqrt(batch)`` (``eps``
        standard normal of length ``dim + dim_y``).  The default is exact (no stochastic model)."""
        return self.grad_f(x, y) if level == 0 else self.grad_g(x, y)

    def hvp_yy(self, x, y, v):
        """``grad^2_yy g(x, y) v``."""
        raise NotImplementedError(f"{self.name}: no Hessian-vector products of g")

    def jvp_xy(self, x, y, v):
        """``grad^2_xy g(x, y) v`` (a vector of length ``dim``: the derivative in x of ``grad_y g . v``)."""
        raise NotImplementedError(f"{self.name}: no mixed second derivatives of g")


class QuadraticBilevel(BilevelProblem):
    r"""``f = 1/2 ||y - b||^2 + rho/2 ||x||^2``, ``g = 1/2 ||y - B x||^2`` (catalogue 3.5.1), unconstrained.

    ``psi(x) = 1/2 ||Bx - b||^2 + rho/2 ||x||^2``, ``psi_sigma(x) = ||Bx - b||^2 / (2(1 + sigma)) + rho/2 ||x||^2``,
    so ``psi - psi_sigma = sigma ||Bx - b||^2 / (2(1 + sigma))`` and
    ``grad psi - grad psi_sigma = sigma/(1 + sigma) B^T (Bx - b)``: exactly first order in ``sigma``.
    ``x* = (B^T B + rho I)^-1 B^T b`` by a direct linear solve, exact to rounding (``||grad psi|| ~ 1e-15``
    measured).  Stochastic oracles add ``N(0, noise^2 I)`` to each partial gradient.
    """

    code = QUADRATIC

    def __init__(self, B, b, rho, *, noise=0.0, x0=None, name="quadratic_bilevel"):
        B = as_float_array(B, "B", ndim=2)
        if B.size == 0:
            raise ValueError("B: must be nonempty")
        self.B, self.b = B, as_float_array(b, "b", shape=(B.shape[0],))
        self.rho = as_scalar(rho, "rho", positive=True)
        self.noise = as_scalar(noise, "noise", nonnegative=True)
        super().__init__(B.shape[1], B.shape[0], x0=x0, name=name)

    def f_value(self, x, y):
        return 0.5 * float((y - self.b) @ (y - self.b)) + 0.5 * self.rho * float(x @ x)

    def g(self, x, y):
        r = y - self.B @ x
        return 0.5 * float(r @ r)

    def grad_f(self, x, y):
        return self.rho * np.asarray(x, float), np.asarray(y, float) - self.b

    def grad_g(self, x, y):
        r = y - self.B @ x
        return -self.B.T @ r, r

    def lower_solution(self, x):
        return self.B @ x

    def penalized_solution(self, x, sigma):  # argmin sigma f + g: sigma (y - b) + (y - B x) = 0
        return (sigma * self.b + self.B @ x) / (1.0 + sigma)

    def psi(self, x):
        r = self.B @ x - self.b
        return 0.5 * float(r @ r) + 0.5 * self.rho * float(x @ x)

    def grad_psi(self, x):
        return self.B.T @ (self.B @ x - self.b) + self.rho * np.asarray(x, float)

    def psi_sigma(self, x, sigma):
        r = self.B @ x - self.b
        return float(r @ r) / (2.0 * (1.0 + sigma)) + 0.5 * self.rho * float(x @ x)

    def grad_psi_sigma(self, x, sigma):
        return self.B.T @ (self.B @ x - self.b) / (1.0 + sigma) + self.rho * np.asarray(x, float)

    def _solve(self):
        x = np.linalg.solve(self.B.T @ self.B + self.rho * np.eye(self.dim), self.B.T @ self.b)
        return x, self.psi(x)

    def _compute_constants(self):
        s2 = np.linalg.norm(self.B, 2) ** 2
        return Constants({"l_f": 1.0, "l_g": 1.0, "mu_g": 1.0, "L_psi": s2 + self.rho},
                         how={"l_f": "exact", "l_g": "exact", "mu_g": "exact",
                              "L_psi": "exact: ||B||^2 + rho (psi_sigma: ||B||^2/(1+sigma) + rho)"})

    def l_g_at(self, x):
        return 1.0

    def L_psi_sigma(self, sigma):
        """The exact smoothness ``||B||^2/(1 + sigma) + rho`` of ``psi_sigma``."""
        return np.linalg.norm(self.B, 2) ** 2 / (1.0 + sigma) + self.rho

    def sample_grad(self, level, x, y, rows=None, eps=None, batch=1):
        gx, gy = self.grad_f(x, y) if level == 0 else self.grad_g(x, y)
        if eps is None or self.noise == 0.0:
            return gx, gy
        scale = self.noise / np.sqrt(batch)
        return gx + scale * eps[:self.dim], gy + scale * eps[self.dim:]

    def hvp_yy(self, x, y, v):
        return np.asarray(v, float).copy()

    def jvp_xy(self, x, y, v):
        return -self.B.T @ v

    def kernel_spec(self):
        return QUADRATIC, (self.B, self.b), (self.rho, self.noise)


def quadratic(dim_x=5, dim_y=8, *, rho=0.1, noise=0.0, seed=0):
    """A random :class:`QuadraticBilevel` (``B`` Gaussian / sqrt(dim_y), ``b`` Gaussian); ``x*`` and ``psi*`` by
    one linear solve, exact to rounding."""
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((dim_y, dim_x)) / np.sqrt(dim_y)
    return QuadraticBilevel(B, rng.standard_normal(dim_y), rho, noise=noise,
                            name=f"quadratic_bilevel(dx={dim_x}, dy={dim_y})")


class ToyBilevel(BilevelProblem):
    r"""The V-PBGD toy (Shen & Chen, ICML 2023; catalogue 3.5.2): ``x in [0, 3]``, ``y in R``,

    ``g = (x + y)^2 + x sin^2(x + y)`` (``S(x) = {-x}``: ``u^2 + x sin^2 u`` has ``u = 0`` as its only
    stationary point for ``x in [0, 3]``), ``f = cos(4y + 2)/(1 + e^{2 - 4x}) + 1/2 log((4x - 2)^2 + 1)``, so
    ``psi(x) = cos(2 - 4x)/(1 + e^{2 - 4x}) + 1/2 log((4x - 2)^2 + 1)``, with several local minima.
    ``x*`` and ``psi*``: the best of :meth:`local_minimizers` (a 3001-point grid of ``psi'`` refined by bisection),
    to ``||grad psi|| ~ 1e-15`` (measured; no certificate).
    """

    code = TOY

    def __init__(self, *, x0=None, name="bilevel_toy"):
        super().__init__(1, 1, x_lo=0.0, x_hi=3.0, x0=x0, name=name)

    def f_value(self, x, y):
        x, y = float(x[0]), float(y[0])
        return np.cos(4 * y + 2) / (1 + np.exp(2 - 4 * x)) + 0.5 * np.log((4 * x - 2) ** 2 + 1)

    def g(self, x, y):
        u = float(x[0] + y[0])
        return u * u + float(x[0]) * np.sin(u) ** 2

    def grad_f(self, x, y):
        x, y = float(x[0]), float(y[0])
        e = np.exp(2 - 4 * x)
        gx = np.cos(4 * y + 2) * 4 * e / (1 + e) ** 2 + 4 * (4 * x - 2) / ((4 * x - 2) ** 2 + 1)
        gy = -4 * np.sin(4 * y + 2) / (1 + e)
        return np.array([gx]), np.array([gy])

    def grad_g(self, x, y):
        xs, u = float(x[0]), float(x[0] + y[0])
        gy = 2 * u + xs * np.sin(2 * u)
        return np.array([gy + np.sin(u) ** 2]), np.array([gy])

    def lower_solution(self, x):
        return -np.asarray(x, float)

    def psi(self, x):
        x = float(np.asarray(x, float).ravel()[0])
        return np.cos(2 - 4 * x) / (1 + np.exp(2 - 4 * x)) + 0.5 * np.log((4 * x - 2) ** 2 + 1)

    def grad_psi(self, x):
        x = float(np.asarray(x, float).ravel()[0])
        e = np.exp(2 - 4 * x)
        return np.array([4 * np.sin(2 - 4 * x) / (1 + e) + np.cos(2 - 4 * x) * 4 * e / (1 + e) ** 2
                         + 4 * (4 * x - 2) / ((4 * x - 2) ** 2 + 1)])

    def local_minimizers(self):
        """The local minimisers of ``psi`` on ``[0, 3]`` (sign changes of ``psi'`` on a grid of 3001 points,
        refined by 80 bisections; the end points count when ``psi`` increases into the interval)."""
        pts = np.linspace(0.0, 3.0, 3001)
        d = np.array([self.grad_psi([t])[0] for t in pts])
        out = []
        if d[0] > 0:
            out.append(0.0)
        for i in range(len(pts) - 1):
            if d[i] < 0 <= d[i + 1]:
                lo, hi = pts[i], pts[i + 1]
                for _ in range(80):
                    mid = 0.5 * (lo + hi)
                    lo, hi = (mid, hi) if self.grad_psi([mid])[0] < 0 else (lo, mid)
                out.append(0.5 * (lo + hi))
        if d[-1] < 0:
            out.append(3.0)
        return np.array(out)

    def _solve(self):
        mins = self.local_minimizers()
        vals = [self.psi([m]) for m in mins]
        x = np.array([mins[int(np.argmin(vals))]])
        return x, self.psi(x)

    def _compute_constants(self):
        # d^2 g / dy^2 = 2 + 2x cos(2u) in [2 - 6, 2 + 6] on x in [0, 3]: g is not convex in y; Lipschitz
        # constants of the y-gradients: |d^2 f/dy^2| <= 16, |d^2 g/dy^2| <= 8.
        return Constants({"l_f": 16.0, "l_g": 8.0, "mu_g": 0.0},
                         how={"l_f": "bound: 16 |cos| / (1 + e)", "l_g": "bound: |2 + 2x cos 2u| <= 8",
                              "mu_g": "none: g is not convex in y (PL holds)"})

    def l_g_at(self, x):
        return 8.0

    def hvp_yy(self, x, y, v):
        xs, u = float(x[0]), float(x[0] + y[0])
        return np.array([(2 + 2 * xs * np.cos(2 * u)) * float(v[0])])

    def jvp_xy(self, x, y, v):
        xs, u = float(x[0]), float(x[0] + y[0])
        return np.array([(2 + 2 * xs * np.cos(2 * u) + np.sin(2 * u)) * float(v[0])])

    def kernel_spec(self):
        return TOY, (), ()


class _RowSampled:
    """Both levels are means over rows (``m`` validation rows for ``f``, ``n`` training rows for ``g``):
    stochastic oracles sample them."""

    @property
    def n_samples(self):
        return (self.m, self.n)


class RidgeHyperparameter(_RowSampled, BilevelProblem):
    r"""Per-feature ridge hyperparameters (catalogue 3.5.3): ``x = lambda in [-12, 12]^d``, ``y = theta``,

    ``g = (1/2n) ||A theta - t||^2 + 1/2 sum_i e^{lambda_i} theta_i^2``, ``f = (1/2m) ||A_v theta - t_v||^2``.
    ``theta*(lambda) = H^-1 A^T t / n`` with ``H = A^T A/n + diag(e^lambda)``; the hypergradient (implicit
    function theorem) ``grad psi = -(e^lambda * theta*) * (H^-1 grad_theta f(theta*))``; the penalised solution
    solves ``(sigma A_v^T A_v / m + H) theta = sigma A_v^T t_v / m + A^T t / n``.  Stochastic oracles sample rows
    of the training (lower) and validation (upper) data.  ``x*`` and ``psi*`` only for ``d <= 2``: a grid on the box
    (4001 or 101 x 101 points) refined by L-BFGS-B, not certified (``||grad psi||`` 4e-12 to 2e-8 measured); None
    for ``d > 2``.
    """

    code = RIDGE

    def __init__(self, A, t, A_val, t_val, *, bound=12.0, x0=None, name="ridge_hyperparameter"):
        A = as_float_array(A, "A", ndim=2)
        A_val = as_float_array(A_val, "A_val", ndim=2)
        if A.shape[0] == 0 or A_val.shape[0] == 0 or A.shape[1] == 0:
            raise ValueError("A: training and validation data must be nonempty")
        if A_val.shape[1] != A.shape[1]:
            raise ValueError(f"A_val: has {A_val.shape[1]} features, A has {A.shape[1]}")
        self.A, self.t = A, as_float_array(t, "t", shape=(A.shape[0],))
        self.A_val, self.t_val = A_val, as_float_array(t_val, "t_val", shape=(A_val.shape[0],))
        self.n, self.m = A.shape[0], A_val.shape[0]
        bound = as_scalar(bound, "bound", positive=True)
        d = A.shape[1]
        self._G = A.T @ A / self.n
        self._Gv = A_val.T @ A_val / self.m
        self._c = A.T @ self.t / self.n
        self._cv = A_val.T @ self.t_val / self.m
        self._lmax = float(np.linalg.eigvalsh(self._G)[-1])
        super().__init__(d, d, x_lo=-bound, x_hi=bound, x0=x0, name=name)

    def f_value(self, x, y):
        r = self.A_val @ y - self.t_val
        return 0.5 * float(r @ r) / self.m

    def g(self, x, y):
        r = self.A @ y - self.t
        return 0.5 * float(r @ r) / self.n + 0.5 * float(np.exp(x) @ (y * y))

    def grad_f(self, x, y):
        """Through the Gram matrix ``A_v^T A_v / m`` (``O(d^2)``, as the compiled oracle)."""
        return np.zeros(self.dim), self._Gv @ y - self._cv

    def grad_g(self, x, y):
        return 0.5 * np.exp(x) * y * y, self._G @ y - self._c + np.exp(x) * y

    def lower_solution(self, x):
        return np.linalg.solve(self._G + np.diag(np.exp(x)), self._c)

    def penalized_solution(self, x, sigma):
        return np.linalg.solve(sigma * self._Gv + self._G + np.diag(np.exp(x)), sigma * self._cv + self._c)

    def psi(self, x):
        return self.f_value(x, self.lower_solution(x))

    def grad_psi(self, x):
        H = self._G + np.diag(np.exp(x))
        th = np.linalg.solve(H, self._c)
        _, gy = self.grad_f(x, th)
        return -(np.exp(x) * th) * np.linalg.solve(H, gy)

    def _solve(self):
        return _small_optimum(self)

    def _compute_constants(self):
        lam_lo = np.exp(self.x_lo.min())
        lf = float(np.linalg.eigvalsh(self._Gv)[-1])
        eig = np.linalg.eigvalsh(self._G)
        return Constants({"l_f": lf, "l_g": float(eig[-1] + np.exp(self.x_hi.max())), "mu_g": float(eig[0] + lam_lo)},
                         how={"l_f": "exact: lambda_max(A_v^T A_v / m)",
                              "l_g": "bound: lambda_max(A^T A / n) + e^{max lambda}",
                              "mu_g": "bound: lambda_min(A^T A / n) + e^{min lambda}"})

    def sample_grad(self, level, x, y, rows=None, eps=None, batch=1):
        if rows is None:
            return self.grad_f(x, y) if level == 0 else self.grad_g(x, y)
        A, t = (self.A_val, self.t_val) if level == 0 else (self.A, self.t)
        Ar = A[rows]
        gy = Ar.T @ (Ar @ y - t[rows]) / len(rows)
        if level == 0:
            return np.zeros(self.dim), gy
        return 0.5 * np.exp(x) * y * y, gy + np.exp(x) * y

    def l_g_at(self, x):
        """``lambda_max(A^T A / n) + max_i e^{lambda_i}``."""
        return self._lmax + float(np.exp(x).max())

    def mu_g_at(self, x):
        """``lambda_min(A^T A / n + diag(e^lambda))``."""
        return float(np.linalg.eigvalsh(self._G + np.diag(np.exp(x)))[0])

    def hvp_yy(self, x, y, v):
        return self._G @ v + np.exp(x) * v

    def jvp_xy(self, x, y, v):
        return np.exp(x) * y * v

    def kernel_spec(self):
        return RIDGE, (self.A, self.t, self.A_val, self.t_val, self._G, self._c, self._Gv, self._cv), ()


def ridge(n=200, n_val=200, d=20, *, data=None, seed=0):
    """Ridge hyperparameters on scikit-learn's diabetes data (``data="diabetes"``: 10 standardised
    features, a random half for training), or on a synthetic regression (``n`` and ``n_val`` rows, ``d``
    features, a sparse truth, noise 0.5).

    ``psi*`` as in :class:`RidgeHyperparameter`: None for ``d > 2``, so for the default ``d = 20`` and the
    diabetes data (10 features); for ``d <= 2`` a grid then L-BFGS-B, not certified."""
    rng = np.random.default_rng(seed)
    if data == "diabetes":
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True)
        X = (X - X.mean(0)) / X.std(0)
        y = (y - y.mean()) / y.std()
        idx = rng.permutation(len(y))
        half = len(y) // 2
        return RidgeHyperparameter(X[idx[:half]], y[idx[:half]], X[idx[half:]], y[idx[half:]],
                                   name="ridge_hyperparameter(diabetes)")
    if data is not None:
        raise ValueError(f"data: expected None or 'diabetes', got {data!r}")
    n, n_val, d = as_int(n, "n", minimum=1), as_int(n_val, "n_val", minimum=1), as_int(d, "d", minimum=1)
    w = rng.standard_normal(d) * (rng.random(d) < 0.3)
    A = rng.standard_normal((n, d))
    Av = rng.standard_normal((n_val, d))
    return RidgeHyperparameter(A, A @ w + 0.5 * rng.standard_normal(n), Av, Av @ w + 0.5 * rng.standard_normal(n_val),
                               name=f"ridge_hyperparameter(n={n}, d={d})")


class SetValuedBilevel(BilevelProblem):
    r"""A lower level with a set-valued solution map, on which ``psi`` is not differentiable at its minimiser.

    ``g(x, y) = (y^2 - 1)^2 + x y`` on ``Y = [-2, 2]``: for ``x != 0`` the minimiser is unique with the sign
    of ``-x``; at ``x = 0``, ``S(0) = {-1, 1}``, and ``g*(x) = -|x| + O(x^2)`` has a kink.  With
    ``f(x, y) = x^2/2 - x y``, ``psi(x) = x^2/2 + |x| y_1(|x|)`` (``y_1 ~ 1``) has a nonsmooth minimum at 0,
    and so does ``psi_sigma``: no stationary point exists, and a method must say it did not converge.
    ``x in [-1, 1]``; ``x* = 0``, ``psi* = 0`` exactly.
    """

    def __init__(self, *, x0=None, name="set_valued_bilevel"):
        super().__init__(1, 1, x_lo=-1.0, x_hi=1.0, y_lo=-2.0, y_hi=2.0, x0=np.array([0.7]) if x0 is None else x0,
                         name=name)

    def f_value(self, x, y):
        return 0.5 * float(x[0]) ** 2 - float(x[0] * y[0])

    def g(self, x, y):
        return (float(y[0]) ** 2 - 1) ** 2 + float(x[0] * y[0])

    def grad_f(self, x, y):
        return np.array([float(x[0]) - float(y[0])]), np.array([-float(x[0])])

    def grad_g(self, x, y):
        return np.array([float(y[0])]), np.array([4 * float(y[0]) * (float(y[0]) ** 2 - 1) + float(x[0])])

    def lower_solution(self, x):
        xs = float(np.asarray(x, float).ravel()[0])
        roots = np.roots([4.0, 0.0, -4.0, xs])  # 4y^3 - 4y + x = 0
        cands = [r.real for r in roots if abs(r.imag) < 1e-9 and -2 <= r.real <= 2] + [-2.0, 2.0]
        vals = [self.g(np.array([xs]), np.array([c])) for c in cands]
        best = min(vals)
        sols = [c for c, v in zip(cands, vals) if v <= best + 1e-12]
        fv = [self.f_value(np.array([xs]), np.array([c])) for c in sols]
        return np.array([sols[int(np.argmin(fv))]])  # optimistic: the best for f among minimisers

    def psi(self, x):
        return self.f_value(np.asarray(x, float), self.lower_solution(x))

    def _solve(self):
        return np.zeros(1), 0.0

    def _compute_constants(self):
        return Constants({"l_f": 0.0, "l_g": 44.0, "mu_g": 0.0},
                         how={"l_f": "exact: f is linear in y", "l_g": "bound: |12 y^2 - 4| <= 44 on [-2, 2]",
                              "mu_g": "none: two minimisers at x = 0"})


class FunctionBilevel(BilevelProblem):
    """A bilevel problem from user functions (see :func:`from_functions`); NumPy backend only."""

    def __init__(self, f, g, grad_f, grad_g, dim, dim_y, *, l_f, l_g, mu_g=0.0, psi=None, x_lo=None, x_hi=None,
                 y_lo=None, y_hi=None, x0=None, y0=None, name="user_bilevel"):
        for fn, nm in ((f, "f"), (g, "g"), (grad_f, "grad_f"), (grad_g, "grad_g")):
            if not callable(fn):
                raise TypeError(f"{nm}: must be callable")
        self._f, self._g, self._grad_f, self._grad_g, self._psi = f, g, grad_f, grad_g, psi
        self._declared = {"l_f": as_scalar(l_f, "l_f", nonnegative=True), "l_g": as_scalar(l_g, "l_g", positive=True),
                          "mu_g": as_scalar(mu_g, "mu_g", nonnegative=True)}
        super().__init__(dim, dim_y, x_lo=x_lo, x_hi=x_hi, y_lo=y_lo, y_hi=y_hi, x0=x0, y0=y0, name=name)
        if self._declared["mu_g"] == 0 and not (np.all(np.isfinite(self.y_lo)) and np.all(np.isfinite(self.y_hi))):
            raise ValueError("mu_g: the lower level has no guaranteed solution on Y (g(x, .) is not declared strongly "
                             "convex and Y is unbounded); declare mu_g > 0 or give finite y_lo, y_hi")
        x, y = self.x0, self.y0
        gx, gy = self.grad_f(x, y)
        hx, hy = self.grad_g(x, y)
        for arr, nm, n in ((gx, "grad_f", dim), (gy, "grad_f", self.dim_y), (hx, "grad_g", dim), (hy, "grad_g", self.dim_y)):
            if np.shape(arr) != (n,):
                raise ValueError(f"{nm}: returned a partial gradient of shape {np.shape(arr)}, expected ({n},): the "
                                 f"dimensions of the levels are inconsistent")

    def f_value(self, x, y):
        return float(self._f(x, y))

    def g(self, x, y):
        return float(self._g(x, y))

    def grad_f(self, x, y):
        gx, gy = self._grad_f(x, y)
        return np.asarray(gx, float), np.asarray(gy, float)

    def grad_g(self, x, y):
        gx, gy = self._grad_g(x, y)
        return np.asarray(gx, float), np.asarray(gy, float)

    def psi(self, x):
        if self._psi is None:
            raise NotImplementedError(f"{self.name}: no closed-form hyper-objective was given")
        return float(self._psi(x))

    def _compute_constants(self):
        return Constants(self._declared, how={k: "user-declared" for k in self._declared}, user_declared=True)


def from_functions(f, g, grad_f, grad_g, dim_x, dim_y, *, l_f, l_g, mu_g=0.0, psi=None, x_lo=None, x_hi=None,
                   y_lo=None, y_hi=None, x0=None, y0=None, name="user_bilevel"):
    """A bilevel problem from ``f(x, y)``, ``g(x, y)`` and their partial gradients ``(d/dx, d/dy)``.

    ``l_f``, ``l_g``: Lipschitz constants of ``grad_y f`` and ``grad_y g`` (user-declared: results say so);
    ``mu_g``: strong convexity of ``g(x, .)``.  A lower level is only accepted when it has a solution on
    ``Y``: ``mu_g > 0`` or a bounded ``Y``.  ``psi`` (optional) the exact hyper-objective.  No ``x*`` or
    ``psi*`` is computed (``f_star`` is None).
    """
    return FunctionBilevel(f, g, grad_f, grad_g, dim_x, dim_y, l_f=l_f, l_g=l_g, mu_g=mu_g, psi=psi, x_lo=x_lo,
                           x_hi=x_hi, y_lo=y_lo, y_hi=y_hi, x0=x0, y0=y0, name=name)


def _softmax_rows(Z):
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    return P / P.sum(axis=1, keepdims=True)


def _cross_entropy(Z, labels):
    m = Z.max(axis=1)
    return m + np.log(np.exp(Z - m[:, None]).sum(axis=1)) - Z[np.arange(Z.shape[0]), labels]


class HyperCleaning(_RowSampled, BilevelProblem):
    r"""Data hyper-cleaning (catalogue 3.5.5): learn a weight ``sigmoid(lambda_i)`` for each training example
    whose label may be corrupted, so that the classifier trained on the weighted data does well on clean
    validation data.

    ``x = lambda in [-bound, bound]^n``, ``y = W`` (``(d + 1) x K``, a bias feature appended, flattened row-major),
    ``g = (1/n) sum_i sigmoid(lambda_i) CE(W; a_i, l_i) + (mu/2) ||W||^2`` (strongly convex in ``W``),
    ``f = (1/m) sum_j CE(W; a_j, l_j)`` on the validation set.  Constants (bounds: ``diag p - p p^T <= I/2``):
    ``l_g = lambda_max(A^T A)/(2n) + mu``, ``l_f = lambda_max(A_v^T A_v)/(2m)``, ``mu_g = mu``.
    ``psi(x)`` needs the lower solution: L-BFGS on the strongly convex ``g(x, .)`` to a gradient norm of 1e-10
    (not closed form).  Stochastic oracles sample training rows (lower) and validation rows (upper).
    ``corrupted`` marks the flipped labels; :meth:`test_accuracy` scores a ``W`` on held-out data.
    There is no ``x*`` or ``psi*`` (``f_star`` is None).
    """

    def __init__(self, A, labels, A_val, labels_val, A_test, labels_test, *, corrupted=None, mu=1e-2, bound=8.0,
                 name="hyper_cleaning"):
        def aug(M, nm):
            M = as_float_array(M, nm, ndim=2)
            return np.hstack([M, np.ones((M.shape[0], 1))])

        self.A, self.A_val, self.A_test = aug(A, "A"), aug(A_val, "A_val"), aug(A_test, "A_test")
        if not (self.A.shape[1] == self.A_val.shape[1] == self.A_test.shape[1]):
            raise ValueError("A_val: training, validation and test data must have the same features")
        labs = [np.asarray(v).astype(np.int64) for v in (labels, labels_val, labels_test)]
        for v, M, nm in zip(labs, (self.A, self.A_val, self.A_test), ("labels", "labels_val", "labels_test")):
            if v.shape != (M.shape[0],) or v.min() < 0:
                raise ValueError(f"{nm}: expected {M.shape[0]} nonnegative integer labels")
        self.labels, self.labels_val, self.labels_test = labs
        self.K = int(max(v.max() for v in labs)) + 1
        self.n, self.m = self.A.shape[0], self.A_val.shape[0]
        self.mu = as_scalar(mu, "mu", positive=True)
        self.corrupted = np.zeros(self.n, bool) if corrupted is None else np.asarray(corrupted, bool)
        self.n_features = self.A.shape[1]
        bound = as_scalar(bound, "bound", positive=True)
        super().__init__(self.n, self.n_features * self.K, x_lo=-bound, x_hi=bound, name=name)
        self._y_cache = {}

    def _W(self, y):
        return np.asarray(y, float).reshape(self.n_features, self.K)

    def _onehot(self, labels):
        Y = np.zeros((labels.size, self.K))
        Y[np.arange(labels.size), labels] = 1.0
        return Y

    def f_value(self, x, y):
        return float(_cross_entropy(self.A_val @ self._W(y), self.labels_val).mean())

    def g(self, x, y):
        w = 1.0 / (1.0 + np.exp(-np.asarray(x, float)))
        ce = _cross_entropy(self.A @ self._W(y), self.labels)
        return float(w @ ce / self.n + 0.5 * self.mu * float(np.asarray(y) @ np.asarray(y)))

    def grad_f(self, x, y):
        Z = self.A_val @ self._W(y)
        R = (_softmax_rows(Z) - self._onehot(self.labels_val)) / self.m
        return np.zeros(self.dim), (self.A_val.T @ R).ravel()

    def _g_parts(self, x, y, rows=None):
        A, lab = (self.A, self.labels) if rows is None else (self.A[rows], self.labels[rows])
        xr = np.asarray(x, float) if rows is None else np.asarray(x, float)[rows]
        s = 1.0 / (1.0 + np.exp(-xr))
        Z = A @ self._W(y)
        return A, lab, s, Z

    def grad_g(self, x, y):
        A, lab, s, Z = self._g_parts(x, y)
        R = (_softmax_rows(Z) - self._onehot(lab)) * (s / self.n)[:, None]
        gx = s * (1 - s) * _cross_entropy(Z, lab) / self.n
        return gx, (A.T @ R).ravel() + self.mu * np.asarray(y, float)

    def sample_grad(self, level, x, y, rows=None, eps=None, batch=1):
        if rows is None:
            return self.grad_f(x, y) if level == 0 else self.grad_g(x, y)
        b = len(rows)
        if level == 0:
            Z = self.A_val[rows] @ self._W(y)
            R = (_softmax_rows(Z) - self._onehot(self.labels_val[rows])) / b
            return np.zeros(self.dim), (self.A_val[rows].T @ R).ravel()
        A, lab, s, Z = self._g_parts(x, y, rows)
        R = (_softmax_rows(Z) - self._onehot(lab)) * (s / b)[:, None]
        gx = np.zeros(self.dim)
        np.add.at(gx, rows, s * (1 - s) * _cross_entropy(Z, lab) / b)
        return gx, (A.T @ R).ravel() + self.mu * np.asarray(y, float)

    def hvp_yy(self, x, y, v):
        A, lab, s, Z = self._g_parts(x, y)
        P = _softmax_rows(Z)
        ZV = A @ self._W(v)
        H = P * ZV - P * (P * ZV).sum(axis=1, keepdims=True)  # (diag p - p p^T) (A_i V) per row
        return (A.T @ (H * (s / self.n)[:, None])).ravel() + self.mu * np.asarray(v, float)

    def jvp_xy(self, x, y, v):
        A, lab, s, Z = self._g_parts(x, y)
        R = _softmax_rows(Z) - self._onehot(lab)
        return s * (1 - s) * np.einsum("ik,ik->i", R, A @ self._W(v)) / self.n

    def lower_solution(self, x):
        from scipy.optimize import minimize

        key = np.asarray(x, float).tobytes()
        if key not in self._y_cache:
            x = np.asarray(x, float)
            res = minimize(lambda y: self.g(x, y), np.zeros(self.dim_y), jac=lambda y: self.grad_g(x, y)[1],
                           method="L-BFGS-B", options={"gtol": 1e-10, "maxiter": 5000, "maxcor": 30})
            if len(self._y_cache) > 64:
                self._y_cache.clear()
            self._y_cache[key] = res.x
        return self._y_cache[key].copy()

    def psi(self, x):
        return self.f_value(x, self.lower_solution(x))

    def test_accuracy(self, y):
        return float(np.mean(np.argmax(self.A_test @ self._W(y), axis=1) == self.labels_test))

    def _compute_constants(self):
        lg = np.linalg.eigvalsh(self.A.T @ self.A)[-1] / (2 * self.n) + self.mu
        lf = np.linalg.eigvalsh(self.A_val.T @ self.A_val)[-1] / (2 * self.m)
        return Constants({"l_f": lf, "l_g": lg, "mu_g": self.mu},
                         how={"l_f": "bound: lambda_max(A_v^T A_v)/(2m)", "l_g": "bound: lambda_max(A^T A)/(2n) + mu",
                              "mu_g": "exact: the ridge weight"})


def hyper_cleaning(n_train=300, n_val=300, *, corruption=0.4, mu=1e-2, seed=0):
    """Data hyper-cleaning on scikit-learn's handwritten digits (1797 images, 8 x 8, 10 classes; features
    standardised): ``n_train`` training images of which a fraction ``corruption`` get a wrong random label,
    ``n_val`` clean validation images, the rest held out for :meth:`HyperCleaning.test_accuracy`.

    There is no ``x*`` or ``psi*`` (``f_star`` is None)."""
    from sklearn.datasets import load_digits

    X, t = load_digits(return_X_y=True)
    X = (X - X.mean(0)) / np.maximum(X.std(0), 1e-12)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(t))
    n_train, n_val = as_int(n_train, "n_train", minimum=1), as_int(n_val, "n_val", minimum=1)
    if n_train + n_val >= len(t):
        raise ValueError(f"n_train + n_val: must leave test data (at most {len(t) - 1})")
    corruption = as_scalar(corruption, "corruption", nonnegative=True, upper=1.0)
    tr, va, te = idx[:n_train], idx[n_train:n_train + n_val], idx[n_train + n_val:]
    labels = t[tr].copy()
    bad = rng.random(n_train) < corruption
    labels[bad] = (labels[bad] + rng.integers(1, 10, bad.sum())) % 10  # a different label
    return HyperCleaning(X[tr], labels, X[va], t[va], X[te], t[te], corrupted=bad, mu=mu,
                         name=f"hyper_cleaning(digits, n={n_train}, corrupted {corruption:.0%})")


def _small_optimum(problem):
    """``(x*, psi*)`` of a problem with one or two upper variables: a grid on the box (4001 points, or 101 x
    101), then L-BFGS-B with the exact hypergradient from the five best grid points (gradient tolerance
    1e-12); None for more variables (psi is nonconvex and the grid would not certify the optimum)."""
    if problem.dim > 2:
        return None, None
    from scipy.optimize import minimize

    axes = [np.linspace(lo, hi, 4001 if problem.dim == 1 else 101) for lo, hi in zip(problem.x_lo, problem.x_hi)]
    pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, problem.dim)
    vals = np.array([problem.psi(t) for t in pts])
    best_x, best = None, np.inf
    for k in np.argsort(vals)[:5]:
        res = minimize(problem.psi, pts[k], jac=problem.grad_psi, method="L-BFGS-B",
                       bounds=list(zip(problem.x_lo, problem.x_hi)), options={"gtol": 1e-12, "ftol": 1e-15})
        x = res.x if res.fun <= vals[k] else pts[k]
        if problem.psi(x) < best:
            best_x, best = x, problem.psi(x)
    return best_x, best


class MultiBlockRidge(BilevelProblem):  # kind "multiblock_bilevel"
    r"""``m`` ridge problems sharing one hyperparameter vector (catalogue 3.8, Hu et al. ICML 2023):

    ``psi(lambda) = (1/m) sum_i f_i(theta_i*(lambda))``, ``theta_i* = argmin g_i(lambda, theta)``, each block a
    :class:`RidgeHyperparameter` (``g_i = (1/2n_i)||A_i theta - t_i||^2 + 1/2 sum e^lambda theta^2``,
    ``f_i = (1/2m_i)||A_{v,i} theta - t_{v,i}||^2``).  ``y = (theta_1, ..., theta_m)`` (``m d`` entries);
    ``f = (1/m) sum f_i`` and ``g = sum g_i`` (separable, so ``g* = sum g_i*`` and every closed form is per block:
    ``psi_sigma`` uses the penalised solutions of ``(sigma/m) f_i + g_i``).  ``x*`` and ``psi*`` only for
    ``d <= 2``: a grid on the box refined by L-BFGS-B, not certified (``||grad psi|| ~ 6e-9`` measured, seconds at
    ``d = 2``); None for ``d > 2``.
    """

    def __init__(self, blocks, *, bound=12.0, x0=None, name="multi_block_ridge"):
        blocks = list(blocks)
        if not blocks or not all(isinstance(b, RidgeHyperparameter) for b in blocks):
            raise TypeError("blocks: expected a nonempty list of RidgeHyperparameter problems")
        d = blocks[0].dim
        if any(b.dim != d for b in blocks):
            raise ValueError("blocks: every block must have the same number of features")
        self.blocks, self.n_blocks, self.d = blocks, len(blocks), d
        # the stacked data (rows of block i at offsets[i] .. offsets[i+1]) for the blockwise method's kernels
        self.A_all = np.vstack([b.A for b in blocks])
        self.t_all = np.concatenate([b.t for b in blocks])
        self.Av_all = np.vstack([b.A_val for b in blocks])
        self.tv_all = np.concatenate([b.t_val for b in blocks])
        self.offsets = np.concatenate([[0], np.cumsum([b.n for b in blocks])]).astype(np.int64)
        self.offsets_val = np.concatenate([[0], np.cumsum([b.m for b in blocks])]).astype(np.int64)
        self.lmax = np.array([b._lmax for b in blocks])
        super().__init__(d, d * len(blocks), x_lo=-bound, x_hi=bound, x0=x0, name=name)
        self.kind = "multiblock_bilevel"  # the blockwise method's kind

    def _split(self, y):
        return np.asarray(y, float).reshape(self.n_blocks, self.d)

    def f_value(self, x, y):
        return float(np.mean([b.f_value(x, t) for b, t in zip(self.blocks, self._split(y))]))

    def g(self, x, y):
        return float(sum(b.g(x, t) for b, t in zip(self.blocks, self._split(y))))

    def grad_f(self, x, y):
        gy = np.concatenate([b.grad_f(x, t)[1] for b, t in zip(self.blocks, self._split(y))]) / self.n_blocks
        return np.zeros(self.dim), gy

    def grad_g(self, x, y):
        parts = [b.grad_g(x, t) for b, t in zip(self.blocks, self._split(y))]
        return sum(p[0] for p in parts), np.concatenate([p[1] for p in parts])

    def lower_solution(self, x):
        return np.concatenate([b.lower_solution(x) for b in self.blocks])

    def penalized_solution(self, x, sigma):
        return np.concatenate([b.penalized_solution(x, sigma / self.n_blocks) for b in self.blocks])

    def psi(self, x):
        return float(np.mean([b.psi(x) for b in self.blocks]))

    def grad_psi(self, x):
        return np.mean([b.grad_psi(x) for b in self.blocks], axis=0)

    def _solve(self):
        return _small_optimum(self)

    def l_g_at(self, x):
        return max(b.l_g_at(x) for b in self.blocks)

    def mu_g_at(self, x):
        return min(b.mu_g_at(x) for b in self.blocks)

    def _compute_constants(self):
        cs = [b.constants for b in self.blocks]
        return Constants({"l_f": max(c["l_f"] for c in cs) / self.n_blocks, "l_g": max(c["l_g"] for c in cs),
                          "mu_g": min(c["mu_g"] for c in cs)},
                         how={"l_f": "max over blocks / m", "l_g": "max over blocks", "mu_g": "min over blocks"})


def multi_block_ridge(n_blocks=20, n=50, n_val=50, d=5, *, seed=0):
    """``n_blocks`` synthetic ridge problems (each ``n`` training and ``n_val`` validation rows, ``d``
    features, its own sparse truth) sharing the hyperparameters.

    ``psi*`` as in :class:`MultiBlockRidge`: None for ``d > 2`` (so at the default ``d = 5``); for ``d <= 2`` a grid
    then L-BFGS-B, not certified."""
    from .._validation import as_int

    n_blocks = as_int(n_blocks, "n_blocks", minimum=1)
    return MultiBlockRidge([ridge(n, n_val, d, seed=seed * 10007 + i) for i in range(n_blocks)],
                           name=f"multi_block_ridge(m={n_blocks}, n={n}, d={d})")
