"""The data and the scoring of chapter 6's toy detection and segmentation tasks.

The article names three uses of a CNN: classifying, detecting objects and segmenting pixels.
`make_canvases()` places MNIST digits on larger canvases with their masks (segmentation) and
boxes (detection); `mask_iou()` and `box_iou()` score answers, `plot_segmentation()` and
`plot_detections()` draw them. The models are in `cnntut.applications`.
"""

from cnntut.toys.canvases import Canvases, box_iou, make_canvases, mask_iou
from cnntut.toys.plots import plot_detections, plot_segmentation

__all__ = [
    "Canvases",
    "box_iou",
    "make_canvases",
    "mask_iou",
    "plot_detections",
    "plot_segmentation",
]
