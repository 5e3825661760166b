"""Open only regular files of bounded size.

Everything glassnet reads from a path the user (or a model file) names —
CSV files, model files, TOML settings, JSON curves — goes through here, so
that a FIFO cannot hang a command and ``/dev/zero`` cannot fill the memory:

    open_regular(path, what, max_bytes, error)   a binary file object
    read_regular(path, what, max_bytes, error)   its bytes

The file is opened with ``O_NONBLOCK`` (opening a FIFO does not wait for a
writer) and checked with ``fstat`` on the open descriptor, so the check and
the read see the same file. ``error`` is the ``GlassnetError`` subclass the
caller raises for its kind of file (``DataError`` for data, …).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from glassnet.errors import DataError, GlassnetError, expected

#: Limits of the glassnet command (the library functions take ``max_bytes=``).
MAX_CSV_BYTES = 4 << 30        # 4 GiB of CSV text
MAX_MODEL_BYTES = 8 << 30      # 8 GiB model or checkpoint file
MAX_TEXT_BYTES = 16 << 20      # 16 MiB of TOML / JSON settings

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character "
          "device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"))


def kind_of(mode: int) -> str:
    """'a FIFO (named pipe)', 'a directory', … for a non-regular st_mode."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


@contextmanager
def open_regular(path: str | os.PathLike[str], what: str,
                 max_bytes: int | None = None,
                 error: type[GlassnetError] = DataError
                 ) -> Iterator[tuple[IO[bytes], int]]:
    """(binary file, size) for a regular file of at most ``max_bytes`` bytes;
    anything else raises ``error`` with one line saying what to pass instead."""
    where = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    want = f"{what} as a regular file"
    try:
        fd = os.open(where, flags)
    except FileNotFoundError:
        raise error(expected(f"an existing {what}", f"{where}, which does not exist "
                             "(not found)",
                             "Check the path and the working directory.")) from None
    except IsADirectoryError:
        raise error(expected(want, f"{where} (a directory)",
                             "Pass the path of the file itself.")) from None
    except OSError as exc:
        raise error(expected(f"a readable {what}", f"{where} ({exc.strerror})",
                             "Check the path and its permissions.")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(expected(want, f"{where} ({kind_of(info.st_mode)})",
                                 "Pass the path of a file saved on disk."))
        if max_bytes is not None and info.st_size > max_bytes:
            raise error(expected(f"{what} of at most {max_bytes:,} bytes",
                                 f"{where} ({info.st_size:,} bytes)",
                                 "Split the file, or pass a smaller one."))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        f = open(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f, info.st_size


def read_regular(path: str | os.PathLike[str], what: str,
                 max_bytes: int | None = None,
                 error: type[GlassnetError] = DataError) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` bytes."""
    with open_regular(path, what, max_bytes, error) as (f, size):
        data = f.read(size + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise error(expected(f"{what} of at most {max_bytes:,} bytes",
                             f"{os.fspath(path)}, which grew while it was read",
                             "Read it when nothing writes to it."))
    return data
