"""cnntut.practice: the blocks, the layer and the models that chapter 7 writes and exports."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
from keras import layers

from cnntut.models import build_cnn
from cnntut.practice import GeMPooling2D, build_augmentation, build_sized_cnn, residual_block


def digit_batch(n: int = 4) -> np.ndarray:
    """Float images with a 6x6 bright square in the middle of a 28x28 frame."""
    x = np.zeros((n, 28, 28, 1), "float32")
    x[:, 11:17, 11:17] = 1.0
    return x


def positive_maps() -> np.ndarray:
    return np.random.default_rng(1).random((2, 6, 6, 3)).astype("float32") + 0.01


# residual_block


def test_residual_block_adds_its_input_back():
    inputs = keras.Input((8, 8, 4))
    model = keras.Model(inputs, residual_block(inputs, 4, name="res"))
    assert model.output_shape == (None, 8, 8, 4)
    names = [layer.name for layer in model.layers]
    assert names[1:] == ["res_conv1", "res_conv2", "res_add", "res_relu"]
    add_inputs = model.get_layer("res_add").input
    assert add_inputs[0] is inputs  # the shortcut is the block's input itself


def test_residual_block_projects_when_the_channels_change():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, residual_block(inputs, 16, name="res"))
    assert model.output_shape == (None, 8, 8, 16)
    assert model.get_layer("res_project").kernel.shape == (1, 1, 3, 16)


def test_residual_block_with_zero_convolutions_is_relu_of_the_input():
    inputs = keras.Input((5, 5, 2))
    model = keras.Model(inputs, residual_block(inputs, 2, name="res"))
    for name in ("res_conv1", "res_conv2"):
        layer = model.get_layer(name)
        layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    x = np.random.default_rng(0).normal(size=(3, 5, 5, 2)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), np.maximum(x, 0), atol=1e-6)


def test_residual_block_without_a_name_lets_keras_name_its_layers():
    inputs = keras.Input((8, 8, 4))
    model = keras.Model(inputs, residual_block(inputs, 4))
    assert all(layer.name for layer in model.layers)


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (2.0, TypeError), (True, TypeError)])
def test_residual_block_rejects_bad_filters(bad, error):
    with pytest.raises(error, match=f"filters={bad!r}"):
        residual_block(keras.Input((8, 8, 4)), bad)


@pytest.mark.parametrize("filters", [4, 10])
def test_residual_block_rejects_a_flat_tensor(filters):
    with pytest.raises(ValueError, match="expected min_ndim=4"):
        residual_block(keras.Input((10,)), filters)


# GeMPooling2D


def test_gem_with_p_one_is_average_pooling():
    x = positive_maps()
    gem = keras.ops.convert_to_numpy(GeMPooling2D(p=1)(x))
    avg = keras.ops.convert_to_numpy(layers.GlobalAveragePooling2D()(x))
    np.testing.assert_allclose(gem, avg, rtol=1e-5)


def test_gem_with_a_large_p_approaches_max_pooling():
    x = positive_maps()
    gem = keras.ops.convert_to_numpy(GeMPooling2D(p=60)(x))
    top = x.max(axis=(1, 2))
    assert gem.shape == (2, 3)
    assert (gem <= top + 1e-5).all() and np.allclose(gem, top, rtol=0.1)


def test_gem_has_the_output_shape_of_global_pooling_in_a_model():
    inputs = keras.Input((6, 6, 3))
    assert keras.Model(inputs, GeMPooling2D()(inputs)).output_shape == (None, 3)


def test_gem_p_is_a_weight_that_training_changes():
    inputs = keras.Input((6, 6, 3))
    outputs = layers.Dense(1)(GeMPooling2D(name="gem")(inputs))
    model = keras.Model(inputs, outputs)
    gem = model.get_layer("gem")
    assert any(w is gem.p for w in model.trainable_weights)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(positive_maps(), np.ones((2, 1)), epochs=2, verbose=0)
    assert float(gem.p.numpy()) != 3.0


def test_gem_can_freeze_p():
    layer = GeMPooling2D(trainable_p=False)
    layer.build((None, 6, 6, 3))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1


def test_gem_saves_and_loads_with_the_model(tmp_path):
    inputs = keras.Input((6, 6, 3))
    model = keras.Model(inputs, GeMPooling2D(p=2.5, name="gem")(inputs))
    model.get_layer("gem").p.assign(4.0)
    path = tmp_path / "gem.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.get_layer("gem"), GeMPooling2D)
    assert float(loaded.get_layer("gem").p.numpy()) == 4.0
    assert loaded.get_layer("gem").get_config()["p"] == 2.5
    x = positive_maps()
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), rtol=1e-6
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "quoted"),
    [
        ({"p": 0.5}, ValueError, "p=0.5"),
        ({"p": True}, TypeError, "p=True"),
        ({"eps": 0}, ValueError, "eps=0"),
    ],
)
def test_gem_rejects_bad_arguments(kwargs, error, quoted):
    with pytest.raises(error, match=quoted):
        GeMPooling2D(**kwargs)


def test_gem_rejects_inputs_without_height_and_width():
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=2"):
        GeMPooling2D()(keras.Input((5,)))


# build_augmentation


def test_build_augmentation_has_one_layer_per_nonzero_factor():
    kinds = [type(layer).__name__ for layer in build_augmentation().layers]
    assert kinds == ["RandomRotation", "RandomTranslation", "RandomZoom"]
    only_shift = build_augmentation(rotation=0, zoom=0)
    assert [type(layer).__name__ for layer in only_shift.layers] == ["RandomTranslation"]


def test_build_augmentation_passes_images_through_at_inference():
    block = build_augmentation(seed=1)
    x = digit_batch()
    out = keras.ops.convert_to_numpy(block(x, training=False))
    np.testing.assert_allclose(out, x)


def test_build_augmentation_changes_images_in_training_and_keeps_the_shape():
    block = build_augmentation(seed=1)
    x = digit_batch()
    out = keras.ops.convert_to_numpy(block(x, training=True))
    assert out.shape == x.shape
    assert not np.allclose(out, x)
    assert out.min() >= -1e-6  # constant fill: the new border is background, not a mirror


@pytest.mark.parametrize(
    ("kwargs", "error", "quoted"),
    [
        ({"rotation": -0.1}, ValueError, "rotation=-0.1"),
        ({"translation": 0.5}, ValueError, "translation=0.5"),
        ({"zoom": True}, TypeError, "zoom=True"),
        ({"zoom": "0.1"}, TypeError, "zoom='0.1'"),
    ],
)
def test_build_augmentation_rejects_factors_outside_the_light_range(kwargs, error, quoted):
    with pytest.raises(error, match=quoted):
        build_augmentation(**kwargs)


def test_build_augmentation_rejects_all_factors_zero():
    with pytest.raises(ValueError, match="rotation=0, translation=0, zoom=0"):
        build_augmentation(rotation=0, translation=0, zoom=0)


# build_sized_cnn


def test_build_sized_cnn_defaults_to_the_articles_model():
    model = build_sized_cnn()
    assert model.count_params() == build_cnn().count_params() == 225_034
    assert model.name == "cnn_32_64_128"


def test_build_sized_cnn_counts_parameters_for_other_widths():
    model = build_sized_cnn((8, 16), 32, name="tiny")
    conv = (9 * 1 + 1) * 8 + (9 * 8 + 1) * 16
    dense = (5 * 5 * 16 + 1) * 32 + (32 + 1) * 10
    assert model.count_params() == conv + dense
    assert model.name == "tiny"


@pytest.mark.parametrize(
    ("bad", "error"),
    [((8,), ValueError), ((8, 16, 32), ValueError), ((0, 16), ValueError), ((8, True), TypeError)],
)
def test_build_sized_cnn_rejects_bad_filters(bad, error):
    with pytest.raises(error, match=re.escape(f"filters={bad!r}")):
        build_sized_cnn(bad)


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_build_sized_cnn_rejects_bad_dense(bad, error):
    with pytest.raises(error, match=f"dense={bad!r}"):
        build_sized_cnn(dense=bad)
