"""Error types raised at glassnet's boundaries.

Every error a user can trigger with bad input is a ``ValueError`` or
``TypeError`` subclass whose message says what was expected, what was
received and how to fix it.
"""

from __future__ import annotations


class GlassnetError(Exception):
    """Base class of every error glassnet raises on purpose."""


class ConfigError(GlassnetError, ValueError):
    """A hyperparameter, name or option is invalid."""


class ShapeError(GlassnetError, ValueError):
    """An array has the wrong shape, dtype or contents."""


class DataError(GlassnetError, ValueError):
    """A dataset file or array is malformed (CSV, IDX, npz, labels)."""


class ModelFileError(GlassnetError, ValueError):
    """A model or checkpoint file is missing, corrupted or not a glassnet file."""


class TrainingError(GlassnetError, RuntimeError):
    """Training cannot go on (non-finite loss or gradient, untrainable layer)."""


def expected(what: str, received: object, fix: str) -> str:
    """Format the standard message: expected / received / how to fix."""
    return f"expected {what}, received {received}. {fix}"
