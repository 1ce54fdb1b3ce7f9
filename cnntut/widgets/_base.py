"""What every explorer shares: a box of controls above a picture that they redraw."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

PNG_DPI = 100


def figure_png(fig: Figure, *, close: bool = True, dpi: int = PNG_DPI) -> bytes:
    """Render a figure to PNG bytes; `close` closes it, so a notebook does not show it again."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    if close:
        plt.close(fig)
    return buffer.getvalue()


class Explorer(widgets.VBox):
    """A `VBox` with controls on top and a PNG of the current state below.

    A PNG in an `ipywidgets.Image` redraws the same way in JupyterLab, classic Notebook and
    tests under `MPLBACKEND=Agg`, and never leaves an extra figure in the cell's output.

    Attributes:
        controls: the control widgets by name; setting a control's `.value` redraws.
        image: the `ipywidgets.Image` showing the current state.
    """

    def __init__(
        self,
        controls: Mapping[str, widgets.Widget],
        draw: Callable[[], Figure],
        *,
        extra: tuple[widgets.Widget, ...] = (),
    ) -> None:
        self.controls = dict(controls)
        self._draw = draw
        self.image = widgets.Image(format="png")
        super().__init__([widgets.HBox(list(self.controls.values())), *extra, self.image])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def figure(self) -> Figure:
        """A new matplotlib figure of the current state (the caller closes it)."""
        return self._draw()

    def refresh(self) -> None:
        """Redraw the picture from the controls' current values."""
        self.image.value = figure_png(self._draw())

    def _on_change(self, change: dict) -> None:
        self.refresh()
