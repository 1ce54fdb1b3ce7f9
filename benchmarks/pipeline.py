"""The book's recommended input pipeline: `tf.data` with cache, shuffle, batch, prefetch."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def make_dataset(
    x: np.ndarray, y: np.ndarray, batch_size: int, *, seed: int = 0
) -> tf.data.Dataset:
    """Wrap training arrays in a shuffled, batched, prefetching `tf.data.Dataset`.

    The steps, in the order that makes each one cheap:

    1. `cache()` keeps the prepared examples after the first pass, so later
       epochs skip whatever came before it (here: slicing the arrays);
    2. `shuffle(len(x))` reshuffles every epoch over the whole set, as
       `fit(x, y)` does;
    3. `batch(batch_size)` groups examples into one tensor per step;
    4. `prefetch(AUTOTUNE)` prepares the next batch on another thread while
       the model trains on this one.

    Args:
        x: inputs, shape `(N, ...)`, e.g. `preprocess(x_train)`.
        y: labels, shape `(N,)`.
        batch_size: examples per batch, at least 1.
        seed: the shuffle's seed. Defaults to `0`.

    Returns:
        A dataset of `(x_batch, y_batch)` pairs, ready for `model.fit`.

    Raises:
        ValueError: `x` and `y` differ in length or are empty, or
            `batch_size` is below 1.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1. Received: batch_size={batch_size!r}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(
            f"x and y must be non-empty and of equal length. Received: len(x)={len(x)}, "
            f"len(y)={len(y)}"
        )
    return (
        tf.data.Dataset.from_tensor_slices((x, y))
        .cache()
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
