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
        H = self.units
        # σ(z) = ½ + ½ tanh(z/2): all four gates from one tanh over (B, 4H)
        self._scale = np.array([0.5] * (2 * H) + [1.0] * H + [0.5] * H)
        self._shift = np.array([0.5] * (2 * H) + [0.0] * H + [0.5] * H)
        self.initial_cell = None

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
        s, off = self._scale.astype(self.dtype), self._shift.astype(self.dtype)
        XW = self._work("xw", (T, B, 4 * H))
        np.matmul(xt.reshape(T * B, -1), self.W, out=XW.reshape(T * B, 4 * H))
        XW += self.b                                       # x_t W + b, all t at once
        Hs = self._work("h", (T + 1, B, H))                # Hs[t+1] = h_t
        C = self._work("c", (T + 1, B, H))                 # C[t+1] = c_t
        G = self._work("gates", (T, B, 4 * H))             # [i | f | g | o] per step
        TC = self._work("tanh_c", (T, B, H))               # tanh(c_t)
        ig = self._work("tmp_ig", (B, H))
        Hs[0], C[0] = self._state0(h0, "h0"), self._state0(c0, "c0")
        for t in range(T):
            z = G[t]
            np.matmul(Hs[t], self.U, out=z)                # h_{t−1} U   (B, 4H)
            z += XW[t]                                     #   + x_t W + b
            z *= s                                         # σ, σ, tanh, σ at once:
            np.tanh(z, out=z)
            z *= s
            z += off
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

    def _local_derivatives(self):
        """Everything in backward that does not depend on the step order,
        computed for all T at once (m_t = 1 unless padded):

            K = m ⊙ o ⊙ (1 − tanh²c)          dc_t += dh_t ⊙ K_t
            P = m ⊙ tanh c ⊙ o(1 − o)         dz_o  = dh_t ⊙ P_t
            Q = m ⊙ [g ⊙ i(1−i), c_{t−1} ⊙ f(1−f), i ⊙ (1−g²)]   dz_ifg = dc_t ⊙ Q_t
            Fc = f (or 1 where padded)        dc^rec = dc_t ⊙ Fc_t
        """
        T, B, H = self.T, self.B, self.units
        G4 = self.G.reshape(T, B, 4, H)
        i, f, g, o = G4[:, :, 0], G4[:, :, 1], G4[:, :, 2], G4[:, :, 3]
        K = self._work("K", (T, B, H))
        P = self._work("P", (T, B, H))
        Q = self._work("Q", (T, B, 3, H))
        np.square(self.TC, out=K)
        np.subtract(1.0, K, out=K)
        K *= o                                             # o (1 − tanh²c)
        np.subtract(1.0, o, out=P)
        P *= o
        P *= self.TC                                       # tanh c · o(1 − o)
        np.subtract(1.0, G4[:, :, :3], out=Q)              # 1 − [i, f, g]
        Q *= G4[:, :, :3]                                  # [i(1−i), f(1−f), g(1−g)]
        Q[:, :, 2] = g                                     # 1 − g² for the tanh gate
        Q[:, :, 2] *= g
        np.subtract(1.0, Q[:, :, 2], out=Q[:, :, 2])
        Q[:, :, 0] *= g
        Q[:, :, 1] *= self.C[:-1]
        Q[:, :, 2] *= i
        Fc = f
        if self.keep is not None:
            K *= self.keep
            P *= self.keep
            Q *= self.keep[..., None]
            Fc = self._work("Fc", (T, B, H))
            np.multiply(f, self.keep, out=Fc)
            Fc += self.skip
        return K, P, Q, Fc

    def backward(self, dy, accumulate=True):
        T, B, H = self.T, self.B, self.units
        DH, dY = self._seed_dh(dy)                         # DH[t] = ∂L/∂h_t
        K, P, Q, Fc = self._local_derivatives()
        dZ = self._work("dz", (T, B, 4 * H))
        dZ4 = dZ.reshape(T, B, 4, H)
        dc = self._work("dc", (B, H))                      # ∂L/∂c_t
        dc[...] = 0.0
        tmp = self._work("tmp_dc", (B, H))
        dh0 = self._work("dh_init", (B, H))
        Ut = self.U.T
        for t in range(T - 1, -1, -1):
            dh = DH[t]
            dc += np.multiply(dh, K[t], out=tmp)           # dc_t = dc^rec + dh ⊙ K
            np.multiply(dh, P[t], out=dZ4[t, :, 3])        # dz_o
            np.multiply(dc[:, None, :], Q[t], out=dZ4[t, :, :3])  # dz_i, dz_f, dz_g
            prev = DH[t - 1] if t > 0 else dh0
            if self._cut(t):
                prev[...] = 0.0
                dc[...] = 0.0
            else:
                np.matmul(dZ[t], Ut, out=prev)             # dh^rec = dz_t Uᵀ
                self._carry(t, dh, prev)
                dc *= Fc[t]                                # dc^rec = dc_t ⊙ f
            if t > 0 and dY is not None:
                prev += dY[t - 1]
        self.DH, self.d_initial_state = DH, (dh0, dc)
        return self._param_grads(dZ, dZ, accumulate)

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}
