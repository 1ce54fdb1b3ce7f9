"""cnntut.data: sources in order, file validation, the bundled sample, preprocess."""

from __future__ import annotations

import socket
import time
import zipfile

import numpy as np
import pytest

from cnntut import data
from cnntut.data import (
    MNISTFileError,
    load_bundled_sample,
    load_mnist,
    preprocess,
    read_mnist_npz,
    save_mnist_npz,
)


def _arrays(n_train=20, n_test=10, seed=0):
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
    y_train = (np.arange(n_train) % 10).astype(np.uint8)
    y_test = (np.arange(n_test) % 10).astype(np.uint8)
    return (x_train, y_train), (x_test, y_test)


@pytest.fixture
def npz_file(tmp_path):
    train, test = _arrays()
    return save_mnist_npz(tmp_path / "mnist.npz", train, test)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No CNNTUT_MNIST or CNNTUT_DATA, and an empty Keras home: the defaults are tested."""
    monkeypatch.delenv("CNNTUT_MNIST", raising=False)
    monkeypatch.delenv("CNNTUT_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("CNNTUT_OFFLINE", "1")


@pytest.fixture
def cached_npz(npz_file, clean_env):
    """A (20 / 10 image) mnist.npz in the Keras cache, as after a download."""
    cache = data.keras_cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(npz_file.read_bytes())
    return cache


@pytest.fixture
def download_spy(monkeypatch):
    """Replace the real download by a fake that records its calls."""
    calls = []

    def fake_download(timeout):
        calls.append(timeout)
        return _arrays(30, 5)

    monkeypatch.setattr(data, "_download", fake_download)
    return calls


def test_load_mnist_explicit_path_returns_keras_layout(npz_file, clean_env):
    (x_train, y_train), (x_test, y_test) = load_mnist(npz_file, verbose=False)
    assert x_train.shape == (20, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (20,) and y_train.dtype == np.uint8
    assert x_test.shape == (10, 28, 28) and y_test.dtype == np.uint8


def test_load_mnist_env_variable_is_used(npz_file, clean_env, monkeypatch, capsys):
    monkeypatch.setenv("CNNTUT_MNIST", str(npz_file))
    (x_train, _), _ = load_mnist()
    assert len(x_train) == 20
    line = capsys.readouterr().out.strip()
    assert "$CNNTUT_MNIST" in line and "20 train / 10 test" in line


def test_load_mnist_missing_explicit_file_raises_without_fallback(tmp_path, clean_env):
    with pytest.raises(FileNotFoundError, match="nope.npz.*path="):
        load_mnist(tmp_path / "nope.npz")


def test_load_mnist_missing_env_file_raises_without_fallback(tmp_path, clean_env, monkeypatch):
    monkeypatch.setenv("CNNTUT_MNIST", str(tmp_path / "gone.npz"))
    with pytest.raises(FileNotFoundError, match=r"gone.npz.*\$CNNTUT_MNIST"):
        load_mnist()


def test_load_mnist_default_is_the_bundled_sample_even_online(
    cached_npz, download_spy, monkeypatch, capsys
):
    """A reader with network or a Keras cache gets the book's own digits."""
    monkeypatch.setenv("CNNTUT_OFFLINE", "0")
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert (len(x_train), len(x_test)) == (4000, 1000)
    assert download_spy == []
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "one line, naming the source"
    assert "bundled" in out and "4,000 train / 1,000 test" in out


def test_load_mnist_full_prefers_keras_cache(cached_npz, download_spy, capsys):
    (x_train, _), _ = load_mnist(source="full", download=True)
    assert len(x_train) == 20 and download_spy == []
    assert "Keras cache" in capsys.readouterr().out


def test_load_mnist_cnntut_data_full_switches_every_default_call(cached_npz, monkeypatch):
    monkeypatch.setenv("CNNTUT_DATA", "full")
    (x_train, _), _ = load_mnist(verbose=False)
    assert len(x_train) == 20


def test_load_mnist_full_downloads_when_nothing_is_cached(clean_env, download_spy, capsys):
    (x_train, _), _ = load_mnist(source="full", download=True)
    assert len(x_train) == 30 and len(download_spy) == 1
    assert "Keras download" in capsys.readouterr().out


def test_load_mnist_full_without_cache_or_download_raises_with_advice(clean_env):
    with pytest.raises(FileNotFoundError, match=r"source='full'.*CNNTUT_MNIST.*CNNTUT_DATA"):
        load_mnist(source="full")


def test_load_mnist_auto_keeps_the_command_line_order(cached_npz, download_spy, capsys):
    (x_train, _), _ = load_mnist(source="auto")
    assert len(x_train) == 20
    cached_npz.unlink()
    (x_train, _), _ = load_mnist(source="auto", download=True)
    assert len(x_train) == 30
    (x_train, _), _ = load_mnist(source="auto", download=False)
    assert len(x_train) == 4000
    assert "download skipped" in capsys.readouterr().out


