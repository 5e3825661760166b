"""The playground's controls: their names, allowed values and defaults.

Every change the page sends is checked here before it touches a network:
``apply_changes(settings, changes)`` returns new ``Settings`` or raises
``ConfigError`` with what was expected, what was received and how to fix it.
The names are the page's ``data-testid`` hooks (``learning-rate`` …) with
``_`` for ``-``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from glassnet.errors import ConfigError, expected

DATASETS = ("circles", "xor", "gauss", "spirals", "moons")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²",
                  "x1x2": "x₁x₂", "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "gelu",
               "silu", "softplus")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
REGULARIZATIONS = ("none", "l1", "l2")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0,
                  10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SPEEDS = (1, 2, 5, 10, 20, 50)   # epochs per update
MAX_LAYERS = 6       # hidden layers
MAX_NEURONS = 8      # neurons per hidden layer
MAX_UPLOAD_BYTES = 256 * 1024   # an uploaded CSV may not be larger


@dataclass(frozen=True)
class Settings:
    """Everything a person can set on the page (TensorFlow Playground's
    controls, with glassnet's optimizers and activations)."""

    dataset: str = "circles"          # one of DATASETS, or "csv" after an upload
    noise: float = 0.0                # 0 … 0.5 of the data's scale
    train_ratio: float = 0.5          # share of the points used for training
    data_seed: int = 0                # "regenerate" draws the next one
    features: tuple[str, ...] = ("x1", "x2")
    layers: tuple[int, ...] = (4, 2)  # neurons per hidden layer
    activation: str = "tanh"          # of the hidden layers; the output is sigmoid
    learning_rate: float = 0.03
    optimizer: str = "sgd"
    batch_size: int = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    speed: int = 1                    # epochs per update of the page

    def to_dict(self) -> dict:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


#: what must be rebuilt when a control changes: the data (and so the
#: network), the network alone, or nothing (applied to the live network)
REBUILDS_DATA = frozenset({"dataset", "noise", "train_ratio", "data_seed"})
REBUILDS_NETWORK = frozenset({"features", "layers", "activation"})
LIVE = frozenset({"learning_rate", "optimizer", "batch_size", "regularization",
                  "reg_rate", "speed"})


def apply_changes(settings: Settings, changes: dict) -> Settings:
    """``settings`` with ``changes`` ({control name: value}) checked and applied."""
    if not isinstance(changes, dict):
        raise ConfigError(expected("a JSON object of control changes",
                                   type(changes).__name__,
                                   'Send e.g. {"learning_rate": 0.1}.'))
    known = {f.name for f in fields(Settings)}
    clean = {}
    for name, value in changes.items():
        if name not in known:
            raise ConfigError(expected(f"a control in {sorted(known)}", repr(name),
                                       "Check the control's name."))
        clean[name] = _CHECKS[name](value)
    if clean.get("dataset") == "csv" and settings.dataset != "csv":
        raise ConfigError(expected(f"a dataset in {list(DATASETS)}", "'csv'",
                                   "Upload a CSV file to train on your own data."))
    return replace(settings, **clean)


# -- one check per control ----------------------------------------------------
def _choice(name: str, options: tuple):
    def check(value):
        if isinstance(value, bool) or value not in options:
            raise ConfigError(expected(f"{name} in {list(options)}", repr(value),
                                       f"Pick one of the {name} options."))
        return value
    return check


def _number(name: str, low: float, high: float):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value) or not low <= value <= high:
            raise ConfigError(expected(f"{name} as a number in [{low}, {high}]",
                                       repr(value), f"Send e.g. {name}={low}."))
        return float(value)
    return check


def _integer(name: str, low: int, high: int):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) \
                or not low <= value <= high:
            raise ConfigError(expected(f"{name} as an integer in [{low}, {high}]",
                                       repr(value), f"Send e.g. {name}={low}."))
        return int(value)
    return check


def _dataset(value):
    return value if value == "csv" else _choice("dataset", DATASETS)(value)


def _features(value):
    ok = isinstance(value, list) and value and len(set(value)) == len(value) \
        and all(v in FEATURES for v in value)
    if not ok:
        raise ConfigError(expected(f"a non-empty list of distinct features from "
                                   f"{list(FEATURES)}", repr(value),
                                   'Send e.g. features=["x1", "x2"].'))
    return tuple(v for v in FEATURES if v in value)   # the page's order


def _layers(value):
    ok = isinstance(value, list) and len(value) <= MAX_LAYERS and all(
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_NEURONS
        for v in value)
    if not ok:
        raise ConfigError(expected(f"up to {MAX_LAYERS} hidden layers of 1 to "
                                   f"{MAX_NEURONS} neurons, as a list", repr(value),
                                   "Send e.g. layers=[4, 2] (or [] for none)."))
    return tuple(value)


_CHECKS = {
    "dataset": _dataset,
    "noise": _number("noise", 0.0, 0.5),
    "train_ratio": _number("train_ratio", 0.1, 0.9),
    "data_seed": _integer("data_seed", 0, 2**31 - 1),
    "features": _features,
    "layers": _layers,
    "activation": _choice("activation", ACTIVATIONS),
    "learning_rate": _number("learning_rate", 1e-6, 10.0),
    "optimizer": _choice("optimizer", OPTIMIZERS),
    "batch_size": _integer("batch_size", 1, 100),
    "regularization": _choice("regularization", REGULARIZATIONS),
    "reg_rate": _number("reg_rate", 0.0, 10.0),
    "speed": _choice("speed", SPEEDS),
}


def choices() -> dict:
    """The options of every control, for the page to build its menus from."""
    return {"dataset": list(DATASETS), "features": list(FEATURES),
            "feature_labels": FEATURE_LABELS,
            "activation": list(ACTIVATIONS), "optimizer": list(OPTIMIZERS),
            "regularization": list(REGULARIZATIONS),
            "learning_rate": list(LEARNING_RATES), "reg_rate": list(REG_RATES),
            "speed": list(SPEEDS),
            "max_layers": MAX_LAYERS, "max_neurons": MAX_NEURONS,
            "max_upload_bytes": MAX_UPLOAD_BYTES,
            "defaults": Settings().to_dict()}
