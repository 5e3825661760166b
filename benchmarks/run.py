"""glassnet against PyTorch and scikit-learn on MNIST, in one process, interleaved.

    python benchmarks/run.py                 # everything (~8 minutes on 2 cores)
    python benchmarks/run.py --quick         # fewer repetitions (~4 minutes)
    python benchmarks/run.py --train --predict   # only some sections
    python benchmarks/run.py --quick --record    # also append to RESULTS.md

Sections (all by default): --train (epoch time, three networks), --predict
(latency, 1 and 1,000 samples), --memory (peak RSS of a training run, one
fresh process per library), --accuracy (test accuracy after 5 epochs, and
glassnet's epoch times with and without the subnormal flush), --gflops (sgemm
rate of this machine, measured now), --profile (where a glassnet step's time
goes), --threading (1 thread vs all cores, each library), --scaling (epoch time against
hidden width and batch size, with a plot), --targets (issue 16's table: MLP epochs
against PyTorch and JAX — JAX in its own process, alternating —, single-sample
predict, LSTM, the CNN once gn.Conv2D exists, scikit-learn on float64 data, the
GEMM floor).

Every comparison is timed in the same process, libraries alternating, and
reported as the median of the repetitions and as the ratio glassnet / other
(< 1: glassnet faster). Absolute times on a shared machine vary from run to run;
the ratios measured side by side are the result. MNIST comes from
$GLASSNET_DATA_DIR (mnist.npz). Writes benchmarks/out/results.md and
results.json; --record appends the report to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shlex
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _common  # noqa: E402
import _profile  # noqa: E402
import _scaling  # noqa: E402
import _sections  # noqa: E402
import _targets  # noqa: E402
import report  # noqa: E402

SECTIONS = ["train", "predict", "memory", "accuracy", "gflops", "profile",
            "threading", "scaling", "targets"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="fewer repetitions and steps (a run of a few minutes)")
    for s in SECTIONS:
        p.add_argument(f"--{s}", action="store_true", help=f"run the {s} section")
    p.add_argument("--reps", type=int, help="repetitions per timing (default 5, "
                   "quick 3)")
    p.add_argument("--seeds", type=int, help="seeds for --accuracy (default 3, "
                   "quick 1)")
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="give both NumPy's BLAS and torch N threads (default: each "
                   "library's own default, all cores)")
    p.add_argument("--pin-core", type=int, default=None, metavar="CPU",
                   help="run on this one CPU only (os.sched_setaffinity; the JAX "
                   "child inherits it): JAX's asynchronous dispatch otherwise "
                   "keeps a second core busy even with one XLA thread")
    p.add_argument("--out", type=pathlib.Path, default=HERE / "out")
    p.add_argument("--record", action="store_true",
                   help="append the report to benchmarks/RESULTS.md")
    return p.parse_args(argv)


def memory(epochs: int) -> list[dict]:
    rows = []
    for lib in ("glassnet", "torch", "scikit-learn"):
        cmd = [sys.executable, str(HERE / "_memory.py"), lib, str(epochs)]
        res = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
        if res.returncode != 0:
            print(f"  memory {lib}: failed: {res.stderr.strip()[-300:]}", flush=True)
            continue
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"  memory {lib}: training peak {r['peak_during_training_mb']:.0f} MB "
              f"(+{r['training_overhead_mb']:.0f} MB over data), lifetime peak "
              f"{r['peak_lifetime_mb']:.0f} MB", flush=True)
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    chosen = [s for s in SECTIONS if getattr(args, s)]
    if not chosen:
        chosen = [s for s in SECTIONS
                  if s not in ("threading", "targets") or not args.quick]
    reps = args.reps or (3 if args.quick else 5)
    seeds = args.seeds or (1 if args.quick else 3)
    started = time.time()
    meta = {"command": "python benchmarks/run.py " + shlex.join(sys.argv[1:]),
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine_start": _common.machine(), "versions": _common.versions(),
            "sections": chosen, "reps": reps, "quick": args.quick}
    if args.threads is not None:
        os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = \
            str(args.threads)  # for the --memory child processes
        torch = _common.import_torch()
        if torch is not None:
            torch.set_num_threads(args.threads)
    meta["threads"] = ("each library's default" if args.threads is None else
                       f"{args.threads} for NumPy's BLAS and for torch")
    if args.pin_core is not None:
        os.sched_setaffinity(0, {args.pin_core})
        meta["threads"] += f"; every process pinned to CPU {args.pin_core}"
    print(f"{meta['date']}  {meta['machine_start']}", flush=True)
    if os.getloadavg()[0] > 0.5:
        print("  note: other processes are using the CPU (see the load average); "
              "multi-threaded BLAS slows down badly when its threads must share "
              "cores. --threads 1 gives steadier ratios.", flush=True)
    data = _common.load_data()
    res: dict = {"meta": meta}
    with _common.blas_threads(args.threads):
        if "gflops" in chosen:
            res["gflops"] = _sections.gemm_rates(reps=3 if args.quick else 5)
        if "train" in chosen:
            res["train"] = _sections.train(data, reps)
        if "predict" in chosen:
            res["predict"] = _sections.predict(data, 500 if args.quick else 2000,
                                               30 if args.quick else 100)
        if "profile" in chosen:
            res["profile"] = [_profile.step_breakdown(
                data, (128,), 128, steps=200 if args.quick else 400)]
            if not args.quick:
                res["profile"].append(_profile.step_breakdown(
                    data, (512, 512), 128, steps=200))
            for p in res["profile"]:
                print(f"  profile {p['hidden']}: " + ", ".join(
                    f"{k} {v:.0f}us" for k, v in p["us_per_step"].items()), flush=True)
        if "accuracy" in chosen:
            res["accuracy"] = _sections.accuracy(data, seeds)
        if "threading" in chosen:
            res["threading"] = _sections.threads(data, max(2, reps - 2))
        if "scaling" in chosen:
            res["scaling"] = _scaling.scaling(data, reps=1 if args.quick else 2,
                                              budget_s=0.4 if args.quick else 0.8)
            png = HERE / "scaling.png"
            if _scaling.plot(res["scaling"], png, f"Threads: {meta['threads']}"):
                res["scaling"]["plot"] = str(png.relative_to(HERE.parent))
        if "targets" in chosen:
            res["targets"] = _targets.run_all(data, reps, args.threads, args.quick)
    if "memory" in chosen:
        res["memory"] = memory(epochs=1)
    meta["machine_end"] = _common.machine()
    meta["wall_s"] = time.time() - started
    text = report.render(res)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(text)
    (args.out / "results.json").write_text(json.dumps(res, indent=1, default=str))
    print()
    print(text)
    if args.record:
        with open(HERE / "RESULTS.md", "a") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
