"""``glassnet train``: data → model → fit → model file, history, plots, report.

Reads top to bottom like the run it performs:
  1. resolve the configuration (defaults < --config TOML < flags) and print it;
  2. load the data, split off validation rows (stratified for classes), fit
     the StandardScaler on the training rows only;
  3. build and compile the network (``network.py``), then fit with a
     progress bar;
  4. save model.safetensors (with scaler, feature spec, class names), the
     history (CSV and JSON), the plots and report.md; print where they are.
"""

from __future__ import annotations

import datetime
import re
import shlex
import time
from pathlib import Path

import numpy as np

import glassnet
from glassnet import losses as loss_mod
from glassnet.cli import config as config_mod
from glassnet.cli.artifacts import make_plots
from glassnet.cli.datasets import is_builtin, load_training_data, spec_for
from glassnet.cli.network import (  # noqa: F401 - re-exported, moved there
    CLASSIFICATION_LOSSES,
    REGRESSION_LOSSES,
    _arch,
    build_model,
    conv_blocks,
)
from glassnet.data import Dataset, StandardScaler, split_indices
from glassnet.errors import ConfigError
from glassnet.files.atomic import atomic_write_bytes
from glassnet.io import ModelFile, read_checkpoint
from glassnet.model import Sequential
from glassnet.report import write_report
from glassnet.train.history import History
from glassnet.train.monitors import EarlyStopping


def run(args) -> int:
    toml = config_mod.read_toml(args.config) if args.config else {}
    flags = {name: getattr(args, name, None) for name in config_mod.FIELDS}
    for name in ("layers", "conv"):
        if flags.get(name) is not None:
            flags[name] = config_mod.parse_layers(flags[name])
    cfg = config_mod.resolve(toml, flags)
    data = load_training_data(cfg)
    name = data.name = run_name(data.name or Path(cfg.data).stem)
    cfg.output = cfg.output or str(Path("runs") / name)
    out = Path(cfg.output)
    classify = data.task == "classification"

    saved, loss, train_rows, val_rows = prepare(cfg, data)
    model = saved.model
    _print_plan(cfg, data, model, train_rows, val_rows)

    check_output_dir(out, model)       # before training, not after every epoch
    history, results, took = _fit(args, cfg, saved, data, train_rows, val_rows, out)
    command = config_mod.to_command(cfg)
    files = _save(saved, out, cfg, history, run_info(
        cfg, data, name, loss, model, history, results, command, took))
    plots = {}
    if not args.no_plots:
        Xe, ye = (data.X[val_rows], data.y[val_rows]) if len(val_rows) else \
            (data.X[train_rows], data.y[train_rows])
        plots = make_plots(saved, out / "plots", history, data.X[train_rows],
                           data.y[train_rows], Xe if classify else None,
                           ye if classify else None, label=name,
                           eval_rows="validation rows" if len(val_rows) else
                           "training rows")
    report = _report(out, cfg, data, model, history, results, plots, files,
                     command, took)
    print(f"\nsaved the run to {out}/")
    print(f"  model    {out / 'model.safetensors'}")
    print(f"  report   {report}")
    print(f"  history  {out / 'history.csv'}, {out / 'history.json'}")
    if plots:
        names = ", ".join(p.name for p in plots.values())
        print(f"  plots    {out / 'plots'}/ ({names})")
    print(f"try: glassnet summary {shlex.quote(str(out / 'model.safetensors'))}")
    return 130 if history.interrupted else 0


