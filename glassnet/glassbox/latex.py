"""Receipts typeset: the glass box's formula lines as LaTeX, for Jupyter.

A receipt's formulas are written once, as plain Unicode text for the terminal
(``∂E_total/∂w5 = 0.74136507 × 0.186815602 × 0.593269992``). ``to_latex``
reads such a line and writes the same formula in LaTeX
(``\\frac{\\partial E_{\\mathrm{total}}}{\\partial w_{5}} = 0.74136507 \\times …``);
``render_html`` lays a receipt out as HTML with its runs of formulas in
``\\[\\begin{aligned} … \\end{aligned}\\]`` blocks, aligned on their first
``=`` (or ``←``), which MathJax typesets in JupyterLab and in the
documentation site (whose MathJax reads ``class="arithmatex"``).
The numbers are not re-computed or re-rounded: each digit string of the text
line appears in the LaTeX one (``1.2e-07`` as ``1.2 \\times 10^{-7}``).
``Rendered`` gives any record made of such lines (a receipt) its four forms
and its Jupyter displays.
"""

from __future__ import annotations

import re
from html import escape

from glassnet.glassbox.formatting import Line, render_markdown, render_text

_SYMBOLS = {
    "·": r"\cdot ", "×": r"\times ", "−": "-", "←": r"\leftarrow ", "→": r"\to ",
    "≥": r"\geq ", "≤": r"\leq ", "≈": r"\approx ", "⊙": r"\odot ", "∞": r"\infty ",
    "…": r"\dots ", "✓": r"\checkmark ", "′": "'", "ᵀ": r"^{\mathsf{T}}",
    "σ": r"\sigma ", "η": r"\eta ", "μ": r"\mu ", "ε": r"\varepsilon ",
    "λ": r"\lambda ", "ρ": r"\rho ", "α": r"\alpha ", "β": r"\beta ",
    "δ": r"\delta ", "γ": r"\gamma ", "Σ": r"\sum ", "Ω": r"\Omega ",
    "θ": r"\theta ", "τ": r"\tau ", "φ": r"\varphi ", "∂": r"\partial ",
    "{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$",
    "\\": r"\backslash ", "~": r"\sim ",
}
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉ₖᵢⱼₜ", "0123456789kijt", strict=True))
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ᵗ", "0123456789t", strict=True))
# names typeset upright as operators; other words of two or more letters are prose
_FUNCS = {"max", "min", "exp", "ln", "log", "sign", "clip", "softmax", "tanh",
          "step", "GELU", "mean", "relu", "sigmoid"}

_NAME = r"[A-Za-z]+(?:_[A-Za-z0-9]+)?\d*[\u0302\u0303]?"
_TOKEN = re.compile(
    rf"(?P<grad>∂(?P<num>{_NAME})/∂(?P<den>{_NAME}))"
    r"|(?P<number>\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
    rf"|(?P<name>{_NAME})"
    r"|(?P<sub>[₀-₉ₖᵢⱼₜ]+)|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹ᵗ]+)"
    r"|(?P<power>\^)|(?P<under>_)|(?P<sqrt>√)|(?P<space>\s+)|(?P<other>.)")


def _name(word: str) -> str:
    """``w5`` → ``w_{5}``, ``out_o1`` → ``\\mathrm{out}_{o1}``, ``m̂`` → ``\\hat{m}``,
    ``x̃`` → ``\\tilde{x}``."""
    accent = {"\u0302": r"\hat", "\u0303": r"\tilde"}.get(word[-1])
    word = word.rstrip("\u0302\u0303")
    base, _, sub = word.partition("_")
    if not sub:
        m = re.fullmatch(r"([A-Za-z]+)(\d+)", base)
        if m:
            base, sub = m.groups()
    head = base if len(base) == 1 else rf"\mathrm{{{base}}}"
    if accent:
        head = rf"{accent}{{{head}}}"
    if sub:
        sub = rf"\mathrm{{{sub}}}" if sub.isalpha() and len(sub) > 1 else sub
        return f"{head}_{{{sub}}}"
    return head


def _number(text: str) -> str:
    mant, _, exp = text.partition("e")
    return mant if not exp else rf"{mant} \times 10^{{{int(exp)}}}"


def _group(src: str, i: int) -> tuple[str, int]:
    """The operand after ``^`` or ``√`` at ``src[i:]``: a parenthesised
    group (without its parentheses) or one token; returns (LaTeX, end)."""
    if i < len(src) and src[i] == "(":
        depth, j = 0, i
        while j < len(src):
            depth += {"(": 1, ")": -1}.get(src[j], 0)
            if depth == 0:
                return to_latex(src[i + 1:j]), j + 1
            j += 1
    m = _TOKEN.match(src, i)
    if m is None or m.lastgroup in ("space", None):
        return "", i
    return to_latex(m.group(0)), m.end()


