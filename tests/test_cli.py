"""Tests of `python -m cnntut`: arguments, errors, and short real training runs."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cnntut.capture import strip_native_logs
from cnntut.cli import main
from cnntut.data import load_mnist, preprocess, save_mnist_npz


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


def test_main_train_one_epoch_prefers_the_keras_cache_and_saves_a_usable_model(
    capsys, tmp_path, tiny_npz, monkeypatch
):
    """Unlike the chapters, the command takes the full set when it is cached (source "auto")."""
    import keras

    monkeypatch.delenv("CNNTUT_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    cache = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(tiny_npz.read_bytes())
    out, logdir = tmp_path / "best.keras", tmp_path / "logs"
    argv = ["train", "--epochs", "1", "--batch-size", "32", "--seed", "3"]
    status = run_main([*argv, "--out", str(out), "--logdir", str(logdir)])

    stdout = capsys.readouterr().out
    assert status == 0
    assert "Keras cache" in stdout and "96 train / 24 test" in stdout
    assert re.search(r"^epoch 1/1 .*val_acc \d\.\d{4} .* s$", stdout, re.MULTILINE), stdout
    assert re.search(r"^test accuracy \d\.\d{4} \(\d+/24\).* s\)$", stdout, re.MULTILINE)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["best.keras", "keras_home", "logs"]  # no temp files
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
    return [line for line in strip_native_logs(stderr).splitlines() if line]


# Epochs of the interrupted runs below. A run is signalled two epochs after it starts
# or resumes, so at least KILL_EPOCHS - 6 epochs (about 0.3 s each here) stand
# between the signal and the end of the run: it cannot finish first.
KILL_EPOCHS = 24
LINE_DEADLINE_S = 240


def _read_until(proc: subprocess.Popen, pattern: str) -> list[str]:
    """Read `proc`'s stdout lines up to one that matches `pattern`; fail loudly if none does.

    Reads with a deadline (a blocking `readline()` would hang the suite if the child
    stalled), and fails if the child exits first.
    """
    deadline = time.monotonic() + LINE_DEADLINE_S
    lines: list[str] = []
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                raise AssertionError(
                    f"no line matching {pattern!r} within {LINE_DEADLINE_S} s; "
                    f"last lines: {lines[-3:]}"
                )
            if not selector.select(left):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                proc.wait(timeout=60)
                raise AssertionError(
                    f"training exited ({proc.returncode}) before a line matching "
                    f"{pattern!r}; last lines: {lines[-3:]}"
                )
            *complete, pending = (pending + chunk).split(b"\n")
            for raw in complete:
                lines.append(raw.decode())
                if re.match(pattern, lines[-1]):
                    return lines


def _epochs_printed(lines: list[str]) -> list[int]:
    return [int(m.group(1)) for line in lines if (m := re.match(r"^epoch\s+(\d+)/", line))]


def _signal_after_two_epochs(argv: list[str], signum: int) -> tuple[int, list[str], str]:
    """Run `argv`, send `signum` once two epochs have finished in this process.

    Returns:
        The exit status, every stdout line, and stderr.
    """
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    try:
        lines = _read_until(proc, r"^epoch\s+\d+/")
        lines += _read_until(proc, r"^epoch\s+\d+/")
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=120)  # what it printed before it ended
    finally:
        proc.kill()
    return proc.returncode, lines + stdout.decode().splitlines(), stderr.decode()


def test_python_m_cnntut_exits_2_with_one_line(tmp_path):
    done = subprocess.run(
        _cli("train", "--epochs", "-3"), capture_output=True, text=True, env=_env(), timeout=300
    )
    assert done.returncode == 2
    assert _our_lines(done.stderr) == [
        "python -m cnntut train: error: argument --epochs: must be an integer >= 1. Received: -3"
    ]


def test_python_m_cnntut_resumes_after_sigkill_and_after_sigterm(tmp_path, tiny_npz):
    """Killed outright, then stopped by SIGTERM: each rerun goes on after the last
    finished epoch, the model file is always whole, and the last rerun completes."""
    import keras

    out, backup = tmp_path / "best.keras", tmp_path / "best.keras.backup"
    argv = _cli(
        "train", "--epochs", str(KILL_EPOCHS), "--batch-size", "32",
        "--data", str(tiny_npz), "--out", str(out),
    )  # fmt: skip

    status, lines, _ = _signal_after_two_epochs(argv, signal.SIGKILL)
    assert status == -signal.SIGKILL
    killed_after = _epochs_printed(lines)[-1]
    assert killed_after < KILL_EPOCHS, "the run finished before the kill: raise KILL_EPOCHS"
    assert backup.is_dir(), "no backup survived the kill"
    if out.exists():  # written atomically: whatever is there must load
        keras.models.load_model(out, safe_mode=True)

    status, lines, stderr = _signal_after_two_epochs(argv, signal.SIGTERM)
    assert status == 128 + signal.SIGTERM, stderr[-2000:]
    assert "stopped by SIGTERM" in stderr
    assert any(line.startswith("training for") and "resuming from" in line for line in lines)
    epochs = _epochs_printed(lines)
    # An epoch's line is printed after its backup is written: the kill fell either
    # during the next epoch or between that epoch's backup and its line.
    assert killed_after + 1 <= epochs[0] <= killed_after + 2, (killed_after, epochs[:1])
    assert epochs[-1] < KILL_EPOCHS, "the run finished before SIGTERM: raise KILL_EPOCHS"
    assert backup.is_dir() and out.is_file()
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]

    again = subprocess.run(argv, capture_output=True, text=True, env=_env(), timeout=300)
    assert again.returncode == 0, again.stderr
    assert "resuming from" in again.stdout
    resumed = _epochs_printed(again.stdout.splitlines())
    assert epochs[-1] + 1 <= resumed[0] <= epochs[-1] + 2, (epochs[-1], resumed[:1])
    assert resumed[-1] == KILL_EPOCHS
    assert not backup.exists()
    model = keras.models.load_model(out, safe_mode=True)
    probs = model.predict(preprocess(load_mnist(tiny_npz, verbose=False)[1][0]), verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_format_command_help_matches_train_help(capsys):
    from cnntut.cli import format_command_help

    text = format_command_help("train")
    assert text.startswith("usage: python -m cnntut train")
    with pytest.raises(KeyError, match="'train'"):
        format_command_help("nope")


def test_main_bench_says_where_the_benchmark_moved(capsys):
    assert run_main(["--help"]) == 0
    assert "bench" not in capsys.readouterr().out
    assert run_main(["bench", "--quick"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "python -m benchmarks" in err


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_main_rerun_of_a_finished_command_keeps_the_model_and_says_what_to_do(
    capsys, tmp_path, tiny_npz
):
    out = tmp_path / "best.keras"
    argv = ["train", "--epochs", "1", "--batch-size", "32", "--data", str(tiny_npz)]
    assert run_main([*argv, "--out", str(out)]) == 0
    finished = out.read_bytes()
    capsys.readouterr()
    assert run_main([*argv, "--out", str(out)]) == 2
    err = one_error_line(capsys)
    assert "already exists" in err and "--overwrite" in err
    assert out.read_bytes() == finished
    assert run_main([*argv, "--out", str(out), "--overwrite"]) == 0
    assert out.read_bytes() != finished


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("digits.npy", lambda p: np.save(p, np.zeros((2, 28, 28), np.uint8)), ".npy"),
        ("empty.npz", lambda p: p.write_bytes(b""), "not a readable .npz"),
        ("notes.npz", lambda p: _zip_with(p, "readme.txt"), "lacks x_train"),
    ],
)
def test_main_rejects_data_files_that_are_not_mnist_archives(
    capsys, tmp_path, name, make, expected
):
    path = tmp_path / name
    make(path)
    assert run_main(["train", "--data", str(path), "--out", str(tmp_path / "m.keras")]) == 2
    err = one_error_line(capsys)
    assert "argument --data" in err and expected in err and str(path) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written


def _zip_with(path, member):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, "not an array")


def test_main_names_cnntut_mnist_not_data_for_a_bad_file_from_the_environment(
    capsys, tmp_path, monkeypatch
):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"")
    monkeypatch.setenv("CNNTUT_MNIST", str(bad))
    assert run_main(["train", "--out", str(tmp_path / "m.keras")]) == 2
    err = one_error_line(capsys)
    assert "$CNNTUT_MNIST" in err and "--data" not in err and str(bad) in err


def test_main_names_a_damaged_keras_cache_and_how_to_repair_it(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("CNNTUT_DATA", raising=False)
    monkeypatch.delenv("CNNTUT_MNIST", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    cache = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"PK\x03\x04 truncated download")
    assert run_main(["train", "--out", str(tmp_path / "m.keras")]) == 2
    err = one_error_line(capsys)
    assert str(cache) in err and "delete it" in err and "--data" not in err
    assert not (tmp_path / "m.keras").exists()


def test_main_rejects_a_batch_size_larger_than_the_training_split(capsys, tmp_path, tiny_npz):
    out = tmp_path / "m.keras"
    argv = ["train", "--batch-size", "1000", "--data", str(tiny_npz), "--out", str(out)]
    assert run_main(argv) == 2
    err = one_error_line(capsys)
    assert "--batch-size 1000 is larger than the 86" in err
    assert list(tmp_path.iterdir()) == []


def test_main_refuses_to_resume_with_another_seed(capsys, tmp_path, tiny_npz):
    from cnntut.callbacks import InterruptAtEpoch, TrainingInterrupted
    from cnntut.pipeline import TrainConfig, train

    out = tmp_path / "best.keras"
    config = TrainConfig(epochs=3, batch_size=32, seed=42, out=out, data=tiny_npz)
    with pytest.raises(TrainingInterrupted):
        data = load_mnist(tiny_npz, verbose=False)
        train(config, data, verbose=False, callbacks=[InterruptAtEpoch(1)])
    argv = ["train", "--epochs", "3", "--batch-size", "32", "--data", str(tiny_npz)]
    assert run_main([*argv, "--seed", "7", "--out", str(out)]) == 2
    err = one_error_line(capsys)
    assert "--seed differs" in err and "42" in err and "7" in err
    assert config.backup_dir.is_dir()


def test_main_after_a_stop_in_the_final_test_does_not_promise_a_resume(
    capsys, tmp_path, tiny_npz, monkeypatch
):
    """A second Ctrl-C during the final evaluation: fit is done and its backup gone."""
    import cnntut.pipeline
    from cnntut.pipeline import TrainingStopped

    out = tmp_path / "best.keras"

    def stopped_while_testing(config, data, **kwargs):
        out.write_bytes(b"the finished model")
        raise TrainingStopped(signal.SIGINT)

    monkeypatch.setattr(cnntut.pipeline, "train", stopped_while_testing, raising=False)
    assert run_main(["train", "--data", str(tiny_npz), "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "training had finished" in err and str(out) in err and "resume" not in err
