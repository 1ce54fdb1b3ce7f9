"""Callbacks for the book.

`custom` is generated from chapter 5 (`make export`): the callbacks written out
there. `atomic_checkpoint` and `interrupt` are plumbing for chapters 4 and 8.
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
