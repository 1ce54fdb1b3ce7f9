"""cnntut.repro: the seed helper, its CNNTUT_SEED override, and the version line."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnntut.bench.machine import vector_isa
from cnntut.repro import DEFAULT_SEED, SEED_ENV, default_seed, set_seed, versions


def _one_epoch_loss(seed: int) -> float:
    """One shuffled epoch of a small dense model: seeds weights, shuffle and dropout."""
    set_seed(seed)
    x = np.random.default_rng(1).random((64, 28, 28, 1), dtype=np.float32)
    y = np.arange(64) % 10
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model.fit(x, y, epochs=1, batch_size=16, shuffle=True, verbose=0).history["loss"][0]


def test_set_seed_makes_training_repeat_exactly_and_depends_on_the_seed():
    first = _one_epoch_loss(3)
    assert _one_epoch_loss(3) == first
    assert _one_epoch_loss(4) != first


@pytest.mark.parametrize(
    "seed, error",
    [(-1, ValueError), (2**32, ValueError), (1.5, TypeError), ("42", TypeError), (True, TypeError)],
)
def test_set_seed_rejects_bad_seed(seed, error):
    with pytest.raises(error, match=f"Received: seed={seed!r}"):
        set_seed(seed)


def test_set_seed_accepts_a_numpy_integer():
    assert set_seed(np.int64(3)) == 3


def test_set_seed_without_argument_uses_42(monkeypatch):
    monkeypatch.delenv(SEED_ENV, raising=False)
    assert default_seed() == DEFAULT_SEED == 42
    assert set_seed() == 42


def test_set_seed_without_argument_honours_cnntut_seed(monkeypatch):
    monkeypatch.setenv(SEED_ENV, "7")
    assert set_seed() == 7
    assert set_seed(3) == 3, "an explicit seed wins over the environment"


@pytest.mark.parametrize("raw", ["seven", "-1", "1.5", str(2**32)])
def test_default_seed_rejects_malformed_cnntut_seed(monkeypatch, raw):
    monkeypatch.setenv(SEED_ENV, raw)
    with pytest.raises(ValueError, match=f"CNNTUT_SEED={raw!r}"):
        default_seed()


def test_default_seed_ignores_empty_cnntut_seed(monkeypatch):
    monkeypatch.setenv(SEED_ENV, " ")
    assert default_seed() == 42


def test_versions_names_tensorflow_keras_and_the_cpu_class():
    line = versions()
    assert "TensorFlow" in line and "Keras 3" in line and "backend: tensorflow" in line
    assert f"CPU cores ({vector_isa()})" in line


def test_set_seed_accepts_numpy_integers():
    assert set_seed(np.int64(1), deterministic=False) == 1
