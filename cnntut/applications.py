"""The models written in chapter 6, segmentation and detection.

Generated from chapters/06_applications.ipynb, its cells tagged `export`, by
`python -m booktools.export`. Do not edit: change the chapter, then run
`make export` (tests/test_export.py fails while the two disagree).
"""

import keras
from keras import layers

from cnntut.checks import check_int, check_ints


def build_segmenter(
    size: int = 48, filters: tuple[int, int] = (16, 32), *, name: str = "segmenter"
) -> keras.Sequential:
    """Map `(size, size, 1)` canvases to one "digit" probability per pixel."""
    check_int("size", size, low=4, multiple=4)  # the two poolings must halve it exactly
    f1, f2 = check_ints("filters", filters, count=2)
    return keras.Sequential(
        [
            keras.Input(shape=(size, size, 1)),
            layers.Conv2D(f1, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(f2, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            # where the classifier flattens, the segmenter grows the map back
            layers.UpSampling2D(2),
            layers.Conv2D(f1, 3, padding="same", activation="relu"),
            layers.UpSampling2D(2),
            layers.Conv2D(1, 1, activation="sigmoid", name="mask"),
        ],
        name=name,
    )


def build_unet(
    size: int = 48, filters: tuple[int, int] = (16, 32), *, name: str = "unet"
) -> keras.Model:
    """The segmenter with a skip connection: a one-level U-Net, same shapes in and out."""
    check_int("size", size, low=2, multiple=2)  # one pooling must halve it exactly
    f1, f2 = check_ints("filters", filters, count=2)
    inputs = keras.Input(shape=(size, size, 1), name="canvas")
    full = layers.Conv2D(f1, 3, padding="same", activation="relu", name="encode_full")(inputs)
    half = layers.MaxPooling2D(2)(full)
    half = layers.Conv2D(f2, 3, padding="same", activation="relu", name="encode_half")(half)
    up = layers.UpSampling2D(2)(half)
    merged = layers.Concatenate(name="skip")([up, full])  # `full` is used a second time
    x = layers.Conv2D(f1, 3, padding="same", activation="relu", name="decode")(merged)
    outputs = layers.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, outputs, name=name)


def build_detector(
    size: int = 48,
    filters: tuple[int, int, int] = (16, 32, 64),
    dense: int = 64,
    *,
    num_classes: int = 10,
    name: str = "detector",
) -> keras.Model:
    """The classifier's blocks with two heads: a dict of `"digit"` classes and a `"box"`."""
    check_int("size", size, low=32)  # three convolution + pooling stages must leave a map
    filters = check_ints("filters", filters, count=3)
    check_int("dense", dense, low=1)
    check_int("num_classes", num_classes, low=2)
    inputs = keras.Input(shape=(size, size, 1), name="canvas")
    x = inputs
    for count in filters:
        x = layers.Conv2D(count, 3, activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    features = layers.Dense(dense, activation="relu")(x)
    outputs = {  # both heads read the same features
        "digit": layers.Dense(num_classes, activation="softmax", name="digit")(features),
        "box": layers.Dense(4, activation="sigmoid", name="box")(features),
    }
    return keras.Model(inputs, outputs, name=name)
