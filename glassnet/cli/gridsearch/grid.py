"""The grid file of ``glassnet search``: option names → lists of values.

TOML or JSON, keys are ``glassnet train`` option names (``-`` or ``_``), every
value a list; each combination of one value per key is a configuration:

    layers = [16, "32,16"]        # [16] and [32, 16]
    lr = [0.01, 0.1]
    activation = ["relu", "tanh"] # 2 × 2 × 2 = 8 configurations

A value is checked the way ``glassnet train`` checks its options (the same
``TrainConfig``, coercion and range checks in ``glassnet.cli.config``), so a
grid that ``glassnet train`` would refuse is refused before any training.
"""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path

from glassnet.cli import config as config_mod
from glassnet.cli.config import TrainConfig
from glassnet.errors import ConfigError

#: The options a configuration may vary. The others describe the data or the
#: run (data, target, seed, one-hot, missing, output, checkpoints) and are
#: given once, on the command line.
SEARCHABLE = ("layers", "activation", "loss", "optimizer", "lr", "epochs",
              "batch_size", "validation_split", "early_stopping", "standardize")
EXAMPLES = {"layers": '16, "32,16"', "activation": '"relu", "tanh"',
            "loss": '"auto"', "optimizer": '"adam", "sgd"', "lr": "0.01, 0.1",
            "epochs": "20, 40", "batch_size": "16, 32", "validation_split": "0.2",
            "early_stopping": "0, 5", "standardize": "true, false"}


def read_grid(path: str) -> dict[str, list]:
    """{option name: [values]} from a .toml or .json file, names checked."""
    raw = _load(path)
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"grid file {path} holds no options. Write e.g. "
                          "lr = [0.01, 0.1] (TOML) or {\"lr\": [0.01, 0.1]} (JSON).")
    grid = {}
    for key, values in raw.items():
        name = key.replace("-", "_")
        if name not in config_mod.FIELDS:
            raise ConfigError(f"grid file {path}: unknown option {key!r}. Use "
                              f"glassnet train's options: {_names(SEARCHABLE)}.")
        if name not in SEARCHABLE:
            raise ConfigError(f"grid file {path}: {key!r} is not searched; it is "
                              "the same for every configuration. Give it on the "
                              f"command line. Options a grid can vary: "
                              f"{_names(SEARCHABLE)}.")
        if not isinstance(values, list) or not values:
            raise ConfigError(f"grid file {path}: {key!r} must be a non-empty list "
                              f"of values, got {values!r}. Write e.g. {key} = "
                              f"[{_example(name)}].")
        grid[name] = values
    return grid


def configurations(grid: dict[str, list], base: dict, path: str = "the grid"
                   ) -> list[TrainConfig]:
    """One checked ``TrainConfig`` per combination, in grid order: the base
    settings (the command line's) with one value of each grid option."""
    configs = []
    for values in itertools.product(*grid.values()):
        combination = dict(zip(grid, values, strict=True))
        try:
            configs.append(config_mod.resolve(base, combination))
        except ConfigError as exc:
            raise ConfigError(f"grid file {path}, configuration {combination}: "
                              f"{exc}") from None
    return configs


def label(cfg: TrainConfig, names: list[str]) -> dict[str, str]:
    """The grid options of a configuration as text: {"layers": "32,16", …}."""
    return {name: value_text(getattr(cfg, name)) for name in names}


def value_text(value) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value)) or "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _load(path: str):
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"grid file {path} does not exist. Pass --grid a .toml "
                          "or .json file mapping options to lists of values.")
    try:
        if p.suffix.lower() == ".json":
            return json.loads(p.read_text(encoding="utf-8"))
        with open(p, "rb") as f:
            return tomllib.load(f)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        kind = "JSON" if p.suffix.lower() == ".json" else "TOML"
        raise ConfigError(f"grid file {path} is not valid {kind} ({exc}). Fix the "
                          "file (a .json name is read as JSON, any other as "
                          "TOML).") from None


def _names(names) -> str:
    return ", ".join(n.replace("_", "-") for n in names)


def _example(name: str) -> str:
    return EXAMPLES.get(name, "…")
