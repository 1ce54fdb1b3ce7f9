"""cnntut.callbacks.lr_tracker: the article's LRTracker, fixed for Keras 3."""

from __future__ import annotations

import keras
import pytest
from callback_support import tiny_classifier, tiny_data

from cnntut.callbacks import LRTracker
from cnntut.callbacks.lr_tracker import current_learning_rate


def test_current_learning_rate_is_a_python_float():
    rate = current_learning_rate(keras.optimizers.SGD(learning_rate=0.05))
    assert type(rate) is float
    assert rate == pytest.approx(0.05)


def test_current_learning_rate_follows_a_schedule():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    assert current_learning_rate(optimizer) == pytest.approx(0.1)


def test_current_learning_rate_names_the_missing_attribute():
    with pytest.raises(AttributeError, match="learning_rate"):
        current_learning_rate(object())


def test_lr_tracker_writes_rate_into_logs_and_rates():
    tracker = LRTracker()
    tracker.set_model(tiny_classifier(learning_rate=0.02))
    tracker.on_train_begin()
    logs = {"loss": 1.0}
    tracker.on_epoch_end(0, logs)
    assert logs["learning_rate"] == pytest.approx(0.02)
    assert tracker.rates == [pytest.approx(0.02)]


def test_lr_tracker_custom_key_and_verbose_message(capsys):
    tracker = LRTracker(key="lr", verbose=1)
    tracker.set_model(tiny_classifier(learning_rate=0.02))
    logs = {"loss": 1.0}
    tracker.on_epoch_end(2, logs)
    assert "lr" in logs and "learning_rate" not in logs
    assert capsys.readouterr().out == "Epoch 3: learning rate 0.02\n"


def test_lr_tracker_is_silent_by_default(capsys):
    tracker = LRTracker()
    tracker.set_model(tiny_classifier())
    tracker.on_epoch_end(0, {"loss": 1.0})
    assert capsys.readouterr().out == ""


def test_lr_tracker_resets_rates_on_train_begin():
    tracker = LRTracker()
    tracker.rates = [1.0, 2.0]
    tracker.on_train_begin()
    assert tracker.rates == []


@pytest.mark.parametrize(
    "kwargs, message",
    [({"key": ""}, "Received: key=''"), ({"verbose": 2}, "Received: verbose=2")],
)
def test_lr_tracker_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LRTracker(**kwargs)


def test_lr_tracker_rate_lands_in_history_of_each_fit():
    x, y = tiny_data()
    model = tiny_classifier(learning_rate=0.01)
    tracker = LRTracker()
    history = model.fit(x, y, epochs=2, batch_size=16, callbacks=[tracker], verbose=0)
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01])
    model.fit(x, y, epochs=1, batch_size=16, callbacks=[tracker], verbose=0)
    assert len(tracker.rates) == 1  # one instance, a second fit: state was reset
