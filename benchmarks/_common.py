"""What every benchmark section shares: data, the three libraries' models and
one-epoch trainers, timing helpers and a description of the machine.

The three libraries train the same network (Dense-ReLU layers, a softmax
output, cross-entropy, Adam η = 1e-3, float32) on the same MNIST arrays, each
written the way its own documentation teaches:

- glassnet: ``Sequential.fit(X, y, epochs=1, batch_size=B)`` (the call a user
  makes; its wall time includes fit's input validation);
- PyTorch: the usual loop (shuffled index tensor, ``X[idx]``, ``zero_grad``,
  forward, ``loss.backward()``, ``opt.step()``, ``loss.item()``) with
  ``torch.optim.Adam`` at its defaults, weights started Glorot-uniform as in
  glassnet (torch's own default start is smaller);
- scikit-learn: ``MLPClassifier(solver="adam").partial_fit`` (one epoch).
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import time

import numpy as np

import glassnet as gn

LR = 1e-3
N_CLASSES = 10


# -- data ----------------------------------------------------------------------
def load_data():
    """(X_train, y_train, X_test, y_test): float32 rows in [0, 1], int64 labels."""
    xtr, ytr, xte, yte = gn.data.load_mnist(download=False)
    return _rows(xtr), ytr.astype(np.int64), _rows(xte), yte.astype(np.int64)


def _rows(images: np.ndarray) -> np.ndarray:
    X = images.reshape(len(images), -1).astype(np.float32)
    X /= 255.0  # in place: no float64 temporary
    return X


# -- optional libraries ----------------------------------------------------------
def import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def import_sklearn():
    try:
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    return MLPClassifier


# -- glassnet --------------------------------------------------------------------
def glassnet_model(hidden: tuple[int, ...], seed: int = 0) -> gn.Sequential:
    layers = [gn.Dense(h, "relu", input_dim=784 if i == 0 else None)
              for i, h in enumerate(hidden)]
    layers.append(gn.Dense(N_CLASSES, "softmax", input_dim=None if hidden else 784))
    net = gn.Sequential(layers, seed=seed)
    net.compile("categorical_crossentropy", "adam", learning_rate=LR)
    return net


def glassnet_epoch(net, X, y, batch_size: int, seed: int) -> None:
    net.fit(X, y, epochs=1, batch_size=batch_size, verbose=0, seed=seed)


# -- PyTorch ---------------------------------------------------------------------
class TorchMLP:
    """The same network in PyTorch, with its idiomatic training loop."""

    def __init__(self, torch, hidden: tuple[int, ...], seed: int = 0,
                 fused_adam: bool = False):
        nn = torch.nn
        torch.manual_seed(seed)
        mods, prev = [], 784
        for h in hidden:
            mods += [nn.Linear(prev, h), nn.ReLU()]
            prev = h
        mods.append(nn.Linear(prev, N_CLASSES))
        for m in mods:  # glassnet's (and scikit-learn's) Glorot-uniform start
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        self.torch = torch
        self.model = nn.Sequential(*mods)
        kw = {"fused": True} if fused_adam else {}
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR, **kw)
        self.loss_fn = nn.CrossEntropyLoss()
        self.gen = torch.Generator().manual_seed(seed)

    def epoch(self, Xt, yt, batch_size: int, n: int | None = None) -> float:
        """One pass over the first ``n`` shuffled rows; returns the mean loss."""
        torch, model, opt = self.torch, self.model, self.opt
        n = len(Xt) if n is None else n
        perm = torch.randperm(len(Xt), generator=self.gen)[:n]
        model.train()
        total = 0.0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = Xt[idx], yt[idx]
            opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return total / n

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode():
            return torch.softmax(self.model(torch.from_numpy(X)), dim=1).numpy()


# -- scikit-learn ----------------------------------------------------------------
def sklearn_model(MLPClassifier, hidden: tuple[int, ...], batch_size: int,
                  seed: int = 0):
    return MLPClassifier(hidden_layer_sizes=hidden, activation="relu",
                         solver="adam", alpha=0.0, batch_size=batch_size,
                         learning_rate_init=LR, shuffle=True, random_state=seed)


def sklearn_epoch(clf, X, y) -> None:
    clf.partial_fit(X, y, classes=np.arange(N_CLASSES))


# -- timing ------------------------------------------------------------------------
def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleave(fns: dict, reps: int) -> dict[str, list[float]]:
    """Time each function once per round, rotating the order every round so
    that no library always runs first (or right after a particular other)."""
    names = list(fns)
    out = {k: [] for k in names}
    for r in range(reps):
        k0 = r % len(names)
        for name in names[k0:] + names[:k0]:
            out[name].append(timed(fns[name]))
    return out


def median(xs) -> float:
    return float(statistics.median(xs))


def gemm_flops_per_sample(hidden: tuple[int, ...]) -> int:
    """FLOPs of the GEMMs of one training sample: forward x W (2·n_in·n_out),
    dW = xᵀ dz (the same) and dx = dz Wᵀ (the same, skipped for layer 0)."""
    sizes = (784, *hidden, N_CLASSES)
    total = 0
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        total += 2 * a * b * (2 if i == 0 else 3)
    return total


@contextlib.contextmanager
def blas_threads(n: int | None):
    """Limit NumPy's BLAS to n threads (threadpoolctl, if installed)."""
    if n is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


# -- the machine -------------------------------------------------------------------
def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                flags = line.split(":", 1)[1].split()
                return "AVX-512" if "avx512f" in flags else (
                    "AVX2" if "avx2" in flags else "SSE")
    except OSError:
        pass
    return "?"


def blas_name() -> str:
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get("user_api") == "blas" and "numpy" in info.get("filepath", ""):
                return (f"{info['internal_api']} {info.get('version')} "
                        f"({info.get('architecture')} kernels, "
                        f"{info['num_threads']} threads by default)")
    except ImportError:
        pass
    return "?"


def versions() -> dict[str, str]:
    v = {"python": platform.python_version(), "numpy": np.__version__,
         "glassnet": gn.__version__, "blas": blas_name()}
    torch = import_torch()
    if torch is not None:
        v["torch"] = (f"{torch.__version__} ({torch.get_num_threads()} threads by "
                      "default)")
    try:
        import sklearn
        v["scikit-learn"] = sklearn.__version__
    except ImportError:
        pass
    return v


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cpu_name()}, {os.cpu_count()} cores, {cpu_flags()}, "
            f"load average {load}")
