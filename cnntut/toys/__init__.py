"""Toy detection and segmentation, built from the article's CNN blocks.

The article names three uses of a CNN: classifying an image, detecting objects
in it (pedestrians, for a self-driving car) and segmenting it (marking every
pixel of a satellite image as road, water, field...). The real data sets are
large; these toys keep the idea and fit on a laptop CPU:

- `make_canvases()` (in `canvases`) places each MNIST digit at a random spot on
  a larger canvas and returns the digit's pixel mask (the target of
  segmentation) and its bounding box (the target of detection).
- `build_segmenter()` keeps the article's Conv2D/MaxPooling blocks and swaps the
  Flatten/Dense head for upsampling, so that the output is a map of the same
  size as the input: one probability per pixel. `build_unet()` adds a skip
  connection that carries the full-resolution features past the pooling.
- `build_detector()` keeps the blocks and the Flatten/Dense head and gives the
  model two outputs: *what* (the digit's class) and *where* (its box).
- `mask_iou()` and `box_iou()` score the answers; `plot_segmentation()` and
  `plot_detections()` draw them.
"""

from cnntut.toys.canvases import Canvases, box_iou, make_canvases, mask_iou
from cnntut.toys.models import build_detector, build_segmenter, build_unet
from cnntut.toys.plots import plot_detections, plot_segmentation

__all__ = [
    "Canvases",
    "box_iou",
    "build_detector",
    "build_segmenter",
    "build_unet",
    "make_canvases",
    "mask_iou",
    "plot_detections",
    "plot_segmentation",
]
