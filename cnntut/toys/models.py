"""Segmentation and detection models made of the article's Conv2D/MaxPooling blocks."""

from __future__ import annotations

import keras
from keras import layers

from cnntut.checks import check_int, check_ints


def build_segmenter(
    size: int = 48, filters: tuple[int, int] = (16, 32), *, name: str = "segmenter"
) -> keras.Sequential:
    """A small fully convolutional network that outputs one probability per pixel.

    The encoder is the article's pair of Conv2D + MaxPooling blocks (with
    `padding="same"`, so each pooling halves the side exactly). Instead of
    Flatten and Dense, a decoder doubles the side twice with `UpSampling2D`,
    and a 1x1 convolution with a sigmoid turns each pixel's features into
    "digit or background".

    Args:
        size: side of the square input, a multiple of 4. Defaults to `48`.
        filters: filters of the two encoder convolutions. Defaults to `(16, 32)`.
        name: the model's name. Defaults to `"segmenter"`.

    Returns:
        An uncompiled `keras.Sequential` mapping `(size, size, 1)` to
        `(size, size, 1)`.

    Raises:
        ValueError: `size` is not a positive multiple of 4, or `filters` is not
            two positive integers.
    """
    check_int("size", size, low=1, multiple=4)
    filters = check_ints("filters", filters, count=2)
    f1, f2 = filters
    return keras.Sequential(
        [
            keras.Input(shape=(size, size, 1)),
            layers.Conv2D(f1, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(f2, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.UpSampling2D(2),
            layers.Conv2D(f1, 3, padding="same", activation="relu"),
            layers.UpSampling2D(2),
            layers.Conv2D(1, 1, activation="sigmoid", name="mask"),
        ],
        name=name,
    )


def build_detector(
    size: int = 48,
    filters: tuple[int, int, int] = (16, 32, 64),
    dense: int = 64,
    *,
    num_classes: int = 10,
    name: str = "detector",
) -> keras.Model:
    """A CNN with two heads: the digit's class and its bounding box.

    Three Conv2D + MaxPooling blocks and a Dense layer, as in the article's
    classifier; then the shared features feed two outputs. That fork is why
    this model uses the Functional API: a `Sequential` model has one output.

    Args:
        size: side of the square input, at least 32. Defaults to `48`.
        filters: filters of the three convolutions. Defaults to `(16, 32, 64)`.
        dense: units of the shared dense layer. Defaults to `64`.
        num_classes: number of classes. Defaults to `10`.
        name: the model's name. Defaults to `"detector"`.

    Returns:
        An uncompiled `keras.Model` whose outputs are a dict:
        `"digit"`, `(N, num_classes)` softmax; `"box"`, `(N, 4)` sigmoid, in
        the `Canvases.boxes` order.

    Raises:
        ValueError: `size` is below 32, `filters` is not three positive
            integers, or `dense` or `num_classes` is out of range.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 32:
        raise ValueError(f"size must be an integer >= 32. Received: size={size!r}")
    filters = check_ints("filters", filters, count=3)
    if isinstance(dense, bool) or not isinstance(dense, int) or dense < 1:
        raise ValueError(f"dense must be a positive integer. Received: dense={dense!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2. Received: {num_classes!r}")
    inputs = keras.Input(shape=(size, size, 1), name="canvas")
    x = inputs
    for count in filters:
        x = layers.Conv2D(count, 3, activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    features = layers.Dense(dense, activation="relu")(x)
    outputs = {
        "digit": layers.Dense(num_classes, activation="softmax", name="digit")(features),
        "box": layers.Dense(4, activation="sigmoid", name="box")(features),
    }
    return keras.Model(inputs, outputs, name=name)


def build_unet(
    size: int = 48, filters: tuple[int, int] = (16, 32), *, name: str = "unet"
) -> keras.Model:
    """The segmenter with a skip connection: a one-level U-Net.

    Like `build_segmenter`, with one encoder stage: Conv2D + MaxPooling, a
    second Conv2D at half resolution, then UpSampling2D back to full size.
    Before the last convolutions, the upsampled features are concatenated with
    the full-resolution features of the first Conv2D (the "skip"), so the
    decoder sees exact edges as well as context. The first Conv2D's output is
    used twice, which a `keras.Sequential` list cannot express: this model
    needs the Functional API.

    Args:
        size: side of the square input, a multiple of 2. Defaults to `48`.
        filters: filters of the full- and half-resolution convolutions.
            Defaults to `(16, 32)`.
        name: the model's name. Defaults to `"unet"`.

    Returns:
        An uncompiled `keras.Model` mapping `(size, size, 1)` to
        `(size, size, 1)` probabilities.

    Raises:
        ValueError: `size` is not a positive multiple of 2, or `filters` is not
            two positive integers.
    """
    check_int("size", size, low=1, multiple=2)
    filters = check_ints("filters", filters, count=2)
    f1, f2 = filters
    inputs = keras.Input(shape=(size, size, 1), name="canvas")
    full = layers.Conv2D(f1, 3, padding="same", activation="relu", name="encode_full")(inputs)
    half = layers.MaxPooling2D(2)(full)
    half = layers.Conv2D(f2, 3, padding="same", activation="relu", name="encode_half")(half)
    up = layers.UpSampling2D(2)(half)
    merged = layers.Concatenate(name="skip")([up, full])
    x = layers.Conv2D(f1, 3, padding="same", activation="relu", name="decode")(merged)
    outputs = layers.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, outputs, name=name)
