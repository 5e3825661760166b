"""The checkpoint file: everything fit() needs to continue bit for bit.

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
                                        names of its arrays), data {rows,
                                        fingerprint} (BLAKE2b of X and y)
              split.train, split.validation  the rows validation_split held out

Random-generator states hold 128-bit integers, which JSON numbers cannot carry
exactly, so every int in them is stored as a string (``_json.encode_rng``).

``write_checkpoint(path, record)`` and ``read_checkpoint(path) -> record`` use
one plain dict, with the keys of the JSON above plus "architecture",
"weights" (list of arrays), "optimizer_state" ({name: array}) and
"callbacks" ([{"class", "state"}], each state with its arrays put back in).
Which values go in and how they are put back is ``glassnet.train.checkpoint``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from glassnet.errors import ConfigError, ModelFileError
from glassnet.files._json import (
    clean,
    decode_rng,
    encode_rng,
    loads_strict,
    number,
    unnumber,
)
from glassnet.files.model_format import MODEL_KEY, PARAM_PREFIX, describe
from glassnet.files.safetensors import read_safetensors, write_safetensors

CHECKPOINT_KEY = "glassnet.checkpoint"
CHECKPOINT_FORMAT = "glassnet-checkpoint"
CHECKPOINT_VERSION = 1
OPT_PREFIX = "optimizer."
CALLBACK_PREFIX = "callback."
SPLIT_PREFIX = "split."
FIX = "Delete the checkpoint to start over, or check the path."


def checkpoint_error(where: Any, problem: str, fix: str = FIX) -> ModelFileError:
    return ModelFileError(f"cannot resume from checkpoint {where!s}: {problem}. {fix}")


# --------------------------------------------------------------------- write


def write_checkpoint(path: str | os.PathLike[str], record: dict[str, Any]) -> None:
    """Atomically write ``record`` (the dict ``read_checkpoint`` returns)."""
    state = {
        "format": CHECKPOINT_FORMAT, "format_version": CHECKPOINT_VERSION,
        "position": {k: int(record["position"][k])
                     for k in ("epoch", "batch", "end_epoch")},
        "model_epoch": int(record["model_epoch"]),
        "optimizer": {"config": record["optimizer"]["config"],
                      "t": int(record["optimizer"]["t"]),
                      "learning_rate": number(record["optimizer"]["learning_rate"])},
        "model_rng": encode_rng(record["model_rng"]),
        "shuffle_rng": encode_rng(record["shuffle_rng"]),
        "epoch_rng": None if record["epoch_rng"] is None
        else encode_rng(record["epoch_rng"]),
        "sums": None if record["sums"] is None
        else {k: number(v) for k, v in record["sums"].items()},
        "seen": int(record["seen"]),
        "fit": record["fit"],
        "history": clean(record["history"]),
        "data": record.get("data"),
    }
    state["callbacks"], cb_tensors = _pack_callbacks(record["callbacks"])
    tensors = {f"{PARAM_PREFIX}{i}": w for i, w in enumerate(record["weights"])}
    tensors.update({OPT_PREFIX + k: v for k, v in record["optimizer_state"].items()})
    tensors.update(cb_tensors)
    if record.get("split") is not None:
        tensors[SPLIT_PREFIX + "train"] = np.asarray(record["split"][0], np.int64)
        tensors[SPLIT_PREFIX + "validation"] = np.asarray(record["split"][1],
                                                          np.int64)
    meta = {MODEL_KEY: describe(record["architecture"]),
            CHECKPOINT_KEY: json.dumps(state, separators=(",", ":"),
                                       allow_nan=False)}
    write_safetensors(path, tensors, meta)


def _pack_callbacks(callbacks: list[dict]) -> tuple[list, dict]:
    """(JSON list for the metadata, tensors) from [{"class", "state"}]."""
    entries, tensors = [], {}
    for i, entry in enumerate(callbacks):
        name, state = entry["class"], entry["state"]
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


# ---------------------------------------------------------------------- read


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse and validate a checkpoint file into plain Python values.

    Returns the checkpoint JSON (rng states decoded) plus "weights" (list of
    arrays in get_weights() order), "optimizer_state" and "architecture".
    """
    where = os.fspath(path)
    tensors, metadata = read_safetensors(where)
    ck, info = _parse(where, metadata)
    try:
        _check_fields(ck)
        ck["model_rng"] = decode_rng(ck["model_rng"])
        ck["shuffle_rng"] = decode_rng(ck["shuffle_rng"])
        if ck["epoch_rng"] is not None:
            ck["epoch_rng"] = decode_rng(ck["epoch_rng"])
        if ck["sums"] is not None:
            ck["sums"] = {k: unnumber(v) for k, v in ck["sums"].items()}
        lr = ck["optimizer"]["learning_rate"]
        ck["optimizer"]["learning_rate"] = None if lr is None else unnumber(lr)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise checkpoint_error(where, f"malformed checkpoint description ({exc})") \
            from None
    params = sorted((k for k in tensors if k.startswith(PARAM_PREFIX)),
                    key=lambda k: int(k[len(PARAM_PREFIX):])
                    if k[len(PARAM_PREFIX):].isdigit() else -1)
    if [f"{PARAM_PREFIX}{i}" for i in range(len(params))] != params:
        raise checkpoint_error(where, f"weight tensors are not {PARAM_PREFIX}0..N-1")
    ck["architecture"] = info["architecture"]
    ck["weights"] = [tensors[k] for k in params]
    ck["optimizer_state"] = {k[len(OPT_PREFIX):]: v for k, v in tensors.items()
                             if k.startswith(OPT_PREFIX)}
    ck["callbacks"] = _unpack_callbacks(where, ck, tensors)
    split = [tensors.get(SPLIT_PREFIX + k) for k in ("train", "validation")]
    ck["split"] = None if split[0] is None or split[1] is None else tuple(split)
    data = ck.get("data")   # absent in checkpoints written before it
    if data is not None and not (isinstance(data, dict) and isinstance(
            data.get("rows"), int) and isinstance(data.get("fingerprint"), str)):
        raise checkpoint_error(where, "malformed checkpoint description (data "
                               "must be {rows, fingerprint})")
    return ck


