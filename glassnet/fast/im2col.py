"""The windows of a single-channel image, one contiguous copy per kernel offset.

    cols_t[i, j] = x̃[:, i : i + s_h·(H'−1) + 1 : s_h,
                        j : j + s_w·(W'−1) + 1 : s_w, :]      (B, H', W', C)

for every offset (i, j), into an offset-major buffer cols_t (kh, kw, B, H',
W', C): the same values ``Conv2D.im2col`` copies from the sliding-window view
of x̃ (``glassnet.core.image.windows``), whose order is (B, H', W', kh, kw, C).
``as_windows(cols_t)`` is that order as a view. NumPy copies the window view
with its innermost loop along one window row, kw·C values (3 for a 3×3 kernel
on a grey image); here each copy runs along image rows and writes one
contiguous block. For C = 1 the buffer is also the matrix the convolution
needs, transposed: cols_t viewed as (kh·kw, B·H'·W'), so forward is
z = cols_tᵀ K and backward dK = cols_t dz, one GEMM each with no copy — the
same products as with the window layout, bitwise (``tests/test_conv.py``).
Measured on the first layer of a 5×5 LeNet at batch 128 (``benchmarks/
RESULTS.md``): the copy and both products in 10–12 ms against 23 ms with the
window-order copy. With 3 or more channels the window view is the faster
one, so Conv2D uses this form for C = 1 only.
"""

from __future__ import annotations


def im2col_by_offset(x_padded, cols_t, strides: tuple[int, int]):
    """Fill cols_t (kh, kw, B, H', W', C) with the windows of x̃ (B, H̃, W̃, C);
    return it."""
    kh, kw, _, Ho, Wo, _ = cols_t.shape
    sh, sw = strides
    for i in range(kh):
        for j in range(kw):
            cols_t[i, j] = x_padded[:, i:i + sh * (Ho - 1) + 1:sh,
                                    j:j + sw * (Wo - 1) + 1:sw]
    return cols_t


def as_windows(cols_t):
    """The offset-major buffer in window order (B, H', W', kh, kw, C), a view."""
    return cols_t.transpose(2, 3, 4, 0, 1, 5)
