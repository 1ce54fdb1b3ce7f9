"""cnntut.distribute: splitting the CPU into logical devices, and the global batch size.

Training under the strategy (the replicas stay in step) is shown and checked in
appendix A3, which nbval executes; repeating it here would only test TensorFlow.
"""

from __future__ import annotations

import pytest

from cnntut.distribute import global_batch_size, split_cpu


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
