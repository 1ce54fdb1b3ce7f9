"""Building blocks that Keras does not ship: a residual block and a custom layer.

- `residual_block()` adds a block's input to its output (`x + f(x)`), the idea
  behind ResNet. The input is used twice, so the block cannot be written as a
  `keras.Sequential` list; it needs the Functional API.
- `GeMPooling2D` is generalized-mean pooling (Radenovic, Tolias and Chum,
  2018), a pooling layer with a learned exponent `p`: `p = 1` is average
  pooling and a large `p` approaches max pooling. It is common in image
  retrieval but is not among Keras's layers, which is how newer research
  usually reaches a Keras user: as a short subclass of `keras.layers.Layer`.
"""

from __future__ import annotations

import keras
from keras import layers, ops


def residual_block(x: keras.KerasTensor, filters: int, *, name: str | None = None):
    """Two 3x3 convolutions whose output is added back to the input.

    `output = relu(x' + conv(relu(conv(x))))`, where `x'` is `x` itself when it
    already has `filters` channels, and a 1x1 convolution of `x` otherwise (so
    that the two tensors can be added).

    Args:
        x: a 4-D symbolic tensor `(batch, height, width, channels)` from
            `keras.Input` or an earlier layer.
        filters: channels of the block's output, a positive integer.
        name: prefix of the block's layer names. Defaults to `None` (Keras
            picks names).

    Returns:
        The block's output tensor, same height and width as `x`.

    Raises:
        ValueError: `filters` is not a positive integer, or `x` is not 4-D.
    """
    if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
        raise ValueError(f"filters must be a positive integer. Received: filters={filters!r}")
    if len(x.shape) != 4:
        raise ValueError(
            f"residual_block needs a 4-D (batch, h, w, channels) tensor. Received: shape={x.shape}"
        )

    def named(part: str) -> str | None:
        return f"{name}_{part}" if name else None

    shortcut = x
    if x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, name=named("project"))(x)
    y = layers.Conv2D(filters, 3, padding="same", activation="relu", name=named("conv1"))(x)
    y = layers.Conv2D(filters, 3, padding="same", name=named("conv2"))(y)
    y = layers.Add(name=named("add"))([shortcut, y])
    return layers.Activation("relu", name=named("relu"))(y)


@keras.saving.register_keras_serializable(package="cnntut")
class GeMPooling2D(layers.Layer):
    """Generalized-mean pooling over the whole feature map, with a learned power.

    For each channel: `(mean(max(x, eps) ** p)) ** (1 / p)` over height and
    width. With `p = 1` this is `GlobalAveragePooling2D`; as `p` grows it
    approaches `GlobalMaxPooling2D`. `p` is a weight, learned with the rest of
    the model.

    Args:
        p: initial power, at least 1. Defaults to `3.0`, the paper's choice.
        trainable_p: learn `p` during training. Defaults to `True`.
        eps: floor applied to activations before the power, so that zeros and
            negatives do not give NaN. Defaults to `1e-6`.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Raises:
        ValueError: `p` is below 1 or `eps` is not positive.

    Example:

    ```python
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(16, 3, activation="relu")(inputs)
    x = GeMPooling2D()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    ```
    """

    def __init__(self, p: float = 3.0, trainable_p: bool = True, eps: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        if isinstance(p, bool) or not isinstance(p, (int, float)) or p < 1:
            raise ValueError(f"p must be a number >= 1. Received: p={p!r}")
        if not eps > 0:
            raise ValueError(f"eps must be positive. Received: eps={eps!r}")
        self.initial_p = float(p)
        self.trainable_p = trainable_p
        self.eps = float(eps)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                "GeMPooling2D expects (batch, height, width, channels) inputs. "
                f"Received: input_shape={input_shape}"
            )
        self.p = self.add_weight(
            name="p",
            shape=(),
            initializer=keras.initializers.Constant(self.initial_p),
            trainable=self.trainable_p,
        )

    def call(self, inputs):
        p = ops.maximum(self.p, 1.0)  # keep the power meaningful if training pushes it below 1
        pooled = ops.mean(ops.power(ops.maximum(inputs, self.eps), p), axis=(1, 2))
        return ops.power(pooled, 1.0 / p)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"p": self.initial_p, "trainable_p": self.trainable_p, "eps": self.eps})
        return config
