"""Facts about the book's own notebooks: how long each took when its outputs were made.

Executing and timing them is maintainer tooling, outside the package:
`python -m booktools.notebooks` (what `make notebooks` runs).
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

_STATED = re.compile(r"\*\*Run time\*\*:\s*about\s+(\d+(?:\.\d+)?)\s*(s|min)\b")


def notebook_run_time(path: str | os.PathLike) -> float:
    """Seconds from the first code cell's start to the last one's reply.

    The timestamps are those Jupyter stored (`execution` metadata) with the outputs.

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: the notebook is not valid JSON or carries no execution timestamps (it
            was never executed, or its metadata was stripped).
    """
    path = Path(path)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise ValueError(f"{path} is not a notebook: {exc}") from exc
    try:
        return _seconds(cells)
    except (IndexError, KeyError) as exc:
        raise ValueError(f"{path} carries no execution timestamps; run `make notebooks`") from exc


def _seconds(cells: list) -> float:
    """First code cell's start to the last reply, from the cells' execution metadata."""
    stamps = [
        cell["metadata"]["execution"]
        for cell in cells
        if cell["cell_type"] == "code" and "execution" in cell.get("metadata", {})
    ]
    start = _time(stamps[0]["iopub.execute_input"])
    end = max(_time(stamp["shell.execute_reply"]) for stamp in stamps)
    return (end - start).total_seconds()


def stated_run_time(path: str | os.PathLike) -> float | None:
    """The run time a notebook announces ("**Run time**: about 40 s"), in seconds, or `None`."""
    return _stated(path, _STATED, 1)


def chapter_run_times(folder: str | os.PathLike) -> dict[str, float]:
    """`{stem: seconds}` of every executed notebook in `folder`, in file-name order.

    Raises:
        FileNotFoundError: the folder does not exist or holds no notebooks.
    """
    paths = sorted(Path(folder).glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks in {folder}")
    return {path.stem: notebook_run_time(path) for path in paths}


FULL_RUN_TIMES = Path(__file__).resolve().parent.parent / "benchmarks" / "full_data_run_times.json"
_STATED_FULL = re.compile(
    r"\*\*Run time\*\*:.*?about\s+(\d+(?:\.\d+)?)\s*(s|min)\b.*?"
    r"`CNNTUT_DATA=full`[^.]*?about\s+(\d+(?:\.\d+)?)\s*(s|min)\b",
    re.S,
)


def stated_full_run_time(path: str | os.PathLike) -> float | None:
    """The run time a notebook announces for the full MNIST, in seconds, or `None`.

    It is the second figure of the "**Run time**" line, after `CNNTUT_DATA=full`:
    "**Run time**: about 20 s ... (with `CNNTUT_DATA=full`, about 3 min)".
    """
    return _stated(path, _STATED_FULL, 3)


def _stated(path: str | os.PathLike, pattern: re.Pattern, group: int) -> float | None:
    """Seconds from groups `group` (value) and `group + 1` (unit) of the first markdown match."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            match = pattern.search("".join(cell["source"]))
            if match:
                value, unit = float(match.group(group)), match.group(group + 1)
                return value * 60 if unit == "min" else value
    return None


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
