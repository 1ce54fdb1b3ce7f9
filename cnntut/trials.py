"""Small, fair training comparisons: one model per row of a results table.

`run_trial()` seeds, builds, trains, times and scores a fresh model, so that two trials differ
only in what the caller changed. Chapter 7 compares its models (`cnntut.practice`) with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np

from cnntut.callbacks import EpochTimer
from cnntut.checks import check_int
from cnntut.repro import DEFAULT_SEED, set_seed

Split = tuple[np.ndarray, np.ndarray]


@dataclass
class TrialResult:
    """What one training run produced.

    Attributes:
        epoch_seconds: wall-clock seconds of each epoch, validation included
            (measured by `cnntut.callbacks.EpochTimer`).
        step_seconds: for each epoch, the seconds of each training step.
        test_accuracy: accuracy on the test split after the last epoch.
    """

    name: str
    model: keras.Model
    params: int
    epoch_seconds: list[float]
    step_seconds: list[list[float]] = field(repr=False)
    test_accuracy: float
    history: dict[str, list[float]] = field(repr=False)

    @property
    def seconds_per_step(self) -> float:
        """Median seconds of one training step, leaving out the first epoch.

        The first epoch also traces the graph (with one epoch, only its first step is left
        out); the median is steadier than an epoch's total on a busy machine.

        Raises:
            ValueError: no training step was timed.
        """
        later = [t for epoch in self.step_seconds[1:] for t in epoch]
        first = self.step_seconds[0] if self.step_seconds else []
        times = later or first[1:] or first
        if not times:
            raise ValueError(f"trial {self.name!r} timed no training step")
        return float(np.median(times))

    @property
    def seconds_per_epoch(self) -> float:
        """Training seconds of a typical epoch (median step times steps), without validation."""
        return self.seconds_per_step * len(self.step_seconds[-1])

    def row(self) -> dict[str, object]:
        """One row for a results table (e.g. `pandas.DataFrame([r.row() ...])`)."""
        return {
            "model": self.name,
            "parameters": self.params,
            "s/epoch": round(self.seconds_per_epoch, 2),
            "test accuracy": round(self.test_accuracy, 3),
        }


def run_trial(
    build: Callable[[], keras.Model],
    train: Split,
    test: Split,
    *,
    epochs: int = 3,
    batch_size: int = 32,
    seed: int = DEFAULT_SEED,
    name: str | None = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
) -> TrialResult:
    """Seed, build, train and score one model.

    Seeding right before `build()` gives trials with the same seed the same initial weights
    and batch order, so their differences come from what the caller changed.

    Args:
        build: a function with no arguments that returns a *compiled* model with an
            `"accuracy"` metric.
        test: `(x_test, y_test)`; the validation data of `fit` and the final score.
        seed: passed to `cnntut.set_seed` before building.
        name: label of the trial; `None` means the model's name.
        callbacks: more callbacks for `fit`.

    Raises:
        TypeError: `epochs` is not an integer.
        ValueError: `epochs` is below 1, or `build()` returned an uncompiled model.
    """
    check_int("epochs", epochs, low=1)
    set_seed(seed)
    model = build()
    if not getattr(model, "compiled", False):
        raise ValueError(
            "build() must return a compiled model (call model.compile or "
            f"cnntut.compile_cnn inside it). Received: uncompiled model {model.name!r}"
        )
    timer = EpochTimer()
    history = model.fit(
        *train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=test,
        callbacks=[timer, *(callbacks or [])],
        verbose=0,
    )
    scores = model.evaluate(*test, verbose=0, return_dict=True)
    return TrialResult(
        name=name or model.name,
        model=model,
        params=model.count_params(),
        epoch_seconds=list(timer.times),
        step_seconds=timer.step_times,
        test_accuracy=float(scores["accuracy"]),
        history=history.history,
    )
