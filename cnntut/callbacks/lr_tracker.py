"""The source article's `LRTracker`, fixed for Keras 3."""

from __future__ import annotations

import keras

from cnntut.checks import check_key, check_verbose


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    """Return an optimizer's current learning rate as a Python float.

    Keras 3 keeps the rate in `optimizer.learning_rate`, a `keras.Variable`;
    Keras 2's alias `optimizer.lr` is gone. When the optimizer was built with a
    `LearningRateSchedule`, the property gives the scheduled value for the
    current step. `float()` reads either as a Python number, which (unlike
    the variable) can go into `logs`, a CSV file or JSON.

    Args:
        optimizer: a Keras optimizer.

    Returns:
        The learning rate, e.g. `0.001`.

    Raises:
        AttributeError: the object has no `learning_rate`.
    """
    return float(optimizer.learning_rate)


class LRTracker(keras.callbacks.Callback):
    """Record the optimizer's learning rate at the end of every epoch.

    This is the source article's `LRTracker` made to work on Keras 3. The
    article read `self.model.optimizer.lr`, which Keras 3 no longer has (an
    `AttributeError`); this class reads `optimizer.learning_rate` as a float.
    The rate goes into the epoch's `logs` under `key`, so it lands in
    `history.history[key]`, and into the list `rates`, which starts afresh at
    every `fit`. Keras 3's own `ReduceLROnPlateau` uses the key
    `"learning_rate"` too (Keras 2 used `"lr"`). Place the tracker before
    callbacks that change the rate at the end of an epoch, so that it records
    the rate the epoch was trained with.

    Args:
        key: the name under which the rate is written into `logs`.
            Defaults to `"learning_rate"`.
        verbose: 1 prints the rate after each epoch, 0 is silent.
            Defaults to `0`.

    Raises:
        ValueError: `key` is not a non-empty string, or `verbose` is not 0 or 1.

    Example:

    ```python
    tracker = LRTracker(verbose=1)
    history = model.fit(x, y, epochs=3, callbacks=[tracker])
    history.history["learning_rate"]  # e.g. [0.001, 0.001, 0.001]
    tracker.rates                      # the same three floats
    ```
    """

    def __init__(self, key: str = "learning_rate", verbose: int = 0):
        super().__init__()
        self.key = check_key("key", key)
        self.verbose = check_verbose(verbose)
        self.rates: list[float] = []

    def on_train_begin(self, logs=None):
        self.rates = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        rate = current_learning_rate(self.model.optimizer)
        self.rates.append(rate)
        logs[self.key] = rate
        if self.verbose:
            print(f"Epoch {epoch + 1}: learning rate {rate:.6g}")
