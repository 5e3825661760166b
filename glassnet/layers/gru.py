"""GRU: gated recurrent unit (Cho et al., 2014), in PyTorch's formulation,
trained by backpropagation through time."""

from __future__ import annotations

import numpy as np

from glassnet.layers.rnn import Recurrent


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """σ(a) = ½ + ½ tanh(a/2), in place."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


class GRU(Recurrent):
    """Gated recurrent unit: the state is a gated mix of itself and a candidate.

    forward, for t = 0 … T−1 (gate blocks [r | z | n] of W, U and both biases):
        ĥ_t = h_{t−1} U + b_rec                (B, 3H) the recurrent product
        r = σ(x_t W_r + b_in,r + ĥ_r)          reset gate
        z = σ(x_t W_z + b_in,z + ĥ_z)          update gate
        n = tanh(x_t W_n + b_in,n + r ⊙ ĥ_n)   candidate (reset applied AFTER U)
        h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
    backward through time, t = T−1 … 0:
        dh_t = ∂L/∂y_t + dh_{t+1}^rec
        da_n = dh_t ⊙ (1 − z) ⊙ (1 − n²)
        da_z = dh_t ⊙ (h_{t−1} − n) ⊙ z(1 − z)
        da_r = da_n ⊙ ĥ_n ⊙ r(1 − r)
        input side:      dA_t = [da_r, da_z, da_n]
        recurrent side:  dR_t = [da_r, da_z, da_n ⊙ r]
        to step t−1:     dh^rec = dR_t Uᵀ + dh_t ⊙ z
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
    param_names = ("W", "U", "b_input", "b_recurrent")

    def param_shapes(self):
        F, H = self.n_features, self.units
        return {"W": (F, 3 * H), "U": (H, 3 * H), "b_input": (3 * H,),
                "b_recurrent": (3 * H,)}

    def forward(self, x, training=False, initial_state=None):
        xt = self._begin(x)                                # (T, B, F)
        T, B, H = self.T, self.B, self.units
        XW = self._work("xw", (T, B, 3 * H))
        np.matmul(xt.reshape(T * B, -1), self.W, out=XW.reshape(T * B, 3 * H))
        XW += self.b_input                                 # x_t W + b_in, all t
        Hs = self._work("h", (T + 1, B, H))                # Hs[t+1] = h_t
        G = self._work("gates", (T, B, 3 * H))             # [r | z | n] per step
        R = self._work("rec", (T, B, 3 * H))               # ĥ_t = h_{t−1} U + b_rec
        h0 = initial_state if initial_state is not None else self.initial_state
        Hs[0], self.h0_zero = self._state0(h0, "h0"), h0 is None
        for t in range(T):
            rec, gt = R[t], G[t]
            if t == 0 and self.h0_zero:
                rec[...] = self.b_recurrent                # h_{−1} = 0: ĥ = b_rec
            else:
                np.matmul(Hs[t], self.U, out=rec)          # ĥ_t = h_{t−1} U
                rec += self.b_recurrent                    #     + b_rec
            rz, n = gt[:, :2 * H], gt[:, 2 * H:]
            np.add(XW[t, :, :2 * H], rec[:, :2 * H], out=rz)
            _sigmoid_(rz)                                  # r, z
            np.multiply(rz[:, :H], rec[:, 2 * H:], out=n)  # r ⊙ ĥ_n
            n += XW[t, :, 2 * H:]
            np.tanh(n, out=n)                              # n
            h = Hs[t + 1]
            np.subtract(Hs[t], n, out=h)
            h *= rz[:, H:]
            h += n                                         # h_t = n + z ⊙ (h_{t−1} − n)
            if self.skip is not None:                      # padding: copy the state
                np.copyto(h, Hs[t], where=self.skip[t])
        self.Hs, self.G, self.R = Hs, G, R
        return self._outputs(Hs)

    def backward(self, dy, accumulate=True):
        T, B, H = self.T, self.B, self.units
        DH, dY = self._seed_dh(dy)                         # DH[t] = ∂L/∂h_t
        dA = self._work("dA", (T, B, 3 * H))               # input side [r | z | n]
        dR = self._work("dR", (T, B, 3 * H))               # recurrent side
        dn = self._work("tmp_dn", (B, H))
        dh0 = self._work("dh_init", (B, H))
        Ut = self._work("Ut", (3 * H, H))
        Ut[...] = self.U.T
        keep, skip = self.keep, self.skip
        for t in range(T - 1, -1, -1):
            dh, a, da, dr = DH[t], self.G[t], dA[t], dR[t]
            r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
            da_r, da_z, da_n = da[:, :H], da[:, H:2 * H], da[:, 2 * H:]
            np.subtract(1.0, z, out=dn)
            dn *= dh                                       # ∂L/∂n = dh ⊙ (1 − z)
            np.square(n, out=da_n)
            np.subtract(1.0, da_n, out=da_n)
            da_n *= dn                                     # da_n = ∂L/∂n ⊙ (1 − n²)
            np.subtract(self.Hs[t], n, out=da_z)
            da_z *= z
            da_z *= dn                                     # da_z = dh (h − n) z(1 − z)
            np.subtract(1.0, r, out=da_r)
            da_r *= r
            da_r *= self.R[t, :, 2 * H:]
            da_r *= da_n                                   # da_r = da_n ĥ_n r(1 − r)
            if keep is not None:
                da *= keep[t]                              # padded step: no gradient
            dr[:, :2 * H] = da[:, :2 * H]
            np.multiply(da_n, r, out=dr[:, 2 * H:])        # dR_n = da_n ⊙ r
            prev = DH[t - 1] if t > 0 else dh0
            if self._cut(t):
                prev[...] = 0.0
            else:
                np.matmul(dr, Ut, out=prev)                # dR_t Uᵀ
                np.multiply(dh, z, out=dn)                 # + dh ⊙ z (all of dh
                if skip is not None:                       #   where padded)
                    np.copyto(dn, dh, where=skip[t])
                prev += dn
            if t > 0 and dY is not None:
                prev += dY[t - 1]
        self.DH, self.d_initial_state = DH, None if self.h0_zero else dh0
        return self._param_grads(dA, dR, accumulate, ("b_input", "b_recurrent"))
