"""Per-iteration values (steps, averaging weights, random draws) are produced a chunk at a time: the windows
equal the whole arrays bit for bit, runs cut into any chunks agree with a hand-written loop, and a run's
memory does not grow with ``steps`` (benchmarks/bench_memory.py measures resident memory up to 1e8 steps)."""
import tracemalloc

import numpy as np
import pytest

import pyoptheory as po
from pyoptheory import schedules as S
from pyoptheory.methods._sequences import AveragingWeights, StepSequence, averaging_weights

T = 1000
SCHEDULES = [S.constant(0.3), S.inv_sqrt(0.3), S.inv_t(0.3), S.switching(4.0, 0.5), S.step_decay(0.3, 0.5, every=70),
             S.linear_decay(0.3, T), S.cosine(0.3, T), S.wsd(0.3, T, 0.2), S.sgdr(0.3, 50), S.sgdr(0.3, 20, mult=2),
             S.refined(np.linspace(2.0, 1.0, T))]
CUTS = [0, 1, 2, 63, 64, 500, 999, 1000]


@pytest.mark.parametrize("sched", SCHEDULES, ids=lambda s: s.name)
def test_schedule_windows_are_the_array_bit_for_bit(sched):
    whole = sched.steps(T)
    for a in CUTS:
        for b in CUTS:
            if a <= b:
                np.testing.assert_array_equal(sched.window(a, b, T), whole[a:b])
    with pytest.raises(ValueError, match="steps"):
        sched.window(5, T + 1, T)


def _by_hand(output, T, gammas, suffix=0.5, start=0):
    """The weights of x_0..x_T written out (catalogue 1.1-1.5), independently of the window code."""
    w = np.zeros(T + 1)
    for j in range(T + 1):
        if output == "uniform":
            w[j] = 1.0 if start <= j < start + T else 0.0
        elif output == "suffix":
            w[j] = 1.0 if j >= T + 1 - max(1, int(np.ceil(suffix * T))) else 0.0
        elif output == "step_weighted":
            w[j] = gammas[j] if j < T else 0.0
        else:
            w[j] = j + 1.0
    return w if T else np.ones(1)


@pytest.mark.parametrize("output,kw", [("uniform", {}), ("uniform", {"average_from": 1}), ("suffix", {"suffix": 0.3}),
                                       ("step_weighted", {}), ("t_weighted", {})])
@pytest.mark.parametrize("n", [0, 1, 7, 100])
def test_averaging_weights_windows(output, kw, n):
    gammas = 1.0 / np.sqrt(np.arange(1, n + 1))
    seq = StepSequence.from_rule(lambda a, b: 1.0 / np.sqrt(np.arange(a + 1, b + 1)), n, peak=1.0)
    aw = AveragingWeights(output, n, seq, suffix=kw.get("suffix", 0.5), average_from=kw.get("average_from", 0))
    expected = _by_hand(output, n, gammas, kw.get("suffix", 0.5), kw.get("average_from", 0))
    np.testing.assert_array_equal(averaging_weights(output, n, seq, **kw), expected)
    pieces = [aw.window(a, min(a + 3, n + 1)) for a in range(0, n + 1, 3)]
    np.testing.assert_array_equal(np.concatenate(pieces), expected)


def test_sequences_refuse_windows_outside_the_run():
    seq = StepSequence.from_rule(lambda a, b: np.ones(b - a), 10, peak=1.0)
    with pytest.raises(ValueError, match="steps"):
        seq.window(8, 11)
    with pytest.raises(ValueError, match="avg_w"):
        AveragingWeights("uniform", 10).window(0, 12)
    assert StepSequence.constant(0.5, 10**18).max() == 0.5
    assert seq.max() == 1.0


@pytest.mark.parametrize("backend", ["numpy", "numba", "cpp"])
@pytest.mark.parametrize("record", ["all", None, np.array([57])])
def test_subgradient_sqrt_rule_step_weighted_against_a_hand_loop(backend, record):
    """gamma_k = c/sqrt(k+1), x_{k+1} = P(x_k - gamma_k g_k), output sum_{k<T} gamma_k x_k / sum gamma_k."""
    rng = np.random.default_rng(0)
    p = po.problems.max_affine(rng.standard_normal((30, 4)), rng.standard_normal(30))
    n, c = 57, 0.05
    x = p.x0.copy()
    num, den = np.zeros(p.dim), 0.0
    for k in range(n):
        gamma = c / np.sqrt(k + 1)
        num, den = num + gamma * x, den + gamma
        x = x - gamma * p.grad(x)
    res = po.solve(p, "subgradient", step=c, step_rule="sqrt", output="step_weighted", steps=n, record=record,
                   backend=backend)
    np.testing.assert_allclose(res.x, num / den, rtol=1e-10, atol=1e-12)


def _peak_bytes(steps):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((50, 5))
    p = po.problems.least_squares(A, A @ rng.standard_normal(5))
    po.solve(p, "sgd", steps=100, schedule="cosine", output="uniform", seed=0, backend="cpp")  # warm caches
    tracemalloc.start()
    res = po.solve(p, "sgd", steps=steps, schedule="cosine", output="uniform", seed=0, backend="cpp")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.success and res.nit == steps
    return peak


def test_memory_of_a_run_does_not_grow_with_steps():
    """A cosine schedule and uniform averaging over 3e6 steps: materialised, 48 MB; produced by chunk, the
    peak of Python-side allocations is that of a 3e5-step run."""
    small, large = _peak_bytes(300_000), _peak_bytes(3_000_000)
    assert large < 8e6, f"peak {large / 1e6:.1f} MB"
    assert large < 1.5 * small + 1e6, f"peak {large / 1e6:.1f} MB for 3e6 steps against {small / 1e6:.1f} MB"


def _bilevel_peak(steps):
    from pyoptheory import bilevel

    p = bilevel.quadratic(4, 6, rho=0.1, seed=8)
    po.solve(p, "penalty_single_loop", steps=10)
    tracemalloc.start()
    res = po.solve(p, "penalty_single_loop", steps=steps, penalty_start=10.0, penalty_decay=0.999, progress=False,
                   record=np.array([steps]))  # every chunk as long as the driver allows
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.success and res.nit == steps
    return peak


def test_bilevel_schedules_are_produced_by_chunk():
    """Penalty continuation, default steps and momentum over 6e5 iterations: six schedules materialised would
    take 29 MB; by chunk the peak is that of a 1e5-iteration run (chunks of the driver's largest size in both)."""
    small, large = _bilevel_peak(100_000), _bilevel_peak(600_000)
    assert large < 1.3 * small + 1e6, f"peak {large / 1e6:.1f} MB for 6e5 iterations against {small / 1e6:.1f} MB"


def test_a_callable_schedule_is_checked_on_every_window():
    from pyoptheory import bilevel

    p = bilevel.quadratic(4, 6, rho=0.1, seed=8)
    with pytest.raises(ValueError, match="step_x: must be positive"):
        po.solve(p, "penalty", steps=100, step_x=lambda k: 0.01 if k < 50 else -1.0, record="all")
    with pytest.raises(ValueError, match="momentum: must lie in"):
        po.solve(p, "penalty_single_loop", steps=100, momentum=lambda k: 0.5 if k < 70 else 1.5)
    with pytest.raises(ValueError, match="step_z: a schedule"):
        po.solve(p, "penalty", steps=100, step_z=lambda k: 0.01 / (k + 1))
