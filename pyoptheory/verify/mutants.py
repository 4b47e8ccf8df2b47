r"""The mutation suite: deliberate mistakes in the methods, and whether the theorem checks catch them.

A :class:`Mutation` names a theorem and one mistake, applied through a documented hook of
:func:`pyoptheory.verify.verify`, never by editing files:

* ``mutate`` -- the built-in method runs with parameters changed from the prescribed ones (a wrong step
  constant, ``L`` for ``L_max``, ``n`` for ``n + 4``, another schedule or selection rule); the bound, and the
  exact values the run must reproduce, keep the prescribed parameters;
* ``method`` -- another registered method under the theorem (OGD for optimistic OMD), or a plain NumPy
  implementation from :mod:`pyoptheory.verify.twins` with the mistake switched on (a flipped momentum sign,
  an off-by-one index, a skipped prox), run through the user-method contract.

:func:`run_mutation` verifies the theorem on its quick grid, stopping at the first instance that refutes
the mutant, and says what caught it: the ``bound``, the ``rate``, the ``attainment`` of a tight instance, the
prescribed method's ``exact value``, the ``lower bound``, a ``divergence``, or a broken ``contract``
(an infeasible point).  A mutation that is equivalent on the theorem's whole class (gradient descent meets
the heavy-ball bound for strongly convex functions) carries the reason and counts neither way.

``core=True`` marks the required core (mistakes a reviewer found passing the checks); ``pitfall`` names the
catalogue's pitfall a mutation enacts.  ``pyoptheory mutants`` runs them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import twins


@dataclass(frozen=True)
class Mutation:
    """One deliberate mistake, the theorem that must catch it, and the hook that applies it."""

    name: str
    theorem: str
    description: str
    mutate: object = None  # mutate(p, problem, c, T) -> dict
    method: object = None  # a registered name, or a callable fn(oracle, params)
    core: bool = False
    pitfall: str = ""
    equivalent: str = ""


@dataclass
class MutantResult:
    """The outcome of one mutation: ``killed`` (with what caught it and where), ``survived`` or ``equivalent``."""

    name: str
    theorem: str
    status: str
    caught_by: list
    instance: str | None
    core: bool
    pitfall: str
    detail: str = ""

    def to_dict(self):
        return dict(name=self.name, theorem=self.theorem, status=self.status, caught_by=self.caught_by,
                    instance=self.instance, core=self.core, pitfall=self.pitfall, detail=self.detail)


# --- hooks ---------------------------------------------------------------------------------------------------
def scaled(factor, *keys):
    """Multiply the prescribed parameters ``keys`` (numbers or step arrays; callables of T are wrapped) by
    ``factor``."""
    def mutate(p, problem, c, T):
        for key in keys:
            if key not in p:
                continue
            value = p[key]
            p[key] = (lambda t, _v=value: factor * np.asarray(_v(t))) if callable(value) else factor * np.asarray(value)
            if np.ndim(p[key]) == 0 and not callable(p[key]):
                p[key] = float(p[key])
        return p
    return mutate


def options(**overrides):
    """Override options the theorem fixes (a rule, a momentum, an output)."""
    def mutate(p, problem, c, T):
        p["solve_options"] = {**p.get("solve_options", {}), **overrides}
        return p
    return mutate


def _constant_step(step_of):
    """A constant step ``step_of(c, T)`` for theorems that carry ``step`` (and ``etas``)."""
    def mutate(p, problem, c, T):
        step = float(step_of(c, T))
        p["step"] = step
        if "etas" in p:
            p["etas"] = lambda t, _s=step: np.full(max(t, 1), _s)
        return p
    return mutate


def _refined_schedule(kind, G_of=None, base=None):
    """Last-iterate SGD with schedule ``kind`` at the optimal base computed with ``G_of(c)`` (default the
    prescribed ``sqrt(B^2)``), or at the prescribed base times ``base``."""
    from ..theory.stochastic import _multipliers
    from .. import schedules as S

    def mutate(p, problem, c, T):
        G = np.sqrt(c.B2) if G_of is None else G_of(c)
        mult = _multipliers(kind, T)
        gamma, _ = S.optimal_base_after_updates(mult, c.D0, G)
        p["schedule"] = gamma * mult if base is None else base * np.asarray(p["schedule"])
        return p
    return mutate


def _constant_schedule(step_of):
    """A constant schedule of ``step_of(c, T)`` for theorems whose run takes ``schedule``."""
    def mutate(p, problem, c, T):
        p["schedule"] = np.full(T, float(step_of(c, T)))
        return p
    return mutate


def _tuned_sgd_step(L):
    """Catalogue 1.3's ``min(1/(4 L), D0/sqrt(2 sigma* T))`` with the given smoothness constant."""
    def step(c, T):
        tuned = c.D0 / np.sqrt(2 * c.sigma2_star * max(T, 1)) if c.sigma2_star > 0 else np.inf
        return min(1 / (4 * L(c)), tuned)
    return step


