"""Rich display in Jupyter: what a notebook shows for a model, a History, a
receipt, a trace and a report — with the numbers the text forms print."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import plots
from glassnet.glassbox.formatting import num
from glassnet.glassbox.latex import aligned_row, to_latex
from glassnet.train import progress


def mazur():
    """The seeds' 2-2-2 network (seed 002), float64, SGD with η = 0.5."""
    net = gn.Sequential([gn.Dense(2, activation="sigmoid", input_dim=2),
                         gn.Dense(2, activation="sigmoid")], dtype="float64")
    net.set_weights([np.array([[.15, .25], [.20, .30]]), np.array([.35, .35]),
                     np.array([[.40, .50], [.45, .55]]), np.array([.60, .60])])
    net.compile(loss="half_sse", optimizer=gn.optimizers.SGD(learning_rate=0.5))
    return net, np.array([[.05, .10]]), np.array([[.01, .99]])


def test_summary_html_carries_the_parameter_arithmetic():
    net = gn.Sequential([gn.Dense(15, activation="sigmoid", input_dim=784),
                         gn.Dense(10, activation="softmax")], seed=0)
    html = net._repr_html_()
    assert "784×15 + 15 = 11,775" in html and "15×10 + 10 = 160" in html
    assert "Total params: 11,935" in html
    assert html.count("<tr>") == 3           # the header and one row per layer
    assert "dense_1 (Dense)" in html and "(None, 10)" in html


def test_history_html_lists_the_epochs_and_plot_returns_an_inline_figure():
    X = np.random.default_rng(0).standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    net = gn.Sequential([gn.Dense(2, "softmax", input_dim=2)], seed=0)
    net.compile("categorical_crossentropy", "sgd", metrics=["accuracy"])
    h = net.fit(X, y, epochs=20, batch_size=10, verbose=0, validation_split=0.25,
                seed=0)
    html = h._repr_html_()
    assert "History: 20 epochs" in html and "val_accuracy" in html
    assert f"{h['loss'][0]:.4g}" in html and f"{h['loss'][-1]:.4g}" in html
    assert "⋮" in html                       # 20 epochs: first and last six
    assert html.count("<tr>") == 1 + 12 + 1
    pytest.importorskip("matplotlib")
    fig = h.plot("two blobs")
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert fig._repr_png_().startswith(b"\x89PNG")


def test_receipt_html_typesets_the_chain_with_its_numbers():
    net, X, y = mazur()
    r = gn.explain(net, X, y, weight=(1, "W", 0, 0), update=True,
                   notation=gn.glassbox.Notation(inputs="i", loss="E_total"))
    html, latex = r._repr_html_(), r._repr_latex_()
    for number in ("0.74136507", "0.186815602", "0.593269992", "0.0821670406",
                   "0.35891648"):
        assert number in html and number in latex
    frac = r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}}"
    assert frac in html and frac in latex
    assert r"\begin{aligned}" in html and "class='arithmatex'" in html
    assert r"w_{5} &amp;\leftarrow w_{5} - \eta \cdot g" in html  # HTML-escaped &
    assert "0.0821670406" in r._repr_markdown_()


def test_a_kernel_weight_receipt_displays_with_its_numbers():
    """A Conv2D kernel weight's receipt shows its terms and total in a
    notebook, not the dataclass's repr."""
    net = gn.Sequential([gn.Conv2D(2, 3, activation="relu", input_shape=(6, 6, 1)),
                         gn.Flatten(), gn.Dense(3, activation="softmax")],
                        seed=0, dtype="float64")
    X = np.random.default_rng(0).random((4, 6, 6, 1))
    r = gn.explain(net, X, np.array([0, 1, 2, 0]), weight=(0, "kernel", 1, 2, 0, 1),
                   loss="categorical_crossentropy")
    md = r._repr_markdown_()
    assert md == r.markdown() and "KernelReceipt(" not in md
    assert "✓" in md and len(r.terms) == 5
    numbers = re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", r.text())
    assert len(numbers) > 15                      # five terms, the total, backprop
    assert all(n in md for n in numbers)
    assert f"{r.value:.6f}"[:8] in md            # the total, as computed


