"""cnntut.bench: the FLOP count by hand, the matmul rate, and reading stored results.

The benchmark that writes those results is `benchmarks/`, tested in
test_benchmarks.py. Nothing here asserts a timing.
"""

from __future__ import annotations

from pathlib import Path

import keras
import pytest
from keras import layers

from cnntut.bench import count_flops, training_flops_per_image
from cnntut.bench.matmul import measure_best_matmul, measure_matmul
from cnntut.bench.report import (
    OPTION_DESCRIPTIONS,
    format_latency,
    format_summary,
    format_trials,
    format_wall_times,
    load_results,
)
from cnntut.models import build_cnn

STORED = Path(__file__).resolve().parents[1] / "benchmarks" / "results.json"


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


# --- matmul ---------------------------------------------------------------


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


# --- the stored results ----------------------------------------------------


def test_load_results_refuses_files_of_another_kind(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m benchmarks"):
        load_results(tmp_path / "missing.json")
    (tmp_path / "other.json").write_text('{"schema": 99}')
    with pytest.raises(ValueError, match="schema=99"):
        load_results(tmp_path / "other.json")


def test_the_stored_results_format_as_the_appendix_prints_them():
    results = load_results(STORED)
    table = format_trials(results).splitlines()
    assert table[0].startswith("stage") and len(table) == 2 + len(results["trials"])
    assert "b/a = " in format_summary(results) and "c = " in format_summary(results)
    assert "tf.function" in format_latency(results)
    assert format_wall_times(results).startswith("Wall times")
    options = {t["option"] for t in results["trials"] if t["stage"] == "option"}
    assert options <= set(OPTION_DESCRIPTIONS)
