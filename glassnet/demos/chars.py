"""chars — a character-level language model: sequence to sequence.

Two sonnets of Shakespeare and Blake's "The Tyger" (public domain, shipped in
``glassnet/demos/data/verses.txt``) are cut into windows of T characters.
Each character is a one-hot vector x_t (V letters); the target of step t is
the character that follows it, so inputs and targets are the same window
shifted by one:

    x:  "shall i compare th"        y:  "hall i compare the"

A GRU with ``return_sequences=True`` reads the window and gives one state h_t
per step; ``TimeDistributed(Dense(V, "softmax"))`` turns every h_t into
p(next character | the characters so far). The loss is the cross-entropy of
every step, averaged (the targets have the output's shape: (B, T) labels for
(B, T, V) probabilities). A model that knows nothing pays ln V nats a
character; one that knows only the letters' frequencies pays their entropy
H = −Σ pᵢ ln pᵢ. Then it writes: start from a few words, sample the next
character from p (sharpened by a temperature), append it, repeat.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from glassnet.layers import GRU, Dense, TimeDistributed
from glassnet.model import Sequential

TEXT = Path(__file__).parent / "data" / "verses.txt"
SEED_TEXT = "shall i compare thee"


def load_text() -> str:
    """The shipped verses, lower-case, lines joined by newlines."""
    return TEXT.read_text(encoding="utf-8").lower()


def windows(text: str, vocab: list[str], T: int, stride: int):
    """One-hot inputs X (N, T, V) and next-character labels y (N, T)."""
    index = {c: i for i, c in enumerate(vocab)}
    codes = np.array([index[c] for c in text])                 # (n_chars,)
    starts = np.arange(0, len(codes) - T - 1, stride)
    x = codes[starts[:, None] + np.arange(T)]                  # (N, T)
    X = np.eye(len(vocab), dtype=np.float32)[x]                # (N, T, V)
    return X, codes[starts[:, None] + np.arange(T) + 1]        # y: (N, T)


def one_hot(text: str, vocab: list[str]) -> np.ndarray:
    """One sequence, (1, len(text), V)."""
    index = {c: i for i, c in enumerate(vocab)}
    return np.eye(len(vocab), dtype=np.float32)[[index[c] for c in text]][None]


def build(V: int, units: int, seed: int = 0) -> Sequential:
    net = Sequential([GRU(units, input_dim=V, return_sequences=True),
                      TimeDistributed(Dense(V, activation="softmax"))], seed=seed)
    net.compile(loss="categorical_crossentropy", optimizer="adam",
                learning_rate=0.01, global_clipnorm=1.0, metrics=["accuracy"])
    return net


def generate(net: Sequential, vocab: list[str], start: str, n: int, T: int,
             temperature: float, rng: np.random.Generator) -> str:
    """Append n characters to ``start``, each sampled from p^(1/τ) of the last
    T characters (the model takes sequences of any length)."""
    text = start
    for _ in range(n):
        x = one_hot(text[-T:], vocab)                          # (1, t, V)
        p = net.predict(x)[0, -1].astype(np.float64)           # p(next | text)
        p = p ** (1.0 / temperature)
        text += vocab[int(rng.choice(len(vocab), p=p / p.sum()))]
    return text


def run(fast: bool = False, print_fn=print) -> dict:
    p = print_fn
    text = load_text()
    vocab = sorted(set(text))
    V = len(vocab)
    T, stride, units, epochs = (24, 4, 32, 4) if fast else (40, 2, 64, 12)
    X, y = windows(text, vocab, T, stride)
    freq = np.bincount(y.ravel(), minlength=V) / y.size
    entropy = float(-(freq[freq > 0] * np.log(freq[freq > 0])).sum())
    p(f"{len(text):,} characters of verse, {V} different ones; {len(X)} windows "
      f"of {T} characters, each with its next-character targets (shape "
      f"{X.shape} → {y.shape}).")
    p(f"Knowing nothing costs ln {V} = {np.log(V):.3f} nats a character; knowing "
      f"only the letters' frequencies, their entropy {entropy:.3f}.\n")
    net = build(V, units)
    p(f"GRU({units}, return_sequences=True) → TimeDistributed(Dense({V}, softmax)):"
      f" {net.count_params():,} parameters. Adam 0.01, global_clipnorm 1.0, "
      f"{epochs} epochs.")
    history = net.fit(X, y, epochs=epochs, batch_size=32, verbose=0, seed=0)
    shown = sorted(set(range(0, epochs, max(1, epochs // 5))) | {epochs - 1})
    for e in shown:
        p(f"  epoch {e + 1:>2}: cross-entropy {history['loss'][e]:.3f} nats, "
          f"next character right {history['accuracy'][e]:.1%}")
    probs = net.predict(one_hot(SEED_TEXT, vocab))[0, -1]     # p(next | seed)
    top = np.argsort(probs)[::-1][:5]
    p(f"\nAfter {SEED_TEXT!r} the model expects: " + ", ".join(
        f"{vocab[i]!r} {probs[i]:.1%}" for i in top))
    sample = generate(net, vocab, SEED_TEXT, 120 if fast else 240, T, 0.6,
                      np.random.default_rng(0))
    p("\nIt writes (temperature 0.6):\n")
    p(sample)
    if not fast:
        p("\nTwo kilobytes are little: the model has learnt much of the verse by "
          "heart (a low training loss on tiny data means memorising). Sampled "
          "hotter (temperature 1.2), it improvises:\n")
        p(generate(net, vocab, "tyger tyger", 160, T, 1.2, np.random.default_rng(1)))
    return {"vocab": vocab, "loss": list(history["loss"]),
            "accuracy": list(history["accuracy"]), "uniform": float(np.log(V)),
            "entropy": entropy, "text": sample, "next": {vocab[i]: float(probs[i])
                                                        for i in top}}
