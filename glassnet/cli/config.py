"""The training configuration of ``glassnet train``: one dataclass.

Values are resolved in this order, later winning:

    the defaults below  <  a TOML file (--config run.toml)  <  command-line flags

A TOML file uses the flag names, with ``-`` or ``_``:

    data = "circles"
    layers = [16, 8]
    epochs = 40
    batch-size = 32
"""

from __future__ import annotations

import math
import shlex
import tomllib
from dataclasses import asdict, dataclass, field, fields

from glassnet import activations, losses, optimizers
from glassnet.data.features import MISSING_POLICIES
from glassnet.errors import ConfigError
from glassnet.files.regular import MAX_TEXT_BYTES, read_regular


@dataclass
class TrainConfig:
    data: str = ""                    # a built-in dataset name or a CSV file
    target: str | None = None         # CSV column to predict (default: the last)
    layers: list[int] = field(default_factory=lambda: [16])  # hidden layer sizes
    conv: list[int] = field(default_factory=list)  # image data: Conv2D filters per
    #   block, each Conv2D(F, 3×3, activation) → MaxPool2D(2), before --layers
    activation: str = "relu"          # activation of the hidden layers
    loss: str = "auto"                # auto: cross-entropy (classes) or mse
    optimizer: str = "adam"
    lr: float = 0.01                  # learning rate η
    epochs: int = 20
    batch_size: int = 32
    validation_split: float = 0.2     # share of rows held out; 0 = none
    early_stopping: int = 0           # patience in epochs; 0 = off
    seed: int = 0                     # one seed for init, split and shuffling
    standardize: bool | None = None   # None: yes for CSV files, no for built-ins
    standardize_target: bool = True   # regression: train on (y − μ)/σ (Rescale)
    one_hot: bool = False             # one-hot encode non-numeric CSV columns
    missing: str = "error"            # missing CSV cells: error|drop|mean|median|…
    output: str = ""                  # run directory (default runs/<data name>)
    checkpoint: bool = False          # write OUTPUT/checkpoint.safetensors
    checkpoint_every: int = 0         # also every N batches (implies checkpoint)

    def as_dict(self) -> dict:
        return asdict(self)


FIELDS = {f.name: f for f in fields(TrainConfig)}


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def read_toml(path: str) -> dict:
    """The TOML file's settings, keys normalised to field names, checked."""
    data = read_regular(path, "config file", MAX_TEXT_BYTES, ConfigError)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not UTF-8 text ({exc.reason} at "
                          f"byte {exc.start}). Save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML ({exc}). Fix the "
                          "file; see 'glassnet train --help' for the keys.") from None
    if isinstance(raw.get("train"), dict) and len(raw) == 1:
        raw = raw["train"]  # a [train] table is accepted too
    values = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in FIELDS:
            raise ConfigError(f"config file {path}: unknown key {key!r}. Valid keys: "
                              f"{', '.join(k.replace('_', '-') for k in FIELDS)}.")
        values[name] = value
    return values


def resolve(toml_values: dict, flag_values: dict) -> TrainConfig:
    """Defaults < TOML < flags; then check every value."""
    cfg = TrainConfig()
    for source in (toml_values, {k: v for k, v in flag_values.items()
                                 if v is not None}):
        for name, value in source.items():
            setattr(cfg, name, _coerce(name, value))
    check(cfg)
    return cfg


def parse_layers(text: str) -> list[int]:
    """'128,64' → [128, 64]; 'none' → [] (no hidden layer)."""
    text = text.strip()
    if text.lower() == "none":
        return []
    if not text:
        raise ConfigError("--layers is empty. Pass sizes such as --layers 128,64, "
                          "or --layers none for no hidden layer.")
    try:
        return [int(part) for part in text.replace(" ", "").split(",")]
    except ValueError:
        raise ConfigError(f"--layers expects comma-separated sizes, got {text!r}. "
                          "Pass e.g. --layers 128,64.") from None


