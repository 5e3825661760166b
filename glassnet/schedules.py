"""Learning-rate schedules (``gn.schedules``), defined in
``glassnet.train.schedules``."""

from glassnet.train.schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    Schedule,
    StepDecay,
)

__all__ = [
    "Constant", "CosineDecay", "ExponentialDecay", "InverseTimeDecay", "Schedule",
    "StepDecay"
]
