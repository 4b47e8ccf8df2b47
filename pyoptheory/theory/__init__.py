"""Theorems: bound formulas, prescribed parameters, predicted rates, sources and canonical instances.

Each family adds a module here whose ``THEOREMS`` list is registered by ID.
"""
from __future__ import annotations

from .base import CONFIRMATIONS, Instance, Rate, Theorem, linear, power

_FAMILIES = ("gradient", "stochastic", "accelerated", "transport", "coordinate", "consensus", "online", "bilevel", "zeroth")
_REGISTRY: dict[str, Theorem] = {}


def _load():
    if _REGISTRY:
        return
    import importlib

    for fam in _FAMILIES:
        for th in importlib.import_module(f".{fam}", __name__).THEOREMS:
            if th.id in _REGISTRY:
                raise ValueError(f"theorem {th.id!r} is registered twice")
            _REGISTRY[th.id] = th


def all_theorems():
    _load()
    return dict(_REGISTRY)


def get_theorem(theorem_id):
    _load()
    if isinstance(theorem_id, Theorem):
        return theorem_id
    from .._validation import lookup

    return lookup(_REGISTRY, theorem_id, "theorem", "theorem ID")


__all__ = ["Theorem", "Instance", "Rate", "power", "linear", "CONFIRMATIONS", "all_theorems", "get_theorem"]