def to_latex(text: str) -> str:
    """One formula line of a receipt, in LaTeX (math mode), prose as ``\\text``."""
    out: list[tuple[str, str]] = []    # (kind, latex): kind "word" is prose
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        kind, tok = m.lastgroup, m.group(0)
        i = m.end()
        if kind == "grad":
            tex = (rf"\frac{{\partial {_name(m.group('num'))}}}"
                   rf"{{\partial {_name(m.group('den'))}}}")
        elif kind == "number":
            tex = _number(tok)
        elif kind == "name":
            plain = tok.isalpha() and len(tok) > 1 and tok not in _FUNCS
            kind, tex = ("word", rf"\text{{{tok}}}") if plain else \
                ("math", rf"\operatorname{{{tok}}}" if tok in _FUNCS else _name(tok))
        elif kind == "sub":
            tex = "_{" + "".join(_SUB[c] for c in tok) + "}"
        elif kind == "sup":
            tex = "^{" + "".join(_SUP[c] for c in tok) + "}"
        elif kind in ("power", "under", "sqrt"):    # x^(…), Σ_(p,q), √(…)
            arg, i = _group(text, i)
            tex = {"power": f"^{{{arg}}}", "under": f"_{{{arg}}}" if arg else r"\_",
                   "sqrt": rf"\sqrt{{{arg}}}"}[kind]
        elif kind == "space":
            tex = " "
        else:
            tex = _SYMBOLS.get(tok, tok)
        out.append((kind, tex))
    return _join(out)


def _join(tokens: list[tuple[str, str]]) -> str:
    """Concatenate; a space between two prose words stays a space (``\\ ``)."""
    parts = []
    for k, (kind, tex) in enumerate(tokens):
        if kind == "space":
            before = tokens[k - 1][0] if k else ""
            after = tokens[k + 1][0] if k + 1 < len(tokens) else ""
            tex = r"\ " if "word" in (before, after) else " "
        parts.append(tex)
    return "".join(parts).strip()


_ALIGN = re.compile(r" (=|←) ")


def aligned_row(text: str) -> str:
    """``lhs = rhs`` → ``lhs &= rhs``; indented or operator-less lines hang
    in the right column, continuation lines (``      = …``) start with ``&=``."""
    if text[:1].isspace():
        stripped = text.strip()
        if stripped.startswith(("=", "←")):
            return "&" + to_latex(stripped)
        return r"&\quad " + to_latex(stripped)
    m = _ALIGN.search(text)
    if m is None:
        return "&" + to_latex(text)
    return (to_latex(text[:m.start()]) + " &" + to_latex(m.group(1)) + " "
            + to_latex(text[m.end():]))


def aligned(eqs: list[str]) -> str:
    """Formula lines as one ``aligned`` environment."""
    rows = r" \\" + "\n"
    return "\\begin{aligned}\n" + rows.join(aligned_row(e) for e in eqs) + \
        "\n\\end{aligned}"


def _runs(lines: list[Line]):
    """Consecutive formula lines grouped: yields ("eq", [texts]) or (kind, text)."""
    eqs: list[str] = []
    for ln in lines:
        if ln.kind == "eq":
            eqs.append(ln.text)
            continue
        if eqs:
            yield "eq", eqs
            eqs = []
        yield ln.kind, ln.text
    if eqs:
        yield "eq", eqs


def render_html(lines: list[Line]) -> str:
    """Titles bold, notes as prose, runs of formulas typeset by MathJax."""
    out = []
    for kind, body in _runs(lines):
        if kind == "eq":
            out.append(f"<div class='arithmatex'>\\[{escape(aligned(body))}\\]</div>")
        elif kind == "title":
            out.append(f"<p><b>{escape(body)}</b></p>")
        else:
            out.append(f"<p>{escape(body)}</p>")
    return "<div class='glassnet-receipt'>" + "\n".join(out) + "</div>"


def render_latex(lines: list[Line]) -> str:
    """The whole receipt as one display-math block (for ``text/latex``)."""
    rows = []
    for kind, body in _runs(lines):
        if kind == "eq":
            rows += [aligned_row(e) for e in body]
        else:
            text = body.replace("\\", "/").replace("{", "(").replace("}", ")")
            text = re.sub(r"([#$%&_^~])", r"\\\1", text)
            cmd = r"\textbf" if kind == "title" else r"\text"
            rows.append(rf"&{cmd}{{{text}}}")
    return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"


class Rendered:
    """The four forms of a worked computation made of ``self.lines``: text
    for the terminal, Markdown, typeset HTML and LaTeX. Jupyter picks the
    richest it can show: HTML (typeset by MathJax in JupyterLab and in the
    documentation site), else LaTeX, else Markdown."""

    lines: list[Line]

    def text(self) -> str:
        return render_text(self.lines)

    def markdown(self) -> str:
        return render_markdown(self.lines)

    def html(self) -> str:
        """Typeset formulas (MathJax) between bold titles and prose notes."""
        return render_html(self.lines)

    def latex(self) -> str:
        """The whole computation as one LaTeX ``aligned`` block."""
        return render_latex(self.lines)

    def _repr_html_(self) -> str:
        return self.html()

    def _repr_latex_(self) -> str:
        return self.latex()

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __str__(self) -> str:
        return self.text()
