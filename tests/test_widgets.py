"""Tests for cnntut.widgets: the callback replay on known curves, and each explorer's controls."""

from __future__ import annotations

import inspect

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnntut.models import build_cnn
from cnntut.widgets import (
    callback_playground,
    callback_replay_figure,
    digit_explorer,
    digit_figure,
    feature_map_explorer,
    feature_map_figure,
    layer_activations,
    map_layer_names,
    replay_callbacks,
    replay_summary,
)
from cnntut.widgets._base import figure_png

matplotlib.use("Agg")

# Keras's ReduceLROnPlateau reads the rate through TensorFlow's `__array__`, which
# NumPy 2 warns about at every epoch; the warning is theirs and says nothing here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- callback replay


def test_replay_callbacks_defaults_are_keras_defaults():
    defaults = {
        name: param.default
        for name, param in inspect.signature(replay_callbacks).parameters.items()
    }
    early_stopping = keras.callbacks.EarlyStopping()
    reduce_lr = keras.callbacks.ReduceLROnPlateau()
    assert defaults["min_delta"] == early_stopping.min_delta
    assert defaults["lr_min_delta"] == reduce_lr.min_delta
    assert (defaults["cooldown"], defaults["min_lr"]) == (reduce_lr.cooldown, reduce_lr.min_lr)


def test_replay_callbacks_matches_a_real_fit():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 1))
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(8), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
    # Random targets: the validation loss soon stalls, so both callbacks fire.
    es = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    rlr = keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=1)
    history = model.fit(
        x[:24], y[:24], validation_data=(x[24:], y[24:]), epochs=30, verbose=0, callbacks=[es, rlr]
    )
    got = replay_callbacks(
        history.history["val_loss"], es_patience=2, lr_factor=0.5, lr_patience=1, initial_lr=0.05
    )
    assert got["epochs_run"] == len(history.history["val_loss"])
    assert got["stop_epoch"] == es.stopped_epoch > 0  # it stopped early
    assert got["best_epoch"] == es.best_epoch  # the epoch restore_best_weights put back
    assert got["lr_reductions"]
    assert got["lr"] == history.history["learning_rate"]
    assert got["final_lr"] == float(model.optimizer.learning_rate)


def test_replay_callbacks_reduces_the_rate_from_the_next_epoch():
    got = replay_callbacks(
        [1.0, 0.8, 0.9, 0.95, 0.7, 0.75, 0.76, 0.77], es_patience=3, lr_factor=0.5, lr_patience=1
    )
    # Epoch 2 does not improve: the rate is halved at its end and used from epoch 3.
    assert got["lr_reductions"] == [2, 3, 5, 6, 7]
    assert got["lr"][2] == got["lr"][0] and got["lr"][3] == pytest.approx(5e-4)
    assert got["best_epoch"] == 4
    # Both callbacks act at the end of epoch 7: it is the last one run.
    assert got["stop_epoch"] == 7 and got["epochs_run"] == 8
    assert got["final_lr"] == pytest.approx(1e-3 / 32)


def test_replay_callbacks_compares_losses_in_float32():
    # 0.5 - 1e-9 is 0.5 in float32, as Keras compares: no epoch after the first improves.
    got = replay_callbacks(
        [0.5, 0.5 - 1e-9, 0.5 - 2e-9, 0.5], es_patience=2, lr_factor=0.5, lr_patience=5
    )
    assert (got["stop_epoch"], got["best_epoch"], got["es_wait"]) == (2, 0, [0, 1, 2])


def test_replay_callbacks_a_nan_first_is_a_best_nothing_beats():
    got = replay_callbacks(
        [float("nan"), 0.3, 0.2, 0.1], es_patience=2, lr_factor=0.5, lr_patience=5
    )
    assert got["best_epoch"] == 0 and got["stop_epoch"] == 2


