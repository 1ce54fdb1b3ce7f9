"""The callbacks written in chapter 5, Custom callbacks.

Generated from chapters/05_custom_callbacks.ipynb, its cells tagged `export`, by
`python -m booktools.export`. Do not edit: change the chapter, then run
`make export` (tests/test_export.py fails while the two disagree).
"""

import io
import time

import keras
import numpy as np
from IPython import get_ipython
from IPython.display import Image, display
from matplotlib.figure import Figure

from cnntut.checks import check_int, check_key, check_number, check_verbose, missing_monitor_error
from cnntut.evaluation import confusion_matrix


class HookLogger(keras.callbacks.Callback):
    """Write down every hook that Keras calls, with the keys of its logs."""

    def __init__(self, batches=True):
        super().__init__()
        self.batches = batches  # False: leave out the per-batch hooks
        self.calls, self.log_keys = [], []

    def record(self, hook, logs):
        if self.batches or "_batch_" not in hook:
            self.calls.append(hook)
            self.log_keys.append(tuple(sorted(logs or {})))

    def on_train_begin(self, logs=None):
        self.calls, self.log_keys = [], []  # a fresh record for every fit
        self.record("on_train_begin", logs)

    def on_train_end(self, logs=None): self.record("on_train_end", logs)
    def on_epoch_begin(self, epoch, logs=None): self.record("on_epoch_begin", logs)
    def on_epoch_end(self, epoch, logs=None): self.record("on_epoch_end", logs)
    def on_train_batch_begin(self, batch, logs=None): self.record("on_train_batch_begin", logs)
    def on_train_batch_end(self, batch, logs=None): self.record("on_train_batch_end", logs)
    def on_test_begin(self, logs=None): self.record("on_test_begin", logs)
    def on_test_end(self, logs=None): self.record("on_test_end", logs)
    def on_test_batch_begin(self, batch, logs=None): self.record("on_test_batch_begin", logs)
    def on_test_batch_end(self, batch, logs=None): self.record("on_test_batch_end", logs)
    def on_predict_begin(self, logs=None): self.record("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self.record("on_predict_end", logs)
    def on_predict_batch_begin(self, batch, logs=None): self.record("on_predict_batch_begin", logs)
    def on_predict_batch_end(self, batch, logs=None): self.record("on_predict_batch_end", logs)


class LRTracker(keras.callbacks.Callback):
    """Record the learning rate of every epoch, in `logs` and in `rates`."""

    def __init__(self, key="learning_rate", verbose=0):
        super().__init__()
        self.key = check_key("key", key)  # fails now, not after an hour of training
        self.verbose = check_verbose(verbose)
        self.rates = []

    def on_train_begin(self, logs=None):
        self.rates = []  # a fresh list for every fit

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        rate = float(self.model.optimizer.learning_rate)
        self.rates.append(rate)
        logs[self.key] = rate
        if self.verbose:
            print(f"Epoch {epoch + 1}: learning rate {rate:.6g}")


class EpochTimer(keras.callbacks.Callback):
    """Time every epoch (validation included) and every training step."""

    def __init__(self, key="epoch_time", verbose=0):
        super().__init__()
        self.key = check_key("key", key)
        self.verbose = check_verbose(verbose)
        self.times, self.step_times = [], []

    @property
    def total(self):
        return sum(self.times)

    def on_train_begin(self, logs=None):
        self.times, self.step_times = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = self.last_step = time.perf_counter()
        self.step_times.append([])

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        self.step_times[-1].append(now - self.last_step)
        self.last_step = now

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        self.times.append(time.perf_counter() - self.epoch_start)
        logs[self.key] = self.times[-1]
        if self.verbose:
            print(f"Epoch {epoch + 1}: {self.times[-1]:.2f} s")


class StopAtAccuracy(keras.callbacks.Callback):
    """Stop training after the first epoch whose `monitor` reaches `target`."""

    def __init__(self, target, monitor="val_accuracy", verbose=0):
        super().__init__()
        self.target = check_number("target", target, low=0, high=1, low_open=True)
        self.monitor = check_key("monitor", monitor)
        self.verbose = check_verbose(verbose)
        self.stopped_epoch = None

    def on_train_begin(self, logs=None):
        self.stopped_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        if self.monitor not in logs:
            raise missing_monitor_error("StopAtAccuracy", self.monitor, logs)
        if logs[self.monitor] >= self.target:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} reached {self.target:g}")


def draw_curves(figure, history, metrics):
    """Draw the training and validation curves of `metrics`, one panel each."""
    for ax, metric in zip(figure.axes, metrics, strict=True):
        ax.clear()
        for key, style in ((metric, "o-"), (f"val_{metric}", "s--")):
            if key in history:
                ax.plot(range(1, len(history[key]) + 1), history[key], style, label=key)
        ax.set(xlabel="epoch", ylabel=metric)
        ax.legend()


class LiveLearningCurves(keras.callbacks.Callback):
    """Redraw the learning curves after every epoch, in place, in Jupyter."""

    def __init__(self, metrics=("loss", "accuracy")):
        super().__init__()
        if isinstance(metrics, str) or not metrics:
            raise ValueError(f"metrics must be a non-empty list of names. Received: {metrics!r}")
        self.metrics = [check_key("metrics entry", name) for name in metrics]
        self.history, self.figure, self.handle = {}, None, None

    def on_train_begin(self, logs=None):
        self.history, self.handle = {}, None
        self.figure = Figure(figsize=(4.5 * len(self.metrics), 3.2), layout="constrained")
        self.figure.subplots(1, len(self.metrics), squeeze=False)

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        for key in self.metrics:
            if key not in logs:
                raise missing_monitor_error("LiveLearningCurves", key, logs)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        draw_curves(self.figure, self.history, self.metrics)
        if get_ipython() is not None:  # in Jupyter; a script or a test shows nothing
            png = io.BytesIO()
            self.figure.savefig(png, format="png", dpi=80)
            picture = Image(data=png.getvalue(), format="png")
            if self.handle is None:
                self.handle = display(picture, display_id=True)
            else:
                self.handle.update(picture)


class ConfusionMatrixLogger(keras.callbacks.Callback):
    """After every epoch, classify (x, y), keep the confusion matrix, log the errors."""

    def __init__(self, x, y, num_classes=10, key="val_errors"):
        super().__init__()
        if len(x) != len(y) or len(y) == 0:
            raise ValueError(f"x and y must hold the same, non-zero number of samples. "
                             f"Received: len(x)={len(x)}, len(y)={len(y)}")
        self.x, self.y = x, np.asarray(y)
        self.num_classes = check_int("num_classes", num_classes, low=2)
        self.key = check_key("key", key)
        self.matrices, self.predictions = [], None

    def on_train_begin(self, logs=None):
        self.matrices, self.predictions = [], None

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        scores = self.model.predict(self.x, batch_size=256, verbose=0)
        self.predictions = np.argmax(scores, axis=-1)
        matrix = confusion_matrix(self.y, self.predictions, self.num_classes)
        self.matrices.append(matrix)
        logs[self.key] = int(matrix.sum() - np.trace(matrix))
