#!/bin/sh
# t1004-dir-edges.sh - edges of `keyhound dir`: an ignored directory named on
# the command line (or as the current directory) is scanned; overlapping roots
# are scanned once, with a warning; with several roots only the first root's
# .keyhound.yaml applies, and the others are named on stderr; a corrupt git
# index is a warning, not a reason to skip tracked files (issue #2). OpenAI keys
# need no boundary before them: right after a \n or \t string escape, right
# after a letter byte in a binary file; allowlist path globs follow .gitignore
# semantics; .keyhoundignore paths are relative to the top of the work tree
# whichever directory is scanned; outside a repository fingerprints are salted
# with the scanned directory's absolute path (issue #5).
# shellcheck disable=SC2016,SC2034,SC2317 # test bodies are single-quoted and eval'd: they use these keys and helpers
# shellcheck source=tests/e2e/test-lib.sh disable=SC1091
. "$(dirname "$0")/test-lib.sh"

# --- ignored roots named explicitly (issue #2) ---------------------------------

k_build=$(fake_key openai-proj)

test_expect_success 'setup: a repository whose .gitignore excludes build/, with a key in build/' '
	git init -q ign &&
	(cd ign &&
	 echo "build/" >.gitignore && echo hello >README &&
	 git add .gitignore README && git commit -q -m init &&
	 mkdir build && echo "$k_build" >build/out.txt)
'

test_expect_success 'dir . does not report a key in an ignored, untracked directory' '
	(cd ign && test_expect_code 0 kh dir --format json . >../ign-top.json) &&
	json_check ign-top.json "d[\"findings\"] == [] and d[\"stats\"][\"findings\"] == 0"
'

test_expect_success 'dir build: an ignored directory named on the command line is scanned' '
	(cd ign && test_expect_code 1 kh dir --format json --show-secrets build >../ign-build.json) &&
	json_check ign-build.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"secret\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"out.txt\", 1, 1, \"$k_build\", None)]"
'

test_expect_success '(cd build && dir): an ignored current directory is scanned' '
	(cd ign/build && test_expect_code 1 kh dir --format json --show-secrets >../../ign-cwd.json) &&
	json_check ign-cwd.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"secret\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"out.txt\", 1, 1, \"$k_build\", None)]"
'

test_expect_success 'a named ignored directory still sees path allowlists relative to the top of its work tree' '
	printf "allowlist:\n  paths: [\"build/out.txt\"]\n" >ign/.keyhound.yaml &&
	test_when_finished "rm -f ign/.keyhound.yaml" &&
	(cd ign && test_expect_code 0 kh dir --format json build >../ign-al.json) &&
	json_check ign-al.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"out.txt\", \"config\")]" &&
	(cd ign/build && test_expect_code 0 kh dir --format json >../../ign-al2.json) &&
	json_check ign-al2.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"out.txt\", \"config\")]"
'

# --- overlapping roots (issue #2) -------------------------------------------------

k_ov1=$(fake_key openai-proj)
k_ov2=$(fake_key openai-legacy)

test_expect_success 'setup: src/a.txt and src/sub/b.txt, each with a key' '
	mkdir -p ov/src/sub &&
	echo "$k_ov1" >ov/src/a.txt &&
	echo "$k_ov2" >ov/src/sub/b.txt
'

test_expect_success 'dir src src src/a.txt: each finding once, and a warning for each overlapping root' '
	(cd ov && test_expect_code 1 kh dir src src src/a.txt --format json --show-secrets >../ov.json 2>../ov.err) &&
	json_check ov.json "sorted(f[\"secret\"] for f in d[\"findings\"]) == sorted([\"$k_ov1\", \"$k_ov2\"])" &&
	json_check ov.json "len(set((f[\"path\"], f[\"line\"], f[\"column\"]) for f in d[\"findings\"])) == 2" &&
	json_check ov.json "d[\"stats\"][\"findings\"] == 2 and d[\"stats\"][\"files_scanned\"] == 2" &&
	grep -q "^keyhound: warning: .src. is already scanned as part of .src.$" ov.err &&
	grep -q "^keyhound: warning: .src/a.txt. is already scanned as part of .src.$" ov.err &&
	test "$(grep -c "already scanned as part of" ov.err)" -eq 2
'

test_expect_success 'dir src/sub src: a nested root given first is dropped too' '
	(cd ov && test_expect_code 1 kh dir src/sub src --format json --show-secrets >../ov2.json 2>../ov2.err) &&
	json_check ov2.json "sorted(f[\"secret\"] for f in d[\"findings\"]) == sorted([\"$k_ov1\", \"$k_ov2\"])" &&
	json_check ov2.json "d[\"stats\"][\"files_scanned\"] == 2" &&
	grep -q "^keyhound: warning: .src/sub. is already scanned as part of .src.$" ov2.err
