"""cnntut.blocks: a residual block and the GeMPooling2D custom layer."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from cnntut.blocks import GeMPooling2D, residual_block


def test_residual_block_adds_its_input_back():
    inputs = keras.Input((8, 8, 4))
    model = keras.Model(inputs, residual_block(inputs, 4, name="res"))
    assert model.output_shape == (None, 8, 8, 4)
    names = [layer.name for layer in model.layers]
    assert names == ["input_layer", "res_conv1", "res_conv2", "res_add", "res_relu"] or (
        names[1:] == ["res_conv1", "res_conv2", "res_add", "res_relu"]
    )
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


@pytest.mark.parametrize("bad", [0, 2.0, True])
def test_residual_block_rejects_bad_filters(bad):
    with pytest.raises(ValueError, match=f"filters={bad!r}"):
        residual_block(keras.Input((8, 8, 4)), bad)


def test_residual_block_rejects_a_flat_tensor():
    with pytest.raises(ValueError, match=r"shape=\(None, 10\)"):
        residual_block(keras.Input((10,)), 4)


def positive_maps() -> np.ndarray:
    return np.random.default_rng(1).random((2, 6, 6, 3)).astype("float32") + 0.01


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
    x = positive_maps()
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), rtol=1e-6
    )


@pytest.mark.parametrize(
    ("kwargs", "quoted"), [({"p": 0.5}, "p=0.5"), ({"p": True}, "p=True"), ({"eps": 0}, "eps=0")]
)
def test_gem_rejects_bad_arguments(kwargs, quoted):
    with pytest.raises(ValueError, match=quoted):
        GeMPooling2D(**kwargs)


def test_gem_rejects_inputs_without_height_and_width():
    with pytest.raises(ValueError, match=r"input_shape=\(None, 5\)"):
        GeMPooling2D()(keras.Input((5,)))