def _coerce(name: str, value):
    """Check a value's type (TOML can hold anything) and normalise it."""
    kind = FIELDS[name].type
    bad = ConfigError(f"{flag(name)} (config key {name.replace('_', '-')!r}) has "
                      f"the wrong type: {value!r}. Expected {kind}.")
    if name in ("layers", "conv"):
        if isinstance(value, str):
            return parse_layers(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return [value]
        if isinstance(value, list) and all(isinstance(v, int) and not isinstance(
                v, bool) for v in value):
            return list(value)
        raise bad
    if "bool" in kind:
        if isinstance(value, bool) or (value is None and "None" in kind):
            return value
        raise bad
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise bad
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise bad
    if isinstance(value, str):
        return value
    if value is None and "None" in kind:
        return None
    raise bad


def check(cfg: TrainConfig) -> None:
    """Range checks, phrased for the command line."""
    def need(ok: bool, name: str, what: str, example: str) -> None:
        if not ok:
            raise ConfigError(f"{flag(name)} must be {what}, got "
                              f"{getattr(cfg, name)!r}. Pass e.g. {flag(name)} "
                              f"{example}.")
    if not cfg.data:
        raise ConfigError("DATA is missing: pass a built-in dataset name or a CSV "
                          "file, e.g. glassnet train circles (or data = \"...\" in "
                          "the --config file).")
    need(all(n > 0 for n in cfg.layers), "layers", "positive sizes ('none' for "
         "no hidden layer)", "128,64")
    need(all(n > 0 for n in cfg.conv), "conv", "positive filter counts", "32,64")
    need(math.isfinite(cfg.lr) and cfg.lr > 0, "lr", "a positive number", "0.01")
    need(cfg.epochs > 0, "epochs", "a positive integer", "20")
    need(cfg.batch_size > 0, "batch_size", "a positive integer", "32")
    need(0 <= cfg.validation_split < 1, "validation_split", "in [0, 1)", "0.2")
    need(cfg.early_stopping >= 0, "early_stopping", "a patience ≥ 0 epochs", "5")
    need(cfg.seed >= 0, "seed", "an integer ≥ 0", "0")
    need(cfg.checkpoint_every >= 0, "checkpoint_every", "a number of batches ≥ 0",
         "100")
    need(cfg.missing in MISSING_POLICIES, "missing",
         f"one of {', '.join(MISSING_POLICIES)}", "drop")
    for name, module in (("activation", activations), ("optimizer", optimizers)):
        try:
            module.get(getattr(cfg, name))
        except ConfigError:
            raise ConfigError(f"{flag(name)} {getattr(cfg, name)!r} is not known. "
                              f"Use one of: {', '.join(module.NAMES)}.") from None
    if cfg.loss != "auto":
        try:
            losses.get(cfg.loss)
        except ConfigError:
            raise ConfigError(f"--loss {cfg.loss!r} is not known. Use auto or one "
                              f"of: {', '.join(losses.NAMES)}.") from None
    if cfg.early_stopping and not cfg.validation_split:
        raise ConfigError("--early-stopping watches the validation loss, so it needs "
                          "--validation-split > 0. Pass e.g. --validation-split 0.2.")
    if cfg.checkpoint_every:
        cfg.checkpoint = True


def to_command(cfg: TrainConfig) -> str:
    """The ``glassnet train`` command line that reproduces this configuration."""
    default = TrainConfig()
    parts = ["glassnet", "train", cfg.data]
    for name in FIELDS:
        value = getattr(cfg, name)
        if name == "data" or (value == getattr(default, name) and name not in (
                "layers", "epochs", "seed", "output")):
            continue
        if name in ("layers", "conv"):
            parts += [flag(name), ",".join(map(str, value)) or "none"]
        elif name == "standardize":
            parts.append("--standardize" if value else "--no-standardize")
        elif name == "standardize_target":
            parts.append("--standardize-target" if value else
                         "--no-standardize-target")
        elif isinstance(value, bool):
            if value:
                parts.append(flag(name))
        elif value is not None:
            parts += [flag(name), _fmt(value)]
    return shlex.join(parts)


def to_toml(cfg: TrainConfig) -> str:
    """The resolved configuration as a TOML file for --config."""
    lines = ["# glassnet train --config this-file  (flags given on the command",
             "# line override these values)"]
    for name, value in cfg.as_dict().items():
        if value is None:
            continue
        key = name.replace("_", "-")
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list):
            text = "[" + ", ".join(map(str, value)) + "]"
        elif isinstance(value, str):
            text = _toml_str(value)
        else:
            text = _fmt(value)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _toml_str(s: str) -> str:
    escaped = s.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def describe(cfg: TrainConfig) -> str:
    """Aligned 'key  value' lines for the start of a run."""
    width = max(len(k) for k in FIELDS)
    out = []
    for name, value in cfg.as_dict().items():
        if name in ("layers", "conv"):
            value = ", ".join(map(str, value)) or "(none)"
        out.append(f"  {name.replace('_', '-'):<{width}}  {value}")
    return "\n".join(out)
