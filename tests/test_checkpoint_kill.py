"""SIGKILL a training process at random moments, resume, and compare.

A child process trains a tiny network with a checkpoint after every batch and
``resume=True``. The test kills it (at seeded random times, and also from
inside a checkpoint write), checks that the checkpoint left behind always
loads, and restarts it until it finishes. The final weights must be bitwise
equal to those of a run that was never interrupted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from glassnet.io import read_checkpoint

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

CHILD = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    import glassnet as gn
    from glassnet.files import atomic, safetensors

    ckpt, out, die_at_write = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if die_at_write:  # SIGKILL ourselves halfway through that checkpoint write
        calls = [0]
        def dying_write(path, chunks):
            calls[0] += 1
            with atomic.atomic_open(path, "wb") as f:
                for i, chunk in enumerate(chunks):
                    f.write(chunk)
                    if calls[0] == die_at_write and i == 1:
                        f.flush()
                        os.kill(os.getpid(), signal.SIGKILL)
        safetensors.atomic_write_bytes = dying_write

    X = np.random.default_rng(0).standard_normal((36, 2))
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 > 1.2).astype(np.int64)
    net = gn.Sequential([gn.Dense(6, "tanh", input_dim=2), gn.Dropout(0.2),
                         gn.Dense(2, "softmax")], seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=0.05)
    print("ready", flush=True)
    net.fit(X, y, epochs=5, batch_size=4, validation_split=0.2, seed=1, verbose=0,
            checkpoint=None if ckpt == "-" else ckpt, checkpoint_every=1,
            resume=True)
    np.save(out, net.flat_params)
""")


def _start(script: Path, ckpt: str, out: Path, die_at_write: int = 0):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, str(script), ckpt, str(out),
                             str(die_at_write)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """(child script, reference weights, training seconds after 'ready')."""
    tmp = tmp_path_factory.mktemp("kill")
    script = tmp / "child.py"
    script.write_text(CHILD)
    # the reference also checkpoints every batch, so its timing matches
    out = tmp / "ref.npy"
    proc = _start(script, str(tmp / "ref.ckpt"), out)
    t0 = time.perf_counter()
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    seconds = time.perf_counter() - t0
    proc.stdout.close()
    proc.stderr.close()
    return script, np.load(out), seconds


def _finish(script: Path, ckpt: Path, out: Path) -> np.ndarray:
    proc = _start(script, str(ckpt), out)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return np.load(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_killed_at_random_times_then_resumed(setup, tmp_path, seed):
    script, reference, seconds = setup
    rng = random.Random(seed)
    ckpt, out = tmp_path / "run.ckpt", tmp_path / "final.npy"
    kills = 0
    for _ in range(3):
        proc = _start(script, str(ckpt), out)
        time.sleep(rng.uniform(0.0, seconds * 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
        if ckpt.exists():
            read_checkpoint(ckpt)  # always loadable, whenever the kill landed
    final = _finish(script, ckpt, out)
    assert final.tobytes() == reference.tobytes(), f"after {kills} kills"


@pytest.mark.parametrize("die_at_write", [1, 7, 23])
def test_killed_inside_a_checkpoint_write(setup, tmp_path, die_at_write):
    script, reference, _ = setup
    ckpt, out = tmp_path / "run.ckpt", tmp_path / "final.npy"
    proc = _start(script, str(ckpt), out, die_at_write)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    proc.stdout.close()
    proc.stderr.close()
    leftovers = [p for p in os.listdir(tmp_path) if ".tmp-" in p]
    assert leftovers, "the kill should have landed inside a write"
    if die_at_write == 1:
        assert not ckpt.exists()  # the first write never completed
    else:
        pos = read_checkpoint(ckpt)["position"]  # the previous checkpoint
        assert pos["epoch"] * 8 + pos["batch"] == die_at_write - 1
    assert _finish(script, ckpt, out).tobytes() == reference.tobytes()
