"""Checkpoints: resume continues bit for bit; bad checkpoints are refused."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ModelFileError
from glassnet.io import read_safetensors, write_safetensors
from glassnet.io.checkpoint import (
    Checkpointer,
    _decode_rng,
    _encode_rng,
    read_checkpoint,
)

X = np.random.default_rng(0).standard_normal((40, 3))
Y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
FIT = dict(epochs=4, batch_size=6, seed=3, verbose=0, validation_split=0.25)


def make(optimizer="adam", units=8):
    net = gn.Sequential([gn.Dense(units, "tanh", input_dim=3), gn.Dropout(0.3),
                         gn.Dense(2, "softmax")], seed=1)
    net.compile("categorical_crossentropy", optimizer, metrics=["accuracy"],
                learning_rate=0.05)
    return net


def reference():
    net = make()
    history = net.fit(X, Y, **FIT)
    return net, history


class Crash(gn.callbacks.Callback):
    """Simulate a crash after ``n`` batches of this fit call."""

    def __init__(self, n):
        self.n, self.seen = n, 0

    def on_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.n:
            raise KeyboardInterrupt


def same_weights(a, b) -> bool:
    return all(x.tobytes() == y.tobytes() for x, y in
               zip(a.get_weights(), b.get_weights(), strict=True))


@pytest.mark.parametrize("every", [None, 1, 4])
def test_crash_and_resume_is_bitwise_identical(tmp_path, every):
    ref, ref_hist = reference()
    path = tmp_path / "run.ckpt"
    for n in (3, 5, 9):  # three crashes, each resumed from the last checkpoint
        with pytest.raises(KeyboardInterrupt):
            make().fit(X, Y, **FIT, checkpoint=path, checkpoint_every=every,
                       resume=True, callbacks=[Crash(n)])
    net = make()
    history = net.fit(X, Y, **FIT, checkpoint=path, checkpoint_every=every,
                      resume=True)
    assert same_weights(net, ref)
    assert history.history["loss"] == ref_hist.history["loss"]
    assert history.epoch == ref_hist.epoch
    assert net.optimizer.t == ref.optimizer.t
    for k in ref.optimizer.state:
        assert net.optimizer.state[k].tobytes() == ref.optimizer.state[k].tobytes()


def test_ctrl_c_mid_epoch_saves_position_and_resume_matches(tmp_path):
    ref, _ = reference()
    path = tmp_path / "run.ckpt"

    class CtrlC(gn.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 2 and self.model.epoch == 1:
                os.kill(os.getpid(), signal.SIGINT)  # fit finishes the batch

    net = make()
    history = net.fit(X, Y, **FIT, checkpoint=path, callbacks=[CtrlC()])
    assert history.interrupted
    pos = read_checkpoint(path)["position"]
    assert (pos["epoch"], pos["batch"]) == (1, 3)
    net = make()
    net.fit(X, Y, **FIT, checkpoint=path, resume=True)
    assert same_weights(net, ref)


def test_checkpoint_is_also_a_model_file(tmp_path):
    net = make()
    net.fit(X, Y, **FIT, checkpoint=tmp_path / "c.ckpt")
    loaded = gn.io.load_model(tmp_path / "c.ckpt")
    assert loaded.predict(X).tobytes() == net.predict(X).tobytes()


def test_resume_without_a_checkpoint_starts_fresh(tmp_path):
    ref, _ = reference()
    net = make()
    net.fit(X, Y, **FIT, checkpoint=tmp_path / "new.ckpt", resume=True)
    assert same_weights(net, ref)
    assert (tmp_path / "new.ckpt").is_file()


def test_resume_of_a_finished_run_trains_no_more(tmp_path):
    path = tmp_path / "c.ckpt"
    ref = make()
    ref.fit(X, Y, **FIT, checkpoint=path)
    net = make()
    history = net.fit(X, Y, **FIT, checkpoint=path, resume=True)
    assert same_weights(net, ref) and len(history.epoch) == FIT["epochs"]


@pytest.mark.parametrize("change, fragment", [
    (lambda: make(units=9), "different architecture"),
    (lambda: make(optimizer="sgd"), "optimizer"),
])
def test_checkpoint_of_another_model_is_refused(tmp_path, change, fragment):
    path = tmp_path / "c.ckpt"
    make().fit(X, Y, **FIT, checkpoint=path)
    with pytest.raises(ModelFileError, match=fragment):
        change().fit(X, Y, **FIT, checkpoint=path, resume=True)


def test_other_batch_size_is_refused(tmp_path):
    path = tmp_path / "c.ckpt"
    make().fit(X, Y, **FIT, checkpoint=path)
    with pytest.raises(ModelFileError, match="batch_size=6"):
        make().fit(X, Y, **{**FIT, "batch_size": 5}, checkpoint=path, resume=True)


def _rewrite(path, edit):
    tensors, meta = read_safetensors(path)
    edit(tensors, meta)
    write_safetensors(path, tensors, meta)


@pytest.mark.parametrize("edit, fragment", [
    (lambda t, m: m.pop("glassnet.checkpoint"), "not a checkpoint"),
    (lambda t, m: m.update({"glassnet.checkpoint": "{"}), "not valid JSON"),
    (lambda t, m: m.update({"glassnet.checkpoint": m["glassnet.checkpoint"]
                            .replace('"t":', '"t":-1,"x":')}), "malformed|JSON"),
    (lambda t, m: t.pop("optimizer.m"), "optimizer state"),
    (lambda t, m: t.update({"param.0": t["param.0"][:1]}), "weights"),
    (lambda t, m: m.update({"glassnet.checkpoint": m["glassnet.checkpoint"]
                            .replace("PCG64", "MT19937")}), "generator"),
])
def test_damaged_checkpoints_raise_one_error_type(tmp_path, edit, fragment):
    path = tmp_path / "c.ckpt"
    make().fit(X, Y, **FIT, checkpoint=path)
    _rewrite(path, edit)
    net = make()
    before = net.flat_params.copy()
    with pytest.raises(ModelFileError, match=fragment):
        net.fit(X, Y, **FIT, checkpoint=path, resume=True)
    assert net.flat_params.tobytes() == before.tobytes()  # nothing half-restored


def test_flipped_byte_is_detected(tmp_path):
    path = tmp_path / "c.ckpt"
    make().fit(X, Y, **FIT, checkpoint=path)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        make().fit(X, Y, **FIT, checkpoint=path, resume=True)


def test_rng_states_with_128_bit_ints_round_trip():
    for gen in (np.random.default_rng(2**100), np.random.Generator(
            np.random.MT19937(5))):
        state = gen.bit_generator.state
        import json
        back = _decode_rng(json.loads(json.dumps(_encode_rng(state))))
        other = type(gen.bit_generator)()
        other.state = back
        assert np.random.Generator(other).integers(2**62, size=4).tolist() == \
            gen.integers(2**62, size=4).tolist()


def test_checkpointer_arguments_are_checked():
    with pytest.raises(gn.ConfigError, match="checkpoint_every"):
        Checkpointer("x.ckpt", every=0)
    with pytest.raises(gn.ConfigError, match="file path"):
        Checkpointer(3)
    ck = Checkpointer("x.ckpt", every=2)
    assert [ck.due_batch(b, 5) for b in range(5)] == [False, True, False, True,
                                                      False]
