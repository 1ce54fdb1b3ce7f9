# `make book` builds the HTML book, `make test` runs every test. Each sets up its own
# virtual environment first. PYTHON may name another interpreter (3.10-3.13).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stored outputs come from the bundled 5,000-digit sample: no network. (No
# MPLBACKEND here: under Agg a kernel stores no figures; the tests set it themselves.)
export CNNTUT_OFFLINE ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: book test notebooks lint clean

$(BIN)/activate: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(BIN)/activate

## Build the HTML book from the notebooks' stored outputs; open _build/html/index.html
book: $(BIN)/activate
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html"

## Unit tests, every chapter executed by nbval, and the strict book build
test: $(BIN)/activate
	$(BIN)/python -m pytest

## Re-execute every notebook in place, refreshing the outputs stored in them. The
## instructors' page comes last: it reports the chapters' run times.
notebooks: $(BIN)/activate
	$(BIN)/python -m cnntut.book chapters/*.ipynb extras/*.ipynb

lint: $(BIN)/activate
	$(BIN)/ruff check cnntut tests chapters
	$(BIN)/ruff format --check cnntut tests

clean:
	rm -rf _build chapters/artifacts
