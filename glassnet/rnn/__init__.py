"""Recurrent layers: SimpleRNN, LSTM, GRU, trained by backpropagation through time.

- ``base``: what they share — shapes, masks, initial states, the BPTT
  bookkeeping and the parameter-gradient products over all steps at once.
- ``simple``, ``lstm``, ``gru``: each cell's forward and backward, as the
  equations in its docstring (the LSTM's fused training form lives in
  ``glassnet.fast.lstm``).
- ``time_distributed``: TimeDistributed and pad_sequences.
- ``receipts``: ∂L/∂U[i, j] as its sum over time steps.
"""

from glassnet.rnn.gru import GRU
from glassnet.rnn.lstm import LSTM
from glassnet.rnn.receipts import RecurrentReceipt
from glassnet.rnn.simple import SimpleRNN
from glassnet.rnn.time_distributed import TimeDistributed, pad_sequences

__all__ = ["GRU", "LSTM", "RecurrentReceipt", "SimpleRNN", "TimeDistributed",
           "pad_sequences"]
