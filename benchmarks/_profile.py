"""Where the time of one glassnet training step goes.

Runs the library's own step pieces one by one on real MNIST batches, timing
each (median over steps): the batch gather, the forward pass, the fused
softmax + cross-entropy, the backward pass, the finiteness check and the
optimizer. The GEMMs inside forward and backward are then re-run on the same
arrays (warm in cache, so a slight underestimate) to split each pass into
GEMM time and the rest (bias, activation, reductions, Python). A full
``fit`` epoch gives the real time per step; what the pieces do not explain
is the fit loop's own Python (within the timing noise of a shared machine).
"""

from __future__ import annotations

import time

import numpy as np
from _common import glassnet_model, median

PIECES = ["gather", "forward: GEMMs", "forward: bias, activation, Python",
          "softmax + cross-entropy (loss and dL/dz)", "backward: GEMMs",
          "backward: bias grad, ReLU', Python", "finite check (g·g)",
          "optimizer (Adam, one flat buffer)"]


def _gemms(layers, scratch) -> tuple[float, float]:
    """Time the forward and the backward GEMMs of the last step again."""
    pc = time.perf_counter
    t_f = t_b = 0.0
    for i, layer in enumerate(layers):
        z, dW, dx = scratch[i]
        t0 = pc()
        np.matmul(layer.x, layer.W, out=z)
        t1 = pc()
        np.matmul(layer.x.T, layer.dz, out=dW)
        if layer.need_input_grad:
            np.matmul(layer.dz, layer.W.T, out=dx)
        t2 = pc()
        t_f += t1 - t0
        t_b += t2 - t1
    return t_f, t_b


def step_breakdown(data, hidden=(128,), bs: int = 128, steps: int = 300) -> dict:
    X, y = data[0], data[1]
    net = glassnet_model(hidden)
    net.fit(X[:6000], y[:6000], epochs=1, batch_size=bs, verbose=0, seed=0)
    t0 = time.perf_counter()
    h = net.fit(X, y, epochs=1, batch_size=bs, verbose=0, seed=1)
    fit_wall = time.perf_counter() - t0
    n_batches = -(-len(X) // bs)
    per_step_fit = h.history["time"][0] / n_batches
    opt, layers = net.optimizer, net.layers
    head = net.objective(net.loss)
    order = np.random.default_rng(2).permutation(len(X))
    xbuf = np.empty((bs, X.shape[1]), dtype=np.float32)
    ybuf = np.empty(bs, dtype=y.dtype)
    scratch = [(np.empty((bs, L.units), np.float32), np.empty_like(L.dW),
                np.empty((bs, L.W.shape[0]), np.float32)) for L in layers]
    pc = time.perf_counter
    rec = {k: [] for k in PIECES}
    for b in range(min(steps, n_batches)):
        idx = order[b * bs:(b + 1) * bs]
        t0 = pc()
        xb = np.take(X, idx, axis=0, out=xbuf, mode="clip")
        yb = np.take(y, idx, axis=0, out=ybuf, mode="clip")
        t1 = pc()
        net.zero_grad()
        out = net.forward(xb, training=True)
        t2 = pc()
        head.value(out, yb)
        dz = head.grad(out, yb)
        t3 = pc()
        net.backward(dz, logits=head.fused)
        t4 = pc()
        g = net.flat_grads
        float(np.dot(g, g))
        t5 = pc()
        opt.step(net.flat_params, g)
        t6 = pc()
        gf, gb = _gemms(layers, scratch)
        rec["gather"].append(t1 - t0)
        rec["forward: GEMMs"].append(gf)
        rec["forward: bias, activation, Python"].append(t2 - t1 - gf)
        rec["softmax + cross-entropy (loss and dL/dz)"].append(t3 - t2)
        rec["backward: GEMMs"].append(gb)
        rec["backward: bias grad, ReLU', Python"].append(t4 - t3 - gb)
        rec["finite check (g·g)"].append(t5 - t4)
        rec["optimizer (Adam, one flat buffer)"].append(t6 - t5)
    us = {k: median(v) * 1e6 for k, v in rec.items()}
    # the optimizer in passes over the flat buffer
    p = net.flat_params
    tmp = np.empty_like(p)
    one_pass = _best(lambda: np.multiply(p, 0.5, out=tmp)) * 1e6
    sqrt_pass = _best(lambda: np.sqrt(np.abs(p, out=tmp), out=tmp)) * 1e6 - one_pass
    q = np.abs(p) + 1.0
    div_pass = _best(lambda: np.divide(p, q, out=tmp)) * 1e6
    return {"hidden": hidden, "batch": bs, "n_params": int(p.size),
            "us_per_step": us, "fit_step_us": per_step_fit * 1e6,
            "fit_wall_s": fit_wall, "epoch_s": h.history["time"][0],
            "one_pass_us": one_pass, "sqrt_pass_us": sqrt_pass,
            "div_pass_us": div_pass}


def _best(fn, n: int = 200) -> float:
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.percentile(ts, 10))
