"""The JAX peer, driven from the runner: a child process (``_jax_peer.py``)
that trains when asked and answers with its time, so that glassnet (in the
runner's process) and JAX alternate and never run at the same time."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


class JaxPeer:
    """``epoch()`` trains the built network for one epoch in the child and
    returns its seconds; None from ``start`` when jax or optax is missing."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.info: dict = {}

    @classmethod
    def start(cls, threads: int | None) -> JaxPeer | None:
        if any(importlib.util.find_spec(m) is None for m in ("jax", "optax")):
            print("  jax: not installed (pip install jax jaxlib optax): skipped",
                  flush=True)
            return None
        env = dict(os.environ)
        if threads is not None:
            env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = str(threads)
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "_jax_peer.py"),
             "-" if threads is None else str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        return cls(proc)

    def ask(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the jax peer exited (see its stderr above)")
        return json.loads(line)

    def build(self, hidden, batch: int, seed: int = 0) -> None:
        self.info = self.ask(cmd="build", hidden=list(hidden), batch=batch, seed=seed)

    def epoch(self) -> tuple[float, float]:
        """(wall seconds, CPU seconds) of one epoch, measured in the child."""
        a = self.ask(cmd="epoch")
        return a["s"], a["cpu"]

    def accuracy(self) -> float:
        return self.ask(cmd="accuracy")["acc"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
