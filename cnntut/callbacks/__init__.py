"""Callbacks for the book, written the way Keras writes its own (one class per file)."""

from cnntut.callbacks.atomic_checkpoint import AtomicCheckpoint
from cnntut.callbacks.confusion import ConfusionMatrixLogger
from cnntut.callbacks.epoch_timer import EpochTimer
from cnntut.callbacks.hook_logger import HookLogger
from cnntut.callbacks.interrupt import InterruptAtEpoch, TrainingInterrupted
from cnntut.callbacks.live_plot import LiveLearningCurves
from cnntut.callbacks.lr_tracker import LRTracker
from cnntut.callbacks.stop_at_accuracy import StopAtAccuracy
from cnntut.callbacks.warmup import WarmUpScheduler

__all__ = [
    "AtomicCheckpoint",
    "ConfusionMatrixLogger",
    "EpochTimer",
    "HookLogger",
    "InterruptAtEpoch",
    "LRTracker",
    "LiveLearningCurves",
    "StopAtAccuracy",
    "TrainingInterrupted",
    "WarmUpScheduler",
]
