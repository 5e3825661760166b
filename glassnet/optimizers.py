"""Optimizers (``gn.optimizers``), resolved by name or passed as objects.

The updates are in ``glassnet.core.optim`` (SGD, momentum, Nesterov,
Adagrad, RMSprop) and ``glassnet.core.adam`` (Adam, AdamW).
"""

import difflib
import inspect

from glassnet.core.adam import Adam, AdamW
from glassnet.core.optim import (
    SGD,
    Adagrad,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
)
from glassnet.errors import ConfigError, expected

_REGISTRY: dict[str, type[Optimizer]] = {
    "sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "nag": Nesterov,
    "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW,
}
NAMES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]


def get(optimizer, **kwargs) -> Optimizer:
    """Resolve ``"adam"`` or an Optimizer object (kwargs go to the constructor)."""
    if isinstance(optimizer, Optimizer):
        if kwargs:
            raise ConfigError(expected(
                "hyperparameters inside the optimizer object", f"{sorted(kwargs)} "
                f"beside {optimizer!r}", "Pass them to the constructor, e.g. "
                "gn.optimizers.Adam(learning_rate=0.01), or name it: "
                "compile(optimizer='adam', learning_rate=0.01)."))
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in _REGISTRY:
        cls = _REGISTRY[optimizer.lower()]
        _check_names(cls, kwargs)
        return cls(**kwargs)
    raise ConfigError(expected(f"an optimizer name, one of {NAMES}", repr(optimizer),
                               "Check the spelling or pass gn.optimizers.Adam(...)."))


#: names other libraries use for the same hyperparameter
_ALIASES = {"lr": "learning_rate", "eta": "learning_rate",
            "clipnorm": "global_clipnorm", "beta1": "beta_1", "beta2": "beta_2",
            "eps": "epsilon"}


def _check_names(cls: type[Optimizer], kwargs: dict) -> None:
    """Unknown keyword arguments: a ConfigError naming the one meant."""
    known = []
    for klass in cls.__mro__:           # keyword arguments passed up to the base
        init = vars(klass).get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        known += [p.name for p in params if p.name != "self" and p.name not in known
                  and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    for name, value in kwargs.items():
        if name in known:
            continue
        guess = _ALIASES.get(name) or next(iter(difflib.get_close_matches(
            name, known, n=1)), None)
        hint = f"Did you mean {guess}={value!r}?" if guess in known else \
            f"{cls.__name__} takes {', '.join(known)}."
        raise ConfigError(expected(f"hyperparameters of {cls.__name__}",
                                   f"{name}={value!r}", hint))


def from_config(config: dict) -> Optimizer:
    name = config.get("name") if isinstance(config, dict) else None
    if name not in _REGISTRY:
        raise ConfigError(expected("a known optimizer", repr(name), f"Use {NAMES}."))
    kwargs = {k: v for k, v in config.items() if k != "name"}
    if name in ("momentum", "nesterov"):
        kwargs.pop("nesterov", None)
    return _REGISTRY[name](**kwargs)


__all__ = ["NAMES", "SGD", "Adagrad", "Adam", "AdamW", "Momentum", "Nesterov",
           "Optimizer", "RMSprop", "from_config", "get"]
