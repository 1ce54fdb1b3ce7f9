"""Maintainer tools for the book, outside the `cnntut` package the chapters import.

`export` writes the chapters' cells tagged `export` into `cnntut` (`make export`);
`notebooks` executes or times the notebooks (`make notebooks`). Run them from the
repository root: `python -m booktools.export`, `python -m booktools.notebooks`.
"""
