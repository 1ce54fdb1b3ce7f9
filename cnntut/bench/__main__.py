"""`python -m cnntut.bench`: the same as `python -m cnntut bench`."""

import sys

from cnntut.bench.cli import main

sys.exit(main())
