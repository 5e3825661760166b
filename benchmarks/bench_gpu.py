"""glassnet on an NVIDIA GPU against PyTorch CUDA, side by side in one process.

    PYTHONPATH=. python benchmarks/bench_gpu.py --out OUT [--quick]
    bash benchmarks/gpu_check.sh OUT         # the GPU tests, then this

Cases (one MNIST epoch, 60,000 rows, Adam 1e-3, float32, ReLU layers and a
softmax output): 784-512-512-10 at batch 128; 784-128-10 at batch 128 and
1024; the LeNet-like CNN of issue 19 at batch 128 once ``gn.Conv2D`` exists.
For each, in one process, repetitions alternating between the libraries:

- glassnet on the GPU: ``model.fit(X, y, epochs=1, batch_size=B)`` with X, y
  NumPy, as a user calls it (fit validates X on the host and puts the whole
  training set on the device; both are inside the time, and reported apart);
- PyTorch CUDA: the same network and Glorot start, its usual loop over a
  shuffled index with the data already on the device, ``loss.item()`` per
  batch (one synchronisation per step, as glassnet's loss is read per step);
- glassnet on the CPU: part of an epoch (``--cpu-rows``), scaled to 60,000.

Then where a glassnet GPU step goes (784-512-512-10, batch 128): each phase
timed with a device synchronisation around it, against the cost of one empty
kernel launch, and PyTorch's CUDA kernels per step (torch.profiler).

MNIST comes from $GLASSNET_DATA_DIR/mnist.npz; without it the same shapes
are filled with synthetic pixels (the timings depend on shapes, not values;
the report says which). Writes OUT/gpu_results.md and OUT/gpu_results.json.

``--device check --torch-device cpu`` runs every code path on a CPU with the
checking device of ``tests/checkxp.py`` (for working on this script; those
numbers mean nothing).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import sys
import time
import traceback

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _common  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.core import backend as backend_mod  # noqa: E402
from glassnet.train.step import nonfinite  # noqa: E402

N = 60_000
CASES = [("784-512-512-10", (512, 512), 128), ("784-128-10", (128,), 128),
         ("784-128-10", (128,), 1024)]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=pathlib.Path, default=HERE / "out")
    p.add_argument("--quick", action="store_true", help="2 repetitions, not 3")
    p.add_argument("--reps", type=int)
    p.add_argument("--cpu-rows", type=int, default=10_000,
                   help="rows of the CPU epoch actually run (scaled to 60,000)")
    p.add_argument("--device", default="cuda")
    p.add_argument("--torch-device", default="cuda")
    p.add_argument("--rows", type=int, default=N, help="rows of the 'epoch'")
    return p.parse_args(argv)


# -- data -----------------------------------------------------------------------
def load(rows: int):
    """(X, y, what): MNIST rows in [0, 1] if available, else synthetic ones."""
    try:
        X, y, _, _ = _common.load_data()
        what = "MNIST (mnist.npz)"
    except Exception as exc:  # no GLASSNET_DATA_DIR / no file
        rng = np.random.default_rng(0)
        X = rng.random((N, 784), dtype=np.float32)
        X[X < 0.8] = 0.0                      # mostly background, like MNIST
        y = rng.integers(0, 10, N)
        what = f"synthetic MNIST-shaped data ({type(exc).__name__}: no MNIST here)"
    return X[:rows], y[:rows].astype(np.int64), what


def images(X: np.ndarray) -> np.ndarray:
    return X.reshape(len(X), 28, 28, 1)


# -- the three contenders -----------------------------------------------------------
def lenet(seed: int = 0):
    """Issue 19's network (NHWC), compiled like the MLPs."""
    net = gn.Sequential([
        gn.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
        gn.MaxPool2D(2), gn.Conv2D(64, 3, activation="relu"), gn.MaxPool2D(2),
        gn.Flatten(), gn.Dense(128, "relu"), gn.Dense(10, "softmax")], seed=seed)
    net.compile("categorical_crossentropy", "adam", learning_rate=_common.LR)
    return net


