"""How long one ``glassnet search`` takes in one process, on ``--n-jobs 2`` and
on a two-worker Dask cluster.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_search.py
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_search.py --quick

Each search is the whole command in a fresh Python process, timed from outside
(imports, data, every task, the refit, results.csv and report.md; no plot),
and the task phase alone as the search reports it in report.md ("Searched … in
X s"). The three ways take turns, ``--repeats`` times, so a busy machine slows
them alike; medians are printed. The cluster is a ``distributed.LocalCluster``
of two worker processes with one thread each, started once before the
searches (a cluster is already running when a search is sent to it); its start
time is printed apart. All scores of the three ways are checked equal.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRID = """layers = [32, "32,32", "64,32"]
lr = [0.003, 0.01, 0.03]
epochs = [20]
batch_size = [16]
"""
QUICK_GRID = """layers = [16, "16,16"]
lr = [0.01, 0.03]
epochs = [20]
batch_size = [16]
"""


def search(tmp: Path, way: str, args: list[str], data: str, cv: int
           ) -> tuple[float, float, list[list[str]]]:
    """(wall seconds, task seconds, results without fit times) of one search."""
    out = tmp / f"out-{way}-{time.monotonic_ns()}"
    cmd = [sys.executable, "-m", "glassnet.cli", "search", data, "--grid",
           str(tmp / "grid.toml"), "--cv", str(cv), "--seed", "0", "--output",
           str(out), "--quiet", "--no-plots", *args]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"{way} failed: {done.stderr}")
    report = (out / "report.md").read_text()
    tasks = float(re.search(r" in ([0-9.]+) s with glassnet", report).group(1))
    with open(out / "results.csv", newline="") as f:
        rows = [[v for k, v in r.items() if k != "fit_time_s"]
                for r in csv.DictReader(f)]
    return wall, tasks, rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--data", default="spirals")
    p.add_argument("--cv", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="a 4-configuration grid")
    a = p.parse_args()
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "grid.toml").write_text(QUICK_GRID if a.quick else GRID)
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        started = time.perf_counter() - t0
        ways = {"one process": [], "--n-jobs 2": ["--n-jobs", "2"],
                "2-worker Dask cluster": ["--scheduler", cluster.scheduler_address]}
        times = {way: [] for way in ways}
        reference = None
        try:
            for _ in range(a.repeats):
                for way, extra in ways.items():
                    wall, tasks, rows = search(tmp, way.split()[0], extra, a.data,
                                               a.cv)
                    reference = reference or rows
                    assert rows == reference, f"{way} gave other scores"
                    times[way].append((wall, tasks))
        finally:
            cluster.close()
    configs = len(reference)
    print(f"\nglassnet search {a.data}: {configs} configurations × {a.cv} folds = "
          f"{configs * a.cv} tasks; median of {a.repeats} runs, taking turns")
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"load average before the end {os.getloadavg()[0]:.1f}")
    print(f"LocalCluster start (2 worker processes): {started:.1f} s\n")
    print("| how | whole command (s) | task phase (s) | task phase ÷ one process |")
    print("|---|---|---|---|")
    base = statistics.median(t for _, t in times["one process"])
    for way, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        tasks = statistics.median(t for _, t in runs)
        print(f"| {way} | {wall:.1f} | {tasks:.1f} | {tasks / base:.2f} |")
    print("\nevery run gave the same scores (results.csv without fit times)")


if __name__ == "__main__":
    main()
