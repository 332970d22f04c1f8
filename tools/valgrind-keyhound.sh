#!/bin/sh
# valgrind-keyhound.sh - stands in for keyhound in the tests (`make
# check-valgrind` copies it to $(BUILD)/valgrind-bin/keyhound and points
# KEYHOUND there): runs $KH_REAL_KEYHOUND under
# valgrind's memcheck with a full leak check. A memory error or a definite or
# indirect leak makes it exit 99 (so the test fails) and leaves the log in
# $KH_VALGRIND_LOGS (default: $TMPDIR), which `make check-valgrind` lists.
logs=${KH_VALGRIND_LOGS:-${TMPDIR:-/tmp}}
KEYHOUND_NO_JIT=1 # valgrind cannot follow PCRE2's JIT code: the interpreter runs
export KEYHOUND_NO_JIT
supp=$(cd "$(dirname "$0")/.." 2>/dev/null && pwd)/tests/valgrind.supp
[ -f "${KH_VALGRIND_SUPP:-$supp}" ] && supp_opt=--suppressions=${KH_VALGRIND_SUPP:-$supp} || supp_opt=
# shellcheck disable=SC2086
exec valgrind -q --error-exitcode=99 --leak-check=full $supp_opt \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	--log-file="$logs/valgrind.%p.log" "$KH_REAL_KEYHOUND" "$@"
