#!/bin/sh
# t5003-baseline.sh - .keyhoundignore (fingerprints as the text report prints
# them, optional path, comments) and --baseline (match on rule, fingerprint
# and path; counted as suppressed), `keyhound baseline`, and baselines that
# still match after new commits, in a shallow clone, in a copy outside git,
# and with a fingerprint key. (issue #5)
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-proj)
k3=$(fake_key openai-proj)
k4=$(fake_key anthropic)

test_expect_success 'setup: a repository with old leaks' '
	git init -q repo &&
	(cd repo &&
	 kh_commit src/a.py "K = \"$k1\"" "old leak one" &&
	 kh_commit src/b.py "K = \"$k1\"" "same key elsewhere" &&
	 kh_commit conf/c.env "ANTHROPIC_API_KEY=$k4" "old leak two")
'

test_expect_success 'the text report prints whole fingerprints, the same as JSON' '
	test_expect_code 1 kh dir repo >out.txt &&
	test_expect_code 1 kh dir --format json repo >out.json &&
	sed -n "s/.*(fingerprint \([0-9a-f]*\),.*/\1/p" out.txt | sort >got &&
	json_get out.json "\"\\n\".join(sorted(set(f[\"fingerprint\"] for f in d[\"findings\"])))" >want &&
	test_cmp want got &&
	test "$(wc -l <got)" -eq 2 &&
	test "$(head -n 1 got | tr -d "\n" | wc -c)" -eq 32
'

test_expect_success '.keyhoundignore: fingerprint copied from the text report, with and without a path' '
	fp1=$(json_get out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"src/a.py\"][0][\"fingerprint\"]") &&
	fp4=$(json_get out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"conf/c.env\"][0][\"fingerprint\"]") &&
	fp4_upper=$(echo "$fp4" | tr a-f A-F) &&
	printf "# revoked 2024-01-02, see ticket 12\n\n%s src/a.py   # old test key\r\n  %s\n" "$fp1" "$fp4_upper" >repo/.keyhoundignore &&
	test_expect_code 1 kh dir --format json repo >ign.json &&
	json_check ign.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"conf/c.env\", \"ignore\"), (\"src/a.py\", \"ignore\"), (\"src/b.py\", None)]" &&
	json_check ign.json "d[\"stats\"][\"suppressed_ignore\"] == 2 and d[\"stats\"][\"findings\"] == 1" &&
	test_expect_code 1 kh git --format json repo >ign-git.json &&
	json_check ign-git.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"conf/c.env\", \"ignore\"), (\"src/a.py\", \"ignore\"), (\"src/b.py\", None)]"
'

test_expect_success 'a line that is not a fingerprint is an error naming file and line' '
	fp1=$(json_get out.json "d[\"findings\"][0][\"fingerprint\"]") &&
	printf "%s\nnot-a-fingerprint src/a.py\n" "$fp1" >repo/.keyhoundignore &&
	test_expect_code 2 kh dir --format json repo >bad.json 2>err &&
	grep -q "keyhound: error: .*\.keyhoundignore:2: not a fingerprint" err &&
	json_check bad.json "len(d[\"findings\"]) == 3"
	rc=$?
	rm -f repo/.keyhoundignore
	(exit $rc)
'

test_expect_success 'keyhound baseline writes a JSON report and succeeds despite findings' '
	kh baseline -o base.json repo &&
	json_check base.json "sorted(f[\"path\"] for f in d[\"findings\"]) == [\"conf/c.env\", \"src/a.py\", \"src/b.py\"]" &&
	json_check base.json "d[\"command\"] == \"dir\" and d[\"fingerprint_salt\"] == \"$(git -C repo rev-list --max-parents=0 HEAD)\"" &&
	kh baseline repo >base-stdout.json &&
	json_check base-stdout.json "len(d[\"findings\"]) == 3" &&
	test_expect_code 2 kh baseline --format sarif repo 2>err &&
	grep -q "a baseline is a JSON report" err &&
	kh help baseline >help.txt && grep -q "usage: keyhound baseline" help.txt
'

test_expect_success '--baseline: old findings suppressed and counted in every report' '
	kh dir --baseline base.json repo >out.txt &&
	grep -q "^keyhound: no secrets found (3 suppressed by" out.txt &&
	kh dir --baseline base.json --format json repo >b.json &&
	json_check b.json "[f[\"suppressed\"] for f in d[\"findings\"]] == [\"baseline\"] * 3" &&
	json_check b.json "d[\"stats\"][\"suppressed_baseline\"] == 3 and d[\"stats\"][\"findings\"] == 0" &&
	kh dir --baseline base.json --format sarif repo >b.sarif &&
	json_check b.sarif "len(d[\"runs\"][0][\"results\"]) == 3 and all(r[\"suppressions\"] for r in d[\"runs\"][0][\"results\"])"
'

