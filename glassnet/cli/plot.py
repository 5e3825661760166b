"""``glassnet plot RUN``: draw a run's plots again (or an arena, or the
activation functions)."""

from __future__ import annotations

import json
from pathlib import Path

from glassnet import plots
from glassnet.cli.artifacts import make_plots
from glassnet.cli.datasets import load_data_like
from glassnet.cli.saved import open_model
from glassnet.errors import ConfigError, DataError, ModelFileError
from glassnet.files.regular import MAX_TEXT_BYTES, read_regular
from glassnet.train.history import History


def run(args) -> int:
    run_path = Path(args.run)
    if args.run == "activations":
        out = Path(args.output or ".") / "activations.png"
        print(f"wrote {plots.plot_activations(out)}")
        return 0
    if run_path.is_file() and run_path.suffix == ".json":
        curves = _read_json(run_path)
        if not isinstance(curves, dict) or not all(isinstance(v, list) for v in
                                                    curves.values()):
            raise DataError(f"{run_path} should hold {{optimizer name: [loss, …]}} "
                            "for an arena plot. Check the file.")
        out = Path(args.output or run_path.parent) / f"{run_path.stem}.png"
        print(f"wrote {plots.plot_optimizers(curves, out)}")
        return 0
    if not run_path.is_dir() or not (run_path / "model.safetensors").is_file():
        raise ModelFileError(f"{run_path} is not a run directory (no "
                             "model.safetensors in it). Pass the --output directory "
                             "of glassnet train, an arena .json file, or "
                             "'activations'.")
    return _redraw(run_path, args.output, getattr(args, "data", None))


def _redraw(run_path: Path, output: str | None, data_path: str | None) -> int:
    saved = open_model(run_path / "model.safetensors")
    history = None
    if (run_path / "history.json").is_file():
        history = History.from_dict(_read_json(run_path / "history.json"))
    X = y = None
    info = saved.info.get("data", {})
    source = data_path or info.get("path")
    if isinstance(source, str):
        seed = info.get("seed") if isinstance(info.get("seed"), int) else 0
        try:
            data = load_data_like(saved, source, None, seed,
                                  builtin_only=data_path is None)
            X, y = data.X, data.y
        except (DataError, ConfigError) as exc:
            if data_path is not None:
                raise
            print(f"(plots without data points: {exc})")
    done = make_plots(saved, Path(output or run_path / "plots"), history, X, y,
                      X, y, label=run_path.name, eval_rows="all rows")
    for title, path in done.items():
        print(f"{title:<36} {path}")
    return 0


def _read_json(path: Path):
    try:
        return json.loads(read_regular(path, "JSON file", MAX_TEXT_BYTES)
                          .decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} is not valid JSON ({exc}). Check the file.") \
            from None
