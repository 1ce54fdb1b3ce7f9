"""A callback that redraws the learning curves while a model trains."""

from __future__ import annotations

import io
from collections.abc import Sequence

import keras
from matplotlib.figure import Figure

from cnntut.checks import check_key, missing_monitor_error


def in_notebook() -> bool:
    """Return whether the code runs in a Jupyter kernel (where outputs can be redrawn)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class LiveLearningCurves(keras.callbacks.Callback):
    """Draw loss and metric curves after every epoch, updating one picture in place.

    In Jupyter the callback shows the figure under the running cell after the
    first epoch and replaces that same output (through an IPython display
    handle) after every later one, so the cell ends with one picture of the
    whole training; a notebook executed to a file, and so this book, keeps
    that final picture. Elsewhere (a script, a test, a headless
    `MPLBACKEND=Agg` run) nothing is shown. Either way the figure is
    `figure` and the values drawn are in `history`, both made afresh at
    every `fit`. The figure is not registered with `pyplot`, so Jupyter does
    not show it a second time at the end of the cell.

    Args:
        metrics: the quantities to draw, one panel each; `val_<name>` is drawn
            in the same panel when the logs have it. Defaults to
            `("loss", "accuracy")`.
        live: show and update the figure during training. Defaults to `None`,
            meaning yes in a Jupyter kernel and no elsewhere.
        dpi: the resolution of the picture shown in Jupyter. Defaults to `80`.

    Raises:
        ValueError: `metrics` is empty or holds something other than non-empty
            strings, or `dpi` is not positive; during training, a metric is
            not in the epoch logs (the message lists the keys they hold).

    Example:

    ```python
    curves = LiveLearningCurves(metrics=("loss", "accuracy"))
    model.fit(x, y, epochs=10, validation_split=0.2, verbose=0, callbacks=[curves])
    curves.figure.savefig("curves.png")
    ```
    """

    def __init__(
        self,
        metrics: Sequence[str] = ("loss", "accuracy"),
        live: bool | None = None,
        dpi: int = 80,
    ):
        super().__init__()
        if isinstance(metrics, str) or not metrics:
            raise ValueError(
                f"metrics must be a non-empty sequence of names. Received: metrics={metrics!r}"
            )
        self.metrics = tuple(check_key("metrics entry", name) for name in metrics)
        self.live = None if live is None else bool(live)
        if not isinstance(dpi, int) or isinstance(dpi, bool) or dpi <= 0:
            raise ValueError(f"dpi must be a positive integer. Received: dpi={dpi!r}")
        self.dpi = dpi
        self.history: dict[str, list[float]] = {}
        self.figure: Figure | None = None
        self._epochs: dict[str, list[int]] = {}
        self._handle = None
        self._showing = False

    def on_train_begin(self, logs=None):
        self.history, self._epochs = {}, {}
        self.figure = Figure(figsize=(4.5 * len(self.metrics), 3.2), layout="constrained")
        self.figure.subplots(1, len(self.metrics), squeeze=False)
        self._handle = None
        self._showing = in_notebook() if self.live is None else self.live

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for metric in self.metrics:
            if metric not in logs:
                raise missing_monitor_error(type(self).__name__, metric, logs)
        for key, value in logs.items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue  # something that is not a number: nothing to draw
            self.history.setdefault(key, []).append(value)
            self._epochs.setdefault(key, []).append(epoch + 1)
        self._draw()
        if self._showing:
            self._show()

    def on_train_end(self, logs=None):
        logs = logs or {}
        if self._showing and self._handle is None and self.history:
            self._show()

    def _draw(self) -> None:
        for ax, metric in zip(self.figure.axes, self.metrics, strict=True):
            ax.clear()
            for key, style, label in (
                (metric, "o-", "training"),
                (f"val_{metric}", "s--", "validation"),
            ):
                if key in self.history:
                    ax.plot(self._epochs[key], self.history[key], style, label=label)
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            ax.grid(alpha=0.3)
            ax.legend()
            epochs = self._epochs.get(metric, [])
            if epochs and len(epochs) <= 20:
                ax.set_xticks(epochs)

    def _show(self) -> None:
        from IPython.display import Image, display

        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        picture = Image(data=buffer.getvalue(), format="png")
        if self._handle is None:
            self._handle = display(picture, display_id=True)
        else:
            self._handle.update(picture)
