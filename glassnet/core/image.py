"""What convolution and pooling layers share: NHWC images, padding, windows.

Images are NHWC, ``(batch, height, width, channels)``. A window of size k
moved by stride s over n positions gives n' outputs:

    padding="valid":  n' = ⌊(n − k) / s⌋ + 1                (no padding)
    padding="same":   n' = ⌈n / s⌉,  P = max((n' − 1)·s + k − n, 0) zeros in all,
                      ⌊P/2⌋ before and the rest after: the extra row or column
                      goes at the bottom / right, as in Keras and TensorFlow

Output position (p, q) of a window with offset (i, j) reads the padded input
x̃ at (p·s_h + i, q·s_w + j); ``at_offset`` is that view for all (p, q) at once.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from glassnet.errors import ConfigError, ShapeError, expected

Pair = tuple[int, int]
PADDINGS = ("valid", "same")


def pair(value, name: str, example: str) -> Pair:
    """An int or a pair of ints ≥ 1 as (rows, columns); else ConfigError."""
    vals = (value, value) if isinstance(value, numbers.Integral) else value
    ok = isinstance(vals, tuple | list) and len(vals) == 2 and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1
        for v in vals)
    if not ok:
        raise ConfigError(expected(f"{name} as a positive int or a pair of positive "
                                   "ints", repr(value), f"Pass e.g. {example}."))
    return int(vals[0]), int(vals[1])


def check_padding(padding) -> str:
    key = padding.lower() if isinstance(padding, str) else padding
    if key not in PADDINGS:
        raise ConfigError(expected("padding 'valid' or 'same'", repr(padding),
                                   "Pass padding='same' to keep the image size "
                                   "(at stride 1), or 'valid' for no padding."))
    return key


def check_image_shape(input_shape, layer: str) -> tuple[int, int, int]:
    """(height, width, channels) of the images a layer receives."""
    if len(input_shape) != 3 or None in input_shape:
        raise ShapeError(expected(
            f"images (height, width, channels) as the input of {layer}",
            f"input shape {tuple(input_shape)}",
            "Put image layers first (e.g. gn.Conv2D(32, 3, input_shape=(28, 28, 1)))"
            " and give X as (n_samples, height, width, channels); Flatten goes "
            "after the last image layer."))
    return int(input_shape[0]), int(input_shape[1]), int(input_shape[2])


@dataclass(frozen=True)
class Geometry:
    """A window of ``size`` moved by ``strides`` over an image of ``in_hw``."""

    size: Pair                          # (kh, kw)
    strides: Pair                       # (s_h, s_w)
    padding: str                        # "valid" | "same"
    in_hw: Pair                         # (H, W)
    out_hw: Pair                        # (H', W')
    pads: tuple[Pair, Pair]             # ((top, bottom), (left, right))

    @property
    def padded_hw(self) -> Pair:
        (t, b), (l, r) = self.pads
        return self.in_hw[0] + t + b, self.in_hw[1] + l + r

    @property
    def padded(self) -> bool:
        return self.padded_hw != self.in_hw

    @property
    def offsets(self) -> list[Pair]:
        """Every (i, j) inside the window, in row-major order."""
        return [(i, j) for i in range(self.size[0]) for j in range(self.size[1])]


def geometry(in_hw: Pair, size: Pair, strides: Pair, padding: str,
             layer: str) -> Geometry:
    """Output size and padding (module docstring); ShapeError when the window
    does not fit in the (padded) image."""
    out, pads = [], []
    for n, k, s in zip(in_hw, size, strides, strict=True):
        if padding == "same":
            n_out = math.ceil(n / s)
            total = max((n_out - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            if k > n:
                raise ShapeError(expected(
                    f"a {layer} window no larger than its {in_hw[0]}×{in_hw[1]} "
                    "input (padding='valid')", f"a {size[0]}×{size[1]} window",
                    "Use a smaller kernel_size / pool_size, padding='same', or "
                    "fewer layers that shrink the image before this one."))
            n_out = (n - k) // s + 1
            pads.append((0, 0))
        out.append(n_out)
    return Geometry(size, strides, padding, tuple(in_hw), tuple(out), tuple(pads))


def pad(x, geo: Geometry, buf, value: float = 0.0):
    """x̃: x inside a border of ``value`` (``buf`` has the padded shape), or x
    itself when the geometry needs no padding."""
    if not geo.padded:
        return x
    (t, b), (l, r) = geo.pads
    H, W = geo.in_hw
    buf[:, :t], buf[:, t + H:] = value, value           # rows above and below
    buf[:, t:t + H, :l], buf[:, t:t + H, l + W:] = value, value   # columns
    buf[:, t:t + H, l:l + W] = x
    return buf


def unpad(x_padded, geo: Geometry):
    """The part of a padded array that covers the real image (a view)."""
    (t, _), (l, _) = geo.pads
    H, W = geo.in_hw
    return x_padded[:, t:t + H, l:l + W]


def at_offset(x_padded, geo: Geometry, i: int, j: int):
    """x̃[:, p·s_h + i, q·s_w + j, :] for every output (p, q): (B, H', W', C) view."""
    (sh, sw), (Ho, Wo) = geo.strides, geo.out_hw
    return x_padded[:, i:i + sh * (Ho - 1) + 1:sh, j:j + sw * (Wo - 1) + 1:sw]


def windows(xp, x_padded, geo: Geometry):
    """Every window of x̃ as a view (B, H', W', kh, kw, C): window (p, q) is
    x̃[:, p·s_h : p·s_h + kh, q·s_w : q·s_w + kw, :]."""
    (kh, kw), (sh, sw), (Ho, Wo) = geo.size, geo.strides, geo.out_hw
    v = xp.lib.stride_tricks.sliding_window_view(x_padded, (kh, kw), axis=(1, 2))
    v = v[:, :sh * (Ho - 1) + 1:sh, :sw * (Wo - 1) + 1:sw]   # (B, H', W', C, kh, kw)
    return v.transpose(0, 1, 2, 4, 5, 3)
