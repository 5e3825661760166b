"""download() and load_mnist's download path, against file:// URLs and a local
HTTP server on 127.0.0.1 -- never the internet."""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from glassnet.data import download, load_mnist, write_idx
from glassnet.data import mnist as mnist_module
from glassnet.errors import ConfigError, DataError

PAYLOAD = bytes(range(256)) * 300  # 76.8 kB, several read chunks
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


@contextmanager
def serve(files: dict[str, bytes], fail_first: int = 0, status: int = 503):
    """Serve ``files`` at http://127.0.0.1:PORT/NAME; the first ``fail_first``
    requests get ``status``. Stops on exit, or by itself after 30 s."""
    log: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            log.append(self.path)
            body = files.get(self.path.lstrip("/"))
            if len(log) <= fail_first or body is None:
                self.send_error(status if body is not None else 404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    watchdog = threading.Timer(30.0, server.shutdown)
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", log
    finally:
        watchdog.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_file_url(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    dest = tmp_path / "cache" / "sub" / "out.bin"
    assert download(src.as_uri(), dest, PAYLOAD_SHA, progress=False) == dest
    assert dest.read_bytes() == PAYLOAD
    assert sorted(p.name for p in dest.parent.iterdir()) == ["out.bin"]


def test_checksum_mismatch_leaves_nothing(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="SHA-256"):
        download(src.as_uri(), cache / "out.bin", "0" * 64, progress=False)
    assert list(cache.iterdir()) == []


def test_http_with_retries_and_progress(tmp_path):
    with serve({"data.bin": PAYLOAD}, fail_first=2) as (base, log):
        dest = download(
            f"{base}/data.bin",
            tmp_path / "data.bin",
            PAYLOAD_SHA,
            retries=3,
            backoff=0.0,
            progress=True,
        )
    assert dest.read_bytes() == PAYLOAD
    assert len(log) == 3  # two 503s, then success


def test_http_gives_up(tmp_path):
    with serve({"data.bin": PAYLOAD}, fail_first=10) as (base, log):
        with pytest.raises(DataError, match="503"):
            download(
                f"{base}/data.bin",
                tmp_path / "data.bin",
                PAYLOAD_SHA,
                retries=2,
                backoff=0.0,
                progress=False,
            )
        assert len(log) == 3
        with pytest.raises(DataError, match="404"):
            download(
                f"{base}/nope.bin",
                tmp_path / "nope.bin",
                PAYLOAD_SHA,
                retries=5,
                backoff=0.0,
                progress=False,
            )
        assert len(log) == 4  # a 404 is not retried
    assert list(tmp_path.iterdir()) == []


def test_existing_verified_file_is_kept(tmp_path):
    dest = tmp_path / "data.bin"
    dest.write_bytes(PAYLOAD)
    with serve({"data.bin": b"other"}) as (base, log):
        download(f"{base}/data.bin", dest, PAYLOAD_SHA, progress=False)
    assert log == [] and dest.read_bytes() == PAYLOAD


def test_bad_arguments(tmp_path):
    with pytest.raises(ConfigError):
        download("ftp://example.org/x", tmp_path / "x", PAYLOAD_SHA)
    with pytest.raises(ConfigError):
        download((tmp_path / "x").as_uri(), tmp_path / "y", "abc")


# ------------------------------------------------------ load_mnist downloads


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A fake MNIST mirror folder, with SHA256 pinned to its files."""
    monkeypatch.delenv("GLASSNET_DATA_DIR", raising=False)
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 6, dtype=np.uint8),
    }
    folder = tmp_path / "mirror"
    folder.mkdir()
    sums = {}
    for key, name in mnist_module.IDX_NAMES.items():
        path = write_idx(folder / f"{name}.gz", arrays[key], compress=True)
        sums[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setitem(mnist_module.SHA256, "mnist", sums)
    return folder, arrays


def test_load_mnist_downloads_into_cache(tmp_path, mirror):
    folder, arrays = mirror
    cache = tmp_path / "cache"
    x, y, xt, yt = load_mnist(cache_dir=cache, url=folder.as_uri() + "/")
    np.testing.assert_array_equal(x, arrays["x_train"])
    np.testing.assert_array_equal(yt, arrays["y_test"])
    assert sorted(p.name for p in (cache / "mnist").iterdir()) == sorted(
        mnist_module.SHA256["mnist"]
    )
    again = load_mnist(cache_dir=cache, download=False)  # now found in the cache
    np.testing.assert_array_equal(again[0], x)


def test_load_mnist_over_http_with_fallback_mirror(tmp_path, mirror):
    folder, arrays = mirror
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    with serve(files) as (base, log):
        dead = (tmp_path / "no-such-mirror").as_uri()
        x, y, _, _ = load_mnist(cache_dir=tmp_path / "c", url=[dead, base])
    np.testing.assert_array_equal(y, arrays["y_train"])
    assert len(log) == 4


def test_load_mnist_rejects_tampered_mirror(tmp_path, mirror, monkeypatch):
    folder, _ = mirror
    sums = dict(mnist_module.SHA256["mnist"])
    sums["t10k-labels-idx1-ubyte.gz"] = "f" * 64
    monkeypatch.setitem(mnist_module.SHA256, "mnist", sums)
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="SHA-256") as info:
        load_mnist(cache_dir=cache, url=folder.as_uri())
    assert "GLASSNET_DATA_DIR" in str(info.value)
    leftovers = [p.name for p in (cache / "mnist").iterdir()]
    assert "t10k-labels-idx1-ubyte.gz" not in leftovers
    assert not any(name.endswith(".part") for name in leftovers)


def test_load_mnist_offline(tmp_path, mirror):
    with pytest.raises(DataError, match="download the four|copy the four"):
        load_mnist(cache_dir=tmp_path / "cache", url=(tmp_path / "offline").as_uri())
