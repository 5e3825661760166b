"""Benchmark sections: training epochs, prediction latency, accuracy, GEMM rate,
BLAS threads. Each returns a dict of numbers; ``report.py`` turns it into text.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
from _common import (
    TorchMLP,
    blas_threads,
    gemm_flops_per_sample,
    glassnet_epoch,
    glassnet_model,
    import_sklearn,
    import_torch,
    interleave,
    median,
    sklearn_epoch,
    sklearn_model,
)

from glassnet.core import optimizer as gn_optimizers

#: (name, hidden layers, batch size, also time scikit-learn, target vs torch,
#:  target vs scikit-learn) — the rows of issue 8's table.
TRAIN_ROWS = [
    ("784-128-10, batch 128", (128,), 128, True, 0.6, 0.4),
    ("784-512-512-10, batch 128", (512, 512), 128, True, 1.1, 0.4),
    ("784-128-10, batch 32", (128,), 32, False, 0.7, None),
]


def train(data, reps: int, warmup_rows: int = 6000) -> list[dict]:
    """Median time of one full epoch (60,000 samples) for each library."""
    X, y = data[0], data[1]
    torch = import_torch()
    MLP = import_sklearn()
    Xt = yt = None
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    rows = []
    for name, hidden, bs, with_sk, tgt_t, tgt_s in TRAIN_ROWS:
        net = glassnet_model(hidden)
        fns = {"glassnet": lambda net=net, bs=bs: glassnet_epoch(net, X, y, bs, None)}
        glassnet_epoch(net, X[:warmup_rows], y[:warmup_rows], bs, 0)
        if torch is not None:
            tm = TorchMLP(torch, hidden)
            tm.epoch(Xt, yt, bs, n=warmup_rows)
            fns["torch"] = lambda tm=tm, bs=bs: tm.epoch(Xt, yt, bs)
        if with_sk and MLP is not None:
            clf = sklearn_model(MLP, hidden, bs)
            sklearn_epoch(clf, X[:warmup_rows], y[:warmup_rows])
            fns["scikit-learn"] = lambda clf=clf: sklearn_epoch(clf, X, y)
        times = interleave(fns, reps)
        flops = gemm_flops_per_sample(hidden) * len(X)
        rows.append({"name": name, "hidden": hidden, "batch": bs, "times": times,
                     "median": {k: median(v) for k, v in times.items()},
                     "gemm_gflop_per_epoch": flops / 1e9,
                     "target_torch": tgt_t, "target_sklearn": tgt_s})
        print(f"  train {name}: " + ", ".join(
            f"{k} {median(v):.3f}s" for k, v in times.items()), flush=True)
    return rows


def predict(data, n_single: int, n_batch: int) -> dict:
    """Latency of predict on one sample and on 1,000 samples (probabilities out)."""
    X, y, Xte = data[0], data[1], data[2]
    torch = import_torch()
    MLP = import_sklearn()
    net = glassnet_model((128,))
    x1, xb = Xte[:1].copy(), Xte[:1000].copy()
    single = {"glassnet": lambda: net.predict(x1)}
    batch = {"glassnet": lambda: net.predict(xb)}
    if torch is not None:
        tm = TorchMLP(torch, (128,))
        single["torch"] = lambda: tm.predict_proba(x1)
        batch["torch"] = lambda: tm.predict_proba(xb)
    if MLP is not None:
        clf = sklearn_model(MLP, (128,), 128)
        sklearn_epoch(clf, X[:2000], y[:2000])
        single["scikit-learn"] = lambda: clf.predict_proba(x1)
        batch["scikit-learn"] = lambda: clf.predict_proba(xb)
    out = {}
    for label, fns, n in (("single", single, n_single), ("batch1000", batch, n_batch)):
        for f in fns.values():  # warm-up
            for _ in range(20):
                f()
        # blocks of `block` calls in a row (a serving loop, caches warm),
        # libraries alternating block by block; per-call time = block time / k
        block = 50 if label == "single" else 5
        blocks = {k: (lambda f=f, n=block: [f() for _ in range(n)])
                  for k, f in fns.items()}
        times = {k: [t / block for t in v]
                 for k, v in interleave(blocks, max(3, n // block)).items()}
        out[label] = {k: median(v) for k, v in times.items()}
        out[label + "_times"] = times
        print(f"  predict {label}: " + ", ".join(
            f"{k} {median(v) * 1e6:.1f}us" for k, v in times.items()), flush=True)
    return out


def accuracy(data, seeds: int, epochs: int = 5, bs: int = 128) -> dict:
    """Test accuracy after ``epochs`` epochs, 784-128-10, Adam 1e-3, batch 128.

    Also records glassnet's time per epoch (it must stay flat: Adam's moment
    estimates for rarely non-zero gradients would otherwise decay into slow
    subnormal floats): two identical runs, one with the flush switched off,
    alternating epoch by epoch so that both see the same machine load.
    """
    X, y, Xte, yte = data
    torch = import_torch()
    MLP = import_sklearn()
    acc = {"glassnet": [], "torch": [], "scikit-learn": []}
    epoch_times = []
    for seed in range(seeds):
        net = glassnet_model((128,), seed=seed)
        h = net.fit(X, y, epochs=epochs, batch_size=bs, verbose=0, seed=seed)
        epoch_times.append(list(h.history["time"]))
        acc["glassnet"].append(float(np.mean(net.predict_classes(Xte) == yte)))
        if torch is not None:
            tm = TorchMLP(torch, (128,), seed=seed)
            Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
            for _ in range(epochs):
                tm.epoch(Xt, yt, bs)
            acc["torch"].append(float(np.mean(
                tm.predict_proba(Xte).argmax(axis=1) == yte)))
        if MLP is not None:
            clf = sklearn_model(MLP, (128,), bs, seed=seed)
            for _ in range(epochs):
                sklearn_epoch(clf, X, y)
            acc["scikit-learn"].append(float(np.mean(clf.predict(Xte) == yte)))
        print(f"  accuracy seed {seed}: " + ", ".join(
            f"{k} {v[-1]:.4f}" for k, v in acc.items() if v), flush=True)
    acc = {k: v for k, v in acc.items() if v}
    # two identical glassnet runs, epochs alternating: the subnormal flush on / off
    saved = gn_optimizers._FLUSH_EVERY
    nets = {"on": glassnet_model((128,), seed=0), "off": glassnet_model((128,), seed=0)}
    every = {"on": saved, "off": 10**12}
    times = {"on": [], "off": []}
    for ep in range(epochs):
        for k, net in nets.items():
            gn_optimizers._FLUSH_EVERY = every[k]
            try:
                h = net.fit(X, y, epochs=1, batch_size=bs, verbose=0, seed=ep)
            finally:
                gn_optimizers._FLUSH_EVERY = saved
            times[k].append(h.history["time"][0])
    n_sub = {k: int(sum(np.count_nonzero((s != 0) & (np.abs(s) < 1.2e-38))
                        for s in net.optimizer.state.values()))
             for k, net in nets.items()}
    print(f"  epoch times, flush on: {times['on']}", flush=True)
    print(f"  epoch times, flush off: {times['off']}", flush=True)
    return {"epochs": epochs, "accuracy": acc, "epoch_times_fit": epoch_times,
            "epoch_times": times["on"], "epoch_times_noflush": times["off"],
            "subnormals": n_sub["on"], "subnormals_noflush": n_sub["off"]}


def _gflops(fn, flops: float, reps: int) -> float:
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return flops / statistics.median(ts) / 1e9


def _big_gemm(torch, rng, reps: int, n: int = 4096) -> dict:
    a = rng.random((n, n), dtype=np.float32)
    c = np.empty_like(a)
    out = {f"numpy {n}³": _gflops(lambda: np.matmul(a, a, out=c), 2 * n**3, reps)}
    if torch is not None:
        ta, tc = torch.from_numpy(a), torch.from_numpy(c)
        out[f"torch {n}³"] = _gflops(lambda: torch.mm(ta, ta, out=tc), 2 * n**3,
                                     reps)
    return out


def gemm_rates(reps: int) -> dict:
    """sgemm GFLOP/s at 4096³ and at the networks' own GEMM shapes."""
    torch = import_torch()
    rng = np.random.default_rng(0)
    out = _big_gemm(torch, rng, reps)
    for B, k, m in ((128, 784, 128), (128, 784, 512), (128, 512, 512), (32, 784, 128)):
        x = rng.random((B, k), dtype=np.float32)
        W = rng.random((k, m), dtype=np.float32)
        z = np.empty((B, m), dtype=np.float32)
        out[f"numpy {B}×{k}×{m}"] = _gflops(lambda x=x, W=W, z=z: [
            np.matmul(x, W, out=z) for _ in range(20)], 20 * 2 * B * k * m, reps * 5)
        if torch is not None:
            tx, tW, tz = map(torch.from_numpy, (x, W, z))
            out[f"torch {B}×{k}×{m}"] = _gflops(lambda tx=tx, tW=tW, tz=tz: [
                torch.mm(tx, tW, out=tz) for _ in range(20)], 20 * 2 * B * k * m,
                reps * 5)
    print("  sgemm GFLOP/s: " + ", ".join(f"{k} {v:.0f}" for k, v in out.items()),
          flush=True)
    return out


