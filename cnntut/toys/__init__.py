"""The data and the scoring of chapter 5's toy detection and segmentation tasks.

The article names three uses of a CNN: classifying an image, detecting objects
in it (pedestrians, for a self-driving car) and segmenting it (marking every
pixel of a satellite image as road, water, field...). The real data sets are
large; these toys keep the idea and fit on a laptop CPU:

- `make_canvases()` (in `canvases`) places each MNIST digit at a random spot on
  a larger canvas and returns the digit's pixel mask (the target of
  segmentation) and its bounding box (the target of detection).
- `mask_iou()` and `box_iou()` score the answers; `plot_segmentation()` and
  `plot_detections()` draw them.

The models that learn the tasks are written in the chapter itself and exported
to `cnntut.applications` (`build_segmenter`, `build_unet`, `build_detector`).
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
