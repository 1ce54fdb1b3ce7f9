"""Helpers for the book *Building CNNs with Keras, and steering training with callbacks*."""

from cnntut.data import load_mnist, preprocess
from cnntut.models import build_cnn, compile_cnn
from cnntut.repro import set_seed

__all__ = ["build_cnn", "compile_cnn", "load_mnist", "preprocess", "set_seed"]
__version__ = "0.1.0"
