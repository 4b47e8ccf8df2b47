"""Ground truth without the wait: the lasso's F* by the library's own certified solver, against scikit-learn.

The case of issue 19: scikit-learn's digits, constant pixels dropped, degree-2 polynomial features (no bias),
constant columns dropped, standardized; alpha = 0.05 alpha_max.  Prints the time to build the problem, to compute
F* (working-set coordinate descent to a duality gap of 1e-12, then the active-set polish; it was a cvxpy solve of
100-110 s), to run ``bcd_ws`` to scikit-learn's final objective, and to build the problem and run 100 steps of
``bcd``, each next to scikit-learn's ``Lasso`` fit (tol 1e-6) timed in the same process.  Ratios are printed,
never asserted.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_ground_truth.py
"""
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import Lasso
from sklearn.preprocessing import PolynomialFeatures

import pyoptheory as po


def digits_poly():
    X, y = load_digits(return_X_y=True)
    X = X[:, X.std(0) > 0]
    X = PolynomialFeatures(2, include_bias=False).fit_transform(X)
    X = X[:, X.std(0) > 0]
    X = (X - X.mean(0)) / X.std(0)
    return X, (y - y.mean()) / y.std()


def best(fn, repeat=3):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main():
    X, y = digits_poly()
    n = X.shape[0]
    alpha = 0.05 * np.abs(X.T @ y).max() / n
    t_sk, model = best(lambda: Lasso(alpha=alpha, fit_intercept=False, tol=1e-6, max_iter=100_000).fit(X, y))
    t_build, p = best(lambda: po.problems.lasso(X, y, alpha))
    t_fstar, _ = best(lambda: po.problems.lasso(X, y, alpha).f_star)
    target = p.objective(model.coef_)

    def to_sklearn():
        q = po.problems.lasso(X, y, alpha)
        return po.solve(q, "bcd_ws", steps=1000, gap_tol=max(target - q.f_star, 1e-15), seed=0)

    t_ws, res = best(to_sklearn)

    def hundred_bcd():
        q = po.problems.lasso(X, y, alpha)
        return po.solve(q, "bcd", rule="gs", steps=100, seed=0)

    t_bcd, _ = best(hundred_bcd)
    print(f"design {X.shape}, alpha = 0.05 alpha_max = {alpha:.4g}")
    print(f"scikit-learn Lasso (tol 1e-6)            {t_sk:8.3f} s   objective - F* = {target - p.f_star:.2e}")
    print(f"build problems.lasso                      {t_build:8.4f} s")
    print(f"F* (bcd_ws, certified gap 1e-12 + polish) {t_fstar:8.3f} s   ratio to scikit-learn {t_fstar / t_sk:5.2f}")
    print(f"build + bcd_ws to scikit-learn's objective {t_ws:7.3f} s   ratio {t_ws / t_sk:5.2f} "
          f"(F* included: the gap target needs it)")
    print(f"build + 100 steps of bcd (default trace)   {t_bcd:7.3f} s   ratio {t_bcd / t_sk:5.2f} "
          f"(no F*: the lasso's optimum is never computed by a run)")


if __name__ == "__main__":
    main()