def threads(data, reps: int, n: int = 20_000) -> list[dict]:
    """glassnet with its BLAS on 1 thread vs one per core; torch likewise.

    Each timing trains on ``n`` rows and is scaled to a 60,000-sample epoch
    (multi-threaded BLAS can slow down tenfold when other processes hold the
    cores, and a whole epoch would then take minutes).
    """
    X, y = data[0][:n], data[1][:n]
    scale = len(data[0]) / len(X)
    torch = import_torch()
    cores = os.cpu_count() or 1
    rows = []
    before = torch.get_num_threads() if torch is not None else None
    for name, hidden, bs, *_ in TRAIN_ROWS[:2]:
        net = glassnet_model(hidden)
        glassnet_epoch(net, X[:6000], y[:6000], bs, 0)

        def g(k, net=net, bs=bs):
            with blas_threads(k):
                glassnet_epoch(net, X, y, bs, None)
        fns = {"glassnet, 1 BLAS thread": lambda g=g: g(1),
               f"glassnet, {cores} BLAS threads": lambda g=g: g(cores)}
        if torch is not None:
            Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
            tm = TorchMLP(torch, hidden)

            def t(k, tm=tm, bs=bs, Xt=Xt, yt=yt):
                torch.set_num_threads(k)
                try:
                    tm.epoch(Xt, yt, bs)
                finally:
                    torch.set_num_threads(before)
            fns["torch, 1 thread"] = lambda t=t: t(1)
            fns[f"torch, {cores} threads"] = lambda t=t: t(cores)
        times = interleave(fns, reps)
        rows.append({"name": name, "rows_timed": len(X),
                     "median": {k: median(v) * scale for k, v in times.items()}})
        print(f"  threads {name}: " + ", ".join(
            f"{k} {median(v) * scale:.3f}s" for k, v in times.items()), flush=True)
    return rows
