"""Every integer code Python hands to a kernel equals the C++ enumeration's (``_core.CODES``, exported from the
enums themselves): a code changed on one side only fails here instead of running another method's branch."""
import importlib

import pytest

from pyoptheory import _core

CODES = _core.CODES

# (module, enumeration in CODES, names in the module): constants named like the C++ members
CONSTANTS = [
    ("pyoptheory.kernels.layout", "Method", None),
    ("pyoptheory.kernels.layout", "Scal", None),
    ("pyoptheory.kernels.layout", "Status", None),
    ("pyoptheory.kernels.numba_first_order", "Loss", None),
    ("pyoptheory.kernels.numba_first_order", "Reg", None),
    ("pyoptheory.kernels.numba_first_order", "Penalty", None),
    ("pyoptheory.problems.linear", "Loss", None),
    ("pyoptheory.problems.linear", "Reduce", None),
    ("pyoptheory.problems.sets", "Reg", None),
    ("pyoptheory.methods._bcd_reference", "Glm", None),
    ("pyoptheory.bilevel.problems", "BilevelKind", None),
    ("pyoptheory.bilevel._reference", "BilevelLevel", None),
    ("pyoptheory.methods._cbo_reference", "CboStatus", None),
    ("pyoptheory.methods._online_reference", "OnlineScalars", None),
    ("pyoptheory.methods._fractional_reference", "FractionalScalars", None),
    ("pyoptheory.random_stream", "StreamTag", None),
]
# (module, dictionary {name: code}, enumeration): tables keyed by option names
TABLES = [
    ("pyoptheory.methods._bcd_reference", "RULES", "BcdRule"),
    ("pyoptheory.methods._bcd_reference", "REGS", "BcdReg"),
    ("pyoptheory.methods._bcd_reference", "BLOCK_RULES", "BcdBlockRule"),
    ("pyoptheory.methods._bcd_reference", "UPDATES", "BcdUpdate"),
    ("pyoptheory.problems.landscapes", "CODES", "Landscape"),
    ("pyoptheory.methods._cbo_reference", "MOVES", "CboMove"),
    ("pyoptheory.methods._cbo_reference", "SCHEDULES", "CboSchedule"),
    ("pyoptheory.methods._online_reference", "LEARNERS", "OnlineLearner"),
    ("pyoptheory.methods._online_reference", "STEP_RULES", "OnlineStepRule"),
]


@pytest.mark.parametrize("module,enum,_", CONSTANTS, ids=lambda v: v if isinstance(v, str) else "")
def test_python_constants_equal_the_cpp_enumeration(module, enum, _):
    mod = importlib.import_module(module)
    members = CODES[enum]
    present = {name: getattr(mod, name) for name in members if hasattr(mod, name)}
    assert present, f"{module} defines none of {enum}'s codes"
    for name, value in present.items():
        assert value == members[name], f"{module}.{name} = {value}, C++ {enum}::{name} = {members[name]}"


@pytest.mark.parametrize("module,table,enum", TABLES, ids=lambda v: v)
def test_python_code_tables_equal_the_cpp_enumeration(module, table, enum):
    python = getattr(importlib.import_module(module), table)
    cpp = {name: value for name, value in CODES[enum].items() if name in python or value >= 0}
    assert python == cpp, f"{module}.{table} = {python}, C++ {enum} = {CODES[enum]}"


def test_every_method_code_of_the_layout_has_a_cpp_member():
    from pyoptheory.kernels import layout

    assert set(CODES["Method"].values()) == set(range(len(CODES["Method"])))
    assert layout.S_SIZE == CODES["Scal"]["S_SIZE"] and layout.ZO_ACCEL == max(CODES["Method"].values())
