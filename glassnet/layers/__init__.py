"""Layers (``gn.layers``). ``LAYER_TYPES`` is the closed registry used to
rebuild saved models: a dict lookup only — nothing is ever imported or
looked up by a name that comes from a file."""

from glassnet.core.batchnorm import BatchNormalization
from glassnet.core.conv import Conv2D
from glassnet.core.dense import Dense
from glassnet.core.layer import Layer
from glassnet.core.pooling import (
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    MaxPool2D,
    MaxPooling2D,
)
from glassnet.core.rescale import Rescale
from glassnet.core.simple import Activation, Dropout, Flatten, Reshape
from glassnet.errors import ConfigError, expected
from glassnet.rnn import GRU, LSTM, SimpleRNN, TimeDistributed, pad_sequences

LAYER_TYPES: dict[str, type[Layer]] = {
    "Dense": Dense,
    "Activation": Activation,
    "Dropout": Dropout,
    "Flatten": Flatten,
    "SimpleRNN": SimpleRNN,
    "LSTM": LSTM,
    "GRU": GRU,
    "TimeDistributed": TimeDistributed,
    "Reshape": Reshape,
    "Conv2D": Conv2D,
    "MaxPool2D": MaxPool2D,
    "AvgPool2D": AvgPool2D,
    "GlobalAvgPool2D": GlobalAvgPool2D,
    "BatchNormalization": BatchNormalization,
    "Rescale": Rescale,
}



def layer_from_config(entry: dict) -> Layer:
    """Rebuild one layer from ``{"type": …, "config": …}`` (as in a model
    file); a wrapper's inner layer (``config["layer"]``) is rebuilt first."""
    kind = entry.get("type") if isinstance(entry, dict) else None
    if not isinstance(kind, str) or kind not in LAYER_TYPES:
        raise ConfigError(expected(f"a layer type in {sorted(LAYER_TYPES)}",
                                   repr(kind), "The file names a layer type "
                                   "this glassnet does not know."))
    cfg = entry.get("config", {})
    if not isinstance(cfg, dict):
        raise ConfigError(expected(f"a config dict for the {kind} layer",
                                   type(cfg).__name__, "Use get_config()."))
    if isinstance(cfg.get("layer"), dict):
        cfg = {**cfg, "layer": layer_from_config(cfg["layer"])}
    return LAYER_TYPES[kind].from_config(cfg)


__all__ = ["GRU", "LAYER_TYPES", "LSTM", "Activation", "Dense", "Dropout", "Flatten",
           "Layer", "Rescale", "SimpleRNN", "TimeDistributed", "layer_from_config",
           "pad_sequences"]
__all__ += ["AveragePooling2D", "AvgPool2D", "BatchNormalization", "Conv2D",
            "GlobalAveragePooling2D", "GlobalAvgPool2D", "MaxPool2D", "MaxPooling2D",
            "Reshape"]
