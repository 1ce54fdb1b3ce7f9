"""Wall time of the book's own chores: building the HTML book, running the tests.

Both run as child processes from the repository root. The book is built into a
fresh temporary folder, so nothing is reused from an earlier build; it renders
the outputs stored in the notebooks and runs no chapter code. The default test
run is the unit tests (`pytest tests`, which includes one strict book build);
`suite=True` runs everything `pytest` collects, every chapter notebook
included, which takes several minutes. Children get `CNNTUT_BENCH_CHILD=1`, so
a test that calls the benchmark cannot start another timing of the test suite.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.worker import CHILD_ENV


@dataclass(frozen=True)
class WallTime:
    """How long one command took.

    Attributes:
        label: what was timed, e.g. `"book build"`.
        command: the command line, as a reader would type it.
        seconds: wall-clock seconds.
        returncode: the command's exit status (0: it succeeded).
    """

    label: str
    command: str
    seconds: float
    returncode: int

    def to_dict(self) -> dict:
        """The fields, for JSON."""
        return asdict(self)


def find_root(start: str | os.PathLike | None = None) -> Path | None:
    """The book's source folder (the one with `_toc.yml`), or `None` outside a checkout.

    Args:
        start: where to look. Defaults to the folder above this `benchmarks` package.
    """
    root = Path(start) if start else Path(__file__).resolve().parents[1]
    return root if (root / "_toc.yml").is_file() else None


def time_command(
    label: str,
    command: list[str],
    *,
    cwd: str | os.PathLike,
    shown: str | None = None,
    timeout: float = 3600.0,
) -> WallTime:
    """Run `command` in `cwd`, quietly, and return how long it took.

    Args:
        label: what is timed.
        command: the program and its arguments.
        cwd: the folder to run it in.
        shown: the command as the report prints it (without this machine's
            paths). Defaults to `command` joined.
        timeout: seconds before it is stopped. Defaults to `3600.0`.

    Returns:
        A `WallTime`; a failed command still has its time and return code.

    Raises:
        subprocess.TimeoutExpired: the command ran longer than `timeout` seconds.
    """
    env = {**os.environ, CHILD_ENV: "1", "CNNTUT_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    seconds = time.perf_counter() - started
    shown = shown or " ".join(shlex.quote(part) for part in command)
    return WallTime(label=label, command=shown, seconds=seconds, returncode=done.returncode)


def time_book_build(root: str | os.PathLike) -> WallTime:
    """Time `jupyter-book build` of the book at `root` into an empty temporary folder."""
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    with tempfile.TemporaryDirectory(prefix="cnntut-bench-book-") as out:
        return time_command(
            "book build",
            [jupyter_book, "build", ".", "--path-output", out],
            cwd=root,
            shown="jupyter-book build . --path-output <empty temporary folder>",
        )


def time_tests(root: str | os.PathLike, *, suite: bool = False) -> WallTime:
    """Time the unit tests (`pytest tests -q`), or with `suite=True` all of `pytest -q`."""
    command = [sys.executable, "-m", "pytest", "-q"] + ([] if suite else ["tests"])
    shown = "python -m pytest -q" + ("" if suite else " tests")
    return time_command("test suite" if suite else "unit tests", command, cwd=root, shown=shown)
