"""Training checkpoints: everything fit() needs to continue bit for bit.

One safetensors file, written atomically (the old checkpoint survives a crash
at any instant, SIGKILL included):

    tensors   param.0, param.1, …      model.get_weights()   (a model file too:
                                                              glassnet.load works)
              optimizer.<m|v|…>         the optimizer's flat state arrays
              callback.<i>.<name>       array values of callback i's get_state()
    metadata  glassnet.model            as in a model file (architecture)
              glassnet.checkpoint       JSON: position {epoch, batch, end_epoch},
                                        optimizer {config, t, learning_rate},
                                        rng states (model.rng, fit's shuffle
                                        generator, the shuffle state at the start
                                        of the epoch), running epoch sums, the
                                        History so far, fit's batch_size/n_train,
                                        callbacks [{class, state, arrays}] (the
                                        JSON part of each get_state(), and the
                                        names of its arrays)

Why each piece is needed for a bitwise-equal resume: the weights and the
optimizer state (m, v, t) determine the next update; the shuffle generator
determines the order of the remaining batches (mid-epoch we rewind it to the
start of the epoch so the same permutation is drawn again); ``model.rng``
drives dropout masks. Random-generator states hold 128-bit integers, which
JSON numbers cannot carry exactly, so every int in them is stored as a string.
Callback states (EarlyStopping's counters and best weights, ReduceLROnPlateau's
counters) make early stopping and plateau tracking continue where they were.
On resume, callback i gets the state saved for callback i if both have the same
class name; other callbacks (added, removed, reordered) start fresh.
"""

from __future__ import annotations

import copy
import json
import math
import os
from typing import Any

import numpy as np

from glassnet.errors import ConfigError, ModelFileError, expected
from glassnet.io._json import loads_strict
from glassnet.io.model_file import FORMAT, FORMAT_VERSION, MODEL_KEY, PARAM_PREFIX
from glassnet.io.safetensors_format import read_safetensors, write_safetensors

