"""The tape of a recurrent layer: time-major buffers, masks, BPTT sums.

Inputs are batch-first ``(B, T, F)``; inside a layer everything is time-major
``(T, B, ·)`` so that step t is one contiguous block. Steps are t = 1 … T:
forward keeps ``Hs[t]`` = h_t (``Hs[0]`` = h₀, the initial state), backward
``DH[t]`` = ∂L/∂h_t and the recurrent pre-activations' gradient δ_t
(``dZ_rec[t−1]``), so that ∂L/∂U = Σ_t h_{t−1}ᵀ δ_t (backpropagation through
time) can be shown term by term (``recurrent_weight_receipt``) and ‖∂L/∂h_t‖
plotted over t (``step_grad_norms``).

Masking (padding of variable-length sequences): a step whose features all
equal ``mask_value`` is padding. With m_t ∈ {0, 1} per sample,

    h_t = m_t · cell(x_t, h_{t−1}) + (1 − m_t) · h_{t−1}    (state copied forward)
    y_t = m_t · h_t                                         (padded outputs are 0)

so a padded step changes no state, and in backward it passes ∂L/∂h_t straight
to h_{t−1} and adds nothing to ∂L/∂W, ∂L/∂U, ∂L/∂b or ∂L/∂x_t.

Truncated BPTT (``truncate=k``): the states h_k, h_2k, … are constants in
backward — what feeding the sequence in chunks of k steps with a detached
carried state computes.
"""

from __future__ import annotations

import math

from glassnet.core.layer import Layer
from glassnet.fast.colsum import colsum
from glassnet.rnn.checks import check_sequence, check_state


