"""Canonical problems with exact constants and a known optimum (catalogue section 0.3).

Every constructor derives ``constants`` from the data (never typed in) and
knows ``f_star``/``x_star`` in closed form, by construction, by a direct linear solve, by Newton's method
to ||grad|| < 1e-13, by linear programming (HiGHS), by the library's own certified solvers (the lasso's
working-set coordinate descent to a duality gap of 1e-12; FISTA to a Frank-Wolfe gap of 1e-12 on a set), or by
cvxpy with a certificate (hinge: its dual) -- computed lazily, once, on first use, and cached on the object.
``p.f_star_accuracy`` is the certified bound on ``F(x_star) - F*`` where the route gives one; each constructor's
docstring says which route it takes.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import as_float_array, as_int, as_matrix, as_scalar, MAX_DIM
from .linear import LinearModel, polish_proximal_gradient
from .sets import L1, Ball, Box


def _rng(seed):
    return np.random.default_rng(as_int(seed, "seed", minimum=0))


def _check_rows(A, b, name_b="b"):
    A = as_matrix(A, "A")
    b = as_float_array(b, name_b, ndim=1)
    if b.shape[0] != A.shape[0]:
        raise ValueError(f"{name_b}: length {b.shape[0]} does not match the {A.shape[0]} rows of A")
    return A, b


def _constraint(constraint):
    if constraint is None or hasattr(constraint, "is_indicator"):
        return constraint
    raise TypeError("constraint: expected a Ball, Box or Simplex from pyoptheory.problems")


# --- smooth problems --------------------------------------------------------------
def quadratic(dim, L=1.0, mu=0.0, *, spectrum=None, x_star=None, x0=None, seed=0, constraint=None, name=None):
    r"""Quadratic with a prescribed spectrum (catalogue P1).

    ``f(x) = 1/2 (x - x*)^T H (x - x*)`` with ``H = Q diag(lam) Q^T``, ``Q`` from the
    QR factorisation of a Gaussian matrix; ``lam_min = mu`` and ``lam_max = L``
    are placed explicitly, the others uniform in ``[mu, L]`` (or ``spectrum``).
    Stored as ``||A x - b||^2 / 2`` with ``A = diag(sqrt(lam)) Q^T`` so that the
    compiled kernels run it.  Unconstrained, or with a ``constraint`` that contains the centre: ``f* = 0`` at the
    centre, exactly.  With a constraint that excludes it, the constrained optimum is computed when first needed:
    cvxpy, then the library's FISTA until the Frank-Wolfe gap certifies ``f(x*) - f* <= 1e-12 max(1, f(x0))``
    (``p.f_star_accuracy`` holds the certified bound).
    """
    rng = _rng(seed)
    dim = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
    if spectrum is None:
        L = as_scalar(L, "L", positive=True)
        mu = as_scalar(mu, "mu", nonnegative=True)
        if mu > L:
            raise ValueError(f"mu: must be <= L, got mu={mu} > L={L}")
        lam = np.sort(rng.uniform(mu, L, size=dim))
        lam[0], lam[-1] = mu, L
        if dim == 1:
            lam[0] = L
    else:
        lam = as_float_array(spectrum, "spectrum", shape=(dim,))
        if np.any(lam < 0):
            raise ValueError("spectrum: eigenvalues must be nonnegative")
    Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    xs = rng.standard_normal(dim) if x_star is None else as_float_array(x_star, "x_star", shape=(dim,))
    A = np.sqrt(lam)[:, None] * Q.T
    b = A @ xs
    reg = _constraint(constraint)
    inside = reg is None or reg.contains(xs, tol=0.0)
    return LinearModel(A, b, loss="squared", weight=1.0, name=name or f"quadratic(d={dim})",
                       regularizer=reg, x0=x0, x_star=xs if inside else None, f_star=0.0 if inside else None,
                       gram_extremes=(float(lam.max()), float(lam.min())))  # A^T A = Q diag(lam) Q^T exactly


def least_squares(A, b, *, l2=0.0, constraint=None, x0=None, name="least_squares"):
    r"""Least squares ``||A x - b||^2 / (2n) + (l2/2)||x||^2`` (catalogue P2), dense or CSR ``A``.

    Unconstrained: ``x*`` from the normal equations (``lstsq``; the minimum-norm
    solution when ``n < d``; with ``l2 > 0`` and ``n < d`` the ``n x n`` system of the identity
    ``(A^T A/n + l2 I)^-1 A^T b/n = A^T (A A^T + n l2 I)^-1 b``).  Exact to rounding (with ``l2 > 0``
    certified by ``||grad f||^2 / (2 l2)`` in ``p.f_star_accuracy``).  With a ``constraint``: cvxpy, then the
    library's FISTA until the Frank-Wolfe gap certifies ``f(x*) - f* <= 1e-12 max(1, f(x0))``
    (``p.f_star_accuracy``); costlier than a short run, so runs leave ``gap`` empty until ``p.f_star`` is asked for.
    """
    A, b = _check_rows(A, b)
    l2 = as_scalar(l2, "l2", nonnegative=True)
    solver = None if constraint is not None else _least_squares_solution
    return LinearModel(A, b, loss="squared", l2=l2, regularizer=_constraint(constraint), x0=x0, name=name,
                       solver=solver)


def _least_squares_solution(problem):
    A, b, n, l2 = problem.A, problem.b, problem.n, problem.l2
    if sp.issparse(A):
        A = A.toarray()
    if l2 > 0 and n < problem.dim:  # (A^T A/n + l2 I)^-1 A^T b/n = A^T (A A^T + n l2 I)^-1 b: an n x n system
        xs = A.T @ np.linalg.solve(A @ A.T + n * l2 * np.eye(n), b)
    elif l2 > 0:
        xs = np.linalg.solve(A.T @ A / n + l2 * np.eye(problem.dim), A.T @ b / n)
    else:
        xs = np.linalg.lstsq(A, b, rcond=None)[0]
    xs = polish_proximal_gradient(problem, xs, max_iter=50) if problem.constants["mu"] > 0 else xs
    return xs, problem.objective(xs)


def logistic(A, y, lam, *, x0=None, name="logistic"):
    r"""L2-regularized logistic regression (catalogue P4).

    ``f(x) = (1/n) sum log(1 + exp(-y_i a_i^T x)) + (lam/2)||x||^2`` with labels in
    {-1, +1}; ``L = lambda_max(A^T A)/(4n) + lam``, ``mu = lam``; ``x*`` by
    Newton's method to ``||grad f|| < 1e-13``.
    """
    A, y = _check_rows(A, y, "y")
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError("y: labels must be -1 or +1")
    lam = as_scalar(lam, "lam", positive=True)
    return LinearModel(A, y, loss="logistic", l2=lam, x0=x0, name=name, solver=_logistic_newton)


def _logistic_newton(problem):
    A = problem.A.toarray() if sp.issparse(problem.A) else problem.A
    y, n, lam = problem.b, problem.n, problem.l2
    x = np.zeros(problem.dim)
    for _ in range(100):
        g = problem.grad(x)
        if np.linalg.norm(g) < 1e-13:
            break
        s = 1.0 / (1.0 + np.exp(-y * (A @ x)))  # sigma(y a^T x)
        H = (A.T * (s * (1 - s))) @ A / n + lam * np.eye(problem.dim)
        step = np.linalg.solve(H, g)
        t, fx = 1.0, problem.f(x)
        while problem.f(x - t * step) > fx - 0.25 * t * g @ step and t > 1e-12:
            t *= 0.5
        x = x - t * step
    return x, problem.f(x)


def lasso(A, b, lam, *, x0=None, name="lasso"):
    r"""Lasso ``||A x - b||^2/(2n) + lam ||x||_1``.

    ``x*`` and ``F*`` are computed lazily, the first time something asks for them (``p.f_star``, a theorem check,
    ``gap_tol``; a run alone records no ``gap`` until then: the solve can cost as much as the runs), by the library's working-set coordinate descent (:func:`pyoptheory.methods.working_set.bcd_ws`)
    run in stages of growing accuracy, each followed by a polish: on the support and signs found, the optimality
    condition ``A_S^T(b - A_S x_S)/n = lam s_S`` is a linear system, solved directly and kept when its duality gap
    is smaller; it stops once a duality gap certifies ``F(x) - F* <= 1e-12 max(1, |F(x0)|)`` (with the right
    support, ``F*`` is then exact to rounding).  ``p.f_star_accuracy`` holds the certified duality gap.  Building the
    problem costs nothing; cvxpy is a cross-check in the tests only.
    """
    A, b = _check_rows(A, b)
    lam = as_scalar(lam, "lam", positive=True)
    return LinearModel(A, b, loss="squared", regularizer=L1(lam), x0=x0, name=name, solver=_lasso_solution,
                       cheap_optimum=False)


#: The certified accuracy of a lasso's F*: the duality gap the working-set solver reaches, relative to max(1, |F(x0)|).
LASSO_GAP = 1e-12


def _lasso_polish(problem, x):
    """On the support and signs of ``x``, the optimality condition ``A_S^T (b - A_S x_S)/n = lam s_S`` solved as a
    linear system; the candidate when its signs agree, else None."""
    S = np.abs(x) > 1e-9 * max(1.0, np.max(np.abs(x)))
    if not S.any():
        return None
    A = problem.A.toarray() if sp.issparse(problem.A) else problem.A
    s, AS = np.sign(x[S]), A[:, S]
    try:
        xS = np.linalg.solve(AS.T @ AS, AS.T @ problem.b - problem.n * problem.regularizer.lam * s)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.sign(xS) == s):
        return None
    cand = np.zeros(problem.dim)
    cand[S] = xS
    return cand


def _lasso_solution(problem):
    """``(x*, F*)``: the working-set solver to growing accuracy, each stage followed by the active-set polish, until
    a duality gap certifies ``F(x) - F* <= LASSO_GAP max(1, |F(x0)|)`` (the polish usually finds the exact support
    long before coordinate descent reaches that gap: supports close to ``n`` make it slow)."""
    from ..methods.working_set import bcd_ws, lasso_duality_gap

    scale = max(1.0, abs(problem.objective(problem.x0)))
    target = LASSO_GAP * scale
    x, gap = problem.x0, lasso_duality_gap(problem, problem.x0)
    for stage_tol in (1e-4, 1e-7, 1e-10, LASSO_GAP):
        if gap <= target:
            break
        res = bcd_ws(problem, x0=x, gap_tol=stage_tol * scale, steps=100_000, record=2, seed=0)
        if not res.success:
            raise RuntimeError(f"lasso: the working-set solver did not certify F* for {problem.name!r}: "
                               f"{res.message}")
        x, gap = res.x, lasso_duality_gap(problem, res.x)
        cand = _lasso_polish(problem, x)
        if cand is not None:
            cand_gap = lasso_duality_gap(problem, cand)
            if cand_gap < gap:
                x, gap = cand, cand_gap
    problem._f_star_accuracy = max(gap, 0.0)
    return x, problem.objective(x)


def lasso_certified(n, d, lam, *, support=None, kappa=0.5, seed=0, name=None):
    r"""Lasso with a certified solution (catalogue 0.3 P3, the ``n >= d`` construction).

    Draw ``A``, a support ``S`` with signs ``s``, a dual vector ``v`` with
    ``v_S = s_S`` and ``|v_j| <= kappa < 1`` off ``S``, and ``x*`` with those signs;
    set ``r = n lam A (A^T A)^{-1} v`` and ``b = A x* + r``.  Then
    ``A^T(b - A x*)/n = lam v``, the optimality condition, so ``x*`` is the
    (unique) minimizer and ``F* = ||r||^2/(2n) + lam ||x*||_1`` exactly.
    """
    rng = _rng(seed)
    n, d = as_int(n, "n", minimum=1), as_int(d, "d", minimum=1)
    if n < d:
        raise ValueError(f"n: the certified construction needs n >= d, got n={n} < d={d}")
    lam = as_scalar(lam, "lam", positive=True)
    k = max(1, d // 4) if support is None else as_int(support, "support", minimum=1)
    A = rng.standard_normal((n, d))
    S = rng.choice(d, size=k, replace=False)
    signs = rng.choice([-1.0, 1.0], size=k)
    v = rng.uniform(-kappa, kappa, size=d)
    v[S] = signs
    xs = np.zeros(d)
    xs[S] = signs * rng.uniform(0.5, 2.0, size=k)
    r = n * lam * A @ np.linalg.solve(A.T @ A, v)
    b = A @ xs + r
    f_star = float(r @ r / (2 * n) + lam * np.sum(np.abs(xs)))
    return LinearModel(A, b, loss="squared", regularizer=L1(lam), name=name or f"lasso_certified(n={n},d={d})",
                       x_star=xs, f_star=f_star)


# --- nonsmooth Lipschitz problems (catalogue P5) ------------------------------------
def l1_distance(c, *, radius=None, x0=None, name="l1_distance"):
    r"""``f(x) = ||x - c||_1``, optionally on the ball ``||x|| <= radius`` (needs ``||c|| < radius``).

    ``G = sqrt(d)`` exactly, ``x* = c``, ``f* = 0``.
    """
    c = as_float_array(c, "c", ndim=1)
    reg = None
    if radius is not None:
        radius = as_scalar(radius, "radius", positive=True)
        if np.linalg.norm(c) >= radius:
            raise ValueError("radius: must exceed ||c|| so that x* = c is feasible")
        reg = Ball(radius)
    return LinearModel(sp.identity(c.size, format="csr"), c, loss="absolute", weight=1.0, regularizer=reg,
                       x0=x0, x_star=c, f_star=0.0, name=name)


def max_affine(A, b, *, box=None, x0=None, x_star=None, f_star=None, name="max_affine"):
    r"""``f(x) = max_i (a_i^T x + b_i)`` (optionally on a box ``(lo, hi)``); ``G = max_i ||a_i||``.

    ``f*`` and ``x*`` by the linear program ``min t s.t. a_i^T x + b_i <= t`` (HiGHS, to its primal-dual
    tolerance of about 1e-9; the LP gap measured on 500 x 50 instances is below 1e-12).
    """
    A, b = _check_rows(A, b)
    reg = None if box is None else Box(*box)
    return LinearModel(A, b, loss="affine", reduce="max", weight=1.0, regularizer=reg, x0=x0, x_star=x_star,
                       f_star=f_star, name=name, solver=_max_affine_lp)


def _max_affine_lp(problem):
    from scipy.optimize import linprog

    A = problem.A.toarray() if sp.issparse(problem.A) else problem.A
    n, d = A.shape
    c = np.zeros(d + 1)
    c[-1] = 1.0
    A_ub = np.hstack([A, -np.ones((n, 1))])
    reg = problem.regularizer
    bounds = [(None, None)] * (d + 1)
    if reg is not None:
        bounds = [(lo, hi) for lo, hi in zip(reg.lo, reg.hi)] + [(None, None)]
    res = linprog(c, A_ub=A_ub, b_ub=-problem.b, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"max_affine: the LP for f* failed: {res.message}")
    x = res.x[:d]
    return x, problem.objective(x)


def hinge(A, y, *, radius, x0=None, name="hinge"):
    r"""Hinge loss ``(1/n) sum max(0, 1 - y_i a_i^T x)`` on the ball ``||x|| <= radius``.

    ``x*`` and ``f*`` when first needed: a cvxpy solve (interior point, CLARABEL) of the problem with slacks
    ``t_i >= 1 - y_i a_i^T x``, whose multipliers ``alpha`` (clipped to ``[0, 1/n]``) are dual feasible for the dual
    ``max_{alpha in [0, 1/n]^n} sum(alpha) - radius ||A^T (alpha y)||``; the duality gap is the certified bound
    ``f(x*) - f* <= p.f_star_accuracy`` (1e-10 to 1e-8 on 500 x 50 instances; the library has no exact route for
    this nonsmooth problem).  Costlier than a short run: runs leave ``gap`` empty until ``p.f_star`` is asked for.
    """
    A, y = _check_rows(A, y, "y")
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError("y: labels must be -1 or +1")
    return LinearModel(A, y, loss="hinge", regularizer=Ball(radius), x0=x0, name=name, solver=_hinge_solution,
                       cheap_optimum=False)


def _hinge_solution(problem):
    import cvxpy as cp

    A = problem.A.toarray() if sp.issparse(problem.A) else problem.A
    y, n, R = problem.b, problem.n, problem.regularizer.scalar
    x, t = cp.Variable(problem.dim), cp.Variable(n)
    margins = t >= 1 - cp.multiply(y, A @ x)
    cp.Problem(cp.Minimize(cp.sum(t) / n), [margins, t >= 0, cp.norm(x) <= R]).solve(solver=cp.CLARABEL)
    if x.value is None:
        raise RuntimeError(f"hinge: cvxpy could not solve {problem.name!r}")
    xs = problem.regularizer.prox(np.asarray(x.value, dtype=float), 1.0)
    alpha = np.clip(np.asarray(margins.dual_value, dtype=float), 0.0, 1.0 / n)
    dual = float(alpha.sum() - R * np.linalg.norm(A.T @ (alpha * y)))
    fx = problem.objective(xs)
    problem._f_star_accuracy = max(fx - dual, 0.0)
    return xs, fx


# --- worst-case instances (catalogue P7) -------------------------------------------
def huber_worst_case(L, R, horizon):
    r"""The Huber function on which gradient descent attains its tight bound (catalogue P7).

    ``f(x) = L R |x|/(2N+1) - L R^2/(2(2N+1)^2)`` for ``|x| >= R/(2N+1)`` and
    ``(L/2) x^2`` otherwise.  From ``x0 = R`` with step ``1/L``, N steps stay in
    the linear region and give ``f(x_N) = L R^2/(4N+2)``, the bound of
    Drori-Teboulle/Taylor et al. with ``L gamma = 1``.  Stored as ``L * huber_delta(x)``,
    ``delta = R/(2N+1)``.  ``x* = 0``, ``f* = 0`` exactly (given).
    """
    L = as_scalar(L, "L", positive=True)
    R = as_scalar(R, "R", positive=True)
    N = as_int(horizon, "horizon", minimum=1)
    delta = R / (2 * N + 1)
    return LinearModel(np.ones((1, 1)), np.zeros(1), loss="huber", loss_param=delta, weight=L, x0=[R],
                       x_star=[0.0], f_star=0.0, name=f"huber_worst_case(N={N})")


def subgradient_worst_case(M, R, horizon):
    r"""``f(x) = M max(x_1, ..., x_{N+1}, 0)`` in dimension ``N+1``, from ``x0 = R/sqrt(N+1) * 1``.

    With the constant step ``R/(M sqrt(N+1))`` and ties broken at the first index,
    the subgradient method zeroes one coordinate per step, so every iterate up to
    ``x_N`` has ``f = M R/sqrt(N+1)``: the bound ``min_t f(x_t) - f* <= M R/sqrt(N+1)``
    is attained.  ``x* = 0`` is the minimizer nearest ``x0`` (``||x0 - x*|| = R``), ``f* = 0`` exactly (given).
    """
    M = as_scalar(M, "M", positive=True)
    R = as_scalar(R, "R", positive=True)
    N = as_int(horizon, "horizon", minimum=0)
    m = N + 1
    A = sp.vstack([M * sp.identity(m, format="csr"), sp.csr_matrix((1, m))], format="csr")
    return LinearModel(A, np.zeros(m + 1), loss="affine", reduce="max", weight=1.0, x0=np.full(m, R / np.sqrt(m)),
                       x_star=np.zeros(m), f_star=0.0, name=f"subgradient_worst_case(N={N})")


def gd_quadratic_worst_case(L, mu, step, horizon, D0=1.0):
    r"""Quadratic attaining the GD-on-quadratics bound of catalogue 1.6 at horizon N.

    ``lam(1 - step lam)^{2N}`` over ``[mu, L]`` is maximal at ``alpha L`` with
    ``alpha = proj_[mu/L, 1](1/(L step (2N+1)))`` or at ``L``; the spectrum is
    ``{mu, alpha L, L}`` and ``x0 - x*`` lies along the eigenvector of the maximiser.  ``x* = 0``, ``f* = 0``
    exactly (given).
    """
    L = as_scalar(L, "L", positive=True)
    mu = as_scalar(mu, "mu", nonnegative=True)
    step = as_scalar(step, "step", positive=True)
    N = as_int(horizon, "horizon", minimum=0)
    alpha = min(max(1.0 / (L * step * (2 * N + 1)), mu / L), 1.0)
    lam_a, lam_L = alpha * L, L
    worst = lam_a if lam_a * (1 - step * lam_a) ** (2 * N) >= lam_L * (1 - step * lam_L) ** (2 * N) else lam_L
    spectrum = np.array([mu, worst, L if worst != L else alpha * L])
    A = np.diag(np.sqrt(spectrum))
    x0 = np.array([0.0, D0, 0.0])
    return LinearModel(A, np.zeros(3), loss="squared", weight=1.0, x0=x0, x_star=np.zeros(3), f_star=0.0,
                       name=f"gd_quadratic_worst_case(N={N})")


def prox_grad_worst_case(L, mu, step, D0=1.0, box_half_width=10.0):
    r"""Quadratic on an inactive box where projected/proximal gradient contracts at exactly
    ``max(|1 - L step|, |1 - mu step|)`` per step (catalogue 1.6): ``x0 - x*`` lies along the
    eigenvector (curvature ``mu`` or ``L``) that attains the max.  The box is inactive: ``x* = 0``, ``f* = 0``
    exactly (given).
    """
    L = as_scalar(L, "L", positive=True)
    mu = as_scalar(mu, "mu", nonnegative=True)
    step = as_scalar(step, "step", positive=True)
    worst_is_L = abs(1 - L * step) > abs(1 - mu * step)
    A = np.diag(np.sqrt([mu, L]))
    x0 = np.array([0.0, D0]) if worst_is_L else np.array([D0, 0.0])
    box = Box(np.full(2, -box_half_width), np.full(2, box_half_width))
    return LinearModel(A, np.zeros(2), loss="squared", weight=1.0, regularizer=box, x0=x0, x_star=np.zeros(2),
                       f_star=0.0, name="prox_grad_worst_case")


# --- real data bundled with scikit-learn -------------------------------------------
def _standardize(X):
    X = np.asarray(X, dtype=float)
    sd = X.std(axis=0)
    sd[sd == 0] = 1.0
    return (X - X.mean(axis=0)) / sd


def breast_cancer(lam=1e-2):
    """Logistic regression on scikit-learn's breast cancer data (569 x 30, standardized); ``x*`` by Newton's
    method to ``||grad f|| < 1e-13`` (certified: ``f(x*) - f* <= ||grad f||^2/(2 lam)``, ``p.f_star_accuracy``)."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    y = np.where(data.target == 1, 1.0, -1.0)
    return logistic(_standardize(data.data), y, lam, name="breast_cancer_logistic")


