"""The blocks, the layer and the models written in chapter 7, Limits and best practices.

Generated from chapters/07_limits_and_practice.ipynb, its cells tagged `export`, by
`python -m booktools.export`. Do not edit: change the chapter, then run
`make export` (tests/test_export.py fails while the two disagree).
"""

import keras
from keras import layers, ops

from cnntut.checks import check_int, check_ints, check_number


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
