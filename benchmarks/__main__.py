"""`python -m benchmarks`, from the repository root: run the book's benchmark."""

import sys

from benchmarks.cli import main

sys.exit(main())
