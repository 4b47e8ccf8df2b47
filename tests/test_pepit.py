"""PEPit's worst cases: the shipped table against known closed forms, the interpolated functions against the
table, and the checks built on them."""
import numpy as np
import pytest

import pyoptheory as po
from pyoptheory.problems.interpolated import InterpolatedProblem
from pyoptheory.theory import pep
from pyoptheory.theory.pep import _subgradient_steps

TABLE = pep.table()


def test_the_table_covers_every_setup_at_every_horizon():
    assert set(pep.setups()) <= set(TABLE)
    for name in pep.setups():
        assert sorted(TABLE[name]) == list(pep.HORIZONS), name


@pytest.mark.parametrize("N", pep.HORIZONS)
def test_table_values_against_closed_forms(N):
    """Tight values known in closed form (Drori & Teboulle 2014; Taylor, Hendrickx & Glineur 2017/2018; PEPit's
    docstrings), to the SDP's accuracy."""
    rel = 1e-5
    assert pep.value("gd", N) == pytest.approx(1 / (4 * N + 2), rel=rel)
    assert pep.value("proximal_gd", N) == pytest.approx(1 / (4 * N), rel=rel)
    assert pep.value("projected_gd", N) == pytest.approx(1 / (4 * N), rel=rel)
    assert pep.value("subgradient.best.x1", N) == pytest.approx(1 / np.sqrt(N + 1), rel=rel)
    assert pep.value("subgradient.average.x1", N) == pytest.approx(1 / np.sqrt(N), rel=rel)
    assert pep.value("agd.simple", N) == pytest.approx(2 / (N * N + 5 * N + 6), rel=rel)
    assert pep.value("fista.simple", N) == pytest.approx(2 / (N * N + 5 * N + 2), rel=rel)
    assert pep.value("proximal_gd.strongly_convex", N) == pytest.approx(0.81**N, rel=rel)  # max(1-L, 1-mu)^(2N)


def test_table_values_quoted_in_pepit_docstrings():
    assert pep.value("fista", 4) == pytest.approx(0.0517, abs=5e-5)  # accelerated_proximal_gradient, L = 1, n = 4
    assert pep.value("agd.strongly_convex", 2) == pytest.approx(0.3476, abs=5e-5)  # mu = .1, L = 1, n = 2
    assert pep.value("heavy_ball.strongly_convex", 2) == pytest.approx(0.7535, abs=5e-5)  # alpha = 1/2


def _run(name, N):
    """The library's method, as the setup prescribes, on PEPit's interpolated worst case."""
    s = pep.setups()[name]
    p = pep.worst_case_problem(name, N)
    if s.method == "gradient":
        r = po.solve(p, name.split(".")[0], steps=N, step=1.0, backend="numpy")
        if s.metric == "dist2":
            return float(np.sum((r.x - p.x_star) ** 2))
    elif s.method == "accelerated" and "mu" in s.params:
        r = po.solve(p, "agd_strongly_convex", steps=N, step=1.0, backend="numpy")
    elif s.method == "accelerated":
        r = po.solve(p, "agd" if name.startswith("agd") else "fista", steps=N, step=1.0,
                     momentum=s.params["momentum"], backend="numpy")
    elif s.method == "heavy_ball":
        r = po.solve(p, "heavy_ball", tuning="general", steps=N, step=s.params["alpha"], backend="numpy")
    else:
        steps = s.params["factor"] * _subgradient_steps(s.params["kind"], N)
        if s.metric == "best":
            r = po.solve(p, "subgradient", steps=N, step=float(steps[0]), output="best", backend="numpy")
        elif s.metric == "average":
            rule = "constant" if s.params["kind"] == "average" else "sqrt"
            r = po.solve(p, "subgradient", steps=N, step=float(steps[0]), step_rule=rule, output="step_weighted",
                         backend="numpy")
        else:
            r = po.solve(po.problems.additive_noise(p, noise_std=0.0), "sgd", steps=N, schedule=steps, seed=0,
                         backend="numpy")
    return r.fun - p.f_star


@pytest.mark.parametrize("name", sorted(pep.setups()))
def test_methods_reproduce_pepit_on_its_interpolated_worst_case(name):
    for N in (1, 3, 6, 10):
        assert _run(name, N) == pytest.approx(pep.value(name, N), rel=1e-5), N


def test_interpolants_are_functions_of_their_class():
    rng = np.random.default_rng(0)
    for name, N in (("gd", 5), ("agd.strongly_convex", 4), ("fista", 3)):
        p = pep.worst_case_problem(name, N)
        L, mu = p.constants["L"], p.constants["mu"]
        for x, g, f in zip(p.X, p.G, p.F):  # the data are reproduced
            assert p.f(x) == pytest.approx(f, abs=1e-9) and np.allclose(p.grad(x), g, atol=1e-9)
        pts = [p.x0 + rng.standard_normal(p.dim) * 0.5 for _ in range(4)]
        vals = [(p.f(x), p.grad(x)) for x in pts]
        for (x, (fx, gx)) in zip(pts, vals):  # convex, mu-strongly convex and L-smooth along random pairs
            for (y, (fy, gy)) in zip(pts, vals):
                d = y - x
                assert fy >= fx + gx @ d + 0.5 * mu * d @ d - 1e-6
                assert fy <= fx + gx @ d + 0.5 * L * d @ d + 1e-6
    p = pep.worst_case_problem("subgradient.best.x1", 5)
    assert np.all(np.linalg.norm(p.G, axis=1) <= p.constants["G"] * (1 + 1e-6))
    y = p.x0 + 0.3
    assert p.f(y) == pytest.approx(p.lipschitz.value(y))


def test_interpolated_problem_validation():
    entry = TABLE["subgradient.best.x1"][2]
    with pytest.raises(ValueError, match="radius"):
        InterpolatedProblem(entry["f"], entry["x0"], entry["x_star"], entry["f_star"], radius=1e-3)


def test_verify_reports_pepit_and_refutes_a_method_above_it():
    rep = po.verify("agd.convex", quick=True)
    case = next(c for c in rep.cases if c.instance == "pepit_worst_case")
    assert case.pepit_holds and case.pepit_reached and 0.8 < case.pepit_ratio <= 1
    chain = next(c for c in rep.cases if c.instance == "nesterov_chain")
    assert chain.pepit_holds  # PEPit's worst case bounds every smooth convex instance
    # subgradient steps twice too large: above PEPit's worst case of the prescribed step on its own worst case
    from pyoptheory.verify import mutants as M

    bad = po.verify("subgradient.best.constant", quick=True, mutate=M.scaled(2.0, "step"),
                    problem="pepit_worst_case_step_x2")
    assert not bad.passed and bad.cases[0].pepit_holds is False


def test_pepit_resolves_to_the_table():
    pytest.importorskip("PEPit")
    for name, N in (("gd", 3), ("subgradient.best.x2", 4), ("last_iterate.wsd.x1", 5)):
        assert pep.solve(pep.setups()[name], N)["value"] == pytest.approx(pep.value(name, N), rel=1e-6)