test_expect_success '--baseline matches on rule, fingerprint and path: each one counts' '
	"$PYTHON" - base.json <<-\EOF &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	f = d["findings"]
	# conf/c.env: another rule; src/a.py: another fingerprint; src/b.py: another path
	for x in f:
	    if x["path"] == "conf/c.env": x["rule"] = "openai-project-key"
	    elif x["path"] == "src/a.py": x["fingerprint"] = "0" * 32
	    else: x["path"] = "src/other.py"
	json.dump(d, open("tampered.json", "w"))
	EOF
	test_expect_code 1 kh dir --baseline tampered.json --format json repo >t.json &&
	json_check t.json "[f[\"suppressed\"] for f in d[\"findings\"]] == [None, None, None]"
'

test_expect_success 'after new commits the same baseline still matches; only the new leak is reported' '
	(cd repo &&
	 kh_commit README "hello" "unrelated" &&
	 kh_commit src/new.py "K = \"$k2\"" "new leak") &&
	test_expect_code 1 kh dir --baseline base.json --format json repo >n.json &&
	json_check n.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"conf/c.env\", \"baseline\"), (\"src/a.py\", \"baseline\"), (\"src/b.py\", \"baseline\"), (\"src/new.py\", None)]" &&
	test_expect_code 1 kh git --baseline base.json --format json repo >ng.json &&
	json_check ng.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"conf/c.env\", \"baseline\"), (\"src/a.py\", \"baseline\"), (\"src/b.py\", \"baseline\"), (\"src/new.py\", None)]"
'

test_expect_success 'a baseline written by keyhound baseline git matches dir scans too' '
	kh baseline git -o base-git.json repo &&
	json_check base-git.json "d[\"command\"] == \"git\" and len(d[\"findings\"]) == 4" &&
	kh dir --baseline base-git.json --format json repo >bg.json &&
	json_check bg.json "d[\"stats\"][\"suppressed_baseline\"] == 4"
'

test_expect_success 'a shallow clone (fingerprints salted differently) still matches the baseline' '
	(cd repo && kh_commit src/later.py "K = \"$k3\"" "later leak") &&
	git clone -q --depth 1 "file://$TRASH/repo" shallow &&
	test "$(git -C shallow rev-parse --is-shallow-repository)" = true &&
	test_expect_code 1 kh dir --baseline base.json --format json shallow >sh.json &&
	json_check sh.json "d[\"fingerprint_salt\"] != \"$(git -C repo rev-list --max-parents=0 HEAD)\"" &&
	json_check sh.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"conf/c.env\", \"baseline\"), (\"src/a.py\", \"baseline\"), (\"src/b.py\", \"baseline\"), (\"src/later.py\", None), (\"src/new.py\", None)]"
'

test_expect_success 'a copy outside git matches a baseline of the repository, and the other way round' '
	mkdir export && git -C repo archive HEAD | tar -x -C export &&
	test_expect_code 1 kh dir --baseline base.json --format json export >ex.json &&
	json_check ex.json "d[\"fingerprint_salt\"] == \"path:$TRASH/export\"" &&
	json_check ex.json "d[\"stats\"][\"suppressed_baseline\"] == 3 and d[\"stats\"][\"findings\"] == 2" &&
	kh baseline -o base-export.json export &&
	kh dir --baseline base-export.json --format json repo >back.json &&
	json_check back.json "d[\"stats\"][\"suppressed_baseline\"] == 5 and d[\"stats\"][\"findings\"] == 0"
'

test_expect_success 'a plain directory: a baseline written today matches tomorrow' '
	mkdir plain && echo "K = \"$k1\"" >plain/a.txt &&
	kh baseline -o plain-base.json plain &&
	echo "K = \"$k2\"" >plain/b.txt &&
	test_expect_code 1 kh dir --baseline plain-base.json --format json plain >p.json &&
	json_check p.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"a.txt\", \"baseline\"), (\"b.txt\", None)]"
'

test_expect_success 'with a fingerprint key the salt is not written, and baselines match' '
	KEYHOUND_FINGERPRINT_KEY=team-secret kh baseline -o keyed.json plain &&
	json_check keyed.json "d[\"fingerprint_salt\"] is None" &&
	! grep -q team-secret keyed.json &&
	KEYHOUND_FINGERPRINT_KEY=team-secret kh dir --baseline keyed.json --format json plain >pk.json &&
	json_check pk.json "d[\"stats\"][\"suppressed_baseline\"] == 2"
'

test_expect_success 'a report written with --baseline is itself a complete baseline' '
	test_expect_code 1 kh dir --baseline plain-base.json --format json --output next.json plain &&
	kh dir --baseline next.json --format json plain >nx.json &&
	json_check nx.json "d[\"stats\"][\"suppressed_baseline\"] == 2"
'

test_expect_success 'an unreadable or foreign baseline is an error' '
	test_expect_code 2 kh dir --baseline missing.json plain 2>err &&
	grep -q "missing.json" err &&
	echo "{\"x\": 1}" >foreign.json &&
	test_expect_code 2 kh dir --baseline foreign.json plain 2>err &&
	grep -q "not a keyhound JSON report" err
'

test_done
