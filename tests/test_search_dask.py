"""glassnet search on a Dask cluster: a ``distributed.LocalCluster`` of two
worker processes (each with its nanny, as ``dask worker`` starts them), reached
through its scheduler's tcp address exactly as a real cluster is."""

from __future__ import annotations

import csv
import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.cli.gridsearch import configurations, folds, make_tasks, run_tasks
from glassnet.io import read_model_file

distributed = pytest.importorskip("distributed")

GRID = 'layers = [8, "8,4"]\nlr = [0.01, 0.1]\nepochs = [4]\n'


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as c:
        yield c


def results_without_times(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return [[v for k, v in row.items() if k != "fit_time_s"]
                for row in csv.DictReader(f)]


def test_the_cluster_gives_exactly_the_scores_of_one_process(cluster, tmp_path):
    (tmp_path / "grid.toml").write_text(GRID)
    common = ["search", "circles", "--grid", str(tmp_path / "grid.toml"), "--cv",
              "3", "--seed", "0", "--quiet", "--no-plots"]
    assert main([*common, "--output", str(tmp_path / "here")]) == 0
    assert main([*common, "--output", str(tmp_path / "dask"), "--scheduler",
                 cluster.scheduler_address]) == 0
    here = results_without_times(tmp_path / "here" / "results.csv")
    assert len(here) == 4 and all(row[-1] == "" for row in here)  # no errors
    assert results_without_times(tmp_path / "dask" / "results.csv") == here
    best = [read_model_file(tmp_path / d / "best.safetensors").model.get_weights()
            for d in ("here", "dask")]
    for a, b in zip(*best, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")  # 5 epochs, on purpose
def test_gridsearchcv_on_the_cluster_scores_as_in_one_process(cluster):
    """The Python route: scikit-learn's GridSearchCV over GlassnetClassifier,
    its (configuration, fold) fits sent to the cluster by joblib's Dask backend."""
    pytest.importorskip("sklearn")
    joblib = pytest.importorskip("joblib")
    from sklearn.model_selection import GridSearchCV

    from glassnet.sklearn import GlassnetClassifier

    data = gn.load_builtin("circles", seed=0)
    grid = {"hidden_layer_sizes": [(8,), (8, 4)], "learning_rate_init": [0.01, 0.1]}

    def search(n_jobs):
        estimator = GlassnetClassifier(max_iter=5, batch_size=32, random_state=0)
        return GridSearchCV(estimator, grid, cv=3, n_jobs=n_jobs).fit(data.X, data.y)

    here = search(1)
    with distributed.Client(cluster.scheduler_address) as client:
        with joblib.parallel_backend("dask"):
            there = search(-1)
        ran_there = client.run(lambda: "glassnet.sklearn" in sys.modules)
    assert any(ran_there.values()), "no fit ran on a worker"
    for key in ("mean_test_score", "split0_test_score", "split1_test_score",
                "split2_test_score"):
        np.testing.assert_array_equal(here.cv_results_[key], there.cv_results_[key])
    assert len(set(here.cv_results_["mean_test_score"])) > 1
    assert here.best_params_ == there.best_params_


def test_a_worker_killed_mid_search_has_its_tasks_run_again(cluster):
    """SIGKILL the worker process that is running tasks as soon as the first
    result arrives: the scheduler reruns its tasks elsewhere (its nanny starts
    a fresh worker) and every score equals the one-process score."""
    data = gn.load_builtin("circles", seed=0)
    configs = configurations({"layers": [8, 16], "lr": [0.01, 0.1], "epochs": [6]},
                             {"data": "circles", "validation_split": 0.0})
    tasks = make_tasks(configs, folds(data, 3, seed=0))
    here = run_tasks(tasks, data)
    killed = []
    with distributed.Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)

        def kill_a_busy_worker(result):
            if killed:
                return
            busy = {w: keys for w, keys in client.processing().items() if keys}
            worker = next(iter(busy))
            os.kill(pids[worker], signal.SIGKILL)
            killed.append((worker, busy[worker]))

        there = run_tasks(tasks, data, scheduler=cluster.scheduler_address,
                          on_result=kill_a_busy_worker)
        client.wait_for_workers(2, timeout=60)
        after = client.run(os.getpid)
    assert killed and killed[0][1], "no task was running on the killed worker"
    assert pids[killed[0][0]] not in after.values()
    assert all(r.ok for r in there), [r.error for r in there if not r.ok]
    assert [(r.config, r.fold, r.score) for r in there] == \
        [(r.config, r.fold, r.score) for r in here]


def test_an_unreachable_scheduler_exits_2_with_one_line(tmp_path, capsys):
    (tmp_path / "grid.toml").write_text("lr = [0.01]\nepochs = [1]\n")
    argv = ["search", "circles", "--grid", str(tmp_path / "grid.toml"), "--output",
            str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 5 s" in err
    assert not (tmp_path / "out" / "results.csv").exists()


def test_a_scheduler_without_workers_exits_2_with_one_line(tmp_path, capsys):
    (tmp_path / "grid.toml").write_text("lr = [0.01]\nepochs = [1]\n")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=":0") as empty:
        assert main(["search", "circles", "--grid", str(tmp_path / "grid.toml"),
                     "--output", str(tmp_path / "out"), "--scheduler",
                     empty.scheduler_address]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no workers" in err


@pytest.mark.parametrize("address", ["127.0.0.1", "http://127.0.0.1:8786",
                                     "tcp://:8786", "tcp://host:port"])
def test_a_malformed_scheduler_address_exits_2_with_one_line(tmp_path, capsys,
                                                             address):
    (tmp_path / "grid.toml").write_text("lr = [0.01]\nepochs = [1]\n")
    assert main(["search", "circles", "--grid", str(tmp_path / "grid.toml"),
                 "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expects an address like tcp://HOST:PORT" in err
