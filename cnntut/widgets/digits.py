"""The digit explorer: one test digit, the model's probabilities, and the true label."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnntut.checks import check_int
from cnntut.widgets._base import Explorer

CORRECT_COLOR = "tab:green"
WRONG_COLOR = "tab:red"
OTHER_COLOR = "lightgray"


def digit_figure(
    images: np.ndarray, labels: Sequence[int] | np.ndarray, probs: np.ndarray, index: int
) -> Figure:
    """Draw one digit beside the model's predicted probabilities.

    The predicted class's bar is green when it is the true label and red when it is not; the
    true label is named in the title and its bar and tick are bold.

    Args:
        images: `(N, 28, 28)` or `(N, 28, 28, 1)` images, uint8 or float.
        probs: `(N, classes)` predicted probabilities, e.g. `model.predict(x_test)`.

    Raises:
        TypeError: `index` is not an integer.
        ValueError: the three arrays disagree in length, `probs` is not two-dimensional, or
            `index` is out of range.
    """
    images, labels, probs = _check_digits(images, labels, probs)
    check_int("index", index, high=len(images) - 1)
    true, pred = int(labels[index]), int(np.argmax(probs[index]))
    fig, (ax_img, ax_bar) = plt.subplots(
        1, 2, figsize=(7.0, 2.8), gridspec_kw={"width_ratios": [1, 1.8]}
    )
    ax_img.imshow(images[index], cmap="gray_r")
    ax_img.set_title(f"test digit #{index}, true label {true}")
    ax_img.axis("off")
    classes = np.arange(probs.shape[1])
    colors = [OTHER_COLOR] * len(classes)
    colors[pred] = CORRECT_COLOR if pred == true else WRONG_COLOR
    edges = [2.5 if c == true else 0.5 for c in classes]
    ax_bar.bar(classes, probs[index], color=colors, edgecolor="black", linewidth=edges)
    ax_bar.set_xticks(classes)
    ax_bar.get_xticklabels()[true].set_fontweight("bold")
    ax_bar.set_ylim(0, 1)
    ax_bar.set_xlabel(f"class (true label {true} in bold)")
    ax_bar.set_ylabel("probability")
    verdict = "right" if pred == true else "wrong"
    ax_bar.set_title(f"predicted {pred} with p = {probs[index, pred]:.2f} ({verdict})")
    ax_bar.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


class DigitExplorer(Explorer):
    """Pick a test digit with a slider, optionally among the misclassified ones only.

    Attributes:
        controls: `"digit"` (a `SelectionSlider` over digit indices) and
            `"misclassified"` (a `Checkbox`; disabled when the model makes no mistake).
        misclassified: indices of the digits whose predicted class is wrong.
    """

    def __init__(self, images: np.ndarray, labels: Sequence[int], probs: np.ndarray) -> None:
        self._images, self._labels, self._probs = _check_digits(images, labels, probs)
        self._all = list(range(len(self._images)))
        wrong = np.argmax(self._probs, axis=1) != self._labels
        self.misclassified = [int(i) for i in np.flatnonzero(wrong)]
        self._switching = False
        slider = widgets.SelectionSlider(
            options=self._all,
            value=0,
            description="digit #",
            continuous_update=False,
            layout=widgets.Layout(width="420px"),
        )
        only_wrong = widgets.Checkbox(
            value=False,
            description=f"only the misclassified ones ({len(self.misclassified)})",
            disabled=not self.misclassified,
            indent=False,
        )
        super().__init__({"digit": slider, "misclassified": only_wrong}, self._current_figure)

    @property
    def index(self) -> int:
        """The index of the digit shown."""
        return int(self.controls["digit"].value)

    def _current_figure(self) -> Figure:
        return digit_figure(self._images, self._labels, self._probs, self.index)

    def _on_change(self, change: dict) -> None:
        if change["owner"] is self.controls["misclassified"]:
            # Changing the slider's options changes its value too: redraw once, after.
            self._switching = True
            try:
                self.controls["digit"].options = self.misclassified if change["new"] else self._all
            finally:
                self._switching = False
        if not self._switching:
            self.refresh()


def digit_explorer(
    images: np.ndarray, labels: Sequence[int] | np.ndarray, probs: np.ndarray
) -> DigitExplorer:
    """A widget to browse test digits with the model's predicted probabilities.

    It takes the arrays of `digit_figure`; static pages cannot run it, so pair the cell with
    `digit_figure(...)` for one representative digit. See `DigitExplorer` for its controls.

    Raises:
        ValueError: the three arrays disagree in length, or `probs` is not two-dimensional.
    """
    return DigitExplorer(images, labels, probs)


def _check_digits(
    images: np.ndarray, labels: Sequence[int] | np.ndarray, probs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    images, labels, probs = np.asarray(images), np.asarray(labels), np.asarray(probs)
    if images.ndim == 4:
        images = images[..., 0]
    if probs.ndim != 2:
        raise ValueError(
            f"probs must be (N, classes) probabilities. Received: probs.shape={probs.shape}"
        )
    if not len(images) == len(labels) == len(probs) > 0:
        raise ValueError(
            "images, labels and probs must hold the same number (> 0) of digits. "
            f"Received: {len(images)} images, {len(labels)} labels, {len(probs)} probs"
        )
    return images, labels.astype(int), probs
