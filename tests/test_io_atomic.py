"""Atomic writes: an interrupted save leaves the previous file intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from glassnet.io import (
    atomic_open,
    atomic_write_bytes,
    read_safetensors,
    write_safetensors,
)

OLD = b"old contents\n"


def _only(tmp_path: Path) -> list[str]:
    """Directory listing: must be just the target, no leftover temp files."""
    return sorted(os.listdir(tmp_path))


def test_write_bytes_and_chunks(tmp_path):
    path = tmp_path / "f.bin"
    atomic_write_bytes(path, b"abc")
    assert path.read_bytes() == b"abc"
    chunks = [b"x", bytearray(b"yz"), memoryview(np.arange(3, dtype=np.uint8))]
    atomic_write_bytes(path, iter(chunks))
    assert path.read_bytes() == b"xyz\x00\x01\x02"
    assert _only(tmp_path) == ["f.bin"]


def test_atomic_open_text_and_binary(tmp_path):
    path = tmp_path / "f.txt"
    with atomic_open(path, "w") as f:
        f.write("héllo\n")
    assert path.read_bytes() == "héllo\n".encode()
    with atomic_open(str(path)) as f:
        f.write(b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    with pytest.raises(ValueError, match="mode"):
        with atomic_open(path, "a"):
            pass


def test_exception_inside_block_keeps_old_file(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(OLD)
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_open(path) as f:
            f.write(b"half a new file")
            raise RuntimeError("boom")
    assert path.read_bytes() == OLD
    assert _only(tmp_path) == ["f.bin"]


def test_keyboard_interrupt_midway_keeps_old_file(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(OLD)

    def chunks():
        yield b"new " * 1000
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(path, chunks())
    assert path.read_bytes() == OLD
    assert _only(tmp_path) == ["f.bin"]


def test_failed_replace_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    path.write_bytes(OLD)

    def crash(src, dst):
        raise OSError("simulated crash during rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == OLD
    assert _only(tmp_path) == ["f.bin"]


def test_interrupted_safetensors_save_keeps_old_model(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    write_safetensors(path, {"w": np.ones(4, np.float32)})

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_safetensors(path, {"w": np.zeros(4, np.float32)})
    monkeypatch.undo()
    np.testing.assert_array_equal(read_safetensors(path)[0]["w"], np.ones(4))
    assert _only(tmp_path) == ["m.safetensors"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_replacement_keeps_file_mode(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(OLD)
    path.chmod(0o640)
    atomic_write_bytes(path, b"new")
    assert path.stat().st_mode & 0o777 == 0o640


_WRITER = textwrap.dedent(
    """
    import sys
    from glassnet.io import atomic_write_bytes

    path, versions = sys.argv[1], [open(p, "rb").read() for p in sys.argv[2:]]
    i = 0
    while True:  # rewrite forever; the parent kills us at a random moment
        data = memoryview(versions[i % 2])
        # many small writes, so the kill most likely lands inside a save
        chunks = (data[k : k + 4096] for k in range(0, len(data), 4096))
        atomic_write_bytes(path, chunks)
        print(i, flush=True)  # one complete save
        i += 1
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_write_leaves_old_or_new(tmp_path):
    versions = []
    for value in (0.0, 1.0):
        version = tmp_path / f"v{int(value)}.safetensors"
        write_safetensors(version, {"w": np.full(1_000_000, value, np.float32)})
        versions.append(version.read_bytes())
    path = tmp_path / "m.safetensors"
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    argv = [sys.executable, str(script), str(path)]
    argv += [str(tmp_path / f"v{i}.safetensors") for i in range(2)]
    rng = np.random.default_rng(0)
    for delay in rng.uniform(0.0, 0.1, size=4):
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline(), "the writer died before its first save"
            time.sleep(delay)  # now it is somewhere inside a later save
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        assert path.read_bytes() in versions  # old or new, never a mixture
        w = read_safetensors(path)[0]["w"]
        assert w.shape == (1_000_000,) and np.all(w == w[0])
    leftovers = [n for n in os.listdir(tmp_path) if ".tmp-" in n]
    assert leftovers, "no kill landed inside a save; the test proved nothing"
