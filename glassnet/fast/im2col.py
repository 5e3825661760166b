"""The windows of a single-channel image, one strided copy per kernel offset.

    cols[:, :, :, i, j, :] = x̃[:, i : i + s_h·(H'−1) + 1 : s_h,
                                   j : j + s_w·(W'−1) + 1 : s_w, :]

for every offset (i, j): the same values ``Conv2D.im2col`` copies from the
sliding-window view of x̃ (``glassnet.core.image.windows``). NumPy copies that
view with its innermost loop along one window row, kw·C values: 3 values for
a 3×3 kernel on a grey image, while these kh·kw copies loop along an image row.
Measured on MNIST's first layer at batch 128 (``benchmarks/RESULTS.md``): 1.4 ms
against 3.3 ms on the shared machine at a load average of 4, up to 1.5 against
15 ms when it was busier; 1–5 % of a training step. With 3 or more channels the
window view is the faster one, so Conv2D uses this form for C = 1 only.
Tested equal in ``tests/test_conv.py``.
"""

from __future__ import annotations


def im2col_by_offset(x_padded, cols, strides: tuple[int, int]):
    """Fill cols (B, H', W', kh, kw, C) with the windows of x̃ (B, H̃, W̃, C)."""
    _, Ho, Wo, kh, kw, _ = cols.shape
    sh, sw = strides
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j, :] = x_padded[:, i:i + sh * (Ho - 1) + 1:sh,
                                              j:j + sw * (Wo - 1) + 1:sw]
    return cols
