"""cnntut.trials: seeded, timed training runs."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnntut.models import build_cnn
from cnntut.trials import TrialResult, run_trial


def tiny_data():
    rng = np.random.default_rng(0)
    x = rng.random((48, 6)).astype("float32")
    y = (x[:, 0] > 0.5).astype("int64")
    return (x[:32], y[:32]), (x[32:], y[32:])


def tiny_compiled() -> keras.Model:
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(2, activation="softmax")], name="tiny"
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_run_trial_trains_times_and_scores_one_model():
    train, test = tiny_data()
    result = run_trial(tiny_compiled, train, test, epochs=2, batch_size=8, seed=1)
    assert result.name == "tiny"
    assert result.params == 14
    assert len(result.epoch_seconds) == 2 and all(s > 0 for s in result.epoch_seconds)
    assert [len(epoch) for epoch in result.step_seconds] == [4, 4]  # 32 samples, batches of 8
    assert 0 < result.seconds_per_epoch
    assert 0.0 <= result.test_accuracy <= 1.0
    assert len(result.history["loss"]) == 2 and "val_accuracy" in result.history
    assert result.row()["model"] == "tiny" and result.row()["parameters"] == 14


def test_run_trial_with_the_same_seed_starts_from_the_same_weights():
    train, test = tiny_data()
    first = run_trial(tiny_compiled, train, test, epochs=1, seed=7, name="a")
    second = run_trial(tiny_compiled, train, test, epochs=1, seed=7, name="b")
    other = run_trial(tiny_compiled, train, test, epochs=1, seed=8)
    assert first.history["loss"] == second.history["loss"]
    assert first.history["loss"] != other.history["loss"]
    assert (first.name, second.name) == ("a", "b")


def test_run_trial_passes_extra_callbacks_to_fit():
    train, test = tiny_data()
    seen = []
    logger = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    run_trial(tiny_compiled, train, test, epochs=2, callbacks=[logger])
    assert seen == [0, 1]


def test_run_trial_rejects_an_uncompiled_model():
    train, test = tiny_data()
    with pytest.raises(ValueError, match="uncompiled model 'mnist_cnn'"):
        run_trial(build_cnn, train, test)


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (1.0, TypeError), (True, TypeError)])
def test_run_trial_rejects_bad_epochs(bad, error):
    train, test = tiny_data()
    with pytest.raises(error, match=f"epochs={bad!r}"):
        run_trial(tiny_compiled, train, test, epochs=bad)


def trial_with_steps(steps: list[list[float]]) -> TrialResult:
    return TrialResult("m", None, 1, [1.0] * len(steps), steps, 0.5, {})


def test_trial_result_times_a_step_by_the_median_after_the_first_epoch():
    trial = trial_with_steps([[9.0, 9.0, 9.0], [0.1, 0.2, 5.0], [0.2, 0.3, 0.2]])
    assert trial.seconds_per_step == pytest.approx(0.2)  # the 5 s stall barely counts
    assert trial.seconds_per_epoch == pytest.approx(0.6)
    assert trial.row()["s/epoch"] == 0.6


def test_trial_result_with_one_epoch_leaves_out_its_first_step():
    assert trial_with_steps([[4.0, 1.0, 3.0]]).seconds_per_step == 2.0
    assert trial_with_steps([[4.0]]).seconds_per_step == 4.0


def test_trial_result_without_steps_says_so():
    with pytest.raises(ValueError, match="trial 'm' timed no training step"):
        _ = trial_with_steps([]).seconds_per_step
