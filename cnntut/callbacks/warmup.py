"""A learning-rate schedule: a linear warm-up, then cosine decay or a constant rate."""

from __future__ import annotations

import math

import keras

from cnntut.callbacks.lr_tracker import current_learning_rate
from cnntut.checks import (
    check_choice,
    check_int,
    check_key,
    check_number,
    check_verbose,
)

AFTER_WARMUP = ("cosine", "constant")


def warmup_rate(
    step: int,
    *,
    warmup_steps: int,
    total_steps: int,
    peak_lr: float,
    min_lr: float = 0.0,
    after: str = "cosine",
) -> float:
    """Return the learning rate of a warm-up schedule at one step.

    Steps `0 .. warmup_steps - 1` climb in a straight line to `peak_lr`
    (step `i` gets `peak_lr * (i + 1) / warmup_steps`, so none gets 0). Then
    `"constant"` stays at `peak_lr`, and `"cosine"` falls along half a cosine
    from `peak_lr` at step `warmup_steps` towards `min_lr` at `total_steps`
    (and stays at `min_lr` after it).

    Args:
        step: the step, counted from 0.
        warmup_steps: the length of the warm-up; 0 means none.
        total_steps: the length of the whole schedule.
        peak_lr: the rate at the end of the warm-up.
        min_lr: the rate the cosine decays to. Defaults to `0.0`.
        after: `"cosine"` or `"constant"`. Defaults to `"cosine"`.

    Returns:
        The learning rate.
    """
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    if after == "constant":
        return peak_lr
    progress = min((step - warmup_steps) / max(total_steps - warmup_steps, 1), 1.0)
    return min_lr + (peak_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


class WarmUpScheduler(keras.callbacks.Callback):
    """Warm the learning rate up linearly, then decay it along a cosine (or hold it).

    Large steps at the start of training, while the weights are still
    random, can throw a model off course; a warm-up starts with a small rate
    and raises it to `peak_lr` over `warmup_epochs`. The callback sets
    `model.optimizer.learning_rate` before every batch (`per_batch=True`) or
    every epoch, following `warmup_rate`, and writes the rate of the epoch's
    last step into the epoch logs under `key`. `rates` lists every rate it
    set during the last `fit`; each `fit` starts the schedule again at the
    epoch it starts from. The optimizer must have a plain (settable) learning
    rate, not a `LearningRateSchedule`.

    Args:
        peak_lr: the rate reached at the end of the warm-up, > 0.
            Defaults to `1e-3`.
        warmup_epochs: epochs of warm-up, an integer >= 0. Defaults to `1`.
        after: what follows the warm-up: `"cosine"` decay or a `"constant"`
            rate. Defaults to `"cosine"`.
        min_lr: the rate the cosine decays to, in [0, peak_lr).
            Defaults to `0.0`.
        total_epochs: the schedule's length in epochs, more than
            `warmup_epochs`. Defaults to `None`, meaning the `epochs` of `fit`.
        per_batch: update the rate before every batch rather than every epoch.
            Defaults to `True`.
        key: the name of the rate in `logs`. Defaults to `"learning_rate"`.
        verbose: 1 prints the rate at the start of each epoch, 0 is silent.
            Defaults to `0`.

    Raises:
        TypeError: a number or integer argument has the wrong type.
        ValueError: `peak_lr <= 0`, `warmup_epochs < 0`, `min_lr` outside
            [0, peak_lr), `after` unknown, `total_epochs <= warmup_epochs`,
            or `verbose` not 0 or 1; at the start of training, a schedule
            whose warm-up is not shorter than the training, or `per_batch`
            without a known number of steps per epoch.

    Example:

    ```python
    warmup = WarmUpScheduler(peak_lr=2e-3, warmup_epochs=1, after="cosine")
    history = model.fit(x, y, epochs=6, callbacks=[warmup])
    history.history["learning_rate"]  # rises, then falls
    ```
    """

    def __init__(
        self,
        peak_lr: float = 1e-3,
        warmup_epochs: int = 1,
        after: str = "cosine",
        min_lr: float = 0.0,
        total_epochs: int | None = None,
        per_batch: bool = True,
        key: str = "learning_rate",
        verbose: int = 0,
    ):
        super().__init__()
        self.peak_lr = check_number("peak_lr", peak_lr, low=0.0, low_open=True)
        self.warmup_epochs = check_int("warmup_epochs", warmup_epochs, low=0)
        self.after = check_choice("after", after, AFTER_WARMUP)
        self.min_lr = check_number("min_lr", min_lr, low=0.0, high=self.peak_lr, high_open=True)
        if total_epochs is not None:
            total_epochs = check_int("total_epochs", total_epochs, low=1)
            if total_epochs <= self.warmup_epochs:
                raise ValueError(
                    "total_epochs must be larger than warmup_epochs "
                    f"({self.warmup_epochs}). Received: total_epochs={total_epochs}"
                )
        self.total_epochs = total_epochs
        self.per_batch = bool(per_batch)
        self.key = check_key("key", key)
        self.verbose = check_verbose(verbose)
        self.rates: list[float] = []
        self._steps_per_epoch = 1
        self._total = 1
        self._epoch = 0

    def on_train_begin(self, logs=None):
        logs = logs or {}
        self.rates = []
        params = self.params or {}
        total = self.total_epochs or params.get("epochs")
        if total is None or total <= self.warmup_epochs:
            raise ValueError(
                f"WarmUpScheduler warms up for {self.warmup_epochs} epochs, so training "
                f"must be longer. Received: total_epochs={self.total_epochs}, "
                f"fit epochs={params.get('epochs')}"
            )
        self._total = total
        self._steps_per_epoch = 1
        if self.per_batch:
            steps = params.get("steps")
            if not steps:
                raise ValueError(
                    "WarmUpScheduler(per_batch=True) needs the number of steps per "
                    "epoch: pass steps_per_epoch to fit(), or use per_batch=False. "
                    f"Received: steps={steps}"
                )
            self._steps_per_epoch = int(steps)

    def on_epoch_begin(self, epoch, logs=None):
        logs = logs or {}
        self._epoch = epoch
        if not self.per_batch:
            self._set_rate(epoch)
        if self.verbose:
            rate = self._rate_at(epoch * self._steps_per_epoch)
            print(f"Epoch {epoch + 1}: learning rate {rate:.6g}")

    def on_train_batch_begin(self, batch, logs=None):
        logs = logs or {}
        if self.per_batch:
            self._set_rate(self._epoch * self._steps_per_epoch + batch)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        logs[self.key] = current_learning_rate(self.model.optimizer)

    def _rate_at(self, step: int) -> float:
        return warmup_rate(
            step,
            warmup_steps=self.warmup_epochs * self._steps_per_epoch,
            total_steps=self._total * self._steps_per_epoch,
            peak_lr=self.peak_lr,
            min_lr=self.min_lr,
            after=self.after,
        )

    def _set_rate(self, step: int) -> None:
        rate = self._rate_at(step)
        self.model.optimizer.learning_rate = rate
        self.rates.append(rate)
