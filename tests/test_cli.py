"""Tests of `python -m cnntut`: arguments, errors, and short real training runs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cnntut.cli import main
from cnntut.data import load_mnist, preprocess, save_mnist_npz

# TensorFlow's C++ start-up lines, printed to stderr when it is imported.
NATIVE_LOG = re.compile(r"^(WARNING: All log messages before absl|[IWEF]\d{4} )")


@pytest.fixture(scope="module")
def tiny_npz(tmp_path_factory) -> Path:
    """A mnist.npz of 96 training and 24 test digits from the bundled sample."""
    (x_train, y_train), (x_test, y_test) = load_mnist(download=False, verbose=False)
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    return save_mnist_npz(path, (x_train[:96], y_train[:96]), (x_test[:24], y_test[:24]))


def run_main(argv: list[str]) -> int:
    """Call `main(argv)` and return its exit status, whether returned or raised."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_main_help_lists_train_command(capsys):
    assert run_main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "train" in out and "COMMAND" in out


def test_train_help_documents_every_option(capsys):
    assert run_main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--epochs", "--batch-size", "--seed", "--data", "--out", "--logdir"):
        assert option in out
    assert "preprocess()" in out and "probabilities" in out
    assert "(default: 30)" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "required: COMMAND"),
        (["bench-nonexistent"], "invalid choice: 'bench-nonexistent'"),
        (["train", "--epochs", "0"], "--epochs: must be an integer >= 1. Received: 0"),
        (["train", "--epochs", "ten"], "--epochs: must be an integer >= 1. Received: 'ten'"),
        (["train", "--batch-size", "-5"], "--batch-size: must be an integer >= 1. Received: -5"),
        (["train", "--seed", "-1"], "--seed: must be an integer >= 0. Received: -1"),
        (["train", "--seed", str(2**32)], "--seed: must be below 2**32"),
        (["train", "--learning-rate", "0.1"], "unrecognized arguments: --learning-rate"),
    ],
)
def test_main_rejects_bad_arguments_in_one_line(capsys, argv, expected):
    assert run_main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "error:" in err and expected in err


