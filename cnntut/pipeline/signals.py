"""Stop training cleanly on SIGTERM or Ctrl-C, between two batches."""

from __future__ import annotations

import signal

import keras


class TrainingStopped(Exception):
    """Training was stopped by a signal, at a batch or epoch boundary.

    Attributes:
        signum: the signal's number (15 for SIGTERM, 2 for SIGINT).
        name: its name, e.g. `"SIGTERM"`.
    """

    def __init__(self, signum: int):
        self.signum = int(signum)
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")


class SignalStop(keras.callbacks.Callback):
    """Turn SIGTERM and SIGINT into `TrainingStopped`, raised between two batches.

    While `with stop.installed():` is active, the signal handler only records
    the signal; the next batch or epoch hook raises `TrainingStopped`. So the
    exception never interrupts a callback that is writing a file: the best
    model and the `BackupAndRestore` backup of the last finished epoch stay
    whole, and `fit` is left without `on_train_end`, which keeps the backup
    for a resumed run. A second signal raises at once. The handlers are put
    back when the `with` block ends.

    Example:

    ```python
    stop = SignalStop()
    with stop.installed():
        model.fit(x, y, epochs=30, callbacks=[backup, stop])  # may raise TrainingStopped
    ```
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        super().__init__()
        self.received: int | None = None
        self._previous: dict[int, object] = {}

    def installed(self) -> SignalStop:
        """Use as a context manager: `with stop.installed(): ...`."""
        return self

    def __enter__(self) -> SignalStop:
        self.received = None
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info) -> bool:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}
        return False

    def _handle(self, signum, frame):
        if self.received is not None:
            raise TrainingStopped(signum)
        self.received = signum

    def _check(self, *args, **kwargs):
        if self.received is not None:
            raise TrainingStopped(self.received)

    on_epoch_begin = on_train_batch_begin = on_test_batch_begin = _check
