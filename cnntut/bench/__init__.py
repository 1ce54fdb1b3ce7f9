"""The book's benchmark: how fast the CNN trains, the article's way and the fast way.

It measures three training rates on the same images and reports their ratios:

- **a**, the source article's set-up: `model.fit(x, y)` on NumPy arrays, batch 32;
- **b**, the fastest set-up a small search finds (`tf.data`, batch size, XLA,
  mixed precision, thread pools, ...), with every losing number kept;
- **c**, the machine's limit: the float32 matrix-multiply rate divided by the
  model's training FLOPs per image.

It also reports per-image inference latency and the wall time of the book
build and the tests. Run it with `python -m cnntut bench` (or
`python -m cnntut.bench`); `--help` lists the options. One concern per module:
`flops`, `matmul`, `variants`, `pipeline`, `throughput`, `worker`, `search`,
`data`, `walltime`, `machine`, `report`, `cli`.
"""

from cnntut.bench.flops import count_flops, training_flops_per_image


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark as `python -m cnntut bench` does; see `cnntut.bench.cli.main`."""
    # Imported here, not at the top, so that `python -m cnntut.bench.worker`
    # does not find the worker module already imported by its own package.
    from cnntut.bench.cli import main as cli_main

    return cli_main(argv)


__all__ = ["count_flops", "main", "training_flops_per_image"]
