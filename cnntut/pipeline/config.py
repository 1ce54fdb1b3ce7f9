"""The settings of a run of the best pipeline, and what the run measured."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run of the best pipeline.

    Args:
        epochs: epochs to train, >= 1. Defaults to `30`.
        batch_size: images per step, >= 1. Defaults to `64`.
        seed: seed of weights, augmentation and the validation split, >= 0.
            Defaults to `42`.
        out: where the best model is saved; must end in `.keras`.
            Defaults to `"mnist_cnn.keras"`.
        data: a `mnist.npz`, or `None` for `load_mnist(source="auto")`: the
            full MNIST when it can be had, else the bundled sample.
            Defaults to `None`.
        logdir: a TensorBoard log folder, or `None` for no logs. Defaults to `None`.
        validation_fraction: share of the training digits held out to choose
            the best epoch, in (0, 0.5]. Defaults to `0.1`.
        peak_lr: Adam's learning rate at the end of the warm-up. Defaults to `3e-3`.
        warmup_epochs: epochs of linear warm-up before the cosine decay (0 means
            none); a run of fewer epochs warms up for `epochs - 1`. Defaults to `2`.
        resume: keep a `BackupAndRestore` backup in `backup_dir`, so that a
            killed run started again goes on from its last finished epoch.
            Defaults to `True`.

    Raises:
        ValueError: a value is out of range; the message quotes it.
    """

    epochs: int = 30
    batch_size: int = 64
    seed: int = 42
    out: str | os.PathLike = "mnist_cnn.keras"
    data: str | os.PathLike | None = None
    logdir: str | os.PathLike | None = None
    validation_fraction: float = 0.1
    peak_lr: float = 3e-3
    warmup_epochs: int = 2
    resume: bool = True

    def __post_init__(self):
        for name, low in (("epochs", 1), ("batch_size", 1), ("seed", 0), ("warmup_epochs", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}. Received: {name}={value!r}")
        if self.seed >= 2**32:
            raise ValueError(f"seed must be below 2**32. Received: seed={self.seed}")
        if not 0 < self.validation_fraction <= 0.5:
            raise ValueError(
                "validation_fraction must be in (0, 0.5]. "
                f"Received: validation_fraction={self.validation_fraction}"
            )
        if not self.peak_lr > 0:
            raise ValueError(f"peak_lr must be positive. Received: peak_lr={self.peak_lr}")
        if Path(self.out).suffix != ".keras":
            raise ValueError(f"out must end in .keras. Received: out={self.out}")

    @property
    def backup_dir(self) -> Path:
        """`<out>.backup/`: the `BackupAndRestore` folder, deleted after a finished run."""
        return Path(f"{self.out}.backup")

    def replace(self, **changes) -> TrainConfig:
        """A copy with some fields changed (and checked again)."""
        return dataclasses.replace(self, **changes)


@dataclass
class TrainResult:
    """What a run of `train` measured.

    Attributes:
        test_accuracy: accuracy of the saved (best) model on the test split.
        test_loss: its loss there.
        test_size: the number of test images.
        best_epoch: the epoch (from 1) whose model was saved.
        epochs_run: epochs trained by this call (fewer than `config.epochs`
            when it resumed an interrupted run).
        seconds: wall-clock time of the whole call, data loading included.
        history: `History.history` of this call.
        model_path: the saved model.
        config: the settings of the run.
    """

    test_accuracy: float
    test_loss: float
    test_size: int
    best_epoch: int | None
    epochs_run: int
    seconds: float
    history: dict[str, list[float]] = field(repr=False)
    model_path: Path
    config: TrainConfig = field(repr=False)
