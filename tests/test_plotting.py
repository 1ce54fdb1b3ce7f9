"""cnntut.plotting: every helper returns a Figure and rejects bad input clearly."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnntut.plotting import (
    plot_callback_run,
    plot_feature_maps,
    plot_filters,
    plot_history,
    show_digits,
)

matplotlib.use("Agg")

HISTORY = {
    "loss": [1.0, 0.6, 0.4, 0.3, 0.25, 0.2],
    "val_loss": [1.1, 0.8, 0.7, 0.75, 0.72, 0.74],
    "accuracy": [0.6, 0.8, 0.9, 0.92, 0.94, 0.95],
    "val_accuracy": [0.55, 0.75, 0.8, 0.79, 0.81, 0.8],
    "learning_rate": [1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4],
}


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


def test_show_digits_rejects_a_float_n():
    with pytest.raises(TypeError, match="n=2.0"):
        show_digits(np.zeros((3, 28, 28)), [0, 1, 2], n=2.0)


def test_show_digits_accepts_numpy_ints():
    fig = show_digits(np.zeros((3, 28, 28)), [0, 1, 2], n=np.int64(2), cols=np.int32(2))
    assert sum(1 for ax in fig.axes if ax.images) == 2


def test_show_digits_rejects_label_count_mismatch():
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        show_digits(np.zeros((3, 28, 28)), [0, 1])


def test_plot_history_draws_train_and_validation_lines():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}
    fig = plot_history(history)
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 1
    assert list(loss_ax.lines[1].get_ydata()) == [1.1, 0.7]


def test_plot_history_places_validation_run_every_few_epochs():
    history = {"loss": [1.0, 0.8, 0.6, 0.5], "val_loss": [0.9, 0.7]}  # validation_freq=2
    fig = plot_history(history, metrics=["loss"])
    val_line = fig.axes[0].lines[1]
    assert list(val_line.get_xdata()) == [2, 4]
    fig = plot_history(history, metrics=["loss"], validation_freq=2)
    assert list(fig.axes[0].lines[1].get_xdata()) == [2, 4]
    plt.close("all")


@pytest.mark.parametrize(
    ("val", "freq", "message"),
    [
        ([0.9], None, r"could be any of \[3, 4, 5\]"),
        ([0.9, 0.8], 3, "validation_freq=3 over 5 epochs gives 1"),
    ],
)
def test_plot_history_validation_values_that_do_not_fit(val, freq, message):
    history = {"loss": [1.0, 0.8, 0.6, 0.5, 0.4], "val_loss": val}
    with pytest.raises(ValueError, match=message):
        plot_history(history, metrics=["loss"], validation_freq=freq)
    plt.close("all")


def test_plot_history_names_missing_metric():
    with pytest.raises(KeyError, match="accuracy.*has \\['loss'\\]"):
        plot_history({"loss": [1.0]})


def test_plot_history_reads_a_history_object():
    fig = plot_history(SimpleNamespace(history={"loss": [1.0, 0.5]}), metrics=("loss",))
    assert list(fig.axes[0].lines[0].get_ydata()) == [1.0, 0.5]


def test_plot_history_rejects_a_list():
    with pytest.raises(TypeError, match="Received: list"):
        plot_history([1.0, 0.5])


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


def test_plot_filters_rejects_zero_cols():
    with pytest.raises(ValueError, match="cols=0"):
        plot_filters(np.zeros((3, 3, 1, 4)), cols=0)


def test_plot_feature_maps_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"shape=\(5, 5\)"):
        plot_feature_maps(np.ones((5, 5)))


# ---------------------------------------------------------------- plot_callback_run


def _vertical_lines(ax):
    return {
        line.get_label(): line.get_xdata()[0]
        for line in ax.get_lines()
        if len(set(line.get_xdata())) == 1 and len(line.get_xdata()) == 2
    }


def test_plot_callback_run_marks_drop_best_and_stop():
    fig = plot_callback_run(HISTORY, lr_drops=[3], best_epoch=3, stopped_epoch=6)
    assert isinstance(fig, Figure)
    loss_ax = fig.axes[0]
    marks = _vertical_lines(loss_ax)
    assert marks == {"rate cut": 3.5, "best epoch (3)": 3, "stopped (6)": 6}
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [
        "training",
        "validation",
        "rate cut",
        "best epoch (3)",
        "stopped (6)",
        "learning rate",
    ]


def test_plot_callback_run_puts_the_rate_on_a_log_twin_axis():
    fig = plot_callback_run(HISTORY)
    assert len(fig.axes) == 4  # two panels, each with its twin
    twins = [ax for ax in fig.axes if ax.get_ylabel() == "learning rate"]
    assert len(twins) == 2 and all(ax.get_yscale() == "log" for ax in twins)
    assert list(twins[0].get_lines()[0].get_ydata()) == HISTORY["learning_rate"]


def test_plot_callback_run_without_rate_has_no_twin_axis():
    history = {k: v for k, v in HISTORY.items() if k != "learning_rate"}
    fig = plot_callback_run(history, metrics=("loss",))
    assert len(fig.axes) == 1


def test_plot_callback_run_missing_metric_raises():
    with pytest.raises(KeyError, match="auc"):
        plot_callback_run(HISTORY, metrics=("auc",))


@pytest.mark.parametrize(
    "marks,message",
    [
        ({"best_epoch": 0}, "best_epoch=0"),
        ({"stopped_epoch": 7}, "stopped_epoch=7"),
        ({"lr_drops": [2, 9]}, r"lr_drops\[1\]=9"),
    ],
)
def test_plot_callback_run_epoch_outside_history_raises(marks, message):
    with pytest.raises(ValueError, match=message):
        plot_callback_run(HISTORY, **marks)


def test_plot_callback_run_rejects_a_float_epoch():
    with pytest.raises(TypeError, match="best_epoch=2.5"):
        plot_callback_run(HISTORY, best_epoch=2.5)


def test_plot_callback_run_accepts_numpy_epochs():
    fig = plot_callback_run(HISTORY, lr_drops=[np.int64(3)], best_epoch=np.int64(3))
    assert _vertical_lines(fig.axes[0])["rate cut"] == 3.5
