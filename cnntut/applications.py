"""The models and layers written in chapter 5, Applications and limits.

Generated from chapters/05_applications.ipynb, its cells tagged `export`, by
`python -m booktools.export`. Do not edit: change the chapter, then run
`make export` (tests/test_export.py fails while the two disagree).
"""

import keras
from keras import layers, ops

from cnntut.checks import check_int, check_ints, check_number


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


def residual_block(x: keras.KerasTensor, filters: int, *, name: str | None = None):
    """Two 3x3 convolutions added back to `x`: `relu(x + f(x))`, same height and width."""
    check_int("filters", filters, low=1)

    def named(part: str) -> str | None:
        return f"{name}_{part}" if name else None  # None: Keras picks the name

    shortcut = x
    if x.shape[-1] != filters:  # a 1x1 convolution gives x the channels to add
        shortcut = layers.Conv2D(filters, 1, name=named("project"))(x)
    y = layers.Conv2D(filters, 3, padding="same", activation="relu", name=named("conv1"))(x)
    y = layers.Conv2D(filters, 3, padding="same", name=named("conv2"))(y)
    y = layers.Add(name=named("add"))([shortcut, y])
    return layers.Activation("relu", name=named("relu"))(y)


@keras.saving.register_keras_serializable(package="cnntut")  # so load_model finds it
class GeMPooling2D(layers.Layer):
    """Generalized-mean pooling, `(N, h, w, c)` to `(N, c)`, with a learned power `p`."""

    def __init__(self, p=3.0, trainable_p=True, eps=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.initial_p = check_number("p", p, low=1)  # 3 is the paper's choice
        self.eps = check_number("eps", eps, low=0, low_open=True)
        self.trainable_p = trainable_p
        self.input_spec = layers.InputSpec(ndim=4)  # Keras then refuses other inputs

    def build(self, input_shape):
        start = keras.initializers.Constant(self.initial_p)
        self.p = self.add_weight(name="p", shape=(), initializer=start, trainable=self.trainable_p)

    def call(self, inputs):
        p = ops.maximum(self.p, 1.0)  # keep the power meaningful if training pushes it below 1
        powered = ops.power(ops.maximum(inputs, self.eps), p)  # eps: no 0 ** p, no negatives
        return ops.power(ops.mean(powered, axis=(1, 2)), 1.0 / p)

    def get_config(self):  # the arguments that rebuild this layer from a saved model
        config = super().get_config()
        config.update(p=self.initial_p, trainable_p=self.trainable_p, eps=self.eps)
        return config


def build_augmentation(
    rotation: float = 0.04,
    translation: float = 0.1,
    zoom: float = 0.1,
    *,
    seed: int | None = None,
    name: str = "augmentation",
) -> keras.Sequential:
    """Random small turns, shifts and zooms of `(N, h, w, c)` images; a factor 0 is left out."""
    for key, factor in {"rotation": rotation, "translation": translation, "zoom": zoom}.items():
        check_number(key, factor, low=0, high=0.5, high_open=True)  # light: under a half
    fill = "constant"  # what moves in at the edges is background (0), not a mirrored digit
    block = []
    if rotation:  # a fraction of a full turn: 0.04 is about 14 degrees either way
        block.append(layers.RandomRotation(rotation, fill_mode=fill, seed=seed))
    if translation:  # a fraction of the side: 0.1 is about 3 of 28 pixels
        block.append(layers.RandomTranslation(translation, translation, fill_mode=fill, seed=seed))
    if zoom:
        block.append(layers.RandomZoom(zoom, fill_mode=fill, seed=seed))
    if not block:
        raise ValueError(
            "at least one of rotation, translation and zoom must be above 0. "
            f"Received: rotation={rotation}, translation={translation}, zoom={zoom}"
        )
    return keras.Sequential(block, name=name)


def build_sized_cnn(
    filters: tuple[int, int] = (32, 64), dense: int = 128, *, name: str | None = None
) -> keras.Sequential:
    """The article's CNN for 28x28 digits with chosen widths, uncompiled."""
    f1, f2 = check_ints("filters", filters, count=2)
    check_int("dense", dense, low=1)
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(f1, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(f2, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(dense, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name=name or f"cnn_{f1}_{f2}_{dense}",
    )
