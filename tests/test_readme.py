"""The README's examples run as written and print what the README shows
(issue 15, item 23: a receipt snippet used ``y`` where the snippet before it
defined ``Y``, and numbers no test reproduced). The MNIST and recurrent
numbers are checked by the tests named beside them in the README."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_NUMBER = re.compile(r"[-+]?\d[\d,]*\.?\d*(?:e[-+]?\d+)?")


def _blocks() -> list[tuple[str, str]]:
    """(language, body) of every fenced block, in order."""
    return re.findall(r"```(\w*)\n(.*?)```", README.read_text(encoding="utf-8"),
                      flags=re.S)


def _block(marker: str) -> tuple[int, str]:
    """The index and body of the one Python block containing ``marker``."""
    found = [(i, body) for i, (lang, body) in enumerate(_blocks())
             if lang == "python" and marker in body]
    assert len(found) == 1, f"{len(found)} README blocks contain {marker!r}"
    return found[0]


def _run(namespace: dict, *markers: str) -> str:
    """Execute the README blocks holding ``markers`` in one namespace; return
    what they printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for marker in markers:
            exec(compile(_block(marker)[1], "README.md", "exec"), namespace)
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
    i, _ = _block(marker)
    lang, body = _blocks()[i + 1]
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