def run_name(stem: str) -> str:
    """A folder name under runs/ from a file or dataset name: letters, digits,
    '.', '-' and '_' only, never '.', '..' or hidden, so a CSV named
    '...csv' cannot put its run (and overwrite files) outside runs/."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).lstrip(".")
    return safe or "data"


def check_output_dir(out: Path, model: Sequential) -> None:
    """Create the run directory and write (then remove) a file the size of the
    model file in it: a read-only folder or a full disk stops the run here,
    before training, with the error naming the file."""
    out.mkdir(parents=True, exist_ok=True)
    probe = out / ".glassnet-write-check"
    size = min(sum(w.nbytes for w in model.get_weights()) + (64 << 10), 256 << 20)
    try:
        atomic_write_bytes(probe, bytes(size))
    finally:
        probe.unlink(missing_ok=True)


def _print_plan(cfg, data: Dataset, model: Sequential, train_rows: np.ndarray,
                val_rows: np.ndarray) -> None:
    """The data, the resolved configuration and the network, before training."""
    print(f"glassnet train: {_describe_data(data, len(train_rows), len(val_rows))}")
    print(config_mod.describe(cfg))
    if len(train_rows) < cfg.batch_size:
        print(f"  (batch-size {cfg.batch_size} is more than the {len(train_rows)} "
              f"training rows: using {len(train_rows)})")
    print(f"model: {_arch(model)}  ({model.count_params():,} parameters)",
          flush=True)


def _fit(args, cfg, saved: ModelFile, data: Dataset, train_rows: np.ndarray,
         val_rows: np.ndarray, out: Path) -> tuple[History, dict, float]:
    """Fit on the transformed training rows; (history, results, seconds)."""
    model = saved.model
    ckpt = out / "checkpoint.safetensors"
    if args.resume and ckpt.is_file():
        pos = read_checkpoint(ckpt)["position"]
        print(f"resuming from {ckpt}: epoch {pos['epoch'] + 1}, batch {pos['batch']}"
              f" (of {pos['end_epoch']} epochs)")
    t0 = time.perf_counter()
    try:
        history = fit_rows(saved, cfg, data, train_rows, val_rows,
                           verbose=0 if args.quiet else 1,
                           checkpoint=ckpt if cfg.checkpoint else None,
                           checkpoint_every=cfg.checkpoint_every or None,
                           resume=bool(args.resume))
    except KeyboardInterrupt:     # Ctrl-C: save what was trained, then exit 130
        if model.history is None or not len(model.history.epoch):
            raise
        history = model.history
        print(f"interrupted after {len(history.epoch)} epoch(s): saving the run "
              "so far" + (" (--resume continues it)" if cfg.checkpoint else ""))
    took = time.perf_counter() - t0

    results = {"training": model.evaluate(saved.transform(data.X[train_rows]),
                                          data.y[train_rows])}
    if len(val_rows):
        results["validation"] = model.evaluate(saved.transform(data.X[val_rows]),
                                               data.y[val_rows])
    for split, values in results.items():
        print(f"final {split}: " + "  ".join(f"{k} {v:.4f}" for k, v in
                                              values.items()))
    return history, results, took


def prepare(cfg, data: Dataset) -> tuple[ModelFile, loss_mod.Loss, np.ndarray,
                                         np.ndarray]:
    """Everything before the first batch: (model file, loss, training rows,
    validation rows). Standardising defaults to yes for CSV files and no for
    built-ins (recorded in ``cfg``); validation rows are split off (stratified
    for classes); the StandardScaler is fitted on the training rows only."""
    if cfg.standardize is None:
        cfg.standardize = data.spec is not None
    train_rows, val_rows = _split(data, cfg, data.task == "classification")
    steps = [StandardScaler().fit(data.X[train_rows])] if cfg.standardize else []
    model, loss = build_model(cfg, data, train_rows)
    saved = ModelFile(model, preprocessing=steps, spec=spec_for(data))
    return saved, loss, train_rows, val_rows


def fit_rows(saved: ModelFile, cfg, data: Dataset, train_rows: np.ndarray,
             val_rows: np.ndarray, verbose: int = 0, **checkpointing) -> History:
    """``model.fit`` on the transformed training rows, validated on the
    validation rows (early stopping watches their loss when asked)."""
    Xt, yt = saved.transform(data.X[train_rows]), data.y[train_rows]
    val = None
    if len(val_rows):
        val = (saved.transform(data.X[val_rows]), data.y[val_rows])
    callbacks = [EarlyStopping("val_loss", patience=cfg.early_stopping)] \
        if cfg.early_stopping else []
    return saved.model.fit(
        Xt, yt, epochs=cfg.epochs, batch_size=min(cfg.batch_size, len(train_rows)),
        validation_data=val, seed=cfg.seed, callbacks=callbacks, verbose=verbose,
        **checkpointing)


def run_info(cfg, data: Dataset, name: str, loss, model: Sequential,
              history: History, results: dict, command: str, took: float) -> dict:
    """What the model file records about the data and the training run."""
    return {
        "data": {"source": "builtin" if data.spec is None else "csv",
                 "name": name, "path": cfg.data, "seed": cfg.seed,
                 "n_samples": data.n_samples, "target": data.target_name,
                 "task": data.task},
        "training": {"config": cfg.as_dict(), "command": command,
                     "loss": loss.get_config(),
                     "optimizer": model.optimizer.get_config(),
                     "metrics": [n for n, _ in model.metrics],
                     "epochs_run": len(history.epoch),
                     "stopped": history.stopped_reason,
                     "results": results, "seconds": round(took, 3)},
    }


def _split(data, cfg, classify: bool) -> tuple[np.ndarray, np.ndarray]:
    n = data.n_samples
    if not cfg.validation_split:
        return np.arange(n), np.arange(0)
    if n < 4:
        raise ConfigError(f"{n} rows are too few to hold out validation rows. Pass "
                          "--validation-split 0, or add rows.")
    return split_indices(n, cfg.validation_split, y=data.y if classify else None,
                         stratify=classify, seed=cfg.seed)


def _describe_data(data, n_train: int, n_val: int) -> str:
    source = "built-in dataset" if data.spec is None else "CSV file"
    text = (f"{source} {data.name!r}: {data.n_samples} rows × {data.n_features} "
            f"features, target {data.target_name!r} ")
    if data.image_shape is not None:
        text = (f"image set {data.name!r}: {data.n_samples} images of "
                f"{'×'.join(map(str, data.image_shape))} (one row of "
                f"{data.n_features} pixels each, 0..1), target {data.target_name!r} ")
    if data.task == "classification":
        names = ", ".join(data.class_names[:10]) + (", …" if data.n_classes > 10
                                                     else "")
        text += f"({data.n_classes} classes: {names})"
    else:
        text += "(regression)"
    return text + f"; {n_train} training rows, {n_val} validation rows"


def _features(data) -> str:
    if data.image_shape is not None:
        return (f"{data.n_features} pixels ({'×'.join(map(str, data.image_shape))} "
                "images, scaled to 0..1)")
    return ", ".join(data.feature_names)


def _save(saved: ModelFile, out: Path, cfg, history: History, extra: dict
          ) -> dict[str, str]:
    saved.save(out / "model.safetensors", extra)
    history.to_csv(out / "history.csv")
    history.to_json(out / "history.json")
    atomic_write_bytes(out / "config.toml", config_mod.to_toml(cfg).encode())
    files = {"model.safetensors": "the network with its scaler, feature spec and "
             "class names (glassnet predict applies them; glassnet.load(path) in "
             "Python gives the network)",
             "history.csv": "loss and metrics per epoch",
             "history.json": "the same, as JSON",
             "config.toml": "the resolved configuration (glassnet train --config)"}
    if cfg.checkpoint:
        files["checkpoint.safetensors"] = "the last checkpoint (--resume continues)"
    return files


def _report(out: Path, cfg, data, model, history, results, plots, files, command,
            took: float) -> Path:
    metrics = list(results["training"])
    table = {m: (results["training"][m], results.get("validation", {}).get(m, "—"))
             for m in metrics}
    model_path = shlex.quote(str(out / "model.safetensors"))
    new = "NEW.csv" if data.spec is not None else data.name
    next_steps = [f"glassnet summary {model_path}",
                  f"glassnet predict {model_path} {new} --output predictions.csv"]
    if data.spec is not None:
        next_steps.insert(1, f"glassnet evaluate {model_path} TEST.csv")
    else:
        next_steps.insert(1, f"glassnet evaluate {model_path} {data.name} --seed 1")
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return write_report(out / "report.md", {
        "title": f"glassnet run: {data.name}",
        "command": command, "when": when, "duration_s": took,
        "version": glassnet.__version__,
        "data": {"source": cfg.data + (" (built-in)" if is_builtin(cfg.data) and
                                       data.spec is None else ""),
                 "rows": data.n_samples, "features": _features(data),
                 "target": data.target_name, "task": data.task,
                 "classes": ", ".join(data.class_names or []) or "—",
                 "standardized": "yes (StandardScaler on the training rows)"
                 if cfg.standardize else "no"},
        "config": {k.replace("_", "-"): v for k, v in cfg.as_dict().items()},
        "summary": model.summary(print_fn=None),
        "results": table, "epochs_run": len(history.epoch),
        "stopped": history.stopped_reason,
        "plots": {t: str(p.relative_to(out)) for t, p in plots.items()},
        "files": files, "next_steps": next_steps,
    })
