"""The results of one run: figures a, b and c, the advice, the printed report, the file.

`python -m benchmarks --json PATH` writes the results dictionary that
`run_benchmark` builds; `cnntut.bench.report` reads it back and formats it for
the Performance appendix, with the same `format_*` functions `format_report`
prints here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cnntut.bench.report import (
    OPTION_DESCRIPTIONS,
    TARGETS,
    format_latency,
    format_summary,
    format_trials,
    format_wall_times,
)


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


def findings(results: dict) -> list[str]:
    """What this run found on its machine, one sentence per finding.

    Every sentence is about the machine that ran: the same switch can win on one CPU
    and lose on another (bfloat16 needs AVX512-BF16 or AMX, and oneDNN picks other
    kernels on other CPUs), so the last line says to measure on your own.
    """
    fig = results["figures"]
    trials = results["trials"]
    best = next(t for t in trials if "chosen" in t["verdict"])
    lines = [
        f"Fastest here: {best['variant']['label']}, {fig['b_over_a']:.1f}x the images per "
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
            f"In float32 on this machine, the fastest was "
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
            advice = "faster here" if t["verdict"].startswith("wins") else "slower here"
            if t["verdict"].startswith("within noise"):
                advice = "no clear difference here"
            lines.append(f"{what}: {t['verdict'].split(';')[0]} -> {advice}.")
    lines.append(
        "These are speeds only: a larger batch takes fewer steps per epoch, so it "
        "may need a higher learning rate or more epochs to reach the same accuracy."
    )
    lines.append(
        "These figures hold for this machine only: measure yours with "
        "python -m benchmarks --quick (about five minutes) before changing a set-up."
    )
    return lines


def format_report(results: dict) -> str:
    """The whole printed report."""
    machine = results["machine"]
    settings = results["settings"]
    return "\n\n".join(
        [
            f"cnntut benchmark, {results['created']}: {machine['cpu_model']}, "
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
            "Findings on this machine:\n"
            + "\n".join(f"  - {line}" for line in results["findings"]),
        ]
    )


def write_results(results: dict, path: str | os.PathLike) -> Path:
    """Write the results as indented JSON, creating the folder if needed.

    The JSON goes to a temporary file in the same folder, which then replaces
    `path` in one `os.replace`: an interrupted run leaves the old results whole
    (the Performance appendix reads them), never half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"  # fails before any file is touched
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
