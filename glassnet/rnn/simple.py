"""SimpleRNN: the Elman recurrent layer (Elman, 1990)."""

from __future__ import annotations

from glassnet.rnn.base import Recurrent


class SimpleRNN(Recurrent):
    """Elman recurrent layer: one tanh state carried from step to step.

    forward, for t = 1 … T (h_0 is the initial state, zeros by default):
        a_t = x_t W + h_{t−1} U + b         x_t: (B, F)  W: (F, H)  U: (H, H)
        h_t = tanh(a_t)                      h_t: (B, H)
        y   = h_T  (B, H),   or every h_t  (B, T, H) with return_sequences
    backward through time, t = T … 1 (dh_t starts as ∂L/∂y_t):
        δ_t       = dh_t ⊙ (1 − h_t²)        (tanh' from the kept output)
        dh_{t−1} += δ_t Uᵀ
        dW = Σ_t x_tᵀ δ_t   dU = Σ_t h_{t−1}ᵀ δ_t   db = Σ_t Σ_B δ_t   dx_t = δ_t Wᵀ
    The product Uᵀ repeated T times is why ‖dh_t‖ shrinks (or explodes) with
    distance from the loss: see ``step_grad_norms`` after backward.

    Layout (get_weights order): W (F, H), U (H, H), b (H,).
    PyTorch nn.RNN: weight_ih_l0 = Wᵀ, weight_hh_l0 = Uᵀ, bias_ih_l0 + bias_hh_l0 = b.
    Init: W Glorot uniform, U orthogonal, b zeros.
    """

    gates = ("h",)

    def forward(self, x, training=False, initial_state=None):
        xp = self.xp
        xt = self._begin(x)                                # (T, B, F)
        h0 = self.initial_state if initial_state is None else initial_state
        self.h0_zero = h0 is None
        XW = self._input_projection(self.b)                # x_t W + b, every t
        Hs = self.Hs = self._states(h0)                    # Hs[t] = h_t, (T+1, B, H)
        for t in range(1, xt.shape[0] + 1):
            a = Hs[t]
            if t == 1 and self.h0_zero:
                a[...] = XW[0]                             # h_0 = 0: no h U term
            else:
                xp.matmul(Hs[t - 1], self.U, out=a)        # a_t = h_{t−1} U
                a += XW[t - 1]                             #     + x_t W + b
            xp.tanh(a, out=a)                              # h_t = tanh(a_t)
            self._copy_padded(Hs, t)                       # padding: h_t = h_{t−1}
        return self._outputs()

    def backward(self, dy):
        xp, T = self.xp, self.xt.shape[0]
        Hs, DH = self.Hs, self._seed_dh(dy)                # DH[t] = ∂L/∂h_t
        dZ = self._work("dz", Hs[1:].shape)                # δ_t, (T, B, H)
        xp.multiply(Hs[1:], Hs[1:], out=dZ)
        xp.subtract(1.0, dZ, out=dZ)                       # tanh'(a_t) = 1 − h_t²
        if self.real is not None:
            dZ *= self.real                                # padded steps: δ_t = 0
        Ut = self.U.T
        for t in range(T, 0, -1):
            delta = dZ[t - 1]
            delta *= DH[t]                                 # δ_t = dh_t ⊙ (1 − h_t²)
            if not self._cut(t):
                DH[t - 1] += delta @ Ut                    # dh_{t−1} += δ_t Uᵀ
                if self.padded is not None:                # padded: dh passes on
                    DH[t - 1] += DH[t] * self.padded[t - 1]
        self.d_initial_state = None if self.h0_zero else DH[0]
        return self._param_grads(dZ, dZ)