class RecurrentTape(Layer):
    """Base of ``Recurrent``: the forward and backward helpers its cells
    (SimpleRNN, LSTM, GRU) call, on time-major buffers (see the module
    docstring). The subclass sets ``units``, ``mask_value``, ``truncate``,
    ``return_sequences`` and binds W, U, b and their gradients."""

    #: time-major values that backward and the receipt read; infer() leaves
    #: them alone as it does the kept values
    tape: tuple[str, ...] = ("xt", "real", "padded", "h0_zero", "Hs", "DH",
                             "dZ_rec", "d_initial_state")

    # -- forward helpers ---------------------------------------------------
    def _work(self, key: str, shape: tuple[int, ...]):
        """A reusable buffer of exactly ``shape``: a prefix of the largest one
        seen, so that any number of steps and any batch size share memory."""
        n = math.prod(shape)
        buf = self._bufs.get(key)
        if buf is None or buf.size < n or buf.dtype != self.dtype:
            buf = self._bufs[key] = self.xp.empty(n, dtype=self.dtype)
        return buf[:n].reshape(shape)

    def _begin(self, x):
        """Keep x and its time-major copy xt (T, B, F), the mask m_t (``real``,
        (T, B, 1), None when nothing is padded) and ``padded`` = 1 − m_t."""
        B, T, F = check_sequence(x, self.n_features)
        self.x, self.xt = x, self._work("xt", (T, B, F))
        self.xt[...] = x.transpose(1, 0, 2)                # (T, B, F)
        self.real = self.padded = None
        if self.mask_value is not None:
            real = (self.xt != self.mask_value).any(axis=2, keepdims=True)
            if not real.all():
                self.real, self.padded = real, ~real       # (T, B, 1)
        return self.xt

    def _states(self, state, key: str = "h"):
        """The (T + 1, B, H) buffer of states with row 0 = the initial state:
        zeros, or ``state`` broadcast from (H,) or (B, H)."""
        T, B, F = self.xt.shape
        S = self._work(key, (T + 1, B, self.units))
        if state is None:
            S[0] = 0.0
            return S
        S[0] = check_state(self.xp.asarray(state, dtype=self.dtype), B, self.units)
        return S

    def _input_projection(self, b, key: str = "xw"):
        """x_t W + b for every step at once: one (T·B, F) × (F, k·H) product."""
        T, B, F = self.xt.shape
        XW = self._work(key, (T, B, self.W.shape[1]))
        self.xp.matmul(self.xt.reshape(T * B, F), self.W,
                       out=XW.reshape(T * B, -1))          # (T, B, k·H)
        XW += b
        return XW

    def _copy_padded(self, S, t: int) -> None:
        """Padding at step t: S[t] = S[t−1] where m_t = 0 (the state is carried)."""
        if self.padded is not None:
            self.xp.copyto(S[t], S[t - 1], where=self.padded[t - 1])

    def _outputs(self):
        """Keep h (B, T, H); return y: h_T (B, H), or m_t ⊙ h_t (B, T, H)."""
        Hs = self.Hs
        self.h = Hs[1:].transpose(1, 0, 2)                 # (B, T, H) view
        if not self.return_sequences:
            return Hs[-1]                                  # y = h_T
        if self.real is None:
            return self.h
        Y = self._work("y", Hs[1:].shape)
        self.xp.multiply(Hs[1:], self.real, out=Y)         # y_t = m_t h_t
        return Y.transpose(1, 0, 2)

    # -- backward helpers --------------------------------------------------
    def _seed_dh(self, dy):
        """DH (T + 1, B, H) set to what the output gives: DH[t] = ∂L/∂y_t
        (only DH[T] without return_sequences), DH[0] = 0."""
        T, B, _ = self.xt.shape
        DH = self.DH = self._work("dh", (T + 1, B, self.units))
        DH[...] = 0.0
        if not self.return_sequences:
            DH[-1] = dy                                    # ∂L/∂h_T = ∂L/∂y
            return DH
        DH[1:] = dy.transpose(1, 0, 2)                     # ∂L/∂h_t = ∂L/∂y_t
        if self.real is not None:
            DH[1:] *= self.real                            # padded y_t are constants
        return DH

    def _cut(self, t: int) -> bool:
        """No gradient from step t (1 … T) to h_{t−1}: truncated BPTT cuts the
        state entering steps 1 + k, 1 + 2k, …; and ∂L/∂h₀ goes nowhere when
        no initial state was given."""
        if t == 1:
            return self.h0_zero
        return self.truncate is not None and (t - 1) % self.truncate == 0

    def _param_grads(self, dA, dR):
        """Every step at once, one matrix product each (the sums of BPTT):

            dW += Σ_t x_tᵀ dA_t       dU += Σ_t h_{t−1}ᵀ dR_t      dx_t = dA_t Wᵀ
            db += Σ_t Σ_B dA_t        (the GRU adds its second bias)

        dA (T, B, k·H): ∂L/∂(input-side pre-activations); dR: the recurrent
        side (the same array, except in the GRU). Returns dx (B, T, F)."""
        (T, B, F), H = self.xt.shape, self.units
        dA2 = dA.reshape(T * B, -1)                        # (T·B, k·H)
        dR2 = dR.reshape(T * B, -1)
        s = B if self.h0_zero else 0                       # h₀ = 0 adds nothing
        Hp = self.Hs[:-1].reshape(T * B, H)[s:]            # h_{t−1} for every t
        self.dW += self.xt.reshape(T * B, F).T @ dA2       # dW += Σ_t x_tᵀ dA_t
        self.dU += Hp.T @ dR2[s:]                          # dU += Σ_t h_{t−1}ᵀ dR_t
        self._bias_grads(dA2, dR2)
        self.dZ_rec = dR
        return self._end_backward(dA2)

    def _bias_grads(self, dA2, dR2) -> None:
        self.db += colsum(dA2, self.xp)                    # db += Σ_t Σ_B dA_t

    def _end_backward(self, dA2):
        """Keep dh (B, T, H) and ‖∂L/∂h_t‖; return dx_t = dA_t Wᵀ (B, T, F)."""
        xp, (T, B, F) = self.xp, self.xt.shape
        DH = self.DH[1:]
        self.dh = DH.transpose(1, 0, 2)                    # (B, T, H) view
        D2 = DH.reshape(T, -1)
        self.step_grad_norms = xp.sqrt(xp.einsum("tk,tk->t", D2, D2)).astype(
            xp.float64)                                    # ‖∂L/∂h_t‖, (T,)
        if not self.need_input_grad:
            return None
        dx = self._work("dx", (T, B, F))
        xp.matmul(dA2, self.W.T, out=dx.reshape(T * B, F))  # dx_t = dA_t Wᵀ
        return dx.transpose(1, 0, 2)                       # (B, T, F)

    def infer(self, x):
        """Forward in separate buffers; backward's tape and the kept values
        stay as the last training pass left them."""
        saved = {k: self.__dict__[k] for k in self.tape if k in self.__dict__}
        try:
            return super().infer(x)
        finally:
            self.__dict__.update(saved)