def test_every_number_of_a_receipt_survives_into_its_latex():
    net, X, y = mazur()
    net.compile(loss="half_sse", optimizer="adam")
    Xb, yb = np.vstack([X, 2 * X]), np.vstack([y, y])
    for r in (gn.explain(net, Xb, yb, weight=(0, "b", 1), update=True),
              gn.explain(net, Xb, yb, neuron=(0, 1), sample=1)):
        for line in (ln.text for ln in r.lines if ln.kind == "eq"):
            tex = to_latex(line)
            for number in re.findall(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?", line):
                mant, _, exp = number.partition("e")
                assert mant in tex and (not exp or f"10^{{{int(exp)}}}" in tex), \
                    (number, line, tex)


@pytest.mark.parametrize("text, tex", [
    ("∂E/∂w5", r"\frac{\partial E}{\partial w_{5}}"),
    ("9.85603486e-8", r"9.85603486 \times 10^{-8}"),
    ("√v̂ + ε", r"\sqrt{\hat{v}} + \varepsilon"),
    ("(1 − β₁ᵗ)", r"(1 - \beta _{1}^{t})"),
    ("e^(-0.3775)", r"e^{-0.3775}"),
    ("√(a + 1)", r"\sqrt{a + 1}"),
    ("out_o1·(1 − out_o1)", r"\mathrm{out}_{o1}\cdot (1 - \mathrm{out}_{o1})"),
    ("via o1: x", r"\text{via}\ o_{1}: x"),
    ("100% & $5_", r"100\% \& \$5\_"),
    ("Σ_b Σ_(p,q) x̃[b, p + i]", r"\sum _{b} \sum _{p,q} \tilde{x}[b, p + i]"),
    ("Σₖ e^(net_k)", r"\sum _{k} e^{\mathrm{net}_{k}}"),
])
def test_to_latex(text, tex):
    assert to_latex(text) == tex


def test_rows_align_on_the_first_equals_or_arrow():
    assert aligned_row("g = a = 1") == "g &= a = 1"
    assert aligned_row("w ← w − η·g") == r"w &\leftarrow w - \eta \cdot g"
    assert aligned_row("       = 0.3775") == "&= 0.3775"
    assert aligned_row("  via o1: a = 2").startswith(r"&\quad \text{via}")


def test_trace_html_is_one_table_per_layer_with_small_arrays_written_out():
    net, X, y = mazur()
    t = gn.trace(net, X, y)
    html = t._repr_html_()
    assert html.count("<table>") == 2
    assert "layers[0] dense (Dense, sigmoid)" in html
    assert f"loss {t.loss:.6g}" in html
    assert "[0.05, 0.1]" in html                        # x of layer 0, in full
    assert "update_W" in html and "Δ = after − before" in html
    big = gn.Sequential([gn.Dense(16, "relu", input_dim=20),
                         gn.Dense(3, "softmax")], seed=0)
    big.compile("categorical_crossentropy", "adam")
    rng = np.random.default_rng(0)
    t_big = gn.trace(big, rng.random((5, 20)), np.array([0, 1, 2, 0, 1]))
    html = t_big._repr_html_()
    assert "<th>mean</th>" in html
    assert "not formed: the output fuses with the loss" in html
    dW = t_big.layers[0]["dW"]
    assert all(f"<td>{num(v, 4)}</td>" in html for v in (dW.mean(), dW.min(), dW.max()))


def test_reports_display_as_markdown():
    X = np.c_[np.arange(50.0) * 1000, np.random.default_rng(0).random(50)]
    report = gn.doctor(X, (X[:, 1] > 0.5).astype(int))
    assert report._repr_markdown_() == report.markdown()


def test_notebook_progress_uses_the_widget_bar_only_when_it_can(monkeypatch):
    class Widget:
        def __init__(self, **kw):
            self.kw = kw

    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "_notebook_tqdm", lambda: Widget)
    assert progress.bar_class(1) is Widget and progress.bar_class(2) is None
    p = progress.EpochProgress(1, n_batches=3, end_epoch=2)
    p.begin(0)
    assert p.notebook and p.bar.kw["total"] == 3 and p.bar.kw["desc"] == "epoch 1/2"
    monkeypatch.setattr(progress, "_notebook_tqdm", lambda: None)  # no ipywidgets
    assert progress.bar_class(1) is None


def test_importing_glassnet_needs_no_jupyter_and_no_matplotlib():
    code = ("import sys, glassnet; print(sorted(m for m in ('IPython', 'ipykernel', "
            "'matplotlib', 'tqdm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def test_plot_functions_without_a_path_return_an_inline_figure(tmp_path):
    pytest.importorskip("matplotlib")
    fig = plots.plot_activations(names=["sigmoid", "relu"])
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "relu"]
    assert fig._repr_png_().startswith(b"\x89PNG")
    fig = plots.plot_optimizers({"sgd": [1.0, 0.5, 0.3], "adam": [1.0, 0.2, 0.1]})
    assert fig._repr_png_().startswith(b"\x89PNG")
    path = plots.plot_activations(tmp_path / "act.png", names=["tanh"])
    assert path.read_bytes().startswith(b"\x89PNG")     # with a path: a file
