"""Callbacks (``gn.callbacks``); defined in ``glassnet.train.callbacks`` and
``glassnet.train.monitors``."""

from glassnet.train.callbacks import (
    Callback,
    CSVLogger,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
)
from glassnet.train.monitors import EarlyStopping, ReduceLROnPlateau

__all__ = [
    "CSVLogger", "Callback", "EarlyStopping", "LambdaCallback",
    "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau",
]
