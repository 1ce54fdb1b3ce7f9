"""Interactive explorers for the chapters, each paired with a static figure.

A widget needs a running kernel; in the HTML book it is inert. So each explorer has a
function that draws one representative state as a plain figure, shown next to the widget:
`digit_explorer` has `digit_figure`, `feature_map_explorer` has `feature_map_figure`, and
`callback_playground` has `callback_replay_figure`.

The playground's logic, `replay_callbacks`, needs no widget and no trained model: it runs
Keras's own EarlyStopping and ReduceLROnPlateau over a recorded loss.
"""

from cnntut.widgets.digits import DigitExplorer, digit_explorer, digit_figure
from cnntut.widgets.feature_maps import (
    FeatureMapExplorer,
    feature_map_explorer,
    feature_map_figure,
    layer_activations,
    map_layer_names,
)
from cnntut.widgets.playground import (
    CallbackPlayground,
    callback_playground,
    callback_replay_figure,
    replay_summary,
)
from cnntut.widgets.replay import replay_callbacks

__all__ = [
    "CallbackPlayground",
    "DigitExplorer",
    "FeatureMapExplorer",
    "callback_playground",
    "callback_replay_figure",
    "digit_explorer",
    "digit_figure",
    "feature_map_explorer",
    "feature_map_figure",
    "layer_activations",
    "map_layer_names",
    "replay_callbacks",
    "replay_summary",
]
