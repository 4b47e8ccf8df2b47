"""Registries that map names to methods, so that ``solve`` never learns about a family."""
from __future__ import annotations

from dataclasses import dataclass, field

#: The problem kinds a method may accept (``Problem.kind``).
PROBLEM_KINDS = (
    "smooth",                 # f L-smooth, no regularizer
    "composite",              # f L-smooth plus a regularizer g with a prox (l1 ...)
    "constrained",            # f L-smooth on a closed convex set with an exact projection
    "nonsmooth",              # f convex and G-Lipschitz, subgradients available
    "nonsmooth_constrained",  # the same on a set with an exact projection
    "black_box",              # f known only through its values
    "online",                 # a sequence of losses revealed one round at a time (pyoptheory.online)
    "fractional",             # F = N / D: convex numerator, convex or concave positive denominator, a box
    "bilevel",                # min_x psi(x) = min_{y in argmin g(x, .)} f(x, y) (pyoptheory.bilevel)
    "multiblock_bilevel",     # min_x (1/m) sum_i f_i(x, y_i*(x)), m lower levels (pyoptheory.bilevel)
    "stochastic_zo",          # f(x) = E F(x; xi), values of F only, a Goldstein stationarity measure (zeroth)
)


@dataclass(frozen=True)
class MethodSpec:
    """A registered method: its function, the problem kinds it accepts and its backends."""

    name: str
    func: object = field(repr=False)
    accepts: tuple
    backends: tuple
    summary: str = ""
    theorem: str | None = None

    def __call__(self, problem, **options):
        return self.func(problem, **options)


_METHODS: dict[str, MethodSpec] = {}


def register(name, *, accepts, backends=("numpy",), theorem=None):
    """Decorator adding a method to the registry under ``name``."""
    unknown = set(accepts) - set(PROBLEM_KINDS)
    if unknown:
        raise ValueError(f"accepts: unknown problem kind(s) {sorted(unknown)}")

    def deco(func):
        if name in _METHODS:
            raise ValueError(f"method {name!r} is registered twice")
        summary = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        _METHODS[name] = MethodSpec(name, func, tuple(accepts), tuple(backends), summary, theorem)
        return func

    return deco


def get_method(name) -> MethodSpec:
    _load_families()
    if isinstance(name, MethodSpec):
        return name
    from ._validation import lookup

    return lookup(_METHODS, name, "method", "method")


def methods() -> dict:
    """All registered methods, by name, each with the problem kinds it accepts and its backends."""
    _load_families()
    return dict(sorted(_METHODS.items()))


def _load_families():
    # Importing the family modules registers their methods (``pyoptheory.methods`` the package,
    # not the function of the same name that the top level exports).
    import importlib

    importlib.import_module(f"{__package__}.methods")
