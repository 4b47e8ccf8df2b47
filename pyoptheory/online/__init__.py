"""Online convex optimization: SEA environments and regret accounting.

Learners run against an environment with :func:`pyoptheory.solve` (``"ogd"``, ``"oomd"``, ``"oftrl"``).
"""
from .environments import Environment, LogisticStream, SEAEnvironment, logistic_stream, rademacher, sea

__all__ = ["Environment", "SEAEnvironment", "LogisticStream", "sea", "logistic_stream", "rademacher"]