def _penalty_step(factor):
    """The double-loop penalty method with ``factor / L_sigma`` as its outer step."""
    def mutate(p, problem, c, T):
        p["solve_options"] = {"step_x": factor / p["L_sigma"]}
        return p
    return mutate


def _ogd_step(factor):
    """OGD with ``factor`` times Zinkevich's ``D/(G sqrt(T))`` (a number instead of the rule)."""
    def mutate(p, problem, c, T):
        p["solve_options"] = {"step": factor * c.D / (c.G * np.sqrt(max(T, 1)))}
        return p
    return mutate


def _theta_typo():
    def mutate(p, problem, c, T):
        p["theta"] = 1.0 / (16 * (problem.dim + 1) ** 2 * c.L)
        return p
    return mutate


def _no_noise_G(c):
    """``G`` with the gradient noise left out: ``sqrt(B^2 - sigma^2)`` (the Lipschitz part only)."""
    return np.sqrt(max(c.B2 - c.sigma2, 1e-300))


def _zo_step_n(p, problem, c, T):
    """RG_s with ``h = 1/(4 n L)`` instead of ``1/(4 (n + 4) L)``."""
    p["step"] = 1.0 / (4 * problem.dim * c.L)
    return p


_HB_GD = ("gradient descent with alpha = 1/L meets (1 - alpha mu)^T (f(x0) - f*) on every smooth strongly convex f "
          "(the heavy-ball theorem's rate is the non-accelerated one): deleting the momentum keeps the bound")
_SLOPE_ONLY_OGD = ("where sigma^2_{1:T} or Sigma^2_{1:T} grow linearly (this theorem's instances) OGD's regret also grows "
                   "like sqrt(T), the theorem's slope; optimism shows where Sigma^2_{1:T} stays bounded, the theorem "
                   "oomd.fixed.bounded, which refutes OGD (oomd.replaced_by_ogd)")
_ANYTIME_OGD = ("without the hint the SEA step decays like 1/sqrt(t) on a fixed function, and OGD with such steps "
                "reaches the minimizer of one fixed linear or quadratic loss after O(1) regret (sum_t eta_t diverges): "
                "bounded regret on the theorem's whole class; the horizon-tuned OGD, which does not, is refuted")
_SLOPE_ONLY_CONSTANT = ("OOMD's constants are unconfirmed ([M], confirmations C): only the order is asserted, and a "
                        "constant factor in the step keeps the order on the whole class")
_CONSTANT_AVG = "with constant steps the step-weighted average is the uniform one: the same output"

