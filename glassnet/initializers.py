"""Weight initializers (``gn.initializers``); defined in ``glassnet.core.init``."""

from glassnet.core.init import (
    NAMES,
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Initializer,
    LeCunNormal,
    LeCunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    Zeros,
    from_config,
    get,
)

__all__ = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform",
    "Initializer", "LeCunNormal", "LeCunUniform", "NAMES", "Orthogonal",
    "RandomNormal", "RandomUniform", "Zeros", "from_config", "get"
]
