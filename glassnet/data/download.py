"""Download one file safely: verified SHA-256, retries, atomic rename.

The bytes stream into a temporary file next to ``dest`` while their SHA-256
is computed; only a file whose digest matches is moved into place with
``os.replace`` (atomic on one file system), so ``dest`` is either absent or
complete and verified -- never half written. http(s):// and file:// URLs are
read with ``urllib``.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from glassnet._validation import check_positive_int
from glassnet.errors import ConfigError, DataError, expected

CHUNK = 1 << 16
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# HTTP statuses worth retrying: timeouts, rate limits, server trouble.
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _progress_bar(total: int | None, name: str, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="B", unit_scale=True, desc=name, leave=False)


def _fetch(url: str, part: Path, timeout: float, progress: bool) -> str:
    """Stream ``url`` into ``part``; return the hex SHA-256 of what was read."""
    digest = hashlib.sha256()
    request = urllib.request.Request(url, headers={"User-Agent": "glassnet"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = _progress_bar(total, Path(urllib.parse.urlparse(url).path).name, progress)
        received = 0
        try:
            with open(part, "wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()
    if total is not None and received != total:
        raise http.client.IncompleteRead(b"", total - received)
    return digest.hexdigest()


def _retryable(error: Exception) -> bool:
    if isinstance(error, urllib.error.HTTPError):
        return error.code in _RETRY_STATUS
    if isinstance(error, urllib.error.URLError):
        # file:// URLs that do not exist will not appear on a second try
        return not isinstance(error.reason, FileNotFoundError)
    return True


def download(
    url: str,
    dest: str | os.PathLike,
    sha256: str,
    retries: int = 3,
    progress: bool = True,
    *,
    timeout: float = 30.0,
    backoff: float = 1.0,
) -> Path:
    """Download ``url`` to ``dest`` and verify its SHA-256; return ``dest``.

    An existing ``dest`` with the right digest is kept without downloading.
    Network errors are retried ``retries`` times with exponential backoff
    (sleep ``backoff · 2^attempt`` seconds); a checksum mismatch is not
    retried and leaves nothing behind. Raises ``DataError`` on failure.
    """
    retries = check_positive_int(retries, "retries", minimum=0)
    sha256 = _check_source(url, sha256)
    dest = Path(dest)
    if dest.is_file() and sha256_file(dest) == sha256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    part = Path(tmp)
    try:
        digest = _fetch_with_retries(url, part, dest, retries, timeout, backoff,
                                     progress)
        if digest != sha256:
            raise DataError(
                expected(
                    f"SHA-256 {sha256} for {url}",
                    digest,
                    "The download is corrupted or the mirror changed the file; "
                    f"nothing was written to {dest}. Try again later, or fetch "
                    "the file by hand and check it.",
                )
            )
        os.replace(part, dest)
        return dest
    finally:
        part.unlink(missing_ok=True)


def _check_source(url: str, sha256: str) -> str:
    """The lower-case digest, after checking it and the URL's scheme."""
    sha256 = str(sha256).lower()
    if not _HEX64.match(sha256):
        raise ConfigError(
            expected(
                "sha256 as 64 hexadecimal characters",
                repr(sha256),
                "Pass the published SHA-256 of the file.",
            )
        )
    scheme = urllib.parse.urlparse(url).scheme
    if scheme not in ("http", "https", "file"):
        raise ConfigError(
            expected(
                "an http://, https:// or file:// URL",
                repr(url),
                "Check the url argument.",
            )
        )
    return sha256


def _fetch_with_retries(url: str, part: Path, dest: Path, retries: int,
                        timeout: float, backoff: float, progress: bool) -> str:
    """``_fetch`` until it succeeds, sleeping backoff · 2^attempt between
    tries; the SHA-256 of what was read, or DataError after the last one."""
    last_error: Exception | None = None
    for attempt in range(retries + 1):
        try:
            return _fetch(url, part, timeout, progress)
        except (OSError, http.client.HTTPException) as error:
            last_error = error
            if attempt == retries or not _retryable(error):
                break
            time.sleep(backoff * 2**attempt)
    raise DataError(
        expected(
            f"to download {url}",
            f"{type(last_error).__name__}: {last_error}",
            f"Check your network connection, or download the file by hand and "
            f"save it as {dest}.",
        )
    )
