"""Replay EarlyStopping and ReduceLROnPlateau over a recorded validation loss.

`replay_callbacks` runs Keras's own two callbacks, epoch by epoch, on the recorded losses, the
way `fit` calls them at each epoch's end, with a stand-in for the model: all they touch of it is
`stop_training` and the optimizer's learning rate. So the decisions are Keras's, not a copy.

The replay assumes that the recorded losses would stay as they are. In a real run a lowered
learning rate changes every loss after it, so the replay answers "when would each callback
have fired on this curve", not "what would the curve have been".
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import keras
import numpy as np

from cnntut.checks import check_int, check_number

# Keras's defaults for the two callbacks' `min_delta` (a test checks them).
ES_MIN_DELTA = 0.0
LR_MIN_DELTA = 1e-4


class _Optimizer:
    """An optimizer as ReduceLROnPlateau sees it: a learning rate, kept in float32 as Keras does."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate

    @property
    def learning_rate(self) -> np.float32:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = np.float32(value)


def replay_callbacks(
    val_loss: Sequence[float],
    *,
    es_patience: int,
    lr_factor: float,
    lr_patience: int,
    min_delta: float = ES_MIN_DELTA,
    lr_min_delta: float = LR_MIN_DELTA,
    initial_lr: float = 1e-3,
    cooldown: int = 0,
    min_lr: float = 0.0,
) -> dict[str, Any]:
    """Say when EarlyStopping and ReduceLROnPlateau would fire on a loss curve.

    Both callbacks watch `val_loss` in `min` mode, built as
    `EarlyStopping(patience=es_patience, min_delta=min_delta)` and `ReduceLROnPlateau(
    factor=lr_factor, patience=lr_patience, min_delta=lr_min_delta, cooldown=cooldown,
    min_lr=min_lr)` (the defaults are Keras's), and are driven as in a `fit` with an optimizer
    that starts at `initial_lr` (Adam's default): `on_train_begin`, then `on_epoch_end(epoch,
    logs)` for each recorded epoch until EarlyStopping sets `stop_training`. Epochs are counted
    from 0, like the `epoch` argument of Keras's hooks and `EarlyStopping.stopped_epoch`; Keras
    prints them plus one ("Epoch 5: early stopping" is epoch 4 here).

    Args:
        val_loss: the validation loss of each recorded epoch, for example
            `history.history["val_loss"]`. NaN counts as no improvement, as in Keras.

    Returns:
        A dict with:
        - `"stop_epoch"`: the epoch at whose end EarlyStopping stops training, or `None`
          when it never does within the recorded epochs;
        - `"epochs_run"`: how many epochs the run would have lasted;
        - `"best_epoch"`: EarlyStopping's `best_epoch`, which `restore_best_weights=True` puts back;
        - `"best_val_loss"`: the loss at `best_epoch`;
        - `"lr"`: the rate of each epoch run (Keras's `learning_rate` log under ReduceLROnPlateau);
        - `"lr_reductions"`: the epochs at whose end the rate was lowered (lower from the next);
        - `"final_lr"`: the rate after the last epoch run;
        - `"es_wait"`, `"lr_wait"`: each callback's `wait` counter at the end of each epoch.

    Raises:
        TypeError: a patience or `cooldown` is not an integer, or a rate, factor or
            `min_delta` is not a number.
        ValueError: `val_loss` is empty; a patience or `cooldown` is negative; `lr_factor` is
            not between 0 and 1 (exclusive); `initial_lr` is not positive; a `min_delta` or
            `min_lr` is negative.
    """
    losses = [float(v) for v in val_loss]
    if not losses:
        raise ValueError(f"val_loss needs at least one epoch. Received: val_loss={val_loss!r}")
    # All that the two callbacks touch of the model `fit` hands them.
    model = SimpleNamespace(
        stop_training=False,
        optimizer=_Optimizer(check_number("initial_lr", initial_lr, low=0, low_open=True)),
    )
    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss",
        mode="min",
        patience=check_int("es_patience", es_patience),
        min_delta=check_number("min_delta", min_delta, low=0),
    )
    reduce_lr = keras.callbacks.ReduceLROnPlateau(
        monitor="val_loss",
        mode="min",
        factor=check_number("lr_factor", lr_factor, low=0, high=1, low_open=True, high_open=True),
        patience=check_int("lr_patience", lr_patience),
        min_delta=check_number("lr_min_delta", lr_min_delta, low=0),
        cooldown=check_int("cooldown", cooldown),
        min_lr=check_number("min_lr", min_lr, low=0),
    )
    callbacks = (reduce_lr, early_stopping)
    for callback in callbacks:
        callback.set_model(model)
        callback.on_train_begin()
    lrs, reductions, es_waits, lr_waits = [], [], [], []
    for epoch, current in enumerate(losses):
        logs = {"val_loss": current}
        rate_before = model.optimizer.learning_rate
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
        lrs.append(logs["learning_rate"])  # ReduceLROnPlateau logs the epoch's rate
        if model.optimizer.learning_rate < rate_before:
            reductions.append(epoch)
        es_waits.append(early_stopping.wait)
        lr_waits.append(reduce_lr.wait)
        if model.stop_training:
            break
    best_epoch = early_stopping.best_epoch
    return {
        "stop_epoch": early_stopping.stopped_epoch if model.stop_training else None,
        "epochs_run": len(lrs),
        "best_epoch": best_epoch,
        "best_val_loss": losses[best_epoch],
        "lr": lrs,
        "lr_reductions": reductions,
        "final_lr": float(model.optimizer.learning_rate),
        "es_wait": es_waits,
        "lr_wait": lr_waits,
    }
