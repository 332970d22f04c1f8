#!/bin/sh
# deps.sh - install what keyhound needs to build and test, only what is missing.
# Debian/Ubuntu: apt-get (with sudo when not root). Elsewhere: say what is needed.
#   sh tools/deps.sh [fuzz] [valgrind] [time]   # extras for make fuzz / check-valgrind / adversarial
set -u
need=""
for extra in "$@"; do
	case $extra in
	fuzz) sh "$(dirname "$0")/have-libfuzzer.sh" clang || need="$need clang libclang-rt-dev" ;;
	valgrind) command -v valgrind >/dev/null 2>&1 || need="$need valgrind" ;;
	time) [ -x /usr/bin/time ] || need="$need time" ;;
	esac
done
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v cc >/dev/null 2>&1 || need="$need build-essential"
have_pc libpcre2-8 || need="$need libpcre2-dev"
have_pc libgit2    || need="$need libgit2-dev"
have_pc yaml-0.1   || need="$need libyaml-dev"
have_pc jansson    || need="$need libjansson-dev"
have_pc libcurl    || need="$need libcurl4-openssl-dev"
have_pc zlib       || need="$need zlib1g-dev"
have_pc libdeflate || need="$need libdeflate-dev"
have_pc cmocka     || need="$need libcmocka-dev"
command -v git >/dev/null 2>&1 || need="$need git"
command -v python3 >/dev/null 2>&1 || need="$need python3"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null || need="$need python3-jsonschema"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' 2>/dev/null || need="$need python3-yaml"
command -v pre-commit >/dev/null 2>&1 || need="$need pre-commit"
[ -z "$need" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "keyhound: missing:$need (install them with your package manager)" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "keyhound: need root or sudo to install:$need" >&2; exit 1; }
	sudo="sudo"
fi
echo "keyhound: installing:$need" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq </dev/null >&2 || exit 1
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $need </dev/null >&2
