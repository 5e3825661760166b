# glassnet — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
SHARED := $(abspath ../shared/datasets)
# an exported GLASSNET_DATA_DIR wins; `make test DATA_DIR=` runs without MNIST
DATA_DIR ?= $(or $(GLASSNET_DATA_DIR),$(if $(wildcard $(SHARED)/mnist.npz),$(SHARED),))

.PHONY: demo test lint bench clean venv playground docs

$(VENV)/.core: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e ".[progress,plot]"
	touch $@

$(VENV)/.test: $(VENV)/.core
	$(PIP) install -e ".[test]"
	touch $@

$(VENV)/.docs: $(VENV)/.core
	$(PIP) install -e ".[docs]"
	touch $@

venv: $(VENV)/.core

demo: $(VENV)/.core
	$(VENV)/bin/glassnet train circles --layers 16 --epochs 40 --seed 0 --output runs/demo

playground: $(VENV)/.core
	$(VENV)/bin/glassnet playground

test: $(VENV)/.test
	GLASSNET_DATA_DIR=$(DATA_DIR) MPLBACKEND=Agg $(PY) -m pytest -q

lint: $(VENV)/.test
	$(VENV)/bin/ruff check glassnet tests benchmarks docs

# the documentation site into site/ (API reference, tutorials with their outputs)
docs: $(VENV)/.docs
	$(VENV)/bin/mkdocs build --strict

bench: $(VENV)/.test
	$(PIP) install "torch==2.13.0" -e ".[bench,fast]"
	GLASSNET_DATA_DIR=$(DATA_DIR) $(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) runs build site *.egg-info .pytest_cache