CHECKPOINT_KEY = "glassnet.checkpoint"
CHECKPOINT_FORMAT = "glassnet-checkpoint"
CHECKPOINT_VERSION = 1
OPT_PREFIX = "optimizer."
CALLBACK_PREFIX = "callback."


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
        self.saves = 0

    def due_batch(self, b: int, n_batches: int) -> bool:
        """Save after batch ``b``? (The epoch-end save covers the last batch.)"""
        return self.every is not None and (b + 1) % self.every == 0 \
            and b + 1 < n_batches

    # ---------------------------------------------------------------- save
    def save(self, model, rng: np.random.Generator, history, *, epoch: int,
             batch: int, end_epoch: int, epoch_state: dict | None,
             sums: dict | None, seen: int, callbacks=None) -> None:
        """Write the state from which training continues at (epoch, batch)."""
        opt = model.optimizer
        state = {
            "format": CHECKPOINT_FORMAT, "format_version": CHECKPOINT_VERSION,
            "position": {"epoch": int(epoch), "batch": int(batch),
                         "end_epoch": int(end_epoch)},
            "model_epoch": int(model.epoch),
            "optimizer": {"config": opt.get_config(), "t": int(opt.t),
                          "learning_rate": _num(opt.learning_rate)},
            "model_rng": _encode_rng(model.rng.bit_generator.state),
            "shuffle_rng": _encode_rng(rng.bit_generator.state),
            "epoch_rng": None if epoch_state is None else _encode_rng(epoch_state),
            "sums": None if sums is None else {k: _num(v) for k, v in sums.items()},
            "seen": int(seen),
            "fit": {k: history.params.get(k) for k in ("batch_size", "n_train")},
            "history": _history_dict(history),
        }
        state["callbacks"], cb_tensors = _callback_states(callbacks or [])
        info = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "library_version": _version(), "architecture": model.get_config()}
        tensors = {f"{PARAM_PREFIX}{i}": w for i, w in enumerate(model.get_weights())}
        tensors.update({OPT_PREFIX + k: v for k, v in opt.state.items()})
        tensors.update(cb_tensors)
        meta = {MODEL_KEY: json.dumps(info, separators=(",", ":"), allow_nan=False),
                CHECKPOINT_KEY: json.dumps(state, separators=(",", ":"),
                                           allow_nan=False)}
        write_safetensors(self.path, tensors, meta)
        self.saves += 1

    # ------------------------------------------------------------- restore
    def restore(self, model, rng: np.random.Generator, history,
                callbacks=None) -> dict | None:
        """Load the checkpoint into model, optimizer, generators and history.

        Returns None when there is no checkpoint file yet (a fresh start), else
        {"epoch", "batch", "end_epoch", "sums", "seen", "callbacks"}, where
        "callbacks" lists (callback, state) pairs for the caller to apply with
        ``callback.set_state(state)`` after on_train_begin (which may reset).
        Each state is first tried on a shallow copy of its callback. Everything
        is checked before anything is changed; any problem raises
        ``ModelFileError``.
        """
        if not os.path.exists(self.path):
            return None
        ck = read_checkpoint(self.path)
        _check_matches(self.path, ck, model, rng, history)
        pairs = _match_callbacks(self.path, ck["callbacks"], callbacks or [])
        opt = model.optimizer
        model.set_weights(ck["weights"])
        for k, arr in ck["optimizer_state"].items():
            opt.state[k][...] = arr
        opt.t = ck["optimizer"]["t"]
        if ck["optimizer"]["learning_rate"] is not None:
            opt.learning_rate = ck["optimizer"]["learning_rate"]
        model.rng.bit_generator.state = ck["model_rng"]
        pos = ck["position"]
        resume_at_epoch_start = pos["batch"] == 0 or ck["epoch_rng"] is None
        rng.bit_generator.state = ck["shuffle_rng"] if resume_at_epoch_start \
            else ck["epoch_rng"]
        model.epoch = ck["model_epoch"]
        _fill_history(history, ck["history"])
        return {"epoch": pos["epoch"], "batch": pos["batch"],
                "end_epoch": pos["end_epoch"],
                "sums": None if ck["sums"] is None else dict(ck["sums"]),
                "seen": ck["seen"], "callbacks": pairs}


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse and validate a checkpoint file into plain Python values.

    Returns the checkpoint JSON (rng states decoded) plus "weights" (list of
    arrays in get_weights() order), "optimizer_state" and "architecture".
    """
    where = os.fspath(path)
    tensors, metadata = read_safetensors(where)
    text = metadata.get(CHECKPOINT_KEY)
    if text is None:
        raise _error(where, f"no {CHECKPOINT_KEY!r} metadata: this is a model file "
                     "or other safetensors file, not a checkpoint")
    try:
        ck = loads_strict(text)
        info = loads_strict(metadata.get(MODEL_KEY, "null"))
    except (ValueError, RecursionError) as exc:
        raise _error(where, f"checkpoint description is not valid JSON ({exc})") \
            from None
    if not isinstance(ck, dict) or ck.get("format") != CHECKPOINT_FORMAT:
        raise _error(where, f'checkpoint description lacks "format": '
                     f'{CHECKPOINT_FORMAT!r}')
    if ck.get("format_version") != CHECKPOINT_VERSION:
        raise _error(where, f"checkpoint format_version {ck.get('format_version')!r}"
                     f" is not supported (this glassnet reads {CHECKPOINT_VERSION})")
    if not isinstance(info, dict) or not isinstance(info.get("architecture"), dict):
        raise _error(where, f"no architecture in the {MODEL_KEY!r} metadata")
    try:
        _check_fields(ck)
        ck["model_rng"] = _decode_rng(ck["model_rng"])
        ck["shuffle_rng"] = _decode_rng(ck["shuffle_rng"])
        if ck["epoch_rng"] is not None:
            ck["epoch_rng"] = _decode_rng(ck["epoch_rng"])
        if ck["sums"] is not None:
            ck["sums"] = {k: _unnum(v) for k, v in ck["sums"].items()}
        lr = ck["optimizer"]["learning_rate"]
        ck["optimizer"]["learning_rate"] = None if lr is None else _unnum(lr)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise _error(where, f"malformed checkpoint description ({exc})") from None
    params = sorted((k for k in tensors if k.startswith(PARAM_PREFIX)),
                    key=lambda k: int(k[len(PARAM_PREFIX):])
                    if k[len(PARAM_PREFIX):].isdigit() else -1)
    if [f"{PARAM_PREFIX}{i}" for i in range(len(params))] != params:
        raise _error(where, f"weight tensors are not {PARAM_PREFIX}0..N-1")
    ck["architecture"] = info["architecture"]
    ck["weights"] = [tensors[k] for k in params]
    ck["optimizer_state"] = {k[len(OPT_PREFIX):]: v for k, v in tensors.items()
                             if k.startswith(OPT_PREFIX)}
    ck["callbacks"] = _read_callback_states(where, ck, tensors)
    return ck


def _callback_states(callbacks) -> tuple[list, dict]:
    """(JSON list for the metadata, tensors) from each callback's get_state()."""
    entries, tensors = [], {}
    for i, c in enumerate(callbacks):
        name = type(c).__name__
        state = c.get_state()
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise ConfigError(expected(f"{name}.get_state() to return a dict with "
                                       "str keys", type(state).__name__,
                                       "Return e.g. {'wait': 0}."))
        arrays = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
        plain = {k: v for k, v in state.items() if k not in arrays}
        try:
            json.dumps(plain, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{name}.get_state() must return JSON-able values "
                              f"or NumPy arrays ({exc}).") from None
        entries.append({"class": name, "state": plain, "arrays": sorted(arrays)})
        tensors.update({f"{CALLBACK_PREFIX}{i}.{k}": np.ascontiguousarray(v)
                        for k, v in arrays.items()})
    return entries, tensors


