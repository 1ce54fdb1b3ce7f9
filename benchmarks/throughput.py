"""Training throughput of one variant, in images per second, after a warm-up.

The first epoch of `fit` pays one-off costs: tracing the training step into a
graph (and, with XLA, compiling it), filling the `tf.data` cache, growing memory
pools. `measure_throughput` runs `warmup_epochs` epochs first and times only the
epochs after them, with `cnntut.callbacks.EpochTimer` (through `Deadline`, its
subclass that adds a time limit). A set-up that is far slower than the others
(float16 on a CPU can be ten times slower) is stopped after `max_seconds`, and
its rate is estimated from the steps it finished, leaving out the first step of
the epoch (tracing). Only speed is measured: a bigger batch with the same number
of epochs also takes fewer, larger steps, which changes how the model learns.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass

import keras
import numpy as np
import tensorflow as tf

from benchmarks.pipeline import make_dataset
from benchmarks.variants import Variant
from cnntut.callbacks import EpochTimer
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


class Deadline(EpochTimer):
    """Time each epoch and step, and stop training `seconds` after it began.

    The timing is `cnntut.callbacks.EpochTimer`'s: `times` holds the seconds of
    each finished epoch and `step_times`, per epoch, the seconds between
    consecutive step ends (with `steps_per_execution > 1`, one per call). This
    subclass only adds the budget: when a step ends past it, `stopped` is set
    and `fit` is asked to stop, and `estimate` turns the steps of the unfinished
    epoch into a rate. `batches` holds the step index of each step end of the
    current epoch. It is marked `async_safe`, so that Keras keeps running batch
    hooks on its helper thread, as it does without this callback: a callback
    that must run in step would make every step wait for its logs, and change
    what is measured.

    Args:
        seconds: wall-clock budget of the whole `fit`, positive; `math.inf`
            for no limit.

    Raises:
        ValueError: `seconds` is not positive.

    Example:
        ```python
        deadline = Deadline(seconds=150)
        model.fit(x, y, epochs=2, callbacks=[deadline], verbose=0)
        seconds_per_epoch = deadline.times  # fewer than 2 if it stopped early
        ```
    """

    async_safe = True

    def __init__(self, seconds: float) -> None:
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"seconds must be positive. Received: seconds={seconds}")
        self.seconds = seconds
        self.stopped = False
        self.batches: list[int] = []
        self._began = 0.0

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._began, self.stopped = time.perf_counter(), False

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        self.batches.append(batch)
        if time.perf_counter() - self._began > self.seconds:
            self.stopped = True
            self.model.stop_training = True

    def estimate(self, batch_size: int) -> tuple[int, float]:
        """Images and seconds of this epoch's steps after its first one (tracing).

        Raises:
            RuntimeError: fewer than three steps ran in this epoch.
        """
        steps = self.step_times[-1] if self.step_times else []
        if len(steps) < 3:
            raise RuntimeError(f"too slow to measure: {len(steps)} step(s) in {self.seconds:.0f} s")
        # Hooks may run slightly out of order on Keras's helper thread: count by step index.
        return (max(self.batches) - min(self.batches)) * batch_size, sum(steps[1:])


def build_cnn_with_policy(precision: str) -> keras.Model:
    """`build_cnn()` under the dtype policy `precision`, its softmax kept in float32.

    Keras's mixed-precision guide keeps the output layer in float32: a softmax in
    bfloat16 or float16 rounds its probabilities, and the loss with them. Under
    `"mixed_float16"` the model's own policy also makes `compile` wrap the optimizer
    in a `LossScaleOptimizer` (float16 gradients underflow without loss scaling), so
    the model is built while the policy is in force.

    Args:
        precision: a Keras dtype policy name, such as `"mixed_bfloat16"`.

    Returns:
        An uncompiled model; with `"float32"`, exactly `build_cnn()`.
    """
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        body = build_cnn()
        if precision == "float32":
            return body
        return keras.Sequential(
            [
                keras.Input(shape=body.input_shape[1:]),
                *body.layers[:-1],
                keras.layers.Dense(10, activation="softmax", dtype="float32"),
            ],
            name=body.name,
        )
    finally:
        keras.config.set_dtype_policy(previous_policy)


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
            `benchmarks.worker`).
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
    model = build_cnn_with_policy(variant.precision)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=True if variant.jit_compile else "auto",
        steps_per_execution=variant.steps_per_execution,
    )
    timer = Deadline(max_seconds or math.inf)
    callbacks = [timer]
    epochs = warmup_epochs + timed_epochs
    if variant.pipeline == "tf.data":
        data = make_dataset(x, y, variant.batch_size, seed=seed)
        # The dataset shuffles itself; shuffle=False only silences the reminder.
        history = model.fit(data, epochs=epochs, callbacks=callbacks, verbose=0, shuffle=False)
    else:
        history = model.fit(
            x, y, batch_size=variant.batch_size, epochs=epochs, callbacks=callbacks, verbose=0
        )
    durations = timer.times
    complete = len(durations) == epochs and not timer.stopped
    if complete:
        timed_seconds = sum(durations[warmup_epochs:])
        timed_images = timed_epochs * len(x)
    else:
        timed_images, timed_seconds = timer.estimate(variant.batch_size)
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
                "benchmarks.worker.run_isolated"
            )
    if not variant.onednn and os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0":
        raise RuntimeError(
            "onednn=False needs TF_ENABLE_ONEDNN_OPTS=0 before TensorFlow starts; "
            "run this variant with benchmarks.worker.run_isolated"
        )
