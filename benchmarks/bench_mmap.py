"""Train one epoch on a memory-mapped array several times larger than a memory
budget, through glassnet.data.BatchIterator, and report peak RSS.

    python benchmarks/bench_mmap.py            # ~1.5 GB file, 300 MB budget
    python benchmarks/bench_mmap.py --small    # ~256 MB file, 100 MB budget
    python benchmarks/bench_mmap.py --file-mb 4000 --budget-mb 300 --dir /data

The features are written to an .npy file with plain file writes (the writer
never maps it) and, unless ``--warm``, evicted from the page cache
(posix_fadvise DONTNEED), as if the file were larger than RAM; training then
reads it through np.load(..., mmap_mode="r"). Pages of a file mapping that
the process has touched count in its RSS until they are unmapped, although
the kernel may drop them at any time (modern kernels map whole large folios,
so one touched row can map megabytes). Every ``--release-every`` batches the
benchmark tells the kernel it no longer needs them (madvise MADV_DONTNEED;
they stay in the page cache), so peak RSS shows what training really holds:
the model, one batch and the pages in flight. RssAnon -- private memory the
process cannot give back -- is reported too.
Exit status 1 when peak RSS exceeds the budget.
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet.data import BatchIterator

MB = 1 << 20


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss: kB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (MB if sys.platform == "darwin" else 1024)


def rss_parts_mb() -> dict[str, float]:
    """Current VmRSS / RssAnon / RssFile from /proc (psutil's rss elsewhere)."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        try:
            import psutil
        except ImportError:
            return {}
        return {"VmRSS": psutil.Process().memory_info().rss / MB}
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return {
        k: int(fields[k].split()[0]) / 1024
        for k in ("VmRSS", "RssAnon", "RssFile")
        if k in fields
    }


def write_dataset(
    folder: Path, rows: int, features: int, classes: int, seed: int
) -> tuple[Path, Path]:
    """Write X (rows, features) float32 and y (rows,) uint8 as .npy, in chunks.

    y = argmax(X W) for a fixed random W, so the epoch has something to learn.
    """
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(features, classes)).astype(np.float32)
    x_path, y_path = folder / "bench_x.npy", folder / "bench_y.npy"
    y = np.empty(rows, dtype=np.uint8)
    chunk = max(1, (4 * MB) // (4 * features))
    with open(x_path, "wb") as f:
        np.lib.format.write_array_header_2_0(
            f, {"descr": "<f4", "fortran_order": False, "shape": (rows, features)}
        )
        for start in range(0, rows, chunk):
            block = rng.standard_normal(
                (min(chunk, rows - start), features), dtype=np.float32
            )
            y[start : start + len(block)] = (block @ W).argmax(axis=1)
            block.tofile(f)
    np.save(y_path, y)
    return x_path, y_path


def evict_page_cache(path: Path) -> None:
    """Drop a file's pages from the OS page cache (where posix_fadvise exists)."""
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # dirty pages cannot be dropped
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def release(array: np.ndarray) -> None:
    """Unmap the pages of a memmap this process has touched (Linux, macOS)."""
    handle = getattr(array, "_mmap", None)
    if handle is not None and hasattr(mmap, "MADV_DONTNEED"):
        handle.madvise(mmap.MADV_DONTNEED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--file-mb",
        type=float,
        default=1500.0,
        help="size of the memory-mapped feature file (MB)",
    )
    parser.add_argument(
        "--budget-mb", type=float, default=300.0, help="peak RSS allowed (MB)"
    )
    parser.add_argument(
        "--small", action="store_true", help="quick run: 256 MB file, 100 MB budget"
    )
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--release-every",
        type=int,
        default=1,
        help="batches between madvise(DONTNEED); 0 = never",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where to write the data (default: a temp dir)",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="keep the freshly written file in the page cache",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the results as JSON here"
    )
    args = parser.parse_args(argv)
    if args.small:
        args.file_mb, args.budget_mb = 256.0, 100.0
    rows = int(args.file_mb * MB // (4 * args.features))

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        t0 = time.perf_counter()
        x_path, y_path = write_dataset(
            Path(tmp), rows, args.features, args.classes, args.seed
        )
        write_s = time.perf_counter() - t0
        if not args.warm:
            evict_page_cache(x_path)
        X = np.load(x_path, mmap_mode="r")  # (rows, F) float32, read-only
        y = np.load(y_path, mmap_mode="r")  # (rows,) uint8
        net = gn.Sequential(
            [
                gn.Dense(64, activation="relu", input_dim=args.features),
                gn.Dense(args.classes, activation="softmax"),
            ],
            seed=0,
        )
        net.compile(
            loss="categorical_crossentropy",
            optimizer=gn.optimizers.Adam(learning_rate=1e-3),
        )
        batches = BatchIterator(X, y, batch_size=args.batch_size, seed=args.seed)
        losses, peak_anon = [], 0.0
        t0 = time.perf_counter()
        for b, (xb, yb, _) in enumerate(batches.epoch()):
            losses.append(net.train_step(xb, yb))
            if args.release_every and (b + 1) % args.release_every == 0:
                release(X)
            peak_anon = max(peak_anon, rss_parts_mb().get("RssAnon", 0.0))
        train_s = time.perf_counter() - t0
        file_mb = x_path.stat().st_size / MB
        del X, y, batches

    tenth = max(1, len(losses) // 10)
    result = {
        "file_mb": round(file_mb, 1),
        "budget_mb": args.budget_mb,
        "rows": rows,
        "features": args.features,
        "batches": len(losses),
        "write_s": round(write_s, 2),
        "epoch_s": round(train_s, 2),
        "rows_per_s": round(rows / train_s),
        "loss_first_10pct": round(float(np.mean(losses[:tenth])), 4),
        "loss_last_10pct": round(float(np.mean(losses[-tenth:])), 4),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "peak_rss_anon_mb": round(peak_anon, 1),
    }
    result["within_budget"] = result["peak_rss_mb"] <= args.budget_mb
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
