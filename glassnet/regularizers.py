"""Weight penalties (``gn.regularizers``); defined in ``glassnet.core.regularizers``."""

from glassnet.core.regularizers import (
    L1,
    L1L2,
    L2,
    Regularizer,
    get,
)

__all__ = [
    "L1", "L1L2", "L2", "Regularizer", "get"
]