'

# --- several roots, several configs (issue #2) ----------------------------------

k_one=$(fake_key openai-proj)
k_two=$(fake_key openai-proj)

test_expect_success 'setup: two roots, each with its own .keyhound.yaml' '
	mkdir -p cfg/one cfg/two &&
	echo "K = \"$k_one\"" >cfg/one/a.txt &&
	echo "K = \"$k_two\"" >cfg/two/b.txt &&
	printf "allowlist:\n  paths: [\"a.txt\"]\n" >cfg/one/.keyhound.yaml &&
	printf "allowlist:\n  paths: [\"*.txt\"]\n" >cfg/two/.keyhound.yaml
'

test_expect_success 'dir one two: the config of the first root applies; that of the second is named as not loaded' '
	(cd cfg && test_expect_code 1 kh dir one two --format json >../cfg.json 2>../cfg.err) &&
	json_check cfg.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"one/a.txt\", \"config\"), (\"two/b.txt\", None)]" &&
	json_check cfg.json "d[\"stats\"][\"suppressed_config\"] == 1 and d[\"stats\"][\"findings\"] == 1" &&
	grep -q "^keyhound: warning: .*/cfg/two/\.keyhound\.yaml is not loaded" cfg.err &&
	! grep -q "one/\.keyhound\.yaml" cfg.err
'

test_expect_success 'dir two one: now the other config applies, and the other one is named' '
	(cd cfg && test_expect_code 0 kh dir two one --format json >../cfg2.json 2>../cfg2.err) &&
	json_check cfg2.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"one/a.txt\", \"config\"), (\"two/b.txt\", \"config\")]" &&
	grep -q "^keyhound: warning: .*/cfg/one/\.keyhound\.yaml is not loaded" cfg2.err &&
	! grep -q "two/\.keyhound\.yaml" cfg2.err
'

test_expect_success 'dir one two: a glob anchored to the first root does not reach into the second' '
	printf "allowlist:\n  paths: [\"/a.txt\", \"/b.txt\"]\n" >cfg/one/.keyhound.yaml &&
	(cd cfg && test_expect_code 1 kh dir one two --format json >../cfg3.json 2>/dev/null) &&
	json_check cfg3.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"one/a.txt\", \"config\"), (\"two/b.txt\", None)]" &&
	(cd cfg && test_expect_code 1 kh dir one/a.txt two/b.txt --format json >../cfg4.json 2>/dev/null) &&
	json_check cfg4.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"one/a.txt\", \"config\"), (\"two/b.txt\", None)]"
'

test_expect_success 'a symlink named on the command line is followed; one inside a named directory is not' '
	mkdir -p lnk/in &&
	echo "K = \"$k_one\"" >lnk/target.txt &&
	ln -s ../target.txt lnk/in/link.txt &&
	(cd lnk && test_expect_code 1 kh dir in/link.txt --format json >../lnk1.json) &&
	json_check lnk1.json "[(f[\"path\"], f[\"line\"]) for f in d[\"findings\"]] == [(\"in/link.txt\", 1)] and d[\"stats\"][\"skipped_symlinks\"] == 0" &&
	(cd lnk && test_expect_code 0 kh dir in --format json >../lnk2.json) &&
	json_check lnk2.json "d[\"findings\"] == [] and d[\"stats\"][\"skipped_symlinks\"] == 1"
'

# --- corrupt git index (issue #2) ------------------------------------------------

k_idx=$(fake_key openai-proj)
k_idx_plain=$(fake_key openai-proj)

test_expect_success 'a corrupt .git/index: a tracked file that .gitignore matches is still scanned, with a warning' '
	git init -q idx && cd idx &&
	echo "secret.env" >.gitignore && echo "OPENAI_API_KEY=$k_idx" >secret.env &&
	echo "K = \"$k_idx_plain\"" >plain.txt &&
	git add .gitignore plain.txt && git add -f secret.env && git commit -q -m init &&
	echo "$k_idx" >.git/leak &&
	test_expect_code 1 kh dir --format json --show-secrets >../idx-ok.json 2>../idx-ok.err &&
	json_check ../idx-ok.json "[(f[\"path\"], f[\"secret\"]) for f in d[\"findings\"]] == [(\"plain.txt\", \"$k_idx_plain\"), (\"secret.env\", \"$k_idx\")]" &&
	! grep -q "cannot read the git index" ../idx-ok.err &&
	head -c 4096 /dev/urandom >.git/index &&
	test_expect_code 1 kh dir --format json --show-secrets >../idx.json 2>../idx.err &&
	json_check ../idx.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"secret\"]) for f in d[\"findings\"]] == [(\"plain.txt\", 1, 6, \"$k_idx_plain\"), (\"secret.env\", 1, 16, \"$k_idx\")]" &&
	grep -q "^keyhound: warning: .*cannot read the git index" ../idx.err &&
	json_check ../idx.json "any(\"cannot read the git index\" in p[\"message\"] and not p[\"error\"] for p in d[\"stats\"][\"problems\"])"
