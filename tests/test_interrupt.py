"""Tests for cnntut.callbacks.interrupt: a crash on demand, and a resume."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from cnntut.callbacks import InterruptAtEpoch, TrainingInterrupted


def test_interrupt_at_epoch_raises_at_the_end_of_that_epoch_only():
    callback = InterruptAtEpoch(3)
    callback.on_epoch_end(0, {})
    callback.on_epoch_end(1, {})  # Keras's index 1 is the second epoch
    with pytest.raises(TrainingInterrupted) as caught:
        callback.on_epoch_end(2, {})
    assert caught.value.epoch == 3
    assert "epoch 3" in str(caught.value)
    callback.on_epoch_end(3, {})  # later epochs, as in a resumed run, pass


def test_training_interrupted_is_a_runtime_error():
    assert issubclass(TrainingInterrupted, RuntimeError)


@pytest.mark.parametrize(
    "epoch, error",
    [(0, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError), ("3", TypeError)],
)
def test_interrupt_at_epoch_bad_epoch_raises(epoch, error):
    with pytest.raises(error, match="Received: epoch="):
        InterruptAtEpoch(epoch)


def _tiny_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


X = np.ones((8, 3), dtype="float32")
Y = np.zeros((8, 1), dtype="float32")


def test_interrupt_then_backup_and_restore_resumes_at_that_epoch(tmp_path):
    backup = keras.callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(TrainingInterrupted):
        _tiny_model().fit(X, Y, epochs=4, verbose=0, callbacks=[backup, InterruptAtEpoch(2)])
    metadata = json.loads((tmp_path / "backup" / "training_metadata.json").read_text())
    assert metadata["epoch"] == 2
    history = _tiny_model().fit(X, Y, epochs=4, verbose=0, callbacks=[backup])
    assert history.epoch == [2, 3]


def test_interrupt_listed_before_the_backup_loses_the_epoch(tmp_path):
    backup = keras.callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(TrainingInterrupted):
        _tiny_model().fit(X, Y, epochs=4, verbose=0, callbacks=[InterruptAtEpoch(2), backup])
    history = _tiny_model().fit(X, Y, epochs=4, verbose=0, callbacks=[backup])
    assert history.epoch == [1, 2, 3]
