"""Reading and formatting the results file of the book's benchmark.

`load_results` reads what `python -m benchmarks --json PATH` wrote (run from the
repository root; the benchmark lives in `benchmarks/`, outside the package), and
the `format_*` functions print parts of it, so the Performance appendix shows a
stored run with the same text the benchmark printed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

TARGETS = {"b_over_a": 1.5, "b_over_c": 0.4}
"""The issue's targets on a 2-core CPU: b/a at least 1.5, b/c at least 0.4."""

SCHEMA = 1

DRIFT_WARNING = 0.10
"""A first-to-last change of the article's rate above this means the load changed."""

OPTION_DESCRIPTIONS = {
    "numpy": "NumPy arrays into fit instead of tf.data",
    "xla": "XLA: compile(jit_compile=True)",
    "steps": "16 training steps per call: compile(steps_per_execution=16)",
    "threads": "1 inter-op thread, one intra-op thread per core",
    "bf16": "mixed precision, bfloat16: keras.config.set_dtype_policy('mixed_bfloat16')",
    "fp16": "mixed precision, float16: keras.config.set_dtype_policy('mixed_float16')",
    "onednn-off": "oneDNN kernels off: TF_ENABLE_ONEDNN_OPTS=0",
}
"""Option name -> what it does, in words (the names of `--options`)."""


def format_trials(results: dict) -> str:
    """The table of every variant tried: set-up, images/s, vs a, accuracy, load, verdict.

    `acc` is the training accuracy after the run's epochs: larger batches take
    fewer steps per epoch, and it shows what that costs in learning. `load` is
    the 1-minute load average as the trial ended: well above the number of
    cores means other programs competed for them.
    """
    a = results["figures"]["a"]
    width = max(len(t["variant"]["label"]) for t in results["trials"]) + 2
    header = (
        f"{'stage':<9}{'set-up':<{width}}{'images/s':>9}{'vs a':>7}{'acc':>7}{'load':>6}  verdict"
    )
    lines = [header, "-" * (len(header) + 12)]
    for t in results["trials"]:
        result = t["result"]
        if result:
            rate = result["images_per_second"]
            accuracy = result["final_accuracy"]
            acc = f"{accuracy:>7.3f}" if accuracy is not None else f"{'-':>7}"
            shown = f"{rate:>9,.0f}{rate / a:>6.2f}x{acc}"
        else:
            shown = f"{'-':>9}{'-':>7}{'-':>7}"
        load = t.get("load")
        shown += f"{load:>6.1f}" if load is not None else f"{'-':>6}"
        lines.append(f"{t['stage']:<9}{t['variant']['label']:<{width}}{shown}  {t['verdict']}")
    return "\n".join(lines)


def format_summary(results: dict) -> str:
    """Figures a, b, c and the two ratios against their targets."""
    fig = results["figures"]
    mm = results["matmul"]
    mark = {True: "meets", False: "MISSES"}
    sizes = ", ".join(f"{n}: {g:,.0f}" for n, g in mm["by_size"].items())
    lines = [
        f"(a) article set-up   {fig['a']:>10,.0f} images/s   ({fig['a_label']})",
        f"(b) fastest set-up   {fig['b']:>10,.0f} images/s   ({fig['b_label']})",
        f"(c) machine limit    {fig['c']:>10,.0f} images/s",
        f"    float32 matmul GFLOP/s by matrix side: {sizes} (best of {mm['repeats']} each)",
        f"    c = {fig['c_arithmetic']}",
        f"b/a = {fig['b_over_a']:.2f}   target >= {TARGETS['b_over_a']}: "
        f"{mark[fig['meets']['b_over_a']]}",
        f"b/c = {fig['b_over_c']:.2f}   target >= {TARGETS['b_over_c']}: "
        f"{mark[fig['meets']['b_over_c']]}",
    ]
    drift = fig.get("drift")
    if drift is not None:
        lines.append(
            f"The article's set-up, measured first and last, drifted by {drift:+.1%}"
            + (
                ": the machine's load changed during the run; rerun it when the machine is idle."
                if abs(drift) > DRIFT_WARNING
                else "."
            )
        )
    if fig.get("c_bf16"):
        lines.append(
            f"For reference, bfloat16 matmul: {results['matmul_bf16']['gflops']:,.1f} GFLOP/s, "
            f"a limit of {fig['c_bf16']:,.0f} images/s; b / that = {fig['b_over_c_bf16']:.2f}"
        )
    return "\n".join(lines)


def format_latency(results: dict) -> str:
    """Per-image inference latency of predict, a direct call and a tf.function."""
    lat = results["latency"]
    lines = [f"Inference, batch of {lat['batch_size']} (median of {lat['repeats']} calls):"]
    for method, ms in lat["per_image_ms"].items():
        lines.append(f"  {method:<12} {ms:8.3f} ms per image")
    return "\n".join(lines)


def format_wall_times(results: dict) -> str:
    """Wall time of the book build and of the tests, or why they were not timed."""
    if not results["wall_times"]:
        return f"Wall times: not measured ({results.get('wall_times_note', 'skipped')})."
    lines = ["Wall times:"]
    for w in results["wall_times"]:
        status = "" if w["returncode"] == 0 else f"  (exit code {w['returncode']})"
        lines.append(f"  {w['label']:<12} {w['seconds']:8.1f} s   {w['command']}{status}")
    return "\n".join(lines)


def load_results(path: str | os.PathLike) -> dict:
    """Read the results a benchmark run wrote with `--json`.

    Raises:
        FileNotFoundError: no file at `path`; the message says how to make one.
        ValueError: the file is not results of this benchmark's schema.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no benchmark results at {path}; from the repository root, run: "
            f"python -m benchmarks --json {path}"
        )
    results = json.loads(path.read_text())
    if results.get("schema") != SCHEMA:
        raise ValueError(
            f"{path} is not benchmark results of schema {SCHEMA}. "
            f"Received: schema={results.get('schema')!r}"
        )
    return results
