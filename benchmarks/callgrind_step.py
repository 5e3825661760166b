"""Instructions per glassnet training step, counted by valgrind's callgrind —
a count that does not depend on what else the machine is running.

    python benchmarks/callgrind_step.py [--steps 24] [--kernels on|off]
        [--pythonpath DIR]   # count another checkout of glassnet (e.g. main)

Runs this file under ``valgrind --tool=callgrind`` twice: each run imports
glassnet, builds 784-128-10 with Adam and warms up with one ``fit`` (numba
compiles here when it is on); the second run then trains ``--steps`` more
steps of batch 128 in one ``fit`` on random rows in [0, 1). The difference
of the two totals, divided by the steps, is one step inside ``fit`` (its
share of fit's setup included). With numba, a first run fills numba's cache
for valgrind's CPU so that neither counted run compiles. valgrind does not
emulate AVX-512, so OpenBLAS and numba pick AVX2 code under it: the counts
compare glassnet versions with each other, not with the native run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def child(steps: int, kernels: bool, train: bool) -> None:
    """Everything but the counted steps is the same whether ``train`` or not."""
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
    if train:
        net.fit(X, y, epochs=1, batch_size=128, verbose=0, seed=1)


def count(steps: int, kernels: bool, pythonpath: str | None, train: bool,
          keep: str | None = None) -> int:
    """callgrind's total for one child run (its output copied to ``keep``)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        sys.executable, __file__, "--child", str(steps),
                        "on" if kernels else "off", str(int(train))],
                       env=env, check=True, capture_output=True)
        text = open(out).read()
        if keep:
            shutil.copyfile(out, keep)
    return int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]), sys.argv[3] == "on", sys.argv[4] == "1")
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=24)
    p.add_argument("--kernels", choices=["on", "off"], default="on")
    p.add_argument("--pythonpath", default=None)
    p.add_argument("--keep", default=None, metavar="FILE",
                   help="keep the counted run's callgrind output here (for "
                   "callgrind_annotate: where the instructions go)")
    a = p.parse_args()
    kernels = a.kernels == "on"
    if kernels:
        count(a.steps, kernels, a.pythonpath, False)       # fills numba's cache
    base = count(a.steps, kernels, a.pythonpath, False)
    total = count(a.steps, kernels, a.pythonpath, True, a.keep)
    per = (total - base) / a.steps
    print(f"{per / 1e6:.2f} M instructions per step (784-128-10, batch 128, Adam; "
          f"kernels {a.kernels}; {a.pythonpath or 'this checkout'}; {a.steps} "
          f"steps; totals {base:,} and {total:,})")


if __name__ == "__main__":
    main()