def diabetes(l2=0.0):
    """Least squares on scikit-learn's diabetes data (442 x 10, standardized, centred target); ``x*`` by the normal
    equations (``lstsq``), exact to rounding."""
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    y = data.target - data.target.mean()
    y = y / y.std()
    return least_squares(_standardize(data.data), y, l2=l2, name="diabetes_least_squares")


def sparse_regression(n=200, p=1000, s=10, *, penalty="scad", lam=None, param=None, split=True, rho=0.5, snr=3.0,
                      seed=0, name=None):
    r"""High-dimensional sparse regression with a nonconvex penalty (catalogue 3.7).

    Design rows ``N(0, Sigma)`` with Toeplitz ``Sigma_ij = rho^|i-j|``, a true ``beta`` with ``s``
    nonzeros (+-1 to +-2, spread over the coordinates), noise scaled to the signal-to-noise ratio
    ``snr``.  ``Psi(beta) = ||y - X beta||^2/(2n) + sum_j p_lam(beta_j)`` with SCAD (``param`` = a,
    default 3.7) or MCP (``param`` = gamma, default 3); ``lam`` defaults to
    ``sqrt(2 log p / n) * sigma``.

    ``split=True``: ``f = loss + sum_j q(beta_j)`` (smooth, nonconvex, ``L = L_loss + 1/(a-1)`` or
    ``+ 1/gamma``) and ``g = lam ||.||_1`` (for the accelerated method); ``split=False``: ``f`` the
    loss and ``g`` the full penalty with its thresholding prox (the proximal-gradient baseline).
    The true coefficients are ``problem.beta_true``; there is no f* (the problem is nonconvex).
    """
    from .sets import MCP, SCAD

    rng = _rng(seed)
    n, p, s = as_int(n, "n", minimum=1), as_int(p, "p", minimum=1), as_int(s, "s", minimum=1)
    if s > p:
        raise ValueError(f"s: the support size must not exceed p = {p}, got {s}")
    rho = as_scalar(rho, "rho", nonnegative=True, upper=0.999)
    if penalty not in ("scad", "mcp"):
        raise ValueError(f"penalty: unknown value {penalty!r}; valid: mcp, scad")
    param = (3.7 if penalty == "scad" else 3.0) if param is None else as_scalar(param, "param", positive=True)
    idx = np.arange(p)
    Sigma = rho ** np.abs(idx[:, None] - idx[None, :])
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(Sigma).T
    beta = np.zeros(p)
    support = np.sort(rng.choice(p, size=s, replace=False))
    beta[support] = rng.choice([-1.0, 1.0], size=s) * rng.uniform(1.0, 2.0, size=s)
    signal = X @ beta
    sigma = float(np.std(signal) / as_scalar(snr, "snr", positive=True))
    y = signal + sigma * rng.standard_normal(n)
    lam = float(np.sqrt(2 * np.log(p) / n) * sigma) if lam is None else as_scalar(lam, "lam", positive=True)
    reg = L1(lam) if split else (SCAD(lam, param) if penalty == "scad" else MCP(lam, param))
    prob = LinearModel(X, y, loss="squared", regularizer=reg, penalty=(penalty, lam, param) if split else None,
                       x0=np.zeros(p), name=name or f"sparse_regression_{penalty}({'split' if split else 'full'})",
                       solver=_no_optimum)
    prob.beta_true = beta
    return prob


def _no_optimum(problem):
    """Nonconvex problems have no certified optimum: gaps are not recorded."""
    return None, None
