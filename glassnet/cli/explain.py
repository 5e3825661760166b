"""``glassnet explain MODEL [DATA]``: the receipt of one prediction, one
gradient or one update (``glassnet.glassbox.explain``)."""

from __future__ import annotations

import numpy as np

from glassnet.cli.datasets import load_data_like
from glassnet.cli.saved import open_model
from glassnet.errors import ConfigError, DataError
from glassnet.glassbox import explain
from glassnet.io import ModelFile
from glassnet.layers import Conv2D


def run(args) -> int:
    saved = open_model(args.model)
    model = saved.model
    source = args.data or _training_data(saved)
    data = load_data_like(saved, source, None, args.seed)
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
    values = [f"{n}={v:.4g}" for n, v in zip(saved.spec.feature_names,
                                             data.X[args.row], strict=True)]
    print(f"row {args.row} of {source}: " + ", ".join(values[:12])   # after any
          + (f", … ({len(values)} in all)" if len(values) > 12 else ""))  # error
    print(receipt.text())
    return 0


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
    data = saved.info.get("data", {})
    if data.get("source") == "builtin" and isinstance(data.get("path"), str):
        return data["path"]
    raise ConfigError("pass DATA (a CSV file with the model's feature columns) to "
                      "choose the rows to explain, e.g. glassnet explain MODEL "
                      "new.csv --row 0.")
