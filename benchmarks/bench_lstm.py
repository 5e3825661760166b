"""Row-by-row MNIST LSTM: glassnet epoch time as a ratio to PyTorch (CPU).

Both libraries train the same network — LSTM(128) over 28 steps of 28 pixels,
then Dense(10) + softmax cross-entropy, Adam, batch 128 — on the same batches.
Timings are interleaved (glassnet, torch, glassnet, torch, …) so that both see
the same machine load, and the median of ``--reps`` repetitions is reported.
``--batches N`` times N batches and extrapolates to the 469 batches of an epoch.
``--threads N`` gives both libraries N BLAS / intra-op threads (default: each
library's own default). ``--readable`` times the LSTM's readable equations
instead of the fused kernels that training uses (``glassnet.fast.lstm``).

    python benchmarks/bench_lstm.py --batches 40 --reps 5
    python benchmarks/bench_lstm.py --train-epochs 5   # the full accuracy run

MNIST is read from $GLASSNET_DATA_DIR; without it the timing uses random
images of the same shape (and --train-epochs is refused).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

import numpy as np

import glassnet as gn
from glassnet.data.sequences import mnist_rows
from glassnet.train.step import nonfinite, optimizer_step


def load(n_fallback: int = 60_000):
    try:
        xtr, ytr, xte, yte = gn.data.load_mnist(download=False)
        return mnist_rows(xtr), ytr, mnist_rows(xte), yte, True
    except gn.DataError:
        rng = np.random.default_rng(0)
        X = rng.random((n_fallback, 28, 28), dtype=np.float32)
        return X, rng.integers(0, 10, n_fallback), None, None, False


def glassnet_model(hidden: int, lr: float, seed: int = 0):
    net = gn.Sequential([gn.LSTM(hidden, input_dim=28),
                         gn.Dense(10, activation="softmax")], seed=seed)
    return net.compile(loss="categorical_crossentropy", optimizer="adam",
                       learning_rate=lr, metrics=["accuracy"])


def train_batch(net, xb, yb):
    """What fit runs per batch: zero_grad → forward → loss → backward, the
    finite check, the optimizer step."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        L = net.loss_and_grads(xb, yb, net.loss, training=True)
    if nonfinite(net, L):
        raise SystemExit(f"non-finite loss or gradient (loss {L})")
    optimizer_step(net, xb, yb, L)


def time_glassnet(net, X, y, batches, bs):
    y = net.loss.prepare_targets(y, 10, net.dtype)
    t0 = time.perf_counter()
    for b in range(batches):
        train_batch(net, X[b * bs:(b + 1) * bs], y[b * bs:(b + 1) * bs])
    return time.perf_counter() - t0


def torch_model(torch, hidden: int, lr: float):
    lstm = torch.nn.LSTM(28, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, 10)
    opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=lr)
    return lstm, head, opt


def time_torch(torch, model, X, y, batches, bs):
    lstm, head, opt = model
    Xt, yt = torch.from_numpy(X), torch.from_numpy(np.asarray(y, dtype=np.int64))
    t0 = time.perf_counter()
    for b in range(batches):
        xb, yb = Xt[b * bs:(b + 1) * bs], yt[b * bs:(b + 1) * bs]
        opt.zero_grad(set_to_none=True)
        out, _ = lstm(xb)
        loss = torch.nn.functional.cross_entropy(head(out[:, -1]), yb)
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def threads(n):
    """Limit numpy's BLAS to n threads (threadpoolctl, when installed)."""
    if n is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("threadpoolctl not installed: numpy keeps its default BLAS threads")
        return contextlib.nullcontext()
    return threadpool_limits(n, user_api="blas")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batches", type=int, default=40)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--readable", action="store_true",
                   help="time the LSTM's readable equations (layer.fast = False) "
                        "instead of the fused kernels of glassnet.fast.lstm")
    p.add_argument("--train-epochs", type=int, default=0,
                   help="also train glassnet for this many epochs and report accuracy")
    args = p.parse_args(argv)
    X, y, Xte, yte, real = load()
    bs = args.batch_size
    per_epoch = -(-len(X) // bs)
    nb = min(args.batches, per_epoch)
    print(f"data: {'MNIST' if real else 'random (GLASSNET_DATA_DIR unset)'}; "
          f"LSTM({args.hidden}) batch {bs}; timing {nb} of {per_epoch} batches × "
          f"{args.reps} reps, interleaved")
    with threads(args.threads):
        net = glassnet_model(args.hidden, 1e-3)
        net.layers[0].fast = not args.readable
        time_glassnet(net, X, y, 2, bs)                # warm-up: allocate buffers
        try:
            import torch
        except ImportError:
            torch = None
        if torch is not None:
            if args.threads is not None:
                torch.set_num_threads(args.threads)
            tm = torch_model(torch, args.hidden, 1e-3)
            time_torch(torch, tm, X, y, 2, bs)
        g_times, t_times = [], []
        for _ in range(args.reps):
            g_times.append(time_glassnet(net, X, y, nb, bs) * per_epoch / nb)
            if torch is not None:
                t_times.append(time_torch(torch, tm, X, y, nb, bs) * per_epoch / nb)
        g = statistics.median(g_times)
        print(f"glassnet epoch (extrapolated): {g:7.2f} s   reps "
              f"{[round(v, 2) for v in g_times]}")
        if torch is not None:
            t = statistics.median(t_times)
            print(f"torch    epoch (extrapolated): {t:7.2f} s   reps "
                  f"{[round(v, 2) for v in t_times]}  (torch {torch.__version__}, "
                  f"{torch.get_num_threads()} threads)")
            print(f"ratio glassnet / torch: {g / t:.2f}×")
        if args.train_epochs:
            if not real:
                raise SystemExit("--train-epochs needs MNIST: set GLASSNET_DATA_DIR")
            net = glassnet_model(args.hidden, 3e-3)
            n = args.train_epochs
            sched = lambda e: 3e-3 if e < n - 1 else 1e-3  # noqa: E731
            t0 = time.perf_counter()
            net.fit(X, y, epochs=n, batch_size=bs, seed=0, lr_schedule=sched)
            acc = net.evaluate(Xte, yte)["accuracy"]
            print(f"glassnet LSTM({args.hidden}) {n} epochs: test accuracy "
                  f"{acc:.4f} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
