"""LSTM: long short-term memory (Hochreiter & Schmidhuber, 1997; forget gate:
Gers, Schmidhuber & Cummins, 2000), trained by backpropagation through time."""

from __future__ import annotations

import numpy as np

from glassnet.layers.rnn import Recurrent


class LSTM(Recurrent):
    """Long short-term memory layer: a cell c_t that is only ever added to.

    forward, for t = 0 … T−1, with the four gates from ONE matrix product:
        z_t = x_t W + h_{t−1} U + b          z_t: (B, 4H) = [z_i | z_f | z_g | z_o]
        i = σ(z_i)   f = σ(z_f)   g = tanh(z_g)   o = σ(z_o)
        c_t = f ⊙ c_{t−1} + i ⊙ g            (cell: the long memory)
        h_t = o ⊙ tanh(c_t)                  (state / output)
    backward through time, t = T−1 … 0 (dh, dc from step t+1 start at 0):
        dh_t = ∂L/∂y_t + dh_{t+1}^rec
        dc_t = dc_{t+1}^rec + dh_t ⊙ o ⊙ (1 − tanh²c_t)
        dz_o = dh_t ⊙ tanh c_t ⊙ o(1 − o)     dz_i = dc_t ⊙ g ⊙ i(1 − i)
        dz_f = dc_t ⊙ c_{t−1} ⊙ f(1 − f)      dz_g = dc_t ⊙ i ⊙ (1 − g²)
        to step t−1:  dh^rec = dz_t Uᵀ,   dc^rec = dc_t ⊙ f
        dW = Σ_t x_tᵀ dz_t   dU = Σ_t h_{t−1}ᵀ dz_t   db = Σ_t Σ_B dz_t   dx_t = dz_t Wᵀ
    The cell path multiplies by f (not by Uᵀ and tanh'), which is why the
    gradient survives many steps when f ≈ 1.

    Layout (get_weights order): W (F, 4H), U (H, 4H), b (4H,); the column blocks
    are the gates in the order input, forget, cell candidate, output (i, f, g, o).
    PyTorch nn.LSTM uses the same order: weight_ih_l0 = Wᵀ, weight_hh_l0 = Uᵀ,
    bias_ih_l0 + bias_hh_l0 = b. Keras uses the same order with the same (F, 4H).
    Init: W Glorot uniform, U orthogonal per gate, b zeros except the forget
    gate's bias 1.0 (``unit_forget_bias``; Jozefowicz et al., 2015).
    """

    gates = ("input", "forget", "cell", "output")

    def __init__(self, units, return_sequences=False, mask_value=None, truncate=None,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, input_dim=None, name=None):
        super().__init__(units, return_sequences, mask_value, truncate,
                         kernel_initializer, recurrent_initializer, bias_initializer,
                         input_dim, name)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.initial_cell = None

    def build(self, input_shape):
        out = super().build(input_shape)
        H, dt = self.units, self.dtype
        # σ(z) = ½ + ½ tanh(z/2): all four gates from one tanh over (B, 4H)
        self._scale = np.array([0.5] * (2 * H) + [1.0] * H + [0.5] * H, dtype=dt)
        self._shift = np.array([0.5] * (2 * H) + [0.0] * H + [0.5] * H, dtype=dt)
        # gate derivative (1 − a)(a + p): a(1 − a) for σ (p = 0), 1 − a² for tanh
        self._plus = np.array([0.0] * (2 * H) + [1.0] * H + [0.0] * H, dtype=dt)
        return out

    def init_params(self, rng, dtype):
        vals = super().init_params(rng, dtype)
        if self.unit_forget_bias:
            vals["b"][self.units:2 * self.units] = 1.0
        return vals

    def forward(self, x, training=False, initial_state=None):
        """``initial_state``: (h₀, c₀), each None, (H,) or (B, H)."""
        xt = self._begin(x)                                # (T, B, F)
        T, B, H = self.T, self.B, self.units
        h0, c0 = initial_state if initial_state is not None else \
            (self.initial_state, self.initial_cell)
        s, off = self._scale, self._shift
        XW = self._work("xw", (T, B, 4 * H))
        np.matmul(xt.reshape(T * B, -1), self.W, out=XW.reshape(T * B, 4 * H))
        XW += self.b                                       # x_t W + b, all t at once
        Hs = self._work("h", (T + 1, B, H))                # Hs[t+1] = h_t
        C = self._work("c", (T + 1, B, H))                 # C[t+1] = c_t
        G = self._work("gates", (T, B, 4 * H))             # [i | f | g | o] per step
        TC = self._work("tanh_c", (T, B, H))               # tanh(c_t)
        ig = self._work("tmp_ig", (B, H))
        Hs[0], C[0] = self._state0(h0, "h0"), self._state0(c0, "c0")
        self.h0_zero = h0 is None and c0 is None
        for t in range(T):
            z = G[t]
            if t == 0 and self.h0_zero:
                z[...] = XW[0]                             # h_{−1} = 0: no h U term
            else:
                np.matmul(Hs[t], self.U, out=z)            # h_{t−1} U   (B, 4H)
                z += XW[t]                                 #   + x_t W + b
            z *= s                                         # [i f g o] at once:
            np.tanh(z, out=z)                              #   s ⊙ tanh(s ⊙ z) + off
            z *= s                                         #   = σ(z) where s = ½,
            z += off                                       #   tanh(z) where s = 1
            i, f, g, o = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
            c = C[t + 1]
            np.multiply(f, C[t], out=c)                    # c_t = f ⊙ c_{t−1}
            c += np.multiply(i, g, out=ig)                 #     + i ⊙ g
            np.tanh(c, out=TC[t])
            np.multiply(o, TC[t], out=Hs[t + 1])           # h_t = o ⊙ tanh(c_t)
            if self.skip is not None:                      # padding: copy the state
                np.copyto(c, C[t], where=self.skip[t])
                np.copyto(Hs[t + 1], Hs[t], where=self.skip[t])
        self.Hs, self.C, self.G, self.TC = Hs, C, G, TC
        return self._outputs(Hs)

    def backward(self, dy, accumulate=True):
        T, B, H = self.T, self.B, self.units
        DH, dY = self._seed_dh(dy)                         # DH[t] = ∂L/∂h_t
        dZ = self._work("dz", (T, B, 4 * H))               # ∂L/∂z_t
        D = self._work("tmp_d", (B, 4 * H))                # gate derivatives
        k = self._work("tmp_k", (B, H))
        dc = self._work("dc", (B, H))                      # ∂L/∂c_t
        dc[...] = 0.0
        dh0 = self._work("dh_init", (B, H))
        Ut = self._work("Ut", (4 * H, H))
        Ut[...] = self.U.T
        keep = self.keep
        for t in range(T - 1, -1, -1):
            dh, tc, a, dz = DH[t], self.TC[t], self.G[t], dZ[t]
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            np.subtract(1.0, a, out=D)
            np.add(a, self._plus, out=dz)
            D *= dz                                        # σ' = a(1−a), tanh' = 1−a²
            np.multiply(self.Hs[t + 1], tc, out=k)         # o tanh²c = h_t tanh c
            np.subtract(o, k, out=k)
            k *= dh                                        # dh ⊙ o ⊙ (1 − tanh²c)
            np.add(dc, k, out=dc, where=True if keep is None else keep[t])
            np.multiply(dh, tc, out=dz[:, 3 * H:])
            dz[:, 3 * H:] *= D[:, 3 * H:]                  # dz_o = dh ⊙ tanh c ⊙ σ'
            np.multiply(dc, g, out=dz[:, :H])              # dz_i = dc ⊙ g ⊙ σ'
            np.multiply(dc, self.C[t], out=dz[:, H:2 * H])  # dz_f = dc ⊙ c_{t−1} ⊙ σ'
            np.multiply(dc, i, out=dz[:, 2 * H:3 * H])     # dz_g = dc ⊙ i ⊙ tanh'
            dz[:, :3 * H] *= D[:, :3 * H]
            if keep is not None:
                dz *= keep[t]                              # padded step: no gradient
            prev = DH[t - 1] if t > 0 else dh0
            if self._cut(t):
                prev[...] = 0.0
                dc[...] = 0.0
            else:
                np.matmul(dz, Ut, out=prev)                # dh^rec = dz_t Uᵀ
                self._carry(t, dh, prev)
                np.multiply(dc, f, out=dc,                 # dc^rec = dc_t ⊙ f
                            where=True if keep is None else keep[t])
            if t > 0 and dY is not None:
                prev += dY[t - 1]
        self.DH = DH
        self.d_initial_state = None if self.h0_zero else (dh0, dc)
        return self._param_grads(dZ, dZ, accumulate)

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}
