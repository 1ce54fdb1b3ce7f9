"""Figures a, b and c, their ratios, and the benchmark's printed report.

Everything here works on the results dictionary that `python -m cnntut bench
--json PATH` writes, so the book's Performance appendix formats a stored run
with the same functions that printed it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cnntut.bench.variants import OPTION_DESCRIPTIONS

TARGETS = {"b_over_a": 1.5, "b_over_c": 0.4}
"""The issue's targets on a 2-core CPU: b/a at least 1.5, b/c at least 0.4."""

SCHEMA = 1

DRIFT_WARNING = 0.10
"""A first-to-last change of the article's rate above this means the load changed."""


def figures(
    article_rate: float, best_rate: float, matmul_gflops: float, training_flops: int
) -> dict:
    """Figures a, b, c and the ratios b/a and b/c, with the arithmetic of c.

    Args:
        article_rate: images/s of the article's set-up (a).
        best_rate: images/s of the fastest set-up measured (b).
        matmul_gflops: the measured float32 matrix-multiply rate, GFLOP/s.
        training_flops: training FLOPs per image of the model.

    Returns:
        A dict with `a`, `b`, `c` (images/s), `b_over_a`, `b_over_c`,
        `c_arithmetic` (the division written out) and `meets` (target -> bool).

    Raises:
        ValueError: a rate or the FLOP count is not positive.
    """
    for name, value in (
        ("article_rate", article_rate),
        ("best_rate", best_rate),
        ("matmul_gflops", matmul_gflops),
        ("training_flops", training_flops),
    ):
        if not value > 0:
            raise ValueError(f"{name} must be positive. Received: {name}={value}")
    limit = matmul_gflops * 1e9 / training_flops
    ratios = {"b_over_a": best_rate / article_rate, "b_over_c": best_rate / limit}
    return {
        "a": article_rate,
        "b": best_rate,
        "c": limit,
        **ratios,
        "c_arithmetic": (
            f"{matmul_gflops:,.1f} GFLOP/s * 1e9 / {training_flops:,} FLOP per image "
            f"= {limit:,.0f} images/s"
        ),
        "meets": {key: ratios[key] >= target for key, target in TARGETS.items()},
    }


def recommendations(results: dict) -> list[str]:
    """What the book's chapters should adopt, one sentence per finding."""
    fig = results["figures"]
    trials = results["trials"]
    best = next(t for t in trials if "chosen" in t["verdict"])
    lines = [
        f"Train with {best['variant']['label']}: {fig['b_over_a']:.1f}x the images per "
        f"second of the article's fit(x, y) at batch 32 "
        f"({fig['b']:,.0f} vs {fig['a']:,.0f} images/s).",
    ]
    float32 = [
        t
        for t in trials
        if t["result"]
        and t["stage"] not in ("article", "recheck")
        and t["variant"]["precision"] == "float32"
    ]
    if float32 and best["variant"]["precision"] != "float32":
        fast = max(float32, key=lambda t: t["result"]["images_per_second"])
        rate = fast["result"]["images_per_second"]
        lines.append(
            f"In float32 (for a CPU without fast bfloat16), the fastest was "
            f"{fast['variant']['label']}: {rate / fig['a']:.1f}x ({rate:,.0f} images/s)."
        )
    batch = [t for t in trials if t["stage"] == "batch" and t["result"]]
    if batch:
        sizes = ", ".join(
            f"{t['variant']['batch_size']}: {t['result']['images_per_second']:,.0f}" for t in batch
        )
        lines.append(f"tf.data batch sizes (images/s) {sizes}.")
    for t in trials:
        if t["stage"] != "option":
            continue
        what = OPTION_DESCRIPTIONS.get(t["option"], t["option"])
        if t["result"] is None:
            lines.append(f"{what}: {t['verdict']} ({t['error']}).")
        else:
            advice = "adopt" if t["verdict"].startswith("wins") else "leave it out"
            if t["verdict"].startswith("within noise"):
                advice = "no clear gain, leave it out"
            lines.append(f"{what}: {t['verdict'].split(';')[0]} -> {advice}.")
    lines.append(
        "These are speeds only: a larger batch takes fewer steps per epoch, so it "
        "may need a higher learning rate or more epochs to reach the same accuracy."
    )
    return lines


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


def format_report(results: dict) -> str:
    """The whole printed report."""
    machine = results["machine"]
    settings = results["settings"]
    return "\n\n".join(
        [
            f"cnntut bench, {results['created']}: {machine['cpu_model']}, "
            f"{machine['cpu_count']} cores, TensorFlow {machine['tensorflow']}",
            f"Data: {settings['data_source']}; {settings['warmup_epochs']} warm-up epoch(s), "
            f"{settings['timed_epochs']} timed epoch(s) per set-up"
            + (
                f", at most {settings['max_seconds']:.0f} s each."
                if settings.get("max_seconds")
                else "."
            ),
            format_trials(results),
            format_summary(results),
            format_latency(results),
            format_wall_times(results),
            "Adopt:\n" + "\n".join(f"  - {line}" for line in results["adopt"]),
        ]
    )


def write_results(results: dict, path: str | os.PathLike) -> Path:
    """Write the results as indented JSON, creating the folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


def load_results(path: str | os.PathLike) -> dict:
    """Read results written by `write_results`.

    Raises:
        FileNotFoundError: no file at `path`; the message says how to make one.
        ValueError: the file is not results of this benchmark's schema.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no benchmark results at {path}; run: python -m cnntut bench --json {path}"
        )
    results = json.loads(path.read_text())
    if results.get("schema") != SCHEMA:
        raise ValueError(
            f"{path} is not cnntut bench results of schema {SCHEMA}. "
            f"Received: schema={results.get('schema')!r}"
        )
    return results
