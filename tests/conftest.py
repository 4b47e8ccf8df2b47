"""Shared fixtures: one small problem of every kind, for the conformance suite."""
import numpy as np
import pytest
import scipy.sparse as sp

import pyoptheory as po
from pyoptheory import problems as P


def _smooth():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((40, 8))
    return P.least_squares(A, A @ rng.standard_normal(8) + 0.1 * rng.standard_normal(40))


def _composite():
    return P.lasso_certified(30, 10, 0.1, seed=1)


def _constrained():
    """Sparse least squares on a box (a constraint every constrained method handles, coordinate descent
    included; the simplex projection has its own tests in test_problems.py and test_metamorphic.py)."""
    rng = np.random.default_rng(2)
    A = sp.random(50, 12, density=0.4, random_state=3, format="csr")
    return P.least_squares(A, rng.standard_normal(50), constraint=P.Box(np.full(12, -0.2), np.full(12, 0.3)))


def _nonsmooth():
    """Least absolute deviations, a nonsmooth finite sum (deterministic and stochastic methods take it)."""
    from pyoptheory.problems.linear import LinearModel

    rng = np.random.default_rng(4)
    A = rng.standard_normal((15, 6))
    return LinearModel(A, A @ rng.standard_normal(6) + 0.1 * rng.standard_normal(15), loss="absolute",
                       name="least_absolute_deviations", x0=np.ones(6))


def _nonsmooth_constrained():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((25, 7))
    y = np.sign(A @ rng.standard_normal(7) + 0.3 * rng.standard_normal(25))
    y[y == 0] = 1.0
    return P.hinge(A, y, radius=1.0)


def _black_box():
    """A shifted, rotated Rastrigin in 3-D: values only (the particle and zeroth-order methods take it)."""
    from scipy.stats import special_ortho_group

    R = special_ortho_group.rvs(3, random_state=6)
    return P.rastrigin(3, shift=[0.3, -0.2, 0.1], rotation=R, offset=1.5)


def _online():
    """Quadratic losses with a switching mean and bounded noise (an SEA environment)."""
    return po.online.sea(5, loss="quadratic", regime="switching", noise=0.3, period=7)


def _fractional():
    """A fractional program with a concave denominator on a box (its global optimum is known)."""
    return P.fractional_quadratic(6, denominator="concave", lam=0.1, seed=7)


def _bilevel():
    """The closed-form quadratic bilevel problem (psi, psi_sigma and their gradients exact)."""
    from pyoptheory import bilevel

    return bilevel.quadratic(4, 6, rho=0.1, seed=8)


def _multiblock_bilevel():
    """Eight two-feature ridge lower levels sharing their hyperparameters (the blockwise method's problem;
    two upper variables, so psi* is computed)."""
    from pyoptheory import bilevel

    return bilevel.multi_block_ridge(8, 30, 30, 2, seed=9)


def _stochastic_zo():
    """The stochastic norm ||x|| + <xi, x> in 6 dimensions (GFM's problem; Goldstein stationarity in closed form)."""
    from pyoptheory.zeroth import StochasticNorm

    return StochasticNorm(6, radius=0.5)


KIND_FACTORIES = {"smooth": _smooth, "composite": _composite, "constrained": _constrained,
                  "nonsmooth": _nonsmooth, "nonsmooth_constrained": _nonsmooth_constrained, "black_box": _black_box,
                  "online": _online, "fractional": _fractional,
                  "bilevel": _bilevel, "multiblock_bilevel": _multiblock_bilevel,
                  "stochastic_zo": _stochastic_zo}


def method_kind_pairs():
    return [(name, kind) for name, spec in po.methods().items() for kind in spec.accepts]


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory):
    """Tests never write to the user's cache folder."""
    import os

    old = os.environ.get("PYOPTHEORY_CACHE_DIR")
    os.environ["PYOPTHEORY_CACHE_DIR"] = str(tmp_path_factory.mktemp("pyoptheory-cache"))
    yield
    if old is None:
        os.environ.pop("PYOPTHEORY_CACHE_DIR", None)
    else:
        os.environ["PYOPTHEORY_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def problem_of_kind():
    cache = {}

    def get(kind):
        if kind not in cache:
            p = cache[kind] = KIND_FACTORIES[kind]()
            getattr(p, "f_star", None)  # the suite checks gaps: the optimum is asked for (runs never compute a
            # costly one themselves)
        return cache[kind]
    return get


def pytest_terminal_summary(terminalreporter):
    """The fuzz suite's counts (tests/test_fuzz.py), when it ran."""
    import sys

    fuzz = sys.modules.get("test_fuzz")
    if fuzz is not None and fuzz.COUNTS["cases"]:
        c = fuzz.COUNTS
        terminalreporter.write_line(f"fuzz: {c['cases']} cases in worker processes: {c['rejected']} rejected with a "
                                    f"named ValueError/TypeError or accepted ({c['ok']} sane results), "
                                    f"{c['crash']} crashes, {c['bad']} insane results")
