"""A callback that ends training once an accuracy target is reached."""

from __future__ import annotations

import keras

from cnntut.checks import (
    check_key,
    check_number,
    check_verbose,
    missing_monitor_error,
)


class StopAtAccuracy(keras.callbacks.Callback):
    """Stop training at the end of the first epoch whose accuracy reaches `target`.

    Where `EarlyStopping` stops when a metric has stopped improving, this
    callback stops when it is good enough: it sets `model.stop_training` as
    soon as `logs[monitor] >= target`. `stopped_epoch` then holds the epoch's
    index (counted from 0), or `None` when the target was never reached; it is
    reset at every `fit`.

    A misspelt `monitor` raises at the end of the first epoch instead of
    silently never stopping. A `"val_"` quantity may be missing from epochs
    that `fit(validation_freq=...)` does not validate; if it never appears in
    a whole `fit`, `on_train_end` raises.

    Args:
        target: the accuracy to reach, in (0, 1]. Required.
        monitor: the quantity in the epoch logs to compare with `target`.
            Defaults to `"val_accuracy"`.
        verbose: 1 prints a line when training is stopped, 0 is silent.
            Defaults to `0`.

    Raises:
        TypeError: `target` is not a number.
        ValueError: `target` is outside (0, 1], `monitor` is not a non-empty
            string, or `verbose` is not 0 or 1; during training, `monitor`
            is not in the logs (the message lists the keys they hold).

    Example:

    ```python
    stopper = StopAtAccuracy(0.97, monitor="val_accuracy", verbose=1)
    model.fit(x, y, epochs=50, validation_split=0.2, callbacks=[stopper])
    print(stopper.stopped_epoch)  # e.g. 4, or None if 0.97 was never reached
    ```
    """

    def __init__(self, target: float, monitor: str = "val_accuracy", verbose: int = 0):
        super().__init__()
        self.target = check_number("target", target, low=0.0, high=1.0, low_open=True)
        self.monitor = check_key("monitor", monitor)
        self.verbose = check_verbose(verbose)
        self.stopped_epoch: int | None = None
        self._seen_monitor = False
        self._epochs_ended = 0

    def on_train_begin(self, logs=None):
        self.stopped_epoch = None
        self._seen_monitor = False
        self._epochs_ended = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._epochs_ended += 1
        value = logs.get(self.monitor)
        if value is None:
            validated = any(key.startswith("val_") for key in logs)
            if validated or not self.monitor.startswith("val_"):
                raise missing_monitor_error(type(self).__name__, self.monitor, logs)
            return  # an epoch without validation (validation_freq > 1)
        self._seen_monitor = True
        if value >= self.target:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.verbose:
                print(
                    f"Epoch {epoch + 1}: {self.monitor}={value:.4f} reached "
                    f"target {self.target:g}; stopping."
                )

    def on_train_end(self, logs=None):
        logs = logs or {}
        if self._epochs_ended and not self._seen_monitor:
            raise ValueError(
                f"StopAtAccuracy watched {self.monitor!r}, but no epoch of this fit "
                "reported it: pass validation_data or validation_split to fit(), or "
                f"monitor the training accuracy. Received: monitor={self.monitor!r}"
            )
