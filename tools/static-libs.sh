#!/bin/sh
# static-libs.sh - link flags that put libgit2 and the other libraries keyhound
# links into the executable itself, from their static archives, or nothing
# when that cannot be done here (the Makefile then links them dynamically).
#
#   CC=cc PKG_CONFIG=pkg-config sh tools/static-libs.sh PKG...
#
# Why: Debian's libgit2.so pulls in about twenty shared libraries (mbedTLS,
# OpenSSL, libssh2, Kerberos, ...) for transports keyhound never uses, and
# the dynamic linker maps and relocates every one of them at each start: a
# pre-commit hook pays that on every commit. Linked from archives, only the
# objects keyhound reaches are copied in and start-up is about twice as fast.
# Debian's -dev packages (the ones `make deps` installs) ship the archives.
#
# Each -lNAME of `pkg-config --static --libs` becomes NAME's archive when the
# compiler finds one; system libraries (libc, libm, libdl, librt, pthread)
# stay dynamic, and so does anything without an archive. libgit2 built with
# GSSAPI (SPNEGO over HTTP) needs libgssapi_krb5, which ships no archive: its
# shared library is named by path (Debian installs no libgssapi_krb5.so link
# without libkrb5-dev). The result is checked by linking and running a probe
# that starts libgit2; on any failure this prints nothing. Used by the
# Makefile unless STATIC_LIBS=no; never on macOS, whose linker does not take
# archives this way and has no such start-up cost.
set -u
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
[ "$(uname -s)" = Darwin ] && exit 0
pkgs="$*"
# libgit2's .pc file lists -lssh2 but not libssh2's own dependencies
"$PKG_CONFIG" --exists libssh2 2>/dev/null &&
	"$PKG_CONFIG" --static --libs libgit2 2>/dev/null | grep -q -- '-lssh2' && pkgs="$pkgs libssh2"
libs=$("$PKG_CONFIG" --static --libs $pkgs 2>/dev/null) || exit 0

out=""
for f in $libs; do
	case $f in
	-lc | -lm | -ldl | -lrt | -lpthread | -pthread)
		out="$out $f" ;;
	-l*)
		a=$("$CC" -print-file-name="lib${f#-l}.a" 2>/dev/null)
		case $a in
		/*) [ -f "$a" ] && out="$out $(cd "$(dirname "$a")" && pwd -P)/${a##*/}" ||
			out="$out $f" ;;
		*) out="$out $f" ;;
		esac ;;
	*)
		out="$out $f" ;;
	esac
done
git_a=$("$CC" -print-file-name=libgit2.a 2>/dev/null)
[ -f "$git_a" ] || exit 0 # no libgit2 archive: nothing to gain
git_a=$(cd "$(dirname "$git_a")" && pwd -P)/libgit2.a
case $out in *"$git_a"*) ;; *) exit 0 ;; esac # libgit2 not among them
if nm -u "$git_a" 2>/dev/null | grep -q ' gss_'; then
	gss=$("$CC" -print-file-name=libgssapi_krb5.so.2 2>/dev/null)
	case $gss in /*) [ -f "$gss" ] || exit 0 ;; *) exit 0 ;; esac
	out="$out $(cd "$(dirname "$gss")" && pwd -P)/${gss##*/}"
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/kh-static.XXXXXX") || exit 0
trap 'rm -rf "$dir"' EXIT
cat >"$dir/probe.c" <<'EOF'
#include <git2.h>
int main(void)
{
	return git_libgit2_init() > 0 ? 0 : 1;
}
EOF
# shellcheck disable=SC2086 # word splitting of the flag lists is intended
"$CC" $("$PKG_CONFIG" --cflags libgit2) -o "$dir/probe" "$dir/probe.c" $out \
	-lpthread -lm -ldl >/dev/null 2>&1 && "$dir/probe" || exit 0
# libgit2 on mbedTLS loads the CA bundle at start: git_lib.c's stand-ins
# take those calls (see there); the Makefile compiles them in on seeing --wrap.
for f in mbedtls_x509_crt_parse_file mbedtls_x509_crt_parse_path; do
	nm -u "$git_a" 2>/dev/null | grep -q " $f\$" &&
		out="-Wl,--wrap=$f -Wl,-u,__wrap_$f $out"
done
echo "$out"
