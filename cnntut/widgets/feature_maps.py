"""The feature-map explorer: what one layer of a CNN makes of one digit.

Each function takes a built model with a defined input (e.g. `cnntut.models.build_cnn()`), and
preprocessed float images, each `(28, 28)` or `(28, 28, 1)`.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import keras
import numpy as np
from matplotlib.figure import Figure

from cnntut.plotting import plot_feature_maps
from cnntut.widgets._base import Explorer, figure_png


def map_layer_names(model: keras.Model) -> list[str]:
    """The names of a model's layers whose output is an image-like map `(h, w, channels)`.

    In order: for a CNN, its conv and pooling layers.

    Raises:
        ValueError: the model has no defined input, so its layers have no output yet.
    """
    _check_has_inputs(model)
    return [layer.name for layer in model.layers if len(layer.output.shape) == 4]


def layer_activations(model: keras.Model, image: np.ndarray, layer_names: Sequence[str]) -> dict:
    """Run one image through a model and keep the output of some of its layers.

    Returns:
        `{layer_name: output without the batch axis}`: `(h, w, channels)` for a map layer.

    Raises:
        ValueError: the model has no defined input, a name is not one of its layers (the
            message lists them), or the image is uint8 or of the wrong shape.
    """
    return _run_probe(_probe(model, layer_names), model, image, layer_names)


def feature_map_figure(model: keras.Model, image: np.ndarray, layer_name: str) -> Figure:
    """Draw one layer's activations for one image, one small picture per channel.

    `layer_name` is a layer whose output is `(h, w, channels)`, e.g. `"conv2d"` (see
    `map_layer_names(model)`); it titles the figure, with the output's shape.

    Raises:
        ValueError: the layer does not exist or its output is not a map, or the image is
            uint8 or of the wrong shape.
    """
    maps = layer_activations(model, image, [layer_name])[layer_name]
    if maps.ndim != 3:
        raise ValueError(
            f"layer {layer_name!r} gives a vector, not a map; pick one of "
            f"{map_layer_names(model)}. Received: layer_name={layer_name!r}"
        )
    return _maps_figure(maps, layer_name)


class FeatureMapExplorer(Explorer):
    """Pick a digit and a layer; see that layer's activations as a grid.

    The activations of every map layer are computed in one pass per digit, and kept.

    Attributes:
        controls: `"digit"` (an `IntSlider` of image indices) and `"layer"` (a `Dropdown`).
        preview: a small `ipywidgets.Image` of the digit picked.
        caption: a `Label` naming the digit (and its true label, when given).
    """

    def __init__(
        self,
        model: keras.Model,
        images: np.ndarray,
        labels: Sequence[int] | np.ndarray | None = None,
        layer_names: Sequence[str] | None = None,
    ) -> None:
        maps = map_layer_names(model)
        names = list(layer_names) if layer_names is not None else maps
        if not names:
            raise ValueError(f"the model has no layer with a map output. Received: {model.name}")
        if not set(names) <= set(maps):
            raise ValueError(
                f"layer_names must name layers with a map output, among {maps}. "
                f"Received: layer_names={names}"
            )
        self._images = np.asarray(images)
        if len(self._images) == 0:
            raise ValueError(f"images must hold at least one image. Received: {images!r}")
        if labels is not None and len(labels) != len(self._images):
            raise ValueError(f"got {len(self._images)} images but {len(labels)} labels")
        self._labels = labels
        self._model = model
        _as_batch(model, self._images[0])  # fail now, not at the first redraw
        self._probe = _probe(model, names)
        self._names = names
        self._cache: dict[int, dict[str, np.ndarray]] = {}
        self.preview = widgets.Image(format="png", width=56, height=56)
        self.caption = widgets.Label()
        slider = widgets.IntSlider(
            min=0, max=len(self._images) - 1, description="digit #", continuous_update=False
        )
        layer = widgets.Dropdown(options=names, value=names[0], description="layer")
        row = widgets.HBox([self.preview, self.caption])
        super().__init__({"digit": slider, "layer": layer}, self._current_figure, extra=(row,))

    def activations(self, index: int) -> dict[str, np.ndarray]:
        """`{layer_name: (h, w, channels) array}` for image `index`."""
        if index not in self._cache:
            image = self._images[index]
            self._cache[index] = _run_probe(self._probe, self._model, image, self._names)
        return self._cache[index]

    def _current_figure(self) -> Figure:
        index, name = int(self.controls["digit"].value), self.controls["layer"].value
        thumbnail = Figure(figsize=(0.8, 0.8))
        ax = thumbnail.add_axes((0, 0, 1, 1))
        ax.imshow(np.squeeze(self._images[index]), cmap="gray_r")
        ax.axis("off")
        self.preview.value = figure_png(thumbnail)
        label = "" if self._labels is None else f", true label {int(self._labels[index])}"
        self.caption.value = f"digit #{index}{label}"
        return _maps_figure(self.activations(index)[name], name)


def feature_map_explorer(
    model: keras.Model,
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray | None = None,
    *,
    layer_names: Sequence[str] | None = None,
) -> FeatureMapExplorer:
    """A widget to see what each conv or pooling layer makes of a digit.

    Static pages cannot run it: pair the cell with `feature_map_figure(...)` for one
    representative digit and layer. See `FeatureMapExplorer` for its controls.

    Args:
        labels: the images' true labels, shown under the digit.
        layer_names: the layers offered. Defaults to `None`: every map layer (`map_layer_names`).

    Raises:
        ValueError: the model has no defined input or no map layer, a name is not one of its
            map layers, or the images are uint8 or of the wrong shape.
    """
    return FeatureMapExplorer(model, images, labels, layer_names)


def _probe(model: keras.Model, layer_names: Sequence[str]) -> keras.Model:
    _check_has_inputs(model)
    names = [layer.name for layer in model.layers]
    unknown = [n for n in layer_names if n not in names]
    if unknown:
        raise ValueError(f"the model has no layer {unknown}; it has {names}")
    # One input tensor, not a list of one: Keras warns when a call's structure differs.
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, [model.get_layer(n).output for n in layer_names])


def _run_probe(
    probe: keras.Model, model: keras.Model, image: np.ndarray, layer_names: Sequence[str]
) -> dict[str, np.ndarray]:
    outputs = probe(_as_batch(model, image), training=False)
    if len(layer_names) == 1:
        outputs = [outputs]
    return {n: keras.ops.convert_to_numpy(o)[0] for n, o in zip(layer_names, outputs, strict=True)}


def _maps_figure(maps: np.ndarray, layer_name: str) -> Figure:
    h, w, c = maps.shape
    return plot_feature_maps(maps, title=f"{layer_name}: {c} maps of {h}x{w}")


def _check_has_inputs(model: keras.Model) -> None:
    try:
        inputs = model.inputs
    except (AttributeError, ValueError) as exc:  # a Sequential without keras.Input
        raise ValueError(
            "the model needs a defined input: build it with keras.Input(...) first, or "
            f"call it on a batch. Received: {model.name}"
        ) from exc
    if not inputs:
        raise ValueError(f"the model has no defined input. Received: {model.name}")


def _as_batch(model: keras.Model, image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype == np.uint8:
        raise ValueError(
            "the image must be preprocessed to float in [0, 1] (cnntut.data.preprocess). "
            f"Received: dtype={image.dtype}"
        )
    expected = tuple(model.inputs[0].shape[1:])
    if image.ndim == len(expected) - 1:
        image = image[..., np.newaxis]
    if image.shape != expected:
        raise ValueError(
            f"the image must have shape {expected}. Received: shape={np.asarray(image).shape}"
        )
    return image[np.newaxis].astype("float32")