def test_replay_callbacks_lr_min_delta_decides_what_counts_as_a_gain():
    # Gains of 4e-5 are below ReduceLROnPlateau's min_delta (1e-4) but count for
    # EarlyStopping (0): the rate is cut while the best epoch keeps moving.
    got = replay_callbacks(
        [1.0, 0.99996, 0.99992, 0.99988], es_patience=5, lr_factor=0.1, lr_patience=2
    )
    assert got["lr_reductions"] == [2] and got["lr_wait"] == [0, 1, 0, 0]
    assert got["best_epoch"] == 3 and got["stop_epoch"] is None
    assert got["lr"] == pytest.approx([1e-3, 1e-3, 1e-3, 1e-4])


def test_replay_callbacks_waits_out_the_cooldown():
    got = replay_callbacks([1.0] * 8, es_patience=10, lr_factor=0.5, lr_patience=1, cooldown=2)
    assert got["lr_reductions"] == [1, 3, 5, 7]
    assert got["final_lr"] == pytest.approx(1e-3 / 16)


def test_replay_callbacks_stops_cutting_at_min_lr():
    got = replay_callbacks([1.0] * 5, es_patience=10, lr_factor=0.5, lr_patience=1, min_lr=3e-4)
    assert got["lr_reductions"] == [1, 2]
    assert got["lr"] == pytest.approx([1e-3, 1e-3, 5e-4, 3e-4, 3e-4])
    assert got["lr_wait"] == [0, 0, 0, 1, 2]  # at min_lr a plateau no longer resets it


def test_replay_callbacks_rates_are_float32_like_an_optimizer():
    got = replay_callbacks([1.0, 1.0], es_patience=5, lr_factor=0.1, lr_patience=1, initial_lr=0.01)
    assert got["lr"] == [float(np.float32(0.01))] * 2
    # Keras multiplies in float64, then the optimizer's variable rounds to float32.
    assert got["final_lr"] == float(np.float32(float(np.float32(0.01)) * 0.1))


def test_replay_callbacks_accepts_numpy_numbers():
    got = replay_callbacks(
        np.array([1.0, 0.9, 0.95]),
        es_patience=np.int64(1),
        lr_factor=np.float32(0.5),
        lr_patience=np.int32(1),
    )
    assert got["stop_epoch"] == 2 and got["lr_reductions"] == [2]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"val_loss": []}, "val_loss=[]"),
        ({"es_patience": -1}, "es_patience=-1"),
        ({"lr_factor": 1.0}, "lr_factor=1.0"),
        ({"lr_factor": 0}, "lr_factor=0"),
        ({"initial_lr": 0}, "initial_lr=0"),
        ({"min_delta": -0.1}, "min_delta=-0.1"),
        ({"cooldown": -2}, "cooldown=-2"),
        ({"min_lr": -1e-5}, "min_lr=-1e-05"),
    ],
)
def test_replay_callbacks_rejects_bad_values(kwargs, message):
    args = {"val_loss": [1.0, 0.9], "es_patience": 1, "lr_factor": 0.5, "lr_patience": 1} | kwargs
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        replay_callbacks(**args)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"lr_patience": 1.5}, "lr_patience=1.5"),
        ({"es_patience": True}, "es_patience=True"),
        ({"lr_factor": "0.5"}, "lr_factor='0.5'"),
    ],
)
def test_replay_callbacks_rejects_bad_types(kwargs, message):
    args = {"val_loss": [1.0, 0.9], "es_patience": 1, "lr_factor": 0.5, "lr_patience": 1} | kwargs
    with pytest.raises(TypeError, match=message):
        replay_callbacks(**args)


# ---------------------------------------------------------------- digit explorer


@pytest.fixture
def digits():
    """Eight noise 'digits'; the fake model is wrong on numbers 2 and 5."""
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(8, 28, 28), dtype=np.uint8)
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7])
    predicted = labels.copy()
    predicted[[2, 5]] = [9, 8]
    probs = np.full((8, 10), 0.02)
    probs[np.arange(8), predicted] = 0.82
    return images, labels, probs