def test_load_mnist_explicit_file_wins_over_source(npz_file, clean_env, monkeypatch):
    monkeypatch.setenv("CNNTUT_MNIST", str(npz_file))
    (x_train, _), _ = load_mnist(source="sample", verbose=False)
    assert len(x_train) == 20


@pytest.mark.parametrize(
    ("kwargs", "env", "message"),
    [
        ({"source": "mnist"}, None, "Received: source='mnist'"),
        ({}, "everything", "Received: CNNTUT_DATA=everything"),
    ],
)
def test_load_mnist_rejects_unknown_source(clean_env, monkeypatch, kwargs, env, message):
    if env is not None:
        monkeypatch.setenv("CNNTUT_DATA", env)
    with pytest.raises(ValueError, match=message):
        load_mnist(**kwargs)


def test_load_mnist_failed_download_falls_back_quickly(clean_env, monkeypatch, capsys):
    def unreachable(host, timeout):
        raise OSError(f"cannot resolve {host}")

    monkeypatch.setattr(data, "_host_reachable", unreachable)
    started = time.monotonic()
    (x_train, _), _ = load_mnist(source="auto", download=True)
    assert time.monotonic() - started < 10
    assert len(x_train) == 4000
    assert "download failed" in capsys.readouterr().out


def test_host_reachable_gives_up_on_a_hanging_name_lookup(monkeypatch):
    def hang(*args, **kwargs):
        time.sleep(30)

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    started = time.monotonic()
    with pytest.raises(OSError, match="no answer"):
        data._host_reachable("example.invalid", timeout=0.5)
    assert time.monotonic() - started < 5


def test_load_mnist_rejects_non_positive_timeout(clean_env):
    with pytest.raises(ValueError, match="timeout=0"):
        load_mnist(timeout=0)


def test_bundled_sample_is_stratified_shuffled_uint8():
    (x_train, y_train), (x_test, y_test) = load_bundled_sample()
    assert x_train.dtype == np.uint8 and x_train.shape == (4000, 28, 28)
    assert np.bincount(y_train, minlength=10).tolist() == [400] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [100] * 10
    assert 0 < x_train.max() <= 255
    # Keras's validation_split takes the last 20 %: it must hold every digit.
    tail = y_train[-800:]
    assert set(np.unique(tail)) == set(range(10))
    assert np.bincount(tail, minlength=10).min() > 40


def test_bundled_sample_split_is_deterministic_and_disjoint():
    (a_train, a_y), (a_test, _) = load_bundled_sample()
    (b_train, b_y), _ = load_bundled_sample()
    assert np.array_equal(a_train, b_train) and np.array_equal(a_y, b_y)
    train_keys = {img.tobytes() for img in a_train}
    assert not any(img.tobytes() in train_keys for img in a_test)


def test_bundled_sample_rejects_bad_test_per_class():
    with pytest.raises(ValueError, match="test_per_class=500"):
        load_bundled_sample(test_per_class=500)


def test_read_mnist_npz_rejects_corrupt_file(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"this is not a zip archive")
    with pytest.raises(MNISTFileError, match=r"mnist.npz is not a readable \.npz"):
        read_mnist_npz(bad)


def test_read_mnist_npz_rejects_truncated_file(npz_file):
    npz_file.write_bytes(npz_file.read_bytes()[:200])
    with pytest.raises(MNISTFileError, match="mnist.npz"):
        read_mnist_npz(npz_file)


def test_read_mnist_npz_reports_missing_labels(tmp_path):
    (x_train, _), (x_test, y_test) = _arrays()
    path = tmp_path / "nolabels.npz"
    np.savez(path, x_train=x_train, x_test=x_test, y_test=y_test)
    with pytest.raises(MNISTFileError, match="nolabels.npz.*lacks y_train"):
        read_mnist_npz(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.update(x_train=a["x_train"][:, :20]), r"x_train must have shape"),
        (lambda a: a.update(x_train=a["x_train"].astype(np.float32)), r"x_train must be uint8"),
        (lambda a: a.update(y_test=a["y_test"][:5]), r"y_test must have shape \(10,\)"),
        (lambda a: a.update(y_train=a["y_train"] + 10), r"y_train must hold labels 0-9"),
        (lambda a: a.update(y_train=a["y_train"].astype(np.float64)), r"integer labels"),
    ],
)
def test_read_mnist_npz_rejects_wrong_arrays(tmp_path, change, message):
    (x_train, y_train), (x_test, y_test) = _arrays()
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    change(arrays)
    path = tmp_path / "wrong.npz"
    np.savez(path, **arrays)
    with pytest.raises(MNISTFileError, match=message) as info:
        read_mnist_npz(path)
    assert "wrong.npz" in str(info.value)


