#!/usr/bin/env bash
# The GPU check in one call: the GPU tests, then glassnet vs PyTorch CUDA.
#
#   bash benchmarks/gpu_check.sh OUT_DIR
#
# Needs an NVIDIA GPU with CuPy, PyTorch (CUDA), NumPy and pytest installed;
# glassnet runs from this checkout (PYTHONPATH=.), nothing is downloaded.
# MNIST is read from $GLASSNET_DATA_DIR/mnist.npz, or ./data/mnist.npz (an
# ignored folder a session can carry to the GPU machine); without it the
# benchmark uses MNIST-shaped synthetic pixels and says so.
# Writes OUT_DIR/machine.txt, tests.txt, bench.txt, gpu_results.md/.json.
# About 5 minutes on an H200 (CuPy compiles its kernels on first use).
# The CNN case of tests/test_gpu.py and benchmarks/bench_gpu.py runs by itself
# once gn.Conv2D exists (issue 19).
set -uo pipefail
OUT=${1:?usage: bash benchmarks/gpu_check.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ -z "${GLASSNET_DATA_DIR:-}" ] && [ -f data/mnist.npz ]; then
  export GLASSNET_DATA_DIR="$PWD/data"
fi
PY=${PYTHON:-python3}

{ date -u; nvidia-smi 2>&1 | head -20
  $PY -c "import sys, numpy, cupy; print('python', sys.version.split()[0], \
'numpy', numpy.__version__, 'cupy', cupy.__version__)"
  $PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, \
torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no CUDA')"
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

echo "== tests (GPU suite, then the seam and device tests)"
timeout 240 $PY -m pytest -q -p no:cacheprovider -rs tests/test_gpu.py \
  tests/test_device.py tests/test_device_seam.py 2>&1 | tee "$OUT/tests.txt"
tests=${PIPESTATUS[0]}

echo "== benchmarks"
timeout 300 $PY benchmarks/bench_gpu.py --out "$OUT" 2>&1 | tee "$OUT/bench.txt"
bench=${PIPESTATUS[0]}

echo "tests exit $tests, benchmarks exit $bench; tables in $OUT/gpu_results.md"
[ "$tests" -eq 0 ] && [ "$bench" -eq 0 ]
