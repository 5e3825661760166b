"""``glassnet search``: every configuration of a grid, scored by k-fold
cross-validation, here, on local processes or on a Dask cluster.

Reads top to bottom like the search it performs:
  1. read the grid (option → values) and the data, as ``glassnet train`` does;
  2. split the rows into k folds (stratified for classes): one task per
     (configuration, fold), each trained the way ``glassnet train`` trains;
  3. run the tasks (--n-jobs processes, or --scheduler's Dask workers);
  4. write results.csv, refit the best configuration on every row
     (best.safetensors), plot the score against each option, write report.md.
"""

from __future__ import annotations

import dataclasses
import datetime
import shlex
import time
from pathlib import Path

import glassnet
from glassnet import plots
from glassnet.cli import config as config_mod
from glassnet.cli import train as train_mod
from glassnet.cli.datasets import load_training_data
from glassnet.cli.gridsearch import grid as grid_mod
from glassnet.cli.gridsearch import report as report_mod
from glassnet.cli.gridsearch import results as results_mod
from glassnet.cli.gridsearch.execute import run_tasks
from glassnet.cli.gridsearch.progress import Progress
from glassnet.cli.gridsearch.tasks import SCORES, folds, make_tasks
from glassnet.errors import ConfigError, TrainingError


def run(args) -> int:
    _check_args(args)
    grid = grid_mod.read_grid(args.grid)
    base = {"data": args.data, "target": args.target, "seed": args.seed,
            "one_hot": bool(args.one_hot), "missing": args.missing or "error",
            "validation_split": 0.0}  # the held-out fold is the validation
    data = load_training_data(config_mod.resolve(base, {}))
    base["standardize"] = data.spec is not None  # as glassnet train: CSV yes
    configs = grid_mod.configurations(grid, base, args.grid)
    names, (metric, higher) = list(grid), SCORES[data.task]
    tasks = make_tasks(configs, folds(data, args.cv, args.seed))
    name = data.name or Path(args.data).stem
    out = Path(args.output or Path("runs") / f"search-{name}")
    print(f"glassnet search: {name}: {data.n_samples} rows, "
          f"{_count(len(configs), 'configuration')} × {args.cv} folds = "
          f"{len(tasks)} tasks on {_where(args)}; score: {metric} on the held-out "
          "fold", flush=True)

    progress = Progress(configs, names, args.cv, metric, higher, args.quiet)
    t0 = time.perf_counter()
    try:
        results = run_tasks(tasks, data, args.n_jobs, args.scheduler, progress)
    finally:
        progress.close()
    took = time.perf_counter() - t0

    rows = results_mod.table(configs, names, results, args.cv, higher)
    out.mkdir(parents=True, exist_ok=True)
    results_mod.write_csv(rows, out / "results.csv", names, metric)
    best = results_mod.best(rows)
    best_command = _refit(configs[best.config], data, out, best, metric) \
        if best else ""
    plot = _plot(rows, names, metric, higher, out) if not args.no_plots else None
    report = _report(args, out, data, names, metric, higher, rows, best,
                     best_command, plot, took)
    _print_outcome(out, rows, best, metric, report)
    if best is None:
        raise TrainingError(f"every configuration failed (first: {rows[0].error}); "
                            f"the reasons are in {out / 'results.csv'}. Fix the "
                            "grid (e.g. a smaller lr) and search again.")
    return 0