MUTATIONS = (
    # --- gradient descent --------------------------------------------------------------------------------
    Mutation("gd.step_x2", "gd.convex.smooth", "GD with step 2/L", scaled(2.0, "step")),
    Mutation("gd.step_x1.1", "gd.convex.smooth", "GD with step 1.1/L", scaled(1.1, "step")),
    Mutation("gd.step_x0.5", "gd.convex.smooth", "GD with step 1/(2L)", scaled(0.5, "step")),
    Mutation("gd.ascent", "gd.convex.smooth", "GD with the sign of the gradient flipped",
             method=twins.gradient_method(sign=-1.0)),
    Mutation("gd.lagged_output", "gd.convex.smooth", "GD reports x_{T-1} as its T-th iterate (off by one)",
             method=twins.gradient_method(lag=1)),
    Mutation("gd.averaged_output", "gd.convex.smooth", "GD reports the average of x_0..x_{T-1} instead of x_T",
             method=twins.gradient_method(output="uniform")),
    Mutation("gd.quadratic.step_x1.5", "gd.quadratic", "GD with step 1.5/L on quadratics", scaled(1.5, "step")),
    Mutation("gd.quadratic.step_x0.8", "gd.quadratic", "GD with step 0.8/L on quadratics", scaled(0.8, "step")),
    Mutation("proximal_gd.step_x2", "proximal_gd.strongly_convex", "proximal gradient with step 2/L",
             scaled(2.0, "step")),
    Mutation("proximal_gd.step_x0.5", "proximal_gd.strongly_convex", "proximal gradient with step 1/(2L)",
             scaled(0.5, "step")),
    Mutation("proximal_gd.no_prox", "proximal_gd.strongly_convex", "proximal gradient without the prox step",
             method=twins.gradient_method(prox=False)),
    Mutation("proximal_gd.convex.step_x2", "proximal_gd.convex", "ISTA with step 2/L", scaled(2.0, "step")),
    Mutation("proximal_gd.convex.step_x0.25", "proximal_gd.convex", "ISTA with step 1/(4L)", scaled(0.25, "step")),
    Mutation("projected_gd.no_projection", "projected_gd.convex", "projected GD without the projection",
             method=twins.gradient_method(prox=False), pitfall="evaluate f at the projected iterates"),
    Mutation("projected_gd.step_x2", "projected_gd.convex", "projected GD with step 2/L", scaled(2.0, "step")),
    Mutation("projected_gd.step_x0.25", "projected_gd.convex", "projected GD with step 1/(4L)",
             scaled(0.25, "step")),
    # --- subgradient -------------------------------------------------------------------------------------
    Mutation("subgradient.step_x0.5", "subgradient.best.constant", "subgradient method with half the step",
             scaled(0.5, "step"), core=True),
    Mutation("subgradient.step_x2", "subgradient.best.constant", "subgradient method with twice the step",
             scaled(2.0, "step"), core=True),
    Mutation("subgradient.last_not_best", "subgradient.best.constant", "reports the last iterate, not the best",
             options(output="last")),
    Mutation("subgradient.average.step_x2", "subgradient.average.constant", "averaged subgradient, twice the step",
             scaled(2.0, "step", "gammas")),
    Mutation("subgradient.average.step_x0.25", "subgradient.average.constant",
             "averaged subgradient, a quarter of the step", scaled(0.25, "step", "gammas")),
    Mutation("subgradient.average.uniform_weights", "subgradient.average.constant",
             "uniform instead of step-weighted average", options(output="uniform"), equivalent=_CONSTANT_AVG),
    Mutation("subgradient.sqrt.step_x4", "subgradient.average.sqrt", "1/sqrt(t) steps four times too large",
             scaled(4.0, "step", "gammas")),
    # --- stochastic gradient ---------------------------------------------------------------------------------
    Mutation("sgd.smooth.L_not_Lmax", "sgd.smooth.average", "SGD step 1/(4L) instead of 1/(4 L_max)",
             _constant_step(_tuned_sgd_step(lambda c: c.L)), core=True,
             pitfall="L_max, not L: using L makes the bound invalid"),
    Mutation("sgd.strongly_convex.L_not_Lmax", "sgd.strongly_convex.constant",
             "SGD step 1/(2L) instead of 1/(2 L_max)", _constant_step(lambda c, T: 1 / (2 * c.L)), core=True,
             pitfall="L_max, not L: using L makes the bound invalid"),
    Mutation("sgd.smooth.step_x2", "sgd.smooth.average", "SGD with twice the tuned step", scaled(2.0, "step")),
    Mutation("sgd.smooth.average_from_x1", "sgd.smooth.average", "averages x_1..x_T instead of x_0..x_{T-1}",
             options(average_from=1), pitfall="averages start at x0"),
    Mutation("sgd.smooth.last_iterate", "sgd.smooth.average", "reports the last iterate instead of the average",
             options(output="last"), pitfall="the bound is for the average, not the last iterate"),
    Mutation("sgd.strongly_convex.step_x2", "sgd.strongly_convex.constant", "SGD with step 1/L_max",
             _constant_step(lambda c, T: 1 / c.L_max)),
    Mutation("sgd.strongly_convex.step_x0.5", "sgd.strongly_convex.constant", "SGD with step 1/(4 L_max)",
             _constant_step(lambda c, T: 1 / (4 * c.L_max))),
    Mutation("sgd.subgradient.step_x2", "sgd.subgradient.convex", "stochastic subgradient, twice the step",
             scaled(2.0, "schedule", "gammas")),
    Mutation("sgd.subgradient.variance_not_moment", "sgd.subgradient.convex",
             "step D0/(sigma sqrt T): the noise variance in place of the second moment B^2",
             _constant_schedule(lambda c, T: c.D0 / np.sqrt(max(getattr(c, "sigma2", c.sigma2_star), 1e-12 * c.B2)
                                                             * max(T, 1))),
             pitfall="using the variance instead of the second moment underestimates B"),
    Mutation("sgd.lsb.uniform_average", "sgd.strongly_convex.lsb", "uniform instead of t-weighted average",
             options(output="uniform"), pitfall="uniform averaging loses a log factor"),
    Mutation("sgd.lsb.step_x4", "sgd.strongly_convex.lsb", "steps 8/(mu(t+1)) instead of 2/(mu(t+1))",
             scaled(4.0, "schedule")),
    Mutation("proximal_sgd.strongly_convex.step_x2", "proximal_sgd.strongly_convex",
             "proximal SGD with step 1/L_max", _constant_step(lambda c, T: 1 / c.L_max)),
    Mutation("proximal_sgd.no_prox", "proximal_sgd.strongly_convex", "proximal SGD without the prox",
             method=twins.stochastic_gradient_method(prox=False)),
    Mutation("proximal_sgd.convex.average_from_x0", "proximal_sgd.convex",
             "averages x_0..x_{T-1} instead of x_1..x_T", options(average_from=0),
             pitfall="the convex bound averages x^1..x^T (not x^0..x^{T-1})"),
    Mutation("proximal_sgd.convex.L_not_Lmax", "proximal_sgd.convex", "step 1/(8L) instead of 1/(8 L_max)",
             _constant_step(lambda c, T: 1 / (8 * c.L))),
    # --- last-iterate schedules --------------------------------------------------------------------------------
    Mutation("last_iterate.linear_decay.constant_schedule", "sgd.last_iterate.linear_decay",
             "the constant schedule (at its own optimal base) instead of linear decay", _refined_schedule("constant"),
             core=True),
    Mutation("last_iterate.linear_decay.step_x2", "sgd.last_iterate.linear_decay", "linear decay, twice the base",
             _refined_schedule("linear_decay", base=2.0), core=True),
    Mutation("last_iterate.linear_decay.step_x4", "sgd.last_iterate.linear_decay", "linear decay, four times the base",
             _refined_schedule("linear_decay", base=4.0), core=True),
    Mutation("last_iterate.linear_decay.noise_left_out", "sgd.last_iterate.linear_decay",
             "the optimal base computed with G^2 without the gradient noise",
             _refined_schedule("linear_decay", G_of=_no_noise_G), core=True),
    Mutation("last_iterate.wsd.noise_left_out", "sgd.last_iterate.wsd",
             "the optimal base computed with G^2 without the gradient noise",
             _refined_schedule("wsd", G_of=_no_noise_G), core=True),
    Mutation("last_iterate.constant.noise_left_out", "sgd.last_iterate.constant",
             "the optimal base computed with G^2 without the gradient noise",
             _refined_schedule("constant", G_of=_no_noise_G), core=True),
    Mutation("last_iterate.cosine.noise_left_out", "sgd.last_iterate.cosine",
             "the optimal base computed with G^2 without the gradient noise",
             _refined_schedule("cosine", G_of=_no_noise_G), core=True),
    Mutation("last_iterate.wsd.no_cooldown", "sgd.last_iterate.wsd", "WSD without its cooldown (constant)",
             _refined_schedule("constant")),
    Mutation("last_iterate.cosine.step_x2", "sgd.last_iterate.cosine", "cosine, twice the base",
             _refined_schedule("cosine", base=2.0)),
    Mutation("last_iterate.constant.step_x4", "sgd.last_iterate.constant", "constant schedule, four times the base",
             _refined_schedule("constant", base=4.0)),
    # --- accelerated and momentum methods ----------------------------------------------------------------------
    Mutation("agd.lambda_off_by_one", "agd.convex", "AGD's lambda sequence started one step late",
             method=twins.accelerated_method(lambda_shift=1), pitfall="off-by-one in lambda"),
    Mutation("agd.no_momentum", "agd.convex", "AGD without momentum (gradient descent)",
             method=twins.accelerated_method(momentum_scale=0.0)),
    Mutation("agd.step_x2", "agd.convex", "AGD with step 2/L", scaled(2.0, "step")),
    Mutation("agd.momentum_x1.2", "agd.convex", "AGD's momentum 1.2 times too large",
             method=twins.accelerated_method(momentum_scale=1.2)),
    Mutation("agd.simple.lambda_momentum", "agd.convex.simple", "the lambda momentum instead of (k-1)/(k+2)",
             options(momentum="lambda")),
    Mutation("agd.simple.step_x0.5", "agd.convex.simple", "simple-momentum AGD with step 1/(2L)",
             scaled(0.5, "step")),
    Mutation("agd.strongly_convex.no_momentum", "agd.strongly_convex", "constant-momentum AGD without momentum",
             method=twins.strongly_convex_agd(momentum_scale=0.0)),
    Mutation("agd.strongly_convex.step_x0.5", "agd.strongly_convex", "strongly convex AGD with step 1/(2L)",
             scaled(0.5, "step")),
    Mutation("fista.no_prox", "fista.convex", "FISTA without the prox step",
             method=twins.accelerated_method(prox=False)),
    Mutation("fista.step_x2", "fista.convex", "FISTA with step 2/L", scaled(2.0, "step")),
    Mutation("fista.simple.lambda_momentum", "fista.simple", "FISTA's lambda momentum instead of (k-1)/(k+2)",
             options(momentum="lambda")),
    Mutation("heavy_ball.quadratic.no_momentum", "heavy_ball.quadratic", "heavy ball with the momentum deleted",
             options(momentum=0.0), core=True),
    Mutation("heavy_ball.quadratic.momentum_sign", "heavy_ball.quadratic", "heavy ball with the momentum sign flipped",
             method=twins.heavy_ball_method(momentum_sign=-1.0), core=True),
    Mutation("heavy_ball.quadratic.momentum_x0.9", "heavy_ball.quadratic", "heavy ball with 0.9 times the momentum",
             method=twins.heavy_ball_method(momentum_scale=0.9)),
    Mutation("heavy_ball.strongly_convex.no_momentum", "heavy_ball.strongly_convex",
             "heavy ball with the momentum deleted", options(momentum=0.0), equivalent=_HB_GD),
    Mutation("heavy_ball.strongly_convex.momentum_sign", "heavy_ball.strongly_convex",
             "heavy ball with the momentum sign flipped", method=twins.heavy_ball_method(momentum_sign=-1.0)),
    # --- coordinate descent ------------------------------------------------------------------------------------
    Mutation("bcd.gs.cyclic", "bcd.gs", "Gauss-Southwell run with cyclic selection", options(rule="cyclic"), core=True),
    Mutation("bcd.gs.random", "bcd.gs", "Gauss-Southwell run with uniform random selection", options(rule="uniform"),
             core=True),
    Mutation("bcd.gsl.gs_selection", "bcd.gsl", "GS-Lipschitz run with plain GS selection (steps 1/L_i)",
             options(rule="gs")),
    Mutation("bcd.lipschitz.uniform", "bcd.lipschitz", "uniform instead of Lipschitz sampling (steps 1/L_i)",
             options(rule="uniform")),
    # --- online learning -----------------------------------------------------------------------------------
    Mutation("oomd.replaced_by_ogd", "oomd.fixed.bounded", "optimistic OMD replaced by plain OGD", method="ogd",
             core=True),
    Mutation("oomd.sea.replaced_by_ogd", "oomd.sea.slope", "optimistic OMD replaced by plain OGD", method="ogd",
             equivalent=_SLOPE_ONLY_OGD),
    Mutation("oomd.no_hint", "oomd.fixed.bounded", "optimistic OMD without the hint (OGD with the SEA step)",
             method=twins.optimistic_omd(hint=False), equivalent=_ANYTIME_OGD),
    Mutation("oomd.lookahead", "oomd.sea.slope", "the step eta_t uses ||g_t - M_t|| of the round being played",
             method=twins.optimistic_omd(lookahead=True), pitfall="do not look ahead: eta_t uses V_{t-1}",
             equivalent=_SLOPE_ONLY_CONSTANT),
    Mutation("oomd.radius_for_diameter", "oomd.sea.slope", "the step uses the radius R for the diameter D = 2R",
             method=twins.optimistic_omd(diameter_scale=0.5), pitfall="D is the diameter, 2R",
             equivalent=_SLOPE_ONLY_CONSTANT),
    Mutation("ogd.step_x4", "ogd.regret", "OGD with four times Zinkevich's step", _ogd_step(4.0)),
    Mutation("ogd.step_x0.25", "ogd.regret", "OGD with a quarter of Zinkevich's step", _ogd_step(0.25)),
    # --- bilevel ----------------------------------------------------------------------------------------------
    Mutation("bilevel.penalty.step_x2", "bilevel.penalty.quadratic", "the penalty method with outer step 2/L_sigma",
             _penalty_step(2.0)),
    Mutation("bilevel.penalty.step_x0.5", "bilevel.penalty.quadratic", "the penalty method with outer step 1/(2 L_sigma)",
             _penalty_step(0.5)),
    Mutation("bilevel.penalty.sigma_x100", "bilevel.penalty.quadratic", "the penalty method with 100 times the penalty",
             scaled(100.0, "penalty")),
    # --- zeroth order --------------------------------------------------------------------------------------------
    Mutation("zo_rgf.n_not_n_plus_4", "zo_rgf.smooth.average", "RG_s with h = 1/(4nL) instead of 1/(4(n+4)L)",
             _zo_step_n, core=True, pitfall="h must use n+4, not n"),
    Mutation("zo_rgf.strongly_convex.n_not_n_plus_4", "zo_rgf.strongly_convex",
             "RG_s with h = 1/(4nL) instead of 1/(4(n+4)L)", _zo_step_n, core=True, pitfall="h must use n+4, not n"),
    Mutation("zo_rgf.strongly_convex.step_x2", "zo_rgf.strongly_convex", "RG_s with twice the step",
             scaled(2.0, "step")),
    Mutation("zo_random_search.step_x2", "zo_random_search.nonsmooth", "random search with twice the step",
             scaled(2.0, "step"), core=True),
    Mutation("zo_random_search.step_x3", "zo_random_search.nonsmooth", "random search with three times the step",
             scaled(3.0, "step"), core=True),
    Mutation("gfm.step_x2", "gfm.smoothed", "GFM with twice the step", scaled(2.0, "step"), core=True),
    Mutation("gfm.step_x3", "gfm.smoothed", "GFM with three times the step", scaled(3.0, "step"), core=True),
    Mutation("zo_accelerated.theta_typo", "zo_accelerated.convex",
             "FG_s with the printed theta = 1/(16 (n+1)^2 L) (the typo the Lean proof corrects to n + 4)",
             _theta_typo(), pitfall="the printed constant only works with n+4 (a paper typo)"),
    Mutation("zo_gd.step_x2", "zo_gd.cge", "ZO-GD (CGE) with step 2/L", scaled(2.0, "step")),
)


