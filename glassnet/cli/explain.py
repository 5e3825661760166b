"""``glassnet explain MODEL [DATA]``: the receipt of one prediction, one
gradient or one update (``glassnet.glassbox.explain``)."""

from __future__ import annotations

import numpy as np

from glassnet.cli.datasets import is_builtin, load_data_like
from glassnet.cli.saved import open_model
from glassnet.errors import ConfigError, DataError
from glassnet.glassbox import explain
from glassnet.io import ModelFile
from glassnet.layers import Conv2D


def run(args) -> int:
    saved = open_model(args.model)
    model = saved.model
    source = args.data or _training_data(saved)
    data = load_data_like(saved, source, None, args.seed,
                          builtin_only=args.data is None)
    if not 0 <= args.row < data.n_samples:
        raise ConfigError(f"--row must be in 0..{data.n_samples - 1} for {source}, "
                          f"got {args.row}. Pass e.g. --row 0.")
    x = saved.transform(data.X[args.row:args.row + 1])            # (1, F)
    y = None if data.y is None else data.y[args.row:args.row + 1]
    weight = _index(args.weight, "--weight", True) if args.weight else None
    neuron = _index(args.neuron, "--neuron", False) if args.neuron else None
    convs = [i for i, layer in enumerate(model.layers) if isinstance(layer, Conv2D)]
    if convs and weight is None:
        raise ConfigError(f"this model has Conv2D layers ({', '.join(map(str, convs))}"
                          "): its receipts are for kernel weights. Pass --weight "
                          f"{convs[0]},kernel,I,J,C,F (e.g. {convs[0]},kernel,1,1,0,0) "
                          f"or --weight {convs[0]},bias,F.")
    if weight is not None and y is None:
        raise DataError(f"{source} has no target column, and a gradient depends on "
                        "the target. Use a file with the target column, or --neuron.")
    if weight is not None:
        receipt = explain(model, x, y, weight=weight, update=args.update)
    else:
        receipt = explain(model, x, y, neuron=neuron or _output_neuron(model, x))
    names = saved.spec.feature_names
    print(f"row {args.row} of {source}, as in the file: "
          + _listing(names, data.X[args.row]))
    if saved.preprocessing:       # the receipt works on the model's inputs
        steps = " then ".join(_describe_step(s) for s in saved.preprocessing)
        print(f"model inputs x ({steps}): " + _listing(names, x[0]))
        print("the receipt below uses the model inputs x, not the file's values")
    print(receipt.text())
    return 0


def _describe_step(step) -> str:
    return {"StandardScaler": "standardised: x = (value − μ) / σ",
            "MinMaxScaler": "rescaled: x = lo + (value − min)·(hi − lo)/(max − min)",
            "OneHotEncoder": "one-hot encoded"}.get(type(step).__name__,
                                                    type(step).__name__)


def _index(text: str, flag: str, weight: bool) -> tuple:
    """'1,W,0,2' → (1, 'W', 0, 2); '1,3' → (1, 3)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        if weight:
            if len(parts) < 3 or parts[1] not in ("W", "b", "kernel", "bias"):
                raise ValueError
            return (int(parts[0]), parts[1], *map(int, parts[2:]))
        if len(parts) != 2:
            raise ValueError
        return int(parts[0]), int(parts[1])
    except ValueError:
        example = "1,W,0,2 (layer 1, W[0, 2]), 1,b,2 or 1,kernel,0,0,0,3 (a Conv2D " \
            "layer's K[0, 0, 0, 3])" if weight else \
            "1,0 (layer 1, unit 0)"
        raise ConfigError(f"{flag} {text!r} is not understood. Pass e.g. {flag} "
                          f"{example}; layers count from 0 as in 'glassnet summary'."
                          ) from None


def _output_neuron(model, x) -> tuple[int, int]:
    """(last Dense layer, the unit with the largest output for x)."""
    last = max(i for i, layer in enumerate(model.layers) if hasattr(layer, "units"))
    return last, int(np.argmax(model.predict(x)[0]))


def _training_data(saved: ModelFile) -> str:
    """The built-in dataset the model was trained on; a path written in the
    model file is never read (pass DATA for a CSV)."""
    data = saved.info.get("data", {})
    path = data.get("path")
    if data.get("source") == "builtin" and isinstance(path, str) \
            and is_builtin(path):
        return path
    named = f"the model file names {path!r}, but a path written in a model file " \
        "is not read; " if isinstance(path, str) else ""
    raise ConfigError(f"{named}pass DATA (a CSV file with the model's feature "
                      "columns) to choose the rows to explain, e.g. glassnet "
                      "explain MODEL new.csv --row 0.")


def _listing(names, values, first: int = 12) -> str:
    """name=value pairs, the first twelve (an image row has hundreds)."""
    pairs = [f"{n}={v:.4g}" for n, v in zip(names, values, strict=False)]
    return ", ".join(pairs[:first]) + (f", … ({len(pairs)} in all)"
                                       if len(pairs) > first else "")
