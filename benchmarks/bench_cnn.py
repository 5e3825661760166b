"""Convolutional networks: glassnet against PyTorch (CPU), speed and accuracy.

The issue's network ("LeNet-like"), float32, Adam η = 1e-3, batch 128:

    Conv2D(32, 3×3, relu) → MaxPool2D(2) → Conv2D(64, 3×3, relu) → MaxPool2D(2)
    → Flatten → Dense(128, relu) → Dense(10, softmax)

glassnet is NHWC with Glorot-uniform kernels (Keras's defaults); PyTorch is the
same network in its own idiom (nn.Conv2d …, CrossEntropyLoss, torch.optim.Adam)
with its default initialisation, in its default NCHW layout and, for speed, also
channels_last.

    python benchmarks/bench_cnn.py --speed     # training step, predict: side by side
    python benchmarks/bench_cnn.py --mnist     # 3 epochs, test accuracy, both
    python benchmarks/bench_cnn.py --digits --shapes   # second image sets, both
    python benchmarks/bench_cnn.py --recipe    # the ≥ 99.3 % MNIST recipe (glassnet)

Run with OPENBLAS_NUM_THREADS=1 (``--threads`` sets PyTorch's; default 1) on a
shared machine. Timings alternate glassnet / torch NCHW / torch channels_last
every repetition and report medians; the ratio is glassnet ÷ torch (< 1: glassnet
faster). MNIST comes from $GLASSNET_DATA_DIR; --digits needs scikit-learn.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

import glassnet as gn
from glassnet.data.images import shapes
from glassnet.train.step import optimizer_step

LR, BATCH = 1e-3, 128


# -- the network, both libraries ---------------------------------------------------
def glassnet_lenet(shape=(28, 28, 1), classes=10, seed=0) -> gn.Sequential:
    net = gn.Sequential([
        gn.Conv2D(32, 3, activation="relu", input_shape=shape), gn.MaxPool2D(2),
        gn.Conv2D(64, 3, activation="relu"), gn.MaxPool2D(2), gn.Flatten(),
        gn.Dense(128, "relu"), gn.Dense(classes, "softmax")], seed=seed)
    net.compile("categorical_crossentropy", "adam", learning_rate=LR,
                metrics=["accuracy"])
    return net


def torch_lenet(torch, shape=(28, 28, 1), classes=10, seed=0, channels_last=False):
    torch.manual_seed(seed)
    nn = torch.nn
    side = ((shape[0] - 2) // 2 - 2) // 2
    model = nn.Sequential(nn.Conv2d(shape[2], 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64 * side * side, 128), nn.ReLU(),
                          nn.Linear(128, classes))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model, torch.optim.Adam(model.parameters(), lr=LR)


def to_torch(torch, X, channels_last=False):
    t = torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2)))
    return t.contiguous(memory_format=torch.channels_last) if channels_last else t


def torch_fit(torch, model, opt, X, y, epochs, seed=0):
    """The usual loop: a shuffled permutation per epoch, X[idx], zero_grad,
    forward, loss.backward(), step."""
    g = torch.Generator().manual_seed(seed)
    Xt, yt = to_torch(torch, X), torch.from_numpy(y.astype(np.int64))
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), generator=g)
        for i in range(0, len(Xt), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()


def torch_accuracy(torch, model, X, y) -> float:
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(to_torch(torch, X[i:i + 1000])).argmax(1)
                          for i in range(0, len(X), 1000)])
    return float((pred.numpy() == y).mean())


# -- data ------------------------------------------------------------------------
def mnist():
    xtr, ytr, xte, yte = gn.load_mnist(download=False)
    f = np.float32(255)
    return xtr[..., None].astype(np.float32) / f, ytr, \
        xte[..., None].astype(np.float32) / f, yte


def digits():
    """scikit-learn's 1,797 8×8 digits (0–16), each pixel a 3×3 block, padded to
    28×28, scaled to 0..1; a stratified 75/25 split (seed 0)."""
    from sklearn.datasets import load_digits
    d = load_digits()
    X = np.kron(d.images, np.ones((3, 3)))                       # 24×24
    X = np.pad(X, ((0, 0), (2, 2), (2, 2)))[..., None].astype(np.float32) / 16
    tr, te = gn.data.split_indices(len(X), 0.25, y=d.target, stratify=True, seed=0)
    return X[tr], d.target[tr], X[te], d.target[te]


# -- sections --------------------------------------------------------------------
def accuracy(name, data, epochs, torch, shape, classes, seed=0):
    X, y, Xt, yt = data
    print(f"\n## {name}: {len(X):,} training / {len(Xt):,} test images "
          f"{'×'.join(map(str, shape))}, {epochs} epochs, batch {BATCH}, Adam {LR}, "
          f"seed {seed}", flush=True)
    net = glassnet_lenet(shape, classes, seed)
    t0 = time.perf_counter()
    net.fit(X, y, epochs=epochs, batch_size=BATCH, seed=seed, verbose=0)
    took = time.perf_counter() - t0
    acc = net.evaluate(Xt, yt)["accuracy"]
    print(f"glassnet  test accuracy {acc:.4f}   train {took:7.1f} s", flush=True)
    if torch is not None:
        model, opt = torch_lenet(torch, shape, classes, seed)
        t0 = time.perf_counter()
        torch_fit(torch, model, opt, X, y, epochs, seed)
        took_t = time.perf_counter() - t0
        acc_t = torch_accuracy(torch, model, Xt, yt)
        print(f"PyTorch   test accuracy {acc_t:.4f}   train {took_t:7.1f} s   "
              f"(time ratio glassnet / PyTorch {took / took_t:.2f})")


def recipe(epochs: int = 12):
    """The ≥ 99.3 % recipe: batch normalization after each convolution, dropout
    before the classifier, η = 1e-3 decayed by 0.8 per epoch."""
    X, y, Xt, yt = mnist()
    net = gn.Sequential([
        gn.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
        gn.BatchNormalization(), gn.MaxPool2D(2),
        gn.Conv2D(64, 3, activation="relu"), gn.BatchNormalization(),
        gn.MaxPool2D(2), gn.Flatten(), gn.Dropout(0.3),
        gn.Dense(128, "relu"), gn.Dropout(0.3), gn.Dense(10, "softmax")], seed=0)
    net.compile("categorical_crossentropy", "adam", learning_rate=LR,
                metrics=["accuracy"])
    print(f"\n## recipe: {epochs} epochs, batch {BATCH}, Adam, "
          "ExponentialDecay(1e-3, 0.8); val_accuracy below = the 10,000 test "
          "images (watched, never used to choose anything)", flush=True)
    t0 = time.perf_counter()
    net.fit(X, y, epochs=epochs, batch_size=BATCH, seed=0, verbose=2,
            validation_data=(Xt, yt),
            lr_schedule=gn.schedules.ExponentialDecay(LR, 0.8))
    print(f"glassnet  test accuracy {net.evaluate(Xt, yt)['accuracy']:.4f}   "
          f"{time.perf_counter() - t0:.0f} s in all (with the per-epoch test "
          "evaluation)")


def speed(torch, reps: int):
    try:
        X, y = mnist()[2:]                  # the 10,000 test images
    except gn.DataError:
        rng = np.random.default_rng(0)
        X, y = rng.random((10_000, 28, 28, 1), dtype=np.float32), \
            rng.integers(0, 10, 10_000)
    xb, yb = X[:BATCH], y[:BATCH]
    net = glassnet_lenet()
    xg, yg = net.prepare(xb, yb, net.loss)

    def glassnet_step():       # what fit runs per batch
        L = net.loss_and_grads(xg, yg, net.loss, training=True)
        optimizer_step(net, xg, yg, L)

    steps, predicts = {"glassnet": glassnet_step}, \
        {"glassnet": lambda: net.predict(X, batch_size=1000)}
    for cl in (False, True):
        model, opt = torch_lenet(torch, channels_last=cl)
        xt, yt = to_torch(torch, xb, cl), torch.from_numpy(yb.astype(np.int64))
        loss_fn = torch.nn.CrossEntropyLoss()

        def torch_step(model=model, opt=opt, xt=xt, yt=yt, loss_fn=loss_fn):
            opt.zero_grad()
            loss = loss_fn(model(xt), yt)
            loss.backward()
            opt.step()
            loss.item()

        def torch_predict(model=model, cl=cl):
            with torch.no_grad():
                return [model(to_torch(torch, X[i:i + 1000], cl)).softmax(1).numpy()
                        for i in range(0, len(X), 1000)]

        key = "torch channels_last" if cl else "torch NCHW"
        steps[key], predicts[key] = torch_step, torch_predict
    print(f"\n## speed: training step at batch {BATCH}, {reps} repetitions "
          "(alternating), medians")
    _race(steps, reps, "training step", 1)
    print(f"\n## speed: predict {len(X):,} images in batches of 1,000")
    _race(predicts, max(reps // 5, 3), "predict", len(X))


def _race(fns: dict, reps: int, what: str, items: int) -> None:
    for f in fns.values():      # warm up: buffers, caches, lazy inits
        f()
    times = {k: [] for k in fns}
    for _ in range(reps):
        for k, f in fns.items():
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in med.items():
        rate = f"   {items / v:9,.0f} images/s" if items > 1 else ""
        ratio = "" if k == "glassnet" else \
            f"   glassnet / {k} = {med['glassnet'] / v:.2f}"
        print(f"{what:<14} {k:<20} {v * 1e3:8.1f} ms{rate}{ratio}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ("speed", "mnist", "digits", "shapes", "recipe"):
        p.add_argument(f"--{flag}", action="store_true")
    p.add_argument("--reps", type=int, default=30)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--recipe-epochs", type=int, default=12)
    p.add_argument("--threads", type=int, default=1, help="PyTorch's threads")
    p.add_argument("--seed", type=int, default=0, help="initial weights and order")
    p.add_argument("--no-torch", action="store_true", help="glassnet alone")
    args = p.parse_args()
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    if args.no_torch:
        torch = None
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"# bench_cnn: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load average {load}; numpy {np.__version__}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
          + (f"; torch {torch.__version__}, {torch.get_num_threads()} thread(s)"
             if torch is not None else "; torch not installed"))
    if args.speed:
        if torch is None:
            raise SystemExit("--speed compares with PyTorch: pip install torch")
        speed(torch, args.reps)
    if args.mnist:
        accuracy("MNIST", mnist(), args.epochs, torch, (28, 28, 1), 10, args.seed)
    if args.digits:
        accuracy("scikit-learn digits, 8×8 upsampled to 28×28", digits(), 30,
                 torch, (28, 28, 1), 10, args.seed)
    if args.shapes:
        train, test = shapes(4000, 28, seed=0), shapes(1000, 28, seed=1)
        accuracy("generated shapes (glassnet.data.images)", (*train, *test), 3,
                 torch, (28, 28, 1), 4, args.seed)
    if args.recipe:
        recipe(args.recipe_epochs)


if __name__ == "__main__":
    main()
