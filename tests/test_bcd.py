"""Coordinate descent with greedy and random rules: kernel against reference, the one-step theorems at
every iteration, exact conditional expectations for the random rules, constants, heap, bad input."""
import numpy as np
import pytest
import scipy.sparse as sp

import pyoptheory as po
from pyoptheory import problems as P
from pyoptheory.methods.coordinate import RULES
from pyoptheory.problems.sets import L1, Box


def lattice_problem(side=12, seed=0):
    """Label propagation on a side x side 4-neighbour lattice with random positive weights, 10% labelled."""
    rng = np.random.default_rng(seed)
    n = side * side
    W = P.lattice_graph(side, seed=seed)
    labeled = rng.random(n) < 0.1
    labeled[0] = True
    return P.label_propagation(W, np.sign(rng.standard_normal(n)), labeled)


def lasso_quadratic(d=25, lam=0.3, seed=2):
    p = P.coordinate_quadratic(d, seed=seed)
    return P.QuadraticForm(p.Q, p.c, p.const, regularizer=L1(lam), name="l1_quadratic")


def box_quadratic(d=25, seed=3):
    p = P.coordinate_quadratic(d, seed=seed)
    return P.QuadraticForm(p.Q, p.c, p.const, regularizer=Box(np.full(d, -0.5), np.full(d, 0.5)), name="box_quadratic")


PROBLEMS = {"dense": lambda: P.coordinate_quadratic(20, seed=1), "l1": lasso_quadratic, "box": box_quadratic,
            "lattice": lattice_problem}


@pytest.mark.parametrize("kind", sorted(PROBLEMS))
@pytest.mark.parametrize("rule", RULES)
def test_kernel_matches_reference(kind, rule):
    p = PROBLEMS[kind]()
    kw = dict(rule=rule, steps=60, seed=4, record="all")
    ref = po.solve(p, "bcd", backend="numpy", **kw)
    got = po.solve(p, "bcd", backend="cpp", **kw)
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got.trace["fun"], ref.trace["fun"], rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(got.trace["block"], ref.trace["block"])
    assert got.support_identified == ref.support_identified


@pytest.mark.parametrize("rule", ["gs", "gsl", "gs_r", "gs_q"])
@pytest.mark.parametrize("side", [15, 23])  # 225 and 529 coordinates: full and partial last tree blocks
def test_tree_and_scan_select_the_same_coordinates(rule, side):
    p = lattice_problem(side, seed=5)
    heap = po.solve(p, "bcd", rule=rule, selection="tree", steps=3000, record="all")
    scan = po.solve(p, "bcd", rule=rule, selection="scan", steps=3000, record="all")
    np.testing.assert_array_equal(heap.trace["block"], scan.trace["block"])
    np.testing.assert_allclose(heap.x, scan.x, rtol=1e-12, atol=1e-14)


def test_tree_breaks_ties_to_the_smallest_index_like_the_scan():
    """Equal scores everywhere (a diagonal quadratic with equal entries and c = 1): both pick 0, 1, 2, ..."""
    p = P.QuadraticForm(sp.identity(100, format="csr"), np.ones(100), 0.0)
    tree = po.solve(p, "bcd", rule="gs", selection="tree", steps=100, record="all")
    scan = po.solve(p, "bcd", rule="gs", selection="scan", steps=100, record="all")
    np.testing.assert_array_equal(tree.trace["block"][1:], np.arange(100))
    np.testing.assert_array_equal(scan.trace["block"], tree.trace["block"])


@pytest.mark.parametrize("seed", range(3))
def test_strong_convexity_constants_are_ordered(seed):
    """mu/d <= mu_1 <= mu and max(mu/(d Lbar), mu_1/L) <= mu_L <= mu/min L_i (Nutini et al. 2015)."""
    p = P.coordinate_quadratic(9, seed=seed)
    c, d = p.constants, p.dim
    assert c.mu / d <= c.mu_1 * (1 + 1e-12) and c.mu_1 <= c.mu * (1 + 1e-12)
    assert max(c.mu / (d * c.L_mean), c.mu_1 / c.L_max) <= c.mu_L * (1 + 1e-12)
    assert c.mu_L <= c.mu / c.L_min * (1 + 1e-12)


def test_mu_1_brute_force_and_closed_form():
    """mu_1 is the largest m with 1/2 h^T Q h >= m/2 ||h||_1^2: check on random directions, and the
    closed form 1/sum(1/lambda_i) for a diagonal Q."""
    lam = np.array([3.0, 1.0, 0.2, 0.05])
    assert P.diagonal_quadratic(lam).constants.mu_1 == pytest.approx(1 / np.sum(1 / lam), rel=1e-13)
    assert P.diagonal_quadratic(lam).constants.mu_L == pytest.approx(1 / lam.size, rel=1e-13)
    p = P.coordinate_quadratic(7, seed=8)
    H = np.random.default_rng(0).standard_normal((20000, 7))
    ratios = np.einsum("ki,ij,kj->k", H, p.Q, H) / np.abs(H).sum(1) ** 2
    assert ratios.min() >= p.constants.mu_1 * (1 - 1e-12)
    import itertools

    Qinv = np.linalg.inv(p.Q)
    best = max((np.array(s) for s in itertools.product([-1.0, 1.0], repeat=7)), key=lambda s: s @ Qinv @ s)
    h = Qinv @ best  # the direction that attains it (duality of l1 and l_inf)
    assert h @ p.Q @ h / np.abs(h).sum() ** 2 == pytest.approx(p.constants.mu_1, rel=1e-10)


