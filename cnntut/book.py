"""Facts about the book's own notebooks: how long each took when its outputs were made."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

_STATED = re.compile(r"\*\*Run time\*\*:\s*about\s+(\d+(?:\.\d+)?)\s*(s|min)\b")


def notebook_run_time(path: str | os.PathLike) -> float:
    """Seconds from the first code cell's start to the last one's reply.

    Jupyter records when each cell ran in its metadata (`execution`); these are
    the timestamps of the run that produced the stored outputs.

    Args:
        path: an executed `.ipynb`.

    Returns:
        The wall time of that run, in seconds.

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: the notebook is not valid JSON or carries no execution
            timestamps (it was never executed, or its metadata was stripped).
    """
    path = Path(path)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise ValueError(f"{path} is not a notebook: {exc}") from exc
    stamps = [
        cell["metadata"]["execution"]
        for cell in cells
        if cell["cell_type"] == "code" and "execution" in cell.get("metadata", {})
    ]
    try:
        start = _time(stamps[0]["iopub.execute_input"])
        end = max(_time(s["shell.execute_reply"]) for s in stamps)
    except (IndexError, KeyError) as exc:
        raise ValueError(f"{path} carries no execution timestamps; run `make notebooks`") from exc
    return (end - start).total_seconds()


def stated_run_time(path: str | os.PathLike) -> float | None:
    """The run time a notebook announces ("**Run time**: about 40 s"), in seconds.

    Args:
        path: a `.ipynb`.

    Returns:
        Seconds, or `None` when no markdown cell states a run time.
    """
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            match = _STATED.search("".join(cell["source"]))
            if match:
                value, unit = float(match.group(1)), match.group(2)
                return value * 60 if unit == "min" else value
    return None


def chapter_run_times(folder: str | os.PathLike) -> dict[str, float]:
    """Run time in seconds of every executed notebook in `folder`, by file stem.

    Args:
        folder: a folder of `.ipynb` files.

    Returns:
        `{stem: seconds}` in file-name order.

    Raises:
        FileNotFoundError: the folder does not exist or holds no notebooks.
    """
    paths = sorted(Path(folder).glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks in {folder}")
    return {path.stem: notebook_run_time(path) for path in paths}


def _without_native_logs(outputs: list) -> list:
    """Outputs with TensorFlow's C++ lines cut from stderr; emptied streams dropped."""
    from cnntut.capture import strip_native_logs

    kept = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            output["text"] = strip_native_logs(output["text"])
            if not output["text"]:
                continue
        kept.append(output)
    return kept


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def execute_notebook(path: str | os.PathLike, *, timeout: int = 600) -> float:
    """Run a notebook top to bottom in a fresh kernel and store its outputs in place.

    Like `jupyter execute --inplace`, with three differences: the kernel runs in
    the notebook's own folder; no widget state is stored (it would only make the
    file large; the book pairs every widget with a static figure instead); and
    TensorFlow's C++ start-up lines are removed from stderr (`strip_native_logs`).
    Cells
    tagged `raises-exception` may fail; any other error stops the run and leaves
    the file untouched.

    Args:
        path: the `.ipynb` to run.
        timeout: seconds one cell may take. Defaults to `600`.

    Returns:
        The notebook's run time in seconds (see `notebook_run_time`).

    Raises:
        FileNotFoundError: `path` does not exist.
        nbclient.exceptions.CellExecutionError: a cell failed.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {path}")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        store_widget_state=False,
    )
    client.execute()
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = _without_native_logs(cell.outputs)
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(notebook, tmp)
    os.replace(tmp, path)
    return notebook_run_time(path)


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:]:
        print(f"== {name}", flush=True)
        print(f"   {execute_notebook(name):.0f} s", flush=True)
