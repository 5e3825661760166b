"""Callbacks (``gn.callbacks``); defined in ``glassnet.train.callbacks``."""

from glassnet.train.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)

__all__ = [
    "CSVLogger", "Callback", "EarlyStopping", "LambdaCallback",
    "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau"
]
