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
from glassnet.layers import Activation, Dense, Dropout, Flatten, Layer
from glassnet.model import Sequential
from glassnet.perceptron import Perceptron

__version__ = "0.1.0"

__all__ = [
    "Activation", "ConfigError", "DataError", "Dense", "Dropout", "Flatten",
    "GlassnetError", "History", "Layer", "ModelFileError", "Perceptron",
    "Sequential", "ShapeError", "TrainingError", "activations", "callbacks",
    "gradcheck", "initializers", "load", "load_model", "losses", "metrics", "optimizers",
    "regularizers", "schedules",
]
