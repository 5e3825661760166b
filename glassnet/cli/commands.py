"""The commands that use a saved model: evaluate, predict, summary, explain,
plus demo and plot."""

from __future__ import annotations

import csv
import importlib
import io
import json
import sys
from pathlib import Path

import numpy as np

from glassnet import metrics as metric_mod
from glassnet.cli.artifacts import confusion, make_plots
from glassnet.cli.bundle import load_bundle, load_data_like
from glassnet.errors import ConfigError, DataError, ModelFileError


# ------------------------------------------------------------------ evaluate
def evaluate(args) -> int:
    bundle = load_bundle(args.model)
    data = load_data_like(bundle, args.data, args.target, args.seed)
    if data.y is None:
        raise DataError(f"{args.data} has no target column "
                        f"{bundle.spec.target or ''!r}, so there is nothing to "
                        "compare with. Pass --target COLUMN, or use glassnet predict.")
    result = bundle.model.evaluate(bundle.transform(data.X), data.y)
    print(f"{args.model} on {args.data} ({data.n_samples} rows)")
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"  {k:<{width}}  {v:.4f}")
    if bundle.class_names:
        cm = confusion(bundle, data.X, data.y)
        print("\n" + format_confusion(cm, bundle.class_names))
        prf = metric_mod.precision_recall_f1(data.y, _predict_classes(bundle, data.X),
                                             len(bundle.class_names))
        print("\n" + _per_class(prf, bundle.class_names))
        if args.plot:
            from glassnet.plots import plot_confusion_matrix
            path = plot_confusion_matrix(cm, args.plot, bundle.class_names)
            print(f"\nwrote {path}")
    return 0


def _predict_classes(bundle, X) -> np.ndarray:
    return bundle.predict_proba(X).argmax(axis=1)


def format_confusion(cm: np.ndarray, names: list[str]) -> str:
    """The confusion matrix as aligned text: rows true, columns predicted."""
    labels = [str(n) for n in names]
    w = max(max(map(len, labels)), len(str(int(cm.max()))), 4)
    lines = ["confusion matrix (rows: true class, columns: predicted class)",
             " " * (w + 2) + " ".join(f"{n:>{w}}" for n in labels)]
    for name, row in zip(labels, cm, strict=True):
        lines.append(f"{name:>{w}}  " + " ".join(f"{int(c):>{w}}" for c in row))
    return "\n".join(lines)


def _per_class(prf: dict, names: list[str]) -> str:
    keys = ("precision", "recall", "f1")
    w = max(max(len(str(n)) for n in names), 5)
    lines = [f"{'class':<{w}}  " + "  ".join(f"{k:>9}" for k in keys)]
    for i, name in enumerate(names):
        lines.append(f"{str(name):<{w}}  " + "  ".join(f"{prf[k][i]:>9.4f}"
                                                     for k in keys))
    return "\n".join(lines)


