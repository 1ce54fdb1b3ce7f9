"""Execute the book's notebooks in place, or time them: maintainer tooling.

`python -m booktools.notebooks NOTEBOOK...` runs each notebook top to bottom in
a fresh kernel and stores its outputs (what `make notebooks` does);
`python -m booktools.notebooks --time FILE NOTEBOOK...` only times them and
writes the figures to FILE. Reading the stored run times back is
`cnntut.book`'s job, which the instructors' page and the tests use.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from cnntut.book import _seconds, notebook_run_time


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


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def reader_traceback(output: dict) -> dict:
    """An error output with the library frames cut: the cell's own line and the message.

    IPython stores one entry per frame, and a library frame starts with the file's
    absolute path (`File /home/.../site-packages/keras/...`): the build machine's
    paths, and pages of Keras internals, in the middle of a lesson. What a reader
    needs is the line of their cell that failed and the exception; `%xmode Minimal`
    would show only the exception.
    """
    if output.get("output_type") == "error":
        output["traceback"] = [
            entry
            for entry in output["traceback"]
            if not _ANSI.sub("", entry).lstrip().startswith("File ")
        ]
    return output


def execute_notebook(path: str | os.PathLike, *, timeout: int = 600) -> float:
    """Run a notebook top to bottom in a fresh kernel and store its outputs in place.

    Like `jupyter execute --inplace`, with three differences: the kernel runs in
    the notebook's own folder; no widget state is stored (it would only make the
    file large; the book pairs every widget with a static figure instead); and
    TensorFlow's C++ start-up lines are removed from stderr (`strip_native_logs`),
    and tracebacks keep only the cell's own frame and the message (`reader_traceback`).
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
    `CNNTUT_DATA=full python -m booktools.notebooks --time ...` times a chapter on the
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
            cell.outputs = [reader_traceback(o) for o in _without_native_logs(cell.outputs)]
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
        "what": "wall time of each notebook, executed top to bottom by booktools.notebooks",
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


def main(argv: list[str] | None = None) -> int:
    """`python -m booktools.notebooks NOTEBOOK...`: execute in place and store the outputs;
    `python -m booktools.notebooks --time FILE NOTEBOOK...`: time them, write FILE."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m booktools.notebooks", description=main.__doc__)
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
