"""MNIST and Fashion-MNIST: find them locally, or download and verify them.

Where ``load_mnist`` looks, in order (the first complete copy wins):

1. ``data_dir`` (argument), 2. ``$GLASSNET_DATA_DIR``, 3. the cache folder
(``cache_dir`` argument, else ``$GLASSNET_CACHE_DIR``, else
``$XDG_CACHE_HOME/glassnet``, else ``~/.cache/glassnet``).

In each folder, MNIST is ``mnist.npz`` (keys x_train, y_train, x_test, y_test)
or the four IDX files ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (each optionally
``.gz``), directly inside or in a ``mnist/`` subfolder. Fashion-MNIST is
``fashion-mnist.npz`` or the same four IDX names in a ``fashion/`` (or
``fashion-mnist/``) subfolder.

When nothing is found and ``download=True``, the four ``.gz`` files are
fetched into ``<cache>/mnist/`` or ``<cache>/fashion/`` from

- MNIST: https://ossci-datasets.s3.amazonaws.com/mnist/ (PyTorch's mirror),
  then https://storage.googleapis.com/cvdf-datasets/mnist/
- Fashion-MNIST: https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/,
  then http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/

and each file must match the SHA-256 in ``SHA256`` below.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from glassnet.data.download import download as fetch
from glassnet.data.idx import read_idx
from glassnet.errors import ConfigError, DataError, expected

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IDX_MAGIC = {"x_train": 0x803, "y_train": 0x801, "x_test": 0x803, "y_test": 0x801}

MIRRORS = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    "fashion-mnist": (
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ),
}
SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",  # noqa: E501
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",  # noqa: E501
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",  # noqa: E501
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",  # noqa: E501
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",  # noqa: E501
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",  # noqa: E501
    },
}
NPZ_NAME = {"mnist": "mnist.npz", "fashion-mnist": "fashion-mnist.npz"}
SUBFOLDERS = {"mnist": ("mnist", "."), "fashion-mnist": ("fashion", "fashion-mnist")}
CLASS_NAMES = {
    "mnist": [str(d) for d in range(10)],
    "fashion-mnist": [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
}

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def default_cache_dir() -> Path:
    """$GLASSNET_CACHE_DIR, else $XDG_CACHE_HOME/glassnet, else ~/.cache/glassnet."""
    if os.environ.get("GLASSNET_CACHE_DIR"):
        return Path(os.environ["GLASSNET_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "glassnet"


def read_npz(
    path: str | os.PathLike, keys: Sequence[str] = NPZ_KEYS
) -> dict[str, np.ndarray]:
    """Load the named arrays of an ``.npz`` file without pickle.

    Object arrays (which need pickle to load) are refused, as are missing keys
    and damaged archives; each raises ``DataError``.
    """
    path = Path(path)
    fix = "Delete the file and fetch or re-create it."
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise DataError(
                    expected(f"an .npz archive at {path}", "something else", fix)
                )
            missing = [k for k in keys if k not in archive.files]
            if missing:
                raise DataError(
                    expected(
                        f"arrays {list(keys)} in {path}",
                        f"keys {archive.files}",
                        "Save the file with np.savez(path, x_train=..., y_train=..., "
                        "x_test=..., y_test=...).",
                    )
                )
            return {k: archive[k] for k in keys}
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(
            expected("an .npz file", f"{path} (not found)", "Check the path.")
        ) from None
    except ValueError as error:
        if "pickle" in str(error):
            raise DataError(
                expected(
                    f"plain numeric arrays in {path}",
                    "an object array (needs pickle)",
                    "glassnet never unpickles data; re-save the arrays with a numeric "
                    "dtype, e.g. np.savez(path, x=x.astype(np.uint8)).",
                )
            ) from None
        raise DataError(
            expected(f"a valid .npz archive at {path}", f"a damaged one ({error})", fix)
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError) as error:
        raise DataError(
            expected(
                f"a valid .npz archive at {path}",
                f"a damaged one ({type(error).__name__}: {error})",
                fix,
            )
        ) from None


def _check_split(x: np.ndarray, y: np.ndarray, split: str, source: Path) -> None:
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
        raise DataError(
            expected(
                f"x_{split} as uint8 images of shape (N, 28, 28) in {source}",
                f"dtype {x.dtype}, shape {x.shape}",
                "Store the raw 0-255 pixels as uint8, one 28x28 image per row.",
            )
        )
    if y.ndim != 1 or y.dtype.kind not in "iu" or len(y) != len(x):
        raise DataError(
            expected(
                f"y_{split} as {len(x)} integer labels, shape ({len(x)},), in {source}",
                f"dtype {y.dtype}, shape {y.shape}",
                "Store one integer label per image.",
            )
        )
    if len(y) and (y.min() < 0 or y.max() > 9):
        raise DataError(
            expected(
                f"labels 0-9 in y_{split} of {source}",
                f"values from {y.min()} to {y.max()}",
                "Check that this is an MNIST-style file.",
            )
        )


def _idx_files(folder: Path) -> dict[str, Path] | None:
    found = {}
    for key, name in IDX_NAMES.items():
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                found[key] = candidate
                break
    return found if len(found) == len(IDX_NAMES) else None


def _load_folder(kind: str, root: Path) -> Arrays | None:
    """Load ``kind`` from ``root`` if a complete copy is there, else None."""
    npz = root / NPZ_NAME[kind]
    if npz.is_file():
        arrays, source = read_npz(npz), npz
    else:
        files = next(
            filter(None, (_idx_files(root / sub) for sub in SUBFOLDERS[kind])), None
        )
        if files is None:
            return None
        arrays = {k: read_idx(p, magic=IDX_MAGIC[k]) for k, p in files.items()}
        source = files["x_train"].parent
    for split in ("train", "test"):
        _check_split(arrays[f"x_{split}"], arrays[f"y_{split}"], split, source)
    return (
        arrays["x_train"],
        arrays["y_train"].astype(np.int64),
        arrays["x_test"],
        arrays["y_test"].astype(np.int64),
    )


def _download(kind: str, folder: Path, mirrors: Sequence[str]) -> list[str]:
    """Fetch the four .gz files into ``folder``; return the errors met."""
    errors: list[str] = []
    for name, sha in SHA256[kind].items():
        for base in mirrors:
            try:
                fetch(base.rstrip("/") + "/" + name, folder / name, sha)
                break
            except DataError as error:
                errors.append(str(error))
        else:
            return errors
    return []


def load_mnist(
    kind: str = "mnist",
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    cache_dir: str | os.PathLike | None = None,
    url: str | Sequence[str] | None = None,
) -> Arrays:
    """Load MNIST or Fashion-MNIST as ``(x_train, y_train, x_test, y_test)``.

    Images are uint8 of shape (N, 28, 28) with values 0-255; labels are int64
    in 0-9 (class names in ``CLASS_NAMES[kind]``). See the module docstring
    for where files are looked for. ``url`` replaces the public mirrors with
    your own base URL(s) (http(s):// or file://) serving the same four files.
    """
    if kind not in SHA256:
        raise ConfigError(
            expected(
                f"kind in {list(SHA256)}",
                repr(kind),
                "Pass kind='mnist' or kind='fashion-mnist'.",
            )
        )
    cache = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    env = os.environ.get("GLASSNET_DATA_DIR")
    roots = [Path(p).expanduser() for p in (data_dir, env) if p] + [cache]
    for root in roots:
        arrays = _load_folder(kind, root)
        if arrays is not None:
            return arrays
    target = cache / ("mnist" if kind == "mnist" else "fashion")
    mirrors = [url] if isinstance(url, str) else list(url or MIRRORS[kind])
    reason = "download=False"
    if download:
        errors = _download(kind, target, mirrors)
        if not errors:
            return _load_folder(kind, cache)  # type: ignore[return-value]
        reason = f"downloading from {mirrors} failed: {errors[-1]}"
    names = ", ".join(f"{n}.gz" for n in IDX_NAMES.values())
    raise DataError(
        expected(
            f"{kind} files in {[str(r) for r in roots]}",
            f"none there ({reason})",
            f"Put {NPZ_NAME[kind]} (keys x_train, y_train, x_test, y_test) in a folder "
            f"and set GLASSNET_DATA_DIR to it, or copy the four files {names} into "
            f"{target}.",
        )
    )
