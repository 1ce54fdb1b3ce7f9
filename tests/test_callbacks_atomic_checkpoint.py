"""Tests of AtomicCheckpoint and save_model_atomically."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import pytest

from cnntut.callbacks import AtomicCheckpoint
from cnntut.callbacks.atomic_checkpoint import save_model_atomically


def small_model() -> keras.Model:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class RecordingModel:
    """Stands in for a model: counts saves, writes a small file."""

    def __init__(self):
        self.saves = 0

    def save(self, path):
        self.saves += 1
        with open(path, "w") as handle:
            handle.write(f"model {self.saves}")


class BrokenModel:
    """A model whose save dies half-way, as a process killed mid-write would."""

    def save(self, path):
        with open(path, "w") as handle:
            handle.write("half a zip")
        raise OSError("disk full")


def checkpoint_with(model, **kwargs) -> AtomicCheckpoint:
    callback = AtomicCheckpoint(kwargs.pop("filepath"), **kwargs)
    callback.set_model(model)
    return callback


def test_atomic_checkpoint_saves_only_improvements_in_max_mode(tmp_path):
    model = RecordingModel()
    callback = checkpoint_with(model, filepath=tmp_path / "m.keras", monitor="val_accuracy")
    callback.on_train_begin()
    for epoch, value in enumerate([0.90, 0.95, 0.93, 0.95]):
        callback.on_epoch_end(epoch, {"val_accuracy": value})
    assert callback.mode == "max"
    assert model.saves == 2 and (callback.best, callback.best_epoch) == (0.95, 2)


def test_atomic_checkpoint_save_on_tie_keeps_the_later_epoch(tmp_path):
    model = RecordingModel()
    callback = checkpoint_with(
        model, filepath=tmp_path / "m.keras", monitor="val_accuracy", save_on_tie=True
    )
    callback.on_train_begin()
    for epoch, value in enumerate([0.90, 0.95, 0.93, 0.95]):
        callback.on_epoch_end(epoch, {"val_accuracy": value})
    assert model.saves == 3 and callback.best_epoch == 4


def test_atomic_checkpoint_min_mode_for_losses(tmp_path):
    model = RecordingModel()
    callback = checkpoint_with(model, filepath=tmp_path / "m.keras")
    callback.on_train_begin()
    for epoch, value in enumerate([0.5, 0.3, 0.4, float("nan")]):
        callback.on_epoch_end(epoch, {"val_loss": value})
    assert callback.mode == "min" and model.saves == 2 and callback.best == 0.3


def test_atomic_checkpoint_state_file_carries_best_into_a_resumed_run(tmp_path):
    state = tmp_path / "backup" / "best.json"
    first = checkpoint_with(
        RecordingModel(), filepath=tmp_path / "m.keras", monitor="val_accuracy", state_path=state
    )
    first.on_train_begin()
    first.on_epoch_end(0, {"val_accuracy": 0.9})
    assert json.loads(state.read_text())["best"] == 0.9

    model = RecordingModel()
    resumed = checkpoint_with(
        model, filepath=tmp_path / "m.keras", monitor="val_accuracy", state_path=state
    )
    resumed.on_train_begin()
    resumed.on_epoch_end(1, {"val_accuracy": 0.85})  # worse than the interrupted run's best
    assert model.saves == 0 and resumed.best_epoch == 1


def test_atomic_checkpoint_reset_on_train_begin_without_state(tmp_path):
    model = RecordingModel()
    callback = checkpoint_with(model, filepath=tmp_path / "m.keras", monitor="val_accuracy")
    callback.on_train_begin()
    callback.on_epoch_end(0, {"val_accuracy": 0.99})
    callback.on_train_begin()
    assert callback.best is None
    callback.on_epoch_end(0, {"val_accuracy": 0.5})
    assert model.saves == 2


def test_atomic_checkpoint_missing_monitor_names_the_logs(tmp_path):
    callback = checkpoint_with(RecordingModel(), filepath=tmp_path / "m.keras")
    callback.on_train_begin()
    with pytest.raises(ValueError, match=r"'val_loss'.*\['loss'\]"):
        callback.on_epoch_end(0, {"loss": 0.1})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filepath": "m.h5"}, "Received: filepath=m.h5"),
        ({"filepath": "m.keras", "mode": "best"}, "Received: mode='best'"),
        ({"filepath": "m.keras", "verbose": 2}, "Received: verbose=2"),
    ],
)
def test_atomic_checkpoint_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AtomicCheckpoint(**kwargs)


def test_save_model_atomically_keeps_the_old_file_when_a_save_fails(tmp_path):
    target = tmp_path / "m.keras"
    target.write_text("the good model")
    with pytest.raises(OSError, match="disk full"):
        save_model_atomically(BrokenModel(), target)
    assert target.read_text() == "the good model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]  # temp file gone


def test_atomic_checkpoint_in_fit_writes_a_loadable_model(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 4), dtype=np.float32), rng.integers(0, 3, 32)
    model = small_model()
    callback = AtomicCheckpoint(tmp_path / "m.keras", monitor="val_loss", verbose=1)
    model.fit(x, y, validation_split=0.25, epochs=2, verbose=0, callbacks=[callback])
    loaded = keras.models.load_model(tmp_path / "m.keras", safe_mode=True)
    assert loaded.predict(x[:2], verbose=0).shape == (2, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]


def test_atomic_checkpoint_save_layer_saves_the_nested_model(tmp_path):
    inner = small_model()
    outer = keras.Sequential([keras.Input((4,)), inner], name="outer")
    callback = AtomicCheckpoint(tmp_path / "inner.keras", monitor="loss", save_layer=inner.name)
    callback.set_model(outer)
    callback.on_train_begin()
    callback.on_epoch_end(0, {"loss": 1.0})
    loaded = keras.models.load_model(tmp_path / "inner.keras", safe_mode=True)
    assert loaded.name == inner.name and len(loaded.layers) == len(inner.layers)


def test_atomic_checkpoint_save_layer_must_exist(tmp_path):
    callback = AtomicCheckpoint(tmp_path / "m.keras", monitor="loss", save_layer="nope")
    callback.set_model(small_model())
    callback.on_train_begin()
    with pytest.raises(ValueError, match="Received: save_layer='nope'"):
        callback.on_epoch_end(0, {"loss": 1.0})


def test_atomic_checkpoint_state_survives_a_kill_between_state_and_model(tmp_path, monkeypatch):
    """The state is written before the model is renamed into place; killed in between,
    the state still names the old file, so a resumed run compares against its value."""
    from cnntut.callbacks import atomic_checkpoint

    state = tmp_path / "backup" / "best.json"
    first = checkpoint_with(
        RecordingModel(), filepath=tmp_path / "m.keras", monitor="val_accuracy", state_path=state
    )
    first.on_train_begin()
    first.on_epoch_end(0, {"val_accuracy": 0.90})
    real_replace = os.replace

    def killed_before_the_model_moves(src, dst):
        if str(dst).endswith(".keras"):
            raise KeyboardInterrupt  # the kill
        real_replace(src, dst)

    monkeypatch.setattr(atomic_checkpoint.os, "replace", killed_before_the_model_moves)
    with pytest.raises(KeyboardInterrupt):
        first.on_epoch_end(1, {"val_accuracy": 0.95})
    monkeypatch.setattr(atomic_checkpoint.os, "replace", real_replace)
    assert json.loads(state.read_text())["best"] == 0.95  # the state is ahead of the file
    assert (tmp_path / "m.keras").read_text() == "model 1"

    resumed = checkpoint_with(
        RecordingModel(), filepath=tmp_path / "m.keras", monitor="val_accuracy", state_path=state
    )
    resumed.on_train_begin()
    assert (resumed.best, resumed.best_epoch, resumed.state_note) == (0.90, 1, None)


@pytest.mark.parametrize(
    ("content", "note"),
    [
        ("{not json", "not a readable state file"),
        ('{"monitor": "val_accuracy"}', "missing 'best'"),
        ("[1, 2]", "not a readable state file"),
    ],
)
def test_atomic_checkpoint_ignores_a_broken_state_file_and_says_why(tmp_path, content, note):
    (tmp_path / "m.keras").write_text("a model")
    state = tmp_path / "best.json"
    state.write_text(content)
    callback = checkpoint_with(
        RecordingModel(), filepath=tmp_path / "m.keras", monitor="val_accuracy", state_path=state
    )
    callback.on_train_begin()
    assert (
        callback.best is None and note in callback.state_note and str(state) in callback.state_note
    )


def test_atomic_checkpoint_ignores_a_state_that_describes_another_file(tmp_path):
    state = tmp_path / "best.json"
    first = checkpoint_with(
        RecordingModel(), filepath=tmp_path / "m.keras", monitor="val_accuracy", state_path=state
    )
    first.on_train_begin()
    first.on_epoch_end(0, {"val_accuracy": 0.9})
    (tmp_path / "m.keras").write_text("replaced by someone else")
    resumed = checkpoint_with(
        RecordingModel(), filepath=tmp_path / "m.keras", monitor="val_accuracy", state_path=state
    )
    resumed.on_train_begin()
    assert resumed.best is None and "does not describe the model" in resumed.state_note


def test_atomic_checkpoint_auto_mode_maximises_auc_as_keras_does(tmp_path):
    """Keras 3 reads a metric's direction; "val_auc" holds no "acc" but is maximised."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(
        optimizer="adam", loss="binary_crossentropy", metrics=[keras.metrics.AUC(name="auc")]
    )
    x = np.random.default_rng(0).random((16, 4)).astype("float32")
    y = (x[:, 0] > 0.5).astype("float32")
    callback = AtomicCheckpoint(tmp_path / "m.keras", monitor="val_auc")
    model.fit(x, y, validation_data=(x, y), epochs=1, verbose=0, callbacks=[callback])
    assert callback.mode == "max"
    for epoch, value in enumerate([0.7, 0.9, 0.8], start=1):
        callback.on_epoch_end(epoch, {"val_auc": value})
    assert callback.best == 0.9


def test_atomic_checkpoint_auto_mode_refuses_a_metric_without_direction(tmp_path):
    callback = checkpoint_with(RecordingModel(), filepath=tmp_path / "m.keras", monitor="val_score")
    callback.on_train_begin()
    with pytest.raises(ValueError, match="mode='max' or mode='min'"):
        callback.on_epoch_end(0, {"val_score": 1.0})
