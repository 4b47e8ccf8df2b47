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

from .._validation import as_float_array, as_int, as_scalar, choose, MAX_DIM
from .. import random_stream as rs
from ..problems.base import Constants, Problem

LOSSES = {"linear": 0, "quadratic": 1}
DOMAINS = ("ball", "simplex", "box")
REGIMES = {"stochastic": 0, "fixed": 0, "switching": 1, "drift": 2}
#: Purpose tag of the environment's noise in the Philox counter.
STREAM_ENV = 2


def project_ball(x, radius):
    """The Euclidean projection onto the ball ``||x|| <= radius``."""
    n = np.sqrt(x @ x)
    return x if n <= radius else x * (radius / n)


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


class Environment(Problem):
    """The protocol of an online environment on the Euclidean ball ``||x|| <= radius``.

    Subclasses give ``loss_at(t, x, seed)`` and ``grad_at(t, x, seed)`` (round ``t >= 1`` of the realization
    ``seed``; oblivious: they must not depend on earlier plays), ``constants`` with ``G`` (a bound on every
    gradient, checked during runs) and ``D = 2 radius``, and may override ``best_in_hindsight(t, seed)``
    (``min_{||u|| <= radius} sum_{s<=t} f_s(u)``; by default a numerical solve) and ``total_loss``.
    Learners run against it with :func:`pyoptheory.solve` on the NumPy path; built-in environments
    (:class:`SEAEnvironment`) also run in C++.
    """

    domain = "ball"

    def __init__(self, dim, radius, name, x0=None):
        self.radius = as_scalar(radius, "radius", positive=True)
        super().__init__(dim, kind="online", name=name, x0=np.zeros(dim) if x0 is None else x0)

    def loss_at(self, t, x, seed):
        raise NotImplementedError

    def grad_at(self, t, x, seed):
        raise NotImplementedError

    def f(self, x):
        """A summary objective (the average expected loss) where the environment defines one; else NaN."""
        return np.nan

    def project(self, x):
        return project_ball(np.asarray(x, dtype=float), self.radius)

    def feasible(self, x, tol=1e-9):
        return bool(np.linalg.norm(x) <= self.radius * (1 + tol) + tol)

    def total_loss(self, t, u, seed):
        """``sum_{s<=t} f_s(u)``."""
        return float(sum(self.loss_at(s, u, seed) for s in range(1, t + 1)))

    def best_in_hindsight(self, t, seed):
        """``min_{||u|| <= radius} sum_{s<=t} f_s(u)``, by projected gradient with a backtracking step
        (convex losses); subclasses with a closed form or a better solver override it."""
        u = np.zeros(self.dim)
        val = self.total_loss(t, u, seed)
        step = 1.0
        for _ in range(500):
            g = sum(np.asarray(self.grad_at(s, u, seed), float) for s in range(1, t + 1))
            while True:
                v = self.project(u - step * g)
                new = self.total_loss(t, v, seed)
                if new <= val + g @ (v - u) + (v - u) @ (v - u) / (2 * step) or step < 1e-12:
                    break
                step *= 0.5
            done = abs(val - new) <= 1e-13 * max(1.0, abs(val))
            u, val = v, new
            step *= 2.0
            if done:
                break
        return val


