"""Persistence depends on the model, never the reverse: checked on the source.

glassnet/files/ may import only glassnet.errors, glassnet._validation and
itself; no import in files/, io/, data/, cli/ or train/checkpoint.py hides
inside a function, and none of them is part of an import cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "glassnet"
AREA = ("glassnet.files", "glassnet.io", "glassnet.data", "glassnet.cli",
        "glassnet.train.checkpoint", "glassnet._validation")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, modules) -> tuple[set[str], list[tuple[int, str]]]:
    """(glassnet modules imported at module level, [(line, module)] imported
    inside functions)."""
    top, inner = set(), []

    def targets(node) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        base = node.module or ""
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                for a in node.names]

    def visit(body, in_function: bool) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                for t in targets(node):
                    if t.startswith("glassnet"):
                        (inner.append((node.lineno, t)) if in_function
                         else top.add(t))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(node.body, True)
            elif isinstance(node, ast.ClassDef | ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []), in_function)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body, in_function)

    visit(ast.parse(path.read_text(encoding="utf-8")).body, False)
    return top, inner


def _graph() -> tuple[dict[str, set[str]], dict[str, list]]:
    modules = _modules()
    graph, inner = {}, {}
    for name, path in modules.items():
        top, inner[name] = _imports(path, modules)
        edges = set()
        for t in top:  # importing a.b.c runs the packages a.b and a too
            while t and t != name and not name.startswith(t + "."):
                if t in modules:
                    edges.add(t)
                t = t.rpartition(".")[0]
        graph[name] = edges
    return graph, inner


def _in_area(name: str) -> bool:
    return any(name == a or name.startswith(a + ".") for a in AREA)


def test_files_import_nothing_of_the_model():
    graph, _ = _graph()
    allowed = {"glassnet", "glassnet.errors", "glassnet._validation"}
    for name, edges in graph.items():
        if name.startswith("glassnet.files"):
            bad = {t for t in edges
                   if t not in allowed and not t.startswith("glassnet.files")}
            assert not bad, f"{name} imports {sorted(bad)}"


def test_no_imports_hidden_in_functions():
    _, inner = _graph()
    hidden = [(name, line, t) for name, found in inner.items() if _in_area(name)
              for line, t in found]
    assert hidden == []


def test_no_import_cycle_through_persistence_data_or_cli():
    graph, _ = _graph()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    for name in graph:
        if _in_area(name):
            assert not reaches(name, name), f"{name} is part of an import cycle"
