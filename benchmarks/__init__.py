"""The book's benchmark: how fast the CNN trains, the article's way and the fast way.

It measures three training rates on the same images and reports their ratios:

- **a**, the source article's set-up: `model.fit(x, y)` on NumPy arrays, batch 32;
- **b**, the fastest set-up a small search finds (`tf.data`, batch size, XLA,
  mixed precision, thread pools, ...), with every losing number kept;
- **c**, the machine's limit: the float32 matrix-multiply rate divided by the
  model's training FLOPs per image.

It also reports per-image inference latency and the wall time of the book
build and the tests. Run it from the repository root with `python -m benchmarks`;
`--help` lists the options. It is not part of the `cnntut` package: it uses
`cnntut.bench` (the FLOP count, the matmul rate, the report's formatting, which
the Performance appendix uses too) and adds the runner, one concern per module:
`variants`, `pipeline`, `throughput`, `worker`, `search`, `data`, `walltime`,
`machine`, `run`, `results`, `cli`.
"""
