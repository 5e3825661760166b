"""mnist — the 784-15-10 network of seed 001, trained on handwritten digits.

28×28 = 784 pixel inputs, a hidden layer of 15 sigmoid units and 10 softmax
outputs: 784·15 + 15 + 15·10 + 10 = 11,935 parameters. MNIST is read from
$GLASSNET_DATA_DIR (or glassnet's cache); the demo never downloads.
"""

from __future__ import annotations

import numpy as np

from glassnet.data import load_mnist
from glassnet.errors import DataError
from glassnet.layers import Dense, Flatten
from glassnet.model import Sequential


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    try:
        x_train, y_train, x_test, y_test = load_mnist(download=False)
    except DataError as err:
        p("mnist demo skipped: the MNIST files are not here.\n"
          "Set GLASSNET_DATA_DIR to a folder holding mnist.npz (or run "
          "glassnet.load_mnist() once to download it into the cache).\n"
          f"({err})")
        return {"skipped": True, "reason": str(err)}
    n_train = 6_000 if fast else len(x_train)
    X = x_train[:n_train].astype(np.float32) / 255.0   # pixels 0..255 → 0..1
    Xt = x_test.astype(np.float32) / 255.0
    net = Sequential([Flatten(input_dim=(28, 28)),
                         Dense(15, "sigmoid"), Dense(10, "softmax")], seed=0)
    p("Seed 001's network for handwritten digits: 28×28 = 784 pixels in, 15 "
      "sigmoid\nunits, 10 outputs (one per digit): 784·15 + 15 + 15·10 + 10 = "
      "11,935 parameters.\n")
    net.summary(print_fn=p)
    net.compile(loss="categorical_crossentropy", optimizer="adam",
                learning_rate=0.005, metrics=["accuracy"])
    epochs = 2 if fast else 10
    p(f"\ntraining on {n_train:,} images for {epochs} epochs …")
    net.fit(X, y_train[:n_train], epochs=epochs, batch_size=64, verbose=0, seed=0)
    res = net.evaluate(Xt, y_test)
    p(f"test accuracy on the 10,000 test images: {res['accuracy']:.2%}")
    first = net.predict_proba(Xt[:1])[0]
    p(f"first test image: label {y_test[0]}, the network says "
      f"{int(first.argmax())} with probability {first.max():.2f}")
    return {"skipped": False, "params": net.count_params(),
            "test_accuracy": res["accuracy"], "n_train": n_train}
