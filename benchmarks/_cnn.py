"""The LeNet-like CNN row: a training step, batch 128, glassnet vs PyTorch.

    Conv2D(6, 5, same, ReLU) → MaxPool 2 → Conv2D(16, 5, ReLU) → MaxPool 2
    → Flatten → Dense(120, ReLU) → Dense(84, ReLU) → Dense(10, softmax)

on 28×28×1 MNIST images (glassnet: (B, H, W, C); PyTorch: (B, C, H, W)),
Adam 1e-3, cross-entropy. Runs only once ``gn.Conv2D`` exists (the
convolution issue); ``_targets.cnn`` marks the row pending until then.
"""

from __future__ import annotations

import numpy as np
from _common import import_torch, interleave, median

import glassnet as gn


def glassnet_lenet(seed: int = 0):
    net = gn.Sequential([
        gn.Conv2D(6, 5, padding="same", activation="relu", input_shape=(28, 28, 1)),
        gn.MaxPool2D(2),
        gn.Conv2D(16, 5, activation="relu"),
        gn.MaxPool2D(2),
        gn.Flatten(),
        gn.Dense(120, activation="relu"),
        gn.Dense(84, activation="relu"),
        gn.Dense(10, activation="softmax")], seed=seed)
    return net.compile("categorical_crossentropy", "adam", learning_rate=1e-3)


def torch_lenet(torch):
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def step_times(reps: int, batches: int) -> dict:
    """Seconds per training step (batch 128), ``batches`` steps per round."""
    torch = import_torch()
    xtr, ytr, _, _ = gn.data.load_mnist(download=False)
    n = 128 * batches
    X = (xtr[:n].astype(np.float32) / 255.0)[..., None]       # (n, 28, 28, 1)
    y = ytr[:n].astype(np.int64)
    net = glassnet_lenet()
    net.fit(X[:256], y[:256], epochs=1, batch_size=128, verbose=0, seed=0)
    fns = {"glassnet": lambda: net.fit(X, y, epochs=1, batch_size=128, verbose=0,
                                       shuffle=False)}
    if torch is not None:
        model, opt = torch_lenet(torch)
        Xt = torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2)))
        yt = torch.from_numpy(y)
        loss_fn = torch.nn.CrossEntropyLoss()

        def torch_epoch():
            for i in range(0, n, 128):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(Xt[i:i + 128]), yt[i:i + 128])
                loss.backward()
                opt.step()
                loss.item()
        torch_epoch()
        fns["torch"] = torch_epoch
    times = {k: [t / batches for t in v] for k, v in interleave(fns, reps).items()}
    print("  targets CNN step: " + ", ".join(
        f"{k} {median(v) * 1e3:.1f}ms" for k, v in times.items()), flush=True)
    return {"times": times, "batches_timed": batches}
