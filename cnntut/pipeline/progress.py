"""One compact progress line per epoch, for logs and terminals."""

from __future__ import annotations

import time

import keras


class EpochLine(keras.callbacks.Callback):
    """Print one compact line per epoch: losses, accuracies, learning rate, seconds.

    Example line: `epoch  3/30  loss 0.2114  acc 0.9372  val_loss 0.0852
    val_acc 0.9775  lr 3.00e-03  3.4 s`. Metrics missing from the logs are
    left out. Place it after callbacks that add to the logs (a learning-rate
    scheduler) so that their values are printed.

    Args:
        print_fn: the function that prints a line. Defaults to `print` with
            `flush=True`, so lines appear as they come in a pipe or log file.
    """

    NAMES = (("loss", "loss"), ("accuracy", "acc"), ("val_loss", "val_loss"))
    NAMES += (("val_accuracy", "val_acc"), ("learning_rate", "lr"))

    def __init__(self, print_fn=None):
        super().__init__()
        self.print_fn = print_fn or (lambda line: print(line, flush=True))
        self._started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        self.print_fn(
            format_epoch_line(
                epoch, (self.params or {}).get("epochs"), logs, time.perf_counter() - self._started
            )
        )


def format_epoch_line(epoch: int, epochs: int | None, logs: dict, seconds: float) -> str:
    """Format the line `EpochLine` prints for epoch index `epoch` (from 0)."""
    width = len(str(epochs or epoch + 1))
    parts = [f"epoch {epoch + 1:>{width}}/{epochs or '?'}"]
    for key, label in EpochLine.NAMES:
        if key in logs:
            value = float(logs[key])
            parts.append(
                f"{label} {value:.2e}" if key == "learning_rate" else f"{label} {value:.4f}"
            )
    parts.append(f"{seconds:.1f} s")
    return "  ".join(parts)
