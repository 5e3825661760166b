"""Activation functions (``gn.activations``); the math is in
``glassnet.core.activations``."""

from glassnet.core.activations import (
    ELU,
    GELU,
    NAMES,
    Activation,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Step,
    Tanh,
    from_config,
    get,
)

__all__ = ["ELU", "GELU", "NAMES", "Activation", "Identity", "LeakyReLU", "ReLU",
           "SiLU", "Sigmoid", "Softmax", "Softplus", "Step", "Tanh", "from_config",
           "get"]
