"""The model's arithmetic: multiply-adds per layer, and FLOPs per training image.

The count is analytic, from the layer shapes, so it can be checked by hand:

- a convolution does `out_h * out_w * k_h * k_w * c_in * c_out` multiply-adds
  (MACs) per image: one small dot product per output position and filter;
- a dense layer does `inputs * outputs` MACs per image;
- pooling, flattening, activations, biases and the softmax do no multiply-adds
  worth counting (under 1% of the total for the book's CNN) and count as zero.

One MAC is two floating-point operations (FLOPs). Training one image costs about
three forward passes: the forward pass itself, plus a backward pass that computes
two products of the same size per layer (the gradient with respect to the layer's
input and the one with respect to its weights). The optimizer's update (a few
FLOPs per parameter per *batch*) is left out; at batch 32 it adds under 1%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
from keras import layers

FLOPS_PER_MAC = 2
TRAINING_PASSES = 3  # forward + backward (input gradient) + backward (weight gradient)

_CONV_TYPES = (layers.Conv1D, layers.Conv2D, layers.Conv3D)
# Layers that hold weights but whose arithmetic is not counted here.
_COUNTED_TYPES = (layers.Dense, *_CONV_TYPES)


@dataclass(frozen=True)
class LayerCount:
    """Multiply-adds of one layer for one image.

    Attributes:
        kind: the layer's class name, e.g. `"Conv2D"`.
        output_shape: the layer's output shape for one image (no batch axis).
        formula: the product that gives `macs`, written out, e.g.
            `"26*26 positions * 3*3*1*32 kernel = 194,688"`.
    """

    name: str
    kind: str
    output_shape: tuple[int, ...]
    macs: int
    formula: str


@dataclass(frozen=True)
class FlopCount:
    """The whole model's count, layer by layer, and the training total.

    Attributes:
        forward_macs: multiply-adds of one forward pass of one image.
        forward_flops: `FLOPS_PER_MAC * forward_macs`.
        training_flops: `TRAINING_PASSES * forward_flops`, per image.
    """

    layers: tuple[LayerCount, ...]
    forward_macs: int
    forward_flops: int
    training_flops: int

    def arithmetic(self) -> str:
        """The count written out line by line, ending with the training total."""
        width = max(len(row.name) for row in self.layers)
        lines = [f"{row.name:<{width}}  {row.formula}" for row in self.layers if row.macs]
        lines.append(f"{'forward MACs':<{width}}  {self.forward_macs:,}")
        lines.append(
            f"{'forward FLOPs':<{width}}  {FLOPS_PER_MAC} * {self.forward_macs:,} "
            f"= {self.forward_flops:,}"
        )
        lines.append(
            f"{'training FLOPs':<{width}}  {TRAINING_PASSES} * {self.forward_flops:,} "
            f"= {self.training_flops:,} per image"
        )
        return "\n".join(lines)


def count_flops(model: keras.Model) -> FlopCount:
    """Count the multiply-adds of each layer of a built model, and the training FLOPs.

    The model's layers with weights must be `Dense` or `Conv1D`/`Conv2D`/`Conv3D` (nested
    models are walked through), as in `cnntut.models.build_cnn()`.

    Raises:
        ValueError: the model is not built (its layers have no output shape), or it has a
            layer with weights of a type this count does not know.
    """
    rows = tuple(_count_layer(layer) for layer in _flat_layers(model))
    forward_macs = sum(row.macs for row in rows)
    forward_flops = FLOPS_PER_MAC * forward_macs
    return FlopCount(
        layers=rows,
        forward_macs=forward_macs,
        forward_flops=forward_flops,
        training_flops=TRAINING_PASSES * forward_flops,
    )


def training_flops_per_image(model: keras.Model) -> int:
    """FLOPs to train on one image: `3 * 2 * forward multiply-adds`.

    For `build_cnn()` this is 3 * 2 * 2,631,040 = 15,786,240 (see `count_flops` for the
    per-layer sum, and for the models and errors).
    """
    return count_flops(model).training_flops


def _flat_layers(model: keras.Model) -> list[keras.Layer]:
    flat = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            flat.extend(_flat_layers(layer))
        else:
            flat.append(layer)
    return flat


def _count_layer(layer: keras.Layer) -> LayerCount:
    try:
        output_shape = tuple(layer.output.shape[1:])
    except (AttributeError, ValueError) as exc:
        raise ValueError(
            "count_flops needs a built model with known output shapes; build it "
            f"with keras.Input. Received: layer {layer.name!r} without an output"
        ) from exc
    kind = type(layer).__name__
    if not isinstance(layer, _COUNTED_TYPES):
        if layer.trainable_weights:
            raise ValueError(
                "count_flops counts Dense and Conv layers only. Received: layer "
                f"{layer.name!r} of type {kind} with weights"
            )
        return LayerCount(layer.name, kind, output_shape, 0, "0")
    kernel = tuple(int(d) for d in layer.kernel.shape)
    # A conv does one kernel-sized dot product per output position and filter; a
    # Dense on a (steps, features) input repeats per step, on a flat input once.
    positions = output_shape[:-1]
    where = f"{_product(positions)} positions" if positions else ""
    macs = math.prod(positions) * math.prod(kernel)
    factors = f"{where} * {_product(kernel)} kernel" if where else _product(kernel)
    return LayerCount(layer.name, kind, output_shape, macs, f"{factors} = {macs:,}")


def _product(dims: tuple[int, ...]) -> str:
    return "*".join(str(d) for d in dims)