@pytest.mark.parametrize("rule,step,rho", [
    ("gs", "common", lambda c, d: c.mu_1 / c.L_max),
    ("gsl", "coordinate", lambda c, d: c.mu_L),
])
@pytest.mark.parametrize("seed", range(3))
def test_greedy_one_step_contraction_at_every_iteration(rule, step, rho, seed):
    """F(x_{k+1}) - F* <= (1 - rho)(F(x_k) - F*) for every k (catalogue 1.7, item 1); the gap is computed
    without cancellation as (x - x*)^T Q (x - x*)/2."""
    p = P.coordinate_quadratic(12, seed=seed)
    c = p.constants
    x = p.x0.copy()
    xs = [x.copy()]

    def keep(r):
        xs.append(r.x.copy())

    po.solve(p, "bcd", rule=rule, step=step, steps=400, record="all", callback=keep)
    gaps = np.array([0.5 * (z - p.x_star) @ p.Q @ (z - p.x_star) for z in xs[1:]])
    q = 1 - rho(c, p.dim)
    assert np.all(gaps[1:] <= q * gaps[:-1] + 1e-13 * max(1.0, gaps[0]))


@pytest.mark.parametrize("rule,step", [("uniform", "common"), ("lipschitz", "coordinate")])
def test_random_rules_in_exact_conditional_expectation(rule, step):
    """At every visited x_k: sum_i p_i (F(x_k with coordinate i updated) - F*) <= (1 - rho)(F(x_k) - F*),
    all d candidates evaluated (no Monte Carlo; catalogue 1.7, item 2)."""
    p = P.coordinate_quadratic(12, seed=6)
    c, d, Q = p.constants, p.dim, p.Q
    L = np.diag(Q)
    probs = np.full(d, 1 / d) if rule == "uniform" else L / L.sum()
    steps = np.full(d, 1 / L.max()) if step == "common" else 1 / L
    rho = c.mu / (d * c.L_max) if rule == "uniform" else c.mu / (d * c.L_mean)
    xs = []
    po.solve(p, "bcd", rule=rule, step=step, steps=300, record="all", seed=1, callback=lambda r: xs.append(r.x.copy()))

    def gap(z):
        e = z - p.x_star
        return 0.5 * e @ Q @ e

    for x in xs:
        g = Q @ x - p.c
        expected = sum(probs[i] * gap(x - steps[i] * g[i] * np.eye(d)[i]) for i in range(d))
        assert expected <= (1 - rho) * gap(x) + 1e-14


def test_greedy_beats_random_and_cyclic_on_uneven_diagonal():
    """On diag(10^(-k/3)) with the common step 1/L, GS's guaranteed rate 1 - mu_1/L (mu_1 = 1/sum(1/lambda_i)
    = 5.4e-4) beats the random rate 1 - mu/(d L) (mu/d = 1e-4); measured after 3000 steps, GS's gap is
    about 5x smaller than cyclic's and uniform's."""
    p = P.diagonal_quadratic([10.0 ** (-k / 3) for k in range(10)])
    gaps = {rule: po.solve(p, "bcd", rule=rule, step="common", steps=3000, seed=0).fun for rule in
            ("gs", "cyclic", "uniform")}
    assert gaps["gs"] < 0.25 * min(gaps["cyclic"], gaps["uniform"])


def test_l1_problem_converges_and_identifies_the_support():
    p = lasso_quadratic(20, lam=0.4, seed=9)
    long = po.solve(p, "proximal_gd", steps=20000, backend="numpy")
    res = po.solve(p, "bcd", rule="gs_q", steps=3000, record=100)
    assert abs(res.fun - long.fun) <= 1e-10 * max(1.0, abs(long.fun))
    support = np.flatnonzero(np.abs(long.x) > 1e-8)
    assert 0 < support.size < p.dim and set(np.flatnonzero(res.x)) == set(support)
    assert 0 <= res.support_identified < 3000
    assert res.trace["support"][-1] == support.size


def test_lattice_label_propagation_matches_the_linear_solve():
    p = lattice_problem(14, seed=10)
    res = po.solve(p, "bcd", rule="gs", steps=100_000)
    assert np.abs(res.x - p.x_star).max() <= 1e-8


def test_least_squares_models_become_quadratics():
    rng = np.random.default_rng(11)
    A = rng.standard_normal((40, 8))
    p = P.least_squares(A, rng.standard_normal(40), l2=0.1)
    res = po.solve(p, "bcd", rule="gsl", steps=3000)
    assert res.fun - p.f_star <= 1e-12 * max(1.0, abs(p.f_star))


def test_bad_input():
    p = P.coordinate_quadratic(5, seed=0)
    with pytest.raises(ValueError, match="rule: .*valid: .*cyclic"):
        po.solve(p, "bcd", rule="greedy")
    with pytest.raises(ValueError, match="selection"):
        po.solve(p, "bcd", selection="fast")
    with pytest.raises(ValueError, match="step"):
        po.solve(p, "bcd", step="huge")
    with pytest.raises(ValueError, match="Q_ii > 0"):
        po.solve(P.QuadraticForm(np.diag([1.0, 0.0]), np.zeros(2)), "bcd")
    with pytest.raises(ValueError, match="Q: must be symmetric"):
        P.QuadraticForm(np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2))
    with pytest.raises(ValueError, match="separable"):
        po.solve(P.QuadraticForm(np.eye(3), np.zeros(3), regularizer=P.Simplex(1.0), x0=np.full(3, 1 / 3)), "bcd")
    with pytest.raises(ValueError, match="quadratic"):
        po.solve(P.LinearModel(np.eye(3), np.zeros(3), loss="huber", loss_param=1.0, name="huber"), "bcd")
    with pytest.warns(po.result.StepSizeWarning):
        po.solve(p, "bcd", step=10.0, steps=3)
    from pyoptheory import _core

    with pytest.raises(ValueError, match="indices out of range"):
        _core.BcdModel(np.array([0, 1]), np.array([3]), np.array([1.0]), np.zeros(1), np.ones(1), 0, 0.0,
                       np.zeros(1), np.zeros(1), 2, 0.0, False)


