"""Keep the layout of glassnet's docstrings in the API reference.

glassnet writes its docstrings as plain text for a terminal: formulas on
their own lines, aligned with spaces, shapes beside them. Read as Markdown
those lines would run together into one paragraph. This griffe extension
(used by mkdocstrings, see mkdocs.yml) keeps prose paragraphs as Markdown and
puts every laid-out paragraph — formulas, aligned tables, hanging indents —
into a ```text block, and doctest lines (>>>) into a ```pycon block.
"""

from __future__ import annotations

import re

import griffe

_SHORT = 50  # a line this short, followed by another, was broken on purpose


def _laid_out(lines: list[str]) -> bool:
    indents = {len(ln) - len(ln.lstrip()) for ln in lines}
    return (len(indents) > 1
            or any(re.search(r"\S {2,}\S", ln.strip()) for ln in lines)
            or any(len(ln.strip()) < _SHORT for ln in lines[:-1]))


def layout(text: str) -> str:
    """The docstring with its laid-out paragraphs fenced."""
    paragraphs = re.split(r"\n[ \t]*\n", text)
    out = []
    for k, para in enumerate(paragraphs):
        lines = para.split("\n")
        body = para.strip()
        if "```" in para or not body:
            out.append(para)
        elif body.startswith(">>>"):
            out.append("```pycon\n" + para + "\n```")
        elif k > 0 and (_laid_out(lines) or para.startswith(" ")):
            out.append("```text\n" + para + "\n```")
        else:
            out.append(para)
    return "\n\n".join(out)


class DocstringLayout(griffe.Extension):
    """Apply ``layout`` to every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = layout(obj.docstring.value)
