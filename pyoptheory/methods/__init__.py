"""Method families; importing this package registers every method."""
from . import gradient  # noqa: F401
from . import stochastic  # noqa: F401