def test_theorem_check_fails_with_a_rate_faster_than_measured():
    import dataclasses

    from pyoptheory.theory.coordinate import _contraction

    th = po.theorems("bcd.gsl")
    wrong = dataclasses.replace(th, id="wrong-gsl", bound=_contraction(lambda c: 10 * c.mu_L))
    rep = po.verify(wrong, problem="coordinate_quadratic_d12", quick=True)
    assert not rep.passed


# --- fixed blocks ---------------------------------------------------------------------------------------
def block_diagonal_quadratic(nb=5, size=4, seed=12):
    """The library's block-diagonal instance and its blocks (for the independent constants below)."""
    p = P.block_diagonal_quadratic(nb, size, seed=seed)
    return p, [p.Q[s:s + size, s:s + size] for s in range(0, nb * size, size)]


@pytest.mark.parametrize("rule", ["cyclic", "uniform", "lipschitz", "gs", "gsl", "gsd", "gsq"])
@pytest.mark.parametrize("update", ["gradient", "diagonal", "matrix"])
def test_block_kernel_matches_reference(rule, update):
    p = P.coordinate_quadratic(18, seed=13)
    kw = dict(rule=rule, update=update, block_size=4, partition="sorted", steps=40, seed=3, record="all")
    ref = po.solve(p, "bcd", backend="numpy", **kw)
    got = po.solve(p, "bcd", backend="cpp", **kw)
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(got.trace["block"], ref.trace["block"])


@pytest.mark.parametrize("kind", ["l1", "box"])
@pytest.mark.parametrize("rule", ["gs", "gsl", "gsd", "permutation"])
def test_block_prox_steps_match_reference(kind, rule):
    p = PROBLEMS[kind]()
    kw = dict(rule=rule, block_size=5, partition="alternating", steps=40, seed=5, record="all")
    ref = po.solve(p, "bcd", backend="numpy", **kw)
    got = po.solve(p, "bcd", backend="cpp", **kw)
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(got.trace["block"], ref.trace["block"])


def _block_rates(blocks):
    """The exact block constants of a block-diagonal Q whose blocks are the partition (derived with the
    catalogue's proof template: 1/mu_M = max over the dual unit ball of y^T Q^-1 y separates over blocks)."""
    lmin = np.array([np.linalg.eigvalsh(B)[0] for B in blocks])
    lmax = np.array([np.linalg.eigvalsh(B)[-1] for B in blocks])
    D = [np.abs(B).sum(axis=1) for B in blocks]
    gsd = 1 / sum(np.linalg.eigvalsh(np.sqrt(d)[:, None] * np.linalg.inv(B) * np.sqrt(d)[None, :])[-1]
                  for B, d in zip(blocks, D))
    return {("gs", "common", "gradient"): (1 / np.sum(1 / lmin)) / lmax.max(),
            ("gsl", "coordinate", "gradient"): 1 / np.sum(lmax / lmin),
            ("gsd", "coordinate", "diagonal"): gsd,
            ("gsq", "coordinate", "matrix"): 1 / len(blocks)}


@pytest.mark.parametrize("rule,step,update", [("gs", "common", "gradient"), ("gsl", "coordinate", "gradient"),
                                              ("gsd", "coordinate", "diagonal"), ("gsq", "coordinate", "matrix")])
@pytest.mark.parametrize("seed", [12, 14])
def test_block_greedy_one_step_contraction_on_block_diagonal_problems(rule, step, update, seed):
    """F(x+) - F* <= (1 - mu_M)(F(x) - F*) at every iteration for block GS (M_b = L_B I), GSL (L_b I),
    GSD (D_b) and GSQ (Q_bb, where mu_M = 1/#blocks); the gap without cancellation."""
    p, blocks = block_diagonal_quadratic(seed=seed)
    rho = _block_rates(blocks)[(rule, step, update)]
    xs = []
    po.solve(p, "bcd", rule=rule, step=step, update=update, block_size=4, steps=150, record="all",
             callback=lambda r: xs.append(r.x.copy()))
    gaps = np.array([0.5 * (z - p.x_star) @ p.Q @ (z - p.x_star) for z in xs])
    assert 0 < rho < 1
    assert np.all(gaps[1:] <= (1 - rho) * gaps[:-1] + 1e-13 * gaps[0])


def test_gsq_with_matrix_updates_attains_its_rate_on_equal_block_gaps():
    """Identical blocks with equal gaps: GSQ + exact block minimisation removes exactly 1/#blocks of the
    gap per step at first, the bound's ratio (tight)."""
    B = np.array([[2.0, 0.5], [0.5, 1.0]])
    Q = np.kron(np.eye(3), B)
    x_star = np.zeros(6)
    p = P.QuadraticForm(Q, np.zeros(6), x0=np.tile([1.0, -1.0], 3), x_star=x_star, f_star=0.0)
    res = po.solve(p, "bcd", rule="gsq", update="matrix", block_size=2, steps=1, record="all")
    assert res.trace["gap"][1] == pytest.approx((1 - 1 / 3) * res.trace["gap"][0], rel=1e-12)


