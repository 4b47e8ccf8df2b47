"""Method families; importing this package registers every method."""
from . import gradient  # noqa: F401
