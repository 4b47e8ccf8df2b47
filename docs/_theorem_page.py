"""Generate docs/theorems.rst from ``pyoptheory.theorems()`` and the last verification verdicts."""
import json

import pyoptheory as po
from pyoptheory.theory.base import CONFIRMATIONS
from pyoptheory.verify.core import last_verdicts


def _rst_literal(text):
    return "``" + text.replace("``", "'") + "``"


def _prescribed(th):
    fn = getattr(th.params, "func", th.params)  # a functools.partial keeps its function in .func
    doc = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
    return _rst_literal(doc.replace("Prescribed: ", ""))


def write_theorem_page(path):
    verdicts = last_verdicts()
    lines = ["Theorem catalogue", "=================", "",
             "Every theorem registered in pyoptheory, generated from ``pyoptheory.theorems()``. The verdict is the",
             "last one ``pyoptheory verify`` recorded on the machine that built these pages.", "",
             "Confirmation tags:", ""]
    for tag, meaning in CONFIRMATIONS.items():
        lines.append(f"- ``{tag}``: {meaning}")
    lines.append("")
    for tid, th in po.theorems().items():
        lines += [tid, "-" * len(tid), ""]
        lines += [f"- **Bound:** {_rst_literal(th.statement)}",
                  (f"- **Method:** ``{th.method}``; measured quantity ``{th.quantity}``" if not th.lemma else
                   f"- **Lemma** about problems (no method); measured quantity ``{th.quantity}``"),
                  f"- **Assumptions:** {', '.join(_rst_literal(a) for a in th.assumptions)}",
                  f"- **Prescribed steps:** {_prescribed(th)}",
                  f"- **Predicted rate:** {th.rate.kind} {_rst_literal(str(th.rate.value) if not callable(th.rate.value) else 'from the constants')}; "
                  f"{'tight' if th.tight else 'upper bound'}",
                  f"- **Confirmed:** ``{th.confirmed}``",
                  f"- **Source:** {_rst_literal(th.source)}",
                  f"- **Instances:** {', '.join('``' + i.name + '``' for i in th.instances)}"]
        v = verdicts.get(tid)
        if v is None:
            lines.append("- **Last verdict:** not run on this machine")
        else:
            lines.append(f"- **Last verdict:** {'passed' if v['passed'] else 'FAILED'} "
                         f"({'quick' if v.get('quick') else 'full'} grid, {v.get('when', '?')}; fitted rate "
                         f"{v.get('fitted_rate')}, predicted {v.get('predicted_rate')})")
        lines.append("")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return json.dumps(verdicts)
