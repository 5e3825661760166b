"""Loss functions (``gn.losses``); the math is in ``glassnet.core.losses`` and,
for softmax/sigmoid + cross-entropy on logits, ``glassnet.core.objective``."""

from glassnet.core.crossentropy import SigmoidCrossEntropy, SoftmaxCrossEntropy
from glassnet.core.losses import (
    NAMES,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    HalfSumSquaredError,
    Huber,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    from_config,
    get,
)

__all__ = ["NAMES", "BinaryCrossentropy", "CategoricalCrossentropy",
           "HalfSumSquaredError", "Huber", "Loss", "MeanAbsoluteError",
           "MeanSquaredError", "SigmoidCrossEntropy", "SoftmaxCrossEntropy",
           "from_config", "get"]
