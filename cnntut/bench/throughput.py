"""Training throughput of one variant, in images per second, after a warm-up.

The first epoch of `fit` pays one-off costs: tracing the training step into a
graph (and, with XLA, compiling it), filling the `tf.data` cache, growing memory
pools. `measure_throughput` runs `warmup_epochs` epochs first and times only the
epochs after them, with a callback that reads the clock at each epoch's start
and end. A set-up that is far slower than the others (float16 on a CPU can be
ten times slower) is stopped after `max_seconds`, and its rate is estimated from
the steps it finished, leaving out the first step of the epoch (tracing). Only
speed is measured: a bigger batch with the same number of epochs also takes
fewer, larger steps, which changes how the model learns.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass

import keras
import numpy as np
import tensorflow as tf

from cnntut.bench.pipeline import make_dataset
from cnntut.bench.variants import Variant
from cnntut.models import build_cnn


@dataclass(frozen=True)
class Throughput:
    """What one timed training run measured.

    Attributes:
        images_per_second: images in the timed epochs / their seconds.
        timed_images: images seen in the timed epochs.
        timed_seconds: wall time of the timed epochs.
        first_epoch_seconds: wall time of the first (warm-up) epoch, tracing
            included, or `None` if training was stopped before it ended.
        final_loss: training loss of the last epoch, or `None` if it is not finite
            (a sign that the set-up trains badly, e.g. float16 overflow).
        final_accuracy: training accuracy of the last epoch, or `None` if no
            epoch finished.
        complete: `True` if every epoch ran; `False` if training hit
            `max_seconds` and the rate is estimated from the steps it finished.
    """

    images_per_second: float
    timed_images: int
    timed_seconds: float
    first_epoch_seconds: float | None
    final_loss: float | None
    final_accuracy: float | None
    complete: bool = True

    def to_dict(self) -> dict:
        """The fields, for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Throughput:
        """Rebuild from `to_dict()` output."""
        return cls(**data)


class EpochClock(keras.callbacks.Callback):
    """Record the wall-clock start and end of every epoch (`time.perf_counter`).

    State is reset in `on_train_begin`, so one instance can serve several `fit` calls.

    Example:
        ```python
        clock = EpochClock()
        model.fit(x, y, epochs=2, callbacks=[clock], verbose=0)
        second_epoch_seconds = clock.durations[1]
        ```
    """

    def __init__(self) -> None:
        super().__init__()
        self.starts: list[float] = []
        self.ends: list[float] = []

    def on_train_begin(self, logs=None):
        self.starts, self.ends = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.starts.append(time.perf_counter())

    def on_epoch_end(self, epoch, logs=None):
        self.ends.append(time.perf_counter())

    @property
    def durations(self) -> list[float]:
        """Seconds of each finished epoch."""
        return [end - start for start, end in zip(self.starts, self.ends, strict=False)]


class Deadline(keras.callbacks.Callback):
    """Stop training `seconds` after it began; log when each step of the epoch ended.

    `steps` holds `(step, perf_counter time)` for every `on_train_batch_end` of
    the current epoch (with `steps_per_execution > 1`, one per call). It is
    marked `async_safe`, so that Keras keeps running batch hooks on its helper
    thread, as it does without this callback: a callback that must run in step
    would make every step wait for its logs, and change what is measured.

    Args:
        seconds: wall-clock budget of the whole `fit`, positive.

    Raises:
        ValueError: `seconds` is not positive.
    """

    async_safe = True

    def __init__(self, seconds: float) -> None:
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"seconds must be positive. Received: seconds={seconds}")
        self.seconds = seconds
        self.started = 0.0
        self.steps: list[tuple[int, float]] = []
        self.stopped = False

    def on_train_begin(self, logs=None):
        self.started, self.stopped = time.perf_counter(), False

    def on_epoch_begin(self, epoch, logs=None):
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        self.steps.append((batch, now))
        if now - self.started > self.seconds:
            self.stopped = True
            self.model.stop_training = True

    def estimate(self, batch_size: int) -> tuple[int, float]:
        """Images and seconds of this epoch's steps after its first one.

        Raises:
            RuntimeError: fewer than three steps ran in this epoch.
        """
        if len(self.steps) < 3:
            raise RuntimeError(
                f"too slow to measure: {len(self.steps)} step(s) in {self.seconds:.0f} s"
            )
        # Hooks may run slightly out of order on Keras's helper thread: sort by step.
        steps = sorted(self.steps)
        (first_step, first_time), (last_step, last_time) = steps[1], steps[-1]
        return (last_step - first_step) * batch_size, last_time - first_time


