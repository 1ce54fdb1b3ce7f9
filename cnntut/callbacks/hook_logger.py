"""A callback that writes down every hook Keras calls, in order."""

from __future__ import annotations

from collections import Counter

import keras

from cnntut.checks import check_verbose

#: Every hook of `keras.callbacks.Callback` that `fit`, `evaluate` and `predict`
#: call. (`on_batch_begin`/`on_batch_end` are Keras 2 names that Keras 3 keeps as
#: aliases: the default `on_train_batch_*` calls them.)
HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)
BATCH_HOOKS = tuple(name for name in HOOKS if "_batch_" in name)


class HookLogger(keras.callbacks.Callback):
    """Record the name of every callback hook that Keras calls, in order.

    Pass one instance to `fit`, then to `evaluate` and `predict`, to see the
    whole life cycle: `calls` lists the hook names, `log_keys` the keys of the
    `logs` each hook received, and `format()` prints them indented so that
    each `*_begin` opens a level that its `*_end` closes. The record starts
    afresh at each `fit` (in `on_train_begin`); `evaluate` and `predict`
    append to it.

    Args:
        batches: also record the per-batch hooks (`on_*_batch_begin/end`).
            Defaults to `True`.
        verbose: 1 prints each hook as it fires, 0 is silent. Defaults to `0`.

    Raises:
        ValueError: `verbose` is not 0 or 1.

    Example:

    ```python
    logger = HookLogger(batches=False)
    model.fit(x, y, epochs=2, validation_split=0.25, callbacks=[logger])
    model.evaluate(x, y, callbacks=[logger])
    print(logger.format())
    ```
    """

    def __init__(self, batches: bool = True, verbose: int = 0):
        super().__init__()
        self.batches = bool(batches)
        self.verbose = check_verbose(verbose)
        self.reset()

    def reset(self) -> None:
        """Forget everything recorded so far."""
        self.calls: list[str] = []
        self.log_keys: list[tuple[str, ...]] = []

    def counts(self) -> Counter:
        """Return how often each hook was called."""
        return Counter(self.calls)

    def format(self, show_logs: bool = False) -> str:
        """Return the recorded calls, one per line, indented by nesting.

        Args:
            show_logs: append the keys of the logs each hook received.
                Defaults to `False`.

        Returns:
            The lines joined with newlines (empty if nothing was recorded).
        """
        lines, depth = [], 0
        for name, keys in zip(self.calls, self.log_keys, strict=True):
            if name.endswith("_end"):
                depth = max(depth - 1, 0)
            line = "  " * depth + name
            if show_logs:
                line = f"{line:<34} logs: {', '.join(keys) or '-'}"
            lines.append(line)
            if name.endswith("_begin"):
                depth += 1
        return "\n".join(lines)

    def _record(self, name: str, logs) -> None:
        logs = logs or {}
        if not self.batches and name in BATCH_HOOKS:
            return
        self.calls.append(name)
        self.log_keys.append(tuple(sorted(logs)))
        if self.verbose:
            print(name)

    def on_train_begin(self, logs=None):
        self.reset()
        self._record("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._record("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record("on_epoch_begin", logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("on_epoch_end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("on_train_batch_begin", logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record("on_train_batch_end", logs)

    def on_test_begin(self, logs=None):
        self._record("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._record("on_test_end", logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._record("on_test_batch_begin", logs)

    def on_test_batch_end(self, batch, logs=None):
        self._record("on_test_batch_end", logs)

    def on_predict_begin(self, logs=None):
        self._record("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._record("on_predict_end", logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._record("on_predict_batch_begin", logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._record("on_predict_batch_end", logs)
