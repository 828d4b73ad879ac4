# One set-up command and one test command; both create .venv and install on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export UV_COMPILE_BYTECODE := 1
DEMO_DIR ?= var/demo

.PHONY: demo test lint install clean

$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m ensurepip --upgrade >/dev/null 2>&1 || true
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(VENV)/.installed: pyproject.toml | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/seclake demo --out $(DEMO_DIR)

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var
