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
    Cells tagged `raises-exception` may fail; any other error stops the run and
    leaves the file untouched.

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

    path = Path(path)
    notebook = _run(path, timeout)
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(notebook, tmp)
    os.replace(tmp, path)
    return notebook_run_time(path)


def time_notebook(path: str | os.PathLike, *, timeout: int = 3600) -> float:
    """Run a notebook top to bottom in a fresh kernel and return its wall time in seconds.

    Like `execute_notebook`, but the outputs are not stored: the file is left as
    it was (what the notebook itself writes, such as its `artifacts/` folder, is
    written as usual). The kernel inherits this process's environment, so
    `CNNTUT_DATA=full python -m cnntut.book --time ...` times a chapter on the
    full MNIST.

    Args:
        path: the `.ipynb` to run.
        timeout: seconds one cell may take. Defaults to `3600`.

    Returns:
        Seconds from the first code cell's start to the last one's reply.

    Raises:
        FileNotFoundError: `path` does not exist.
        nbclient.exceptions.CellExecutionError: a cell failed.
    """
    notebook = _run(Path(path), timeout)
    return _seconds(notebook.cells)


def _run(path: Path, timeout: int):
    """Execute a notebook in its own folder; return it with outputs, widget state dropped."""
    import nbformat
    from nbclient import NotebookClient

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
    return notebook


def write_run_times(paths: list[str | os.PathLike], out: str | os.PathLike) -> dict:
    """Time each notebook with `time_notebook` and write the figures to a JSON file.

    The file records the machine and the data source (`$CNNTUT_DATA`) with the
    seconds per notebook stem; it is rewritten after each notebook, under a
    temporary name and then renamed, so an interrupted run leaves a whole file.

    Args:
        paths: the notebooks, in the order to run them.
        out: the JSON file to write.

    Returns:
        What was written.
    """
    from cnntut.bench.machine import cpu_model, utc_now, vector_isa

    report = {
        "what": "wall time of each notebook, executed top to bottom by cnntut.book",
        "data": os.environ.get("CNNTUT_DATA") or "sample",
        "cpu": f"{cpu_model()} ({vector_isa()}), {os.cpu_count()} cores",
        "date": utc_now(),
        "seconds": {},
    }
    out = Path(out)
    for path in paths:
        print(f"== {path}", flush=True)
        seconds = time_notebook(path)
        print(f"   {seconds:.0f} s", flush=True)
        report["seconds"][Path(path).stem] = round(seconds, 1)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(json.dumps(report, indent=1) + "\n")
        os.replace(tmp, out)
    return report


FULL_RUN_TIMES = Path(__file__).resolve().parent.parent / "benchmarks" / "full_data_run_times.json"
_STATED_FULL = re.compile(
    r"\*\*Run time\*\*:.*?about\s+(\d+(?:\.\d+)?)\s*(s|min)\b.*?"
    r"`CNNTUT_DATA=full`[^.]*?about\s+(\d+(?:\.\d+)?)\s*(s|min)\b",
    re.S,
)


def stated_full_run_time(path: str | os.PathLike) -> float | None:
    """The run time a notebook announces for the full MNIST, in seconds.

    It is the second figure of the "**Run time**" line, after `CNNTUT_DATA=full`:
    "**Run time**: about 20 s ... (with `CNNTUT_DATA=full`, about 3 min)".

    Args:
        path: a `.ipynb`.

    Returns:
        Seconds, or `None` when the notebook states no such figure.
    """
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            match = _STATED_FULL.search("".join(cell["source"]))
            if match:
                value, unit = float(match.group(3)), match.group(4)
                return value * 60 if unit == "min" else value
    return None


def main(argv: list[str] | None = None) -> int:
    """`python -m cnntut.book NOTEBOOK...`: execute in place and store the outputs;
    `python -m cnntut.book --time FILE NOTEBOOK...`: time them, write FILE."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cnntut.book", description=main.__doc__)
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    parser.add_argument(
        "--time",
        metavar="FILE",
        type=Path,
        help="run the notebooks without storing their outputs, and write their "
        "wall times to this JSON file",
    )
    args = parser.parse_args(argv)
    if args.time is not None:
        write_run_times(args.notebooks, args.time)
        return 0
    for name in args.notebooks:
        print(f"== {name}", flush=True)
        print(f"   {execute_notebook(name):.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
