"""Shared fixtures for the core test suites.

- ``torch``: PyTorch, or the test is skipped when it is not installed.
- ``mnist_path``: ``$GLASSNET_DATA_DIR/mnist.npz``, or the test is skipped.
- ``mazur``: the 2-2-2 network of the backpropagation seed text (Mazur's
  worked example), built in float64 with its printed weights.
- ``errmsg``: checks that an error message follows the expected / received /
  fix convention and names the given fragments.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest

import glassnet as gn


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="session")
def mnist_path() -> pathlib.Path:
    folder = os.environ.get("GLASSNET_DATA_DIR")
    if not folder:
        pytest.skip("GLASSNET_DATA_DIR is not set (point it at shared/datasets)")
    path = pathlib.Path(folder) / "mnist.npz"
    if not path.is_file():
        pytest.skip(f"no mnist.npz in GLASSNET_DATA_DIR={folder}")
    return path


# Mazur's layout: w1, w2 feed h1 from i1, i2; w3, w4 feed h2; w5, w6 feed o1
# from h1, h2; w7, w8 feed o2. glassnet stores W as (n_in, n_out), so
# W[i, j] is the weight from input i to unit j.
MAZUR_W = dict(w1=0.15, w2=0.20, w3=0.25, w4=0.30,
               w5=0.40, w6=0.45, w7=0.50, w8=0.55)


def mazur_weights(w: dict) -> list[np.ndarray]:
    W1 = np.array([[w["w1"], w["w3"]],
                   [w["w2"], w["w4"]]])
    W2 = np.array([[w["w5"], w["w7"]],
                   [w["w6"], w["w8"]]])
    return [W1, np.array([0.35, 0.35]), W2, np.array([0.60, 0.60])]


def mazur_named(weights: list[np.ndarray]) -> dict:
    """Back from [W1, b1, W2, b2] to {"w1": …, …, "w8": …}."""
    W1, _, W2, _ = weights
    return dict(w1=W1[0, 0], w2=W1[1, 0], w3=W1[0, 1], w4=W1[1, 1],
                w5=W2[0, 0], w6=W2[1, 0], w7=W2[0, 1], w8=W2[1, 1])


class Mazur:
    X = np.array([[0.05, 0.10]])
    y = np.array([[0.01, 0.99]])
    w = MAZUR_W
    weights = staticmethod(mazur_weights)
    named = staticmethod(mazur_named)

    @staticmethod
    def model() -> gn.Sequential:
        net = gn.Sequential([gn.Dense(2, "sigmoid", input_dim=2),
                             gn.Dense(2, "sigmoid")], dtype="float64", seed=0)
        net.set_weights(mazur_weights(MAZUR_W))
        return net


@pytest.fixture
def mazur():
    return Mazur


@pytest.fixture
def errmsg():
    """errmsg(excinfo, "fragment", …): the message teaches (expected/received/fix)."""

    def check(excinfo, *fragments):
        msg = str(excinfo.value)
        low = msg.lower()
        assert "expected" in low, msg
        assert "received" in low, msg
        # the fix: a sentence after "received …." telling what to do
        tail = msg.split("received", 1)[1]
        assert "." in tail and len(tail.split(".", 1)[1].strip()) > 5, msg
        for frag in fragments:
            assert frag.lower() in low, f"{frag!r} not in {msg!r}"
        return msg

    return check