def test_partitions_and_block_bad_input():
    from pyoptheory.methods.coordinate import make_partition

    L = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    assert [b.tolist() for b in make_partition("sorted", 2, L)] == [[0, 2], [4, 3], [1]]
    assert [b.tolist() for b in make_partition("alternating", 2, L)] == [[0, 1], [2, 3], [4]]
    assert [b.tolist() for b in make_partition([np.array([1, 0]), np.array([4, 2, 3])], 1, L)] == [[1, 0], [4, 2, 3]]
    assert [b.tolist() for b in make_partition(np.array([1, 0, 1, 0, 2]), 1, L)] == [[1, 3], [0, 2], [4]]
    with pytest.raises(ValueError, match="exactly once"):
        make_partition([np.array([0, 1]), np.array([1, 2, 3, 4])], 1, L)
    with pytest.raises(ValueError, match="exactly once"):
        make_partition([np.array([0, 1])], 1, L)
    p = P.coordinate_quadratic(6, seed=0)
    with pytest.raises(ValueError, match="block_size"):
        po.solve(p, "bcd", block_size=7)
    with pytest.raises(ValueError, match="block_size"):
        po.solve(p, "bcd", block_size=0)
    with pytest.raises(ValueError, match="partition"):
        po.solve(p, "bcd", block_size=2, partition="random")
    with pytest.raises(ValueError, match="needs blocks"):
        po.solve(p, "bcd", rule="gsq")
    with pytest.raises(ValueError, match="proximal block rule"):
        po.solve(p, "bcd", rule="gs_q", block_size=2, update="matrix")
    with pytest.raises(ValueError, match="smooth problem"):
        po.solve(lasso_quadratic(6), "bcd", rule="gsq", block_size=2)
    with pytest.raises(ValueError, match="bidx must list every coordinate exactly once"):
        from pyoptheory import _core

        _core.BcdBlocks(np.array([0, 2]), np.array([0, 0]), np.ones(1), np.ones(2), np.ones(4), np.zeros(1, dtype=np.int64), 2, 0)


def test_library_block_constants_match_the_independent_computation():
    from pyoptheory.problems.coordinate import block_constants

    p, blocks = block_diagonal_quadratic(seed=14)
    lib = block_constants(p.Q, 4)
    mine = _block_rates(blocks)
    for (rule, _, _), value in mine.items():
        assert lib[rule] == pytest.approx(value, rel=1e-12)


# --- variable blocks ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["dense", "l1", "box", "lattice"])
@pytest.mark.parametrize("rule,update", [("gs", "gradient"), ("gsl", "gradient"), ("gs", "matrix"),
                                         ("gsl", "matrix")])
def test_variable_blocks_match_reference_and_descend(kind, rule, update):
    p = PROBLEMS[kind]()
    if update == "matrix" and kind in ("l1", "box"):
        with pytest.raises(ValueError, match="smooth"):
            po.solve(p, "bcd", rule=rule, blocks="variable", block_size=4, update=update)
        return
    kw = dict(rule=rule, blocks="variable", block_size=4, update=update, steps=40, record="all")
    ref = po.solve(p, "bcd", backend="numpy", **kw)
    got = po.solve(p, "bcd", backend="cpp", **kw)
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(got.trace["block"], ref.trace["block"])
    fun = got.trace["fun"]
    assert np.all(np.diff(fun) <= 1e-12 * max(1.0, abs(fun[0])))  # the Gershgorin / exact steps descend


def test_variable_blocks_with_matrix_updates_beat_single_coordinates():
    """The JMLR paper's message: larger (greedy, variable) blocks with matrix updates need fewer iterations."""
    p = P.coordinate_quadratic(20, seed=15)
    single = po.solve(p, "bcd", rule="gs", steps=60).fun
    blocks = po.solve(p, "bcd", rule="gs", blocks="variable", block_size=5, update="matrix", steps=60).fun
    assert blocks < 1e-3 * single


def test_variable_block_bad_input():
    p = P.coordinate_quadratic(6, seed=0)
    with pytest.raises(ValueError, match="blocks"):
        po.solve(p, "bcd", blocks="random")
    with pytest.raises(ValueError, match="variable blocks take the top"):
        po.solve(p, "bcd", blocks="variable", block_size=2, rule="uniform")
    with pytest.raises(ValueError, match="variable blocks take 'gradient'"):
        po.solve(p, "bcd", blocks="variable", block_size=2, update="diagonal")
    singular = P.QuadraticForm(np.ones((3, 3)) + np.diag([1e-300, 0.0, 0.0]) * 0, np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="not positive definite"):
        po.solve(singular, "bcd", blocks="variable", block_size=2, update="matrix", steps=5)


# --- working sets for the lasso ----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_working_set_lasso_certifies_its_gap(seed):
    p = P.lasso_certified(300, 120, 0.05, seed=seed)
    res = po.solve(p, "bcd_ws", gap_tol=1e-10, steps=50, ws_min=10, record="all")
    assert res.success and res.status == 6 and res.dual_gap <= 1e-10
    assert -1e-12 <= res.fun - p.f_star <= res.dual_gap + 1e-13  # the gap bounds the suboptimality
    assert np.all(res.trace["dual_gap"] >= res.trace["gap"] - 1e-12)
    assert set(np.flatnonzero(res.x)) == set(np.flatnonzero(p.x_star))
    # a full gradient per outer iteration and for the final certificate, plus the working set's columns twice
    assert res.nit + 1 <= res.passes <= 3 * (res.nit + 1)
    ref = po.solve(p, "bcd_ws", gap_tol=1e-10, steps=50, ws_min=10, backend="numpy")
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-10, atol=1e-13)


def test_working_set_lasso_on_sparse_data_and_bad_input():
    rng = np.random.default_rng(3)
    A = sp.random(200, 400, density=0.05, random_state=4, format="csr")
    b = A @ (rng.standard_normal(400) * (rng.random(400) < 0.05)) + 0.01 * rng.standard_normal(200)
    lam = 0.1 * np.abs(A.T @ b).max() / 200
    p = P.lasso(A, b, lam)
    res = po.solve(p, "bcd_ws", gap_tol=1e-9, steps=100)
    assert res.success and res.dual_gap <= 1e-9
    with pytest.raises(ValueError, match="accepts problems of kind composite"):
        po.solve(P.least_squares(A, b), "bcd_ws")
    elastic = P.LinearModel(A, b, loss="squared", l2=0.1, regularizer=L1(lam), name="elastic_net")
    with pytest.raises(ValueError, match="lasso"):
        po.solve(elastic, "bcd_ws")
    with pytest.raises(ValueError, match="inner_tol"):
        po.solve(p, "bcd_ws", inner_tol=2.0)
    with pytest.raises(ValueError, match="ws_min"):
        po.solve(p, "bcd_ws", ws_min=0)


