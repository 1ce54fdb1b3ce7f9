"""A callback that crashes training on purpose, to rehearse resuming it."""

from __future__ import annotations

import keras

from cnntut.checks import check_int


class TrainingInterrupted(RuntimeError):
    """Raised by `InterruptAtEpoch`: a stand-in for a crash, a kill or a power cut.

    Attributes:
        epoch: the epoch (counted from 1) at whose end training was interrupted.
    """

    def __init__(self, epoch: int):
        self.epoch = epoch
        super().__init__(f"training interrupted on purpose at the end of epoch {epoch}")


class InterruptAtEpoch(keras.callbacks.Callback):
    """Raise `TrainingInterrupted` at the end of a given epoch, to simulate a crash.

    `epoch` counts from 1, as Keras prints epochs ("Epoch 3/6"): with
    `InterruptAtEpoch(3)`, three epochs complete and `fit` then raises. The
    exception leaves `fit` like a real failure would, so the callbacks'
    `on_train_end` never runs; a `BackupAndRestore` callback keeps its backup,
    and the next `fit` with it resumes at Keras's epoch index 3 (printed as
    "Epoch 4/6").

    Put this callback *after* `BackupAndRestore` in the list: callbacks run in
    list order, so the backup of the interrupted epoch is written before the
    crash. Listed before it, the crash comes first and that epoch is lost.

    Args:
        epoch: the epoch, counted from 1, at whose end to raise. Required.

    Raises:
        TypeError: `epoch` is not an integer.
        ValueError: `epoch` is below 1.

    Example:

    ```python
    backup = keras.callbacks.BackupAndRestore(backup_dir="backup")
    try:
        model.fit(x, y, epochs=6, callbacks=[backup, InterruptAtEpoch(3)])
    except TrainingInterrupted as crash:
        print(crash)
    history = model.fit(x, y, epochs=6, callbacks=[backup])
    print(history.epoch)  # [3, 4, 5]: Keras's indices, so epochs 4 to 6
    ```
    """

    def __init__(self, epoch: int):
        super().__init__()
        self.epoch = check_int("epoch", epoch, low=1)

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise TrainingInterrupted(self.epoch)
