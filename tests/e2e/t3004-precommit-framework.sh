#!/bin/sh
# t3004-precommit-framework.sh - .pre-commit-hooks.yaml with Debian's
# pre-commit, offline: try-repo against this repository.
. "$(dirname "$0")/test-lib.sh"

PATH=$(dirname "$KEYHOUND"):$PATH
PRE_COMMIT_HOME=$TRASH/pc-home
export PATH PRE_COMMIT_HOME

if ! command -v pre-commit >/dev/null 2>&1; then
	test_skip 'pre-commit framework' "pre-commit is not installed"
	test_done
fi

test_expect_success 'setup: a copy of this project as a hook repository' '
	git init -q hookrepo && cp "$PROJECT_DIR/.pre-commit-hooks.yaml" hookrepo/ &&
	(cd hookrepo && git add . && git commit -q -m hooks)
'

test_expect_success 'a clean change passes' '
	git init -q repo && cd repo && echo hi >a && git add a &&
	pre-commit try-repo ../hookrepo keyhound >../out 2>&1
'

test_expect_success 'a change adding a key is rejected' '
	cd repo && fake_key openai-proj >k.txt && git add k.txt &&
	test_expect_code 1 pre-commit try-repo ../hookrepo keyhound >../out 2>&1 &&
	grep -q "openai-project-key" ../out
'

test_done
