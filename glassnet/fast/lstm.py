"""The LSTM's forward and backward in a fused form (``glassnet.rnn.lstm``).

The readable form computes, per step, i = σ(z_i), f = σ(z_f), g = tanh(z_g),
o = σ(z_o) on the column blocks of z_t = x_t W + h_{t−1} U + b. Here:

- the gates are stored gate-major, (4, B, H) per step in the order
  (i, f, o, g), so the three σ gates are one contiguous block;
- σ(z) = ½ + ½·tanh(z/2), and the σ gates' columns of W, U and b are halved
  once per pass (exact in floating point), so ONE tanh call over the
  (4, B, H) block computes all four gates, followed by ·½ + ½ on the σ part;
- b rides along the input product as a last row of W ([x_t, 1] [W; b]);
- the backward pass writes each gate's derivative from the kept gate values
  (σ' = a(1 − a), tanh' = (1 − g)(1 + g)) into reused (4, B, H) blocks.

With numba (the ``fast`` extra) each step's elementwise work outside the
tanh calls runs as one loop (``glassnet.fast.lstm_kernels``, bitwise equal
to the NumPy lines here). Same numbers as the readable form to float
rounding (``tests/test_fast.py``);
an LSTM(128) training epoch on MNIST rows takes ≈ 15 % less time than with
the readable form (``benchmarks/bench_lstm.py --readable``, RESULTS.md).
``layer.fast = False`` runs the readable form.
"""

from __future__ import annotations

from glassnet.fast import lstm_kernels as kernels

#: internal gate order: the three σ gates first; the public layout is (i, f, g, o)
ORDER = (0, 1, 3, 2)                                       # i, f, o, g


def gate_weights(layer):
    """[W; b] as (4, F+1, H) and U as (4, H, H), per gate in the internal order
    (i, f, o, g), with the σ gates' columns halved: σ(z) = ½ + ½ tanh(z/2)."""
    xp, F, H = layer.xp, layer.n_features, layer.units
    Wb = layer._work("Wb_gates", (4, F + 1, H))
    Ug = layer._work("U_gates", (4, H, H))
    for k, p in enumerate(ORDER):
        half = 0.5 if k < 3 else 1.0
        cols = slice(p * H, (p + 1) * H)
        xp.multiply(layer.W[:, cols], half, out=Wb[k, :F])
        xp.multiply(layer.b[cols], half, out=Wb[k, F])
        xp.multiply(layer.U[:, cols], half, out=Ug[k])
    return Wb, Ug


def forward(layer) -> None:
    """Fill layer.Hs[1:] and layer.C[1:] (row 0: the initial states); keep the
    gates G_fused (T, 4, B, H) = [i, f, o, g] and TC = tanh(c_t) for backward."""
    xp, xt, Hs, C = layer.xp, layer.xt, layer.Hs, layer.C
    T, B, F = xt.shape
    H = layer.units
    Wb, Ug = gate_weights(layer)                           # (4, F+1, H), (4, H, H)
    X1 = layer._work("x_one", (T * B, F + 1))
    X1[:, :-1] = xt.reshape(T * B, F)                      # [x_t, 1] [W; b]
    X1[:, -1] = 1.0
    XW = layer._work("xw_gates", (4, T * B, H))            #   for all t at once
    xp.matmul(X1, Wb, out=XW)
    XW = XW.reshape(4, T, B, H)
    G = layer.G_fused = layer._work("gates_fused", (T, 4, B, H))
    TC = layer.TC = layer._work("tanh_c", (T, B, H))
    ig = layer._work("tmp_ig", (B, H))
    for t in range(T):
        z = G[t]                                           # (4, B, H)
        if t == 0 and layer.h0_zero:
            z[...] = XW[:, 0]                              # h_0 = 0: no h U term
        else:
            xp.matmul(Hs[t], Ug, out=z)                    # h_{t−1} U, 4 gates at once
            z += XW[:, t]                                  #   + x_t W + b
        xp.tanh(z, out=z)                                  # g = tanh(z_g)
        i, f, o, g = z
        c = C[t + 1]
        if layer.real is not None or kernels.forward_step(z, C[t], c) is None:
            sig = z[:3]                                    # i, f, o = ½ + ½ tanh(z/2)
            sig *= 0.5
            sig += 0.5
            xp.multiply(f, C[t], out=c)                    # c_t = f ⊙ c_{t−1}
            c += xp.multiply(i, g, out=ig)                 #     + i ⊙ g
        xp.tanh(c, out=TC[t])
        xp.multiply(o, TC[t], out=Hs[t + 1])               # h_t = o ⊙ tanh(c_t)
        layer._copy_padded(C, t + 1)
        layer._copy_padded(Hs, t + 1)


