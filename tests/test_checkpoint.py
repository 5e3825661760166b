"""Checkpoints: resume continues bit for bit; bad checkpoints are refused."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
from crash import Crash

import glassnet as gn
from glassnet.errors import ModelFileError
from glassnet.files._json import decode_rng, encode_rng
from glassnet.io import read_checkpoint, read_safetensors, write_safetensors
from glassnet.train.checkpoint import Checkpointer

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
    with pytest.raises(KeyboardInterrupt, match="checkpoint"):
        net.fit(X, Y, **FIT, checkpoint=path, callbacks=[CtrlC()])
    assert net.history.interrupted
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
        back = decode_rng(json.loads(json.dumps(encode_rng(state))))
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


# ------------------------------------------------------ callback state resumes
RNG = np.random.default_rng(5)
XR = RNG.standard_normal((40, 3))
YR = XR[:, :1] + RNG.standard_normal((40, 1))  # noisy: val_loss soon rises
FIT_R = dict(epochs=12, batch_size=8, seed=3, verbose=0, validation_split=0.25)


def make_regressor():
    net = gn.Sequential([gn.Dense(32, "tanh", input_dim=3), gn.Dense(1)], seed=2)
    net.compile("mse", "adam", learning_rate=0.05)
    return net


def _crash_then_resume(path, make_cb, crash_after):
    with pytest.raises(KeyboardInterrupt):
        make_regressor().fit(XR, YR, **FIT_R, checkpoint=path, resume=True,
                             callbacks=[make_cb(), Crash(crash_after)])
    net, cb = make_regressor(), make_cb()
    history = net.fit(XR, YR, **FIT_R, checkpoint=path, resume=True, callbacks=[cb])
    return net, cb, history


def test_early_stopping_state_survives_resume(tmp_path):
    def es():
        return gn.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    ref, ref_es = make_regressor(), es()
    ref_hist = ref.fit(XR, YR, **FIT_R, callbacks=[ref_es])
    assert ref_es.stopped_epoch is not None and ref_es.stopped_epoch < 11
    # 4 batches per epoch: crash inside the stopping epoch, after the best
    # epoch, so the checkpoint holds wait > 0 and the best weights.
    net, got_es, history = _crash_then_resume(
        tmp_path / "es.ckpt", es, 4 * ref_es.stopped_epoch + 2)
    assert (got_es.stopped_epoch, got_es.best_epoch, got_es.best) == \
        (ref_es.stopped_epoch, ref_es.best_epoch, ref_es.best)
    assert history.epoch == ref_hist.epoch
    assert history.history["val_loss"] == ref_hist.history["val_loss"]
    assert got_es.best_weights.tobytes() == ref_es.best_weights.tobytes()
    assert same_weights(net, ref)


def test_reduce_lr_on_plateau_state_survives_resume(tmp_path):
    def plateau():
        return gn.callbacks.ReduceLROnPlateau(patience=2, factor=0.5)
    ref, ref_cb = make_regressor(), plateau()
    ref_hist = ref.fit(XR, YR, **FIT_R, callbacks=[ref_cb])
    assert len(set(ref_hist.history["lr"])) > 2  # it did reduce, repeatedly
    net, cb, history = _crash_then_resume(tmp_path / "lr.ckpt", plateau, 4 * 6 + 1)
    assert history.history["lr"] == ref_hist.history["lr"]
    assert (cb.wait, cb.best) == (ref_cb.wait, ref_cb.best)
    assert same_weights(net, ref)


def test_callbacks_match_by_position_and_class(tmp_path):
    path = tmp_path / "c.ckpt"
    es = gn.callbacks.EarlyStopping(patience=50)
    make_regressor().fit(XR, YR, **{**FIT_R, "epochs": 3}, checkpoint=path,
                         callbacks=[es])
    saved = read_checkpoint(path)["callbacks"]
    assert [e["class"] for e in saved] == ["EarlyStopping"]
    assert saved[0]["state"]["best_weights"].tobytes() == es.best_weights.tobytes()
    # A different callback at index 0 is left fresh (state ignored), no error.
    other = gn.callbacks.ReduceLROnPlateau(patience=50)
    other.set_model(make_regressor())
    chk = Checkpointer(path)
    net = make_regressor()
    from glassnet.train.history import History
    resumed = chk.restore(net, np.random.default_rng(0), History(),
                          callbacks=[other, gn.callbacks.EarlyStopping()])
    assert resumed["callbacks"] == []


@pytest.mark.parametrize("edit, fragment", [
    (lambda t, m: m.update({"glassnet.checkpoint": m["glassnet.checkpoint"]
                            .replace('"wait":0', '"wait":-1')}), "callback 0"),
    (lambda t, m: t.pop("callback.0.best_weights"), "callback tensors"),
    (lambda t, m: t.update({"callback.0.best_weights":
                            t["callback.0.best_weights"][:3]}), "callback 0"),
    (lambda t, m: m.update({"glassnet.checkpoint": m["glassnet.checkpoint"]
                            .replace('"callbacks":[', '"callbacks":[3,')}),
     "callbacks must be"),
])
def test_damaged_callback_state_is_refused(tmp_path, edit, fragment):
    path = tmp_path / "c.ckpt"
    make_regressor().fit(XR, YR, **{**FIT_R, "epochs": 2}, checkpoint=path,
                         callbacks=[gn.callbacks.EarlyStopping(patience=50)])
    _rewrite(path, edit)
    net = make_regressor()
    before = net.flat_params.copy()
    with pytest.raises(ModelFileError, match=fragment):
        net.fit(XR, YR, **FIT_R, checkpoint=path, resume=True,
                callbacks=[gn.callbacks.EarlyStopping(patience=50)])
    assert net.flat_params.tobytes() == before.tobytes()