def test_digit_figure_names_the_true_label_and_the_prediction(digits):
    fig = digit_figure(*digits, index=2)
    ax_img, ax_bar = fig.axes
    assert "true label 2" in ax_img.get_title()
    assert "predicted 9" in ax_bar.get_title() and "wrong" in ax_bar.get_title()
    assert len(ax_bar.patches) == 10


def test_digit_figure_rejects_an_index_out_of_range(digits):
    with pytest.raises(ValueError, match="index=8"):
        digit_figure(*digits, index=8)


def test_digit_figure_rejects_mismatched_lengths(digits):
    images, labels, probs = digits
    with pytest.raises(ValueError, match="8 images, 7 labels"):
        digit_figure(images, labels[:7], probs, 0)


def test_digit_explorer_redraws_when_the_slider_moves(digits):
    explorer = digit_explorer(*digits)
    before = explorer.image.value
    explorer.controls["digit"].value = 3
    assert explorer.index == 3
    assert explorer.image.value != before
    assert explorer.image.value == figure_png(digit_figure(*digits, index=3))


def test_digit_explorer_can_show_only_the_misclassified(digits):
    explorer = digit_explorer(*digits)
    assert explorer.misclassified == [2, 5]
    before = explorer.image.value
    explorer.controls["misclassified"].value = True
    assert list(explorer.controls["digit"].options) == [2, 5]
    assert explorer.index == 2 and explorer.image.value != before
    explorer.controls["digit"].value = 5
    assert explorer.image.value == figure_png(digit_figure(*digits, index=5))
    explorer.controls["misclassified"].value = False
    assert len(explorer.controls["digit"].options) == 8


def test_digit_explorer_disables_the_filter_when_nothing_is_wrong(digits):
    images, labels, _ = digits
    probs = np.eye(10)[labels]
    explorer = digit_explorer(images, labels, probs)
    assert explorer.misclassified == []
    assert explorer.controls["misclassified"].disabled


# ---------------------------------------------------------------- feature maps


@pytest.fixture(scope="module")
def cnn() -> keras.Model:
    keras.utils.set_random_seed(0)
    return build_cnn()


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return np.random.default_rng(2).random((3, 28, 28, 1)).astype("float32")


def test_map_layer_names_lists_the_conv_and_pool_layers(cnn):
    map_layers = [
        layer.name
        for layer in cnn.layers
        if isinstance(layer, keras.layers.Conv2D | keras.layers.MaxPooling2D)
    ]
    assert len(map_layers) == 4
    assert map_layer_names(cnn) == map_layers


def test_map_layer_names_needs_a_defined_input():
    with pytest.raises(ValueError, match="defined input"):
        map_layer_names(keras.Sequential([keras.layers.Dense(2)]))


def test_layer_activations_have_the_layer_shapes(cnn, images):
    conv, *_, last_pool = map_layer_names(cnn)
    maps = layer_activations(cnn, images[0, :, :, 0], [conv, last_pool])
    assert maps[conv].shape == (26, 26, 32)
    assert maps[last_pool].shape == (5, 5, 64)


def test_feature_map_figure_draws_one_picture_per_channel(cnn, images):
    second_conv = map_layer_names(cnn)[2]
    fig = feature_map_figure(cnn, images[0], second_conv)
    assert sum(len(ax.images) for ax in fig.axes) == 64
    assert fig._suptitle.get_text() == f"{second_conv}: 64 maps of 11x11"


def test_feature_map_figure_rejects_an_unknown_layer(cnn, images):
    with pytest.raises(ValueError, match="no layer \\['conv9'\\]"):
        feature_map_figure(cnn, images[0], "conv9")


def test_feature_map_figure_rejects_a_vector_layer(cnn, images):
    dense = next(layer.name for layer in cnn.layers if isinstance(layer, keras.layers.Dense))
    with pytest.raises(ValueError, match=f"layer_name='{dense}'"):
        feature_map_figure(cnn, images[0], dense)


