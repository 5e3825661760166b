"""Optimizers (``gn.optimizers``), resolved by name or passed as objects.

The updates are in ``glassnet.core.optim`` (SGD, momentum, Nesterov,
Adagrad, RMSprop) and ``glassnet.core.adam`` (Adam, AdamW).
"""

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
        return _REGISTRY[optimizer.lower()](**kwargs)
    raise ConfigError(expected(f"an optimizer name, one of {NAMES}", repr(optimizer),
                               "Check the spelling or pass gn.optimizers.Adam(...)."))


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
