"""Where the tasks run: this process, joblib workers, or a Dask cluster.

    n_jobs = 1, no scheduler   one after another, here (NumPy only)
    n_jobs = N                 N local processes through joblib
    scheduler = tcp://H:P      the workers of a running Dask cluster
                               (``dask scheduler``, ``dask worker tcp://H:P``)

Each finished task is handed to ``on_result`` as it arrives (the progress
bar), in whatever order the workers finish; every task's result depends only
on the task, so the order changes nothing. On Dask, a worker that dies takes
its running tasks with it and the scheduler runs them again on another worker
(up to its ``allowed-failures`` limit, after which the task is recorded as
failed with the reason).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

from glassnet.cli.gridsearch.tasks import Result, Task, run_task
from glassnet.data import Dataset
from glassnet.errors import ConfigError

CONNECT_TIMEOUT_S = 5  # an unreachable scheduler fails within seconds


def run_tasks(tasks: list[Task], data: Dataset, n_jobs: int = 1,
              scheduler: str | None = None,
              on_result: Callable[[Result], None] = lambda result: None
              ) -> list[Result]:
    """Run every task; return the results in task order."""
    if scheduler:
        done = _on_dask(tasks, data, scheduler, on_result)
    elif n_jobs != 1:
        done = _on_joblib(tasks, data, n_jobs, on_result)
    else:
        done = []
        for task in tasks:
            done.append(run_task(task, data))
            on_result(done[-1])
    order = {(t.config, t.fold): i for i, t in enumerate(tasks)}
    return sorted(done, key=lambda r: order[(r.config, r.fold)])


def _on_joblib(tasks, data, n_jobs: int, on_result) -> list[Result]:
    try:
        from joblib import Parallel, delayed
    except ImportError:
        raise ConfigError("--n-jobs above 1 runs the tasks through joblib, which "
                          "is not installed. Install it with: pip install "
                          "'glassnet[distributed]' (or pass --n-jobs 1).") from None
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    done = []
    for result in parallel(delayed(run_task)(task, data) for task in tasks):
        done.append(result)
        on_result(result)
    return done


def _on_dask(tasks, data, address: str, on_result) -> list[Result]:
    distributed = _distributed()
    client = connect(address)
    try:
        shared = client.scatter(data, broadcast=True, hash=False)  # once per worker
        run = uuid.uuid4().hex[:8]  # keys unique to this search on a shared cluster
        futures = {client.submit(run_task, task, shared, pure=False,
                                 key=f"glassnet-search-{run}-c{task.config}-f"
                                 f"{task.fold}"): task for task in tasks}
        done = []
        for future in distributed.as_completed(futures, loop=client.loop):
            try:
                result = future.result()
            except Exception as exc:  # e.g. KilledWorker: the task killed workers
                task = futures[future]
                result = Result(task.config, task.fold, float("nan"), 0.0,
                                " ".join(f"{type(exc).__name__}: {exc}".split()))
            done.append(result)
            on_result(result)
        return done
    finally:
        client.close()


def connect(address: str):
    """A ``distributed.Client`` of the scheduler at ``address``, or a
    ConfigError within CONNECT_TIMEOUT_S seconds saying why not."""
    distributed = _distributed()
    check_address(address)
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S,
                                    set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address} within "
                          f"{CONNECT_TIMEOUT_S} s ({' '.join(str(exc).split())}). "
                          "Start one with 'dask scheduler' and workers with 'dask "
                          "worker ADDRESS', then pass the address it prints.") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError):
        client.close()
        raise ConfigError(f"the Dask scheduler at {address} has no workers (none "
                          f"joined within {CONNECT_TIMEOUT_S} s). Start some with "
                          f"'dask worker {address}'.") from None
    return client


def check_address(address: str) -> None:
    """tcp://HOST:PORT (or tls://…); a bare HOST:PORT means tcp."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None:
        raise ConfigError(f"--scheduler expects an address like tcp://HOST:PORT, "
                          f"got {address!r}. Pass the address 'dask scheduler' "
                          "prints, e.g. tcp://127.0.0.1:8786.")


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ConfigError("--scheduler runs the tasks on a Dask cluster, which "
                          "needs dask[distributed]. Install it with: pip install "
                          "'glassnet[distributed]'.") from None
    return distributed
