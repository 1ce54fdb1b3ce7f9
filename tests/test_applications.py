"""cnntut.applications: the segmentation and detection models that chapter 6 writes and exports."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest

from cnntut.applications import build_detector, build_segmenter, build_unet
from cnntut.toys import make_canvases


def digits(n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """uint8 'digits': a bright 8x4 bar at a different place in each 28x28 frame."""
    images = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        images[i, 5 + i : 13 + i, 10:14] = 200
    return images, np.arange(n, dtype=np.uint8) % 10


# build_segmenter


def test_build_segmenter_outputs_one_probability_per_pixel():
    model = build_segmenter(32, (4, 8))
    out = keras.ops.convert_to_numpy(model(np.zeros((2, 32, 32, 1), "float32")))
    assert out.shape == (2, 32, 32, 1)
    assert ((out > 0) & (out < 1)).all()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert "Flatten" not in kinds and kinds.count("UpSampling2D") == kinds.count("MaxPooling2D")


@pytest.mark.parametrize(
    ("kwargs", "error", "quoted"),
    [
        ({"size": 50}, ValueError, "size=50"),
        ({"size": 48.0}, TypeError, "size=48.0"),
        ({"filters": (4,)}, ValueError, "filters=(4,)"),
    ],
)
def test_build_segmenter_rejects_bad_arguments(kwargs, error, quoted):
    with pytest.raises(error, match=re.escape(quoted)):
        build_segmenter(**kwargs)


# build_unet


def test_build_unet_concatenates_full_resolution_features():
    model = build_unet(16, (4, 8))
    assert model.output_shape == (None, 16, 16, 1)
    skip = model.get_layer("skip")
    assert [tuple(t.shape) for t in skip.input] == [(None, 16, 16, 8), (None, 16, 16, 4)]


@pytest.mark.parametrize(
    ("kwargs", "quoted"), [({"size": 15}, "size=15"), ({"filters": (4, 0)}, "filters=(4, 0)")]
)
def test_build_unet_rejects_bad_arguments(kwargs, quoted):
    with pytest.raises(ValueError, match=re.escape(quoted)):
        build_unet(**kwargs)


# build_detector


def test_build_detector_has_a_class_head_and_a_box_head_and_trains():
    images, labels = digits(8)
    canvases = make_canvases(images, labels, size=32)
    model = build_detector(32, (4, 8, 8), 16)
    out = model.predict(canvases.images, verbose=0)
    assert out["digit"].shape == (8, 10) and out["box"].shape == (8, 4)
    model.compile(optimizer="adam", loss={"digit": "sparse_categorical_crossentropy", "box": "mse"})
    history = model.fit(
        canvases.images, {"digit": canvases.labels, "box": canvases.boxes}, epochs=1, verbose=0
    )
    assert {"digit_loss", "box_loss"} <= set(history.history)


@pytest.mark.parametrize(
    ("kwargs", "error", "quoted"),
    [
        ({"size": 31}, ValueError, "size=31"),
        ({"filters": (4, 8)}, ValueError, "filters=(4, 8)"),
        ({"dense": 0}, ValueError, "dense=0"),
        ({"dense": 8.0}, TypeError, "dense=8.0"),
        ({"num_classes": 1}, ValueError, "num_classes=1"),
    ],
)
def test_build_detector_rejects_bad_arguments(kwargs, error, quoted):
    with pytest.raises(error, match=re.escape(quoted)):
        build_detector(**kwargs)
