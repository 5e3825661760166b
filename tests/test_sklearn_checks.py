"""scikit-learn's own estimator checks on GlassnetClassifier / GlassnetRegressor:
every check of ``parametrize_with_checks`` runs and must pass — none is
declared an expected failure (``expected_failed_checks`` is not passed).

Each estimator is checked with small networks in two configurations: the
full-batch L-BFGS solver (scikit-learn runs its own MLP's sample-weight
equivalence check with it) and the default Adam solver (with batch_size
"auto" the checks' 15–300 rows are one full batch, so weights and repeated
rows give the same steps too).
"""

import os
import re
import subprocess
import sys
from functools import cache

import pytest

pytest.importorskip("sklearn", minversion="1.6")
pytest.importorskip("scipy")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from glassnet.sklearn import GlassnetClassifier, GlassnetRegressor  # noqa: E402

ESTIMATORS = [
    GlassnetClassifier((8,), solver="lbfgs", max_iter=60),
    GlassnetRegressor((8,), solver="lbfgs", max_iter=60),
    GlassnetClassifier((8,), learning_rate_init=0.02, max_iter=60),
    GlassnetRegressor((8,), learning_rate_init=0.02, max_iter=60),
]


@pytest.fixture(autouse=True)
def one_blas_thread():
    # the checks' arrays are tiny: BLAS threads only contend on a shared machine
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check, request):
    if "array_api" in request.node.name and not os.environ.get("SCIPY_ARRAY_API"):
        # scikit-learn runs its array-API check only when SciPy was imported
        # with SCIPY_ARRAY_API=1: run those checks in a process that was.
        out = _array_api_checks_in_a_subprocess()
        assert re.search(r"\b4 passed\b", out), out
        return
    check(estimator)


@cache
def _array_api_checks_in_a_subprocess() -> str:
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p",
                          "no:cacheprovider", __file__, "-k", "array_api"],
                         env=env, capture_output=True, text=True, timeout=600)
    return run.stdout + run.stderr
