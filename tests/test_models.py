"""cnntut.models: the article's architecture, written with keras.Input."""

from __future__ import annotations

import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

from cnntut.models import build_cnn, compile_cnn


def test_build_cnn_has_the_articles_parameter_count():
    assert build_cnn().count_params() == 225_034


def test_build_cnn_layers_and_shapes_follow_the_article():
    model = build_cnn()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dense",
        "Dense",
    ]
    shapes = [tuple(layer.output.shape) for layer in model.layers]
    assert shapes == [
        (None, 26, 26, 32),
        (None, 13, 13, 32),
        (None, 11, 11, 64),
        (None, 5, 5, 64),
        (None, 1600),
        (None, 128),
        (None, 10),
    ]


def test_build_cnn_emits_no_input_shape_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_cnn()


def test_build_cnn_outputs_probabilities():
    model = build_cnn(num_classes=3)
    probs = keras.ops.convert_to_numpy(model(np.zeros((2, 28, 28, 1), "float32")))
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    "shape, error", [((28, 28), ValueError), ((28, 28, 0), ValueError), ((28.0, 28, 1), TypeError)]
)
def test_build_cnn_rejects_bad_input_shape(shape, error):
    with pytest.raises(error, match="input_shape"):
        build_cnn(input_shape=shape)


def test_build_cnn_is_generated_from_chapter_2():
    from booktools import export
    from cnntut import models

    assert export.is_generated(Path(models.__file__))
    assert "chapters/02_cnn_in_a_few_lines.ipynb" in models.__doc__


def test_build_cnn_rejects_single_class():
    with pytest.raises(ValueError, match="num_classes.*1"):
        build_cnn(num_classes=1)


def test_compile_cnn_uses_adam_and_sparse_crossentropy():
    model = compile_cnn(build_cnn(), learning_rate=5e-4)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(5e-4)
    assert model.loss == "sparse_categorical_crossentropy"


def test_compile_cnn_rejects_non_positive_rate():
    with pytest.raises(ValueError, match="-0.1"):
        compile_cnn(build_cnn(), learning_rate=-0.1)
