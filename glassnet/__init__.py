"""glassnet — neural networks you can see through.

NumPy multilayer perceptrons (and recurrent networks) with forward and
backward passes written by hand, and every number they compute explainable.
"""

from glassnet import (
    activations,
    callbacks,
    data,
    demos,
    glassbox,
    initializers,
    losses,
    metrics,
    optimizers,
    regularizers,
    schedules,
)
from glassnet.data import (
    BatchIterator,
    Dataset,
    KFold,
    LabelEncoder,
    MinMaxScaler,
    OneHotEncoder,
    StandardScaler,
    StratifiedKFold,
    cross_validate,
    load_builtin,
    load_csv,
    load_csv_features,
    load_mnist,
    to_categorical,
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
from glassnet.history import History
from glassnet.io import load_model
from glassnet.io import load_model as load
from glassnet.layers import (
    GRU,
    LSTM,
    Activation,
    Dense,
    Dropout,
    Flatten,
    Layer,
    SimpleRNN,
    TimeDistributed,
    pad_sequences,
)
from glassnet.model import Sequential
from glassnet.perceptron import Perceptron

__version__ = "0.1.0"

__all__ = [
    "Activation", "activations", "BatchIterator", "callbacks", "ConfigError",
    "cross_validate", "data", "DataError", "Dataset", "demos", "Dense", "diagnose",
    "doctor", "Dropout", "explain", "find_lr", "Flatten", "glassbox", "GlassnetError",
    "gradcheck", "GRU", "History", "initializers", "KFold", "LabelEncoder", "Layer",
    "load", "load_builtin", "load_csv", "load_csv_features", "load_mnist", "load_model",
    "losses", "LSTM", "metrics", "MinMaxScaler", "ModelFileError", "OneHotEncoder",
    "optimizers", "pad_sequences", "Perceptron", "regularizers", "schedules",
    "Sequential", "ShapeError", "SimpleRNN", "StandardScaler", "StratifiedKFold",
    "TimeDistributed", "to_categorical", "trace", "tracing", "train_test_split",
    "train_val_test_split", "TrainingError",
]
