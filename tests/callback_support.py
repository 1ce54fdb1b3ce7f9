"""Shared by the tests of `cnntut.callbacks`: a tiny model and data to fit it on."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers


def tiny_data(n: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` random 4-feature samples whose label is whether the first feature is > 0.5."""
    x = np.random.default_rng(seed).random((n, 4)).astype("float32")
    return x, (x[:, 0] > 0.5).astype("int64")


def tiny_classifier(learning_rate: float = 0.01) -> keras.Model:
    """A compiled one-layer softmax classifier of 4 features into 2 classes."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(2, activation="softmax")])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
