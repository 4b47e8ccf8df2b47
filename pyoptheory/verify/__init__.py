"""Running a theorem's check: seeds, statistics, rate fits and verdicts."""
from .core import CaseResult, Verification, measure, verify

__all__ = ["verify", "Verification", "CaseResult", "measure"]
