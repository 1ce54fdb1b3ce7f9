"""Tests for cnntut.run_analysis: rate cuts and best epochs read from a history."""

from __future__ import annotations

import math
from types import SimpleNamespace

import keras
import numpy as np
import pytest

from cnntut.run_analysis import find_best_epoch, find_lr_drops, history_logs, monitor_mode


def test_find_lr_drops_returns_the_epochs_after_which_the_rate_fell():
    history = {"learning_rate": [1e-3, 1e-3, 1e-4, 1e-4, 1e-4, 1e-5]}
    assert find_lr_drops(history) == [2, 5]


def test_find_lr_drops_constant_rate_gives_no_drop():
    assert find_lr_drops({"learning_rate": [1e-3] * 4}) == []


def test_find_lr_drops_ignores_float32_round_off():
    rates = [1e-3, float(np.float32(1e-3)), 1e-3 * (1 - 1e-9)]
    assert find_lr_drops({"learning_rate": rates}) == []


def test_find_lr_drops_reads_a_history_object():
    history = SimpleNamespace(history={"learning_rate": [0.1, 0.01]})
    assert find_lr_drops(history) == [1]


def test_find_lr_drops_without_the_rate_raises_with_a_hint():
    with pytest.raises(KeyError, match="ReduceLROnPlateau"):
        find_lr_drops({"loss": [1.0, 0.5]})


def test_find_lr_drops_agrees_with_reduce_lr_on_plateau_in_a_fit():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    # min_delta is so large that only the first epoch counts as an improvement,
    # so with patience 1 the rate is cut at the end of epoch 2 (and of epoch 3).
    reduce_lr = keras.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=1, min_delta=100.0
    )
    x = np.ones((8, 3), dtype="float32")
    history = model.fit(x, x[:, :1], epochs=4, verbose=0, callbacks=[reduce_lr])
    assert find_lr_drops(history) == [2, 3]
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.05, 0.025])


def test_find_best_epoch_min_and_max_count_from_one():
    history = {"val_loss": [0.5, 0.3, 0.4], "val_accuracy": [0.8, 0.85, 0.9]}
    assert find_best_epoch(history, "val_loss") == 2
    assert find_best_epoch(history, "val_accuracy") == 3  # auto: accuracy is maximised
    assert find_best_epoch(history, "val_accuracy", mode="min") == 1


def test_find_best_epoch_returns_the_first_of_tied_epochs():
    assert find_best_epoch({"val_accuracy": [0.9, 0.95, 0.95, 0.95]}, "val_accuracy") == 2


def test_find_best_epoch_skips_nan():
    assert find_best_epoch({"val_loss": [math.nan, 0.4, 0.2]}) == 3


def test_find_best_epoch_bad_mode_raises():
    with pytest.raises(ValueError, match="Received: mode='lowest'"):
        find_best_epoch({"val_loss": [1.0]}, mode="lowest")


def test_find_best_epoch_monitor_must_be_a_string():
    with pytest.raises(TypeError, match="monitor=3"):
        find_best_epoch({"val_loss": [1.0]}, monitor=3)


def test_find_best_epoch_accepts_a_numpy_min_delta():
    assert find_best_epoch({"val_loss": [0.5, 0.45, 0.3]}, min_delta=np.float32(0.1)) == 3


def test_find_best_epoch_empty_metric_raises():
    with pytest.raises(ValueError, match="no epochs"):
        find_best_epoch({"val_loss": []})


def test_find_best_epoch_missing_metric_lists_keys():
    with pytest.raises(KeyError, match="'loss'"):
        find_best_epoch({"loss": [1.0]}, "val_loss")


def test_history_logs_refuses_other_objects():
    with pytest.raises(TypeError, match="Received: list"):
        history_logs([0.1, 0.2])


def test_history_logs_returns_the_dict_of_a_history_or_the_dict():
    logs = {"loss": [1.0, 0.5]}
    assert history_logs(SimpleNamespace(history=logs)) is logs
    assert history_logs(logs, ["loss"]) is logs


def test_history_logs_names_every_missing_key_and_the_keys_there_are():
    with pytest.raises(KeyError, match=r"no \['val_loss', 'accuracy'\]; it has \['loss'\]\."):
        history_logs({"loss": [1.0]}, ["loss", "val_loss", "accuracy"])


def test_history_logs_hints_where_the_learning_rate_comes_from():
    with pytest.raises(KeyError, match="LearningRateScheduler"):
        history_logs({"loss": [1.0]}, ["learning_rate"])


def test_find_best_epoch_with_min_delta_matches_reduce_lr_on_plateau():
    """The epoch from which ReduceLROnPlateau counts, found by driving the real callback."""
    import keras

    val_loss = [0.5, 0.3, 0.29995, 0.29991, 0.2999, 0.31]  # tiny gains after epoch 2
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    reduce_lr = keras.callbacks.ReduceLROnPlateau(patience=3, factor=0.5)
    reduce_lr.set_model(model)
    reduce_lr.on_train_begin()
    cut_after = None
    for epoch, loss in enumerate(val_loss):
        reduce_lr.on_epoch_end(epoch, {"val_loss": loss})
        if cut_after is None and float(model.optimizer.learning_rate) < 1.0:
            cut_after = epoch + 1
    best = find_best_epoch({"val_loss": val_loss}, min_delta=1e-4)  # its default
    assert (best, cut_after) == (2, 5)  # counted epochs 3-5, though 5 set a new minimum
    assert find_best_epoch({"val_loss": val_loss}) == 5


def test_find_best_epoch_rejects_negative_min_delta_and_all_nan():
    with pytest.raises(ValueError, match="min_delta=-0.1"):
        find_best_epoch({"val_loss": [0.2]}, min_delta=-0.1)
    with pytest.raises(ValueError, match="no epochs"):
        find_best_epoch({"val_loss": [math.nan, math.nan]})


@pytest.mark.parametrize(
    ("monitor", "mode"),
    [
        ("val_loss", "min"),
        ("digit_loss", "min"),
        ("val_accuracy", "max"),
        ("val_auc", "max"),
        ("precision", "max"),
        ("val_mae", "min"),
        ("val_mean_squared_error", "min"),
    ],
)
def test_monitor_mode_follows_the_metric_direction_as_keras_does(monitor, mode):
    assert monitor_mode(monitor) == mode


def test_monitor_mode_reads_a_compiled_metric_of_the_model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", metrics=[keras.metrics.AUC(name="roc")])
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)  # builds the metrics
    assert monitor_mode("val_roc", model) == "max"


def test_monitor_mode_refuses_a_name_it_cannot_place():
    with pytest.raises(ValueError, match="'val_score'.*mode='max' or mode='min'"):
        monitor_mode("val_score")


def test_find_best_epoch_maximises_auc():
    assert find_best_epoch({"val_auc": [0.7, 0.9, 0.8]}, "val_auc") == 2
