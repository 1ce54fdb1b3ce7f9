"""Train the best pipeline end to end: data, model, callbacks, fit, test."""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

from cnntut.callbacks.atomic_checkpoint import (
    file_sha256,
    read_checkpoint_state,
    write_checkpoint_state,
)
from cnntut.data import DATA_ENV, load_mnist, preprocess
from cnntut.pipeline.config import TrainConfig, TrainResult
from cnntut.pipeline.model import (
    best_schedule,
    build_best_augmenter,
    build_best_model,
    build_trainer,
    compile_best,
    fit_best,
)
from cnntut.pipeline.progress import EpochLine
from cnntut.pipeline.resume import STATE_FILE, RunSettingsError, data_fingerprint, prepare_run
from cnntut.repro import set_seed

Split = tuple[np.ndarray, np.ndarray]


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[Split, Split]:
    """Hold out a random `fraction` of the training data for validation.

    The split is drawn with its own generator, so it does not depend on the
    order of the file (a class-sorted `mnist.npz` would otherwise give a
    validation set of nines, as Keras's `validation_split` takes the last part).

    Args:
        x: training images.
        y: their labels.
        fraction: share held out, in (0, 1).
        seed: seed of the draw.

    Returns:
        `(x_fit, y_fit), (x_val, y_val)`; the validation part has at least one image.

    Raises:
        ValueError: fewer than 2 images, or `fraction` outside (0, 1).
    """
    if len(x) < 2 or len(x) != len(y):
        raise ValueError(
            "need at least 2 images with one label each. "
            f"Received: {len(x)} images, {len(y)} labels"
        )
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1). Received: fraction={fraction}")
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = min(max(1, round(fraction * len(x))), len(x) - 1)
    val, fit = order[:n_val], order[n_val:]
    return (x[fit], y[fit]), (x[val], y[val])