def test_nonnegative_least_squares_matches_scipy_nnls():
    """NNLS (a box with infinite upper bounds): coordinate descent reaches scipy's active-set solution."""
    from scipy.optimize import nnls

    rng = np.random.default_rng(17)
    A = rng.standard_normal((60, 25))
    b = rng.standard_normal(60)
    p = P.least_squares(A, b, constraint=P.Box(np.zeros(25), np.full(25, np.inf)))
    ref, _ = nnls(A, b)
    for rule in ("gs", "gsl", "cyclic"):
        res = po.solve(p, "bcd", rule=rule, steps=20000)
        assert np.all(res.x >= 0) and np.abs(res.x - ref).max() <= 1e-8
    blocks = po.solve(p, "bcd", rule="gsd", update="diagonal", block_size=5, steps=5000)
    assert np.abs(blocks.x - ref).max() <= 1e-8
    with pytest.raises(ValueError, match="lo: must not be NaN"):
        P.Box(np.array([np.nan]), np.array([1.0]))
    with pytest.raises(ValueError, match="hi: must not be NaN or -inf"):
        P.Box(np.array([0.0]), np.array([-np.inf]))


# --- forest blocks (message passing) ------------------------------------------------------------------------
@pytest.mark.parametrize("partition", ["red_black", "forest"])
@pytest.mark.parametrize("rule", ["cyclic", "permutation", "gs", "gsq"])
def test_forest_blocks_match_reference_and_minimise_exactly(partition, rule):
    p = lattice_problem(13, seed=18)
    kw = dict(rule=rule, update="tree", partition=partition, steps=12, seed=2, record="all")
    ref = po.solve(p, "bcd", backend="numpy", **kw)
    seen = []
    got = po.solve(p, "bcd", backend="cpp", callback=lambda r: seen.append((r.x.copy(), int(r.trace["block"][-1]))),
                   **kw)
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(got.trace["block"], ref.trace["block"])
    from pyoptheory.methods.coordinate import graph_partition

    blocks = graph_partition(p.Q, partition, p.Q.diagonal())
    for x, b in seen[1:]:  # the block just updated is exactly minimised: its gradient vanishes
        g = p.Q @ x - p.c
        assert np.abs(g[blocks[b]]).max() <= 1e-10 * max(1.0, np.abs(p.c).max())


def test_red_black_on_a_lattice_is_two_independent_sets_and_forests_cover():
    from pyoptheory.methods.coordinate import graph_partition

    W = P.lattice_graph(9, seed=0)
    p = P.label_propagation(W, np.ones(81), np.arange(81) == 40)
    rb = graph_partition(p.Q, "red_black", p.Q.diagonal())
    assert len(rb) == 2
    for b in rb:
        assert p.Q[b][:, b].nnz == b.size  # diagonal only
    fo = graph_partition(p.Q, "forest", p.Q.diagonal())
    assert np.array_equal(np.sort(np.concatenate(fo)), np.arange(p.dim)) and len(fo) < len(rb) + 2
    from pyoptheory.methods._bcd_reference import Forest

    Forest(p.Q, fo, 0)  # raises if a block is not a forest
    with pytest.raises(ValueError, match="does not induce a forest"):
        Forest(p.Q, [np.arange(p.dim)], 0)
    with pytest.raises(ValueError, match="forest blocks"):
        po.solve(p, "bcd", update="tree", partition="red_black", rule="gsl")
    with pytest.raises(ValueError, match="update='tree'"):
        po.solve(lasso_quadratic(6), "bcd", update="tree", partition="red_black")
    with pytest.raises(ValueError, match="does not induce a forest"):
        po.solve(p, "bcd", update="tree", partition=[np.arange(p.dim)])


def test_forest_blocks_need_fewer_iterations_than_coordinates():
    """The JMLR paper's Fig. 6 message: exact updates of huge tree blocks converge in far fewer iterations."""
    p = lattice_problem(20, seed=19)
    gap0 = p.objective(p.x0) - p.f_star
    tree = po.solve(p, "bcd", rule="gs", update="tree", partition="forest", steps=30).fun - p.f_star
    rb = po.solve(p, "bcd", rule="cyclic", update="tree", partition="red_black", steps=30).fun - p.f_star
    coord = po.solve(p, "bcd", rule="gs", steps=30).fun - p.f_star
    assert tree < rb < coord < gap0


@pytest.mark.parametrize("update", ["two_metric", "projected_newton"])
@pytest.mark.parametrize("block_size", [5, 25])
def test_two_metric_and_projected_newton_on_nnls(update, block_size):
    """Box blocks: two-metric projection and projected Newton (repeated two-metric steps) reach scipy's NNLS
    solution, descend at every step, and match the reference."""
    from scipy.optimize import nnls

    rng = np.random.default_rng(20)
    A = rng.standard_normal((80, 25))
    b = rng.standard_normal(80)
    p = P.least_squares(A, b, constraint=P.Box(np.zeros(25), np.full(25, np.inf)))
    ref, _ = nnls(A, b)
    kw = dict(rule="gs", block_size=block_size, update=update, steps=60, record="all")
    got = po.solve(p, "bcd", backend="cpp", **kw)
    num = po.solve(p, "bcd", backend="numpy", **kw)
    np.testing.assert_allclose(got.x, num.x, rtol=1e-10, atol=1e-12)
    assert np.all(np.diff(got.trace["fun"]) <= 1e-13)
    assert np.abs(got.x - ref).max() <= 1e-8
    if update == "projected_newton" and block_size == 25:  # one exact block QP: done in one step
        assert np.abs(got.trace["fun"][1] - p.objective(ref)) <= 1e-12 * abs(p.objective(ref))
    with pytest.raises(ValueError, match="box constraints"):
        po.solve(lasso_quadratic(10), "bcd", update=update, block_size=5)


