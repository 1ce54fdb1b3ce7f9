"""How long a Keras model takes to answer, by the three ways of calling it.

For one image they differ a lot in speed though they compute the same numbers:
`model.predict(x)` sets up a data adapter, callbacks and a progress bar on every call (a
fixed cost, large against one image); `model(x, training=False)` runs the layers eagerly, one
operation at a time; a `tf.function` around that call runs a traced graph in C++.
`measure_latency()` times all three in one process, to compare them (not machines).
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
        per_image: method name (`"predict"`, `"call"`, `"tf.function"`) ->
            median seconds per call divided by `batch_size`.
        per_call: method name -> median seconds per call.
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

    Each method is called `warmup` times (tracing graphs, filling caches: one-off costs), then
    timed `repeats` times; the median is kept, so one stall of a busy machine does not move
    it. Each timing includes bringing the answer back to Python as a NumPy array.

    Args:
        model: a built Keras model (compiled or not) on the TensorFlow backend.
        x: a batch of inputs, such as one image as `images[:1]`.

    Raises:
        TypeError: `repeats` or `warmup` is not an integer.
        ValueError: `repeats` or `warmup` is below 1, or `x` is not a non-empty batch with
            at least two dimensions.
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
