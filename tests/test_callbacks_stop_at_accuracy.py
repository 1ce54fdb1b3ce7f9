"""cnntut.callbacks.stop_at_accuracy: stop once a target accuracy is reached."""

from __future__ import annotations

import keras
import pytest
from callback_support import tiny_classifier, tiny_data

from cnntut.callbacks import StopAtAccuracy


@pytest.fixture
def stopper():
    callback = StopAtAccuracy(0.9)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.stop_training = False  # fit() sets this before training starts
    callback.set_model(model)
    callback.on_train_begin()
    return callback


def test_stop_at_accuracy_stops_when_target_reached(stopper):
    stopper.on_epoch_end(0, {"val_accuracy": 0.85})
    assert not stopper.model.stop_training and stopper.stopped_epoch is None
    stopper.on_epoch_end(1, {"val_accuracy": 0.9})  # reaching the target is enough
    assert stopper.model.stop_training and stopper.stopped_epoch == 1


def test_stop_at_accuracy_unknown_monitor_raises_with_available_keys(stopper):
    with pytest.raises(
        ValueError, match=r"\['loss', 'val_acc'\].*Received: monitor='val_accuracy'"
    ):
        stopper.on_epoch_end(0, {"loss": 1.0, "val_acc": 0.5})


def test_stop_at_accuracy_skips_epochs_without_validation(stopper):
    stopper.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.95})  # validation_freq > 1
    stopper.on_epoch_end(1, {"loss": 1.0, "accuracy": 0.95, "val_accuracy": 0.5})
    stopper.on_train_end()
    assert stopper.stopped_epoch is None


def test_stop_at_accuracy_raises_if_validation_never_came(stopper):
    stopper.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.95})
    with pytest.raises(ValueError, match="pass validation_data"):
        stopper.on_train_end()


def test_stop_at_accuracy_resets_on_train_begin(stopper, capsys):
    stopper.verbose = 1
    stopper.on_epoch_end(3, {"val_accuracy": 0.95})
    assert "Epoch 4: val_accuracy=0.9500 reached target 0.9" in capsys.readouterr().out
    stopper.on_train_begin()
    assert stopper.stopped_epoch is None


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"target": 0}, ValueError, r"target must be in \(0, 1\]\. Received: target=0"),
        ({"target": 1.5}, ValueError, "Received: target=1.5"),
        ({"target": "high"}, TypeError, "Received: target='high'"),
        ({"target": 0.9, "monitor": ""}, ValueError, "Received: monitor=''"),
        ({"target": 0.9, "verbose": 2}, ValueError, "Received: verbose=2"),
    ],
)
def test_stop_at_accuracy_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        StopAtAccuracy(**kwargs)


def test_stop_at_accuracy_ends_a_fit_early():
    x, y = tiny_data()
    stopper = StopAtAccuracy(0.01, monitor="accuracy")  # any accuracy reaches it
    history = tiny_classifier().fit(x, y, epochs=5, callbacks=[stopper], verbose=0)
    assert len(history.history["loss"]) == 1 and stopper.stopped_epoch == 0