# --- logistic models (margins kept) -------------------------------------------------------------------------
def logistic_problem(l1=None, seed=21):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((150, 12)) * np.exp(rng.uniform(-1, 1, 12))
    y = np.sign(A @ rng.standard_normal(12) + 0.5 * rng.standard_normal(150))
    if l1 is None:
        return P.logistic(A, y, 0.02)
    return P.LinearModel(A, y, loss="logistic", l2=0.01, regularizer=L1(l1), name="l1_logistic")


@pytest.mark.parametrize("l1", [None, 0.02])
@pytest.mark.parametrize("rule", ["cyclic", "permutation", "uniform", "lipschitz", "gs", "gsl"])
def test_logistic_kernel_matches_reference(l1, rule):
    p = logistic_problem(l1)
    kw = dict(rule=rule, steps=80, seed=4, record="all")
    ref = po.solve(p, "bcd", backend="numpy", **kw)
    got = po.solve(p, "bcd", backend="cpp", **kw)
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(got.trace["block"], ref.trace["block"])


def test_logistic_contractions_with_valid_constants():
    """Logistic loss: phi'' <= 1/4 gives coordinate constants L_j = w ||A_j||^2/4 + l2, f is l2-strongly
    convex, and mu_1 >= mu/d; so GS with the common step contracts by (1 - mu/(d L)) at every step, and
    uniform selection in exact conditional expectation over the d candidates."""
    p = logistic_problem()
    A, w, mu, d = p.A, p.weight, p.l2, p.dim
    Lc = w * (A ** 2).sum(axis=0) / 4 + mu
    q = 1 - mu / (d * Lc.max())
    f_star = p.f_star
    xs = []
    po.solve(p, "bcd", rule="gs", step="common", steps=200, record="all", callback=lambda r: xs.append(r.x.copy()))
    gaps = np.array([p.objective(x) - f_star for x in xs])
    assert np.all(gaps[1:] <= q * gaps[:-1] + 1e-14)
    xs = []
    po.solve(p, "bcd", rule="uniform", step="common", steps=100, record="all", seed=2,
             callback=lambda r: xs.append(r.x.copy()))
    for x in xs[::5]:
        g = p.grad(x)
        expected = np.mean([p.objective(x - g[j] / Lc.max() * np.eye(d)[j]) - f_star for j in range(d)])
        assert expected <= q * (p.objective(x) - f_star) + 1e-14


def test_logistic_converges_and_rejects_blocks():
    p = logistic_problem()
    res = po.solve(p, "bcd", rule="gsl", steps=4000)
    assert res.fun - p.f_star <= 1e-12
    with pytest.raises(ValueError, match="single coordinates"):
        po.solve(p, "bcd", block_size=3)
    with pytest.raises(ValueError, match="models with kept margins take"):
        po.solve(p, "bcd", rule="gs_q")


def test_problem_constructors_reject_bad_input():
    W = P.lattice_graph(4, seed=0)
    with pytest.raises(ValueError, match="W: must be a symmetric nonnegative"):
        P.label_propagation(sp.triu(W).tocsr(), np.ones(16), np.arange(16) == 0)
    with pytest.raises(ValueError, match="labeled"):
        P.label_propagation(W, np.ones(16), np.ones(15, dtype=bool))
    with pytest.raises(ValueError, match="labels"):
        P.label_propagation(W, np.ones(15), np.arange(16) == 0)
    isolated = W.tolil()
    isolated[5, :] = 0
    isolated[:, 5] = 0
    with pytest.raises(ValueError, match="every unlabelled node needs an edge"):
        P.label_propagation(isolated.tocsr(), np.ones(16), np.arange(16) == 0)
    with pytest.raises(ValueError, match="eigenvalues"):
        P.diagonal_quadratic([1.0, -1.0])
    with pytest.raises(ValueError, match="d"):
        P.coordinate_quadratic(0)
    with pytest.raises(ValueError, match="side"):
        P.lattice_graph(1)
    with pytest.raises(ValueError, match="Q: contains NaN"):
        P.QuadraticForm(sp.csr_matrix(np.array([[np.nan]])), np.zeros(1))


# --- multi-class softmax and least squares in columns form (margins kept) ---------------------------------

