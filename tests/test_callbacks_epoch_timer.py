"""cnntut.callbacks.epoch_timer: seconds per epoch."""

from __future__ import annotations

import pytest
from callback_support import tiny_classifier, tiny_data

from cnntut.callbacks import EpochTimer
from cnntut.callbacks import epoch_timer as epoch_timer_module


@pytest.fixture
def fake_clock(monkeypatch):
    ticks = iter([10.0, 12.5, 20.0, 21.0])
    monkeypatch.setattr(epoch_timer_module.time, "perf_counter", lambda: next(ticks))


def test_epoch_timer_writes_seconds_into_logs(fake_clock):
    timer = EpochTimer()
    timer.on_train_begin()
    logs_0, logs_1 = {"loss": 1.0}, {"loss": 0.5}
    timer.on_epoch_begin(0)
    timer.on_epoch_end(0, logs_0)
    timer.on_epoch_begin(1)
    timer.on_epoch_end(1, logs_1)
    assert logs_0["epoch_time"] == 2.5 and logs_1["epoch_time"] == 1.0
    assert timer.times == [2.5, 1.0]
    assert timer.total == 3.5


def test_epoch_timer_verbose_message_and_key(fake_clock, capsys):
    timer = EpochTimer(key="seconds", verbose=1)
    logs = {"loss": 1.0}
    timer.on_epoch_begin(4)
    timer.on_epoch_end(4, logs)
    assert logs == {"loss": 1.0, "seconds": 2.5}
    assert capsys.readouterr().out == "Epoch 5: 2.50 s\n"


def test_epoch_timer_ignores_end_without_begin():
    timer = EpochTimer()
    logs = {"loss": 1.0}
    timer.on_epoch_end(0, logs)
    assert timer.times == [] and "epoch_time" not in logs


def test_epoch_timer_resets_on_train_begin(fake_clock):
    timer = EpochTimer()
    timer.on_epoch_begin(0)
    timer.on_epoch_end(0, {"loss": 1.0})
    timer.on_train_begin()
    assert timer.times == [] and timer.total == 0.0


@pytest.mark.parametrize(
    "kwargs, message",
    [({"key": ""}, "Received: key=''"), ({"verbose": -1}, "Received: verbose=-1")],
)
def test_epoch_timer_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EpochTimer(**kwargs)


def test_epoch_timer_in_fit():
    x, y = tiny_data()
    timer = EpochTimer()
    history = tiny_classifier().fit(x, y, epochs=2, callbacks=[timer], verbose=0)
    assert history.history["epoch_time"] == timer.times
    assert len(timer.times) == 2 and all(t > 0 for t in timer.times)


def test_epoch_timer_records_every_training_step_per_epoch():
    x, y = tiny_data()
    timer = EpochTimer()
    model = tiny_classifier()
    model.fit(x, y, batch_size=8, epochs=2, callbacks=[timer], verbose=0)
    steps = -(-len(x) // 8)
    assert [len(epoch) for epoch in timer.step_times] == [steps, steps]
    assert all(
        0 < t <= total
        for epoch, total in zip(timer.step_times, timer.times, strict=True)
        for t in epoch
    )
