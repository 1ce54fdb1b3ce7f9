"""How long a Keras model takes to answer, by the three ways of calling it.

A Keras model can be run on new images in three ways, and for one image at a
time they differ a lot in speed even though they compute the same numbers:

- `model.predict(x)`: the batch-oriented path. Every call sets up a data
  adapter, an iterator, callbacks and a progress bar before it runs the
  compiled predict step; that fixed cost is small against a batch of
  thousands and large against a single image.
- `model(x, training=False)`: a direct call. Eager TensorFlow runs the layers
  one operation at a time from Python.
- a `tf.function` around the direct call: traced once into a TensorFlow graph,
  then each call runs the whole graph in C++.

`measure_latency()` times all three on the same input, in the same process,
so that the numbers can be compared with each other (not across machines).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from cnntut.checks import check_int

METHODS = ("predict", "call", "tf.function")


@dataclass(frozen=True)
class Latency:
    """Per-image inference times, in seconds, for one batch size.

    Attributes:
        batch_size: images per call.
        per_image: method name (`"predict"`, `"call"`, `"tf.function"`) ->
            median seconds per call divided by `batch_size`.
        per_call: method name -> median seconds per call.
        repeats: timed calls per method.
    """

    batch_size: int
    per_image: dict[str, float]
    per_call: dict[str, float]
    repeats: int

    def fastest(self) -> str:
        """The method with the lowest time per image."""
        return min(self.per_image, key=self.per_image.get)

    def speedup(self, slow: str, fast: str) -> float:
        """How many times faster `fast` is than `slow` (ratio of per-image times).

        Raises:
            KeyError: a method name is not one of those measured.
        """
        for method in (slow, fast):
            if method not in self.per_image:
                raise KeyError(f"unknown method {method!r}; measured {sorted(self.per_image)}")
        return self.per_image[slow] / self.per_image[fast]


def measure_latency(
    model: keras.Model, x: np.ndarray, *, repeats: int = 30, warmup: int = 3
) -> Latency:
    """Time `model.predict`, a direct `model(x)` call and a `tf.function` on `x`.

    Each method is first called `warmup` times (which traces graphs and fills
    caches, costs a reader pays once), then `repeats` times under a clock. The
    median of the timed calls is reported, so one stall of a busy machine does
    not move the result. Every method returns a NumPy array, so each timing
    includes bringing the answer back to Python.

    Args:
        model: a built Keras model (compiled or not) on the TensorFlow backend.
        x: a batch of inputs, shape `(batch, ...)`, such as one image as
            `images[:1]`.
        repeats: timed calls per method, at least 1. Defaults to `30`.
        warmup: untimed calls per method first, at least 1 (the first
            `tf.function` call traces the graph). Defaults to `3`.

    Returns:
        A `Latency` with per-image and per-call medians for each method.

    Raises:
        TypeError: `repeats` or `warmup` is not an integer.
        ValueError: `repeats` or `warmup` is below 1, or `x` is not a
            non-empty batch with at least two dimensions.
    """
    check_int("repeats", repeats, low=1)
    check_int("warmup", warmup, low=1)
    x = np.asarray(x)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(
            f"x must be a non-empty batch, e.g. images[:1] for one image. Received: shape={x.shape}"
        )
    x_tensor = tf.constant(x)
    compiled = tf.function(lambda batch: model(batch, training=False))
    runners: dict[str, Callable[[], np.ndarray]] = {
        "predict": lambda: model.predict(x, verbose=0),
        "call": lambda: keras.ops.convert_to_numpy(model(x_tensor, training=False)),
        "tf.function": lambda: compiled(x_tensor).numpy(),
    }
    per_call = {}
    for method, run in runners.items():
        for _ in range(warmup):
            run()
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        per_call[method] = float(np.median(times))
    batch_size = len(x)
    return Latency(
        batch_size=batch_size,
        per_image={m: t / batch_size for m, t in per_call.items()},
        per_call=per_call,
        repeats=repeats,
    )
