"""Instructions per glassnet training step, counted by valgrind's callgrind —
a count that does not depend on what else the machine is running.

    python benchmarks/callgrind_step.py [--steps 16] [--kernels on|off]
        [--pythonpath DIR]   # count another checkout of glassnet (e.g. main)

Runs this file under ``valgrind --tool=callgrind --instr-atstart=no``: the
child imports glassnet, builds 784-128-10 with Adam, warms up with one
``fit`` (numba compiles here, when it is on), then switches the counting on
(``callgrind_control -i on``), trains ``--steps`` steps of batch 128 inside
one ``fit`` on random rows in [0, 1), and switches it off. The count,
divided by the steps, is one step inside ``fit`` (its share of fit's setup
included). valgrind does not emulate AVX-512, so OpenBLAS and numba pick
AVX2 code under it: the counts compare glassnet versions with each other.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile


def child(steps: int, kernels: bool) -> None:
    import numpy as np

    import glassnet as gn
    if not kernels:
        try:
            from glassnet.fast import use_kernels
            use_kernels(False)
        except ImportError:
            pass
    rng = np.random.default_rng(0)
    X = rng.random((128 * steps, 784), dtype=np.float32)
    y = rng.integers(0, 10, len(X))
    net = gn.Sequential([gn.Dense(128, "relu", input_dim=784),
                         gn.Dense(10, "softmax")], seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=1e-3)
    net.fit(X[:1024], y[:1024], epochs=1, batch_size=128, verbose=0, seed=0)
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True,
                   capture_output=True)
    net.fit(X, y, epochs=1, batch_size=128, verbose=0, seed=1)
    subprocess.run(["callgrind_control", "-i", "off", pid], check=True,
                   capture_output=True)


def count(steps: int, kernels: bool, pythonpath: str | None) -> int:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                        f"--callgrind-out-file={out}", sys.executable, __file__,
                        "--child", str(steps), "on" if kernels else "off"],
                       env=env, check=True, capture_output=True)
        text = open(out).read()
    return int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]), sys.argv[3] == "on")
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=16)
    p.add_argument("--kernels", choices=["on", "off"], default="on")
    p.add_argument("--pythonpath", default=None)
    a = p.parse_args()
    total = count(a.steps, a.kernels == "on", a.pythonpath)
    print(f"{total / a.steps / 1e6:.2f} M instructions per step (784-128-10, batch "
          f"128, Adam; kernels {a.kernels}; {a.pythonpath or 'this checkout'}; "
          f"{a.steps} steps, {total:,} in all)")


if __name__ == "__main__":
    main()
