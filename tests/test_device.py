"""Choosing a device: the errors without CuPy or without a GPU, the dropout
generator's formula, the fused-kernel hook and the packaging of the GPU
extra — everything about ``device=`` that needs no GPU to check."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.core import backend
from glassnet.errors import ConfigError
from glassnet.fast.adam import adam_update
from glassnet.gpu import random as gpu_random

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_cuda_yet(monkeypatch):
    """Forget a CUDA backend built earlier in this process (a GPU machine)."""
    monkeypatch.delitem(backend._BACKENDS, "cuda", raising=False)
    return monkeypatch


def _net(device="cpu"):
    return gn.Sequential([gn.Dense(3, "relu", input_dim=2), gn.Dense(1)], seed=0,
                         device=device)


def test_without_cupy_cuda_says_what_to_install(no_cuda_yet, errmsg):
    no_cuda_yet.setitem(sys.modules, "cupy", None)          # import cupy fails
    with pytest.raises(ConfigError) as exc:
        _net("cuda")
    errmsg(exc, "cupy", "pip install", "gpu-cuda12", "gpu-cuda13", "device='cpu'")
    net = _net()
    with pytest.raises(ConfigError, match="CuPy"):
        net.to("cuda")
    assert net.backend is backend.CPU and type(net.flat_params) is np.ndarray


@pytest.mark.parametrize("count", [0, RuntimeError("cudaErrorNoDevice: no CUDA-capable "
                                                   "device is detected")])
def test_cupy_without_a_gpu_says_so(no_cuda_yet, errmsg, count):
    def device_count():
        if isinstance(count, Exception):
            raise count
        return count
    fake = types.ModuleType("cupy")
    fake.__version__ = "14.2.0"
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(
        getDeviceCount=device_count))
    no_cuda_yet.setitem(sys.modules, "cupy", fake)
    with pytest.raises(ConfigError) as exc:
        gn.Sequential([gn.Dense(1, input_dim=2)], device="CUDA")
    errmsg(exc, "no usable GPU", "14.2.0", "nvidia-smi", "device='cpu'")


def test_an_unknown_device_is_refused(errmsg):
    with pytest.raises(ConfigError) as exc:
        _net("tpu")
    errmsg(exc, "'tpu'", "cpu", "cuda")


def test_the_core_needs_numpy_only_and_the_gpu_extra_brings_cupy():
    tomllib = pytest.importorskip("tomllib")          # Python ≥ 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == ["numpy>=1.24"]
    extras = project["optional-dependencies"]
    assert extras["gpu-cuda12"][0].startswith("cupy-cuda12x")
    assert extras["gpu-cuda13"][0].startswith("cupy-cuda13x")
    assert not any("cupy" in r for r in extras["test"] + extras["all"])


def test_splitmix_uniform_is_the_published_generator():
    def splitmix64(seed, n):                  # Steele, Lea & Flood: state += γ
        out, s = [], seed
        for _ in range(n):
            s = (s + 0x9E3779B97F4A7C15) % 2**64
            z = ((s ^ (s >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
            out.append(z ^ (z >> 31))
        return out
    for key in (0, 1, 2**63 - 1):
        z = splitmix64(key, 7)
        assert gpu_random.uniform(key, (7,), np.float64).tolist() == \
            [(v >> 11) * 2.0**-53 for v in z]
        assert gpu_random.uniform(key, (7,), np.float32).tolist() == \
            [np.float32((v >> 40) * 2.0**-24) for v in z]
    assert splitmix64(0, 1) == [0xE220A8397B1DCDAF]          # the reference value


def test_splitmix_uniform_looks_uniform():
    u = gpu_random.uniform(2024, (200, 1000), np.float32)
    assert u.min() >= 0.0 and u.max() < 1.0
    counts = np.bincount((u * 20).astype(int).ravel(), minlength=20)
    chi2 = ((counts - u.size / 20) ** 2 / (u.size / 20)).sum()
    assert chi2 < 45                          # 19 dof: p ≈ 0.001
    v = gpu_random.uniform(2025, (200, 1000), np.float32)
    assert abs(np.corrcoef(u.ravel(), v.ravel())[0, 1]) < 0.01


def test_a_backend_kernel_replaces_the_adam_update(monkeypatch):
    calls = []

    def kernel(params, grads, m, v, **hyper):     # stands in for the GPU kernel
        calls.append(hyper)
        adam_update(np, params, grads, m, v, np.empty_like(params), **hyper)

    spy = replace(backend.CPU, name="spy", kernels={"adam": kernel})
    X = np.random.default_rng(0).standard_normal((32, 2))
    y = X.sum(axis=1, keepdims=True)
    nets = []
    for device in ("cpu", spy):
        net = _net(device)
        net.compile("mse", "adam", learning_rate=0.01)
        net.fit(X, y, epochs=2, batch_size=8, seed=0, verbose=0)
        nets.append(net)
    assert len(calls) == 8 and calls[-1]["t"] == 8 and calls[0]["lr"] == 0.01
    for a, b in zip(*(n.get_weights() for n in nets), strict=True):
        assert a.tobytes() == b.tobytes()


def test_cpu_dropout_still_draws_from_the_model_generator():
    net = gn.Sequential([gn.Dropout(0.5, input_dim=4)], seed=7)
    x = np.ones((3, 4), dtype=np.float32)
    y = net.layers[0].forward(x, training=True)
    u = np.random.default_rng(7).random((3, 4), dtype=np.float32)
    assert ((y > 0) == (u >= 0.5)).all()


def test_the_gpu_suite_runs_on_a_stand_in_gpu():
    """tests/test_gpu.py with the checking device as "cuda" (gpu_standin)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "tests"), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "gpu_standin",
                          "-p", "no:cacheprovider", "tests/test_gpu.py"],
                         cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=600)
    tail = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0 and "passed" in tail and "failed" not in tail, \
        run.stdout[-3000:] + run.stderr[-2000:]
    assert int(tail.split(" passed")[0].split()[-1]) >= 35, tail
