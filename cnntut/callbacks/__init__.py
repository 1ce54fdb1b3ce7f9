"""Callbacks for the book.

`custom` is generated from chapter 4 (`make export`): the callbacks written out
there. `atomic_checkpoint` and `interrupt` are plumbing for chapters 3 and 6.
"""

from cnntut.callbacks.atomic_checkpoint import AtomicCheckpoint
from cnntut.callbacks.custom import (
    ConfusionMatrixLogger,
    EpochTimer,
    HookLogger,
    LiveLearningCurves,
    LRTracker,
    StopAtAccuracy,
)
from cnntut.callbacks.interrupt import InterruptAtEpoch, TrainingInterrupted

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
]