'

# --- keys right after a string escape (issue #5) -----------------------------------

k_nl=$(fake_key openai-proj)
k_tab=$(fake_key openai-proj)

test_expect_success 'a key right after \n in a notebook output string, and after \t in a Python string' '
	mkdir esc &&
	cat >esc/nb.ipynb <<-EOF &&
	{"cells": [{"cell_type": "code", "outputs": [{"name": "stdout", "text": [
	    "Using key:\n$k_nl\n"
	]}]}]}
	EOF
	cat >esc/banner.py <<-EOF &&
	def banner():
	    return "key:\t$k_tab"
	EOF
	grep -qF "key:\\n$k_nl\\n" esc/nb.ipynb && grep -qF "key:\\t$k_tab\"" esc/banner.py &&
	test_expect_code 1 kh dir --format json --show-secrets esc >esc.json &&
	json_get esc.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"end_column\"], f[\"rule\"], f[\"decoded\"]) for f in d[\"findings\"]]" >got &&
	printf "%s\n" "[[\"banner.py\", 2, 19, $((19 + ${#k_tab})), \"openai-project-key\", null], [\"nb.ipynb\", 2, 18, $((18 + ${#k_nl})), \"openai-project-key\", null]]" >want &&
	test_cmp want got &&
	json_check esc.json "[f[\"secret\"] for f in d[\"findings\"]] == [\"$k_tab\", \"$k_nl\"]"
'

# --- a key right after a letter byte in a binary file (issue #5) ---------------------

k_bin=$(fake_key openai-proj)
k_bin2=$(fake_key openai-legacy)

test_expect_success 'a key right after a letter byte in a binary file: the exact secret' '
	mkdir bin &&
	"$PYTHON" - "$k_bin" "$k_bin2" <<-\PY &&
	import sys
	k1, k2 = sys.argv[1].encode(), sys.argv[2].encode()
	data = b"\x00\x13M" + k1 + b"\x00" + b"\x01\x02" * 20 + b"\x00\x07z" + k2 + b"\x00"
	open("bin/blob.dat", "wb").write(data)
	PY
	test_expect_code 1 kh dir --format json --show-secrets bin >bin.json &&
	json_check bin.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"secret\"]) for f in d[\"findings\"]] == [(\"blob.dat\", 1, 4, \"$k_bin\"), (\"blob.dat\", 1, $((4 + ${#k_bin} + 1 + 40 + 3)), \"$k_bin2\")]" &&
	json_check bin.json "[f[\"rule\"] for f in d[\"findings\"]] == [\"openai-project-key\", \"openai-api-key\"]" &&
	json_check bin.json "d[\"stats\"][\"binary_files\"] == 1"
'

# --- allowlist path globs with .gitignore semantics (issue #5) -----------------------

test_expect_success 'setup: keys at several depths for the path globs' '
	mkdir -p gl/tests/unit/deep gl/docs/x/y gl/vendor/a/b gl/lib/vendor gl/lib/tests gl/src &&
	for f in tests/a.py tests/unit/deep/prod.py README.md docs/x/y/n.md \
		vendor/top.js vendor/a/b/c.js lib/vendor/z.js lib/tests/a.py src/app.py src/vendor.py; do
		fake_key openai-proj >"gl/$f" || exit 1
	done
'

# with_glob GLOB: scans gl/ with allowlist paths [GLOB] in gl/.keyhound.yaml;
# writes glob.json (each glob leaves some key unsuppressed: exit 1); succeeds
# when every key is reported
with_glob() {
	printf "allowlist:\n  paths: [\"%s\"]\n" "$1" >gl/.keyhound.yaml &&
	test_expect_code 1 kh dir --format json gl >glob.json &&
	json_check glob.json "len(d[\"findings\"]) == 10"
}
# suppressed_are PY-LIST: the paths of the suppressed findings, sorted
suppressed_are() {
	json_check glob.json "sorted(f[\"path\"] for f in d[\"findings\"] if f[\"suppressed\"] == \"config\") == $1 and all(f[\"suppressed\"] in (None, \"config\") for f in d[\"findings\"])"
}