class SEAEnvironment(Environment):
    """An SEA environment on a Euclidean ball (see the module docstring).

    As a problem, ``f(x) = (1/T) sum_{t<=T} F_t(x)`` over the default horizon ``T`` is the average
    expected loss (what a fixed play would pay), with its minimum in closed form, exact: with ``c`` the mean of
    ``c_1 .. c_T``, the best vertex on the simplex, ``-R c/||c||`` (ball) or ``-R sign(c)`` (box) for linear
    losses, the projection of ``c`` for quadratic ones.
    """

    def __init__(self, dim, *, loss="linear", regime="stochastic", mean=None, noise=0.0, period=10, omega=0.1,
                 radius=1.0, horizon=1000, domain="ball", name=None):
        dim = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
        self.loss = choose(loss, "loss", tuple(LOSSES))
        self.domain = choose(domain, "domain", DOMAINS)
        if self.domain == "simplex" and (self.loss != "linear" or dim < 2):
            raise ValueError("domain: the simplex takes linear losses (experts) in dim >= 2")
        # the box is [-radius, radius]^d
        self.regime = choose(regime, "regime", tuple(REGIMES))
        mean = np.full(dim, 1.0 / np.sqrt(dim)) if mean is None else as_float_array(mean, "mean", shape=(dim,))
        self.mean = mean
        self.noise = 0.0 if self.regime == "fixed" else as_scalar(noise, "noise", nonnegative=True)
        self.period = as_int(period, "period", minimum=1)
        self.omega = as_scalar(omega, "omega")
        self.horizon = as_int(horizon, "horizon", minimum=1)
        if self.regime == "drift" and dim < 2:
            raise ValueError("dim: the drift regime turns the mean in a plane: dim >= 2")
        if self.loss == "linear" and self.noise == 0.0 and not np.any(self.mean):
            raise ValueError("mean, noise: linear losses with a zero mean and no noise are identically zero (G = 0)")
        super().__init__(dim, radius, name or f"sea_{self.loss}_{self.regime}" + ("_simplex" if self.domain == "simplex"
                                                                                 else ""))
        if self.domain == "simplex":
            self._x0 = np.full(dim, 1.0 / dim)

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
        """``xi_t = s zeta_t / sqrt(d)`` (``||xi_t||_2 = s``; on the simplex ``s zeta_t``, ``||xi_t||_inf = s``)."""
        if self.noise == 0.0:
            return np.zeros(self.dim)
        scale = self.noise if self.domain == "simplex" else self.noise / np.sqrt(self.dim)  # ||xi||_2 = s on ball, box
        return scale * rademacher(seed, int(t), self.dim)

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
        """``Sigma^2_{1:T} = sum_{t<=T} ||c_t - c_{t-1}||^2``, ``c_0 = 0`` (summed exactly; the dual norm
        ``||.||_inf`` on the simplex)."""
        T = as_int(T, "T", minimum=0)
        if T == 0:
            return 0.0
        C = self.mean_at(np.arange(1, T + 1))
        diffs = np.diff(np.vstack([np.zeros(self.dim), C]), axis=0)
        if self.domain == "simplex":
            return float((np.abs(diffs).max(axis=1) ** 2).sum())
        return float(np.einsum("ij,ij->", diffs, diffs))

    def Sigma2_max(self, T):
        """``Sigma^2_max = max_{t<=T} ||c_t - c_{t-1}||^2`` (``c_0 = 0``)."""
        T = as_int(T, "T", minimum=1)
        C = self.mean_at(np.arange(1, T + 1))
        diffs = np.diff(np.vstack([np.zeros(self.dim), C]), axis=0)
        norms = np.abs(diffs).max(axis=1) ** 2 if self.domain == "simplex" else np.einsum("ij,ij->i", diffs, diffs)
        return float(norms.max())

    def _compute_constants(self):
        if self.domain == "simplex":  # dual norm inf; D^2 / 2 = log d bounds KL(u || uniform)
            G = float(np.abs(self.mean).max() if self.regime != "drift" else np.linalg.norm(self.mean)) + self.noise
            return Constants({"G": G, "D": float(np.sqrt(2.0 * np.log(self.dim))), "L": 0.0, "mu": 0.0,
                              "dim": float(self.dim), "noise": self.noise},
                             {"G": "exact bound: max_t ||c_t||_inf + s", "D": "exact: sqrt(2 log d), the entropy "
                              "diameter", "L": "exact", "mu": "exact", "dim": "exact", "noise": "exact: ||xi||_inf = s"})
        cmax = float(np.linalg.norm(self.mean))
        xmax = self.radius * (np.sqrt(self.dim) if self.domain == "box" else 1.0)  # the largest ||x|| in the set
        G = cmax + self.noise + (xmax if self.loss == "quadratic" else 0.0)
        vals = {"G": G, "D": 2.0 * xmax, "L": 0.0 if self.loss == "linear" else 1.0,
                "mu": 0.0 if self.loss == "linear" else 1.0, "dim": float(self.dim), "noise": self.noise}
        unavailable = {}
        if self.loss == "quadratic":  # Hessian I >= (1/G^2) g g^T: exp(-f / G^2) is concave
            vals["exp_concavity"] = 1.0 / G**2
        else:
            unavailable["exp_concavity"] = "linear losses are not exp-concave"
        how = {"G": "exact: max_t ||c_t|| + s" + (" + max ||x||" if self.loss == "quadratic" else ""),
               "D": "exact: 2 R" + (" sqrt(d) (the box's diagonal)" if self.domain == "box" else ""),
               "L": "exact", "mu": "exact", "dim": "exact", "noise": "exact: ||xi_t|| = s"}
        how["exp_concavity"] = "exact: 1 / G^2 (the Hessian is I)"
        return Constants(vals, how, unavailable=unavailable)

    # --- as a problem: the average expected loss over the default horizon ---------------------------------
    _VOLATILE = Environment._VOLATILE + ("_path",)

    def _means(self):
        """``c_1 .. c_horizon`` (computed once: the summary objective ``f`` is evaluated at every checkpoint)."""
        if getattr(self, "_path", None) is None:
            self._path = self.mean_at(np.arange(1, self.horizon + 1))
        return self._path

    def _mean_path(self):
        return self._means().mean(axis=0)

    def f(self, x):
        x = np.asarray(x, dtype=float)
        cbar = self._mean_path()
        if self.loss == "linear":
            return float(cbar @ x)
        C = self._means()
        return float(0.5 * np.mean(np.einsum("ij,ij->i", x - C, x - C)) + 0.5 * self.noise**2)

    def project(self, x):
        if self.domain == "simplex":
            from ..problems.sets import project_simplex

            return project_simplex(np.asarray(x, dtype=float))
        if self.domain == "box":
            return np.clip(np.asarray(x, dtype=float), -self.radius, self.radius)
        return super().project(x)

    def feasible(self, x, tol=1e-9):
        x = np.asarray(x, dtype=float)
        if self.domain == "simplex":
            return bool(np.all(x >= -tol) and abs(x.sum() - 1.0) <= tol * self.dim)
        if self.domain == "box":
            return bool(np.all(np.abs(x) <= self.radius * (1 + tol) + tol))
        return super().feasible(x, tol)

    def _solve(self):
        cbar = self._mean_path()
        if self.domain == "simplex":
            x = np.zeros(self.dim)
            x[int(np.argmin(cbar))] = 1.0
            return x, self.f(x)
        if self.loss == "linear" and self.domain == "box":
            x = -self.radius * np.sign(cbar)
        elif self.loss == "linear":
            n = np.linalg.norm(cbar)
            x = -self.radius * cbar / n if n > 0 else np.zeros(self.dim)
        else:
            x = self.project(cbar)
        return x, self.f(x)

    def kernel_spec(self):
        """Arguments of the C++ round loop: ``(loss, regime, mean, noise, period, omega, radius, domain)``."""
        return (LOSSES[self.loss], REGIMES[self.regime], np.ascontiguousarray(self.mean), self.noise, self.period,
                self.omega, self.radius, DOMAINS.index(self.domain))


