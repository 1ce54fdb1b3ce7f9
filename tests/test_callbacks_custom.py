"""cnntut.callbacks.custom: the callbacks written in chapter 5 (generated from it).

The hooks are called directly with fake logs (fast, exact), plus one tiny `fit`
each, the way Keras tests its own callbacks.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from callback_support import tiny_classifier, tiny_data
from matplotlib.figure import Figure

from cnntut.callbacks import (
    ConfusionMatrixLogger,
    EpochTimer,
    HookLogger,
    LiveLearningCurves,
    LRTracker,
    StopAtAccuracy,
    custom,
)

HOOKS = sorted(
    name
    for name in dir(keras.callbacks.Callback)
    if name.startswith("on_") and not name.startswith("on_batch_")
)


# HookLogger


def test_hook_logger_records_names_and_log_keys():
    logger = HookLogger()
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    logger.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})
    assert logger.calls == ["on_train_begin", "on_epoch_begin", "on_epoch_end"]
    assert logger.log_keys[-1] == ("accuracy", "loss")


def test_hook_logger_overrides_all_fourteen_hooks():
    assert len(HOOKS) == 14
    assert all(
        getattr(HookLogger, hook) is not getattr(keras.callbacks.Callback, hook) for hook in HOOKS
    )


def test_hook_logger_can_skip_batch_hooks():
    logger = HookLogger(batches=False)
    logger.on_train_batch_begin(0)
    logger.on_test_batch_end(0, {"loss": 1.0})
    logger.on_predict_batch_end(0, {})
    logger.on_test_end()
    assert logger.calls == ["on_test_end"]


def test_hook_logger_restarts_at_each_fit():
    logger = HookLogger()
    logger.on_predict_begin()
    logger.on_train_begin()
    assert logger.calls == ["on_train_begin"]


def test_hook_logger_sees_every_hook_of_fit_evaluate_predict():
    x, y = tiny_data()
    model = tiny_classifier()
    logger = HookLogger()
    model.fit(
        x, y, epochs=2, batch_size=16, validation_data=(x[:8], y[:8]), callbacks=[logger], verbose=0
    )
    model.evaluate(x, y, batch_size=32, callbacks=[logger], verbose=0)
    model.predict(x, batch_size=32, callbacks=[logger], verbose=0)
    assert sorted(set(logger.calls)) == HOOKS
    assert logger.calls.count("on_epoch_end") == 2
    assert logger.calls.count("on_train_batch_end") == 4  # 2 epochs x 32/16 batches
    assert logger.calls.count("on_test_begin") == 3  # validation twice, evaluate once
    assert logger.calls[0] == "on_train_begin" and logger.calls[-1] == "on_predict_end"
    first_end = logger.calls.index("on_epoch_end")
    assert logger.calls[first_end - 1] == "on_test_end"  # validation ends inside the epoch


# LRTracker


def test_lr_tracker_writes_rate_into_logs_and_rates():
    tracker = LRTracker()
    tracker.set_model(tiny_classifier(learning_rate=0.02))
    tracker.on_train_begin()
    logs = {"loss": 1.0}
    tracker.on_epoch_end(0, logs)
    assert type(logs["learning_rate"]) is float
    assert logs["learning_rate"] == pytest.approx(0.02)
    assert tracker.rates == [pytest.approx(0.02)]


def test_lr_tracker_reads_the_current_value_of_a_schedule():
    x, y = tiny_data()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    model = tiny_classifier()
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
    )
    tracker = LRTracker()
    model.fit(x, y, batch_size=16, epochs=2, callbacks=[tracker], verbose=0)
    assert tracker.rates == pytest.approx([0.1 * 0.5**2, 0.1 * 0.5**4])  # 2 steps per epoch


def test_lr_tracker_custom_key_and_verbose_message(capsys):
    tracker = LRTracker(key="lr", verbose=1)
    tracker.set_model(tiny_classifier(learning_rate=0.02))
    tracker.on_train_begin()
    logs = {"loss": 1.0}
    tracker.on_epoch_end(2, logs)
    assert "lr" in logs and "learning_rate" not in logs
    assert capsys.readouterr().out == "Epoch 3: learning rate 0.02\n"


def test_lr_tracker_is_silent_by_default(capsys):
    tracker = LRTracker()
    tracker.set_model(tiny_classifier())
    tracker.on_epoch_end(0, {"loss": 1.0})
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"key": ""}, ValueError, "Received: key=''"),
        ({"key": None}, TypeError, "Received: key=None"),
        ({"verbose": 2}, ValueError, "Received: verbose=2"),
    ],
)
def test_lr_tracker_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        LRTracker(**kwargs)


def test_lr_tracker_rate_lands_in_history_of_each_fit():
    x, y = tiny_data()
    model = tiny_classifier(learning_rate=0.01)
    tracker = LRTracker()
    history = model.fit(x, y, epochs=2, batch_size=16, callbacks=[tracker], verbose=0)
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01])
    model.fit(x, y, epochs=1, batch_size=16, callbacks=[tracker], verbose=0)
    assert len(tracker.rates) == 1  # one instance, a second fit: state was reset


# EpochTimer


@pytest.fixture
def fake_clock(monkeypatch):
    ticks = iter([10.0, 11.0, 12.5, 20.0, 21.0])
    monkeypatch.setattr(custom.time, "perf_counter", lambda: next(ticks))


def test_epoch_timer_writes_seconds_into_logs_and_times_steps(fake_clock):
    timer = EpochTimer()
    timer.on_train_begin()
    logs_0, logs_1 = {"loss": 1.0}, {"loss": 0.5}
    timer.on_epoch_begin(0)  # 10.0
    timer.on_train_batch_end(0)  # 11.0
    timer.on_epoch_end(0, logs_0)  # 12.5
    timer.on_epoch_begin(1)  # 20.0
    timer.on_epoch_end(1, logs_1)  # 21.0
    assert logs_0["epoch_time"] == 2.5 and logs_1["epoch_time"] == 1.0
    assert timer.times == [2.5, 1.0] and timer.total == 3.5
    assert timer.step_times == [[1.0], []]


def test_epoch_timer_verbose_message_and_key(fake_clock, capsys):
    timer = EpochTimer(key="seconds", verbose=1)
    logs = {"loss": 1.0}
    timer.on_epoch_begin(4)
    timer.on_train_batch_end(0)
    timer.on_epoch_end(4, logs)
    assert logs == {"loss": 1.0, "seconds": 2.5}
    assert capsys.readouterr().out == "Epoch 5: 2.50 s\n"


def test_epoch_timer_resets_on_train_begin(fake_clock):
    timer = EpochTimer()
    timer.on_epoch_begin(0)
    timer.on_epoch_end(0, {"loss": 1.0})
    timer.on_train_begin()
    assert timer.times == [] and timer.step_times == [] and timer.total == 0


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"key": ""}, ValueError, "Received: key=''"),
        ({"verbose": -1}, ValueError, "Received: verbose=-1"),
        ({"verbose": "1"}, TypeError, "Received: verbose='1'"),
    ],
)
def test_epoch_timer_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        EpochTimer(**kwargs)


def test_epoch_timer_in_fit_times_every_step():
    x, y = tiny_data()
    timer = EpochTimer()
    history = tiny_classifier().fit(x, y, batch_size=8, epochs=2, callbacks=[timer], verbose=0)
    assert history.history["epoch_time"] == timer.times
    assert [len(epoch) for epoch in timer.step_times] == [4, 4]  # 32 samples / 8
    for steps, total in zip(timer.step_times, timer.times, strict=True):
        assert all(0 < t for t in steps) and sum(steps) <= total


# StopAtAccuracy


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


def test_stop_at_accuracy_resets_on_train_begin(stopper, capsys):
    stopper.verbose = 1
    stopper.on_epoch_end(3, {"val_accuracy": 0.95})
    assert "Epoch 4: val_accuracy reached 0.9" in capsys.readouterr().out
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


def test_stop_at_accuracy_missing_its_target_lets_later_callbacks_finish(tmp_path):
    """A missed target is not an error: EarlyStopping after it still restores the best
    weights, and BackupAndRestore still removes its finished backup, in on_train_end."""
    x, y = tiny_data()
    stopper = StopAtAccuracy(1.0, monitor="accuracy")  # out of reach
    early = keras.callbacks.EarlyStopping(monitor="loss", patience=50, restore_best_weights=True)
    backup = keras.callbacks.BackupAndRestore(tmp_path / "backup")
    tiny_classifier().fit(x, y, epochs=2, callbacks=[stopper, early, backup], verbose=0)
    assert stopper.stopped_epoch is None
    assert early.best_weights is not None and not (tmp_path / "backup").exists()


# LiveLearningCurves


def _run_epochs(curves, count=2):
    curves.on_train_begin()
    for epoch in range(count):
        logs = {"loss": 1.0 / (epoch + 1), "accuracy": 0.5 + 0.1 * epoch}
        curves.on_epoch_end(epoch, {**logs, "val_loss": 1.1, "val_accuracy": 0.5})
    curves.on_train_end()


def test_live_curves_collects_history_and_draws_one_panel_per_metric():
    curves = LiveLearningCurves()
    _run_epochs(curves)
    assert curves.history["loss"] == [1.0, 0.5]
    assert isinstance(curves.figure, Figure) and len(curves.figure.axes) == 2
    lines = curves.figure.axes[1].get_lines()
    assert [line.get_label() for line in lines] == ["accuracy", "val_accuracy"]
    assert list(lines[0].get_xdata()) == [1, 2]


class _FakeHandle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, figure):
        self.shown.append(("update", figure))


def test_live_curves_in_jupyter_updates_a_single_display(monkeypatch):
    shown = []

    def fake_display(figure, display_id=False):
        shown.append(("display", figure))
        return _FakeHandle(shown) if display_id else None

    monkeypatch.setattr(custom, "display", fake_display)
    monkeypatch.setattr(custom, "get_ipython", lambda: object())
    curves = LiveLearningCurves()
    _run_epochs(curves, count=3)
    # One output, shown after the first epoch and replaced after the others.
    assert [action for action, _ in shown] == ["display", "update", "update"]
    assert all(picture.data.startswith(b"\x89PNG") for _, picture in shown)


def test_live_curves_shows_nothing_outside_jupyter(monkeypatch, capsys):
    monkeypatch.setattr(custom, "display", lambda *a, **k: pytest.fail("displayed"))
    _run_epochs(LiveLearningCurves())
    assert capsys.readouterr().out == ""


def test_live_curves_new_figure_for_each_fit():
    curves = LiveLearningCurves()
    _run_epochs(curves)
    first = curves.figure
    _run_epochs(curves, count=1)
    assert curves.figure is not first and curves.history["loss"] == [1.0]


def test_live_curves_unknown_metric_raises_with_available_keys():
    curves = LiveLearningCurves(metrics=("loss", "acc"))
    curves.on_train_begin()
    with pytest.raises(ValueError, match=r"\['accuracy', 'loss'\].*Received: monitor='acc'"):
        curves.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"metrics": ()}, ValueError, r"Received: \(\)"),
        ({"metrics": "loss"}, ValueError, "Received: 'loss'"),
        ({"metrics": ("loss", "")}, ValueError, "Received: metrics entry=''"),
        ({"metrics": ("loss", 3)}, TypeError, "Received: metrics entry=3"),
    ],
)
def test_live_curves_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        LiveLearningCurves(**kwargs)


def test_live_curves_in_fit_headless():
    x, y = tiny_data()
    curves = LiveLearningCurves(metrics=("loss",))
    tiny_classifier().fit(x, y, epochs=2, validation_split=0.25, callbacks=[curves], verbose=0)
    assert len(curves.history["val_loss"]) == 2
    assert len(curves.figure.axes[0].get_lines()) == 2


# ConfusionMatrixLogger


class _AlwaysZero(keras.Model):
    """A stand-in model that predicts class 0 for everything."""

    def predict(self, x, batch_size=None, verbose=0):
        scores = np.zeros((len(x), 3))
        scores[:, 0] = 1.0
        return scores


def test_confusion_logger_on_epoch_end_with_a_fake_model():
    logger = ConfusionMatrixLogger(np.zeros((4, 2)), [0, 1, 2, 0], num_classes=3)
    logger.set_model(_AlwaysZero())
    logger.on_train_begin()
    logs = {"loss": 1.0}
    logger.on_epoch_end(0, logs)
    assert logs["val_errors"] == 2
    assert logger.matrices[0][:, 0].tolist() == [2, 1, 1]
    assert logger.predictions.tolist() == [0, 0, 0, 0]
    logger.on_train_begin()
    assert logger.matrices == [] and logger.predictions is None


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((np.zeros((3, 2)), [0, 1]), {}, ValueError, r"Received: len\(x\)=3, len\(y\)=2"),
        ((np.zeros((0, 2)), []), {}, ValueError, r"non-zero"),
        ((np.zeros((2, 2)), [0, 1]), {"num_classes": 1}, ValueError, "Received: num_classes=1"),
        ((np.zeros((2, 2)), [0, 1]), {"num_classes": 2.0}, TypeError, "num_classes=2.0"),
        ((np.zeros((2, 2)), [0, 1]), {"key": ""}, ValueError, "Received: key=''"),
    ],
)
def test_confusion_logger_rejects_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        ConfusionMatrixLogger(*args, **kwargs)


def test_confusion_logger_in_fit():
    x, y = tiny_data()
    logger = ConfusionMatrixLogger(x[:8], y[:8], num_classes=2)
    history = tiny_classifier().fit(x, y, epochs=2, callbacks=[logger], verbose=0)
    assert len(logger.matrices) == 2 and logger.matrices[-1].sum() == 8
    assert history.history["val_errors"][-1] == int((logger.predictions != y[:8]).sum())
