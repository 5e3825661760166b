"""GRU: gated recurrent unit (Cho et al., 2014), in PyTorch's formulation,
trained by backpropagation through time."""

from __future__ import annotations

from glassnet.fast.colsum import colsum
from glassnet.rnn.base import Recurrent, sigmoid


class GRU(Recurrent):
    """Gated recurrent unit: the state is a gated mix of itself and a candidate.

    forward, for t = 1 … T (gate blocks [r | z | n] of W, U and both biases):
        ĥ_t = h_{t−1} U + b_rec                (B, 3H) the recurrent product
        r = σ(x_t W_r + b_in,r + ĥ_r)          reset gate
        z = σ(x_t W_z + b_in,z + ĥ_z)          update gate
        n = tanh(x_t W_n + b_in,n + r ⊙ ĥ_n)   candidate (reset applied AFTER U)
        h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
    backward through time, t = T … 1 (dh_t starts as ∂L/∂y_t):
        da_n = dh_t ⊙ (1 − z) ⊙ (1 − n²)
        da_z = dh_t ⊙ (h_{t−1} − n) ⊙ z(1 − z)
        da_r = da_n ⊙ ĥ_n ⊙ r(1 − r)
        input side:      dA_t = [da_r, da_z, da_n]
        recurrent side:  dR_t = [da_r, da_z, da_n ⊙ r]
        to step t−1:     dh_{t−1} += dR_t Uᵀ + dh_t ⊙ z
        dW = Σ_t x_tᵀ dA_t   db_input = Σ dA_t   dx_t = dA_t Wᵀ
        dU = Σ_t h_{t−1}ᵀ dR_t   db_recurrent = Σ dR_t

    Layout (get_weights order): W (F, 3H), U (H, 3H), b_input (3H,),
    b_recurrent (3H,), gates in the order reset, update, candidate (r, z, n).
    The reset gate multiplies ĥ_n = h U_n + b_rec,n, so the two biases are not
    interchangeable. PyTorch nn.GRU uses exactly this: weight_ih_l0 = Wᵀ,
    weight_hh_l0 = Uᵀ, bias_ih_l0 = b_input, bias_hh_l0 = b_recurrent (order
    r, z, n). Keras GRU(reset_after=True) has the same math with gates in the
    order z, r, n and the biases stacked as one (2, 3H) array.
    Init: W Glorot uniform, U orthogonal per gate, biases zeros.
    """

    gates = ("reset", "update", "candidate")
    tape = (*Recurrent.tape, "G", "R")

    def param_shapes(self):
        F, H = self.n_features, self.units
        return {"W": (F, 3 * H), "U": (H, 3 * H), "b_input": (3 * H,),
                "b_recurrent": (3 * H,)}

    def bind(self, params, grads, state):
        super().bind(params, grads, state)
        self.b_input, self.db_input = params["b_input"], grads["b_input"]
        self.b_recurrent = params["b_recurrent"]           # (3H,) each
        self.db_recurrent = grads["b_recurrent"]

    def _split(self, a):
        """The three (B, H) blocks [r | z | n] of a (B, 3H) array (views)."""
        H = self.units
        return a[:, :H], a[:, H:2 * H], a[:, 2 * H:]

    def forward(self, x, training=False, initial_state=None):
        xp, H = self.xp, self.units
        xt = self._begin(x)                                # (T, B, F)
        h0 = self.initial_state if initial_state is None else initial_state
        self.h0_zero = h0 is None
        XW = self._input_projection(self.b_input)          # x_t W + b_in, every t
        Hs = self.Hs = self._states(h0)                    # Hs[t] = h_t, (T+1, B, H)
        G = self.G = self._work("gates", XW.shape)         # [r | z | n] per step
        R = self.R = self._work("rec", XW.shape)           # ĥ_t per step
        for t in range(1, xt.shape[0] + 1):
            rec, xw = R[t - 1], XW[t - 1]                  # (B, 3H)
            if t == 1 and self.h0_zero:
                rec[...] = self.b_recurrent                # h_0 = 0: ĥ = b_rec
            else:
                xp.matmul(Hs[t - 1], self.U, out=rec)      # ĥ_t = h_{t−1} U
                rec += self.b_recurrent                    #     + b_rec
            rz, n = G[t - 1, :, :2 * H], G[t - 1, :, 2 * H:]
            xp.add(xw[:, :2 * H], rec[:, :2 * H], out=rz)
            sigmoid(xp, rz, out=rz)                        # r, z = σ(…), σ(…)
            r, z = rz[:, :H], rz[:, H:]
            xp.multiply(r, rec[:, 2 * H:], out=n)          # r ⊙ ĥ_n
            n += xw[:, 2 * H:]                             #   + x_t W_n + b_in,n
            xp.tanh(n, out=n)                              # n = tanh(…)
            h = Hs[t]
            xp.subtract(Hs[t - 1], n, out=h)               # h_t = n + z ⊙ (h_{t−1} − n)
            h *= z                                         #     = (1 − z) ⊙ n
            h += n                                         #       + z ⊙ h_{t−1}
            self._copy_padded(Hs, t)                       # padding: h_t = h_{t−1}
        return self._outputs()

    def backward(self, dy):
        Hs, real, H = self.Hs, self.real, self.units
        DH = self._seed_dh(dy)                             # DH[t] = ∂L/∂h_t
        dA = self._work("dA", self.G.shape)                # input side [r | z | n]
        dR = self._work("dR", self.G.shape)                # recurrent side
        Ut = self.U.T
        for t in range(len(dA), 0, -1):
            dh = DH[t]
            r, z, n = self._split(self.G[t - 1])
            rec_n, h_prev = self.R[t - 1, :, 2 * H:], Hs[t - 1]  # ĥ_n, h_{t−1}
            da_r, da_z, da_n = self._split(dA[t - 1])
            da_n[...] = dh * (1.0 - z) * (1.0 - n * n)     # dh ⊙ (1 − z) ⊙ (1 − n²)
            da_z[...] = dh * (h_prev - n) * z * (1.0 - z)  # dh ⊙ (h_{t−1} − n) z(1 − z)
            da_r[...] = da_n * rec_n * r * (1.0 - r)       # da_n ⊙ ĥ_n ⊙ r(1 − r)
            if real is not None:
                dA[t - 1] *= real[t - 1]                   # padded step: no gradient
            dR[t - 1] = dA[t - 1]                          # dR_t = [da_r, da_z,
            dR[t - 1, :, 2 * H:] *= r                      #         da_n ⊙ r]
            if self._cut(t):
                continue
            DH[t - 1] += dR[t - 1] @ Ut                    # dh_{t−1} += dR_t Uᵀ
            if real is None:
                DH[t - 1] += dh * z                        #   + dh_t ⊙ z
            else:                                          #   (all of dh where padded)
                DH[t - 1] += dh * (z * real[t - 1] + self.padded[t - 1])
        self.d_initial_state = None if self.h0_zero else DH[0]
        return self._param_grads(dA, dR)

    def _bias_grads(self, dA2, dR2) -> None:
        self.db_input += colsum(dA2, self.xp)              # db_in  += Σ_t Σ_B dA_t
        self.db_recurrent += colsum(dR2, self.xp)          # db_rec += Σ_t Σ_B dR_t
