"""cnntut.callbacks.warmup: linear warm-up, then cosine decay or a constant rate."""

from __future__ import annotations

import keras
import pytest
from callback_support import tiny_classifier, tiny_data

from cnntut.callbacks import WarmUpScheduler
from cnntut.callbacks.warmup import warmup_rate


def test_warmup_rate_climbs_linearly_then_decays_along_a_cosine():
    rates = [warmup_rate(s, warmup_steps=2, total_steps=6, peak_lr=1.0) for s in range(7)]
    assert rates[:3] == pytest.approx([0.5, 1.0, 1.0])
    assert rates[3:] == pytest.approx([0.8535534, 0.5, 0.1464466, 0.0])  # 0.0: past the end


def test_warmup_rate_constant_and_min_lr():
    assert warmup_rate(5, warmup_steps=2, total_steps=6, peak_lr=1.0, after="constant") == 1.0
    end = warmup_rate(9, warmup_steps=0, total_steps=6, peak_lr=1.0, min_lr=0.1)
    assert end == pytest.approx(0.1)


def _scheduler_on_fake_fit(epochs=4, steps=2, **kwargs):
    scheduler = WarmUpScheduler(peak_lr=0.01, **kwargs)
    scheduler.set_model(tiny_classifier())
    scheduler.set_params({"epochs": epochs, "steps": steps})
    scheduler.on_train_begin()
    return scheduler


def test_warmup_scheduler_per_batch_sets_the_optimizer_rate():
    scheduler = _scheduler_on_fake_fit(warmup_epochs=1)
    for epoch in range(2):
        scheduler.on_epoch_begin(epoch)
        for batch in range(2):
            scheduler.on_train_batch_begin(batch)
    assert scheduler.rates == pytest.approx([0.005, 0.01, 0.01, 0.01 * 0.9330127])
    assert float(scheduler.model.optimizer.learning_rate) == pytest.approx(0.009330127)
    logs = {"loss": 1.0}
    scheduler.on_epoch_end(1, logs)
    assert logs["learning_rate"] == pytest.approx(0.009330127)


def test_warmup_scheduler_per_epoch_constant():
    scheduler = _scheduler_on_fake_fit(warmup_epochs=2, after="constant", per_batch=False)
    for epoch in range(4):
        scheduler.on_epoch_begin(epoch)
        scheduler.on_train_batch_begin(0)  # ignored when per_batch=False
    assert scheduler.rates == pytest.approx([0.005, 0.01, 0.01, 0.01])


def test_warmup_scheduler_resets_on_train_begin():
    scheduler = _scheduler_on_fake_fit(per_batch=False)
    scheduler.on_epoch_begin(0)
    scheduler.on_train_begin()
    assert scheduler.rates == []


def test_warmup_scheduler_verbose_message(capsys):
    scheduler = _scheduler_on_fake_fit(warmup_epochs=2, per_batch=False, verbose=1)
    scheduler.on_epoch_begin(0)
    assert capsys.readouterr().out == "Epoch 1: learning rate 0.005\n"


def test_warmup_scheduler_training_must_outlast_the_warmup():
    scheduler = WarmUpScheduler(warmup_epochs=3)
    scheduler.set_params({"epochs": 3, "steps": 2})
    with pytest.raises(ValueError, match="fit epochs=3"):
        scheduler.on_train_begin()


def test_warmup_scheduler_per_batch_needs_steps():
    scheduler = WarmUpScheduler()
    scheduler.set_params({"epochs": 3, "steps": None})
    with pytest.raises(ValueError, match="Received: steps=None"):
        scheduler.on_train_begin()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"peak_lr": 0}, ValueError, r"peak_lr must be in \(0, inf\)\. Received: peak_lr=0"),
        ({"warmup_epochs": -1}, ValueError, "Received: warmup_epochs=-1"),
        ({"warmup_epochs": 1.5}, TypeError, "Received: warmup_epochs=1.5"),
        ({"after": "linear"}, ValueError, "Received: after='linear'"),
        ({"min_lr": 0.01, "peak_lr": 0.01}, ValueError, r"\[0, 0.01\)\. Received: min_lr=0.01"),
        ({"total_epochs": 1, "warmup_epochs": 1}, ValueError, "Received: total_epochs=1"),
        ({"verbose": 5}, ValueError, "Received: verbose=5"),
    ],
)
def test_warmup_scheduler_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        WarmUpScheduler(**kwargs)


def test_warmup_scheduler_refuses_an_optimizer_with_a_schedule():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    scheduler = WarmUpScheduler(per_batch=False)
    model = tiny_classifier()
    model.optimizer = keras.optimizers.SGD(learning_rate=schedule)
    scheduler.set_model(model)
    scheduler.set_params({"epochs": 3, "steps": 1})
    scheduler.on_train_begin()
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        scheduler.on_epoch_begin(0)


def test_warmup_scheduler_in_fit_logs_the_rate():
    x, y = tiny_data()
    scheduler = WarmUpScheduler(peak_lr=0.02, warmup_epochs=1, after="cosine")
    history = tiny_classifier().fit(x, y, epochs=3, batch_size=16, callbacks=[scheduler], verbose=0)
    assert len(scheduler.rates) == 6  # 3 epochs x 2 batches
    assert history.history["learning_rate"][0] == pytest.approx(0.02)
    assert history.history["learning_rate"][2] < history.history["learning_rate"][1] < 0.02