def measure_throughput(
    variant: Variant,
    x: np.ndarray,
    y: np.ndarray,
    *,
    warmup_epochs: int = 1,
    timed_epochs: int = 1,
    seed: int = 0,
    max_seconds: float | None = None,
) -> Throughput:
    """Train a fresh `build_cnn()` the way `variant` says, and time the steady epochs.

    The model is compiled as the article compiles it (Adam with learning rate
    1e-3, sparse categorical cross-entropy, accuracy) plus the variant's
    switches. All variants train with `verbose=0`: no progress bar is timed.

    Args:
        variant: the set-up to measure. Thread and oneDNN settings must already
            be in force (they are fixed when TensorFlow starts; see
            `cnntut.bench.worker`).
        x: preprocessed float32 images, shape `(N, 28, 28, 1)`.
        y: integer labels, shape `(N,)`.
        warmup_epochs: untimed epochs first, at least 1. Defaults to `1`.
        timed_epochs: epochs timed after them, at least 1. Defaults to `1`.
        seed: seed of the weights and the shuffle. Defaults to `0`.
        max_seconds: stop training after this many seconds and estimate the
            rate from the steps done (see `Deadline`). Defaults to `None`: no limit.

    Returns:
        A `Throughput`.

    Raises:
        ValueError: an epoch count is below 1, or `x` and `y` differ in length.
        RuntimeError: the variant's thread or oneDNN settings are not in force
            in this process.
    """
    for name, value in (("warmup_epochs", warmup_epochs), ("timed_epochs", timed_epochs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1. Received: {name}={value!r}")
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length. Received: {len(x)} and {len(y)}")
    check_process_settings(variant)
    keras.utils.set_random_seed(seed)
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy(variant.precision)
    try:
        model = build_cnn()
    finally:
        keras.config.set_dtype_policy(previous_policy)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=True if variant.jit_compile else "auto",
        steps_per_execution=variant.steps_per_execution,
    )
    clock = EpochClock()
    callbacks = [clock]
    deadline = Deadline(max_seconds) if max_seconds else None
    if deadline:
        callbacks.append(deadline)
    epochs = warmup_epochs + timed_epochs
    if variant.pipeline == "tf.data":
        data = make_dataset(x, y, variant.batch_size, seed=seed)
        # The dataset shuffles itself; shuffle=False only silences the reminder.
        history = model.fit(data, epochs=epochs, callbacks=callbacks, verbose=0, shuffle=False)
    else:
        history = model.fit(
            x, y, batch_size=variant.batch_size, epochs=epochs, callbacks=callbacks, verbose=0
        )
    durations = clock.durations
    complete = len(durations) == epochs and not (deadline and deadline.stopped)
    if complete:
        timed_seconds = sum(durations[warmup_epochs:])
        timed_images = timed_epochs * len(x)
    else:
        timed_images, timed_seconds = deadline.estimate(variant.batch_size)
    losses = history.history.get("loss", [])
    loss = float(losses[-1]) if losses else math.nan
    accuracies = history.history.get("accuracy", [])
    return Throughput(
        images_per_second=timed_images / timed_seconds,
        timed_images=timed_images,
        timed_seconds=timed_seconds,
        first_epoch_seconds=durations[0] if durations else None,
        final_loss=loss if math.isfinite(loss) else None,
        final_accuracy=float(accuracies[-1]) if accuracies else None,
        complete=complete,
    )


def check_process_settings(variant: Variant) -> None:
    """Raise unless the variant's start-up settings hold in this process.

    Raises:
        RuntimeError: the thread pools or the oneDNN switch differ from the
            variant's; the message says what to do.
    """
    wanted = {
        "inter_op_threads": (
            variant.inter_op_threads,
            tf.config.threading.get_inter_op_parallelism_threads(),
        ),
        "intra_op_threads": (
            variant.intra_op_threads,
            tf.config.threading.get_intra_op_parallelism_threads(),
        ),
    }
    for name, (want, have) in wanted.items():
        if want and want != have:
            raise RuntimeError(
                f"{name}={want} is not in force (TensorFlow uses {have}); thread pools "
                "are fixed when TensorFlow starts, so run this variant with "
                "cnntut.bench.worker.run_isolated"
            )
    if not variant.onednn and os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0":
        raise RuntimeError(
            "onednn=False needs TF_ENABLE_ONEDNN_OPTS=0 before TensorFlow starts; "
            "run this variant with cnntut.bench.worker.run_isolated"
        )
