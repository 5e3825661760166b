"""Checkpoints during fit(): when to save, and how to continue bit for bit.

Why each piece is needed for a bitwise-equal resume: the weights and the
optimizer state (m, v, t) determine the next update; the shuffle generator
determines the order of the remaining batches (mid-epoch we rewind it to the
start of the epoch so the same permutation is drawn again); ``model.rng``
drives dropout masks (on a GPU too: each mask's key is drawn from it).
Callback states (EarlyStopping's counters and best weights,
ReduceLROnPlateau's counters) make early stopping and plateau tracking
continue where they were. On resume, callback i gets the state saved for
callback i if both have the same class name; other callbacks (added, removed,
reordered) start fresh. Arrays are written as host copies, so a checkpoint
written on a GPU resumes on a CPU and the other way round.

The file layout is ``glassnet.files.checkpoint``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os

import numpy as np

from glassnet.core.backend import to_host
from glassnet.errors import ConfigError, expected
from glassnet.files.atomic import remove_stale_temps
from glassnet.files.checkpoint import (
    checkpoint_error,
    read_checkpoint,
    write_checkpoint,
)
from glassnet.train.history import History

_FIX_OTHER = "Resume with the model and compile() settings that wrote it, or " \
             "delete the checkpoint to start over."


class Checkpointer:
    """Save fit()'s state to ``path`` at every epoch end (and every ``every``
    batches when given), and restore it for ``fit(resume=True)``."""

    def __init__(self, path: str | os.PathLike[str], every: int | None = None):
        if isinstance(path, bool) or not isinstance(path, str | os.PathLike):
            raise ConfigError(expected("checkpoint as a file path", repr(path),
                                       "Pass e.g. checkpoint='run.ckpt'."))
        if every is not None and (isinstance(every, bool) or not isinstance(
                every, int) or every <= 0):
            raise ConfigError(expected("checkpoint_every as a positive int or None",
                                       repr(every), "Pass e.g. checkpoint_every=100 "
                                       "(batches), or None for once per epoch."))
        self.path = os.fspath(path)
        self.every = every
        self._cleaned = False
        self._fingerprint: str | None = None
        self.data: dict | None = None                  # see describe_data
        self.split: tuple | None = None

    def due_batch(self, b: int, n_batches: int) -> bool:
        """Save after batch ``b``? (The epoch-end save covers the last batch.)"""
        return self.every is not None and (b + 1) % self.every == 0 \
            and b + 1 < n_batches

    # ---------------------------------------------------------------- data
    def describe_data(self, X, y, history: History) -> None:
        """What the checkpoints of this fit record of its data: a fingerprint of
        X and y and the rows ``validation_split`` held out, so that a resume
        uses the same split and refuses other data."""
        self.data = {"rows": int(len(X)),
                     "fingerprint": self._fingerprint or fingerprint(X, y)}
        self.split = None if history.validation_indices is None else \
            (np.asarray(history.train_indices, np.int64),
             np.asarray(history.validation_indices, np.int64))

    def read(self, X, y) -> dict | None:
        """The checkpoint to resume from (None when there is none yet), its
        data checked against (X, y) and its split checked, before fit uses it."""
        if not os.path.exists(self.path):
            return None
        ck = read_checkpoint(self.path)
        data = ck.get("data")
        self._fingerprint = fingerprint(X, y)
        if data is not None and (data.get("rows") != len(X) or data.get(
                "fingerprint") != self._fingerprint):
            raise checkpoint_error(
                self.path, f"it was written for other data ({data.get('rows')} "
                f"rows, fingerprint {str(data.get('fingerprint'))[:12]}…; this fit "
                f"has {len(X)} rows, {self._fingerprint[:12]}…)",
                fix="Resume with the same X and y, or delete the checkpoint to "
                "start over.")
        ck["split"] = _checked_split(self.path, ck.get("split"), len(X))
        return ck

    # ---------------------------------------------------------------- save
    def save(self, model, rng: np.random.Generator, history: History, *,
             epoch: int, batch: int, end_epoch: int, epoch_state: dict | None,
             sums: dict | None, seen: int, callbacks=None) -> None:
        """Write the state from which training continues at (epoch, batch)."""
        if not self._cleaned:   # temporary files a killed run left behind
            remove_stale_temps(self.path)
            self._cleaned = True
        opt = model.optimizer
        write_checkpoint(self.path, {
            "position": {"epoch": epoch, "batch": batch, "end_epoch": end_epoch},
            "model_epoch": model.epoch,
            "optimizer": {"config": opt.get_config(), "t": opt.t,
                          "learning_rate": opt.learning_rate},
            "model_rng": model.rng.bit_generator.state,
            "shuffle_rng": rng.bit_generator.state,
            "epoch_rng": epoch_state,
            "sums": sums, "seen": seen,
            "fit": {k: history.params.get(k) for k in ("batch_size", "n_train")},
            "history": history.to_dict(),
            "callbacks": _callback_states(callbacks or []),
            "architecture": model.get_config(),
            "weights": model.get_weights(),                    # host copies
            "optimizer_state": {k: to_host(v) for k, v in opt.state.items()},
            "data": self.data,
            "split": self.split,
        })

    # ------------------------------------------------------------- restore
    def restore(self, model, rng: np.random.Generator, history: History,
                ck: dict | None = None, callbacks=None) -> dict | None:
        """Load the checkpoint (``ck``, from ``read``; read now if None) into
        model, optimizer, generators and history.

        Returns None when there is no checkpoint file yet (a fresh start), else
        {"epoch", "batch", "end_epoch", "sums", "seen", "callbacks"}, where
        "callbacks" lists (callback, state) pairs for the caller to apply with
        ``callback.set_state(state)`` after on_train_begin (which may reset).
        Each state is first tried on a shallow copy of its callback. Everything
        is checked before anything is changed; any problem raises
        ``ModelFileError``.
        """
        if ck is None:
            if not os.path.exists(self.path):
                return None
            ck = read_checkpoint(self.path)
        _check_matches(self.path, ck, model, rng, history)
        pairs = _match_callbacks(self.path, ck["callbacks"], callbacks or [])
        opt = model.optimizer
        model.set_weights(ck["weights"])
        for k, arr in ck["optimizer_state"].items():
            opt.state[k][...] = model.backend.to_device(arr)
        opt.t = ck["optimizer"]["t"]
        if ck["optimizer"]["learning_rate"] is not None:
            opt.learning_rate = ck["optimizer"]["learning_rate"]
        model.rng.bit_generator.state = ck["model_rng"]
        pos = ck["position"]
        resume_at_epoch_start = pos["batch"] == 0 or ck["epoch_rng"] is None
        rng.bit_generator.state = ck["shuffle_rng"] if resume_at_epoch_start \
            else ck["epoch_rng"]
        model.epoch = ck["model_epoch"]
        old = History.from_dict(ck["history"])
        history.epoch, history.history = old.epoch, old.history
        history.diagnostics = old.diagnostics
        return {"epoch": pos["epoch"], "batch": pos["batch"],
                "end_epoch": pos["end_epoch"],
                "sums": None if ck["sums"] is None else dict(ck["sums"]),
                "seen": ck["seen"], "callbacks": pairs}


def fingerprint(X, y) -> str:
    """BLAKE2b of X and y (shapes, dtypes, bytes), read in blocks of rows."""
    h = hashlib.blake2b(digest_size=16)
    for a in (X, y):
        a = np.asarray(a)
        h.update(f"{a.shape}{a.dtype.str}".encode())
        rows = max(1, (8 << 20) // max(1, a[:1].nbytes))
        for i in range(0, len(a), rows):
            h.update(np.ascontiguousarray(a[i:i + rows]).data)
    return h.hexdigest()


def _checked_split(where: str, split, n: int):
    """(train rows, validation rows): int arrays that partition range(n)."""
    if split is None:
        return None
    train, val = split
    both = np.concatenate([train, val])
    if train.ndim != 1 or val.ndim != 1 or train.dtype.kind not in "iu" \
            or val.dtype.kind not in "iu" or len(both) != n \
            or not np.array_equal(np.sort(both), np.arange(n)):
        raise checkpoint_error(where, "its validation split does not divide the "
                               f"{n} rows of this data")
    return train.astype(np.int64), val.astype(np.int64)


def _callback_states(callbacks) -> list[dict]:
    """[{"class", "state"}] from each callback's get_state()."""
    entries = []
    for c in callbacks:
        name = type(c).__name__
        state = c.get_state()
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise ConfigError(expected(f"{name}.get_state() to return a dict with "
                                       "str keys", type(state).__name__,
                                       "Return e.g. {'wait': 0}."))
        entries.append({"class": name, "state": state})
    return entries


