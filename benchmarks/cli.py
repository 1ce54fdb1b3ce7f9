"""`python -m benchmarks`: the command line of the benchmark (run it from the repository root).

A full run trains the CNN for two epochs on 60,000 images about fifteen times
(ten to twenty-five minutes on two cores). `--quick` asks the same questions of
12,288 images with a 20 s budget per set-up and no wall times: about five minutes,
and its ranking of the set-ups is what a reader needs to choose one. `--smoke`
runs the same steps on a thousand images, to check that the benchmark works; its
figures mean nothing. `--help` lists the options.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from benchmarks.data import FULL_TRAIN_SIZE
from benchmarks.results import format_report, write_results
from benchmarks.run import Settings, run_benchmark
from benchmarks.variants import option_changes

QUICK = {
    "images": 12_288,
    "matmul_sizes": "512,1024,2048",
    "latency_repeats": 20,
    "max_seconds": 20.0,
    "wall_times": False,
}
SMOKE = {"images": 1024, "matmul_sizes": "256,512", "latency_repeats": 10}


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Training throughput of the article's set-up (a), of the fastest "
        "set-up found (b) and the machine's matmul limit (c); inference latency; wall "
        "time of the book build and the tests.",
    )
    add = parser.add_argument
    add(
        "--images",
        type=int,
        default=None,
        help=f"training images per epoch (default {FULL_TRAIN_SIZE:,}; "
        f"{QUICK['images']:,} with --quick, {SMOKE['images']:,} with --smoke)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--quick",
        action="store_true",
        help="about five minutes: fewer images, a 20 s budget per set-up, no wall times",
    )
    mode.add_argument(
        "--smoke",
        action="store_true",
        help="check that the benchmark runs: few images, small matrices; figures mean nothing",
    )
    add("--warmup-epochs", type=int, default=1, help="untimed epochs per set-up (default 1)")
    add("--timed-epochs", type=int, default=1, help="timed epochs per set-up (default 1)")
    add(
        "--max-seconds",
        type=float,
        default=None,
        help="training budget per set-up: a slower one is stopped and its rate estimated "
        "from the steps it finished (default 150, 20 with --quick; 0: no limit)",
    )
    add(
        "--batch-sizes",
        default="128,256,512,1024",
        help="tf.data batch sizes to try (default 128,256,512,1024)",
    )
    add(
        "--options",
        default="all",
        help="switches to try on the best batch size: 'all', 'none' or a comma list of "
        f"{','.join(option_changes(1))}",
    )
    add(
        "--margin",
        type=float,
        default=0.03,
        help="gain a switch needs to win (default 0.03, i.e. 3%%)",
    )
    add(
        "--matmul-sizes",
        default=None,
        help="matrix sides for the matmul rate; the best counts (default 512,1024,2048,4096)",
    )
    add(
        "--in-process",
        action="store_true",
        help="train in this process (starts faster; set-ups that need a fresh process are skipped)",
    )
    add("--no-wall-times", action="store_true", help="do not time the book build and tests")
    add(
        "--with-suite",
        action="store_true",
        help="time all of pytest (every notebook, several minutes), not only pytest tests",
    )
    add("--root", default=None, help="the book's folder (default: this checkout)")
    add("--seed", type=int, default=0)
    add("--json", default=None, metavar="PATH", help="also write every figure to PATH")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the report, optionally write JSON.

    Args:
        argv: the options, without the program name. Defaults to `sys.argv[1:]`.

    Returns:
        The exit status, 0. Bad options exit with status 2 (argparse).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    results = run_benchmark(settings)
    results["command"] = shlex.join(["python", "-m", "benchmarks", *argv])
    print(format_report(results))
    if args.json:
        print(f"\nWrote {write_results(results, args.json)}")
    return 0


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Turn parsed options into `Settings`.

    Raises:
        ValueError: a size is not a positive integer, or an option is unknown.
    """
    mode = QUICK if args.quick else SMOKE if args.smoke else {}
    max_seconds = args.max_seconds
    if max_seconds is None:
        max_seconds = mode.get("max_seconds", 150.0)
    settings = Settings(
        images=args.images if args.images is not None else mode.get("images", FULL_TRAIN_SIZE),
        warmup_epochs=args.warmup_epochs,
        timed_epochs=args.timed_epochs,
        max_seconds=max_seconds or None,
        batch_sizes=_sizes("--batch-sizes", args.batch_sizes),
        options=_pick_options(args.options),
        margin=args.margin,
        latency_repeats=mode.get("latency_repeats", 50),
        in_process=args.in_process,
        wall_times=mode.get("wall_times", True) and not args.no_wall_times,
        with_suite=args.with_suite,
        root=args.root,
        seed=args.seed,
        quick=args.quick,
        smoke=args.smoke,
    )
    if args.matmul_sizes or mode:
        settings.matmul_sizes = _sizes("--matmul-sizes", args.matmul_sizes or mode["matmul_sizes"])
    for name in ("images", "warmup_epochs", "timed_epochs"):
        if getattr(settings, name) < 1:
            raise ValueError(
                f"--{name.replace('_', '-')} must be at least 1. "
                f"Received: {getattr(settings, name)}"
            )
    return settings


def _sizes(flag: str, text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise ValueError(f"{flag} must be a comma list of positive integers. Received: {text!r}")
    return sizes


def _pick_options(spec: str) -> dict[str, dict]:
    known = option_changes(os.cpu_count() or 1)
    if spec == "all":
        return known
    if spec == "none":
        return {}
    names = [name.strip() for name in spec.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise ValueError(
            f"--options takes 'all', 'none' or names from {sorted(known)}. Received: {spec!r}"
        )
    return {name: known[name] for name in names}