# --- running ---------------------------------------------------------------------------------------------------
def mutations(core=None, pitfalls=None):
    """The mutations, optionally only the required core and/or the catalogue's pitfalls (``core=True``,
    ``pitfalls=True``: their union)."""
    if core is None and pitfalls is None:
        return list(MUTATIONS)
    return [m for m in MUTATIONS if (core and m.core) or (pitfalls and m.pitfall)]


def get_mutation(name):
    from .._validation import lookup

    return lookup({m.name: m for m in MUTATIONS}, name, "mutation", "mutation")


_CHECKS = (("bound_holds", "bound"), ("rate_ok", "rate"), ("attained", "attainment"), ("exact_holds", "exact value"),
           ("lower_holds", "lower bound"), ("pepit_holds", "PEPit value"), ("pepit_reached", "PEPit attainment"))


def caught_by(case):
    """What refuted a failing case: the checks that failed (and a divergence or a contract violation)."""
    found = [label for attr, label in _CHECKS if getattr(case, attr, None) is False]
    if any("diverged" in n or "runs failed" in n for n in case.notes):
        found.append("divergence")
    if case.errors:
        found.append("contract")
    return found or ["verdict"]


def run_mutation(mutation, quick=True, first_failure=True, **verify_options):
    """Verify the mutation's theorem with the mistake applied; a :class:`MutantResult`."""
    from .core import verify

    m = get_mutation(mutation) if isinstance(mutation, str) else mutation
    if m.equivalent:
        return MutantResult(m.name, m.theorem, "equivalent", [], None, m.core, m.pitfall, m.equivalent)
    rep = verify(m.theorem, quick=quick, method=m.method, mutate=m.mutate, first_failure=first_failure,
                 **verify_options)
    failed = [c for c in rep.cases if not c.passed]
    if not failed:
        return MutantResult(m.name, m.theorem, "survived", [], None, m.core, m.pitfall,
                            "; ".join(f"{c.instance}: tightness {c.tightness:.3g}" for c in rep.cases))
    case = failed[0]
    return MutantResult(m.name, m.theorem, "killed", caught_by(case), case.instance, m.core, m.pitfall,
                        "; ".join(case.notes[-2:]))


def summary(results):
    """Counts of killed, survived and equivalent mutations and the killed share of the non-equivalent ones."""
    killed = sum(r.status == "killed" for r in results)
    survived = sum(r.status == "survived" for r in results)
    equivalent = sum(r.status == "equivalent" for r in results)
    decided = killed + survived
    return dict(total=len(results), killed=killed, survived=survived, equivalent=equivalent,
                killed_share=killed / decided if decided else float("nan"))
