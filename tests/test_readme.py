"""The README's example and the examples of the documentation pages run as
written and print what the pages show (issue 15, item 23: a receipt snippet
used ``y`` where the snippet before it defined ``Y``, and numbers no test
reproduced). The examples that were in the README live in
docs/getting-started.md and docs/how-to/look-inside.md since the README
shrank to a pitch and links (issue 18). The MNIST and recurrent numbers are
checked by the tests named beside them on their pages."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, ROOT / "docs" / "getting-started.md",
         ROOT / "docs" / "how-to" / "look-inside.md"]
_NUMBER = re.compile(r"[-+]?\d[\d,]*\.?\d*(?:e[-+]?\d+)?")


def _blocks(page: Path) -> list[tuple[str, str]]:
    """(language, body) of every fenced block of ``page``, in order."""
    return re.findall(r"```(\w*)\n(.*?)```", page.read_text(encoding="utf-8"),
                      flags=re.S)


def _block(marker: str) -> tuple[Path, int, str]:
    """The page, index and body of the one Python block containing ``marker``."""
    found = [(page, i, body) for page in PAGES
             for i, (lang, body) in enumerate(_blocks(page))
             if lang == "python" and marker in body]
    assert len(found) == 1, f"{len(found)} blocks of {PAGES} contain {marker!r}"
    return found[0]


def _run(namespace: dict, *markers: str) -> str:
    """Execute the blocks holding ``markers`` in one namespace; return what
    they printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for marker in markers:
            page, _, body = _block(marker)
            exec(compile(body, str(page), "exec"), namespace)
    return out.getvalue()


def _same_text(printed: str, shown: str, rel: float) -> None:
    """The same words; the same numbers within ``rel``."""
    a, b = printed.strip().splitlines(), shown.strip().splitlines()
    assert [_NUMBER.sub("#", x).rstrip() for x in a] == \
        [_NUMBER.sub("#", x).rstrip() for x in b], (printed, shown)
    for x, y in zip(_NUMBER.findall(printed), _NUMBER.findall(shown), strict=True):
        fx, fy = (float(v.replace(",", "").rstrip(".")) for v in (x, y))
        assert fx == pytest.approx(fy, rel=rel, abs=1e-12), (x, y)


def _shown_after(marker: str) -> str:
    page, i, _ = _block(marker)
    lang, body = _blocks(page)[i + 1]
    assert lang in ("", "text"), "the output block follows its code"
    return body


@pytest.fixture
def namespace():
    import glassnet as gn
    return {"np": np, "gn": gn, "__name__": "readme"}


def test_first_network_summary_and_gradient_check(namespace):
    printed = _run(namespace, "gn.gradcheck(net, X, y")
    table, error = printed.rsplit("\n", 2)[0], float(printed.split()[-1])
    shown = _shown_after("gn.gradcheck(net, X, y")
    assert [line.rstrip() for line in table.strip().splitlines()] == \
        [line.rstrip() for line in shown.strip().splitlines()]
    assert error < 1e-6                                  # the README says ~1e-7


def test_the_222_network_by_hand(namespace):
    _run(namespace, 'net.gradients(X, Y, "half_sse")[2]')
    net, X, Y = namespace["net"], namespace["X"], namespace["Y"]
    np.testing.assert_allclose(net.predict(X), [[0.75136507, 0.77292847]],
                               atol=5e-9)
    assert net.gradients(X, Y, "half_sse")[2][0, 0] == pytest.approx(0.08216704,
                                                                     abs=5e-9)


def test_the_receipt_snippet_runs_after_the_222_network(namespace):
    """Before: NameError — the snippet used y, the one before it defined Y."""
    printed = _run(namespace, 'net.gradients(X, Y, "half_sse")[2]',
                   'weight=(1, "W", 0, 0), update=True')
    _same_text(printed, _shown_after('weight=(1, "W", 0, 0), update=True'),
               rel=1e-8)


def test_the_diagnostics_example(namespace):
    printed = _run(namespace, "print(gn.diagnose(history))")
    _same_text(printed, _shown_after("print(gn.diagnose(history))"), rel=0.05)


def test_the_readme_example_trains_and_prints_a_receipt(namespace):
    """The README's one example: a network trained on circles, its accuracy,
    a hidden weight's receipt with its two paths, checked against backprop."""
    page, _, _ = _block("ds = gn.load_builtin(\"circles\")")
    assert page == README
    printed = _run(namespace, "ds = gn.load_builtin(\"circles\")")
    _same_text(printed, _shown_after("ds = gn.load_builtin(\"circles\")"), rel=0.02)
    assert printed.rstrip().endswith("✓")


def test_the_readme_links_every_docs_page():
    """The README tells a newcomer where each page is: a relative link to
    every Markdown page and notebook of the site, each one existing."""
    text = README.read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(((?:docs|benchmarks)/[^)#]+)", text))
    assert all((ROOT / link).exists() for link in links), sorted(links)
    docs = ROOT / "docs"
    pages = [*docs.glob("*.md"), *docs.glob("how-to/*.md"), *docs.glob("tutorials/*"),
             docs / "reference" / "index.md"]
    wanted = {str(p.relative_to(ROOT)) for p in pages
              if p.suffix in (".md", ".ipynb") and p != docs / "index.md"}
    assert len(wanted) > 20
    assert wanted - links == set()
    assert "benchmarks/RESULTS.md" in links and "make docs" in text
