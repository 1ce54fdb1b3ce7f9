"""benchmarks/ (`python -m benchmarks`): the search logic, and tiny real runs.

Nothing here asserts a timing: the benchmark reports speeds, the tests check
that it measures, counts and decides correctly.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import tensorflow as tf

from benchmarks.cli import build_parser, main, settings_from_args
from benchmarks.data import bench_data, repeat_shifted, save_bench_data
from benchmarks.pipeline import make_dataset
from benchmarks.results import figures, write_results
from benchmarks.search import run_search
from benchmarks.throughput import Deadline, Throughput, measure_throughput
from benchmarks.variants import ARTICLE, Variant, option_changes
from benchmarks.walltime import find_root, time_command
from benchmarks.worker import CHILD_ENV, run_isolated
from cnntut.bench.report import OPTION_DESCRIPTIONS, TARGETS, load_results
from cnntut.callbacks import EpochTimer


def _images(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    return x, (np.arange(n) % 10).astype(np.uint8)


# --- variants, pipeline ----------------------------------------------------


def test_variant_label_names_every_change_and_survives_json():
    variant = Variant(batch_size=256, pipeline="tf.data", jit_compile=True, onednn=False)
    assert variant.label == "tf.data, batch 256, XLA, oneDNN off"
    assert Variant.from_dict(json.loads(json.dumps(variant.to_dict()))) == variant
    assert ARTICLE.label == "numpy, batch 32"


def test_variant_rejects_bad_values_and_quotes_them():
    with pytest.raises(ValueError, match="batch_size=0"):
        Variant(batch_size=0)
    with pytest.raises(ValueError, match="'float8'"):
        Variant(precision="float8")


def test_variant_needs_a_fresh_process_only_for_start_up_settings():
    assert not Variant(jit_compile=True, precision="mixed_bfloat16").needs_fresh_process
    assert Variant(intra_op_threads=2).needs_fresh_process
    assert Variant(onednn=False).environment() == {"TF_ENABLE_ONEDNN_OPTS": "0"}


def test_make_dataset_batches_every_example_once_per_epoch():
    x = np.arange(10, dtype=np.float32)
    dataset = make_dataset(x, x.astype(np.int64), batch_size=4, seed=1)
    batches = [xb.numpy() for xb, _ in dataset]
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(x)


def test_make_dataset_rejects_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="len\\(x\\)=3, len\\(y\\)=2"):
        make_dataset(np.zeros(3), np.zeros(2), batch_size=2)


def test_every_option_has_a_description_for_the_report():
    assert set(option_changes(2)) == set(OPTION_DESCRIPTIONS)


# --- measuring ------------------------------------------------------------


def test_deadline_times_with_epoch_timer_and_resets_per_fit():
    deadline = Deadline(seconds=60)
    assert isinstance(deadline, EpochTimer) and deadline.async_safe
    for _ in range(2):
        deadline.on_train_begin()
        for epoch in range(3):
            deadline.on_epoch_begin(epoch)
            deadline.on_train_batch_end(0)
            deadline.on_epoch_end(epoch, {"loss": 1.0})
        assert len(deadline.times) == 3 and deadline.batches == [0]
        assert not deadline.stopped
    assert all(t >= 0 for t in deadline.times)


@pytest.mark.parametrize("pipeline", ["numpy", "tf.data"])
def test_measure_throughput_times_only_the_epochs_after_the_warm_up(pipeline):
    x, y = _images(48)
    result = measure_throughput(
        Variant(batch_size=16, pipeline=pipeline),
        x.astype("float32")[..., None] / 255,
        y,
        warmup_epochs=1,
        timed_epochs=2,
    )
    assert result.timed_images == 2 * 48
    assert result.images_per_second == pytest.approx(result.timed_images / result.timed_seconds)
    assert result.final_loss is not None and 0 <= result.final_accuracy <= 1
    assert result.complete


def test_deadline_stops_training_and_estimates_from_steps_after_the_first():
    deadline = Deadline(seconds=1e-9)
    deadline.set_model(SimpleNamespace(stop_training=False))
    deadline.on_train_begin()
    deadline.on_epoch_begin(0)
    for step in range(4):
        deadline.on_train_batch_end(step)
    assert deadline.stopped and deadline.model.stop_training
    images, seconds = deadline.estimate(batch_size=10)
    assert images == 3 * 10  # steps 1, 2 and 3, after the end of step 0
    assert seconds == sum(deadline.step_times[0][1:]) and seconds > 0


def test_deadline_refuses_to_estimate_from_too_few_steps():
    deadline = Deadline(seconds=60)
    deadline.on_train_begin()
    deadline.on_epoch_begin(0)
    deadline.on_train_batch_end(0)
    with pytest.raises(RuntimeError, match="1 step"):
        deadline.estimate(batch_size=10)


def test_measure_throughput_stops_at_the_time_limit():
    x, y = _images(64)
    x = x.astype("float32")[..., None] / 255
    with pytest.raises(RuntimeError, match="too slow to measure"):
        measure_throughput(Variant(batch_size=8), x, y, max_seconds=1e-9)


def test_measure_throughput_refuses_thread_settings_not_in_force():
    wanted = tf.config.threading.get_intra_op_parallelism_threads() + 7
    x, y = _images(8)
    with pytest.raises(RuntimeError, match="run_isolated"):
        measure_throughput(Variant(intra_op_threads=wanted), x[..., None] / 255, y)


def test_run_isolated_applies_thread_settings_in_a_fresh_process(tmp_path):
    x, y = _images(32)
    path = save_bench_data(tmp_path / "images.npz", x, y)
    variant = Variant(batch_size=16, pipeline="tf.data", inter_op_threads=1, intra_op_threads=1)
    result = run_isolated(variant, path, timeout=300)
    assert result.timed_images == 32


# --- the search, on made-up speeds ----------------------------------------


def _fake_measure(rates: dict[str, float]):
    def measure(variant: Variant) -> Throughput:
        if variant.label not in rates:
            raise RuntimeError(f"no rate for {variant.label}")
        rate = rates[variant.label]
        return Throughput(rate, 1000, 1000 / rate, 1.0, 0.5, 0.9)

    return measure


def test_run_search_keeps_winning_options_and_chooses_the_fastest():
    rates = {
        "numpy, batch 32": 1000,
        "tf.data, batch 128": 1800,
        "tf.data, batch 256": 2000,
        "tf.data, batch 256, XLA": 2400,  # wins
        "tf.data, batch 256, float16 mixed": 900,  # loses
        "tf.data, batch 256, 16 steps/call": 2200,  # wins
        "tf.data, batch 256, XLA, 16 steps/call": 2300,  # together, but slower than XLA alone
        "tf.data, batch 128, XLA": 2640,  # the leader at the other batch size: faster still
    }
    options = {
        "xla": {"jit_compile": True},
        "fp16": {"precision": "mixed_float16"},
        "steps": {"steps_per_execution": 16},
        "onednn-off": {"onednn": False},  # no rate: the measurement fails
    }
    outcome = run_search(_fake_measure(rates), batch_sizes=(128, 256), options=options)
    verdicts = {t.variant.label: t.verdict for t in outcome.trials}
    assert [t.stage for t in outcome.trials] == [
        "article",
        "batch",
        "batch",
        "option",
        "option",
        "option",
        "option",
        "combined",
        "rebatch",
        "recheck",
    ]
    assert outcome.trials[0].verdict == "baseline (a)"  # the recheck measured the same
    assert outcome.trials[-1].verdict == "drift +0%"
    assert verdicts["tf.data, batch 256"] == "base"
    assert verdicts["tf.data, batch 256, float16 mixed"] == "loses -55%"
    assert verdicts["tf.data, batch 256, oneDNN off"] == "failed"
    assert verdicts["tf.data, batch 256, XLA, 16 steps/call"] == "together +15%"
    assert verdicts["tf.data, batch 256, XLA"] == "wins +20%"
    assert outcome.best.variant.label == "tf.data, batch 128, XLA"
    assert verdicts["tf.data, batch 128, XLA"] == "vs leader +10%; chosen (b)"


def test_run_search_needs_a_gain_above_the_margin_to_keep_an_option():
    rates = {"numpy, batch 32": 1000, "tf.data, batch 64": 2000, "tf.data, batch 64, XLA": 2040}
    outcome = run_search(
        _fake_measure(rates),
        batch_sizes=(64,),
        options={"xla": {"jit_compile": True}},
        margin=0.03,
    )
    assert outcome.trials[-2].verdict.startswith("within noise +2%")
    assert outcome.best.variant.label == "tf.data, batch 64, XLA"  # still the fastest measured


def test_run_search_rechecks_the_article_and_keeps_its_faster_rate_as_a():
    article_rates = iter([1000, 1250])  # the machine got quieter during the run

    def measure(variant: Variant) -> Throughput:
        rate = next(article_rates) if variant == ARTICLE else 3000
        return Throughput(rate, 1000, 1000 / rate, 1.0, 0.5, 0.9)

    outcome = run_search(measure, batch_sizes=(64,))
    assert outcome.drift == pytest.approx(0.25)
    assert outcome.article is outcome.trials[-1] and outcome.article.rate == 1250
    assert [t.verdict for t in outcome.trials] == [
        "baseline",
        "base; chosen (b)",
        "drift +25%; baseline (a)",
    ]


def test_run_search_skips_what_the_skip_function_names():
    rates = {"numpy, batch 32": 1000, "tf.data, batch 64": 2000}
    outcome = run_search(
        _fake_measure(rates),
        batch_sizes=(64,),
        options={"threads": {"intra_op_threads": 2}},
        skip=lambda v: "needs a fresh process" if v.needs_fresh_process else None,
    )
    assert outcome.trials[-2].verdict == "skipped"
    assert outcome.trials[-2].error == "needs a fresh process"


# --- figures, data, wall times, the command ---------------------------------


def test_figures_divide_the_matmul_rate_by_the_training_flops():
    fig = figures(1000.0, 2000.0, 100.0, 15_786_240)
    assert fig["c"] == pytest.approx(100e9 / 15_786_240)
    assert fig["b_over_a"] == 2.0
    assert fig["meets"] == {"b_over_a": True, "b_over_c": fig["b_over_c"] >= TARGETS["b_over_c"]}
    assert "100.0 GFLOP/s * 1e9 / 15,786,240 FLOP per image" in fig["c_arithmetic"]


def test_repeat_shifted_keeps_the_originals_and_shifts_the_copies():
    x, y = _images(10)
    x_out, y_out = repeat_shifted(x, y, 25, seed=3)
    assert x_out.shape == (25, 28, 28) and list(y_out[:20]) == list(y) * 2
    np.testing.assert_array_equal(x_out[:10], x)
    assert sorted(x_out[10:20].ravel()) == sorted(x.ravel())  # same pixels, moved


def test_bench_data_returns_the_requested_number_of_images():
    x, y, source = bench_data(4_500)
    assert x.shape == (4_500, 28, 28) and x.dtype == np.uint8 and len(y) == 4_500
    assert source


def test_find_root_is_the_repository_that_holds_benchmarks():
    root = find_root()
    assert root is not None and (root / "benchmarks" / "__init__.py").is_file()


def test_time_command_reports_a_failing_exit_code(tmp_path):
    done = time_command("fail", [sys.executable, "-c", "raise SystemExit(3)"], cwd=tmp_path)
    assert done.returncode == 3 and done.seconds > 0


def test_main_smoke_run_prints_the_report_and_writes_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(CHILD_ENV, "1")  # as in the tests the benchmark times: no recursion
    path = tmp_path / "results.json"
    status = main(
        [
            "--smoke",
            "--images",
            "64",
            "--batch-sizes",
            "32",
            "--options",
            "threads",
            "--in-process",
            "--matmul-sizes",
            "64",
            "--json",
            str(path),
        ]
    )
    assert status == 0
    results = load_results(path)
    trials = results["trials"]
    assert [t["stage"] for t in trials] == ["article", "batch", "option", "recheck"]
    assert [t["verdict"] for t in trials[1:3]] == ["base; chosen (b)", "skipped"]
    assert sum("baseline (a)" in t["verdict"] for t in trials) == 1
    assert results["wall_times"] == [] and "child" in results["wall_times_note"]
    assert set(results["latency"]["per_image_ms"]) == {"predict", "call", "tf.function"}
    assert results["flops"]["training_flops"] == 15_786_240
    assert results["settings"]["smoke"] and not results["settings"]["quick"]
    assert results["settings"]["matmul_sizes"] == [64]
    assert results["figures"]["c_bf16"] > 0
    printed = capsys.readouterr().out
    assert "b/a = " in printed and "c = " in printed
    assert results["command"].startswith("python -m benchmarks --smoke")
    assert results["findings"][-1].startswith("These figures hold for this machine only")


def test_main_rejects_an_unknown_option():
    with pytest.raises(SystemExit) as exit_info:
        main(["--options", "turbo"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("precision", ["mixed_bfloat16", "mixed_float16"])
def test_build_cnn_with_policy_keeps_the_softmax_in_float32(precision):
    import keras

    from benchmarks.throughput import build_cnn_with_policy

    model = build_cnn_with_policy(precision)
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    assert model.layers[0].compute_dtype == precision.removeprefix("mixed_")
    assert model.layers[-1].compute_dtype == "float32"
    probabilities = model(np.zeros((2, 28, 28, 1), "float32"))
    assert probabilities.dtype == "float32" and probabilities.shape == (2, 10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    scaled = type(model.optimizer).__name__ == "LossScaleOptimizer"
    assert scaled == (precision == "mixed_float16")


def test_settings_quick_is_a_short_real_run_and_smoke_a_tiny_one():
    quick = settings_from_args(build_parser().parse_args(["--quick"]))
    assert (quick.images, quick.max_seconds, quick.wall_times) == (12_288, 20.0, False)
    assert quick.quick and not quick.smoke and quick.matmul_sizes == (512, 1024, 2048)
    smoke = settings_from_args(build_parser().parse_args(["--smoke", "--max-seconds", "0"]))
    assert (smoke.images, smoke.max_seconds, smoke.smoke) == (1024, None, True)
    full = settings_from_args(build_parser().parse_args([]))
    assert (full.images, full.max_seconds, full.wall_times) == (60_000, 150.0, True)


@pytest.mark.parametrize("argv", [["--quick", "--smoke"], ["--images", "0"]])
def test_main_rejects_conflicting_or_empty_runs_with_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_write_results_never_leaves_half_a_file(tmp_path, monkeypatch):
    """An interrupted write keeps the old results whole (the appendix reads them)."""
    import benchmarks.results

    path = write_results({"run": 1}, tmp_path / "results.json")
    with pytest.raises(TypeError):  # not JSON: fails before any file is touched
        write_results({"run": object()}, path)

    def killed(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(benchmarks.results.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_results({"run": 2}, path)
    assert json.loads(path.read_text()) == {"run": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
