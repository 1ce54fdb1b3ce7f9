"""Read TensorBoard's scalar summaries back from its event files, and plot them.

`keras.callbacks.TensorBoard(log_dir=...)` writes `train/` and `validation/` run folders of
event files, tagged `epoch_<name>` with the epoch as the step. A static book cannot run
TensorBoard's server, so `read_scalars` loads the files with its `EventAccumulator`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

EVENT_FILE_GLOB = "events.out.tfevents.*"

Scalars = dict[str, dict[str, list[tuple[int, float]]]]


def find_event_files(logdir: str | os.PathLike) -> list[Path]:
    """List the `events.out.tfevents.*` files under a log folder, sorted by run and time.

    Raises:
        FileNotFoundError: `logdir` does not exist, or holds no event file.
        NotADirectoryError: `logdir` is a file.
    """
    logdir = Path(logdir)
    if not logdir.exists():
        raise FileNotFoundError(f"TensorBoard log folder not found. Received: logdir={logdir}")
    if not logdir.is_dir():
        raise NotADirectoryError(
            f"logdir must be a folder of TensorBoard runs. Received: logdir={logdir}"
        )
    files = sorted(p for p in logdir.rglob(EVENT_FILE_GLOB) if p.is_file())
    if not files:
        raise FileNotFoundError(
            f"no TensorBoard event files ({EVENT_FILE_GLOB}) under {logdir}; "
            "has a fit() with a TensorBoard callback written there? Received: "
            f"logdir={logdir}"
        )
    return files


def read_scalars(logdir: str | os.PathLike) -> Scalars:
    """Read every scalar summary under a TensorBoard log folder.

    Every value and every step is kept, even a step that goes back (TensorBoard would drop
    it as "orphaned"). Both TF1 `simple_value`s and the scalar tensors of Keras 3's callback
    are read; other summaries are skipped, and a record cut off at the end of a file (one
    still being written) ends that file without an error.

    Returns:
        `{run: {tag: [(step, value), ...]}}`, `run` being the folder relative to `logdir`
        (`"train"`, `"validation"`, or `"."`), pairs sorted by step (ties in written order).

    Raises:
        FileNotFoundError: `logdir` does not exist, or holds no event file.
        NotADirectoryError: `logdir` is a file.
    """
    logdir = Path(logdir)
    scalars: Scalars = {}
    for folder in sorted({path.parent for path in find_event_files(logdir)}):
        tags = _folder_scalars(folder)
        if tags:
            scalars[folder.relative_to(logdir).as_posix()] = tags
    return scalars


def plot_scalars(
    scalars: Scalars,
    tags: Sequence[str] | None = None,
    *,
    runs: Sequence[str] | None = None,
    log_scale: Sequence[str] = ("epoch_learning_rate",),
    step_offset: int = 0,
    xlabel: str = "step",
) -> Figure:
    """Draw scalar summaries as TensorBoard's Scalars tab does: a panel per tag.

    Args:
        scalars: what `read_scalars` returns.
        tags: the tags to draw, one panel each; `None` means all, alphabetically.
        runs: the runs to draw, one line each; `None` means all.
        log_scale: tags whose panel gets a logarithmic y axis.
        step_offset: added to every step, e.g. `1` to number epochs as Keras's logs do.

    Raises:
        ValueError: `scalars` is empty, or `runs` is empty.
        KeyError: a requested run or tag is not in `scalars`; the message lists those there are.
    """
    if not scalars:
        raise ValueError("scalars is empty: read_scalars found no scalar summaries")
    runs = list(scalars) if runs is None else list(runs)
    if not runs:
        raise ValueError(f"runs must name at least one run. Received: runs={runs}")
    unknown_runs = [run for run in runs if run not in scalars]
    if unknown_runs:
        raise KeyError(f"no run {unknown_runs} in the scalars; they have {sorted(scalars)}")
    available = sorted({tag for run in runs for tag in scalars[run]})
    tags = available if tags is None else list(tags)
    unknown_tags = [tag for tag in tags if tag not in available]
    if unknown_tags or not tags:
        raise KeyError(f"no tag {unknown_tags or tags} in runs {runs}; they have {available}")

    fig, axes = plt.subplots(1, len(tags), figsize=(4.2 * len(tags), 3.2), squeeze=False)
    for ax, tag in zip(axes.flat, tags, strict=True):
        for run in runs:
            if tag in scalars[run]:
                steps, values = zip(*scalars[run][tag], strict=True)
                ax.plot(np.asarray(steps) + step_offset, values, "o-", ms=3, label=run)
        if tag in log_scale:
            ax.set_yscale("log")
        ax.set_title(tag)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def _folder_scalars(folder: Path) -> dict[str, list[tuple[int, float]]]:
    """`{tag: [(step, value), ...]}` of the event files directly in `folder`."""
    from tensorboard.backend.event_processing import event_accumulator as ea
    from tensorboard.util import tensor_util

    accumulator = ea.EventAccumulator(
        str(folder), size_guidance={ea.SCALARS: 0, ea.TENSORS: 0}, purge_orphaned_data=False
    )
    accumulator.Reload()
    tags = accumulator.Tags()
    found = {
        tag: [(event.step, float(event.value)) for event in accumulator.Scalars(tag)]
        for tag in tags[ea.SCALARS]
    }
    for tag in tags[ea.TENSORS]:
        if accumulator.SummaryMetadata(tag).plugin_data.plugin_name not in ("", "scalars"):
            continue
        arrays = [
            (event.step, tensor_util.make_ndarray(event.tensor_proto))
            for event in accumulator.Tensors(tag)
        ]
        if all(a.size == 1 and a.dtype.kind in "fiub" for _, a in arrays):
            found[tag] = [(step, float(a.reshape(()))) for step, a in arrays]
    # A stable sort: values with the same step keep the order they were written in.
    return {tag: sorted(pairs, key=lambda pair: pair[0]) for tag, pairs in found.items()}
