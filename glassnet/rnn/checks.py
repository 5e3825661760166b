"""Arguments and inputs of the recurrent layers, checked where they enter."""

from __future__ import annotations

import math
import numbers

from glassnet._validation import check_positive_int
from glassnet.errors import ConfigError, ShapeError, expected


def check_options(owner: str, units, truncate, mask_value) -> None:
    """units > 0; truncate None or > 0; mask_value None or finite."""
    check_positive_int(units, "units", f"Pass the state size, e.g. {owner}(64).")
    if truncate is not None:
        check_positive_int(truncate, "truncate", "Pass e.g. truncate=20, or None.")
    if mask_value is not None and (isinstance(mask_value, bool) or
                                   not isinstance(mask_value, numbers.Real)
                                   or not math.isfinite(mask_value)):
        raise ConfigError(expected("mask_value as a finite number or None",
                                   repr(mask_value), "Pass e.g. mask_value=0.0."))


def sequence_dim(input_dim, owner: str):
    """input_dim=F means (any number of steps, F); (T, F) fixes T (T may be None)."""
    if input_dim is None:
        return None
    dims = (input_dim,) if isinstance(input_dim, numbers.Integral) else \
        tuple(input_dim) if isinstance(input_dim, tuple | list) else None
    if dims is not None and len(dims) == 1:
        dims = (None, dims[0])

    def ok(d, allow_none):
        return (d is None and allow_none) or (isinstance(d, numbers.Integral) and
                                              not isinstance(d, bool) and d > 0)
    if dims is None or len(dims) != 2 or not ok(dims[0], True) \
            or not ok(dims[1], False):
        raise ConfigError(expected(f"input_dim for {owner} as the features per step "
                                   "(an int) or (n_steps, n_features)",
                                   repr(input_dim), "Pass e.g. input_dim=28 for "
                                   "MNIST rows (28 features per step)."))
    return (None if dims[0] is None else int(dims[0]), int(dims[1]))


def check_input_shape(input_shape, owner: str) -> tuple:
    """(n_steps, n_features) from build(); n_steps may be None."""
    if len(input_shape) != 2:
        raise ShapeError(expected(
            f"a sequence input (n_steps, n_features) for {owner}",
            f"input shape {tuple(input_shape)}",
            "Feed (batch, time, features) arrays; pass input_dim=n_features."))
    return tuple(input_shape)


def check_sequence(x, n_features: int) -> tuple[int, int, int]:
    """(B, T, F) of a batch of sequences with F = n_features."""
    if x.ndim != 3 or x.shape[2] != n_features:
        raise ShapeError(expected(f"input (batch, time, {n_features})",
                                  f"shape {x.shape}", "Check the features per "
                                  "step (input_dim)."))
    return x.shape


def check_state(s, B: int, H: int):
    """An initial state of shape (H,) (one for all samples) or (B, H)."""
    if s.shape not in ((H,), (B, H)):
        raise ShapeError(expected(f"an initial state of shape ({H},) or ({B}, {H})",
                                  f"shape {s.shape}",
                                  "Pass one state per sample, or one for all."))
    return s
