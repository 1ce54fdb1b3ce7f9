"""Read what the callbacks did from a `fit` history: rate cuts, the best epoch.

Epochs are numbered from 1, as Keras prints them ("Epoch 9/50",
"Epoch 9: ReduceLROnPlateau reducing learning rate"). Keras's hooks and the
attributes of its callbacks (`EarlyStopping.best_epoch`, `.stopped_epoch`)
count from 0: add 1 to compare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from cnntut.checks import check_choice, check_key, check_number

LR_KEY = "learning_rate"
MODES = ("auto", "min", "max")

Logs = Mapping[str, Sequence[float]]


def history_logs(history: Logs | object, required: Sequence[str] = ()) -> Logs:
    """Return the per-epoch dict of a `keras.callbacks.History`, or the dict itself.

    Every helper that takes "a `History` or its `.history` dict" goes through
    this function, so they all accept the same things and fail the same way.

    Args:
        history: a `History` (what `fit` returns) or its `.history` dict.
        required: names the dict must hold. Defaults to `()`.

    Returns:
        The dict `{name: [value per epoch]}`.

    Raises:
        TypeError: `history` is neither.
        KeyError: a `required` name is missing; the message lists the names
            there are, and hints that the rate is logged only with
            `ReduceLROnPlateau` or `LearningRateScheduler` in the list.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            "history must be a keras.callbacks.History or its .history dict. "
            f"Received: {type(history).__name__}"
        )
    missing = [key for key in required if key not in logs]
    if missing:
        hint = (
            " Keras logs the learning rate only when ReduceLROnPlateau or "
            "LearningRateScheduler is among the callbacks."
            if LR_KEY in missing
            else ""
        )
        raise KeyError(f"the history has no {missing}; it has {sorted(logs)}.{hint}")
    return logs


def find_lr_drops(history: Logs | object, key: str = LR_KEY) -> list[int]:
    """Find the epochs at whose end the learning rate was cut.

    `ReduceLROnPlateau` writes the rate that an epoch ran with into the logs,
    then cuts it; so a cut at the end of epoch 9 shows up as epoch 10 having a
    lower rate than epoch 9, and this function returns 9. A cut at the end of
    the very last epoch is never used and leaves no trace in the history (read
    `model.optimizer.learning_rate` to see it).

    Args:
        history: a `History` or its `.history` dict, holding the rate per epoch.
        key: the name of the rate in the logs. Defaults to `"learning_rate"`.

    Returns:
        The epochs (from 1) after which the rate was lower, in order; empty if
        it never fell.

    Raises:
        TypeError: `history` is neither a `History` nor a dict, or `key` is
            not a string.
        KeyError: the history has no `key`; the message lists its keys, and
            hints that the rate is logged only with `ReduceLROnPlateau` or
            `LearningRateScheduler` in the list.
    """
    check_key("key", key)
    rates = np.asarray(history_logs(history, [key])[key], dtype=np.float64)
    # A relative margin, so that float32 round-off is not read as a cut.
    fell = rates[1:] < rates[:-1] * (1 - 1e-6)
    return [int(i) + 1 for i in np.flatnonzero(fell)]


def monitor_mode(monitor: str, model: object | None = None) -> str:
    """`"max"` or `"min"`: the direction of a monitored quantity, as Keras 3 finds it.

    Keras's callbacks in `mode="auto"` minimise a loss and read any other metric's
    direction from the model's compiled metric (`AUC` is "up", `MeanAbsoluteError`
    "down"). Without a model (or before its metrics are built) the name is looked
    up with `keras.metrics.get`.

    Raises:
        TypeError: `monitor` is not a string.
        ValueError: the direction cannot be found; pass `mode="min"` or `"max"`.
    """
    check_key("monitor", monitor)
    name = monitor.removeprefix("val_")
    if name == "loss" or name.endswith("_loss"):
        return "min"
    for metric in _compiled_metrics(model):
        if metric.name == name and hasattr(metric, "_direction"):
            return "max" if metric._direction == "up" else "min"
    import keras

    try:
        found = keras.metrics.get(name)
        metric = found() if isinstance(found, type) else found
    except (ValueError, TypeError):
        metric = None
    if metric is not None and hasattr(metric, "_direction"):
        return "max" if metric._direction == "up" else "min"
    raise ValueError(
        f"cannot tell whether {monitor!r} should be maximised or minimised: it is not a "
        "loss, not a compiled metric of the model with a direction, and not a Keras metric "
        "name. Pass mode='max' or mode='min'."
    )


def _compiled_metrics(model: object | None) -> list:
    """The model's metric objects, with Keras's containers opened (as `MonitorCallback` does)."""
    found = []
    for metric in getattr(model, "metrics", None) or []:
        inner = getattr(metric, "metrics", None)
        found.extend(inner if isinstance(inner, list) else [metric])
    return found


def find_best_epoch(
    history: Logs | object,
    monitor: str = "val_loss",
    mode: str = "auto",
    *,
    min_delta: float = 0.0,
) -> int:
    """Find the epoch a callback counts as the best so far, as Keras's callbacks do.

    `EarlyStopping` and `ModelCheckpoint(save_best_only=True)` keep the first
    epoch that reaches the best value (a later tie is not an improvement).
    `ReduceLROnPlateau` counts an epoch as a new best only if it beats the best
    so far by more than its `min_delta` (1e-4 by default); pass the same
    `min_delta` to find the epoch from which it counts.

    Args:
        history: a `History` or its `.history` dict.
        monitor: the metric. Defaults to `"val_loss"`.
        mode: `"min"`, `"max"`, or `"auto"` (`monitor_mode`: Keras's rule,
            by the metric's name). Defaults to `"auto"`.
        min_delta: the least change that counts as an improvement, >= 0.
            Defaults to `0.0`.

    Returns:
        The best epoch, counted from 1.

    Raises:
        TypeError: `history` is neither a `History` nor a dict, `monitor` is
            not a string, or `min_delta` is not a number.
        KeyError: the history has no `monitor`; the message lists its keys.
        ValueError: `mode` is not one of the three, `min_delta` is negative,
            the metric has no values, or `mode="auto"` cannot tell its direction.
    """
    check_key("monitor", monitor)
    check_choice("mode", mode, MODES)
    min_delta = check_number("min_delta", min_delta, low=0)
    values = np.asarray(history_logs(history, [monitor])[monitor], dtype=np.float64)
    if values.size == 0 or np.isnan(values).all():
        raise ValueError(f"the history holds no epochs of {monitor!r} with a value")
    if mode == "auto":
        mode = monitor_mode(monitor)
    sign = 1.0 if mode == "max" else -1.0  # compare as "larger is better"
    best_index, best = 0, -np.inf
    for index, value in enumerate(values):
        if sign * value > best + min_delta:
            best_index, best = index, sign * value
    return best_index + 1
