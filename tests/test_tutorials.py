"""Every tutorial notebook in docs/tutorials runs top to bottom without an error.

Each notebook checks its own numbers with ``assert`` (the seed's 2-2-2 values,
a perceptron that converges on AND and not on XOR, …), so running it is a
test of both the library and the page. The long ones read
``GLASSNET_TUTORIAL_FAST=1`` and train on less data for fewer epochs; MNIST
comes from ``$GLASSNET_DATA_DIR`` (the tutorial is skipped without it). The
executed copy is thrown away: the committed notebooks keep the outputs of a
full run. Skipped cleanly without nbformat, nbclient or ipykernel.
"""

from __future__ import annotations

import os
import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

TUTORIALS = pathlib.Path(__file__).resolve().parents[1] / "docs" / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
NEEDS_MNIST = {"04-train-validate-test.ipynb", "05-images.ipynb"}


def test_the_tutorials_are_there():
    names = [p.name for p in NOTEBOOKS]
    assert names[:4] == ["01-one-neuron.ipynb", "02-backpropagation-by-hand.ipynb",
                         "03-gradient-descent-and-optimizers.ipynb",
                         "04-train-validate-test.ipynb"]
    assert {"05-images.ipynb", "06-sequences.ipynb",
            "07-from-csv-to-deployed-model.ipynb"} <= set(names)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_tutorial_runs_top_to_bottom(path, monkeypatch):
    if path.name in NEEDS_MNIST:
        folder = os.environ.get("GLASSNET_DATA_DIR")
        if not folder or not (pathlib.Path(folder) / "mnist.npz").is_file():
            pytest.skip("needs $GLASSNET_DATA_DIR/mnist.npz")
    # the kernel inherits the environment: quick settings, one BLAS thread,
    # headless matplotlib
    monkeypatch.setenv("GLASSNET_TUTORIAL_FAST", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(TUTORIALS)}})
    client.execute()          # raises CellExecutionError naming the failing cell
    errors = [o for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