def _read_callback_states(where: str, ck: dict, tensors: dict) -> list[dict]:
    """[{"class", "state"}] with each state's arrays put back in; validated."""
    saved = ck.get("callbacks", [])  # absent in checkpoints written before them
    ok = isinstance(saved, list) and all(
        isinstance(e, dict) and set(e) == {"class", "state", "arrays"}
        and isinstance(e["class"], str) and isinstance(e["state"], dict)
        and isinstance(e["arrays"], list)
        and all(isinstance(a, str) for a in e["arrays"])
        and not set(e["arrays"]) & set(e["state"]) for e in saved)
    if not ok:
        raise _error(where, "malformed checkpoint description (callbacks must be a "
                     "list of {class, state, arrays})")
    want = {f"{CALLBACK_PREFIX}{i}.{a}" for i, e in enumerate(saved)
            for a in e["arrays"]}
    have = {k for k in tensors if k.startswith(CALLBACK_PREFIX)}
    if want != have:
        raise _error(where, f"callback tensors {sorted(have)} do not match the "
                     f"described {sorted(want)}")
    return [{"class": e["class"],
             "state": {**e["state"], **{a: tensors[f"{CALLBACK_PREFIX}{i}.{a}"]
                                        for a in e["arrays"]}}}
            for i, e in enumerate(saved)]


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
            raise _error(where, f"state of callback {i} ({saved[i]['class']}) is "
                         f"malformed ({exc})") from None
        pairs.append((c, saved[i]["state"]))
    return pairs


def _check_fields(ck: dict) -> None:
    pos, opt = ck["position"], ck["optimizer"]
    ints = [pos["epoch"], pos["batch"], pos["end_epoch"], ck["model_epoch"],
            ck["seen"], opt["t"]]
    if not all(type(v) is int and v >= 0 for v in ints):
        raise ValueError("positions, counts and optimizer t must be ints ≥ 0")
    if pos["epoch"] > pos["end_epoch"]:
        raise ValueError(f"epoch {pos['epoch']} is past end_epoch {pos['end_epoch']}")
    if not isinstance(opt["config"], dict) or not isinstance(ck["history"], dict):
        raise ValueError("optimizer config and history must be objects")
    if ck["sums"] is not None and not isinstance(ck["sums"], dict):
        raise ValueError("sums must be an object or null")
    if not isinstance(ck["fit"], dict):
        raise ValueError("fit must be an object")


