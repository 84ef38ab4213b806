# Set-up and everyday commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL := nlp/model/meta.json
CORPUS := $(wildcard nlp/corpus/*.jsonl)
NLP_SOURCES := nlp/config.cfg nlp/training.py nlp/pipeline.py

.PHONY: install run test model bench clean

install: $(STAMP) $(MODEL)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The intent model is trained from the corpus in nlp/ (nothing is downloaded) and rebuilt
# only when the corpus, the config or the training code changes.
$(MODEL): $(STAMP) $(CORPUS) $(NLP_SOURCES)
	$(BIN)/servicedesk train

model: $(MODEL)

run: install
	$(BIN)/servicedesk chat

test: install
	$(BIN)/python -m pytest

bench: install
	@for script in bench/*.py; do $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) nlp/model var
