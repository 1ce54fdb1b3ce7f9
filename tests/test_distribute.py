"""cnntut.distribute: MirroredStrategy on two logical CPUs trains one short epoch.

TensorFlow's devices are fixed once its runtime starts, and this test process has
already started it, so the training runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from cnntut.distribute import global_batch_size, split_cpu

SCRIPT = textwrap.dedent(
    """
    import json
    import numpy as np
    from cnntut.distribute import cpu_mirrored_strategy, global_batch_size, split_cpu
    strategy = cpu_mirrored_strategy(2)
    split_cpu(2)  # a second call with the same n is harmless
    import cnntut
    cnntut.set_seed(0, deterministic=False)
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1), dtype=np.float32)
    y = np.arange(64) % 10
    with strategy.scope():
        model = cnntut.compile_cnn(cnntut.build_cnn())
    history = model.fit(x, y, epochs=1, batch_size=global_batch_size(8, strategy), verbose=0)
    copies = model.trainable_variables[0].value.values
    same = all(np.array_equal(copies[0].numpy(), c.numpy()) for c in copies)
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "copies": len(copies),
                      "same": same, "loss": history.history["loss"][0]}))
    """
)


def test_mirrored_strategy_trains_one_epoch_on_two_logical_cpus():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2 and report["copies"] == 2
    assert report["same"], "the replicas' weights must stay identical after each step"
    assert report["loss"] > 0


def test_split_cpu_rejects_bad_count():
    with pytest.raises(ValueError, match="n=0"):
        split_cpu(0)


def test_split_cpu_refuses_after_runtime_started_with_other_count():
    import tensorflow as tf

    tf.constant(1.0) + 1  # make sure this process's runtime is running
    have = len(tf.config.list_logical_devices("CPU"))
    with pytest.raises(RuntimeError, match="Restart the kernel"):
        split_cpu(have + 3)


def test_global_batch_size_multiplies_by_replicas():
    class TwoReplicas:
        num_replicas_in_sync = 2

    assert global_batch_size(64, TwoReplicas()) == 128
    with pytest.raises(ValueError, match="per_replica=0"):
        global_batch_size(0, TwoReplicas())
