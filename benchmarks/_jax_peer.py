"""JAX as a peer: the same MLP trained with a jit-compiled step and
``optax.adam``, in a process of its own (XLA's thread pool and OpenBLAS's
would contend inside one process).

The runner starts this file as a child process and alternates with it: it
writes one JSON command per line on the child's stdin and reads one JSON
answer per line from its stdout, then times glassnet, then asks again, so
the two never run at the same time and both see the same machine load.

    {"cmd": "build", "hidden": [128], "batch": 128, "seed": 0} → {"ok": true}
    {"cmd": "epoch"}          → {"s": seconds of one 60,000-sample epoch,
                                 "cpu": the CPU seconds the process used in it}
    {"cmd": "accuracy"}       → {"acc": test accuracy of the current weights}

The network is glassnet's: Dense-ReLU layers, a softmax output with
cross-entropy on the logits, Adam η = 1e-3 (optax's defaults otherwise, the
same as glassnet's and torch's), Glorot-uniform weights, zero biases, float32.
Each step gathers its batch inside the compiled function (``X[idx]`` on the
device array); the epoch ends with ``block_until_ready`` on the summed loss.
With ``--threads 1`` XLA runs on one thread (``XLA_FLAGS``, set before jax is
imported).
"""

from __future__ import annotations

import json
import os
import sys
import time


def _xla_flags(threads: int | None) -> None:
    if threads == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_cpu_multi_thread_eigen=false"
                                   " intra_op_parallelism_threads=1").strip()


def build(jax, jnp, optax, hidden, seed):
    sizes = (784, *hidden, 10)
    key = jax.random.PRNGKey(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        key, sub = jax.random.split(key)
        lim = (6.0 / (n_in + n_out)) ** 0.5                     # Glorot uniform
        W = jax.random.uniform(sub, (n_in, n_out), jnp.float32, -lim, lim)
        params.append((W, jnp.zeros(n_out, jnp.float32)))
    opt = optax.adam(1e-3)
    return params, opt, opt.init(params)


def make_step(jax, jnp, optax, opt):
    def logits(params, x):
        for W, b in params[:-1]:
            x = jax.nn.relu(x @ W + b)
        W, b = params[-1]
        return x @ W + b

    def loss(params, x, y):
        return optax.softmax_cross_entropy_with_integer_labels(
            logits(params, x), y).mean()

    @jax.jit
    def step(params, state, X, Y, idx):
        x, y = X[idx], Y[idx]                                   # the batch gather
        L, g = jax.value_and_grad(loss)(params, x, y)
        updates, state = opt.update(g, state, params)
        return optax.apply_updates(params, updates), state, L

    @jax.jit
    def predict(params, x):
        return jnp.argmax(logits(params, x), axis=1)

    return step, predict


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    _xla_flags(threads)
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    import glassnet as gn
    xtr, ytr, xte, yte = gn.data.load_mnist(download=False)
    X = jnp.asarray(xtr.reshape(len(xtr), -1).astype(np.float32) / 255.0)
    Y = jnp.asarray(ytr.astype(np.int32))
    Xte = jnp.asarray(xte.reshape(len(xte), -1).astype(np.float32) / 255.0)
    rng = np.random.default_rng(0)
    n = X.shape[0]
    st: dict = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "build":
            params, opt, state = build(jax, jnp, optax, tuple(cmd["hidden"]),
                                       cmd.get("seed", 0))
            step, predict = make_step(jax, jnp, optax, opt)
            bs = cmd["batch"]
            for m in {bs, n % bs or bs}:                        # compile both shapes
                params, state, L = step(params, state, X, Y,
                                        jnp.arange(m, dtype=jnp.int32))
            L.block_until_ready()
            st = {"params": params, "state": state, "step": step, "bs": bs,
                  "predict": predict}
            answer = {"ok": True, "jax": jax.__version__, "optax": optax.__version__,
                      "devices": str(jax.devices())}
        elif cmd["cmd"] == "epoch":
            params, state, step, bs = st["params"], st["state"], st["step"], st["bs"]
            order = rng.permutation(n).astype(np.int32)
            c0, t0 = time.process_time(), time.perf_counter()
            total = 0.0
            for i in range(0, n, bs):
                params, state, L = step(params, state, X, Y, order[i:i + bs])
                total = total + L
            total.block_until_ready()
            answer = {"s": time.perf_counter() - t0, "cpu": time.process_time() - c0}
            st["params"], st["state"] = params, state
        elif cmd["cmd"] == "accuracy":
            pred = np.asarray(st["predict"](st["params"], Xte))
            answer = {"acc": float(np.mean(pred == yte))}
        else:
            answer = {"error": f"unknown command {cmd['cmd']!r}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
