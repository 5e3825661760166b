"""glassnet — neural networks you can see through.

NumPy multilayer perceptrons (and recurrent networks) with forward and
backward passes written by hand, and every number they compute explainable.

The names a user types are here; the rest lives in submodules:
``gn.layers``, ``gn.activations``, ``gn.losses``, ``gn.optimizers``,
``gn.initializers``, ``gn.regularizers``, ``gn.callbacks``, ``gn.schedules``,
``gn.metrics``, ``gn.data``, ``gn.io``, ``gn.glassbox``, ``gn.demos``.
The engine itself is ``glassnet.core`` (layers, math, the network) and
``glassnet.train`` (the loop); ``docs/ARCHITECTURE.md`` maps them.
"""

from glassnet import (
    activations,
    callbacks,
    data,
    demos,
    glassbox,
    initializers,
    io,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
    schedules,
)
from glassnet.data import (
    KFold,
    MinMaxScaler,
    StandardScaler,
    StratifiedKFold,
    cross_validate,
    load_builtin,
    load_csv,
    load_csv_features,
    load_mnist,
    train_test_split,
    train_val_test_split,
)
from glassnet.errors import (
    ConfigError,
    DataError,
    GlassnetError,
    ModelFileError,
    ShapeError,
    TrainingError,
)
from glassnet.glassbox import diagnose, doctor, explain, find_lr, trace, tracing
from glassnet.gradcheck import gradcheck
from glassnet.io import load_model as load
from glassnet.layers import (
    GRU,
    LSTM,
    Activation,
    AveragePooling2D,
    AvgPool2D,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    MaxPool2D,
    MaxPooling2D,
    Rescale,
    Reshape,
    SimpleRNN,
    TimeDistributed,
    pad_sequences,
)
from glassnet.model import Sequential
from glassnet.perceptron import Perceptron
from glassnet.train.history import History

__version__ = "0.1.0"

__all__ = [
    "GRU", "LSTM", "Activation", "ConfigError", "DataError", "Dense", "Dropout",
    "Flatten", "GlassnetError", "History", "KFold", "MinMaxScaler", "ModelFileError",
    "Perceptron", "Rescale", "Sequential", "ShapeError", "SimpleRNN", "StandardScaler",
    "StratifiedKFold", "TimeDistributed", "TrainingError", "activations",
    "callbacks", "cross_validate", "data", "demos", "diagnose", "doctor", "explain",
    "find_lr", "glassbox", "gradcheck", "initializers", "io", "layers", "load",
    "load_builtin", "load_csv", "load_csv_features", "load_mnist", "losses",
    "metrics", "optimizers", "pad_sequences", "regularizers", "schedules", "trace",
    "tracing", "train_test_split", "train_val_test_split",
]
__all__ += ["AveragePooling2D", "AvgPool2D", "BatchNormalization", "Conv2D",
            "GlobalAveragePooling2D", "GlobalAvgPool2D", "MaxPool2D", "MaxPooling2D",
            "Reshape"]
