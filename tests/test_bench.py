"""cnntut.bench: the FLOP count by hand, the search logic, and tiny real runs.

Nothing here asserts a timing: the benchmark reports speeds, the tests check
that it measures, counts and decides correctly.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from cnntut.bench import main, training_flops_per_image
from cnntut.bench.data import bench_data, repeat_shifted, save_bench_data
from cnntut.bench.flops import count_flops
from cnntut.bench.matmul import measure_best_matmul, measure_matmul
from cnntut.bench.pipeline import make_dataset
from cnntut.bench.report import TARGETS, figures, load_results
from cnntut.bench.search import run_search
from cnntut.bench.throughput import Deadline, EpochClock, Throughput, measure_throughput
from cnntut.bench.variants import ARTICLE, Variant
from cnntut.bench.walltime import time_command
from cnntut.bench.worker import CHILD_ENV, run_isolated
from cnntut.models import build_cnn


def _images(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    return x, (np.arange(n) % 10).astype(np.uint8)


# --- FLOPs -----------------------------------------------------------------


def test_training_flops_per_image_matches_the_hand_count_for_build_cnn():
    conv1 = 26 * 26 * 3 * 3 * 1 * 32  # output 26x26, 3x3 kernel, 1 -> 32 channels
    conv2 = 11 * 11 * 3 * 3 * 32 * 64  # output 11x11, 3x3 kernel, 32 -> 64 channels
    dense1 = 5 * 5 * 64 * 128  # flattened 5x5x64 -> 128
    dense2 = 128 * 10
    assert (conv1, conv2, dense1, dense2) == (194_688, 2_230_272, 204_800, 1_280)
    forward_macs = conv1 + conv2 + dense1 + dense2
    assert training_flops_per_image(build_cnn()) == 3 * 2 * forward_macs == 15_786_240


def test_count_flops_lists_every_layer_and_writes_the_sum_out():
    count = count_flops(build_cnn())
    assert [row.macs for row in count.layers] == [194_688, 0, 2_230_272, 0, 0, 204_800, 1_280]
    assert count.forward_macs == 2_631_040 and count.forward_flops == 5_262_080
    text = count.arithmetic()
    assert "11*11 positions * 3*3*32*64 kernel = 2,230,272" in text
    assert "3 * 5,262,080 = 15,786,240 per image" in text


def test_count_flops_counts_a_dense_layer_on_a_sequence_per_step():
    model = keras.Sequential([keras.Input((4, 5)), layers.Dense(3)])
    assert count_flops(model).forward_macs == 4 * 5 * 3


def test_count_flops_rejects_a_layer_with_weights_it_cannot_count():
    model = keras.Sequential([keras.Input((12, 12, 2)), layers.DepthwiseConv2D(3)])
    with pytest.raises(ValueError, match="DepthwiseConv2D"):
        count_flops(model)


# --- matmul, variants, pipeline ---------------------------------------------


def test_measure_matmul_rate_is_flops_over_best_time():
    rate = measure_matmul(64, repeats=2, warmup=1)
    assert rate.flops == 2 * 64**3
    assert rate.gflops == pytest.approx(rate.flops / rate.best_seconds / 1e9)


def test_measure_best_matmul_keeps_the_fastest_size_and_multiplies_bfloat16():
    best, by_size = measure_best_matmul((32, 64), dtype="bfloat16", repeats=1)
    assert set(by_size) == {32, 64} and best.dtype == "bfloat16"
    assert best.gflops == max(by_size.values())


def test_measure_matmul_rejects_a_tiny_matrix():
    with pytest.raises(ValueError, match="n=8"):
        measure_matmul(8)


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


# --- measuring ------------------------------------------------------------


def test_epoch_clock_records_each_epoch_and_resets_per_fit():
    clock = EpochClock()
    for _ in range(2):
        clock.on_train_begin()
        for epoch in range(3):
            clock.on_epoch_begin(epoch)
            clock.on_epoch_end(epoch, {"loss": 1.0})
        assert len(clock.durations) == 3
    assert all(d >= 0 for d in clock.durations)


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
    assert images == (3 - 1) * 10 and seconds > 0


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


def test_time_command_reports_a_failing_exit_code(tmp_path):
    done = time_command("fail", [sys.executable, "-c", "raise SystemExit(3)"], cwd=tmp_path)
    assert done.returncode == 3 and done.seconds > 0


def test_load_results_refuses_files_of_another_kind(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m cnntut bench"):
        load_results(tmp_path / "missing.json")
    (tmp_path / "other.json").write_text('{"schema": 99}')
    with pytest.raises(ValueError, match="schema=99"):
        load_results(tmp_path / "other.json")


def test_main_quick_run_prints_the_report_and_writes_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(CHILD_ENV, "1")  # as in the tests the benchmark times: no recursion
    path = tmp_path / "results.json"
    status = main(
        [
            "--quick",
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
    assert results["settings"]["quick"] and results["settings"]["matmul_sizes"] == [64]
    assert results["figures"]["c_bf16"] > 0
    printed = capsys.readouterr().out
    assert "b/a = " in printed and "c = " in printed and "--json" in results["command"]


def test_main_rejects_an_unknown_option():
    with pytest.raises(SystemExit) as exit_info:
        main(["--options", "turbo"])
    assert exit_info.value.code == 2