def _match_callbacks(where: str, saved: list[dict], callbacks) -> list:
    """(callback, state) for each callback whose index and class name match a
    saved one; the state is tried on a shallow copy so a bad one changes
    nothing."""
    pairs = []
    for i, c in enumerate(callbacks):
        if i >= len(saved) or saved[i]["class"] != type(c).__name__:
            continue
        try:
            copy.copy(c).set_state(saved[i]["state"])
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise checkpoint_error(where, f"state of callback {i} "
                                   f"({saved[i]['class']}) is malformed ({exc})") \
                from None
        pairs.append((c, saved[i]["state"]))
    return pairs


def _check_matches(where: str, ck: dict, model, rng, history) -> None:
    """The checkpoint must belong to this model, optimizer and fit call."""
    if ck["architecture"] != json.loads(json.dumps(model.get_config())):
        raise checkpoint_error(where, "it was written for a different architecture "
                               f"({_layers(ck['architecture'])}, this model is "
                               f"{_layers(model.get_config())})", fix=_FIX_OTHER)
    want = [(w.shape, w.dtype) for w in model.get_weights()]
    got = [(w.shape, w.dtype) for w in ck["weights"]]
    if want != got:
        raise checkpoint_error(where, f"weights {got} do not fit the model's {want}")
    if not all(np.isfinite(w).all() for w in ck["weights"]):
        raise checkpoint_error(where, "weights hold NaN or inf")
    _check_optimizer(where, ck, model.optimizer)
    for key, gen in (("model_rng", model.rng), ("shuffle_rng", rng),
                     ("epoch_rng", rng)):
        _check_rng_state(where, key, ck[key], gen)
    for name in ("batch_size", "n_train"):
        saved, now = ck["fit"].get(name), history.params.get(name)
        if saved is not None and now is not None and saved != now:
            raise checkpoint_error(where, f"it was written by a fit with "
                                   f"{name}={saved}, this fit has {name}={now}",
                                   fix="Resume with the same data and arguments, "
                                   "or delete the checkpoint to start over.")