@pytest.mark.parametrize(
    "image,message",
    [
        (np.zeros((28, 28, 1), np.uint8), "dtype=uint8"),
        (np.zeros((14, 14, 1), np.float32), "shape=\\(14, 14, 1\\)"),
    ],
)
def test_feature_map_figure_rejects_a_bad_image(cnn, image, message):
    with pytest.raises(ValueError, match=message):
        feature_map_figure(cnn, image, map_layer_names(cnn)[0])


def test_feature_map_explorer_redraws_for_a_new_layer_and_digit(cnn, images):
    pool = map_layer_names(cnn)[1]
    explorer = feature_map_explorer(cnn, images, labels=[4, 7, 1])
    first = explorer.image.value
    explorer.controls["layer"].value = pool
    second = explorer.image.value
    explorer.controls["digit"].value = 1
    assert len({first, second, explorer.image.value}) == 3
    assert explorer.caption.value == "digit #1, true label 7"
    assert explorer.image.value == figure_png(feature_map_figure(cnn, images[1], pool))


def test_feature_map_explorer_offers_only_map_layers(cnn, images):
    dense = next(layer.name for layer in cnn.layers if isinstance(layer, keras.layers.Dense))
    with pytest.raises(ValueError, match=f"Received: layer_names=\\['{dense}'\\]"):
        feature_map_explorer(cnn, images, layer_names=[dense])


# ---------------------------------------------------------------- callback playground


HISTORY = {
    "loss": [1.0, 0.8, 0.6, 0.5, 0.45, 0.44, 0.43, 0.42, 0.41, 0.40, 0.39, 0.38],
    "val_loss": [1.0, 0.7, 0.6, 0.61, 0.62, 0.58, 0.6, 0.61, 0.62, 0.63, 0.64, 0.65],
}


def test_callback_replay_figure_shades_the_epochs_not_run():
    fig = callback_replay_figure(HISTORY, patience=3, factor=0.5, lr_patience=1)
    ax_loss, ax_lr = fig.axes
    labels = [text.get_text() for text in ax_loss.get_legend().get_texts()]
    assert "EarlyStopping stops after epoch 9" in labels and "epochs not run" in labels
    assert ax_lr.get_yscale() == "log"


def test_callback_replay_figure_needs_val_loss():
    with pytest.raises(KeyError, match="it has \\['loss'\\]"):
        callback_replay_figure({"loss": [1.0]}, 1, 0.5, 1)


def test_callback_playground_replays_each_change():
    playground = callback_playground(HISTORY, patience=3, factor=0.5, lr_patience=1)
    assert playground.result["stop_epoch"] == 8
    before_image, before_text = playground.image.value, playground.summary.value
    assert "end of epoch 9 of 12" in before_text
    playground.controls["patience"].value = 7
    assert playground.result["stop_epoch"] is None
    assert "does not stop" in playground.summary.value
    assert playground.image.value != before_image
    playground.controls["factor"].value = 0.25
    playground.controls["lr_patience"].value = 4
    assert playground.result["lr_reductions"] == [9]
    expected = callback_replay_figure(HISTORY, patience=7, factor=0.25, lr_patience=4)
    assert playground.image.value == figure_png(expected)


def test_callback_playground_starts_from_the_recorded_rate():
    history = HISTORY | {"learning_rate": [0.01] * 12}
    playground = callback_playground(history)
    assert playground.result["lr"][0] == pytest.approx(0.01)


def test_callback_playground_rejects_a_bad_start():
    with pytest.raises(ValueError, match="lr_factor=1.5"):
        callback_playground(HISTORY, factor=1.5)


def test_replay_summary_counts_epochs_from_one():
    result = replay_callbacks([1.0, 0.9, 0.95, 0.97], es_patience=1, lr_factor=0.5, lr_patience=1)
    text = replay_summary(result, 4)
    assert "end of epoch 3 of 4" in text and "best epoch 2" in text
    assert "end of epoch(s) 3" in text