def _check_args(args) -> None:
    if args.cv < 2:
        raise ConfigError(f"--cv must be at least 2 folds, got {args.cv}. Pass "
                          "e.g. --cv 5.")
    if args.n_jobs == 0 or args.n_jobs < -1:
        raise ConfigError(f"--n-jobs must be a number of processes ≥ 1 (or -1 for "
                          f"one per core), got {args.n_jobs}. Pass e.g. --n-jobs 2.")
    if args.seed < 0:
        raise ConfigError(f"--seed must be an integer ≥ 0, got {args.seed}.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _where(args) -> str:
    if args.scheduler:
        return f"the Dask cluster at {args.scheduler}"
    if args.n_jobs == 1:
        return "this process"
    return "one process per core" if args.n_jobs == -1 else \
        f"{args.n_jobs} local processes"


def _refit(cfg, data, out: Path, best, metric: str) -> str:
    """Train the best configuration on every row, exactly as ``glassnet train``
    with these options would; save best.safetensors; return that command."""
    cfg = dataclasses.replace(cfg, layers=list(cfg.layers),
                              output=str(out / "best-run"))
    print(f"refitting the best configuration on all {data.n_samples} rows", flush=True)
    saved, loss, train_rows, val_rows = train_mod.prepare(cfg, data)
    t0 = time.perf_counter()
    history = train_mod.fit_rows(saved, cfg, data, train_rows, val_rows)
    took = time.perf_counter() - t0
    results = {"training": saved.model.evaluate(saved.transform(data.X[train_rows]),
                                                data.y[train_rows])}
    command = config_mod.to_command(cfg)
    info = train_mod.run_info(cfg, data, data.name or Path(cfg.data).stem, loss,
                              saved.model, history, results, command, took)
    info["search"] = {"metric": metric, "folds": len(best.scores),
                      "mean": best.mean, "std": best.std, "scores": best.scores}
    saved.save(out / "best.safetensors", info)
    return command


def _plot(rows, names, metric: str, higher: bool, out: Path) -> str | None:
    """The score against each option that takes more than one value."""
    params = {n: [r.params[n] for r in rows] for n in names}
    params = {n: v for n, v in params.items() if len(set(v)) > 1}
    if not params or all(r.error for r in rows):
        return None
    path = plots.plot_search(params, [r.mean for r in rows], [r.std for r in rows],
                             out / "plots" / "scores.png", metric, higher)
    return str(path.relative_to(out))


def _report(args, out, data, names, metric, higher, rows, best, best_command,
            plot, took) -> Path:
    files = {"results.csv": "one row per configuration: its options, the mean, "
             "standard deviation and every fold's score, fit time, any error"}
    if best is not None:
        files["best.safetensors"] = ("the best configuration trained on every row, "
                                     "with its scaler (glassnet predict reads it)")
    if plot:
        files[plot] = "the score against each option"
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return report_mod.write(out / "report.md", {
        "title": f"glassnet search: {data.name or args.data}",
        "when": when, "took_s": took, "version": glassnet.__version__,
        "where": f"{_count(len(rows), 'configuration')} × {args.cv} folds on "
                 f"{_where(args)}",
        "command": _command(args),
        "data": {"source": args.data, "rows": data.n_samples,
                 "features": data.n_features, "target": data.target_name,
                 "task": data.task, "folds": f"{args.cv} ("
                 f"{'stratified ' if data.task == 'classification' else ''}"
                 f"k-fold, seed {args.seed})"},
        "metric": metric, "higher_is_better": higher, "names": names,
        "rows": rows, "best": best, "best_command": best_command,
        "plot": plot, "files": files})


def _command(args) -> str:
    parts = ["glassnet", "search", args.data]
    for flag in ("target", "grid", "cv", "seed", "output", "n_jobs", "scheduler",
                 "missing"):
        value = getattr(args, flag)
        if value is not None:
            parts += ["--" + flag.replace("_", "-"), str(value)]
    if args.one_hot:
        parts.append("--one-hot")
    return shlex.join(parts)


def _print_outcome(out: Path, rows, best, metric: str, report: Path) -> None:
    failed = sum(1 for r in rows if r.error)
    if best is not None:
        options = "  ".join(f"{n.replace('_', '-')} {v}" for n, v in
                            best.params.items())
        print(f"\nbest: {options}  {metric} {best.mean:.4f} ± {best.std:.4f}")
    if failed:
        print(f"{failed} of {len(rows)} configurations failed (reasons in "
              "results.csv)")
    print(f"saved the search to {out}/")
    print(f"  results  {out / 'results.csv'}")
    if best is not None:
        print(f"  model    {out / 'best.safetensors'}")
    print(f"  report   {report}")
