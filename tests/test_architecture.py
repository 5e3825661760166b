"""The shape of the code base: no import cycles, counted the way Python runs
imports — every ``import``/``from … import`` anywhere in a module (inside
functions too), plus the package ``__init__`` that importing a submodule
runs first; no glassnet import hidden inside a function; the engine and the
file formats depend on nothing above them."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "glassnet"


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _targets(name: str, node: ast.AST, modules: dict) -> list[str]:
    """The glassnet modules an import statement in ``name`` makes Python run."""
    if isinstance(node, ast.Import):
        wanted = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative import
            pkg = name.split(".")[: -node.level] if not _is_pkg(name, modules) \
                else name.split(".")[: len(name.split(".")) - node.level + 1]
            base = ".".join(pkg + ([base] if base else []))
        wanted = [base] + [f"{base}.{a.name}" for a in node.names]
    found = []
    for w in wanted:
        parts = w.split(".")
        for k in range(1, len(parts) + 1):
            target = ".".join(parts[:k])
            inside = name == target or name.startswith(target + ".")
            if target in modules and not inside:
                found.append(target)
    return found


def _is_pkg(name: str, modules: dict) -> bool:
    return modules[name].name == "__init__.py"


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[name].update(_targets(name, node, modules))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_checker_sees_a_cycle_hidden_inside_a_function():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_engine_does_not_depend_on_persistence_or_the_glass_box():
    graph = _graph()
    engine = [m for m in graph if m.startswith("glassnet.core")]
    for m in engine:
        bad = {t for t in graph[m] if t.startswith(("glassnet.io", "glassnet.train",
                                                     "glassnet.glassbox",
                                                     "glassnet.cli"))}
        assert not bad, (m, bad)


def test_no_glassnet_import_hides_inside_a_function():
    hidden = []
    for name, path in _modules().items():
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                            else [node.module or ""]
                            if isinstance(node, ast.ImportFrom) else [])
                    hidden += [(name, node.lineno) for m in mods
                               if m.startswith("glassnet")]
    assert hidden == []


def test_file_formats_import_nothing_of_the_model():
    graph = _graph()
    allowed = {"glassnet.errors", "glassnet._validation"}
    for m, targets in graph.items():
        if m.startswith("glassnet.files"):
            bad = {t for t in targets if t not in allowed
                   and not t.startswith("glassnet.files")}
            assert not bad, (m, bad)