def glassnet_net(case, device: str, seed: int = 0):
    net = lenet(seed) if case == "cnn" else _common.glassnet_model(case, seed)
    return net.to(device)


class TorchNet:
    """The same network in PyTorch on ``device``, data on the device."""

    def __init__(self, torch, case, device: str, seed: int = 0):
        nn = torch.nn
        torch.manual_seed(seed)
        if case == "cnn":
            mods = [nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                    nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10)]
        else:
            mods, prev = [], 784
            for h in case:
                mods += [nn.Linear(prev, h), nn.ReLU()]
                prev = h
            mods.append(nn.Linear(prev, 10))
        for m in mods:                    # glassnet's Glorot-uniform start
            if isinstance(m, nn.Linear | nn.Conv2d):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        self.torch, self.device = torch, torch.device(device)
        self.model = nn.Sequential(*mods).to(self.device)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=_common.LR)
        self.loss_fn = nn.CrossEntropyLoss()
        self.gen = torch.Generator(device=self.device).manual_seed(seed)

    def data(self, X, y, cnn: bool):
        t = self.torch
        Xt = t.from_numpy(X.reshape(len(X), 1, 28, 28) if cnn else X)
        return Xt.to(self.device), t.from_numpy(y).to(self.device)

    def epoch(self, Xt, yt, batch_size: int) -> float:
        torch, model, opt = self.torch, self.model, self.opt
        perm = torch.randperm(len(Xt), generator=self.gen, device=self.device)
        total = 0.0
        for i in range(0, len(Xt), batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        self.sync()
        return total / len(Xt)

    def sync(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def kernels_per_step(self, Xt, yt, batch_size: int, steps: int = 10) -> float:
        """CUDA kernels launched per training step (torch.profiler)."""
        torch = self.torch
        if self.device.type != "cuda":
            return float("nan")
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for i in range(steps):
                idx = torch.arange(i * batch_size, (i + 1) * batch_size,
                                   device=self.device)
                self.opt.zero_grad(set_to_none=True)
                loss = self.loss_fn(self.model(Xt[idx]), yt[idx])
                loss.backward()
                self.opt.step()
                loss.item()
            self.sync()
        kernels = [e for e in prof.events() if e.device_type.name == "CUDA"]
        return len(kernels) / steps


# -- timing -----------------------------------------------------------------------
def median(xs) -> float:
    return float(statistics.median(xs))


def bench_case(name, case, B, X, y, args, torch, sync) -> dict:
    """Seconds per epoch: glassnet GPU, PyTorch, glassnet CPU (scaled)."""
    cnn = case == "cnn"
    Xg = images(X) if cnn else X
    row: dict = {"case": name, "batch": B, "rows": len(X)}
    net = glassnet_net(case, args.device)
    net.fit(Xg[:8 * B], y[:8 * B], epochs=2, batch_size=B, verbose=0)  # compile
    sync()

    def glassnet_epoch():
        t0 = time.perf_counter()
        h = net.fit(Xg, y, epochs=1, batch_size=B, verbose=0)
        sync()
        row.setdefault("glassnet_loop_s", []).append(h.history["time"][0])
        return time.perf_counter() - t0

    fns = {"glassnet_gpu": glassnet_epoch}
    if torch is not None:
        tnet = TorchNet(torch, case, args.torch_device)
        Xt, yt = tnet.data(X[:8 * B], y[:8 * B], cnn)
        tnet.epoch(Xt, yt, B)                                          # warm up
        Xt, yt = tnet.data(X, y, cnn)

        def torch_epoch():
            t0 = time.perf_counter()
            tnet.epoch(Xt, yt, B)
            return time.perf_counter() - t0
        fns["torch_cuda"] = torch_epoch
    times = {k: [] for k in fns}
    for r in range(args.reps):
        for k in list(fns)[r % len(fns):] + list(fns)[:r % len(fns)]:
            times[k].append(fns[k]())
            print(f"  {name} b{B} {k}: {times[k][-1]:.3f} s", flush=True)
    row.update({k: median(v) for k, v in times.items()})
    row["glassnet_loop_s"] = median(row["glassnet_loop_s"])
    row["h2d_s"] = h2d_seconds(Xg, y, args.device)
    cpu = glassnet_net(case, "cpu")
    n = min(max(args.cpu_rows, 4 * B), len(X))
    cpu.fit(Xg[:4 * B], y[:4 * B], epochs=1, batch_size=B, verbose=0)
    t0 = time.perf_counter()
    cpu.fit(Xg[:n], y[:n], epochs=1, batch_size=B, verbose=0)
    row["glassnet_cpu"] = (time.perf_counter() - t0) * len(X) / n
    row["cpu_rows"] = n
    if torch is not None:
        try:
            row["torch_kernels_per_step"] = tnet.kernels_per_step(Xt, yt, B)
        except Exception as exc:                      # the profiler is optional
            print(f"  torch.profiler: {exc!r}", flush=True)
    return row


def h2d_seconds(X, y, device) -> float:
    """Time to put the training set on the device (part of each fit call)."""
    b = backend_mod.get(device)
    t0 = time.perf_counter()
    b.to_device(X), b.to_device(y)
    b.synchronize()
    return time.perf_counter() - t0


def where_time_goes(X, y, device, sync, steps: int = 50) -> dict:
    """Per-phase time of a glassnet step, 784-512-512-10, batch 128."""
    B = 128
    steps = min(steps, len(X) // B)
    net = glassnet_net((512, 512), device)
    net.fit(X[:8 * B], y[:8 * B], epochs=1, batch_size=B, verbose=0)
    b = net.backend
    Xd = b.to_device(X[:steps * B])
    yd = b.to_device(net.loss.prepare_targets(y[:steps * B], 10, net.dtype))
    head = net.objective(net.loss)
    phases = {"forward": [], "loss": [], "backward": [], "finite check": [],
              "optimizer": []}
    for i in range(steps):
        xb, yb = Xd[i * B:(i + 1) * B], yd[i * B:(i + 1) * B]
        sync()
        t0 = time.perf_counter()
        net.zero_grad()
        out = net.forward(xb, training=True)
        sync()
        t1 = time.perf_counter()
        L = head.value(out, yb)                       # one number back: a sync
        t2 = time.perf_counter()
        net.backward(head.grad(out, yb), head.fused)
        L += net.penalty()
        sync()
        t3 = time.perf_counter()
        nonfinite(net, L)                             # ‖g‖²: one number back
        t4 = time.perf_counter()
        net.optimizer.step(net.flat_params, net.flat_grads)
        sync()
        t5 = time.perf_counter()
        for k, (a, c) in zip(phases, ((t0, t1), (t1, t2), (t2, t3), (t3, t4),
                                      (t4, t5)), strict=True):
            phases[k].append(c - a)
    out = {k: median(v) * 1e6 for k, v in phases.items()}
    small = b.xp.zeros(16, dtype=np.float32)
    sync()
    t0 = time.perf_counter()
    for _ in range(1000):
        small += 1.0
    sync()
    out["one launch"] = (time.perf_counter() - t0) / 1000 * 1e6
    out["steps"] = steps
    return out


# -- report -----------------------------------------------------------------------
def gpu_name(device: str) -> str:
    if device != "cuda":
        return f"no GPU: dry run with device={device!r}"
    import cupy
    props = cupy.cuda.runtime.getDeviceProperties(0)
    name = props["name"]
    name = name.decode() if isinstance(name, bytes) else name
    return (f"{name}, {props['totalGlobalMem'] / 2**30:.0f} GiB, CuPy "
            f"{cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}")


def report(rows, profile, meta) -> str:
    dry = meta["device"] != "cuda"
    lines = [f"## GPU run of {meta['date']}" + (" (DRY RUN: not GPU figures)" if dry
                                                else ""), "",
             f"GPU: {meta['gpu']}. Host: {meta['machine']}. {meta['versions']}. "
             f"Data: {meta['data']}. Command: `{meta['command']}`. Median of "
             f"{meta['reps']} repetitions, libraries alternating.", "",
             "| network | batch | glassnet GPU s/epoch (loop only) | PyTorch CUDA "
             "s/epoch | glassnet / PyTorch | glassnet CPU s/epoch | CPU / GPU |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['case']} | {r['batch']} | failed: {r['error']} "
                         "| | | | |")
            continue
        t = r.get("torch_cuda")
        torch_s = "—" if t is None else f"{t:.3f}"
        ratio = "—" if t is None else f"{r['glassnet_gpu'] / t:.2f}×"
        lines.append(
            f"| {r['case']} | {r['batch']} | {r['glassnet_gpu']:.3f} "
            f"({r['glassnet_loop_s']:.3f}) | {torch_s} | {ratio} | "
            f"{r['glassnet_cpu']:.2f} (from {r['cpu_rows']:,} rows) | "
            f"{r['glassnet_cpu'] / r['glassnet_gpu']:.1f}× |")
    lines += ["", "glassnet's time is the whole `fit(epochs=1)` call; in brackets "
              "the epoch loop alone (without fit's host-side validation of X). "
              "Putting the training set on the device takes: " + ", ".join(
                  f"{r['case']} b{r['batch']} {r['h2d_s'] * 1e3:.0f} ms"
                  for r in rows if "h2d_s" in r) + ".", ""]
    if profile:
        lines += ["Where a glassnet GPU step goes (784-512-512-10, batch 128; µs, "
                  f"median of {profile.pop('steps')} steps, each phase between two "
                  "synchronisations; 'one launch': an empty elementwise kernel):", "",
                  "| " + " | ".join(profile) + " |",
                  "|" + "---:|" * len(profile),
                  "| " + " | ".join(f"{v:.0f}" for v in profile.values()) + " |", ""]
        kern = [r.get("torch_kernels_per_step") for r in rows]
        lines.append("PyTorch CUDA kernels per training step: " + ", ".join(
            f"{r['case']} b{r['batch']} {k:.0f}" for r, k in zip(rows, kern,
                                                                 strict=True)
            if k is not None and k == k) + ".")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    args.reps = args.reps or (2 if args.quick else 3)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.device == "check":
        sys.path.insert(0, str(HERE.parent / "tests"))
        import checkxp  # noqa: F401 - registers device="check"
    dev = backend_mod.get(args.device)
    torch = _common.import_torch()
    if torch is not None and args.torch_device == "cpu":
        torch.set_num_threads(1)                      # a dry run on a shared CPU
    X, y, what = load(args.rows)
    print(f"data: {what}; {len(X):,} rows", flush=True)
    cases = list(CASES) + ([("LeNet-like CNN", "cnn", 128)] if hasattr(gn, "Conv2D")
                           else [])
    rows = []
    for name, case, B in cases:
        try:
            rows.append(bench_case(name, case, B, X, y, args, torch, dev.synchronize))
        except Exception as exc:
            traceback.print_exc()
            rows.append({"case": name, "batch": B, "error": repr(exc)[:200]})
    try:
        profile = where_time_goes(X, y, args.device, dev.synchronize)
    except Exception:
        traceback.print_exc()
        profile = {}
    v = _common.versions()
    now = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - any Python
    meta = {"date": now.strftime("%Y-%m-%d %H:%M UTC"),
            "device": args.device, "gpu": gpu_name(args.device),
            "machine": _common.machine(), "data": what, "reps": args.reps,
            "versions": f"Python {platform.python_version()}, NumPy {v['numpy']}"
                        + (f", PyTorch {torch.__version__} (CUDA "
                           f"{torch.version.cuda})" if torch else ", no PyTorch"),
            "command": "python " + " ".join([os.path.relpath(__file__),
                                             *(argv or sys.argv[1:])])}
    text = report(rows, profile, meta)
    (args.out / "gpu_results.md").write_text(text)
    (args.out / "gpu_results.json").write_text(json.dumps(
        {"meta": meta, "rows": rows, "profile_us": profile}, indent=1))
    print(text)
    if args.device == "cuda":
        print("targets: 784-512-512-10 b128 ≥ 10× glassnet CPU and ≤ 1.5× PyTorch "
              "CUDA; CNN ≤ 2× PyTorch CUDA")
    return 0


if __name__ == "__main__":
    sys.exit(main())
