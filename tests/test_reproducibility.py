"""The same seed gives bitwise-identical weights and History, even in two
separate processes (different hash seeds, fresh interpreters)."""

import os
import pathlib
import subprocess
import sys

import numpy as np

import glassnet as gn

SCRIPT = r"""
import json, sys
import numpy as np
import glassnet as gn

seed, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(123)            # the data are fixed
X = rng.normal(size=(90, 3)).astype(np.float32)
y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
net = gn.Sequential([gn.Dense(16, "relu", input_dim=3), gn.Dropout(0.2),
                     gn.Dense(8, "gelu"), gn.Dense(3, "softmax")], seed=seed)
net.compile("categorical_crossentropy", "adam", learning_rate=0.01,
            metrics=["accuracy", "f1"])
h = net.fit(X, y, epochs=4, batch_size=16, validation_split=0.2, verbose=0)
h2 = net.fit(X, y, epochs=2, batch_size=16, verbose=0)
np.save(out + ".npy", net.flat_params)
record = {k: v for k, v in h.history.items() if k != "time"}  # wall clock differs
record["val_idx"] = h.validation_indices.tolist()
record["second"] = {k: v for k, v in h2.history.items() if k != "time"}
record["epochs"] = [h.epoch, h2.epoch]
with open(out + ".json", "w") as f:
    json.dump(record, f)
"""

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(tmp_path, seed, tag, hashseed):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    out = str(tmp_path / tag)
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, str(script), str(seed), out], check=True,
                   cwd=tmp_path, env=env, timeout=120)
    return (pathlib.Path(out + ".npy").read_bytes(),
            pathlib.Path(out + ".json").read_bytes())


def test_same_seed_two_processes_bitwise_identical(tmp_path):
    a = _run(tmp_path, 7, "a", hashseed=1)
    b = _run(tmp_path, 7, "b", hashseed=2)
    assert a[0] == b[0]   # weights, byte for byte
    assert a[1] == b[1]   # History (every value, validation rows, epochs)
    c = _run(tmp_path, 8, "c", hashseed=1)
    assert c[0] != a[0] and c[1] != a[1]  # and the seed matters


def test_same_seed_same_process_identical():
    def train(seed):
        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, size=40)
        net = gn.Sequential([gn.Dense(8, "tanh", input_dim=2), gn.Dropout(0.3),
                             gn.Dense(2, "softmax")], seed=seed)
        net.compile("categorical_crossentropy", "momentum", learning_rate=0.05)
        h = net.fit(X, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0)
        return net.flat_params.copy(), h

    (wa, ha), (wb, hb) = train(3), train(3)
    np.testing.assert_array_equal(wa, wb)
    assert ha["loss"] == hb["loss"] and ha["val_loss"] == hb["val_loss"]
    np.testing.assert_array_equal(ha.validation_indices, hb.validation_indices)
