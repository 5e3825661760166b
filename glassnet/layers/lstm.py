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

    #: internal gate order: the three σ gates first, so that one call over the
    #: contiguous block computes them all; the public layout stays (i, f, g, o)
    _order = (0, 1, 3, 2)                                  # i, f, o, g

    def _gate_weights(self):
        """W, U, b split per gate, in the internal order (i, f, o, g), with the σ
        gates' columns halved: σ(z) = ½ + ½ tanh(z/2), so one tanh serves all
        four gates. Halving is exact in floating point."""
        F, H = self.n_features, self.units
        Wb = self._work("Wb_gates", (4, F + 1, H))         # [W; b]: b as a last row
        Ug = self._work("U_gates", (4, H, H))
        for k, p in enumerate(self._order):
            half = 0.5 if k < 3 else 1.0
            cols = slice(p * H, (p + 1) * H)
            np.multiply(self.W[:, cols], half, out=Wb[k, :F])
            np.multiply(self.b[cols], half, out=Wb[k, F])
            np.multiply(self.U[:, cols], half, out=Ug[k])
        return Wb, Ug

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
        Wb, Ug = self._gate_weights()                      # (4, F+1, H), (4, H, H)
        X1 = self._work("x_one", (T * B, self.n_features + 1))
        X1[:, :-1] = xt.reshape(T * B, -1)                 # [x_t, 1] [W; b] = x_t W + b
        X1[:, -1] = 1.0
        XW = self._work("xw", (4, T * B, H))               #   for all t at once
        np.matmul(X1, Wb, out=XW)
        XW = XW.reshape(4, T, B, H)
        Hs = self._work("h", (T + 1, B, H))                # Hs[t+1] = h_t
        C = self._work("c", (T + 1, B, H))                 # C[t+1] = c_t
        G = self._work("gates", (T, 4, B, H))              # [i, f, o, g] per step
        TC = self._work("tanh_c", (T, B, H))               # tanh(c_t)
        ig = self._work("tmp_ig", (B, H))
        Hs[0], C[0] = self._state0(h0, "h0"), self._state0(c0, "c0")
        self.h0_zero = h0 is None and c0 is None
        for t in range(T):
            z = G[t]                                       # (4, B, H)
            if t == 0 and self.h0_zero:
                z[...] = XW[:, 0]                          # h_{−1} = 0: no h U term
            else:
                np.matmul(Hs[t], Ug, out=z)                # h_{t−1} U, 4 gates at once
                z += XW[:, t]                              #   + x_t W + b
            np.tanh(z, out=z)                              # g = tanh(z_g)
            sig = z[:3]                                    # i, f, o = ½ + ½ tanh(z/2)
            sig *= 0.5
            sig += 0.5
            i, f, o, g = z
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
        dZ = self._work("dz", (T, B, 4 * H))               # ∂L/∂z_t, public (i f g o)
        D = self._work("tmp_d", (4, B, H))                 # gate derivatives
        E = self._work("tmp_e", (4, B, H))                 # ∂L/∂gate outputs
        k = self._work("tmp_k", (B, H))
        dc = self._work("dc", (B, H))                      # ∂L/∂c_t
        dc[...] = 0.0
        dh0 = self._work("dh_init", (B, H))
        Ut = self._work("Ut", (4 * H, H))
        Ut[...] = self.U.T
        keep = self.keep
        for t in range(T - 1, -1, -1):
            dh, tc, a = DH[t], self.TC[t], self.G[t]
            i, f, o, g = a
            dz = dZ[t]
            dzg = dz.reshape(B, 4, H).transpose(1, 0, 2)   # (4, B, H) view, i f g o
            np.subtract(1.0, a, out=D)
            D[:3] *= a[:3]                                 # σ' = a(1 − a)
            np.add(1.0, g, out=k)
            D[3] *= k                                      # tanh' = (1 − g)(1 + g)
            np.multiply(self.Hs[t + 1], tc, out=k)         # o tanh²c = h_t tanh c
            np.subtract(o, k, out=k)
            k *= dh                                        # dh ⊙ o ⊙ (1 − tanh²c)
            np.add(dc, k, out=dc, where=True if keep is None else keep[t])
            np.multiply(dc, g, out=E[0])                   # ∂L/∂i = dc ⊙ g
            np.multiply(dc, self.C[t], out=E[1])           # ∂L/∂f = dc ⊙ c_{t−1}
            np.multiply(dh, tc, out=E[2])                  # ∂L/∂o = dh ⊙ tanh c
            np.multiply(dc, i, out=E[3])                   # ∂L/∂g = dc ⊙ i
            np.multiply(E[:2], D[:2], out=dzg[:2])         # dz = ∂L/∂gate ⊙ gate'
            np.multiply(E[2:], D[2:], out=dzg[3:1:-1])     #   (o, g → public g, o)
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

    def _param_grads(self, dZ, dR, accumulate, bias_names=("b",)):
        """dU, dW and db as ONE matrix product over all steps and samples:

            [dU; dW; db] = Σ_t [h_{t−1} | x_t | 1]ᵀ dz_t      (H + F + 1, 4H)

        (h_{−1} is h₀, zeros when none was given, so it adds nothing then)."""
        T, B, F, H = self.T, self.B, self.n_features, self.units
        dZ2 = dZ.reshape(T * B, 4 * H)                     # (T·B, 4H)
        A = self._work("h_x_one", (T * B, H + F + 1))      # rows [h_{t−1}, x_t, 1]
        A[:, :H] = self.Hs[:-1].reshape(T * B, H)
        A[:, H:-1] = self.xt.reshape(T * B, F)
        A[:, -1] = 1.0
        S = self._work("dUWb", (H + F + 1, 4 * H))
        np.matmul(A.T, dZ2, out=S)
        self.dZ_rec = dZ
        for g, rows in ((self.dU, S[:H]), (self.dW, S[H:-1]), (self.db, S[-1])):
            if accumulate:
                g += rows
            else:
                g[...] = rows
        return self._norms_and_dx(dZ2)

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}
