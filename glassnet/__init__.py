"""glassnet — neural networks you can see through.

NumPy multilayer perceptrons (and recurrent networks) with forward and
backward passes written by hand, and every number they compute explainable.
"""

from glassnet import (
    activations,
    callbacks,
    initializers,
    losses,
    metrics,
    optimizers,
    regularizers,
    schedules,
)
from glassnet import data
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
from glassnet import demos, glassbox
from glassnet.glassbox import diagnose, doctor, explain, find_lr, trace, tracing

__version__ = "0.1.0"

__all__ = [
    "BatchIterator", "Dataset", "KFold", "LabelEncoder", "MinMaxScaler",
    "OneHotEncoder", "StandardScaler", "StratifiedKFold", "cross_validate", "data",
    "load_builtin", "load_csv", "load_csv_features", "load_mnist", "to_categorical",
    "train_test_split", "train_val_test_split",
    "Activation", "ConfigError", "DataError", "Dense", "Dropout", "Flatten",
    "GlassnetError", "History", "Layer", "ModelFileError", "Perceptron",
    "Sequential", "ShapeError", "TrainingError", "activations", "callbacks",
    "gradcheck", "initializers", "load", "load_model", "losses", "metrics", "optimizers",
    "regularizers", "schedules",
    "GRU", "LSTM", "SimpleRNN", "TimeDistributed", "pad_sequences",
    "demos", "diagnose", "doctor", "explain", "find_lr", "glassbox", "trace",
    "tracing",
]
