"""Method families; importing this package registers every method."""
from . import accelerated  # noqa: F401
from . import gradient  # noqa: F401
from . import stochastic  # noqa: F401
from . import coordinate  # noqa: F401
from . import working_set  # noqa: F401
from . import consensus  # noqa: F401
from . import online  # noqa: F401
from . import fractional  # noqa: F401
from . import zeroth_order  # noqa: F401
from ..bilevel import methods as _bilevel_methods  # noqa: F401
