"""A callback that times each epoch."""

from __future__ import annotations

import time

import keras

from cnntut.checks import check_key, check_verbose


class EpochTimer(keras.callbacks.Callback):
    """Measure how many seconds each epoch takes, validation included.

    The clock starts in `on_epoch_begin` and stops in `on_epoch_end`, so an
    epoch's time covers its training batches and, when `fit` has validation
    data, the validation pass. The seconds go into the epoch's `logs` under
    `key` (and so into `history.history[key]`) and into the list `times`;
    `step_times` holds, per epoch, the seconds between the ends of consecutive
    training steps. Both start afresh at every `fit`. The first epoch of a new model is
    usually the slowest: TensorFlow traces the training step into a graph then.

    Args:
        key: the name under which the seconds are written into `logs`.
            Defaults to `"epoch_time"`.
        verbose: 1 prints the time after each epoch, 0 is silent.
            Defaults to `0`.

    Raises:
        ValueError: `key` is not a non-empty string, or `verbose` is not 0 or 1.

    Example:

    ```python
    timer = EpochTimer(verbose=1)
    history = model.fit(x, y, epochs=3, callbacks=[timer])
    print(sum(timer.times), history.history["epoch_time"])
    ```
    """

    def __init__(self, key: str = "epoch_time", verbose: int = 0):
        super().__init__()
        self.key = check_key("key", key)
        self.verbose = check_verbose(verbose)
        self.times: list[float] = []
        self.step_times: list[list[float]] = []
        self._started: float | None = None
        self._last_step = 0.0

    @property
    def total(self) -> float:
        """Seconds of all epochs of the last `fit` together."""
        return float(sum(self.times))

    def on_train_begin(self, logs=None):
        self.times, self.step_times = [], []
        self._started = None

    def on_epoch_begin(self, epoch, logs=None):
        self._started = self._last_step = time.perf_counter()
        self.step_times.append([])

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if self.step_times:
            self.step_times[-1].append(now - self._last_step)
        self._last_step = now

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._started is None:  # hooks called out of order: nothing to measure
            return
        seconds = time.perf_counter() - self._started
        self._started = None
        self.times.append(seconds)
        logs[self.key] = seconds
        if self.verbose:
            print(f"Epoch {epoch + 1}: {seconds:.2f} s")
