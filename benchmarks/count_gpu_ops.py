"""What one glassnet training step asks of a GPU, counted on any machine.

    python benchmarks/count_gpu_ops.py

Runs training steps on the checking device of ``tests/checkxp.py`` (NumPy
inside, CuPy's rules outside) and counts, per step and per phase, the array
operations that compute (on CuPy each is at least one kernel launch; views
and basic slices are free), the device → host reads (each a
synchronisation) and the host → device copies. These are counts, not times:
with small layers a GPU step costs about (kernels × launch latency) plus
(reads × round trip), which is what ``benchmarks/bench_gpu.py`` then times.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import _common  # noqa: E402
import checkxp  # noqa: E402

from glassnet.train.step import nonfinite  # noqa: E402

CASES = [("784-512-512-10", (512, 512), 128), ("784-128-10", (128,), 128),
         ("784-128-10", (128,), 1024)]


def counts(hidden, B, steps: int = 8) -> dict:
    rng = np.random.default_rng(0)
    X = rng.random((steps * B, 784), dtype=np.float32)
    y = rng.integers(0, 10, steps * B)
    net = _common.glassnet_model(hidden).to("check")
    net.fit(X, y, epochs=1, batch_size=B, verbose=0)            # buffers made
    head = net.objective(net.loss)
    xs = net.backend.to_device(X)
    ys = net.backend.to_device(net.loss.prepare_targets(y, 10, net.dtype))
    phases: dict[str, checkxp.Counter] = {}

    def phase(name, fn):
        before = checkxp.COUNTS.copy()
        result = fn()
        phases.setdefault(name, checkxp.Counter()).update(checkxp.COUNTS - before)
        return result

    for i in range(steps):
        xb, yb = xs[i * B:(i + 1) * B], ys[i * B:(i + 1) * B]
        phase("zero_grad", net.zero_grad)
        out = phase("forward", lambda xb=xb: net.forward(xb, training=True))
        L = phase("loss", lambda out=out, yb=yb: head.value(out, yb))
        phase("backward", lambda out=out, yb=yb: net.backward(head.grad(out, yb),
                                                               head.fused))
        phase("penalty", net.penalty)
        phase("finite check", lambda L=L: nonfinite(net, L))
        phase("optimizer", lambda: net.optimizer.step(net.flat_params,
                                                      net.flat_grads))
    before = checkxp.COUNTS.copy()
    net.fit(X, y, epochs=1, batch_size=B, verbose=0)
    fit = checkxp.COUNTS - before
    per = {k: {c: v[c] / steps for c in ("kernels", "reads")}
           for k, v in phases.items()}
    per["fit(): whole step"] = {c: fit[c] / steps for c in ("kernels", "reads",
                                                              "copies in")}
    return per


def main() -> None:
    print("| network | batch | " + " | ".join(
        ["zero_grad", "forward", "loss", "backward", "penalty", "finite check",
         "optimizer", "fit(): whole step"]) + " |")
    print("|---|---:|" + "---:|" * 8)
    for name, hidden, B in CASES:
        per = counts(hidden, B)
        cells = [f"{v['kernels']:.0f} / {v['reads']:.0f}" for v in per.values()]
        cells[-1] += f" / {per['fit(): whole step']['copies in']:.2f}"
        print(f"| {name} | {B} | " + " | ".join(cells) + " |")
    print("\nkernels / reads per step (fit: kernels / reads / host→device copies; "
          "Adam, the whole training set resident on the device)")


if __name__ == "__main__":
    main()
