"""One benchmark run: measure everything, in a fixed order, into one results dict.

The order keeps the measurements from disturbing each other: the data and the
FLOP count first, then the matrix-multiply rates in this process, then each
training set-up (in a fresh process unless `in_process`), the inference
latency, and last the wall times of the book build and the tests.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial

from benchmarks.data import FULL_TRAIN_SIZE, bench_data, save_bench_data
from benchmarks.machine import load_average, machine_info
from benchmarks.results import figures, findings
from benchmarks.search import run_search
from benchmarks.variants import Variant
from benchmarks.walltime import find_root, time_book_build, time_tests
from benchmarks.worker import CHILD_ENV, run_isolated
from cnntut.bench.flops import count_flops
from cnntut.bench.machine import utc_now
from cnntut.bench.matmul import MatmulRate, measure_best_matmul
from cnntut.bench.report import SCHEMA


@dataclass
class Settings:
    """What one run measures; the defaults are a full run.

    Args:
        images: training images per epoch. Defaults to `60_000`.
        warmup_epochs: untimed epochs per set-up. Defaults to `1`.
        timed_epochs: timed epochs per set-up. Defaults to `1`.
        max_seconds: training budget per set-up (`None`: no limit). Defaults to `150.0`.
        batch_sizes: `tf.data` batch sizes to try. Defaults to `(128, 256, 512, 1024)`.
        options: option name -> `Variant` changes to try. Defaults to none.
        margin: gain an option needs to win. Defaults to `0.03`.
        matmul_sizes: matrix sides for the matmul rates. Defaults to `(512, 1024, 2048, 4096)`.
        latency_repeats: timed calls per inference method. Defaults to `50`.
        in_process: train in this process instead of fresh ones. Defaults to `False`.
        wall_times: time the book build and the tests. Defaults to `True`.
        with_suite: time all of `pytest`, not only `pytest tests`. Defaults to `False`.
        root: the book's folder (`None`: this checkout). Defaults to `None`.
        seed: seed of the data shifts, weights and shuffles. Defaults to `0`.
        quick: a `--quick` run (about five minutes). Defaults to `False`.
        smoke: a `--smoke` run, whose figures mean nothing; recorded so that it
            cannot pass for a real one. Defaults to `False`.
    """

    images: int = FULL_TRAIN_SIZE
    warmup_epochs: int = 1
    timed_epochs: int = 1
    max_seconds: float | None = 150.0
    batch_sizes: tuple[int, ...] = (128, 256, 512, 1024)
    options: dict[str, dict] = field(default_factory=dict)
    margin: float = 0.03
    matmul_sizes: tuple[int, ...] = (512, 1024, 2048, 4096)
    latency_repeats: int = 50
    in_process: bool = False
    wall_times: bool = True
    with_suite: bool = False
    root: str | None = None
    seed: int = 0
    quick: bool = False
    smoke: bool = False


def run_benchmark(settings: Settings, log: Callable[[str], None] | None = None) -> dict:
    """Measure a, b, c, the latency and the wall times; return the results dict.

    Args:
        settings: what to measure.
        log: called with a line after each measurement. Defaults to printing
            to stderr.

    Returns:
        The results, as `cnntut.bench.report` formats them and `--json` writes them.

    Raises:
        RuntimeError: the article's set-up, which every ratio needs, failed.
    """
    from cnntut.data import preprocess
    from cnntut.latency import measure_latency
    from cnntut.models import build_cnn

    log = log or partial(print, file=sys.stderr, flush=True)
    load_before = load_average()
    x, y, source = bench_data(settings.images, seed=settings.seed)
    log(f"Data: {source}")
    flops = count_flops(build_cnn())
    matmul, matmul_sizes = measure_best_matmul(settings.matmul_sizes)
    log(f"matmul float32: {matmul.gflops:,.1f} GFLOP/s at {matmul.n}x{matmul.n}")
    matmul_bf16, bf16_sizes = _try_bf16_matmul(settings.matmul_sizes, log)

    epochs = {
        "warmup_epochs": settings.warmup_epochs,
        "timed_epochs": settings.timed_epochs,
        "max_seconds": settings.max_seconds,
        "seed": settings.seed,
    }
    with tempfile.TemporaryDirectory(prefix="cnntut-bench-") as tmp:
        if settings.in_process:
            from benchmarks.throughput import measure_throughput

            measure = partial(measure_throughput, x=preprocess(x), y=y, **epochs)
            skip = _skip_fresh_process
        else:
            data_path = save_bench_data(os.path.join(tmp, "images.npz"), x, y)
            measure, skip = partial(run_isolated, data_path=data_path, **epochs), None
        outcome = run_search(
            measure,
            batch_sizes=settings.batch_sizes,
            options=settings.options,
            margin=settings.margin,
            skip=skip,
            log=log,
        )
    load_after = load_average()  # before the tests: the load of the training runs
    if outcome.article.rate is None:
        raise RuntimeError(f"the article's set-up could not be measured: {outcome.article.error}")

    latency = measure_latency(build_cnn(), preprocess(x[:1]), repeats=settings.latency_repeats)
    wall_times, wall_note = _wall_times(settings, log)
    fig = figures(outcome.article.rate, outcome.best.rate, matmul.gflops, flops.training_flops)
    fig |= {
        "a_label": outcome.article.variant.label,
        "b_label": outcome.best.variant.label,
        "drift": outcome.drift,
    }
    if matmul_bf16:
        fig["c_bf16"] = matmul_bf16.gflops * 1e9 / flops.training_flops
        fig["b_over_c_bf16"] = outcome.best.rate / fig["c_bf16"]
    results = {
        "schema": SCHEMA,
        "created": utc_now(),
        "command": "",
        "machine": machine_info(),
        "load_average": {"before": load_before, "after_training": load_after},
        "settings": {**asdict(settings), "data_source": source},
        "flops": {
            "layers": [asdict(row) for row in flops.layers],
            "forward_macs": flops.forward_macs,
            "forward_flops": flops.forward_flops,
            "training_flops": flops.training_flops,
            "arithmetic": flops.arithmetic(),
        },
        "matmul": _matmul_dict(matmul, matmul_sizes),
        "matmul_bf16": _matmul_dict(matmul_bf16, bf16_sizes) if matmul_bf16 else None,
        "trials": [trial.to_dict() for trial in outcome.trials],
        "figures": fig,
        "latency": {
            "batch_size": latency.batch_size,
            "repeats": latency.repeats,
            "per_image_ms": {m: s * 1e3 for m, s in latency.per_image.items()},
        },
        "wall_times": [w.to_dict() for w in wall_times],
        "wall_times_note": wall_note,
    }
    results["findings"] = findings(results)
    return results


def _try_bf16_matmul(sizes, log) -> tuple[MatmulRate | None, dict]:
    try:
        rate, by_size = measure_best_matmul(sizes, dtype="bfloat16")
    except Exception as exc:  # not every CPU build multiplies bfloat16
        log(f"matmul bfloat16: not measured ({type(exc).__name__}: {exc})")
        return None, {}
    log(f"matmul bfloat16: {rate.gflops:,.1f} GFLOP/s at {rate.n}x{rate.n}")
    return rate, by_size


def _matmul_dict(rate: MatmulRate, by_size: dict[int, float]) -> dict:
    return {
        **asdict(rate),
        "gflops": rate.gflops,
        "by_size": {str(n): g for n, g in by_size.items()},
    }


def _skip_fresh_process(variant: Variant) -> str | None:
    if variant.needs_fresh_process:
        return "needs a fresh process (run without --in-process)"
    return None


def _wall_times(settings: Settings, log: Callable[[str], None]) -> tuple[list, str]:
    if not settings.wall_times:
        return [], "--no-wall-times was given"
    if os.environ.get(CHILD_ENV):
        return [], "inside a benchmark child process: not timing the tests from the tests"
    root = find_root(settings.root)
    if root is None:
        return [], "no book source (_toc.yml) found; pass --root"
    done = [time_book_build(root)]
    log(f"book build: {done[-1].seconds:.1f} s")
    done.append(time_tests(root, suite=settings.with_suite))
    log(f"{done[-1].label}: {done[-1].seconds:.1f} s")
    return done, "the whole suite, every notebook" if settings.with_suite else "unit tests only"