def load_trained_model(path: str | os.PathLike) -> keras.Model:
    """Load a model saved by `train`, with Keras's `safe_mode` on.

    `safe_mode=True` refuses a `Lambda` layer whose function is stored as Python
    bytecode, and a few other known ways for a file to bring code along. That is a
    mitigation, not a sandbox: it checks nothing else, and crafted files got around
    it in earlier Keras releases. Load only files you trust.

    Args:
        path: a `.keras` file.

    Returns:
        The model, compiled as it was saved.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: Keras cannot read the file as a model.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    return keras.models.load_model(path, safe_mode=True)


def train(
    config: TrainConfig,
    data: tuple[Split, Split] | None = None,
    *,
    verbose: bool = True,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    overwrite: bool = False,
) -> TrainResult:
    """Train the best pipeline, keep its best epoch in `config.out`, test it.

    Steps: seed everything; load the data (`data`, else `config.data`, else
    `load_mnist(source="auto")`, the full MNIST when it can be had) and `preprocess`
    it; carve a validation split from the training digits; build the classifier
    (`build_best_model()`) and a trainer that puts the augmentation layers in front
    of it (`build_trainer`); compile both with Adam on a warm-up + cosine schedule
    (`best_schedule`, `compile_best`); fit the trainer (`fit_best`: an
    `AtomicCheckpoint` that saves the classifier alone at its best `val_accuracy`,
    ties going to the later epoch, optionally `BackupAndRestore` and
    `TensorBoard`). These are the cells of chapter 8, exported. Reload the saved classifier with
    `safe_mode` and evaluate it on the test split.

    Before anything is written, `cnntut.pipeline.resume.prepare_run` decides: a
    backup in `config.backup_dir` is resumed only by a run with the same
    settings and data; an existing `config.out` without a backup is replaced
    only with `overwrite=True`. A best-model state that no longer matches its
    file is rebuilt by evaluating that file on the validation split.

    Args:
        config: the settings.
        data: `(x_train, y_train), (x_test, y_test)` as uint8 arrays in the
            Keras layout, or `None` to load them. Defaults to `None`.
        verbose: print the data source, one line per epoch (`EpochLine`) and
            nothing else. Defaults to `True`.
        callbacks: more callbacks, run after the pipeline's own.
            Defaults to `()`.
        overwrite: replace an existing `config.out` and discard any backup.
            Defaults to `False`.

    Returns:
        A `TrainResult`.

    Raises:
        FileNotFoundError, cnntut.data.MNISTFileError: `config.data` is
            missing or not an MNIST file.
        RunSettingsError: the run must not start (see above), or the batch
            size exceeds the training images; nothing has been written.
        Exception: whatever a callback raises leaves `fit` unchanged; the
            backup in `config.backup_dir` is then kept for a resumed run.
    """
    started = time.perf_counter()
    set_seed(config.seed)
    if data is None:
        data = load_mnist(config.data, source=os.environ.get(DATA_ENV) or "auto", verbose=verbose)
    (x_train, y_train), (x_test, y_test) = data
    (x_fit, y_fit), (x_val, y_val) = split_validation(
        preprocess(x_train), y_train, config.validation_fraction, config.seed
    )
    x_test = preprocess(x_test)
    if config.batch_size > len(x_fit):
        raise RunSettingsError(
            f"--batch-size {config.batch_size} is larger than the {len(x_fit):,} training "
            f"images left after the validation split; use at most {len(x_fit)}"
        )
    resuming = prepare_run(config, data_fingerprint(data), overwrite=overwrite)
    if verbose:
        print(
            f"training for {config.epochs} epochs, batch size {config.batch_size}, "
            f"seed {config.seed}" + (f"; resuming from {config.backup_dir}" if resuming else ""),
            flush=True,
        )
    if resuming:
        _repair_best_state(config, x_val, y_val, verbose)

    # The steps of chapter 8, in its order; the functions are generated from its cells.
    classifier = build_best_model()
    trainer = build_trainer(classifier, build_best_augmenter(seed=config.seed))
    steps_per_epoch = math.ceil(len(x_fit) / config.batch_size)
    schedule = best_schedule(config.peak_lr, config.warmup_epochs, config.epochs, steps_per_epoch)
    compile_best(classifier, trainer, schedule)
    history, best_epoch = fit_best(
        trainer,
        classifier,
        (x_fit, y_fit),
        (x_val, y_val),
        config,
        callbacks=[*([EpochLine()] if verbose else []), *callbacks],
    )
    shutil.rmtree(config.backup_dir, ignore_errors=True)  # the run is complete

    best = load_trained_model(config.out)
    test_loss, test_accuracy = best.evaluate(x_test, y_test, batch_size=512, verbose=0)
    return TrainResult(
        test_accuracy=float(test_accuracy),
        test_loss=float(test_loss),
        test_size=len(x_test),
        best_epoch=best_epoch,
        epochs_run=len(history.epoch),
        seconds=time.perf_counter() - started,
        history={key: [float(v) for v in values] for key, values in history.history.items()},
        model_path=Path(config.out),
        config=config,
    )


def _repair_best_state(config: TrainConfig, x_val, y_val, verbose: bool) -> None:
    """Make the resumed checkpoint compare against the model really in `config.out`.

    If the state file is unreadable or describes another file, the best value is
    recovered by evaluating `config.out` on the validation split (as chapter 4's
    `resumable_checkpoint` does), so the first resumed epoch cannot overwrite a
    better model.
    """
    state_path = config.backup_dir / STATE_FILE
    if not Path(config.out).is_file():
        return
    entry, note = read_checkpoint_state(config.out, state_path, "val_accuracy")
    if entry is not None:
        return
    saved = load_trained_model(config.out)
    accuracy = float(saved.evaluate(x_val, y_val, return_dict=True, verbose=0)["accuracy"])
    state = {"monitor": "val_accuracy", "mode": "max", "best": accuracy, "epoch": None}
    state.update(sha256=file_sha256(config.out), filepath=str(config.out), previous=None)
    write_checkpoint_state(state_path, state)
    if verbose:
        why = note or f"{state_path} is missing"
        print(
            f"note: {why}; the best so far was recovered by evaluating {config.out} on the "
            f"validation split (val_accuracy {accuracy:.4f})",
            flush=True,
        )
