"""Crash-safe file writes: a save either fully happens or leaves the old file.

The recipe (the one databases use):

    1. write everything to a temporary file in the *same* directory,
    2. flush Python's buffer and ``os.fsync`` the data to the disk,
    3. ``os.replace`` the temporary file onto the target (atomic on POSIX and
       Windows when both live on one filesystem),
    4. ``fsync`` the directory so the rename itself survives a power cut.

If anything fails before step 3 — an exception, Ctrl-C, a full disk — the
temporary file is removed and the target is untouched. A process killed with
SIGKILL cannot clean up, so a stray ``.name.tmp-<pid>-*`` file may remain, but
the target is still either the old or the new file, never a mixture; the
temporary file carries the writer's process id, so ``remove_stale_temps``
(run by checkpoints before their first save) deletes those whose writer is
gone.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any

BytesLike = bytes | bytearray | memoryview

_MAX_NAME_TRIES = 100


def atomic_write_bytes(
    path: str | os.PathLike[str], data: BytesLike | Iterable[Any]
) -> None:
    """Write ``data`` to ``path`` atomically.

    ``data`` is one bytes-like object or an iterable of bytes-like chunks
    (anything with the buffer protocol, e.g. contiguous NumPy arrays), so a
    large file can be streamed without building it in memory first.
    """
    with atomic_open(path, "wb") as f:
        if isinstance(data, bytes | bytearray | memoryview):
            f.write(data)
        else:
            for chunk in data:
                f.write(chunk)


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` when the block exits cleanly.

    ``mode`` is ``"wb"`` (binary) or ``"w"`` (UTF-8 text). On any exception,
    ``KeyboardInterrupt`` included, the temporary file is deleted, ``path`` is
    left as it was and the exception is re-raised.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"expected mode 'wb' or 'w', received {mode!r}.")
    target = os.path.abspath(os.fspath(path))
    directory = os.path.dirname(target)
    fd, tmp = _create_temp(target)
    try:
        _copy_mode(target, fd)
        if mode == "wb":
            f: IO[Any] = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding="utf-8", newline="")
        fd = -1  # the file object owns the descriptor from here on
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        if fd >= 0:
            os.close(fd)
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno is not None \
                and exc.filename in (None, tmp):
            # a failed write or fsync (a full disk) names no file: name the target
            raise OSError(exc.errno, exc.strerror, target) from exc
        raise
    _fsync_directory(directory)


def remove_stale_temps(path: str | os.PathLike[str]) -> list[str]:
    """Delete the temporary files of earlier writes of ``path`` whose writing
    process no longer runs (a SIGKILL mid-save leaves one); return their paths.
    Files of this process and of live ones are left alone."""
    target = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(target)
    prefix = f".{name}.tmp-"
    removed = []
    try:
        entries = os.listdir(directory)
    except OSError:
        return removed
    for entry in entries:
        pid = entry[len(prefix):].split("-", 1)[0] if entry.startswith(prefix) else ""
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with suppress(OSError):
                os.unlink(os.path.join(directory, entry))
                removed.append(os.path.join(directory, entry))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True       # it exists (another user's), or we cannot tell
    return True


def _create_temp(target: str) -> tuple[int, str]:
    """Create ``.<name>.tmp-<pid>-<random>`` beside ``target``; return (fd, path)."""
    directory, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_MAX_NAME_TRIES):
        tmp = os.path.join(directory,
                           f".{name}.tmp-{os.getpid()}-{secrets.token_hex(6)}")
        try:
            # 0o666 lets the user's umask decide, as for a plain open().
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as exc:  # name the file the caller asked for, not the temp
            raise type(exc)(exc.errno, exc.strerror, target) from None
    raise FileExistsError(f"could not create a temporary file beside {target}")


def _copy_mode(target: str, fd: int) -> None:
    """Give the new file the permissions of the file it replaces (best-effort)."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return
    with suppress(OSError, NotImplementedError, AttributeError):
        os.fchmod(fd, mode)


def _fsync_directory(directory: str) -> None:
    """Persist the rename; not possible on every platform (e.g. Windows)."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