def test_read_mnist_npz_refuses_pickled_objects(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(
        path,
        x_train=np.array([{"a": 1}], dtype=object),
        y_train=np.zeros(1),
        x_test=np.zeros(1),
        y_test=np.zeros(1),
    )
    with pytest.raises(MNISTFileError, match="pickled.npz"):
        read_mnist_npz(path)


def test_save_mnist_npz_round_trips_and_refuses_overwrite(tmp_path):
    train, test = _arrays()
    path = save_mnist_npz(tmp_path / "m.npz", train, test)
    (x_train, y_train), _ = read_mnist_npz(path)
    assert np.array_equal(x_train, train[0]) and np.array_equal(y_train, train[1])
    with pytest.raises(FileExistsError, match="m.npz"):
        save_mnist_npz(path, train, test)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"], "no temporary file left"


def test_save_mnist_npz_rejects_bad_arrays_and_writes_nothing(tmp_path):
    (x_train, y_train), test = _arrays()
    with pytest.raises(MNISTFileError, match="x_train must be uint8"):
        save_mnist_npz(tmp_path / "m.npz", (x_train / 255.0, y_train), test)
    assert not any(tmp_path.iterdir())


def test_preprocess_scales_to_unit_float32_with_channel():
    images = np.array([[[0, 255] * 14] * 28], dtype=np.uint8)
    out = preprocess(images)
    assert out.shape == (1, 28, 28, 1) and out.dtype == np.float32
    assert out.min() == 0.0 and out.max() == 1.0
    assert preprocess(images[..., np.newaxis]).shape == (1, 28, 28, 1)


def test_preprocess_rejects_float_input_as_already_preprocessed():
    with pytest.raises(TypeError, match="dtype=float32.*already preprocessed"):
        preprocess(np.zeros((2, 28, 28), dtype=np.float32))


@pytest.mark.parametrize("shape", [(28, 28), (2, 28, 28, 3), (2, 32, 32)])
def test_preprocess_rejects_wrong_shape(shape):
    with pytest.raises(ValueError, match=r"Received: shape=\(" + str(shape[0])):
        preprocess(np.zeros(shape, dtype=np.uint8))


def test_read_mnist_npz_names_a_single_npy_array(tmp_path):
    path = tmp_path / "digits.npy"
    np.save(path, np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(MNISTFileError, match=r"digits.npy holds a single NumPy array \(.npy\)"):
        read_mnist_npz(path)


def test_load_mnist_full_falls_back_on_a_damaged_cache_with_one_warning(
    cached_npz, capsys, download_spy
):
    cached_npz.write_bytes(b"PK\x03\x04 half a download")
    (x_train, _), _ = load_mnist(source="full")
    assert len(x_train) == 4000 and download_spy == []  # the bundled digits
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(cached_npz) in err and "delete it and Keras downloads it again" in err


def test_load_mnist_can_raise_on_a_damaged_cache_instead(cached_npz):
    cached_npz.write_bytes(b"")
    with pytest.raises(MNISTFileError, match="Keras cache file .* is damaged.*delete it"):
        load_mnist(source="auto", broken_cache="raise")


def _listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_host_reachable_tries_every_address_of_the_host(monkeypatch):
    """Broken IPv6 (or a dead first address) must not hide a working second one."""
    closed = _listener()
    dead_port = closed.getsockname()[1]
    closed.close()  # nothing listens there: connection refused
    with _listener() as server:
        live_port = server.getsockname()[1]
        addresses = [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", dead_port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", live_port)),
        ]
        monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: addresses)
        data._host_reachable("mnist.example", timeout=2)  # no error: the second answered


def test_host_reachable_reports_every_address_it_tried(monkeypatch):
    closed = _listener()
    dead_port = closed.getsockname()[1]
    closed.close()
    addresses = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", dead_port))] * 2
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: addresses)
    with pytest.raises(OSError, match=r"mnist.example:443 \(127.0.0.1: .*; 127.0.0.1: .*\)"):
        data._host_reachable("mnist.example", timeout=2)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("storage.googleapis.com", 443)),
        ({"https_proxy": "http://proxy.local:3128"}, ("proxy.local", 3128)),
        ({"HTTPS_PROXY": "proxy.local:8080"}, ("proxy.local", 8080)),
        ({"all_proxy": "http://gateway.local"}, ("gateway.local", 80)),
        (
            {"https_proxy": "http://proxy.local:3128", "no_proxy": "googleapis.com"},
            ("storage.googleapis.com", 443),
        ),
    ],
)
def test_probe_goes_where_the_download_would_go(monkeypatch, env, expected):
    for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert data._probe_target("storage.googleapis.com") == expected