def _parse(where: str, metadata: dict[str, str]) -> tuple[dict, dict]:
    """(checkpoint JSON, model JSON), both checked for format and version."""
    text = metadata.get(CHECKPOINT_KEY)
    if text is None:
        raise checkpoint_error(where, f"no {CHECKPOINT_KEY!r} metadata: this is a "
                               "model file or other safetensors file, not a "
                               "checkpoint")
    try:
        ck = loads_strict(text)
        info = loads_strict(metadata.get(MODEL_KEY, "null"))
    except (ValueError, RecursionError) as exc:
        raise checkpoint_error(where, "checkpoint description is not valid JSON "
                               f"({exc})") from None
    if not isinstance(ck, dict) or ck.get("format") != CHECKPOINT_FORMAT:
        raise checkpoint_error(where, 'checkpoint description lacks "format": '
                               f'{CHECKPOINT_FORMAT!r}')
    if ck.get("format_version") != CHECKPOINT_VERSION:
        raise checkpoint_error(where, "checkpoint format_version "
                               f"{ck.get('format_version')!r} is not supported "
                               f"(this glassnet reads {CHECKPOINT_VERSION})")
    if not isinstance(info, dict) or not isinstance(info.get("architecture"), dict):
        raise checkpoint_error(where, f"no architecture in the {MODEL_KEY!r} "
                               "metadata")
    return ck, info


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


def _unpack_callbacks(where: str, ck: dict, tensors: dict) -> list[dict]:
    """[{"class", "state"}] with each state's arrays put back in; validated."""
    saved = ck.get("callbacks", [])  # absent in checkpoints written before them
    ok = isinstance(saved, list) and all(
        isinstance(e, dict) and set(e) == {"class", "state", "arrays"}
        and isinstance(e["class"], str) and isinstance(e["state"], dict)
        and isinstance(e["arrays"], list)
        and all(isinstance(a, str) for a in e["arrays"])
        and not set(e["arrays"]) & set(e["state"]) for e in saved)
    if not ok:
        raise checkpoint_error(where, "malformed checkpoint description (callbacks "
                               "must be a list of {class, state, arrays})")
    want = {f"{CALLBACK_PREFIX}{i}.{a}" for i, e in enumerate(saved)
            for a in e["arrays"]}
    have = {k for k in tensors if k.startswith(CALLBACK_PREFIX)}
    if want != have:
        raise checkpoint_error(where, f"callback tensors {sorted(have)} do not "
                               f"match the described {sorted(want)}")
    return [{"class": e["class"],
             "state": {**e["state"], **{a: tensors[f"{CALLBACK_PREFIX}{i}.{a}"]
                                        for a in e["arrays"]}}}
            for i, e in enumerate(saved)]