def test_main_rejects_out_without_keras_suffix(capsys, tmp_path):
    assert run_main(["train", "--out", str(tmp_path / "model.h5")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "must end in .keras" in err and "model.h5" in err


def test_main_rejects_out_in_missing_folder(capsys, tmp_path):
    out = tmp_path / "no" / "such" / "model.keras"
    assert run_main(["train", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err and str(out.parent) in err


def test_main_rejects_out_in_unwritable_folder(capsys, tmp_path):
    # A file where the folder should be: unwritable for root too.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    assert run_main(["train", "--out", str(blocker / "model.keras")]) == 2
    assert "argument --out" in capsys.readouterr().err


def test_main_rejects_out_that_is_a_folder(capsys, tmp_path):
    folder = tmp_path / "model.keras"
    folder.mkdir()
    assert run_main(["train", "--out", str(folder)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_main_rejects_missing_data_file(capsys, tmp_path):
    missing = tmp_path / "missing.npz"
    assert run_main(["train", "--data", str(missing), "--out", str(tmp_path / "m.keras")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--data" in err and "does not exist" in err


def test_main_rejects_data_that_is_not_mnist(capsys, tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, images=np.zeros((2, 28, 28), np.uint8))
    assert run_main(["train", "--data", str(bad), "--out", str(tmp_path / "m.keras")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--data" in err and "lacks" in err
    assert not (tmp_path / "m.keras").exists()


def test_main_rejects_logdir_that_is_a_file(capsys, tmp_path):
    logfile = tmp_path / "logs"
    logfile.write_text("")
    assert run_main(["train", "--logdir", str(logfile), "--out", str(tmp_path / "m.keras")]) == 2
    assert "--logdir" in capsys.readouterr().err


def test_main_train_one_epoch_saves_a_usable_model(capsys, tmp_path, tiny_npz):
    import keras

    out, logdir = tmp_path / "best.keras", tmp_path / "logs"
    argv = ["train", "--epochs", "1", "--batch-size", "32", "--seed", "3"]
    status = run_main([*argv, "--data", str(tiny_npz), "--out", str(out), "--logdir", str(logdir)])

    stdout = capsys.readouterr().out
    assert status == 0
    assert re.search(r"^epoch 1/1 .*val_acc \d\.\d{4} .* s$", stdout, re.MULTILINE), stdout
    assert re.search(r"^test accuracy \d\.\d{4} \(\d+/24\).* s\)$", stdout, re.MULTILINE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras", "logs"]  # no temp files
    assert list(logdir.rglob("events.out.tfevents.*"))

    model = keras.models.load_model(out, safe_mode=True)
    (_, _), (x_test, y_test) = load_mnist(tiny_npz, verbose=False)
    probabilities = model.predict(preprocess(x_test), verbose=0)
    assert probabilities.shape == (24, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cnntut", *args]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "CNNTUT_OFFLINE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONUNBUFFERED": "1",
    }


def _our_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line and not NATIVE_LOG.match(line)]


def _start_until_epoch(argv: list[str], pattern: str, **popen) -> subprocess.Popen:
    """Start a training run and return once its progress line matches `pattern`."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=_env(), **popen)
    deadline = time.monotonic() + 240
    line = ""
    while not re.match(pattern, line) and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            proc.kill()
            raise AssertionError(f"training ended before {pattern!r}")
    return proc


def test_python_m_cnntut_exits_2_with_one_line(tmp_path):
    done = subprocess.run(
        _cli("train", "--epochs", "-3"), capture_output=True, text=True, env=_env(), timeout=300
    )
    assert done.returncode == 2
    assert _our_lines(done.stderr) == [
        "python -m cnntut train: error: argument --epochs: must be an integer >= 1. Received: -3"
    ]


def test_python_m_cnntut_sigterm_keeps_backup_and_resumes(tmp_path, tiny_npz):
    out = tmp_path / "best.keras"
    argv = _cli(
        "train", "--epochs", "10", "--batch-size", "32", "--data", str(tiny_npz), "--out", str(out)
    )
    proc = _start_until_epoch(argv, r"epoch\s+2/10", stderr=subprocess.PIPE)
    try:
        proc.send_signal(signal.SIGTERM)
        stdout_rest, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert "stopped by SIGTERM" in stderr
    assert (tmp_path / "best.keras.backup").is_dir()
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]

    again = subprocess.run(argv, capture_output=True, text=True, env=_env(), timeout=300)
    assert again.returncode == 0, again.stderr
    assert "resuming from" in again.stdout
    assert "epoch  1/10" not in again.stdout and "epoch 10/10" in again.stdout
    assert not (tmp_path / "best.keras.backup").exists()
    assert out.is_file()


def test_python_m_cnntut_sigkill_resumes_from_last_finished_epoch(tmp_path, tiny_npz):
    """A process killed outright (no handler runs) still resumes, and its model file is whole."""
    import keras

    out = tmp_path / "best.keras"
    argv = _cli(
        "train", "--epochs", "8", "--batch-size", "32", "--data", str(tiny_npz), "--out", str(out)
    )
    proc = _start_until_epoch(argv, r"epoch\s+3/8", stderr=subprocess.DEVNULL)
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert (tmp_path / "best.keras.backup").is_dir(), "no backup survived the kill"
    if out.exists():  # written atomically: whatever is there must load
        keras.models.load_model(out, safe_mode=True)

    again = subprocess.run(argv, capture_output=True, text=True, env=_env(), timeout=300)
    assert again.returncode == 0, again.stderr
    epochs = [int(m) for m in re.findall(r"^epoch\s+(\d+)/8", again.stdout, re.M)]
    assert "resuming from" in again.stdout
    assert epochs and 2 <= epochs[0] <= 4, f"resumed at epoch {epochs[:1]}, expected after 1-3"
    assert epochs[-1] == 8
    model = keras.models.load_model(out, safe_mode=True)
    probs = model.predict(preprocess(load_mnist(tiny_npz, verbose=False)[1][0]), verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_format_command_help_matches_train_help(capsys):
    from cnntut.cli import format_command_help

    text = format_command_help("train")
    assert text.startswith("usage: python -m cnntut train")
    with pytest.raises(KeyError, match="'train'"):
        format_command_help("nope")


def test_main_bench_subcommand_forwards_its_options(capsys):
    assert run_main(["--help"]) == 0
    assert "bench" in capsys.readouterr().out
    assert run_main(["bench", "--help"]) == 0
    assert "--quick" in capsys.readouterr().out
    assert run_main(["bench", "--images", "-5"]) == 2
