"""The command line: `python -m cnntut train ...` (and later subcommands beside it).

Each subcommand registers its arguments with `argparse` and a `run` function.
Usage errors print one line to stderr and exit with status 2, before anything is
written; a run stopped by SIGTERM or Ctrl-C exits with 128 + the signal number
after the current batch, leaving the best model file whole and the backup for a
resumed run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

PROG = "python -m cnntut"
EXIT_USAGE = 2
EXIT_FAILURE = 1


class UsageError(Exception):
    """A bad argument value found after parsing (a missing file, an unwritable folder)."""


class _Parser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors are one line: `prog: error: message`."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: the arguments after the program name. Defaults to `None`,
            meaning `sys.argv[1:]`.

    Returns:
        The exit status: 0 on success, 1 when training failed, 2 for a usage
        error, 128 + N when stopped by signal N.

    Raises:
        SystemExit: from argparse, for `--help` (status 0) and for arguments it
            cannot parse (status 2, after a one-line message on stderr).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # the old subcommand: say where it went
        print(
            f"{PROG}: error: the benchmark moved: run `python -m benchmarks` "
            "from the repository root",
            file=sys.stderr,
        )
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"{args.prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    """The parser of `python -m cnntut`, with one subparser per command."""
    parser = _Parser(
        prog=PROG,
        description="Command-line tools of the book 'Building CNNs with Keras, "
        "and steering training with callbacks'.",
    )
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    commands.required = True
    _add_train(commands)
    return parser


def format_command_help(command: str) -> str:
    """The `--help` text of one subcommand, as `python -m cnntut COMMAND --help` prints it.

    Args:
        command: a subcommand name, e.g. `"train"`.

    Returns:
        The help text.

    Raises:
        KeyError: there is no such subcommand; the message lists the ones there are.
    """
    parser = build_parser()
    choices = next(
        action.choices
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    if command not in choices:
        raise KeyError(f"no command {command!r}; there are {sorted(choices)}")
    return choices[command].format_help()


# --- train -------------------------------------------------------------------------------


def _add_train(commands) -> None:
    from cnntut.pipeline.config import TrainConfig

    defaults = TrainConfig()
    train = commands.add_parser(
        "train",
        help="train chapter 8's best CNN on MNIST and save the best model",
        description=(
            "Train chapter 8's best pipeline without a notebook: a CNN with batch "
            "normalization, dropout and augmentation layers, a warm-up + cosine learning "
            "rate, the best epoch chosen on a validation split of the training digits. "
            "Prints one line per epoch, then the test accuracy and the time taken. "
            "The saved model takes cnntut.data.preprocess() output (float32, "
            "shape (N, 28, 28, 1), values 0-1) and returns 10 class probabilities. "
            "A run killed part-way resumes from its last finished epoch when started "
            "again with the same --out and the same settings; an existing --out with "
            "nothing to resume is never replaced without --overwrite."
        ),
        epilog=(
            "exit status: 0 done; 1 training failed; 2 bad arguments or a run that must "
            "not start (one line on stderr, nothing written); 128+N stopped by signal N "
            "(143 for SIGTERM, 130 for Ctrl-C). "
            f"Example: {PROG} train --epochs 30 --out models/mnist.keras --logdir logs"
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    train.prog = f"{PROG} train"
    train.add_argument(
        "--epochs",
        type=_int_at_least(1),
        default=defaults.epochs,
        metavar="N",
        help="epochs to train (>= 1)",
    )
    train.add_argument(
        "--batch-size",
        type=_int_at_least(1),
        default=defaults.batch_size,
        metavar="N",
        help="images per training step (>= 1)",
    )
    train.add_argument(
        "--seed",
        type=_seed,
        default=defaults.seed,
        metavar="N",
        help="seed of weights, augmentation and validation split (0 to 2**32-1)",
    )
    train.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="PATH",
        help="a mnist.npz in the Keras layout (x_train, y_train, x_test, "
        "y_test); without it, in this order: $CNNTUT_MNIST, the Keras cache, "
        "the Keras download, the bundled 5,000-digit sample ($CNNTUT_DATA=sample "
        "goes straight to the sample, =full refuses it)",
    )
    train.add_argument(
        "--out",
        type=Path,
        default=Path(defaults.out),
        metavar="PATH",
        help="where the best model is saved (.keras); the resume backup "
        "goes to PATH.backup/ and is deleted when training finishes",
    )
    train.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --out (and discard its backup) instead of refusing",
    )
    train.add_argument(
        "--logdir",
        type=Path,
        default=None,
        metavar="PATH",
        help="write TensorBoard logs to this folder; none are written without it",
    )
    train.set_defaults(run=_run_train, prog=train.prog)


def _run_train(args: argparse.Namespace) -> int:
    out = check_output_file(args.out)
    data_path = check_input_file(args.data) if args.data is not None else None
    logdir = check_logdir(args.logdir) if args.logdir is not None else None

    # Heavy imports only now, so that --help and usage errors stay quick.
    from cnntut.data import DATA_ENV, MNIST_ENV, MNISTFileError, load_mnist
    from cnntut.pipeline import (
        RunSettingsError,
        SignalStop,
        TrainConfig,
        TrainingStopped,
        train,
    )

    try:
        # Unlike the chapters, the command prefers the full set when it can be had,
        # and stops at a damaged Keras cache instead of quietly using the sample.
        data = load_mnist(
            data_path, source=os.environ.get(DATA_ENV) or "auto", broken_cache="raise"
        )
    except (MNISTFileError, FileNotFoundError, ValueError) as exc:
        # Name where the bad file came from: --data, $CNNTUT_MNIST, or the Keras cache.
        if data_path is not None:
            where = "argument --data: "
        elif os.environ.get(MNIST_ENV):
            where = f"${MNIST_ENV}: "
        else:
            where = ""
        raise UsageError(f"{where}{_one_line(exc)}") from exc
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        out=out,
        data=data_path,
        logdir=logdir,
    )

    stop = SignalStop()
    try:
        with stop.installed():
            result = train(config, data, verbose=True, callbacks=[stop], overwrite=args.overwrite)
    except RunSettingsError as exc:
        raise UsageError(str(exc)) from exc
    except TrainingStopped as exc:
        if config.backup_dir.is_dir():
            kept = f"; the best model so far is in {out}" if out.is_file() else ""
            what = "run the same command again to resume from the last finished epoch"
        elif out.is_file():  # stopped after fit had finished and removed its backup
            kept = f"; training had finished and the best model is in {out}"
            what = "its test accuracy was not computed"
        else:  # stopped before the first epoch ended
            kept, what = "", "nothing was saved"
        print(f"{args.prog}: stopped by {exc.name}{kept}; {what}", file=sys.stderr)
        return 128 + exc.signum
    except Exception as exc:  # one line, not a TensorFlow traceback
        print(f"{args.prog}: error: training failed: {_one_line(exc)}", file=sys.stderr)
        return EXIT_FAILURE

    correct = round(result.test_accuracy * result.test_size)
    minutes, seconds = divmod(result.seconds, 60)
    best = (
        "unknown (recovered from the model file)"
        if result.best_epoch is None
        else (result.best_epoch)
    )
    print(
        f"test accuracy {result.test_accuracy:.4f} ({correct}/{result.test_size}), "
        f"best epoch {best} of {config.epochs}, "
        f"time {int(minutes)} min {seconds:.1f} s ({result.seconds:.1f} s)",
        flush=True,
    )
    print(f"model saved to {out}", flush=True)
    return 0


# --- checks --------------------------------------------------------------------------------


def _int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be an integer >= {low}. Received: {text!r}"
            ) from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}. Received: {value}")
        return value

    return parse


def _seed(text: str) -> int:
    value = _int_at_least(0)(text)
    if value >= 2**32:
        raise argparse.ArgumentTypeError(f"must be below 2**32. Received: {value}")
    return value


def check_output_file(path: Path) -> Path:
    """Check up front that a model can be written to `path`.

    Args:
        path: the `--out` value.

    Returns:
        The path.

    Raises:
        UsageError: `path` does not end in `.keras`, is a folder, its folder is
            missing or is not writable (checked by creating a file there).
    """
    if path.suffix != ".keras":
        raise UsageError(f"argument --out: the model file must end in .keras. Received: {path}")
    if path.is_dir():
        raise UsageError(f"argument --out: {path} is a folder, not a file")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"argument --out: folder {folder} does not exist (create it first)")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(f"argument --out: cannot write to {folder}: {exc.strerror}") from exc
    return path


def check_input_file(path: Path) -> Path:
    """Raise `UsageError` unless `path` (the `--data` value) is an existing file."""
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise UsageError(f"argument --data: {path} {what}")
    return path


def check_logdir(path: Path) -> Path:
    """Raise `UsageError` unless `path` is, or can be created as, a writable folder."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"argument --logdir: {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(f"argument --logdir: cannot write to {path}: {exc.strerror}") from exc
    return path


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


if __name__ == "__main__":
    sys.exit(main())
