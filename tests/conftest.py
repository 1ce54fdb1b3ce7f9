"""Shared test set-up: no network, a headless plotting backend, one book build."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

# Set before TensorFlow, matplotlib or a notebook kernel (which inherits the
# environment) starts, so that every test, nbval's included, stays offline and checks
# the book as published: on the bundled digits, whatever the reader's shell says.
os.environ["CNNTUT_OFFLINE"] = "1"
os.environ["CNNTUT_DATA"] = "sample"
os.environ.pop("CNNTUT_MNIST", None)
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# pytest-xdist runs several workers at once (pyproject.toml); each TensorFlow process,
# kernels included, gets its share of the cores instead of one thread per core, so
# that the workers do not spin against each other.
_share = max(1, (os.cpu_count() or 1) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(_share))
os.environ.setdefault("TF_NUM_INTEROP_THREADS", str(_share))

ROOT = Path(__file__).resolve().parent.parent
_LOOPBACK = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect


def _loopback_only(sock: socket.socket, address, *args, **kwargs):
    host = address[0] if isinstance(address, tuple) else str(address)
    if isinstance(host, str) and not host.startswith(_LOOPBACK) and sock.family != socket.AF_UNIX:
        raise OSError(f"tests must not use the network: connect to {address!r} refused")
    return _real_connect(sock, address, *args, **kwargs)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse any connection that leaves the machine."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """Build the book once per session, strictly, into a temporary folder.

    The build renders the outputs stored in the notebooks (execute_notebooks is
    off), so it takes seconds and runs no chapter code.
    """
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "jupyter-book"),
            "build",
            str(ROOT),
            "--path-output",
            str(out),
            "-W",
            "-n",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    html = out / "_build" / "html"
    if result.returncode == 0:  # as `make book`: reader notebooks behind the download buttons
        subprocess.run(
            [sys.executable, "-m", "booktools.editions", "downloads", str(html)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    return html, result


@pytest.fixture(scope="session")
def built_book_zh(built_book, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The Chinese edition, built strictly as `make book-zh` builds it: into `zh/` of
    the session's English book, which links to it."""
    from booktools import i18n

    html, english = built_book
    assert english.returncode == 0, (english.stdout + english.stderr)[-3000:]
    result = i18n.build_book(html, tmp_path_factory.mktemp("book-zh"))
    return html / "zh", result


def pytest_collection_modifyitems(session, config, items):
    """Longest notebooks first, then everything else in its usual order.

    With `--dist loadfile` each worker takes whole files in collection order; starting
    the long chapters first keeps one of them from running alone at the end.
    """
    from cnntut.book import stated_run_time

    seconds: dict[Path, float] = {}

    def weight(item) -> float:
        path = Path(str(item.fspath))
        if path.suffix != ".ipynb":
            return 0.0
        if path not in seconds:
            seconds[path] = stated_run_time(path) or 0.0
        return seconds[path]

    items.sort(key=weight, reverse=True)  # stable: unit tests keep their order