def _check_matches(where: str, ck: dict, model, rng, history) -> None:
    """The checkpoint must belong to this model, optimizer and fit call."""
    if ck["architecture"] != json.loads(json.dumps(model.get_config())):
        raise _error(where, "it was written for a different architecture "
                     f"({_layers(ck['architecture'])}, this model is "
                     f"{_layers(model.get_config())})", fix=_FIX_OTHER)
    want = [(w.shape, w.dtype) for w in model.get_weights()]
    got = [(w.shape, w.dtype) for w in ck["weights"]]
    if want != got:
        raise _error(where, f"weights {got} do not fit the model's {want}")
    if not all(np.isfinite(w).all() for w in ck["weights"]):
        raise _error(where, "weights hold NaN or inf")
    opt = model.optimizer
    if ck["optimizer"]["config"].get("name") != opt.get_config().get("name"):
        raise _error(where, f"it was written with optimizer "
                     f"{ck['optimizer']['config'].get('name')!r}, this model is "
                     f"compiled with {opt.get_config().get('name')!r}", fix=_FIX_OTHER)
    state = ck["optimizer_state"]
    if set(state) != set(opt.state) or any(
            state[k].shape != opt.state[k].shape or state[k].dtype != opt.state[k].dtype
            for k in state):
        have = {k: (v.shape, v.dtype.name) for k, v in state.items()}
        need = {k: (v.shape, v.dtype.name) for k, v in opt.state.items()}
        raise _error(where, f"optimizer state {have} does not fit {need}")
    for key, gen in (("model_rng", model.rng), ("shuffle_rng", rng),
                     ("epoch_rng", rng)):
        saved = ck[key]
        if saved is None:
            continue
        kind = type(gen.bit_generator).__name__
        if not isinstance(saved, dict) or saved.get("bit_generator") != kind:
            raise _error(where, f"{key} is not a {kind} generator state")
        try:  # let NumPy validate the state on a scratch generator
            type(gen.bit_generator)().state = saved
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise _error(where, f"{key} is not a valid {kind} state ({exc})") \
                from None
    for name in ("batch_size", "n_train"):
        saved, now = ck["fit"].get(name), history.params.get(name)
        if saved is not None and now is not None and saved != now:
            raise _error(where, f"it was written by a fit with {name}={saved}, this "
                         f"fit has {name}={now}", fix="Resume with the same data and "
                         "arguments, or delete the checkpoint to start over.")


_FIX = "Delete the checkpoint to start over, or check the path."
_FIX_OTHER = "Resume with the model and compile() settings that wrote it, or " \
             "delete the checkpoint to start over."


def _error(where: Any, problem: str, fix: str = _FIX) -> ModelFileError:
    return ModelFileError(f"cannot resume from checkpoint {where!s}: {problem}. {fix}")


def _layers(config: dict) -> str:
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list):
        return "?"
    return " → ".join(str(entry.get("config", {}).get("units", entry.get("type")))
                      if isinstance(entry, dict) else "?" for entry in layers)


def _version() -> str:
    import glassnet
    return str(getattr(glassnet, "__version__", "?"))


# ------------------------------------------------- JSON-safe values and states
def _num(v) -> float | str | None:
    """A float JSON can hold exactly (repr round-trips); NaN/inf as strings."""
    if v is None or not isinstance(v, int | float | np.floating | np.integer):
        return None
    v = float(v)
    return v if math.isfinite(v) else repr(v)


def _unnum(v) -> float:
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"expected a number, found {v!r}")
    return float(v)


def _encode_rng(state: Any) -> Any:
    """bit_generator.state → JSON: ints become decimal strings, arrays lists."""
    if isinstance(state, dict):
        return {str(k): _encode_rng(v) for k, v in state.items()}
    if isinstance(state, bool):
        return state
    if isinstance(state, int | np.integer):
        return {"int": str(int(state))}
    if isinstance(state, np.ndarray):
        return {"array": [str(int(x)) for x in state.ravel()],
                "dtype": state.dtype.str}
    if isinstance(state, str | float):
        return state
    raise ConfigError(f"cannot store a random-generator state holding "
                      f"{type(state).__name__}; use np.random.default_rng(seed).")


def _decode_rng(obj: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"int"}:
            return int(obj["int"])
        if set(obj) == {"array", "dtype"}:
            dtype = np.dtype(obj["dtype"])
            if dtype.kind not in "ui":
                raise ValueError(f"rng array dtype {dtype} is not an integer type")
            return np.array([int(x) for x in obj["array"]], dtype=dtype)
        return {k: _decode_rng(v) for k, v in obj.items()}
    if isinstance(obj, str | bool | float):
        return obj
    raise ValueError(f"unexpected value {obj!r} in a generator state")


def _history_dict(history) -> dict:
    return _clean(history.to_dict())


def _clean(o: Any) -> Any:
    """JSON-able copy: arrays → lists, NumPy scalars → Python, NaN/inf → None."""
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    if isinstance(o, np.ndarray):
        return _clean(o.tolist())
    if isinstance(o, np.generic):
        return _clean(o.item())
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if o is None or isinstance(o, bool | int | float | str):
        return o
    return repr(o)


def _fill_history(history, saved: dict) -> None:
    from glassnet.train.history import History
    old = History.from_dict(saved)
    history.epoch, history.history = old.epoch, old.history
    history.diagnostics = old.diagnostics
