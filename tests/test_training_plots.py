"""Tests for cnntut.training_plots.plot_callback_run."""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.figure import Figure

from cnntut.training_plots import plot_callback_run

matplotlib.use("Agg")

HISTORY = {
    "loss": [1.0, 0.6, 0.4, 0.3, 0.25, 0.2],
    "val_loss": [1.1, 0.8, 0.7, 0.75, 0.72, 0.74],
    "accuracy": [0.6, 0.8, 0.9, 0.92, 0.94, 0.95],
    "val_accuracy": [0.55, 0.75, 0.8, 0.79, 0.81, 0.8],
    "learning_rate": [1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4],
}


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


@pytest.mark.parametrize("marks", [{"best_epoch": 0}, {"stopped_epoch": 7}, {"lr_drops": [2, 9]}])
def test_plot_callback_run_epoch_outside_history_raises(marks):
    with pytest.raises(ValueError, match="between 1 and 6"):
        plot_callback_run(HISTORY, **marks)
