"""The Theorem type, the rate it predicts, and the canonical instances it is checked on."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

#: How a formula was confirmed (the catalogue's tags, ../shared/theory/README.md).
CONFIRMATIONS = {
    "V:PEPit": "read in PEPit's source (update and theoretical_tau); tight",
    "V:sched": "read in the code of Schaipp et al. 2025 (lr-scheduling)",
    "V:Lean": "a machine-checked Lean statement of the paper's theorem",
    "D": "derived in the catalogue or here (classical results included: the short proof is in the theorem's "
         "module docstring or source field, with the paper and theorem it reproduces)",
    "M": "recalled from the paper, not confirmed: only scaling and slope are tested",
}


@dataclass(frozen=True)
class Rate:
    """The predicted rate: ``power`` (quantity ~ T^value), ``linear`` (~ value(c, p)^T, value may
    depend on the constants and parameters), ``bound`` (quantity ~ bound(T)^1, for rates with
    log factors, fitted against the bound's own shape) or ``log`` (a growing quantity ~ (log T)^value,
    logarithmic regret: fitted against log log T)."""

    kind: str
    value: object

    def predicted(self, c, p):
        return float(self.value(c, p)) if callable(self.value) else float(self.value)

    def __post_init__(self):
        if self.kind not in ("power", "linear", "bound", "log"):
            raise ValueError(f"kind: unknown rate kind {self.kind!r}")


def only(*keys):
    """Solve options of a theorem: the named entries of its prescribed parameters (those present)."""
    def pick(p):
        return {k: p[k] for k in keys if k in p}
    return pick


def power(p):
    return Rate("power", p)


def linear(q):
    return Rate("linear", q)


def logarithmic(p=1.0):
    """Growth like ``(log T)^p`` (``p = 1``: logarithmic regret)."""
    return Rate("log", p)


@dataclass(frozen=True)
class Instance:
    """A canonical problem for a theorem.

    ``make(horizon)`` builds the problem (``per_horizon`` instances are rebuilt
    for each horizon, like the Huber worst case); ``attains`` means the bound is
    met with equality at every horizon (checked to 1e-9); ``tight`` means the
    fitted rate must match the predicted one; otherwise the instance is benign
    and the rate need only be at least as fast.
    """

    name: str
    make: object
    per_horizon: bool = False
    tight: bool = False
    attains: bool = False
    exact: bool = False  # measure by the theorem's exact expectation instead of Monte Carlo
    deterministic: bool = False  # the oracle is deterministic: one run, no seeds
    lower: bool = False  # the theorem's lower bound applies on this instance and is asserted too
    check_rate: object = True  # False where the predicted rate does not describe this instance (noise floors)
    note: str = ""
    horizons: tuple | None = None  # the instance's own horizons (PEPit worst cases exist for N <= 10)
    reach: bool = False  # PEPit's worst case of the prescribed method: the run must reach PEPIT_REACH of its value
    rate_vs_bound: bool = False  # fit log(measured) against log(bound) (slope 1: the bound's shape), for worst
    # cases at small horizons, where the bound is not yet in its asymptotic regime
    pepit_setup: str | None = None  # the PEPit setup this instance is the worst case of (then PEPit's values apply)
    rel_tol: float | None = None  # relative slack of the bound check (default: rounding only, 1e-9; PEPit's
    # interpolated worst cases carry the SDP solver's accuracy)


#: Measured quantities; ``hilbert`` and ``marginal_err_best`` are measured by a theorem's own ``measure`` hook.
QUANTITIES = ("gap", "gap_best", "gap_avg", "dist2", "grad_map2", "hilbert", "marginal_err_best", "V", "regret",
              "pseudo_regret", "penalty_gap", "output_stationarity2")


@dataclass(frozen=True)
class Theorem:
    """A convergence theorem, runnable.

    Attributes
    ----------
    id : str
    method : str or None
        The registered method the theorem is about; None for a lemma about problems (the penalty landscape),
        measured by its ``measure`` hook.
    assumptions : tuple of str
    quantity : str
        ``gap`` (F(x_T) - F*), ``gap_best``, ``gap_avg``, ``dist2`` (||x_T - x*||^2), ``grad_map2``
        (min over iterations of the squared gradient-mapping norm, nonconvex methods), ``hilbert``
        (Hilbert's projective distance of Sinkhorn's scalings to the optimum's) or
        ``marginal_err_best`` (smallest l1 marginal error so far) or ``V`` (``(1/2) mean ||x_i - x*||^2`` of
        a particle method's particles) or ``output_stationarity2`` (the squared stationarity measure of the
        returned point, e.g. ``||grad f_delta(x_R)||^2`` of GFM's random output).
    statement : str
        The bound in words and symbols.
    bound : callable ``bound(T, c, p)``
        ``c`` holds the problem's constants plus ``D0 = ||x_0 - x*||``; ``p`` the parameters.
    params : callable ``params(problem, c, T) -> dict``
        The prescribed parameters (steps), from the constants.
    options : callable ``options(p) -> dict``
        How ``params`` become options of ``solve``.
    rate : Rate
    tight : bool
        Whether the bound is attained by some instance (else an upper bound).
    confirmed : str
        Key of :data:`CONFIRMATIONS`.
    source : str
        Paper and theorem number.
    instances : tuple of Instance
    horizon_dependent : bool
        True when the prescribed step depends on the horizon, so each horizon is a separate run.
    stochastic : bool
        True when the bound is on an expectation (seeds and a one-sided interval).
    exact : callable, optional
        ``exact(problem, p, horizons)``: the expected quantity computed exactly (no Monte
        Carlo), used on instances marked ``exact``.
    measure : callable, optional
        ``measure(problem, c, p, horizons, backend) -> (values, scale0)``: the quantity at the
        horizons for methods outside ``solve`` (``method`` then names a solver of :mod:`pyoptheory.ot`).
    """

    id: str
    method: str
    assumptions: tuple
    quantity: str
    statement: str
    bound: object
    params: object
    rate: Rate
    tight: bool
    confirmed: str
    source: str
    instances: tuple
    options: object = None
    horizon_dependent: bool = False
    stochastic: bool = False
    horizons_quick: tuple = (1, 2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200, 320, 500, 800, 1300, 2000, 3200, 5000,
                             10000)
    horizons_full: tuple = tuple(int(v) for v in np.unique(np.round(np.geomspace(1, 1e5, 30))))
    notes: str = ""
    exact: object = None  # exact(problem, p, horizons) -> expected quantity at each horizon
    lower_bound: object = None  # lower_bound(T, c, p), asserted on instances marked ``lower``
    normalize: object = None  # normalize(c): the instance's scale (e.g. L D0^2), divided out before the rate
    # fit, so that per-horizon instances whose D0 grows with T (Nesterov's chain) are compared fairly
    extra: dict = field(default_factory=dict)
    # measure(problem, c, p, horizons, backend) -> (values at the horizons, scale of the initial value):
    # for theorems about methods that do not run through ``solve`` (Sinkhorn)
    measure: object = None
    # pepit: the name of the PEPit setup of the prescribed method (pyoptheory.theory.pep): its worst-case values
    # bound the measured quantity on every deterministic instance of the setup's class, at the table's horizons
    pepit: str | None = None

    @property
    def assert_bound(self):
        """[M] constants are not hard thresholds: only the rate (scaling, slope) is asserted."""
        return self.confirmed != "M"

    @property
    def lemma(self):
        """A statement about problems, not methods (no method runs; ``verify`` measures it by its hook)."""
        return self.method is None

    def __post_init__(self):
        if self.method is None and self.measure is None:
            raise ValueError(f"method: theorem {self.id!r} names no method and has no measure hook")
        if self.confirmed not in CONFIRMATIONS:
            raise ValueError(f"confirmed: unknown tag {self.confirmed!r}")
        if self.quantity not in QUANTITIES:
            raise ValueError(f"quantity: unknown quantity {self.quantity!r}")

    def constants_for(self, problem, x0=None):
        """The constants a bound sees: the problem's, plus ``D0 = ||x0 - x*||``."""
        c = dict(problem.constants)
        x0 = problem.x0 if x0 is None else x0
        if problem.x_star is not None:
            c["D0"] = float(np.linalg.norm(x0 - problem.x_star))
        return SimpleNamespace(**c)

    def solve_options(self, p):
        return dict(self.options(p)) if self.options is not None else {}

    def instance(self, name):
        for inst in self.instances:
            if inst.name == name:
                return inst
        raise ValueError(f"problem: theorem {self.id!r} has no instance {name!r}; "
                         f"valid: {', '.join(i.name for i in self.instances)}")

    def __repr__(self):
        return f"<Theorem {self.id}: {self.statement} [{self.confirmed}; {self.source}]>"
