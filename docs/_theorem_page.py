"""Generate the theorem catalogue (docs/theorems.rst and one page per theorem under docs/theorems/).

Each page renders the bound as mathematics, runs the theorem's quick verification (unless ``PYOPTHEORY_DOCS_VERIFY=0``)
and shows its plot (measured against the bound on each instance), the best tightness reached, PEPit's value
against the bound where a worst case is tabulated, and, for theorems no instance comes within half of, the reason.
"""
import os

import pyoptheory as po
from pyoptheory.theory.attainment import EXCEPTIONS
from pyoptheory.theory.base import CONFIRMATIONS
from pyoptheory.theory.latex import LATEX


def _lit(text):
    return "``" + text.replace("``", "'") + "``"


def _text(text):
    """Prose from the library (notes, reasons) with the characters reStructuredText would read as markup escaped."""
    for ch in ("\\", "|", "*", "`", "_"):
        text = text.replace(ch, "\\" + ch)
    return text


def _prescribed(th):
    fn = getattr(th.params, "func", th.params)  # a functools.partial keeps its function in .func
    doc = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
    return _lit(doc.replace("Prescribed: ", ""))


def _page(th, folder, run):
    from pyoptheory.verify.power import attainment

    lines = [th.id, "=" * len(th.id), "", ".. math::", "", "   " + LATEX[th.id], ""]
    lines += [f"- **{'Lemma about problems (no method)' if th.lemma else 'Method'}:** "
              + ("" if th.lemma else f"``{th.method}``; ") + f"measured quantity ``{th.quantity}``",
              f"- **Assumptions:** {', '.join(_lit(a) for a in th.assumptions)}",
              f"- **Prescribed parameters:** {_prescribed(th)}",
              f"- **Predicted rate:** {th.rate.kind} "
              + _lit(str(th.rate.value) if not callable(th.rate.value) else "from the constants")
              + f"; {'tight' if th.tight else 'upper bound'}",
              f"- **Confirmed:** ``{th.confirmed}`` ({CONFIRMATIONS[th.confirmed]})",
              f"- **Source:** {_lit(th.source)}"]
    if th.pepit:
        lines.append(f"- **PEPit worst case:** setup ``{th.pepit}`` (exact worst case over the class at N = 1..10, "
                     "shipped in ``pyoptheory/theory/data/pepit.json.gz``)")
    lines.append("")
    lines += ["Instances", "---------", ""]
    for inst in th.instances:
        lines.append(f"- ``{inst.name}``" + (f": {_text(inst.note)}" if inst.note else ""))
    lines.append("")
    if run:
        rep = po.verify(th, quick=True)
        fig = rep.plot(os.path.join(folder, f"{th.id}.png"))
        import matplotlib.pyplot as plt

        plt.close(fig)
        att, where = attainment(rep)
        ratios = [c.pepit_ratio for c in rep.cases if c.pepit_ratio is not None]
        lines += ["Verification (quick grid)", "-------------------------", "",
                  f".. image:: {th.id}.png", "   :width: 100%", "",
                  f"- **Verdict:** {'passed' if rep.passed else 'FAILED'}",
                  f"- **Best tightness:** {att:.3g} of min(bound, PEPit value), on ``{where}``"
                  if th.assert_bound else f"- **Tightness (reported):** {rep.tightness:.3g}"]
        if ratios:
            lines.append(f"- **PEPit value / bound:** up to {max(ratios):.3g} (N <= 10)")
        lines += ["", ".. code-block:: text", ""] + ["   " + ln for ln in repr(rep).splitlines()] + [""]
    if th.id in EXCEPTIONS:
        lines += ["No instance within half of the bound", "------------------------------------", "",
                  _text(EXCEPTIONS[th.id]), ""]
    return "\n".join(lines) + "\n"


def write_theorem_page(path):
    """Write the index ``path`` (theorems.rst) and the pages under ``theorems/`` next to it."""
    run = os.environ.get("PYOPTHEORY_DOCS_VERIFY", "1") != "0"
    root = os.path.dirname(path)
    folder = os.path.join(root, "theorems")
    os.makedirs(folder, exist_ok=True)
    lines = ["Theorem catalogue", "=================", "",
             "Every theorem registered in pyoptheory, generated from ``pyoptheory.theorems()``; each page shows the "
             "bound, its quick verification (measured against the bound on every instance), the best tightness "
             "reached and, where PEPit expresses the method, the exact worst case against the bound.", "",
             "Confirmation tags:", ""]
    for tag, meaning in CONFIRMATIONS.items():
        lines.append(f"- ``{tag}``: {meaning}")
    lines += ["", ".. toctree::", "   :maxdepth: 1", ""]
    for tid, th in po.theorems().items():
        with open(os.path.join(folder, f"{tid}.rst"), "w") as fh:
            fh.write(_page(th, folder, run))
        lines.append(f"   theorems/{tid}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
