"""Chapter 6's best model: the source's CNN made wider and steadier, trained on moved digits."""

from __future__ import annotations

import keras
from keras import layers

from cnntut.augment import build_augmentation
from cnntut.models import INPUT_SHAPE


def build_best_model(*, width: int = 32) -> keras.Model:
    """Build chapter 6's best classifier for 28x28 digits.

    Two stages of [Conv2D -> BatchNorm -> ReLU] x 2 -> MaxPool -> Dropout, with
    `width` and `2 * width` filters -> Flatten -> Dense(128) -> BatchNorm ->
    ReLU -> Dropout(0.4) -> Dense(10, softmax). It takes
    `cnntut.data.preprocess()` output, float32 `(N, 28, 28, 1)` in [0, 1], and
    returns class probabilities. It holds only standard Keras layers, so a
    saved copy loads anywhere. Batch normalization uses momentum 0.9: with only
    ~30 steps per epoch, Keras's default 0.99 leaves the running averages (used
    at inference) far behind the weights for the first epochs.

    Args:
        width: filters of the first stage, >= 1. Defaults to `32`.

    Returns:
        An uncompiled functional `keras.Model` named `"mnist_cnn_best"`.

    Raises:
        ValueError: `width` is not a positive integer.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive integer. Received: width={width!r}")
    inputs = keras.Input(shape=INPUT_SHAPE, name="digits")
    x = inputs
    for stage, (filters, dropout) in enumerate(((width, 0.1), (2 * width, 0.2)), start=1):
        for conv in (1, 2):
            x = layers.Conv2D(
                filters, 3, padding="same", use_bias=False, name=f"conv{stage}_{conv}"
            )(x)
            x = layers.BatchNormalization(momentum=0.9, name=f"bn{stage}_{conv}")(x)
            x = layers.Activation("relu", name=f"relu{stage}_{conv}")(x)
        x = layers.MaxPooling2D(name=f"pool{stage}")(x)
        x = layers.Dropout(dropout, name=f"dropout{stage}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, use_bias=False, name="dense")(x)
    x = layers.BatchNormalization(momentum=0.9, name="bn_dense")(x)
    x = layers.Activation("relu", name="relu_dense")(x)
    x = layers.Dropout(0.4, name="dropout_dense")(x)
    outputs = layers.Dense(10, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn_best")


def build_best_augmenter(seed: int | None = None) -> keras.Sequential:
    """The training-time distortions of the best pipeline, as one block of layers.

    Small random turns (up to 0.05 of a circle, 18 degrees), shifts (10% of the
    side) and zooms (10%) from `cnntut.augment.build_augmentation`. They act
    only in training.

    Args:
        seed: seed of the random layers. Defaults to `None` (the global seed
            that `cnntut.set_seed` sets).

    Returns:
        A `keras.Sequential` named `"augmentation"`, shape in = shape out.
    """
    return build_augmentation(rotation=0.05, translation=0.1, zoom=0.1, seed=seed)


def build_trainer(classifier: keras.Model, augmenter: keras.Model) -> keras.Sequential:
    """Put the augmenter in front of the classifier, for training only.

    The trainer is what `fit` trains; its second layer *is* the classifier
    (the same weights), which is what gets saved: the distortions never leave
    the training run.

    Args:
        classifier: e.g. `build_best_model()`.
        augmenter: e.g. `build_best_augmenter()`.

    Returns:
        An uncompiled `keras.Sequential` named `"trainer"`.
    """
    return keras.Sequential([keras.Input(shape=INPUT_SHAPE), augmenter, classifier], name="trainer")
