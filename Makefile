# `make book` builds the HTML book, `make test` runs every test. Each sets up its own
# virtual environment first. PYTHON may name another interpreter (Python 3.11 to 3.13).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stored outputs come from the bundled 5,000-digit sample: no network. (No
# MPLBACKEND here: under Agg a kernel stores no figures; the tests set it themselves.)
export CNNTUT_OFFLINE ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 2
# `make robust` reruns every chapter under these seeds, then with oneDNN off.
ROBUST_SEEDS ?= 1 2 3

.PHONY: book book-zh gettext test robust notebooks export reader student reader-zh student-zh \
	pdf pdf-zh cjk-fonts lint clean

$(BIN)/activate: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else \
		f"cnntut needs Python 3.11 to 3.13; {sys.executable} is {v[0]}.{v[1]}. Use make PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(BIN)/activate

## Build the HTML book from the notebooks' stored outputs; open _build/html/index.html
book: $(BIN)/activate
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python -m booktools.editions downloads _build/html
	@echo "Open _build/html/index.html"

## The Chinese edition (中文版): the same notebooks with the catalogs in locales/zh_CN/,
## strictly, into _build/html/zh/ (each English page links to its Chinese one, and back).
book-zh: $(BIN)/activate
	$(BIN)/python -m booktools.i18n build _build/html

## After editing English text: new templates (_build/gettext/_build/gettext/*.pot), merged
## into the catalogs (new messages empty, changed ones fuzzy). Then translate, as
## locales/TRANSLATING.md says. (Its own build folder: gettext cannot share the HTML's.)
gettext: $(BIN)/activate
	rm -rf _build/gettext
	$(BIN)/jupyter-book build . --builder custom --custom-builder gettext --path-output _build/gettext
	$(BIN)/sphinx-intl update -p _build/gettext/_build/gettext -l zh_CN -d locales
	$(BIN)/python -m booktools.i18n check || true

## Lint, unit tests, every chapter executed by nbval, the strict book build, the browser
test: $(BIN)/activate lint
	$(BIN)/python -m pytest

## Every chapter again under other seeds (CNNTUT_SEED) and with oneDNN off: the claims a
## chapter asserts must not hang on one lucky run. Not part of `make test` (it takes a while).
robust: $(BIN)/activate
	@for seed in $(ROBUST_SEEDS); do \
		echo "== chapters with CNNTUT_SEED=$$seed"; \
		CNNTUT_SEED=$$seed $(BIN)/python -m pytest -q chapters || exit 1; \
	done
	@echo "== chapters with TF_ENABLE_ONEDNN_OPTS=0"
	TF_ENABLE_ONEDNN_OPTS=0 $(BIN)/python -m pytest -q chapters
	@echo "robust: every chapter passed under seeds $(ROBUST_SEEDS) and with oneDNN off"

## Re-execute every notebook in place, refreshing the outputs stored in them. The
## instructors' page comes last: it reports the chapters' run times.
notebooks: $(BIN)/activate
	$(BIN)/python -m booktools.notebooks chapters/*.ipynb extras/*.ipynb

## Write the chapters' cells tagged `export` into the package (cnntut/export.py says how);
## run it after changing such a cell. tests/test_export.py fails until you do.
export: $(BIN)/activate
	$(BIN)/python -m booktools.export

## Plain notebooks for JupyterLab, Colab and VS Code: no MyST markup, every number filled
## in, a Colab set-up cell first. Written to _build/reader/chapters/ and extras/
## (booktools/editions.py). `make book` also puts them behind the download buttons.
reader: $(BIN)/activate
	$(BIN)/python -m booktools.editions reader

## The student edition: the reader notebooks without solutions, an empty cell where each
## answer goes, every self-check kept (they fail until the exercise is done): _build/student/
student: $(BIN)/activate
	$(BIN)/python -m booktools.editions student

## The same two editions in Chinese, from the catalogs in locales/zh_CN/: _build/reader-zh/
## and _build/student-zh/ (code and outputs as in English).
reader-zh: $(BIN)/activate
	$(BIN)/python -m booktools.editions reader --language zh_CN

student-zh: $(BIN)/activate
	$(BIN)/python -m booktools.editions student --language zh_CN

## A PDF of the whole book, for print and offline reading: _build/pdf/book.pdf. The
## single-page HTML build, printed by Debian's Chromium (no TeX, nothing downloaded).
pdf: $(BIN)/activate
	$(BIN)/jupyter-book build . --builder singlehtml -W -n --keep-going
	$(BIN)/python -m booktools.pdf

## The Chinese PDF: _build/pdf/book-zh.pdf. Chinese text needs a CJK font (Debian's
## fonts-noto-cjk), which this installs with apt-get when it is missing.
pdf-zh: $(BIN)/activate cjk-fonts
	$(BIN)/python -m booktools.i18n build --builder singlehtml
	$(BIN)/python -m booktools.pdf _build/zh-single/_build/singlehtml/intro.html _build/pdf/book-zh.pdf

cjk-fonts:
	@fc-list :lang=zh | grep -q . || { \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		$$sudo apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; }

lint: $(BIN)/activate
	$(BIN)/ruff check cnntut tests chapters benchmarks booktools
	$(BIN)/ruff format --check cnntut tests benchmarks booktools

clean:
	rm -rf _build chapters/artifacts
	find locales -name "*.mo" -delete
