"""cnntut.repro: the seed helper makes training repeat exactly."""

from __future__ import annotations

import numpy as np
import pytest

from cnntut.models import build_cnn, compile_cnn
from cnntut.repro import set_seed, versions


def _one_epoch_loss(seed: int) -> float:
    set_seed(seed)
    x = np.random.default_rng(1).random((64, 28, 28, 1), dtype=np.float32)
    y = np.arange(64) % 10
    model = compile_cnn(build_cnn())
    return model.fit(x, y, epochs=1, batch_size=16, shuffle=True, verbose=0).history["loss"][0]


def test_set_seed_makes_training_repeat_exactly():
    assert _one_epoch_loss(3) == _one_epoch_loss(3)


def test_set_seed_different_seeds_give_different_runs():
    assert _one_epoch_loss(3) != _one_epoch_loss(4)


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True])
def test_set_seed_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match="seed"):
        set_seed(seed)


def test_versions_names_tensorflow_and_keras():
    line = versions()
    assert "TensorFlow" in line and "Keras 3" in line and "backend: tensorflow" in line
