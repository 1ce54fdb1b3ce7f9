"""Run one variant in a fresh Python process, so that start-up settings apply.

TensorFlow fixes its thread pools and its oneDNN switch when its runtime starts,
and Keras's dtype policy is global, so every variant is measured in a process of
its own: `run_isolated` starts `python -m benchmarks.worker` (with the repository
root on `PYTHONPATH`, so that it finds this package from any folder), which
applies the settings first, trains, and prints one result line that the parent
reads back.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.variants import Variant

RESULT_PREFIX = "CNNTUT_BENCH_RESULT "
CHILD_ENV = "CNNTUT_BENCH_CHILD"  # set in every process the benchmark starts
ROOT = Path(__file__).resolve().parents[1]  # the repository root, which holds `benchmarks`


def run_isolated(
    variant: Variant,
    data_path: str | os.PathLike,
    *,
    warmup_epochs: int = 1,
    timed_epochs: int = 1,
    seed: int = 0,
    max_seconds: float | None = None,
    timeout: float = 3600.0,
):
    """Measure `variant` in a fresh process on the images saved at `data_path`.

    Args:
        variant: the set-up to measure.
        data_path: an `.npz` with uint8 `x` `(N, 28, 28)` and labels `y`, as
            `benchmarks.data.save_bench_data` writes it.
        warmup_epochs: untimed epochs. Defaults to `1`.
        timed_epochs: timed epochs. Defaults to `1`.
        seed: weights and shuffle seed. Defaults to `0`.
        max_seconds: training budget, as in `measure_throughput`. Defaults to
            `None`: no limit.
        timeout: seconds before the process is stopped. Defaults to `3600.0`.

    Returns:
        The child's `benchmarks.throughput.Throughput`.

    Raises:
        RuntimeError: the child failed or printed no result; the message ends
            with the last lines of its error output.
    """
    from benchmarks.throughput import Throughput

    options = {
        "--data": data_path,
        "--variant": json.dumps(variant.to_dict()),
        "--warmup-epochs": warmup_epochs,
        "--timed-epochs": timed_epochs,
        "--seed": seed,
        "--max-seconds": max_seconds or 0,
    }
    command = [sys.executable, "-m", "benchmarks.worker"]
    for flag, value in options.items():
        command += [flag, str(value)]
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        **variant.environment(),
        CHILD_ENV: "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONPATH": path,
    }
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{variant.label}: no result within {timeout:.0f} s") from exc
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return Throughput.from_dict(json.loads(line[len(RESULT_PREFIX) :]))
    tail = "\n".join(done.stderr.strip().splitlines()[-5:])
    raise RuntimeError(f"{variant.label}: worker exited with {done.returncode}\n{tail}")


def main(argv: list[str] | None = None) -> int:
    """Apply the variant's start-up settings, measure it, print the result line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--variant", required=True, help="Variant.to_dict() as JSON")
    parser.add_argument("--warmup-epochs", type=int, default=1)
    parser.add_argument("--timed-epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=0.0, help="0: no limit")
    args = parser.parse_args(argv)
    variant = Variant.from_dict(json.loads(args.variant))

    import tensorflow as tf

    # Before anything runs an op: the pools are created with the first one.
    if variant.inter_op_threads:
        tf.config.threading.set_inter_op_parallelism_threads(variant.inter_op_threads)
    if variant.intra_op_threads:
        tf.config.threading.set_intra_op_parallelism_threads(variant.intra_op_threads)

    import numpy as np

    from benchmarks.throughput import measure_throughput
    from cnntut.data import preprocess

    with np.load(args.data, allow_pickle=False) as data:
        x, y = preprocess(data["x"]), data["y"]
    result = measure_throughput(
        variant,
        x,
        y,
        warmup_epochs=args.warmup_epochs,
        timed_epochs=args.timed_epochs,
        seed=args.seed,
        max_seconds=args.max_seconds or None,
    )
    print(RESULT_PREFIX + json.dumps(result.to_dict()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
