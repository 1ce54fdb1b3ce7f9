"""The source article's CNN, written the Keras 3 way."""

from __future__ import annotations

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)


def build_cnn(
    input_shape: tuple[int, int, int] = INPUT_SHAPE,
    num_classes: int = 10,
    *,
    name: str = "mnist_cnn",
) -> keras.Sequential:
    """Build the source article's MNIST CNN (225,034 parameters for 28x28x1).

    Conv2D(32, 3x3, relu) -> MaxPooling(2x2) -> Conv2D(64, 3x3, relu) ->
    MaxPooling(2x2) -> Flatten -> Dense(128, relu) -> Dense(num_classes, softmax).
    The input is declared with `keras.Input`, which Keras 3 expects instead of
    the article's `input_shape=` argument on the first layer.

    Args:
        input_shape: `(height, width, channels)` of one image; both sides must
            be at least 10 so that the two conv/pool stages leave a map.
            Defaults to `(28, 28, 1)`.
        num_classes: size of the softmax output. Defaults to `10`.
        name: the model's name. Defaults to `"mnist_cnn"`.

    Returns:
        An uncompiled `keras.Sequential`.

    Raises:
        ValueError: `input_shape` is not three positive integers with sides of
            at least 10, or `num_classes` is below 2.
    """
    if (
        len(input_shape) != 3
        or not all(isinstance(d, int) and d > 0 for d in input_shape)
        or min(input_shape[:2]) < 10
    ):
        raise ValueError(
            "input_shape must be (height, width, channels) with height and width "
            f"of at least 10. Received: input_shape={input_shape}"
        )
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2. Received: {num_classes}")
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name=name,
    )


def compile_cnn(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """Compile as the source article does: Adam, sparse cross-entropy, accuracy.

    Args:
        model: the model to compile (in place).
        learning_rate: Adam's initial learning rate. Defaults to `1e-3`,
            the rate behind the article's `optimizer='adam'`.

    Returns:
        The same model, compiled.

    Raises:
        ValueError: `learning_rate` is not positive.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive. Received: {learning_rate}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
