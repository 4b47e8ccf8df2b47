"""Online convex optimization: SEA environments and regret accounting.

Learners run against an environment with :func:`pyoptheory.solve` (``"ogd"``, ``"oomd"``, ``"oftrl"``).
"""
from .environments import SEAEnvironment, rademacher, sea

__all__ = ["SEAEnvironment", "sea", "rademacher"]
