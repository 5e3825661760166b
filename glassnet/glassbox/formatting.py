"""Shared pieces of the glass box: numbers as text, findings, two-format output.

Everything the glass box prints is built once as a list of ``Line`` objects
and rendered twice: plain text for the terminal, Markdown for notebooks and
reports. Numbers are printed with a fixed count of significant digits
(``digits``) so a receipt's factors and its product line up with
``model.gradients()`` when both are printed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# numbers as text: the core's helpers (glassnet.core.text), shared with it
from glassnet.core.text import factor, num, product, signed_sum  # noqa: F401


def default_digits(dtype) -> int:
    """Significant digits worth printing: 6 for float32, 9 for float64."""
    return 9 if np.dtype(dtype) == np.float64 else 6


# -- two-format documents ---------------------------------------------------
@dataclass
class Line:
    """One line of a receipt or report.

    kind: "title" (heading), "eq" (a formula, monospace) or "note" (prose).
    """

    kind: str
    text: str


def render_text(lines: list[Line]) -> str:
    out = []
    for ln in lines:
        if ln.kind == "title":
            if out:
                out.append("")
            out.append(ln.text)
        elif ln.kind == "eq":
            out.append("  " + ln.text)
        else:
            out.append("  " + ln.text)
    return "\n".join(out)


def render_markdown(lines: list[Line]) -> str:
    """Titles as bold paragraphs, runs of formulas as one ```text block."""
    out: list[str] = []
    in_block = False
    for ln in lines:
        if ln.kind == "eq":
            if not in_block:
                out.append("```text")
                in_block = True
            out.append(ln.text)
            continue
        if in_block:
            out.append("```")
            in_block = False
        if out:
            out.append("")
        out.append(f"**{ln.text}**" if ln.kind == "title" else ln.text)
    if in_block:
        out.append("```")
    return "\n".join(out)


# -- findings (diagnostics and the data doctor) ------------------------------
@dataclass
class Finding:
    """One problem found in data or training, with what to do about it."""

    code: str                 # short id, e.g. "feature_scales", "dead_relu"
    message: str              # what was seen, with the numbers
    fix: str                  # what to do
    details: dict = field(default_factory=dict)

    def text(self) -> str:
        return f"⚠ {self.message}\n  Fix: {self.fix}"

    def markdown(self) -> str:
        return f"- **{self.code}** — {self.message} *Fix:* {self.fix}"

    def __str__(self) -> str:
        return self.text()


@dataclass
class Report:
    """A list of findings with a title; empty means nothing to worry about."""

    title: str
    findings: list[Finding]
    ok_message: str = "no problems found."

    @property
    def ok(self) -> bool:
        return not self.findings

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def text(self) -> str:
        if self.ok:
            return f"{self.title}: {self.ok_message}"
        n = len(self.findings)
        head = f"{self.title}: {n} problem{'s' if n > 1 else ''}"
        return "\n".join([head, *(f.text() for f in self.findings)])

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def markdown(self) -> str:
        if self.ok:
            return f"**{self.title}:** {self.ok_message}"
        return "\n".join([f"**{self.title}**", "",
                          *(f.markdown() for f in self.findings)])

    def __str__(self) -> str:
        return self.text()

    def __iter__(self):
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)
