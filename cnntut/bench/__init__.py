"""What the Performance appendix needs of the book's benchmark.

`flops` counts training FLOPs per image, `matmul` times the machine's limit, `report` reads
and formats a run's results, `machine` names the processor. The benchmark itself is
`benchmarks/` in the repository (`python -m benchmarks` from its root), outside the package.
"""

from cnntut.bench.flops import count_flops, training_flops_per_image

__all__ = ["count_flops", "training_flops_per_image"]
