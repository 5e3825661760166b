"""Peak memory of ``gn.load_csv`` against the size of the file (issue 15, item 11).

    python benchmarks/bench_csv_memory.py [MB]        # default: a 30 MB file

Writes a CSV of about MB megabytes (12 numeric columns of 6 decimals, one
text column of three colours, a numeric target) to a temporary folder, then
loads it in a fresh process and prints one JSON line: the file's size, the
process's peak RSS above its RSS after ``import glassnet`` (Linux: the
peak counter is reset through /proc/self/clear_refs), the arrays' size
(X and y) and the seconds taken. The memory of a fresh process is its own,
so the number does not depend on what ran before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

MB = 1024 * 1024

_CHILD = r"""
import json, re, sys, time
import glassnet as gn
def rss(key):
    m = re.search(key + r":\s+(\d+) kB", open("/proc/self/status").read())
    return int(m.group(1)) * 1024
open("/proc/self/clear_refs", "w").write("5")
base = rss("VmRSS")
t = time.perf_counter()
d = gn.load_csv(sys.argv[1], one_hot=["color"])
took = time.perf_counter() - t
print(json.dumps({"peak_above_import": rss("VmHWM") - base, "seconds": took,
                  "arrays": d.X.nbytes + d.y.nbytes, "shape": list(d.X.shape)}))
"""


def write_csv(path: str, megabytes: float, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    colours = np.array(["red", "green", "blue"])
    with open(path, "w") as f:
        f.write(",".join(f"x{i}" for i in range(12)) + ",color,y\n")
        while f.tell() < megabytes * MB:
            X = rng.normal(size=(10_000, 12))
            c = colours[rng.integers(0, 3, 10_000)]
            f.writelines(",".join(f"{v:.6f}" for v in row) + f",{col},{row.sum():.4f}\n"
                         for row, col in zip(X, c, strict=True))


def main(megabytes: float = 30.0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.csv")
        write_csv(path, megabytes)
        size = os.path.getsize(path)
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _CHILD, path], check=True,
                             capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
    result.update(file=size, wall=time.perf_counter() - t,
                  peak_over_file=result["peak_above_import"] / size,
                  peak_over_arrays=result["peak_above_import"] / result["arrays"])
    return result


if __name__ == "__main__":
    if not os.path.exists("/proc/self/clear_refs"):
        sys.exit("needs Linux (/proc/self/clear_refs, /proc/self/status)")
    r = main(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                      for k, v in r.items()}))