def _check_optimizer(where: str, ck: dict, opt) -> None:
    if ck["optimizer"]["config"].get("name") != opt.get_config().get("name"):
        raise checkpoint_error(where, f"it was written with optimizer "
                               f"{ck['optimizer']['config'].get('name')!r}, this "
                               f"model is compiled with "
                               f"{opt.get_config().get('name')!r}", fix=_FIX_OTHER)
    state = ck["optimizer_state"]
    if set(state) != set(opt.state) or any(
            state[k].shape != opt.state[k].shape or state[k].dtype != opt.state[k].dtype
            for k in state):
        have = {k: (v.shape, v.dtype.name) for k, v in state.items()}
        need = {k: (v.shape, v.dtype.name) for k, v in opt.state.items()}
        raise checkpoint_error(where, f"optimizer state {have} does not fit {need}")


def _check_rng_state(where: str, key: str, saved, gen: np.random.Generator) -> None:
    if saved is None:
        return
    kind = type(gen.bit_generator).__name__
    if not isinstance(saved, dict) or saved.get("bit_generator") != kind:
        raise checkpoint_error(where, f"{key} is not a {kind} generator state")
    try:  # let NumPy validate the state on a scratch generator
        type(gen.bit_generator)().state = saved
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise checkpoint_error(where, f"{key} is not a valid {kind} state ({exc})") \
            from None


def _layers(config: dict) -> str:
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list):
        return "?"
    return " → ".join(str(entry.get("config", {}).get("units", entry.get("type")))
                      if isinstance(entry, dict) else "?" for entry in layers)
