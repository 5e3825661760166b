"""LSTM: long short-term memory (Hochreiter & Schmidhuber, 1997; forget gate:
Gers, Schmidhuber & Cummins, 2000), trained by backpropagation through time."""

from __future__ import annotations

from glassnet.fast import lstm as fused
from glassnet.rnn.base import Recurrent, sigmoid


class LSTM(Recurrent):
    """Long short-term memory layer: a cell c_t that is only ever added to.

    forward, for t = 1 … T, with the four gates from ONE matrix product:
        z_t = x_t W + h_{t−1} U + b          z_t: (B, 4H) = [z_i | z_f | z_g | z_o]
        i = σ(z_i)   f = σ(z_f)   g = tanh(z_g)   o = σ(z_o)
        c_t = f ⊙ c_{t−1} + i ⊙ g            (cell: the long memory)
        h_t = o ⊙ tanh(c_t)                  (state / output)
    backward through time, t = T … 1 (dh_t starts as ∂L/∂y_t, dc as 0):
        dc_t += dh_t ⊙ o ⊙ (1 − tanh²c_t)
        dz_i = dc_t ⊙ g ⊙ i(1 − i)            dz_f = dc_t ⊙ c_{t−1} ⊙ f(1 − f)
        dz_g = dc_t ⊙ i ⊙ (1 − g²)            dz_o = dh_t ⊙ tanh c_t ⊙ o(1 − o)
        to step t−1:  dh_{t−1} += dz_t Uᵀ,   dc_{t−1} = dc_t ⊙ f
        dW = Σ_t x_tᵀ dz_t   dU = Σ_t h_{t−1}ᵀ dz_t   db = Σ_t Σ_B dz_t   dx_t = dz_t Wᵀ
    The cell path multiplies by f (not by Uᵀ and tanh'), which is why the
    gradient survives many steps when f ≈ 1.

    Keeps ``c`` (B, T, H) = c_1 … c_T besides the common ``x`` and ``h``.

    Training runs the same equations in the fused form of
    ``glassnet.fast.lstm`` (all four gates from one tanh call; equal to
    float64 rounding, ``tests/test_fast.py``). ``layer.fast = False`` runs
    the forward and backward written below instead, and so does a GPU (the
    fused form writes with ufunc ``where=``, which CuPy does not have).

    Layout (get_weights order): W (F, 4H), U (H, 4H), b (4H,); the column blocks
    are the gates in the order input, forget, cell candidate, output (i, f, g, o).
    PyTorch nn.LSTM uses the same order: weight_ih_l0 = Wᵀ, weight_hh_l0 = Uᵀ,
    bias_ih_l0 + bias_hh_l0 = b. Keras uses the same order with the same (F, 4H).
    Init: W Glorot uniform, U orthogonal per gate, b zeros except the forget
    gate's bias 1.0 (``unit_forget_bias``; Jozefowicz et al., 2015).
    """

    gates = ("input", "forget", "cell", "output")
    keeps = ("x", "h", "c")
    tape = (*Recurrent.tape, "C", "G", "TC", "G_fused", "fused")
    #: run the fused kernels of glassnet.fast.lstm (read at forward)
    fast = True

    def __init__(self, units, return_sequences=False, mask_value=None, truncate=None,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, input_dim=None, name=None):
        super().__init__(units, return_sequences, mask_value, truncate,
                         kernel_initializer, recurrent_initializer, bias_initializer,
                         input_dim, name)
        self.unit_forget_bias = bool(unit_forget_bias)
        #: c₀ used when forward() gets no initial_state: None (zeros), (H,) or (B, H)
        self.initial_cell = None
        self.c = None

    def init_params(self, rng, dtype):
        vals = super().init_params(rng, dtype)
        if self.unit_forget_bias:
            vals["b"][self.units:2 * self.units] = 1.0
        return vals

    def _split(self, a):
        """The four (B, H) gate blocks [i | f | g | o] of a (B, 4H) array (views)."""
        H = self.units
        return a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]

    def forward(self, x, training=False, initial_state=None):
        """``initial_state``: (h₀, c₀), each None, (H,) or (B, H)."""
        xt = self._begin(x)                                # (T, B, F)
        h0, c0 = (self.initial_state, self.initial_cell) if initial_state is None \
            else initial_state
        self.h0_zero = h0 is None and c0 is None
        self.Hs, self.C = self._states(h0), self._states(c0, "c")  # (T+1, B, H)
        # the fused form writes with ufunc where=, which CuPy lacks: on a GPU
        # the readable equations run
        self.fused = self.fast and self.backend.ufunc_where
        if self.fused:
            fused.forward(self)                            # the same, fused
        else:
            self._forward_steps(xt.shape[0])
        self.c = self.C[1:].transpose(1, 0, 2)             # (B, T, H) view
        return self._outputs()

    def _forward_steps(self, T: int) -> None:
        xp, Hs, C = self.xp, self.Hs, self.C
        XW = self._input_projection(self.b)                # x_t W + b, (T, B, 4H)
        G = self.G = self._work("gates", XW.shape)         # z_t, then [i | f | g | o]
        TC = self.TC = self._work("tanh_c", Hs[1:].shape)  # tanh(c_t), (T, B, H)
        for t in range(1, T + 1):
            z = G[t - 1]                                   # (B, 4H)
            if t == 1 and self.h0_zero:
                z[...] = XW[0]                             # h_0 = 0: no h U term
            else:
                xp.matmul(Hs[t - 1], self.U, out=z)        # z_t = h_{t−1} U
                z += XW[t - 1]                             #     + x_t W + b
            i, f, g, o = self._split(z)
            sigmoid(xp, i, out=i)                          # i = σ(z_i)
            sigmoid(xp, f, out=f)                          # f = σ(z_f)
            xp.tanh(g, out=g)                              # g = tanh(z_g)
            sigmoid(xp, o, out=o)                          # o = σ(z_o)
            xp.multiply(f, C[t - 1], out=C[t])             # c_t = f ⊙ c_{t−1}
            C[t] += i * g                                  #     + i ⊙ g
            xp.tanh(C[t], out=TC[t - 1])
            xp.multiply(o, TC[t - 1], out=Hs[t])           # h_t = o ⊙ tanh(c_t)
            self._copy_padded(C, t)                        # padding: the state
            self._copy_padded(Hs, t)                       #   is carried over

    def backward(self, dy):
        DH = self._seed_dh(dy)                             # DH[t] = ∂L/∂h_t
        if self.fused:
            dZ, dc = fused.backward(self, DH)              # the same, fused
        else:
            dZ, dc = self._backward_steps(DH)
        self.d_initial_state = None if self.h0_zero else (DH[0], dc)
        return self._param_grads(dZ, dZ)

    def _backward_steps(self, DH):
        xp, C, TC, real = self.xp, self.C, self.TC, self.real
        dZ = self._work("dz", self.G.shape)                # ∂L/∂z_t, (T, B, 4H)
        dc = self._work("dc", DH[0].shape)                 # ∂L/∂c_t, (B, H)
        dc[...] = 0.0
        Ut = self.U.T
        for t in range(len(TC), 0, -1):
            dh, tc, m = DH[t], TC[t - 1], 1.0 if real is None else real[t - 1]
            i, f, g, o = self._split(self.G[t - 1])
            dz_i, dz_f, dz_g, dz_o = self._split(dZ[t - 1])
            dc += dh * o * (1.0 - tc * tc) * m             # dc_t += dh ⊙ o ⊙ tanh'
            dz_i[...] = dc * g * i * (1.0 - i)             # dc ⊙ g ⊙ i(1 − i)
            dz_f[...] = dc * C[t - 1] * f * (1.0 - f)      # dc ⊙ c_{t−1} ⊙ f(1 − f)
            dz_g[...] = dc * i * (1.0 - g * g)             # dc ⊙ i ⊙ (1 − g²)
            dz_o[...] = dh * tc * o * (1.0 - o)            # dh ⊙ tanh c_t ⊙ o(1 − o)
            if real is not None:                           # padded step: h_t, c_t are
                dZ[t - 1] *= m                             #   copies, no gradient
            if self._cut(t):
                dc[...] = 0.0
                continue
            DH[t - 1] += dZ[t - 1] @ Ut                    # dh_{t−1} += dz_t Uᵀ
            if real is None:
                dc *= f                                    # dc_{t−1} = dc_t ⊙ f
            else:                                          # (padded: dc, dh pass on)
                xp.copyto(dc, dc * f, where=m)
                DH[t - 1] += dh * self.padded[t - 1]
        return dZ, dc

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}
