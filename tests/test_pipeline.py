"""Tests of cnntut.pipeline: settings, model, validation split, progress line, training."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

from cnntut.callbacks import InterruptAtEpoch, TrainingInterrupted
from cnntut.data import load_mnist, preprocess
from cnntut.pipeline import (
    RunSettingsError,
    SignalStop,
    TrainConfig,
    TrainingStopped,
    build_best_model,
    format_epoch_line,
    load_trained_model,
    split_validation,
    train,
)
from cnntut.pipeline.model import build_best_augmenter, build_trainer


@pytest.fixture(scope="module")
def tiny_data():
    """80 training and 20 test digits of the bundled sample, as uint8 arrays."""
    (x_train, y_train), (x_test, y_test) = load_mnist(download=False, verbose=False)
    return (x_train[:80], y_train[:80]), (x_test[:20], y_test[:20])


def test_train_config_defaults_and_backup_dir():
    config = TrainConfig(out="models/best.keras")
    assert (config.epochs, config.batch_size, config.seed) == (30, 64, 42)
    assert str(config.backup_dir) == os.path.join("models", "best.keras.backup")
    assert config.replace(epochs=3).epochs == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 0}, "epochs must be an integer >= 1. Received: epochs=0"),
        ({"epochs": True}, "Received: epochs=True"),
        ({"batch_size": 2.5}, "Received: batch_size=2.5"),
        ({"seed": -1}, "Received: seed=-1"),
        ({"seed": 2**32}, "seed must be below 2**32"),
        ({"validation_fraction": 0.7}, "Received: validation_fraction=0.7"),
        ({"peak_lr": 0.0}, "Received: peak_lr=0.0"),
        ({"out": "best.h5"}, "Received: out=best.h5"),
    ],
)
def test_train_config_rejects_bad_values(changes, message):
    with pytest.raises(ValueError, match=message.replace("*", r"\*").replace(".", r"\.")):
        TrainConfig(**changes)


def test_build_best_model_returns_probabilities_for_preprocessed_digits(tiny_data):
    (x_train, _), _ = tiny_data
    model = build_best_model()
    images = preprocess(x_train[:4])
    probabilities = np.asarray(model(images, training=False))
    assert probabilities.shape == (4, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_build_best_model_holds_only_standard_keras_layers():
    model = build_best_model()
    assert all(type(layer).__module__.startswith("keras.") for layer in model.layers)


def test_build_trainer_shares_the_classifier_and_augments_only_in_training(tiny_data):
    (x_train, _), _ = tiny_data
    classifier = build_best_model()
    trainer = build_trainer(classifier, build_best_augmenter(seed=3))
    assert trainer.get_layer(classifier.name) is classifier
    images = preprocess(x_train[:4])
    augmenter = trainer.get_layer("augmentation")
    np.testing.assert_array_equal(np.asarray(augmenter(images, training=False)), images)
    assert not np.allclose(np.asarray(augmenter(images, training=True)), images)
    np.testing.assert_allclose(
        np.asarray(trainer(images, training=False)), np.asarray(classifier(images)), rtol=1e-6
    )


def test_split_validation_is_a_seeded_disjoint_partition():
    x = np.arange(100)
    y = np.repeat(np.arange(10), 10)  # sorted by class, like the raw bundled sample
    (x_fit, y_fit), (x_val, y_val) = split_validation(x, y, 0.2, seed=7)
    assert len(x_val) == 20 and len(x_fit) == 80
    assert sorted(np.concatenate([x_fit, x_val])) == list(range(100))
    np.testing.assert_array_equal(y_val, y[x_val])
    assert len(np.unique(y_val)) > 5  # not just the last classes
    (_, _), (x_val_again, _) = split_validation(x, y, 0.2, seed=7)
    np.testing.assert_array_equal(x_val, x_val_again)


def test_split_validation_rejects_bad_fraction():
    with pytest.raises(ValueError, match="Received: fraction=1.0"):
        split_validation(np.zeros(10), np.zeros(10), 1.0, seed=0)


def test_format_epoch_line_shows_known_metrics_only():
    logs = {"loss": 0.12345, "accuracy": 0.9612, "val_accuracy": 0.98, "learning_rate": 0.003}
    line = format_epoch_line(2, 30, logs, 2.06)
    assert line == "epoch  3/30  loss 0.1235  acc 0.9612  val_acc 0.9800  lr 3.00e-03  2.1 s"


def test_signal_stop_raises_at_the_next_hook_and_restores_handlers():
    stop = SignalStop()
    before = signal.getsignal(signal.SIGTERM)
    with stop.installed():
        assert signal.getsignal(signal.SIGTERM) == stop._handle
        stop.on_train_batch_begin(0)  # nothing received: no error
        stop._handle(signal.SIGTERM, None)
        with pytest.raises(TrainingStopped) as caught:
            stop.on_train_batch_begin(1)
    assert caught.value.signum == signal.SIGTERM and caught.value.name == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) == before


def test_train_resumes_after_a_crash_and_keeps_a_usable_best_model(tmp_path, tiny_data):
    config = TrainConfig(epochs=3, batch_size=16, seed=5, out=tmp_path / "best.keras")
    with pytest.raises(TrainingInterrupted):
        train(config, tiny_data, verbose=False, callbacks=[InterruptAtEpoch(2)])
    assert (config.backup_dir / "best.json").is_file()
    assert config.out.is_file()

    result = train(config, tiny_data, verbose=False)
    assert result.epochs_run == 1  # epochs 1 and 2 were done before the crash
    assert result.best_epoch in (1, 2, 3)
    assert result.test_size == 20 and 0.0 <= result.test_accuracy <= 1.0
    assert len(result.history["learning_rate"]) == 1
    assert not config.backup_dir.exists()
    model = load_trained_model(result.model_path)
    _, (x_test, _) = tiny_data
    assert model.predict(preprocess(x_test), verbose=0).shape == (20, 10)


def test_train_saves_the_optimizer_state_of_its_best_epoch(tmp_path, tiny_data, recwarn):
    """The classifier shares the trainer's Adam, so its file holds the real step count and
    moments, and loads without Keras skipping the optimizer's variables."""
    config = TrainConfig(epochs=2, batch_size=16, seed=3, out=tmp_path / "best.keras")
    result = train(config, tiny_data, verbose=False)
    model = load_trained_model(result.model_path)
    steps_per_epoch = -(-round(80 * (1 - config.validation_fraction)) // 16)
    assert int(model.optimizer.iterations.numpy()) == result.best_epoch * steps_per_epoch
    moments = [v for v in model.optimizer.variables if "momentum" in v.path]
    assert moments and any(np.abs(v.numpy()).max() > 0 for v in moments)
    assert not [w for w in recwarn if "Skipping variable loading" in str(w.message)]


def test_load_trained_model_reports_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file"):
        load_trained_model(tmp_path / "missing.keras")


def interrupted_run(config, data):
    """A run killed after its first epoch: a backup and a best model are left behind."""
    with pytest.raises(TrainingInterrupted):
        train(config, data, verbose=False, callbacks=[InterruptAtEpoch(1)])
    assert config.backup_dir.is_dir() and config.out.is_file()


def test_train_refuses_to_replace_a_finished_model_without_overwrite(tmp_path, tiny_data):
    config = TrainConfig(epochs=1, batch_size=16, seed=5, out=tmp_path / "best.keras")
    train(config, tiny_data, verbose=False)
    finished = config.out.read_bytes()
    with pytest.raises(RunSettingsError, match="already exists.*--overwrite"):
        train(config, tiny_data, verbose=False)
    assert config.out.read_bytes() == finished and not config.backup_dir.exists()
    train(config, tiny_data, verbose=False, overwrite=True)
    assert config.out.read_bytes() != finished


def test_train_refuses_any_existing_out_file_without_overwrite(tmp_path, tiny_data):
    out = tmp_path / "someone_elses.keras"
    out.write_bytes(b"precious")
    with pytest.raises(RunSettingsError, match="someone_elses.keras already exists"):
        train(TrainConfig(epochs=1, batch_size=16, out=out), tiny_data, verbose=False)
    assert out.read_bytes() == b"precious" and not Path(f"{out}.backup").exists()


@pytest.mark.parametrize(
    ("changes", "named", "values"),
    [
        ({"seed": 6}, "--seed", "5, this command 6"),
        ({"epochs": 1}, "--epochs", "3, this command 1"),
        ({"batch_size": 8}, "--batch-size", "16, this command 8"),
        ({"validation_fraction": 0.2}, "validation_fraction", "0.1, this command 0.2"),
    ],
)
def test_train_refuses_to_resume_with_other_settings(tmp_path, tiny_data, changes, named, values):
    config = TrainConfig(epochs=3, batch_size=16, seed=5, out=tmp_path / "best.keras")
    interrupted_run(config, tiny_data)
    kept = config.out.read_bytes()
    with pytest.raises(RunSettingsError, match=f"{named} differs") as refused:
        train(config.replace(**changes), tiny_data, verbose=False)
    assert values in str(refused.value)
    assert config.out.read_bytes() == kept and config.backup_dir.is_dir()


def test_train_refuses_to_resume_on_other_data(tmp_path, tiny_data):
    config = TrainConfig(epochs=3, batch_size=16, seed=5, out=tmp_path / "best.keras")
    interrupted_run(config, tiny_data)
    (x_train, y_train), test = tiny_data
    other = ((x_train[::-1].copy(), y_train[::-1].copy()), test)  # same size, other order
    with pytest.raises(RunSettingsError, match=r"--data differs .*80 training / 20 test"):
        train(config, other, verbose=False)


def test_train_rebuilds_a_broken_best_state_from_the_model_file(tmp_path, tiny_data, capsys):
    config = TrainConfig(epochs=3, batch_size=16, seed=5, out=tmp_path / "best.keras")
    interrupted_run(config, tiny_data)
    (config.backup_dir / "best.json").write_text("{broken")
    result = train(config, tiny_data, verbose=True)
    printed = capsys.readouterr().out
    assert "not a readable state file" in printed and "recovered" in printed
    assert result.epochs_run == 2 and load_trained_model(result.model_path) is not None


def test_train_refuses_a_batch_larger_than_the_training_split(tmp_path, tiny_data):
    out = tmp_path / "best.keras"
    with pytest.raises(RunSettingsError, match="--batch-size 500 is larger than the 72"):
        train(TrainConfig(epochs=1, batch_size=500, out=out), tiny_data, verbose=False)
    assert list(tmp_path.iterdir()) == []  # nothing written
