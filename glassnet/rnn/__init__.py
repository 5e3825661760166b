"""Recurrent layers: SimpleRNN, LSTM, GRU, trained by backpropagation through time."""
