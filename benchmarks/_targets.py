"""The targets of issue 16, measured side by side: glassnet against PyTorch
and JAX (MLP epochs), PyTorch (single-sample predict, LSTM, the LeNet-like
CNN once ``gn.Conv2D`` exists), scikit-learn fed float64 data, and the
machine's floor (the epoch's GEMM FLOPs at the measured sgemm rate).

Every timing alternates the libraries round by round (JAX in its own
process, ``_peers.JaxPeer``); each row keeps every round's times, so the
report gives the median ratio and the range of the per-round ratios.
"""

from __future__ import annotations

import time

import _cnn
import _sections
import bench_lstm as bl
import numpy as np
from _common import (
    TorchMLP,
    gemm_flops_per_sample,
    glassnet_epoch,
    glassnet_model,
    import_sklearn,
    import_torch,
    median,
    sklearn_epoch,
    sklearn_model,
)
from _peers import JaxPeer

import glassnet as gn

#: (name, hidden layers, batch size, target vs PyTorch); every row: ≤ 1.0 vs JAX
MLP_ROWS = [
    ("784-128-10, batch 128", (128,), 128, 0.40),
    ("784-512-512-10, batch 128", (512, 512), 128, 0.80),
    ("784-128-10, batch 32", (128,), 32, 0.40),
]
TARGETS = {"jax": 1.0, "predict": 0.25, "lstm": 0.80, "cnn": 0.80,
           "sklearn64": 0.35, "floor": 1.5}


def rounds(fns: dict, reps: int) -> tuple[dict, dict]:
    """({name: [wall s]}, {name: [CPU s]}): every function once per round, the
    order rotating. A function returns None (timed here: wall and this
    process's CPU time; a float it returns, like a loss, is ignored) or its own
    (wall, CPU) pair (the JAX child). CPU time
    leaves out the time a process waited for a core the machine gave to
    someone else, so on a shared machine it is the steadier measure."""
    names = list(fns)
    wall, cpu = {k: [] for k in names}, {k: [] for k in names}
    for r in range(reps):
        k0 = r % len(names)
        for name in names[k0:] + names[:k0]:
            c0, t0 = time.process_time(), time.perf_counter()
            got = fns[name]()
            w, c = got if isinstance(got, tuple) else \
                (time.perf_counter() - t0, time.process_time() - c0)
            wall[name].append(w)
            cpu[name].append(c)
    return wall, cpu


def mlp(data, reps: int, jax, rows=MLP_ROWS) -> list[dict]:
    """One 60,000-sample epoch per library and round (JAX: ``jax``, a JaxPeer)."""
    X, y = data[0], data[1]
    torch = import_torch()
    Xt, yt = (torch.from_numpy(X), torch.from_numpy(y)) if torch else (None, None)
    out = []
    for name, hidden, bs, target in rows:
        net = glassnet_model(hidden)
        glassnet_epoch(net, X[:6000], y[:6000], bs, 0)              # warm-up
        fns = {"glassnet": lambda net=net, bs=bs: glassnet_epoch(net, X, y, bs, None)}
        if torch is not None:
            tm = TorchMLP(torch, hidden)
            tm.epoch(Xt, yt, bs, n=6000)
            fns["torch"] = lambda tm=tm, bs=bs: tm.epoch(Xt, yt, bs)
        if jax is not None:
            jax.build(hidden, bs)                                  # compiles
            fns["jax"] = jax.epoch
        times, cpu = rounds(fns, reps)
        out.append({"name": name, "hidden": hidden, "batch": bs, "times": times,
                     "cpu": cpu,
                     "target_torch": target, "target_jax": TARGETS["jax"],
                     "gemm_gflop_per_epoch": gemm_flops_per_sample(hidden)
                     * len(X) / 1e9})
        print(f"  targets {name}: " + ", ".join(
            f"{k} {median(v):.3f}s" for k, v in times.items()), flush=True)
    return out


def predict_cpu(data, reps: int, calls: int = 2000) -> dict | None:
    """Single-sample ``model.predict(x)`` (the public call, validation
    included) against PyTorch's ``inference_mode`` forward + softmax: CPU
    time per call over blocks of ``calls`` calls, alternating by block."""
    torch = import_torch()
    if torch is None:
        return None
    net, tm = glassnet_model((128,)), TorchMLP(torch, (128,))
    x1 = data[2][:1].copy()
    block = {"glassnet": lambda: [net.predict(x1) for _ in range(calls)],
             "torch": lambda: [tm.predict_proba(x1) for _ in range(calls)]}
    for f in block.values():
        f()
    wall, cpu = rounds(block, reps)
    per_call = {k: [t / calls for t in v] for k, v in cpu.items()}
    print("  targets predict (CPU µs per call): " + ", ".join(
        f"{k} {median(v) * 1e6:.1f}" for k, v in per_call.items()), flush=True)
    return {"cpu": per_call, "wall": {k: [t / calls for t in v]
                                      for k, v in wall.items()}}


def sklearn64(reps: int) -> dict | None:
    """784-128-10, batch 128, on ``X / 255`` as users write it (float64)."""
    MLP = import_sklearn()
    if MLP is None:
        return None
    xtr, ytr, _, _ = gn.data.load_mnist(download=False)
    X64 = xtr.reshape(len(xtr), -1) / 255                   # float64, as users pass it
    y = ytr.astype(np.int64)
    net, clf = glassnet_model((128,)), sklearn_model(MLP, (128,), 128)
    glassnet_epoch(net, X64[:6000], y[:6000], 128, 0)
    sklearn_epoch(clf, X64[:6000], y[:6000])
    times, cpu = rounds({"glassnet": lambda: glassnet_epoch(net, X64, y, 128, None),
                         "scikit-learn": lambda: sklearn_epoch(clf, X64, y)}, reps)
    print("  targets scikit-learn, float64 X: " + ", ".join(
        f"{k} {median(v):.3f}s" for k, v in times.items()), flush=True)
    return {"times": times, "cpu": cpu}


