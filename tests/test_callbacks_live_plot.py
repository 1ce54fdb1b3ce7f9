"""cnntut.callbacks.live_plot: learning curves redrawn after every epoch."""

from __future__ import annotations

import IPython.display
import pytest
from callback_support import tiny_classifier, tiny_data
from matplotlib.figure import Figure

from cnntut.callbacks import LiveLearningCurves
from cnntut.callbacks.live_plot import in_notebook


def _run_epochs(curves, count=2):
    curves.on_train_begin()
    for epoch in range(count):
        curves.on_epoch_end(
            epoch,
            {
                "loss": 1.0 / (epoch + 1),
                "accuracy": 0.5 + 0.1 * epoch,
                "val_loss": 1.1,
                "val_accuracy": 0.5,
            },
        )
    curves.on_train_end()


def test_live_curves_collects_history_and_draws_one_panel_per_metric():
    curves = LiveLearningCurves(live=False)
    _run_epochs(curves)
    assert curves.history["loss"] == [1.0, 0.5]
    assert isinstance(curves.figure, Figure) and len(curves.figure.axes) == 2
    lines = curves.figure.axes[1].get_lines()
    assert [line.get_label() for line in lines] == ["training", "validation"]
    assert list(lines[0].get_xdata()) == [1, 2]


class _FakeHandle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, picture):
        self.shown.append(("update", picture))


def test_live_curves_updates_a_single_display(monkeypatch):
    shown = []

    def fake_display(picture, display_id=False):
        shown.append(("display", picture))
        return _FakeHandle(shown) if display_id else None

    monkeypatch.setattr(IPython.display, "display", fake_display)
    curves = LiveLearningCurves(live=True)
    _run_epochs(curves, count=3)
    # One output, shown after the first epoch and replaced after the others.
    assert [action for action, _ in shown] == ["display", "update", "update"]
    assert all(picture.data.startswith(b"\x89PNG") for _, picture in shown)


def test_live_curves_is_not_live_outside_a_notebook(capsys):
    assert not in_notebook()
    curves = LiveLearningCurves()
    _run_epochs(curves)
    assert capsys.readouterr().out == ""


def test_live_curves_new_figure_for_each_fit():
    curves = LiveLearningCurves(live=False)
    _run_epochs(curves)
    first = curves.figure
    _run_epochs(curves, count=1)
    assert curves.figure is not first and curves.history["loss"] == [1.0]


def test_live_curves_unknown_metric_raises_with_available_keys():
    curves = LiveLearningCurves(metrics=("loss", "acc"), live=False)
    curves.on_train_begin()
    with pytest.raises(ValueError, match=r"\['accuracy', 'loss'\].*Received: monitor='acc'"):
        curves.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"metrics": ()}, "Received: metrics=()"),
        ({"metrics": "loss"}, "Received: metrics='loss'"),
        ({"metrics": ("loss", "")}, "Received: metrics entry=''"),
        ({"dpi": 0}, "Received: dpi=0"),
    ],
)
def test_live_curves_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LiveLearningCurves(**kwargs)


def test_live_curves_in_fit_headless():
    x, y = tiny_data()
    curves = LiveLearningCurves(metrics=("loss",), live=False)
    tiny_classifier().fit(x, y, epochs=2, validation_split=0.25, callbacks=[curves], verbose=0)
    assert len(curves.history["val_loss"]) == 2
    assert len(curves.figure.axes[0].get_lines()) == 2
