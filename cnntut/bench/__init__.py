"""What the Performance appendix needs of the book's benchmark.

`flops` counts a model's training FLOPs per image, `matmul` times a matrix
product (the machine's limit), `report` reads and formats the results file a
run wrote, and `machine` names the processor. The benchmark itself, which
measures and writes those results, is not part of the package: it is
`benchmarks/` in the repository, run with `python -m benchmarks` from the
repository root.
"""

from cnntut.bench.flops import count_flops, training_flops_per_image

__all__ = ["count_flops", "training_flops_per_image"]