def lstm(reps: int, batches: int = 20) -> dict | None:
    """LSTM(128) + Dense(10) on MNIST rows, batch 128 (``bench_lstm``'s step),
    ``batches`` batches per round scaled to a 469-batch epoch."""
    torch = import_torch()
    if torch is None:
        return None
    X, y, _, _, _ = bl.load()
    bs, per_epoch = 128, -(-len(X) // 128)
    net, tm = bl.glassnet_model(128, 1e-3), bl.torch_model(torch, 128, 1e-3)
    bl.time_glassnet(net, X, y, 2, bs)
    bl.time_torch(torch, tm, X, y, 2, bs)
    scale = per_epoch / batches
    times, cpu = rounds({
        "glassnet": lambda: bl.time_glassnet(net, X, y, batches, bs),
        "torch": lambda: bl.time_torch(torch, tm, X, y, batches, bs)}, reps)
    times = {k: [t * scale for t in v] for k, v in times.items()}
    cpu = {k: [t * scale for t in v] for k, v in cpu.items()}
    print("  targets LSTM: " + ", ".join(
        f"{k} {median(v):.2f}s" for k, v in times.items()), flush=True)
    return {"times": times, "cpu": cpu, "batches_timed": batches}


def cnn(reps: int, batches: int = 10) -> dict:
    """A LeNet-like CNN training step, batch 128 — once ``gn.Conv2D`` exists."""
    if not hasattr(gn, "Conv2D"):
        return {"pending": "gn.Conv2D does not exist on this branch: the "
                "convolution layers are being built on branch cnn (issue 19)"}
    return _cnn.step_times(reps, batches)


def floor(mlp_rows: list[dict], gflops: dict) -> list[dict]:
    """Each epoch against its GEMM FLOPs at the sgemm rate this run measured,
    at the network's own first-layer shape (B×784×h, the bulk of its FLOPs)
    and, for reference, at 4096³ (a rate small products never reach)."""
    out = []
    for r in mlp_rows:
        key = f"numpy {r['batch']}×784×{r['hidden'][0]}"
        rate = gflops.get(key, gflops["numpy 4096³"])
        out.append({"name": r["name"], "glassnet_s": median(r["times"]["glassnet"]),
                    "floor_s": r["gemm_gflop_per_epoch"] / rate, "rate": rate,
                    "rate_key": key if key in gflops else "numpy 4096³",
                    "floor_4096_s": r["gemm_gflop_per_epoch"] / gflops["numpy 4096³"]})
    return out


def gemm_floor(data, reps: int, hidden=(128,), bs: int = 128) -> dict:
    """A glassnet epoch against the same epoch's GEMMs alone — the products of
    every step at their real shapes (x W, xᵀ dz, dz Wᵀ per layer; no dx for
    the first), run back to back — both in CPU seconds, alternating. CPU time
    leaves out the waits for a core on a shared machine; the ratio is how far
    the whole epoch is from its own matrix products."""
    X, y = data[0], data[1]
    net = glassnet_model(hidden)
    glassnet_epoch(net, X[:6000], y[:6000], bs, 0)
    sizes = (784, *hidden, 10)
    rng = np.random.default_rng(0)
    mats = [(rng.random((bs, a), np.float32), rng.random((a, b), np.float32),
             rng.random((bs, b), np.float32), np.empty((bs, b), np.float32),
             np.empty((a, b), np.float32), np.empty((bs, a), np.float32), i > 0)
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))]
    steps = -(-len(X) // bs)

    def gemms():
        for _ in range(steps):
            for x, W, dz, z, dW, dx, need_dx in mats:
                np.matmul(x, W, out=z)                        # z = x W
                np.matmul(x.T, dz, out=dW)                    # dW = xᵀ dz
                if need_dx:
                    np.matmul(dz, W.T, out=dx)                # dx = dz Wᵀ
    wall, cpu = rounds({"glassnet": lambda: glassnet_epoch(net, X, y, bs, None),
                        "GEMMs alone": gemms}, reps)
    print("  targets floor (CPU s): " + ", ".join(
        f"{k} {median(v):.3f}" for k, v in cpu.items()), flush=True)
    return {"name": f"{'-'.join(map(str, sizes))}, batch {bs}", "wall": wall,
            "cpu": cpu}


def run_all(data, reps: int, threads: int | None, quick: bool) -> dict:
    """Every row of the targets table (``report_targets.render`` writes it);
    ``quick``: the 784-128-10 rows, predict and scikit-learn only (for a
    busy machine, where a multi-threaded 784-512-512-10 epoch takes minutes)."""
    out: dict = {"gflops": _sections.gemm_rates(reps=3)}
    jax = JaxPeer.start(threads)
    try:
        out["mlp"] = mlp(data, reps, jax,
                         [r for r in MLP_ROWS if not quick or r[1] == (128,)])
        if jax is not None:
            out["jax_versions"] = {k: jax.info.get(k) for k in ("jax", "optax")}
    finally:
        if jax is not None:
            jax.close()
    out["floor"] = floor(out["mlp"], out["gflops"])
    out["predict"] = _sections.predict(data, 500 if quick else 2000,
                                       30 if quick else 100)
    out["predict_cpu"] = predict_cpu(data, reps)
    out["sklearn64"] = sklearn64(reps)
    if not quick:
        out["gemm_floor"] = gemm_floor(data, reps)
        out["lstm"] = lstm(reps)
    out["cnn"] = cnn(reps)
    return out
