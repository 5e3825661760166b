"""seven-segment — 7 lit segments in, the digit out (seed 000's network).

Seed 000 sketches 7 input neurons (one per segment, 1 = lit), a hidden layer
of 4 ReLU units and 10 outputs, one per digit. Here the outputs are a
softmax trained with cross-entropy, so they read as probabilities.
"""

from __future__ import annotations

import numpy as np

from glassnet.data import seven_segment
from glassnet.data.generated import SEVEN_SEGMENT_NAMES
from glassnet.layers import Dense
from glassnet.model import Sequential

_ART = (" aaa ", "f   b", " ggg ", "e   c", " ddd ")


def draw(segments) -> list[str]:
    lit = dict(zip(SEVEN_SEGMENT_NAMES, segments, strict=True))
    return ["".join(("#" if lit[c] else "·") if c in lit else c for c in row)
            for row in _ART]


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    X, y = seven_segment()
    net = Sequential([Dense(4, "relu", input_dim=7,
                                  kernel_initializer="he_normal"),
                         Dense(10, "softmax")], seed=3)
    net.compile(loss="categorical_crossentropy", optimizer="adam",
                learning_rate=0.05, metrics=["accuracy"])
    p("A seven-segment display: 7 inputs (1 = segment lit), 4 hidden ReLU units, "
      "10 outputs\n(one probability per digit), trained on the ten digits.\n")
    net.summary(print_fn=p)
    hist = net.fit(X, y, epochs=300 if fast else 1500, batch_size=10, verbose=0,
                   seed=0)
    acc = float((net.predict_classes(X) == y).mean())
    p(f"\nafter {len(hist)} epochs: loss {hist['loss'][-1]:.4f}, "
      f"{int(acc * 10)} of 10 digits recognised")
    six = X[6:7]
    hidden = np.maximum(six @ net.layers[0].W + net.layers[0].b, 0)[0]
    probs = net.predict(six)[0]
    p("\nThe digit 6 going through the network:")
    for row in draw(six[0]):
        p("    " + row)
    p("segments a–g: " + " ".join(f"{c}={int(v)}" for c, v in
                                  zip(SEVEN_SEGMENT_NAMES, six[0], strict=True)))
    p("hidden ReLU units: " + ", ".join(f"{v:.3f}" for v in hidden))
    p("output probabilities: " + "  ".join(f"{d}:{q:.2f}" for d, q in
                                           enumerate(probs)))
    p(f"→ the network says {int(probs.argmax())}")
    return {"accuracy": acc, "loss": hist["loss"][-1],
            "prediction_for_6": int(probs.argmax()), "probabilities_for_6":
            probs.tolist()}
