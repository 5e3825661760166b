"""Every demo runs (fast settings), prints its story and returns its numbers."""

from __future__ import annotations

import pytest

import glassnet as gn
from glassnet import demos
from glassnet.errors import DataError

SEED_DEMOS = ["backprop", "neuron", "perceptron", "line", "seven-segment", "circles",
              "mnist", "activations", "vanishing", "overfitting", "optimizers"]


@pytest.fixture(scope="module")
def ran():
    """Run each demo once (fast), keeping its printed lines and its result."""
    out = {}
    for name in SEED_DEMOS:  # the rnn demo, when present, is tested with RNNs
        lines: list[str] = []
        result = demos.run(name, fast=True, print_fn=lines.append)
        out[name] = (result, "\n".join(lines))
    return out


def test_registry_has_every_seed_demo():
    assert set(SEED_DEMOS) <= set(demos.DEMOS)
    assert gn.demos is demos


@pytest.mark.parametrize("name", SEED_DEMOS)
def test_demo_prints_its_story(ran, name):
    result, text = ran[name]
    assert isinstance(result, dict) and result
    assert len(text.splitlines()) >= 3


def test_backprop_reproduces_the_seed(ran):
    r, text = ran["backprop"]
    assert r["E_total"] == pytest.approx(0.298371109, abs=1e-9)
    assert r["gradients"]["w5"] == pytest.approx(0.082167041, abs=1e-9)
    assert r["gradients"]["w1"] == pytest.approx(0.000438568, abs=1e-9)
    assert r["updated"]["w5"] == pytest.approx(0.35891648, abs=1e-8)
    assert r["updated"]["w1"] == pytest.approx(0.149780716, abs=1e-9)
    assert r["E_after_one_step_seed_order"] == pytest.approx(0.291027924, abs=1e-9)
    assert r["outputs_10000_seed_order"] == pytest.approx([0.015912196, 0.984065734],
                                                          abs=1e-9)
    assert r["E_10000"] < 4e-5
    assert text.count("the optimizer wrote") == 12 and text.count("✓") >= 24


def test_neuron_is_seed_000(ran):
    r, text = ran["neuron"]
    assert (r["a1_net"], r["a1"], r["a2_net"], r["a2"], r["O_net"]) == pytest.approx(
        (3.25, 3.25, -0.3, 0.0, 6.5))
    assert r["O"] == pytest.approx(0.9985, abs=1e-4)
    assert "(X1·w1) + (X2·w2) + b1" in text and "1·1 + 0.5·0.5 + 2" in text


def test_perceptron_learns_and_or_not_xor(ran):
    r, text = ran["perceptron"]
    assert r["and"]["converged"] and r["or"]["converged"]
    assert r["and"]["predictions"] == [0, 0, 0, 1]
    assert not r["xor"]["converged"] and "not linearly separable" in text
    assert r["xor_hidden_layer_accuracy"] == 1.0


def test_line_finds_slope_and_intercept(ran):
    r, text = ran["line"]
    assert r["m"] == pytest.approx(2.0, abs=0.1) and r["b"] == pytest.approx(1.0,
                                                                           abs=0.1)
    assert "w1 ← w1 − η·g" in text and "b1 ← b1 − η·g" in text


def test_seven_segment_circles_and_mnist(ran):
    seg, _ = ran["seven-segment"]
    assert seg["accuracy"] >= 0.9 and seg["prediction_for_6"] == 6
    circ, _ = ran["circles"]
    assert circ["linear_accuracy"] < 0.7 and circ["hidden_accuracy"] > 0.9
    mn, text = ran["mnist"]
    if mn["skipped"]:
        assert "GLASSNET_DATA_DIR" in text
    else:
        assert mn["params"] == 11_935 and "11,935" in text
        assert mn["test_accuracy"] > 0.8


def test_mnist_demo_skips_clearly_without_data(monkeypatch):
    def absent(**kw):
        raise DataError("expected mnist files, received none.")
    monkeypatch.setattr("glassnet.demos.mnist.load_mnist", absent)
    lines = []
    r = demos.run("mnist", fast=True, print_fn=lines.append)
    assert r["skipped"] and "mnist demo skipped" in lines[0]


def test_activations_and_vanishing(ran):
    act, _ = ran["activations"]
    assert all(v["max_fd_error"] < 1e-6 for k, v in act.items() if k != "softmax")
    assert max(act["sigmoid"]["df"]) == pytest.approx(0.25)
    van, text = ran["vanishing"]
    sig, relu = van["sigmoid_norms"], van["relu_norms"]
    assert len(sig) == len(relu) == 10
    assert sig[0] * 100 <= sig[-1]                  # fades ≥ 100× over 10 layers
    assert max(relu) <= 10 * min(relu)              # ReLU + He: within 10×
    assert "he_normal" in text


def test_overfitting_and_optimizer_arena(ran):
    of, _ = ran["overfitting"]
    assert of["big"]["train"] < of["small"]["train"]
    assert of["big"]["test"] > 5 * of["big"]["train"]
    assert of["big_l2"]["test"] < of["big"]["test"]
    arena, text = ran["optimizers"]
    names = ["SGD", "momentum", "NAG", "Adagrad", "RMSprop", "Adam"]
    assert list(arena["curves"]) == names
    assert {len(c) for c in arena["curves"].values()} == {arena["steps"]}
    start = {c[0] for c in arena["curves"].values()}
    assert len(start) == 1                          # same start, same first batch
    assert all(arena["final"][n]["loss"] < arena["curves"][n][0] for n in names)
    assert all(n in text for n in names)


def test_run_by_name(errmsg):
    lines = []
    demos.run("Seven_Segment", fast=True, print_fn=lines.append)
    assert lines
    with pytest.raises(gn.ConfigError) as e:
        demos.run("nope")
    errmsg(e, "backprop")