test_expect_success 'tests/*.py silences tests/a.py, not tests/unit/deep/prod.py nor lib/tests/a.py' '
	with_glob "tests/*.py" &&
	suppressed_are "[\"tests/a.py\"]"
'

test_expect_success 'tests/** silences everything below tests/ at the top' '
	with_glob "tests/**" &&
	suppressed_are "[\"tests/a.py\", \"tests/unit/deep/prod.py\"]"
'

test_expect_success '*.md silences a .md file at any depth' '
	with_glob "*.md" &&
	suppressed_are "[\"README.md\", \"docs/x/y/n.md\"]"
'

test_expect_success 'vendor/ silences everything below a vendor directory, not src/vendor.py' '
	with_glob "vendor/" &&
	suppressed_are "[\"lib/vendor/z.js\", \"vendor/a/b/c.js\", \"vendor/top.js\"]"
'

test_expect_success '/vendor/ is anchored at the config root' '
	with_glob "/vendor/" &&
	suppressed_are "[\"vendor/a/b/c.js\", \"vendor/top.js\"]"
'

# --- .keyhoundignore relative to the top of the work tree (issue #5) -----------------

k_ki=$(fake_key openai-proj)

test_expect_success 'setup: one key in src/a.py and src/b.py; its fingerprint' '
	git init -q ki &&
	(cd ki &&
	 kh_commit src/a.py "K = \"$k_ki\"" "a" &&
	 kh_commit src/b.py "K2 = \"$k_ki\"" "b") &&
	test_expect_code 1 kh dir --format json ki >ki.json &&
	json_check ki.json "len(set(f[\"fingerprint\"] for f in d[\"findings\"])) == 1 and len(d[\"findings\"]) == 2" &&
	json_get ki.json "d[\"findings\"][0][\"fingerprint\"]" >ki.fp
'

# ki_check ENTRY: with ENTRY in ki/.keyhoundignore, dir ., dir src and
# (cd src && dir) all suppress src/a.py and only it
ki_check() {
	printf "%s %s\n" "$(cat ki.fp)" "$1" >ki/.keyhoundignore &&
	(cd ki && test_expect_code 1 kh dir --format json . >../ki-top.json) &&
	json_check ki-top.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"src/a.py\", \"ignore\"), (\"src/b.py\", None)]" &&
	(cd ki && test_expect_code 1 kh dir --format json src >../ki-src.json) &&
	json_check ki-src.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"a.py\", \"ignore\"), (\"b.py\", None)]" &&
	json_check ki-src.json "d[\"stats\"][\"suppressed_ignore\"] == 1 and d[\"stats\"][\"findings\"] == 1" &&
	(cd ki/src && test_expect_code 1 kh dir --format json >../../ki-cwd.json) &&
	json_check ki-cwd.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"a.py\", \"ignore\"), (\"b.py\", None)]"
}

test_expect_success '.keyhoundignore "FP src/a.py" at the top: applies to dir . and to dir src' '
	ki_check src/a.py
'

test_expect_success '.keyhoundignore "FP ./src/a.py" works too' '
	ki_check ./src/a.py
'

# --- fingerprint salt outside a repository (issue #5) ------------------------------

test_expect_success 'outside a repository, fingerprint_salt is "path:" + the absolute path of the directory' '
	mkdir -p plain/sub && fake_key openai-proj >plain/sub/k.txt && ln -s plain plain-link &&
	! git -C plain rev-parse --git-dir >/dev/null 2>&1 &&
	abs=$(cd plain && pwd -P) &&
	test_expect_code 1 kh dir plain --format json >salt.json &&
	json_check salt.json "d[\"fingerprint_salt\"] == \"path:$abs\"" &&
	(cd plain && test_expect_code 1 kh dir --format json >../salt-cwd.json) &&
	json_check salt-cwd.json "d[\"fingerprint_salt\"] == \"path:$abs\"" &&
	test_expect_code 1 kh dir ./plain/ --format json >salt-slash.json &&
	json_check salt-slash.json "d[\"fingerprint_salt\"] == \"path:$abs\"" &&
	test_expect_code 1 kh dir plain-link --format json >salt-link.json &&
	json_check salt-link.json "d[\"fingerprint_salt\"] == \"path:$abs\"" &&
	json_get salt.json "[f[\"fingerprint\"] for f in d[\"findings\"]]" >fp1 &&
	json_get salt-cwd.json "[f[\"fingerprint\"] for f in d[\"findings\"]]" >fp2 &&
	json_get salt-link.json "[f[\"fingerprint\"] for f in d[\"findings\"]]" >fp3 &&
	test_cmp fp1 fp2 && test_cmp fp1 fp3
'

test_done
