"""Replay EarlyStopping and ReduceLROnPlateau over a recorded validation loss.

`replay_callbacks` takes the decisions that Keras's two callbacks would take, epoch
by epoch, without a model and without training. It follows Keras 3's code exactly
(monitor `val_loss`, mode `min`, no baseline): the same counters, the same order of
updates, and the same float32 comparisons (Keras compares through `keras.ops.less`,
which turns Python floats into float32 tensors) and float32 learning rates (the
optimizer stores its rate in a float32 variable).

The replay assumes that the recorded losses would stay as they are. In a real run a
lowered learning rate changes every loss after it, so the replay answers "when would
each callback have fired on this curve", not "what would the curve have been".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# Keras's defaults for the two callbacks' `min_delta`.
ES_MIN_DELTA = 0.0
LR_MIN_DELTA = 1e-4


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

    Both callbacks watch `val_loss` in `min` mode, as
    `EarlyStopping(patience=es_patience, min_delta=min_delta)` and
    `ReduceLROnPlateau(factor=lr_factor, patience=lr_patience,
    min_delta=lr_min_delta, cooldown=cooldown, min_lr=min_lr)` do in a `fit` with an
    optimizer that starts at `initial_lr`. Epochs are counted from 0, like the
    `epoch` argument of Keras's hooks and `EarlyStopping.stopped_epoch`; Keras
    prints them plus one ("Epoch 5: early stopping" is epoch 4 here).

    Args:
        val_loss: the validation loss of each recorded epoch, for example
            `history.history["val_loss"]`. NaN counts as no improvement, as in Keras.
        es_patience: EarlyStopping's `patience`: epochs without improvement
            before training stops.
        lr_factor: ReduceLROnPlateau's `factor`: the learning rate is multiplied
            by it at each reduction.
        lr_patience: ReduceLROnPlateau's `patience`.
        min_delta: EarlyStopping's `min_delta`. Defaults to `0.0`, as in Keras.
        lr_min_delta: ReduceLROnPlateau's `min_delta`. Defaults to `1e-4`, as in
            Keras.
        initial_lr: the optimizer's learning rate in the first epoch. Defaults to
            `1e-3`, Adam's default.
        cooldown: ReduceLROnPlateau's `cooldown`. Defaults to `0`.
        min_lr: ReduceLROnPlateau's `min_lr`. Defaults to `0.0`.

    Returns:
        A dict with:
        - `"stop_epoch"`: the epoch at whose end EarlyStopping stops training, or
          `None` when it never does within the recorded epochs;
        - `"epochs_run"`: how many epochs the run would have lasted;
        - `"best_epoch"`: EarlyStopping's `best_epoch`, the epoch of the lowest
          loss (by `min_delta`) among the epochs run;
        - `"best_val_loss"`: the loss at `best_epoch`;
        - `"lr"`: the learning rate used in each epoch run (what Keras logs as
          `learning_rate` when ReduceLROnPlateau is in the callbacks);
        - `"lr_reductions"`: the epochs at whose end the rate was lowered (it is
          lower from the next epoch on);
        - `"final_lr"`: the rate after the last epoch run;
        - `"es_wait"`, `"lr_wait"`: each callback's `wait` counter at the end of
          each epoch run.

    Raises:
        ValueError: `val_loss` is empty; a patience or `cooldown` is negative or
            not an integer; `lr_factor` is not between 0 and 1 (exclusive);
            `initial_lr` is not positive; a `min_delta` or `min_lr` is negative.
    """
    losses = [float(v) for v in val_loss]
    if not losses:
        raise ValueError(f"val_loss needs at least one epoch. Received: val_loss={val_loss!r}")
    for name, value in (
        ("es_patience", es_patience),
        ("lr_patience", lr_patience),
        ("cooldown", cooldown),
    ):
        _check_count(name, value)
    if not 0 < lr_factor < 1:
        raise ValueError(
            "lr_factor must be between 0 and 1 (exclusive): the rate is multiplied by it. "
            f"Received: lr_factor={lr_factor}"
        )
    if not initial_lr > 0:
        raise ValueError(f"initial_lr must be positive. Received: initial_lr={initial_lr}")
    for name, value in (
        ("min_delta", min_delta),
        ("lr_min_delta", lr_min_delta),
        ("min_lr", min_lr),
    ):
        if not value >= 0:
            raise ValueError(f"{name} must be zero or positive. Received: {name}={value}")

    es_best: float | None = None
    es_wait, best_epoch, stop_epoch = 0, 0, None
    lr_best: float | None = None
    lr_wait, cooldown_left = 0, 0
    lr = _as_float32(initial_lr)
    lrs, reductions, es_waits, lr_waits = [], [], [], []

    for epoch, current in enumerate(losses):
        lrs.append(lr)
        # ReduceLROnPlateau.on_epoch_end
        if cooldown_left > 0:
            cooldown_left -= 1
            lr_wait = 0
        if _improves(current, lr_best, lr_min_delta):
            lr_best, lr_wait = current, 0
        elif cooldown_left == 0:
            lr_wait += 1
            if lr_wait >= lr_patience and lr > np.float32(min_lr):
                lr = _as_float32(max(lr * lr_factor, min_lr))
                reductions.append(epoch)
                cooldown_left, lr_wait = cooldown, 0
        lr_waits.append(lr_wait)
        # EarlyStopping.on_epoch_end: `wait` grows before the test, and is reset
        # on an improvement.
        es_wait += 1
        if _improves(current, es_best, min_delta):
            es_best, best_epoch, es_wait = current, epoch, 0
        elif es_wait >= es_patience:
            # Keras also asks for epoch > 0, which always holds: epoch 0 has no best to beat.
            stop_epoch = epoch
        es_waits.append(es_wait)
        if stop_epoch is not None:
            break

    return {
        "stop_epoch": stop_epoch,
        "epochs_run": len(lrs),
        "best_epoch": best_epoch,
        "best_val_loss": losses[best_epoch],
        "lr": lrs,
        "lr_reductions": reductions,
        "final_lr": lr,
        "es_wait": es_waits,
        "lr_wait": lr_waits,
    }


def _improves(current: float, best: float | None, min_delta: float) -> bool:
    """Keras's `MonitorCallback._is_improvement` in `min` mode, in float32."""
    if best is None:
        return True
    return bool(np.float32(current + min_delta) < np.float32(best))


def _as_float32(value: float) -> float:
    """The value a float32 optimizer variable holds, read back as a Python float."""
    return float(np.float32(value))


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer. Received: {name}={value!r}")