# ------------------------------------------------------------------- predict
def predict(args) -> int:
    bundle = load_bundle(args.model)
    data = load_data_like(bundle, args.data, args.target, args.seed)
    model = bundle.model
    X = bundle.transform(data.X)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if bundle.class_names:
        P = model.predict_proba(X)                                # (n, K)
        names = bundle.class_names
        w.writerow(["prediction", *[f"prob_{c}" for c in names]])
        for row in P:
            w.writerow([names[int(row.argmax())], *map(_num, row)])
    else:
        Y = model.predict(X)                                      # (n, n_out)
        cols = ["prediction"] if Y.shape[1] == 1 else \
            [f"prediction_{i + 1}" for i in range(Y.shape[1])]
        w.writerow(cols)
        for row in Y:
            w.writerow(list(map(_num, row)))
    text = buf.getvalue()
    if args.output:
        from glassnet.files.atomic import atomic_write_bytes
        atomic_write_bytes(args.output, text.encode("utf-8"))
        print(f"wrote {data.n_samples} predictions to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _num(v) -> str:
    """Shortest text that reads back as the same float32/float64 value."""
    return str(v)


# ------------------------------------------------------------------- summary
def summary(args) -> int:
    from glassnet.io import read_safetensors

    bundle = load_bundle(args.model)
    _, meta = read_safetensors(bundle.path)
    info = bundle.info
    bundle.model.summary()
    spec = bundle.spec
    print(f"\nfile        {bundle.path}")
    print(f"format      {info.get('format')} v{info.get('format_version')}, written "
          f"by glassnet {info.get('library_version', '?')}")
    print(f"sha256      {meta.get('glassnet.sha256', '?')}")
    print(f"features    {', '.join(spec.feature_names)}")
    if spec.target:
        print(f"target      {spec.target} ({spec.task})")
    if bundle.class_names:
        print(f"classes     {', '.join(bundle.class_names)}")
    for step in bundle.steps:
        config, arrays = step.to_dict()
        stats = "  ".join(f"{k}=[{', '.join(f'{x:.4g}' for x in v[:6])}"
                          f"{', …' if len(v) > 6 else ''}]" for k, v in arrays.items())
        print(f"preprocess  {config.get('class')}  {stats}")
    training = info.get("training", {})
    if training.get("command"):
        print(f"trained by  {training['command']}")
    for split, values in training.get("results", {}).items():
        print(f"{split:<11} " + "  ".join(f"{k} {v:.4f}" for k, v in values.items()))
    return 0


# ------------------------------------------------------------------- explain
def _find_explain():
    import glassnet
    fn = getattr(glassnet, "explain", None)
    if fn is None:
        try:
            fn = getattr(importlib.import_module("glassnet.glassbox"), "explain", None)
        except ImportError:
            fn = None
    return fn


def explain(args) -> int:
    fn = _find_explain()
    if fn is None:
        raise ConfigError("glassnet explain needs the glass-box receipts "
                          "(glassnet.glassbox, gn.explain), which this installation "
                          "does not include yet. Update glassnet to a version with "
                          "glassnet.glassbox.")
    bundle = load_bundle(args.model)
    model = bundle.model
    source = args.data or _training_data(bundle)
    data = load_data_like(bundle, source, None, args.seed)
    if not 0 <= args.row < data.n_samples:
        raise ConfigError(f"--row must be in 0..{data.n_samples - 1} for {source}, "
                          f"got {args.row}. Pass e.g. --row 0.")
    x = bundle.transform(data.X[args.row:args.row + 1])           # (1, F)
    y = None if data.y is None else data.y[args.row:args.row + 1]
    weight = _index(args.weight, "--weight", True) if args.weight else None
    neuron = _index(args.neuron, "--neuron", False) if args.neuron else None
    if weight is not None and y is None:
        raise DataError(f"{source} has no target column, and a gradient depends on "
                        "the target. Use a file with the target column, or --neuron.")
    if weight is not None:
        receipt = fn(model, x, y, weight=weight, update=args.update)
    else:
        receipt = fn(model, x, y, neuron=neuron or _output_neuron(model, x))
    print(f"row {args.row} of {source}: " + ", ".join(    # after any bad-input error
        f"{n}={v:.4g}" for n, v in zip(bundle.spec.feature_names,
                                       data.X[args.row], strict=True)))
    print(receipt.text() if hasattr(receipt, "text") else str(receipt))
    return 0


def _index(text: str, flag: str, weight: bool) -> tuple:
    """'1,W,0,2' → (1, 'W', 0, 2); '1,3' → (1, 3)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        if weight:
            if len(parts) < 3 or parts[1] not in ("W", "b"):
                raise ValueError
            return (int(parts[0]), parts[1], *map(int, parts[2:]))
        if len(parts) != 2:
            raise ValueError
        return int(parts[0]), int(parts[1])
    except ValueError:
        example = "1,W,0,2 (layer 1, W[0, 2]) or 1,b,2" if weight else \
            "1,0 (layer 1, unit 0)"
        raise ConfigError(f"{flag} {text!r} is not understood. Pass e.g. {flag} "
                          f"{example}; layers count from 0 as in 'glassnet summary'."
                          ) from None


def _output_neuron(model, x) -> tuple[int, int]:
    """(last Dense layer, the unit with the largest output for x)."""
    last = max(i for i, layer in enumerate(model.layers) if hasattr(layer, "units"))
    return last, int(np.argmax(model.predict(x)[0]))


def _training_data(bundle) -> str:
    data = bundle.info.get("data", {})
    if data.get("source") == "builtin" and isinstance(data.get("path"), str):
        return data["path"]
    raise ConfigError("pass DATA (a CSV file with the model's feature columns) to "
                      "choose the rows to explain, e.g. glassnet explain MODEL "
                      "new.csv --row 0.")


# ---------------------------------------------------------------------- demo
def demo(args) -> int:
    try:
        demos = importlib.import_module("glassnet.demos")
    except ImportError:
        demos = None
    if demos is None or not callable(getattr(demos, "run", None)):
        raise ConfigError("glassnet demo needs glassnet.demos, which this "
                          "installation does not include yet. Try 'make demo' for "
                          "a training run instead.")
    names = list(getattr(demos, "DEMOS", {}))
    key = args.name.strip().lower().replace("_", "-")
    if names and key not in names:
        raise ConfigError(f"there is no demo {args.name!r}. Choose one of: "
                          f"{', '.join(names)}.")
    if args.plot and key not in PLOTTED_DEMOS:
        raise ConfigError(f"demo {key!r} has no plot; --plot works with "
                          f"{' and '.join(PLOTTED_DEMOS)}. Drop --plot.")
    result = demos.run(key, fast=args.fast)
    if args.plot:
        _plot_demo(key, result, Path(args.plot))
    return 0


PLOTTED_DEMOS = ("optimizers", "activations")


def _plot_demo(key: str, result: dict, path: Path) -> None:
    from glassnet import plots
    from glassnet.files.atomic import atomic_write_bytes

    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    if key == "activations":
        print(f"\nwrote {plots.plot_activations(path)}")
        return
    curves = {k: [float(v) for v in c] for k, c in result["curves"].items()}
    data = path.with_suffix(".json")
    atomic_write_bytes(data, json.dumps(curves).encode("utf-8"))
    print(f"\nwrote {plots.plot_optimizers(curves, path)} (curves in {data}; "
          f"redraw with: glassnet plot {data})")


# ---------------------------------------------------------------------- plot
def plot(args) -> int:
    from glassnet import plots
    from glassnet.history import History

    run = Path(args.run)
    if args.run == "activations":
        out = Path(args.output or ".") / "activations.png"
        print(f"wrote {plots.plot_activations(out)}")
        return 0
    if run.is_file() and run.suffix == ".json":
        curves = _read_json(run)
        if not isinstance(curves, dict) or not all(isinstance(v, list) for v in
                                                    curves.values()):
            raise DataError(f"{run} should hold {{optimizer name: [loss, …]}} for "
                            "an arena plot. Check the file.")
        out = Path(args.output or run.parent) / f"{run.stem}.png"
        print(f"wrote {plots.plot_optimizers(curves, out)}")
        return 0
    if not run.is_dir() or not (run / "model.safetensors").is_file():
        raise ModelFileError(f"{run} is not a run directory (no model.safetensors in "
                             "it). Pass the --output directory of glassnet train, "
                             "an arena .json file, or 'activations'.")
    bundle = load_bundle(run / "model.safetensors")
    history = None
    if (run / "history.json").is_file():
        history = History.from_dict(_read_json(run / "history.json"))
    X = y = None
    source = bundle.info.get("data", {}).get("path")
    if isinstance(source, str):
        try:
            data = load_data_like(bundle, source, None,
                                  bundle.info.get("data", {}).get("seed", 0))
            X, y = data.X, data.y
        except (DataError, ConfigError):
            print(f"(training data {source} not found: plots without data points)")
    done = make_plots(bundle, Path(args.output or run / "plots"), history, X, y,
                      X, y, label=run.name, eval_rows="all rows")
    for title, path in done.items():
        print(f"{title:<36} {path}")
    return 0


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} is not valid JSON ({exc}). Check the file.") \
            from None