def backward(layer, DH):
    """Add ∂L/∂h_{t−1} into DH (T+1, B, H); return dZ (T, B, 4H) = ∂L/∂z_t in
    the public gate order and dc = ∂L/∂c_0."""
    xp, real = layer.xp, layer.real
    T, B, H = layer.TC.shape
    dZ = layer._work("dz", (T, B, 4 * H))
    D = layer._work("tmp_d", (4, B, H))                    # gate derivatives
    E = layer._work("tmp_e", (4, B, H))                    # ∂L/∂gate outputs
    k = layer._work("tmp_k", (B, H))
    dc = layer._work("dc", (B, H))                         # ∂L/∂c_t
    dc[...] = 0.0
    Ut = layer._work("Ut", (4 * H, H))
    Ut[...] = layer.U.T
    for t in range(T - 1, -1, -1):
        dh, tc, a = DH[t + 1], layer.TC[t], layer.G_fused[t]
        i, f, o, g = a
        dz = dZ[t]
        if real is None and kernels.backward_step(
                a, dh, tc, layer.Hs[t + 1], layer.C[t], dc, dz,
                layer._cut(t + 1)) is not None:
            if not layer._cut(t + 1):                      # (one loop: dz, dc ← dc f)
                DH[t] += xp.matmul(dz, Ut, out=k)          # dh_{t−1} += dz_t Uᵀ
            continue
        dzg = dz.reshape(B, 4, H).transpose(1, 0, 2)       # (4, B, H) view, i f g o
        xp.subtract(1.0, a, out=D)
        D[:3] *= a[:3]                                     # σ' = a(1 − a)
        xp.add(1.0, g, out=k)
        D[3] *= k                                          # tanh' = (1 − g)(1 + g)
        xp.multiply(layer.Hs[t + 1], tc, out=k)            # o tanh²c = h_t tanh c
        xp.subtract(o, k, out=k)
        k *= dh                                            # dh ⊙ o ⊙ (1 − tanh²c)
        xp.add(dc, k, out=dc, where=True if real is None else real[t])
        xp.multiply(dc, g, out=E[0])                       # ∂L/∂i = dc ⊙ g
        xp.multiply(dc, layer.C[t], out=E[1])              # ∂L/∂f = dc ⊙ c_{t−1}
        xp.multiply(dh, tc, out=E[2])                      # ∂L/∂o = dh ⊙ tanh c
        xp.multiply(dc, i, out=E[3])                       # ∂L/∂g = dc ⊙ i
        xp.multiply(E[:2], D[:2], out=dzg[:2])             # dz = ∂L/∂gate ⊙ gate'
        xp.multiply(E[2:], D[2:], out=dzg[3:1:-1])         #   (o, g → public g, o)
        if real is not None:
            dz *= real[t]                                  # padded step: no gradient
        if layer._cut(t + 1):
            dc[...] = 0.0
            continue
        DH[t] += xp.matmul(dz, Ut, out=k)                  # dh_{t−1} += dz_t Uᵀ
        if real is not None:                               # padded: dh, dc pass on
            DH[t] += xp.multiply(dh, layer.padded[t], out=k)
        xp.multiply(dc, f, out=dc,                         # dc_{t−1} = dc_t ⊙ f
                    where=True if real is None else real[t])
    return dZ, dc