def sea(dim, loss="linear", regime="stochastic", mean=None, noise=0.0, period=10, omega=0.1, radius=1.0,
        horizon=1000, domain="ball"):
    """An SEA environment: linear or quadratic losses on the ball of ``radius``, a mean path (``regime``)
    and bounded noise of norm ``noise`` (each run's ``seed`` draws its own noise); ``domain="simplex"``:
    linear losses on the probability simplex (prediction with experts; the learners use the negative-entropy
    mirror map, exponentiated gradient); see :mod:`pyoptheory.online.environments`.

    ``x*`` and ``f*`` (of the average expected loss over ``horizon``) in closed form, exact
    (:class:`SEAEnvironment`)."""
    return SEAEnvironment(dim, loss=loss, regime=regime, mean=mean, noise=noise, period=period, omega=omega,
                          radius=radius, horizon=horizon, domain=domain)


class LogisticStream(Environment):
    r"""Online logistic regression: round ``t`` reveals one example ``(a, y)`` of a data set and
    ``f_t(x) = log(1 + exp(-y <a, x>))`` on the ball ``||x|| <= radius``.

    ``order="random"``: each pass over the data in a fresh random order (``default_rng((seed, pass))``);
    ``"sorted"``: an adversarial order, all examples of one label first, each label sorted by ``y <a, w>``
    along the least-squares direction ``w`` (the hardest first), the same for every seed.  ``G = max ||a_i||``
    (``|d/dz log(1 + e^-z)| <= 1``), ``L = max ||a_i||^2 / 4``; sigma^2 and Sigma^2 of the SEA model are not
    computed for a data stream.  As a problem, ``f`` is the average loss over the data set; its minimum over the
    ball is one cvxpy solve (default solver, CLARABEL here; solution projected onto the ball) with no certificate
    (Frank-Wolfe gaps 4e-12 to 1.2e-6 measured).  :meth:`best_in_hindsight` is another such solve at each checkpoint.
    """

    def __init__(self, A, y, radius=1.0, order="random", name="logistic_stream"):
        A = as_float_array(A, "A", ndim=2)
        y = as_float_array(y, "y", shape=(A.shape[0],))
        if not np.all(np.isin(y, (-1.0, 1.0))):
            raise ValueError("y: labels must be -1 or 1")
        self.A, self.y = A, y
        self.order = choose(order, "order", ("random", "sorted"))
        super().__init__(A.shape[1], radius, name)
        if self.order == "sorted":
            w = np.linalg.lstsq(A, y, rcond=None)[0]
            margin = y * (A @ w)
            self._sorted = np.lexsort((margin, y))

    def index(self, t, seed):
        """The example revealed in round ``t`` of the realization ``seed``."""
        n = self.A.shape[0]
        p, i = divmod(int(t) - 1, n)
        if self.order == "sorted":
            return int(self._sorted[i])
        return int(np.random.default_rng((int(seed), p)).permutation(n)[i])

    def loss_at(self, t, x, seed):
        i = self.index(t, seed)
        return float(np.logaddexp(0.0, -self.y[i] * (self.A[i] @ x)))

    def grad_at(self, t, x, seed):
        i = self.index(t, seed)
        z = self.y[i] * (self.A[i] @ x)
        return -self.y[i] * self.A[i] / (1.0 + np.exp(z))

    def _examples(self, t, seed):
        idx = [self.index(s, seed) for s in range(1, t + 1)]
        return self.A[idx], self.y[idx]

    def total_loss(self, t, u, seed):
        A, y = self._examples(t, seed)
        return float(np.logaddexp(0.0, -y * (A @ u)).sum())

    def best_in_hindsight(self, t, seed):
        """``min_{||u|| <= radius} sum_{s<=t} f_s(u)`` by cvxpy (exponential cone, default solver, no certificate):
        the smaller of the solver's value and the loss at its solution projected onto the ball."""
        import cvxpy as cp

        A, y = self._examples(t, seed)
        u = cp.Variable(self.dim)
        prob = cp.Problem(cp.Minimize(cp.sum(cp.logistic(-cp.multiply(y, A @ u)))), [cp.norm(u, 2) <= self.radius])
        prob.solve()
        return min(float(prob.value), self.total_loss(t, self.project(u.value), seed))

    def f(self, x):
        return float(np.mean(np.logaddexp(0.0, -self.y * (self.A @ np.asarray(x, float)))))

    def _solve(self):
        import cvxpy as cp

        u = cp.Variable(self.dim)
        cp.Problem(cp.Minimize(cp.sum(cp.logistic(-cp.multiply(self.y, self.A @ u))) / self.A.shape[0]),
                   [cp.norm(u, 2) <= self.radius]).solve()
        x = self.project(u.value)
        return x, self.f(x)

    def _compute_constants(self):
        norms = np.linalg.norm(self.A, axis=1)
        why = "not computed for a data stream (the SEA quantities need the law of each round)"
        return Constants({"G": float(norms.max()), "D": 2.0 * self.radius, "L": float(norms.max() ** 2 / 4),
                          "dim": float(self.dim)},
                         {"G": "exact: max ||a_i||", "D": "exact: 2 radius", "L": "exact: max ||a_i||^2 / 4",
                          "dim": "exact"}, unavailable={"sigma2": why, "Sigma2": why})


def logistic_stream(data="breast_cancer", radius=1.0, order="random"):
    """Online logistic regression on scikit-learn's breast-cancer data (features standardized, each row scaled
    to norm at most 1, labels in {-1, 1}), streamed in a ``"random"`` or adversarially ``"sorted"`` order;
    or on ``data=(A, y)``.

    ``f*`` and the comparator in hindsight by cvxpy, uncertified (gaps up to ~1e-6; see :class:`LogisticStream`)."""
    if isinstance(data, str):
        if data != "breast_cancer":
            raise ValueError(f"data: unknown data set {data!r}; valid: breast_cancer, or a pair (A, y)")
        from sklearn.datasets import load_breast_cancer

        X, labels = load_breast_cancer(return_X_y=True)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        X /= np.linalg.norm(X, axis=1).max()
        return LogisticStream(X, 2.0 * labels - 1.0, radius=radius, order=order, name=f"logistic_{order}")
    A, y = data
    return LogisticStream(A, y, radius=radius, order=order)
