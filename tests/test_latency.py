"""cnntut.latency: per-image times of predict, a direct call and a tf.function."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnntut.latency import METHODS, Latency, measure_latency


def tiny_model() -> keras.Model:
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])


def test_measure_latency_times_all_three_methods_per_image():
    x = np.random.default_rng(0).random((3, 4)).astype("float32")
    result = measure_latency(tiny_model(), x, repeats=2, warmup=1)
    assert result.batch_size == 3 and result.repeats == 2
    assert tuple(result.per_image) == METHODS == tuple(result.per_call)
    for method in METHODS:
        assert result.per_call[method] > 0
        assert result.per_image[method] == pytest.approx(result.per_call[method] / 3)


def test_measure_latency_leaves_the_weights_unchanged():
    model = tiny_model()
    before = [w.copy() for w in model.get_weights()]
    measure_latency(model, np.ones((1, 4), "float32"), repeats=1, warmup=1)
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_latency_fastest_and_speedup_read_the_per_image_times():
    result = Latency(
        batch_size=1,
        per_image={"predict": 0.02, "call": 0.004, "tf.function": 0.001},
        per_call={"predict": 0.02, "call": 0.004, "tf.function": 0.001},
        repeats=5,
    )
    assert result.fastest() == "tf.function"
    assert result.speedup("predict", "tf.function") == pytest.approx(20)
    assert result.speedup("call", "predict") == pytest.approx(0.2)


def test_latency_speedup_rejects_an_unknown_method():
    result = Latency(1, {"call": 1.0}, {"call": 1.0}, 1)
    with pytest.raises(KeyError, match="'jit'"):
        result.speedup("jit", "call")


@pytest.mark.parametrize(
    ("bad", "error"), [(0, ValueError), (-3, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_measure_latency_rejects_bad_repeats(bad, error):
    with pytest.raises(error, match=f"repeats={bad!r}"):
        measure_latency(tiny_model(), np.ones((1, 4), "float32"), repeats=bad)


def test_measure_latency_rejects_bad_warmup():
    with pytest.raises(ValueError, match="warmup=0"):
        measure_latency(tiny_model(), np.ones((1, 4), "float32"), warmup=0)


@pytest.mark.parametrize("shape", [(4,), (0, 4)])
def test_measure_latency_rejects_an_input_that_is_not_a_batch(shape):
    with pytest.raises(ValueError, match=rf"shape=\({shape[0]},"):
        measure_latency(tiny_model(), np.ones(shape, "float32"))
