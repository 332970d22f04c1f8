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

test_expect_success 'the manifest: language system, entry keyhound staged, no file names, 3.0 stage names' '
	"$PYTHON" - "$PROJECT_DIR/.pre-commit-hooks.yaml" <<-\PY
	import sys, yaml
	(h,) = yaml.safe_load(open(sys.argv[1]))
	assert h["id"] == "keyhound" and h["language"] == "system", h
	assert h["entry"] == "keyhound staged" and h["pass_filenames"] is False, h
	assert set(h.get("stages", [])) <= {"commit"}, h
	PY
'

test_expect_success 'a clean change passes' '
	git init -q repo && cd repo && echo hi >a && git add a &&
	pre-commit try-repo ../hookrepo keyhound >../out 2>&1 &&
	grep -q "^keyhound.*Passed$" ../out
'

test_expect_success 'a change adding a key is rejected, and says where' '
	cd repo && printf "x\nk=%s\n" "$(fake_key openai-proj)" >k.txt && git add k.txt &&
	test_expect_code 1 pre-commit try-repo ../hookrepo keyhound >../out 2>&1 &&
	grep -q "^keyhound.*Failed$" ../out &&
	grep -q "openai-project-key" ../out && grep -q "k.txt:2:3" ../out
'

test_expect_success 'installed with pre-commit install, a real git commit is blocked; keyhound:allow passes' '
	cd repo && git rm -q --cached k.txt && rm k.txt && git commit -q -m first &&
	cat >.pre-commit-config.yaml <<-EOF &&
	repos:
	  - repo: $TRASH/hookrepo
	    rev: $(git -C ../hookrepo rev-parse HEAD)
	    hooks:
	      - id: keyhound
	EOF
	git add .pre-commit-config.yaml && git commit -q -m config &&
	pre-commit install >/dev/null && head=$(git rev-parse HEAD) &&
	k=$(fake_key openai-proj) && echo "k = $k" >leak.py && git add leak.py &&
	test_expect_code 1 git commit -q -m leak >../c.out 2>&1 &&
	test "$(git rev-parse HEAD)" = "$head" && grep -q "leak.py:1:5" ../c.out &&
	echo "k = $k  # keyhound:allow" >leak.py && git add leak.py && git commit -q -m allowed >/dev/null 2>&1
'

test_done
