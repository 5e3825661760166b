"""Each fast form against the NumPy lines it replaces, in one process.

    python benchmarks/bench_kernels.py [--reps 7] [--threads 1]

For every kernel of ``glassnet.fast`` that needs numba or NumPy's OpenBLAS
(Adam's fused update, ReLU forward and backward, the LSTM step's elementwise
work, ``dW += xᵀ dz`` with β = 1), the same call is timed with the kernels
switched on and off (``glassnet.fast.use_kernels``), alternating, as the
median over ``--reps`` rounds of the mean CPU time of a block of calls (CPU
time: a shared machine's waits for a core are left out). The shapes are
those of a 784-128-10 / 784-512-512-10 step at batch 128 and of LSTM(128).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import glassnet as gn
from glassnet.core.activations import ReLU
from glassnet.fast import adam, gemm, use_kernels


def _cpu_us(fn, n: int) -> float:
    c0 = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - c0) / n * 1e6


def cases(rng):
    f32 = np.float32
    out = {}
    p, g = rng.normal(size=101_776).astype(f32), rng.normal(size=101_776).astype(f32)
    m, v, tmp = np.zeros_like(p), np.zeros_like(p), np.empty_like(p)
    out["Adam, 101,776 float32 parameters"] = lambda: adam.adam_update(
        np, p, g, m, v, tmp, lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8, t=10)
    relu = ReLU()
    for shape in ((128, 128), (128, 512)):
        z = rng.normal(size=shape).astype(f32)
        a, da, dz = np.empty_like(z), z.copy(), np.empty_like(z)
        out[f"ReLU forward {shape[0]}×{shape[1]}"] = \
            lambda z=z, a=a: relu.forward(z, out=a)
        relu.forward(z, out=a)
        out[f"ReLU backward {shape[0]}×{shape[1]}"] = \
            lambda z=z, a=a, da=da, dz=dz: relu.backward(z, a, da, out=dz)
    x = rng.random((128, 784), dtype=f32)
    dzl = rng.normal(size=(128, 128)).astype(f32)
    dW = np.zeros((784, 128), f32)
    out["dW += xᵀ dz, 128×784×128"] = lambda: (
        gemm.add_xt_dz(dW, x, dzl) or dW.__iadd__(x.T @ dzl))
    layer = gn.LSTM(128, input_dim=(28, 28))
    net = gn.Sequential([layer], seed=0)
    xs = rng.random((128, 28, 28), dtype=f32)
    dy = rng.normal(size=(128, 128)).astype(f32)

    def lstm_step():
        net.zero_grad()
        layer.forward(xs, training=True)
        layer.backward(dy)
    out["LSTM(128) forward + backward, batch 128 × 28 steps"] = lstm_step
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    try:
        from threadpoolctl import threadpool_limits
        limit = threadpool_limits(args.threads, user_api="blas")
    except ImportError:
        limit = None
    rng = np.random.default_rng(0)
    print("| call | kernels on (µs, CPU) | NumPy lines (µs, CPU) | on / off |")
    print("|---|---|---|---|")
    for name, fn in cases(rng).items():
        n = 5 if name.startswith("LSTM") else 200
        fn()                                             # compile / warm up
        res = {True: [], False: []}
        for r in range(args.reps):
            for on in ((True, False) if r % 2 == 0 else (False, True)):
                use_kernels(on)
                res[on].append(_cpu_us(fn, n))
        use_kernels(True)
        on, off = (statistics.median(res[k]) for k in (True, False))
        print(f"| {name} | {on:.1f} | {off:.1f} | {on / off:.2f} |", flush=True)
    if limit is not None:
        limit.restore_original_limits()


if __name__ == "__main__":
    main()
