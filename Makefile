# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
SCALE  ?= 1
export CRM_DASHBOARD_DB

.PHONY: install run test lint sample clean bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,spark]'
	touch $@

run: install
	$(BIN)/crm-dashboard serve --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# Import, page queries (cold/warm), first render, peak RSS and the pandas way at SCALE
# (1 = 20k deals; the README's table is SCALE=50, which takes a while: run it with nice).
bench: install
	nice $(BIN)/crm-dashboard bench --scale $(SCALE)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
