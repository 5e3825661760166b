"""Layers (``gn.layers``). ``LAYER_TYPES`` is the closed registry used to
rebuild saved models: a dict lookup only — nothing is ever imported or
looked up by a name that comes from a file."""

from glassnet.core.dense import Dense
from glassnet.core.layer import Layer
from glassnet.core.simple import Activation, Dropout, Flatten
from glassnet.rnn import GRU, LSTM, SimpleRNN, TimeDistributed, pad_sequences

LAYER_TYPES: dict[str, type[Layer]] = {
    "Dense": Dense,
    "Activation": Activation,
    "Dropout": Dropout,
    "Flatten": Flatten,
    "SimpleRNN": SimpleRNN,
    "LSTM": LSTM,
    "GRU": GRU,
    "TimeDistributed": TimeDistributed,
}

__all__ = ["GRU", "LAYER_TYPES", "LSTM", "Activation", "Dense", "Dropout", "Flatten",
           "Layer", "SimpleRNN", "TimeDistributed", "pad_sequences"]
