"""The training set-ups the benchmark compares, and how each one is described.

A `Variant` is one way to run `model.fit` on the book's CNN: how the data is
fed, the batch size, and the switches (XLA, mixed precision, thread pools,
several steps per call, oneDNN) that may make it faster on a CPU. `ARTICLE` is
the source article's set-up; the benchmark searches the others.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

PIPELINES = ("numpy", "tf.data")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


@dataclass(frozen=True)
class Variant:
    """One training set-up. The defaults are the source article's `model.fit(x, y)`.

    Args:
        batch_size: images per step. Defaults to `32` (Keras's default).
        pipeline: `"numpy"` (arrays passed to `fit`) or `"tf.data"` (a
            `Dataset` with cache, shuffle, batch, prefetch). Defaults to `"numpy"`.
        jit_compile: compile the training step with XLA. Defaults to `False`
            (Keras's `"auto"`, which means no XLA on a CPU-only machine).
        precision: a Keras dtype policy, `"float32"`, `"mixed_float16"` or
            `"mixed_bfloat16"`. Defaults to `"float32"`.
        steps_per_execution: training steps per call of the compiled function
            (fewer trips back to Python). Defaults to `1`.
        inter_op_threads: TensorFlow's pool for independent ops; `0` keeps
            TensorFlow's choice. Needs a fresh process. Defaults to `0`.
        intra_op_threads: TensorFlow's pool inside one op; `0` keeps
            TensorFlow's choice. Needs a fresh process. Defaults to `0`.
        onednn: use TensorFlow's oneDNN kernels (`TF_ENABLE_ONEDNN_OPTS`).
            Needs a fresh process. Defaults to `True`.

    Raises:
        ValueError: a field is out of range; the message quotes it.
    """

    batch_size: int = 32
    pipeline: str = "numpy"
    jit_compile: bool = False
    precision: str = "float32"
    steps_per_execution: int = 1
    inter_op_threads: int = 0
    intra_op_threads: int = 0
    onednn: bool = True

    def __post_init__(self) -> None:
        for name in ("batch_size", "steps_per_execution"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1. Received: {name}={value!r}")
        for name in ("inter_op_threads", "intra_op_threads"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0. Received: {name}={value!r}")
        if self.pipeline not in PIPELINES:
            raise ValueError(f"pipeline must be one of {PIPELINES}. Received: {self.pipeline!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}. Received: {self.precision!r}")

    @property
    def label(self) -> str:
        """A short description, e.g. `"tf.data, batch 256, XLA"` or `"..., bfloat16 mixed"`."""
        parts = [self.pipeline, f"batch {self.batch_size}"]
        if self.jit_compile:
            parts.append("XLA")
        if self.precision != "float32":
            parts.append(self.precision.replace("mixed_b", "b").replace("mixed_", "") + " mixed")
        if self.steps_per_execution != 1:
            parts.append(f"{self.steps_per_execution} steps/call")
        if self.inter_op_threads or self.intra_op_threads:
            parts.append(f"threads {self.inter_op_threads}/{self.intra_op_threads}")
        if not self.onednn:
            parts.append("oneDNN off")
        return ", ".join(parts)

    @property
    def needs_fresh_process(self) -> bool:
        """Whether a setting only takes effect before TensorFlow's runtime starts."""
        return bool(self.inter_op_threads or self.intra_op_threads or not self.onednn)

    def environment(self) -> dict[str, str]:
        """Environment variables a fresh process needs for this variant."""
        return {} if self.onednn else {"TF_ENABLE_ONEDNN_OPTS": "0"}

    def replace(self, **changes) -> Variant:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The fields and the label, for JSON."""
        return {**dataclasses.asdict(self), "label": self.label}

    @classmethod
    def from_dict(cls, data: dict) -> Variant:
        """Rebuild a variant from `to_dict()` output (the label is ignored)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in fields})


ARTICLE = Variant()
"""The source article's set-up: NumPy arrays into `fit`, batch 32, float32."""


def option_changes(cpu_count: int) -> dict[str, dict]:
    """The single changes the benchmark tries on top of the best batch size.

    The names are those of `cnntut.bench.report.OPTION_DESCRIPTIONS`, which
    says in words what each one does.

    Args:
        cpu_count: the machine's cores, for the thread-pool setting.

    Returns:
        Option name -> the `Variant` fields it changes.
    """
    return {
        "numpy": {"pipeline": "numpy"},
        "xla": {"jit_compile": True},
        "steps": {"steps_per_execution": 16},
        "threads": {"inter_op_threads": 1, "intra_op_threads": max(1, cpu_count)},
        "bf16": {"precision": "mixed_bfloat16"},
        "fp16": {"precision": "mixed_float16"},
        "onednn-off": {"onednn": False},
    }
