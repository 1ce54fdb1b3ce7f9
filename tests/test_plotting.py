"""cnntut.plotting: every helper returns a Figure and rejects bad input clearly."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnntut.plotting import plot_feature_maps, plot_filters, plot_history, show_digits


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_show_digits_titles_and_marks_mistakes_red():
    images = np.zeros((4, 28, 28), np.uint8)
    fig = show_digits(images, [1, 2, 3, 4], predictions=[1, 2, 0, 4], n=4)
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["1/1", "2/2", "3/0", "4/4"]
    red = [ax.get_title() for ax in fig.axes if ax.title.get_color() == "red"]
    assert red == ["3/0"]


def test_show_digits_rejects_n_larger_than_images():
    with pytest.raises(ValueError, match="n=5"):
        show_digits(np.zeros((3, 28, 28)), [0, 1, 2], n=5)


def test_show_digits_rejects_label_count_mismatch():
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        show_digits(np.zeros((3, 28, 28)), [0, 1])


def test_plot_history_draws_train_and_validation_lines():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}
    fig = plot_history(history)
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 1
    assert list(loss_ax.lines[1].get_ydata()) == [1.1, 0.7]


def test_plot_history_names_missing_metric():
    with pytest.raises(KeyError, match="accuracy.*has \\['loss'\\]"):
        plot_history({"loss": [1.0]})


def test_plot_filters_draws_one_panel_per_filter():
    fig = plot_filters(np.random.default_rng(0).normal(size=(3, 3, 1, 32)))
    assert sum(1 for ax in fig.axes if ax.images) == 32


def test_plot_filters_rejects_multichannel_kernel():
    with pytest.raises(ValueError, match=r"shape=\(3, 3, 32, 64\)"):
        plot_filters(np.zeros((3, 3, 32, 64)))


def test_plot_feature_maps_accepts_a_batch_of_one():
    fig = plot_feature_maps(np.ones((1, 5, 5, 6)), cols=3, title="maps")
    assert sum(1 for ax in fig.axes if ax.images) == 6
    assert fig._suptitle.get_text() == "maps"


def test_plot_feature_maps_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"shape=\(5, 5\)"):
        plot_feature_maps(np.ones((5, 5)))
