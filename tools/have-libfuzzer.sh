#!/bin/sh
# have-libfuzzer.sh CC - succeeds when CC can link a libFuzzer target
# (clang with compiler-rt's fuzzer runtime). Prints nothing.
cc=${1:-clang}
command -v "$cc" >/dev/null 2>&1 || exit 1
dir=$(mktemp -d "${TMPDIR:-/tmp}/kh-fuzzprobe.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	>"$dir/p.c"
"$cc" -fsanitize=fuzzer,address -o "$dir/p" "$dir/p.c" >/dev/null 2>&1
