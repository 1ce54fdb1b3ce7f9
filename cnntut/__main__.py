"""`python -m cnntut`: the book's command line (see `cnntut.cli`)."""

import sys

from cnntut.cli import main

sys.exit(main())
