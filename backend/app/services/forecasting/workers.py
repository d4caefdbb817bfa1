"""Set-up of a model-fitting worker process. Deliberately light: it runs before numpy is imported there."""

from __future__ import annotations

import os

THREAD_LIMITS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def prepare_worker() -> None:
    """One BLAS thread per worker, then load the models.

    The pool already gives every core a worker; a multi-threaded BLAS in each would put
    several threads on every core, and small-matrix fits slow down when they fight over cores
    (bench.retrain_speed).
    """
    for name in THREAD_LIMITS:
        os.environ.setdefault(name, "1")
    import app.ml.pipeline  # noqa: F401 - import once, before the first job needs it


def process_pool(workers: int):
    """Worker processes for fitting: forkserver (clean processes, not copies of a running event loop)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("forkserver"), initializer=prepare_worker
    )
