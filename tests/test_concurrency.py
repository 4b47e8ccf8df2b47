"""Two solves in two threads on one problem give the serial results, and never mutate the problem."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import problems as P

CASES = [("gd", {}), ("agd", {}), ("sgd", {"step": 1e-3}), ("bcd", {"rule": "gs"}), ("zo_rgf", {})]


def _problem(method):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((400, 30))
    p = P.least_squares(A, A @ rng.standard_normal(30) + 0.1 * rng.standard_normal(400))
    return P.finite_sum(p, 4) if method == "sgd" else p


@pytest.mark.parametrize("method, opts", CASES)
@pytest.mark.parametrize("backend", ["cpp", "numpy"])
def test_threads_give_the_serial_results(method, opts, backend):
    p = _problem(method)
    fingerprint = p.fingerprint()
    serial = [po.solve(p, method, steps=300, seed=s, backend=backend, **opts) for s in (1, 2)]
    with ThreadPoolExecutor(2) as pool:
        threaded = list(pool.map(lambda s: po.solve(p, method, steps=300, seed=s, backend=backend, **opts), (1, 2)))
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.trace["fun"], b.trace["fun"])
    assert p.fingerprint() == fingerprint


def test_lazy_optimum_is_computed_once_under_threads():
    calls = []
    rng = np.random.default_rng(1)
    A = rng.standard_normal((60, 40))
    p = P.lasso(A, A[:, :3] @ np.ones(3), 0.05)
    original = p._solver

    def counting(problem):
        calls.append(1)
        return original(problem)

    p._solver = counting
    with ThreadPoolExecutor(4) as pool:
        values = list(pool.map(lambda _: p.f_star, range(8)))
    assert len(calls) == 1 and len(set(values)) == 1