def _softmax(lam=0.0, sparse=False, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((60, 7)) * np.geomspace(0.3, 3.0, 7)
    if sparse:
        A = sp.csr_matrix(A * (rng.random(A.shape) < 0.5))
    return P.softmax_regression(A, rng.integers(0, 4, 60), 0.05, lam=lam)


def test_softmax_gradient_matches_finite_differences_and_newton_optimum():
    p = _softmax()
    x = np.random.default_rng(1).standard_normal(p.dim) * 0.3
    e = 1e-6
    fd = np.array([(p.f(x + e * v) - p.f(x - e * v)) / (2 * e) for v in np.eye(p.dim)])
    np.testing.assert_allclose(p.grad(x), fd, atol=1e-8)
    H = p.hessian(x)
    fdH = np.array([(p.grad(x + e * v) - p.grad(x - e * v)) / (2 * e) for v in np.eye(p.dim)])
    np.testing.assert_allclose(H, fdH, atol=1e-6)
    assert np.linalg.norm(p.grad(p.x_star)) < 1e-10
    c = p.constants  # the Hessian bound: lambda_max(H) <= L everywhere (checked at a few points)
    for s in range(3):
        y = np.random.default_rng(s).standard_normal(p.dim) * 3
        assert np.linalg.eigvalsh(p.hessian(y))[-1] <= c["L"] * (1 + 1e-12)
        assert np.diag(p.hessian(y)).max() <= c["L_max"] * (1 + 1e-12)


@pytest.mark.parametrize("rule", ["cyclic", "permutation", "uniform", "lipschitz", "gs", "gsl"])
@pytest.mark.parametrize("lam,sparse", [(0.0, False), (0.02, True)])
def test_softmax_cpp_matches_reference(rule, lam, sparse):
    p = _softmax(lam, sparse)
    a = po.solve(p, "bcd", rule=rule, steps=150, backend="numpy", seed=3, record="all")
    b = po.solve(p, "bcd", rule=rule, steps=150, backend="cpp", seed=3, record="all")
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(b.trace["fun"], a.trace["fun"], rtol=1e-10)
    np.testing.assert_array_equal(b.trace["block"], a.trace["block"])


def test_softmax_gs_contracts_at_every_step_and_converges():
    """Nutini et al. (2015), Theorem 1 for GS with the common step 1/L_max on a mu-strongly convex f with
    coordinate constants <= L_max: F(x+) - F* <= (1 - mu_1/L_max)(F(x) - F*), mu_1 >= mu / dim."""
    p = _softmax()
    c = p.constants
    res = po.solve(p, "bcd", rule="gs", step="common", steps=3000, seed=0, record="all")
    gap = res.trace["gap"]
    rho = 1 - c["mu"] / (p.dim * c["L_max"])
    assert np.all(gap[1:] <= rho * gap[:-1] + 1e-13 * abs(p.f_star))
    fast = po.solve(p, "bcd", rule="gsl", steps=4000, seed=0)
    assert fast.trace["gap"][-1] < 1e-9
    slow = po.solve(p, "bcd", rule="uniform", steps=4000, seed=0)
    assert fast.trace["gap"][-1] < slow.trace["gap"][-1]  # greedy beats random per iteration here


@pytest.mark.parametrize("rule", ["cyclic", "uniform", "lipschitz", "gs", "gsl"])
@pytest.mark.parametrize("reg", ["none", "l1", "box"])
def test_least_squares_columns_form_equals_gram_form(rule, reg):
    rng = np.random.default_rng(4)
    A = sp.random(80, 30, density=0.3, random_state=1, format="csr")
    y = rng.standard_normal(80)
    if reg == "l1":
        p = P.lasso(A, y, 0.05)
    elif reg == "box":
        p = P.least_squares(A, y, constraint=P.Box(np.full(30, -0.3), np.full(30, 0.3)))
    else:
        p = P.least_squares(A, y)
    g = po.solve(p, "bcd", rule=rule, steps=300, form="gram", seed=2, record="all")
    c = po.solve(p, "bcd", rule=rule, steps=300, form="columns", seed=2, record="all")
    r = po.solve(p, "bcd", rule=rule, steps=300, form="columns", backend="numpy", seed=2, record="all")
    np.testing.assert_allclose(c.x, g.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c.x, r.x, rtol=1e-10, atol=1e-13)
    # the same selections while scores are far from ties (near convergence the greedy scores of the two
    # forms, computed as Q x - c and A^T (A x - y), differ by rounding and near-ties may break differently)
    np.testing.assert_array_equal(c.trace["block"][:40], g.trace["block"][:40])


def test_columns_form_runs_large_sparse_least_squares_without_the_gram_matrix():
    A = sp.random(1500, 6000, density=1e-3, random_state=0, format="csc")
    y = np.random.default_rng(0).standard_normal(1500)
    p = P.least_squares(A, y, l2=1e-2)
    res = po.solve(p, "bcd", rule="cyclic", steps=30 * 6000, seed=0)  # "auto" picks columns at d > 2000
    gap = res.trace["gap"]
    assert res.success and np.all(np.diff(gap) <= 1e-12 * abs(p.f_star))  # exact minimisation: monotone
    assert gap[-1] < 1e-8 * gap[0]


def test_form_and_softmax_bad_input():
    p = _softmax()
    with pytest.raises(ValueError, match="form"):
        po.solve(p, "bcd", form="gram")
    with pytest.raises(ValueError, match="form"):
        po.solve(p, "bcd", form="diagonal")
    q = P.least_squares(np.random.default_rng(0).standard_normal((10, 4)), np.ones(10))
    with pytest.raises(ValueError, match="form"):
        po.solve(q, "bcd", form="columns", block_size=2)
    with pytest.raises(ValueError, match="labels"):
        P.softmax_regression(np.ones((3, 2)), [0, 1, 5], 0.1, n_classes=3)
    with pytest.raises(TypeError, match="labels"):
        P.softmax_regression(np.ones((3, 2)), [0.5, 1, 0], 0.1)
    with pytest.raises(ValueError, match="l2"):
        P.softmax_regression(np.ones((3, 2)), [0, 1, 0], 0.0)
    with pytest.raises(ValueError, match="labels"):
        P.softmax_regression(np.ones((3, 2)), [0, 1], 0.1)
    with pytest.raises(ValueError, match="A"):
        P.softmax_regression(np.full((3, 2), np.nan), [0, 1, 0], 0.1)


# --- proximal block rules GS-r and GS-q ----------------------------------------------------------------

def _block_lasso(nonneg=False):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((60, 24)) * np.geomspace(0.3, 3, 24)
    y = rng.standard_normal(60)
    if nonneg:
        return P.least_squares(A, y, constraint=P.Box(np.zeros(24), np.full(24, np.inf)))
    return P.lasso(A, y, 0.1)


@pytest.mark.parametrize("rule", ["gs_r", "gs_q"])
@pytest.mark.parametrize("update", ["gradient", "diagonal"])
@pytest.mark.parametrize("nonneg", [False, True])
def test_proximal_block_rules_cpp_matches_reference(rule, update, nonneg):
    p = _block_lasso(nonneg)
    a = po.solve(p, "bcd", rule=rule, block_size=4, update=update, steps=40, backend="numpy", seed=1, record="all")
    b = po.solve(p, "bcd", rule=rule, block_size=4, update=update, steps=40, backend="cpp", seed=1, record="all")
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(b.trace["block"], a.trace["block"])


@pytest.mark.parametrize("nonneg", [False, True])
def test_block_gs_q_selects_the_largest_model_decrease_and_achieves_it(nonneg):
    """GS-q picks argmax_b of the block model decrease; the model majorises F (L_b >= lambda_max(Q_bb)),
    so the objective falls by at least the selected score at every step."""
    from pyoptheory.methods import _bcd_reference as R
    from pyoptheory.methods.coordinate import _block_plan, _regularizer, quadratic_form

    p = _block_lasso(nonneg)
    Q, c, const = quadratic_form(p)
    Q = sp.csr_matrix(Q)
    reg, lam, lo, hi = _regularizer(p)
    m = R.Model(Q, c, const, R.REGS[reg], lam, lo, hi, -1, 0.0, False)
    blocks = _block_plan(Q, Q.diagonal(), "contiguous", 4, "gs_q", "gradient", reg, "coordinate")
    x = p.x0
    for _ in range(25):
        grad = Q @ x - c
        scores = np.array([blocks.score(m, k, x, grad) for k in range(len(blocks.blocks))])
        res = po.solve(p, "bcd", rule="gs_q", block_size=4, steps=1, x0=x, seed=0, backend="numpy")
        assert res.selected_last == int(np.argmax(scores))
        assert p.objective(x) - p.objective(res.x) >= scores.max() * (1 - 1e-10) - 1e-14
        x = res.x


def test_proximal_block_rules_refuse_matrix_updates():
    with pytest.raises(ValueError, match="gs_q"):
        po.solve(_block_lasso(), "bcd", rule="gs_q", block_size=4, update="matrix")


# --- variable blocks chosen by iterative hard thresholding (approximate GSQ) ------------------------------

def test_iht_variable_blocks_cpp_matches_reference():
    p = P.coordinate_quadratic(30, seed=3)
    a = po.solve(p, "bcd", rule="iht", blocks="variable", block_size=4, update="matrix", steps=40, backend="numpy",
                 seed=0, record="all")
    b = po.solve(p, "bcd", rule="iht", blocks="variable", block_size=4, update="matrix", steps=40, backend="cpp",
                 seed=0, record="all")
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(b.trace["block"], a.trace["block"])


def test_iht_decreases_the_block_model_and_approaches_the_best_block():
    """Each IHT step decreases m(d) = g^T d + d^T Q d / 2 (Q <= diag of absolute row sums), and the final
    support's GSQ value g_W^T Q_WW^-1 g_W is at least -2 m(d) >= the first step's; on small instances it is
    compared with the exhaustive best block."""
    import itertools

    from pyoptheory.methods._bcd_reference import iht_block

    p = P.coordinate_quadratic(12, seed=5)
    Q, c, _ = p.quadratic_form()
    Q = sp.csr_matrix(Q)
    r = np.asarray(abs(Q).sum(axis=1)).ravel()
    Qd = Q.toarray()
    ratios = []
    for s in range(5):
        g = np.random.default_rng(s).standard_normal(12)
        vals = []
        W = np.sort(iht_block(Q, g, 3, r, 20, vals))
        assert np.all(np.diff(vals) <= 1e-12 * abs(vals[0]))
        gsq = g[W] @ np.linalg.solve(Qd[np.ix_(W, W)], g[W])
        assert gsq >= -2 * vals[-1] * (1 - 1e-12)
        best = max(g[list(B)] @ np.linalg.solve(Qd[np.ix_(B, B)], g[list(B)])
                   for B in itertools.combinations(range(12), 3))
        assert gsq <= best * (1 + 1e-12)
        ratios.append(gsq / best)
    assert np.mean(ratios) > 0.8  # measured here: IHT's block is close to the exhaustive best


def test_iht_bad_input():
    with pytest.raises(ValueError, match="iht"):
        po.solve(P.lasso_certified(20, 8, 0.1, seed=0), "bcd", rule="iht", blocks="variable", block_size=3)
    with pytest.raises(ValueError, match="iht_steps"):
        po.solve(P.coordinate_quadratic(8, seed=0), "bcd", rule="iht", blocks="variable", block_size=3, iht_steps=0)
    with pytest.raises(ValueError, match="needs blocks"):
        po.solve(P.coordinate_quadratic(8, seed=0), "bcd", rule="iht")


def test_bcd_kernels_refuse_a_negative_start_step():
    from pyoptheory import _core as core

    p = po.problems.logistic(np.random.default_rng(0).standard_normal((20, 3)),
                             np.sign(np.random.default_rng(1).standard_normal(20)), 0.1)
    with pytest.raises(ValueError, match="k0"):
        core.BcdGlm(np.array([0, 20, 40, 60]), np.tile(np.arange(20), 3), p.A.T.ravel().copy(), p.b, 0.05, 0.1
                     ).advance(core.BcdModel(np.arange(4, dtype=np.int64), np.arange(3, dtype=np.int64),
                                              np.ones(3), np.zeros(3), np.ones(3), 0, 0.0, np.zeros(3), np.zeros(3),
                                              0, 0.0, False),
                               np.zeros(3), np.zeros(20), -2, 0, np.zeros(0, dtype=np.int64),
                               np.zeros(2, dtype=np.int64), -1.0)
