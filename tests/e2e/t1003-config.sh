#!/bin/sh
# t1003-config.sh - .keyhound.yaml found without flags, --config merges after
# it, --no-config skips it, allowlists suppress but are counted, rules can be
# disabled, inline keyhound:allow, .keyhoundignore and --baseline.
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-proj)

test_expect_success 'setup' '
	git init -q proj &&
	mkdir -p proj/src proj/fixtures &&
	echo "see acme_q7w8e9r0t1y2 here" >proj/src/acme.txt &&
	echo "key = \"$k1\"" >proj/fixtures/sample.env &&
	echo "key = \"$k2\"" >proj/src/app.py &&
	cat >proj/.keyhound.yaml <<-\EOF
	rules:
	  - id: acme-token
	    description: ACME token
	    severity: high
	    pattern: (acme_[a-z0-9]{12})
	    secret_group: 1
	    keywords: [acme_]
	    examples: ["token = acme_${EXAMPLE}"]
	    negative_examples: ["acme_"]
	allowlist:
	  paths: [fixtures/**]
	EOF
'

test_expect_success '.keyhound.yaml at the root is loaded: custom rule and allowlist' '
	test_expect_code 1 kh dir --format json proj >out.json &&
	json_check out.json "sorted((f[\"path\"], f[\"rule\"], f[\"suppressed\"]) for f in d[\"findings\"]) == [(\"fixtures/sample.env\", \"openai-project-key\", \"config\"), (\"src/acme.txt\", \"acme-token\", None), (\"src/app.py\", \"openai-project-key\", None)]" &&
	json_check out.json "d[\"stats\"][\"suppressed_config\"] == 1 and d[\"stats\"][\"findings\"] == 2"
'

test_expect_success 'config at the top of the git work tree applies when scanning a subdirectory' '
	(cd proj/src && test_expect_code 1 kh dir --format json . >../../in.json) &&
	json_check in.json "sorted(f[\"rule\"] for f in d[\"findings\"]) == [\"acme-token\", \"openai-project-key\"]"
'

test_expect_success '--no-config ignores it; --config adds to it' '
	test_expect_code 1 kh dir --no-config --format json proj >out.json &&
	json_check out.json "sorted(f[\"path\"] for f in d[\"findings\"] if not f[\"suppressed\"]) == [\"fixtures/sample.env\", \"src/app.py\"]" &&
	printf "disable: [openai-project-key]\n" >extra.yaml &&
	test_expect_code 1 kh dir --config extra.yaml --format json proj >out.json &&
	json_check out.json "[f[\"rule\"] for f in d[\"findings\"]] == [\"acme-token\"]"
'

test_expect_success 'merge order: --config comes after .keyhound.yaml (same id: the later rule wins)' '
	cat >later.yaml <<-\EOF &&
	rules:
	  - id: acme-token
	    description: ACME token (demoted)
	    severity: low
	    pattern: (acme_[a-z0-9]{12})
	    secret_group: 1
	    keywords: [acme_]
	EOF
	test_expect_code 1 kh dir --config later.yaml --format json proj >out.json &&
	json_check out.json "[(f[\"rule\"], f[\"severity\"], f[\"description\"]) for f in d[\"findings\"] if f[\"rule\"] == \"acme-token\"] == [(\"acme-token\", \"low\", \"ACME token (demoted)\")]" &&
	kh dir --config later.yaml --config extra.yaml --format json proj >out2.json &&
	json_check out2.json "[f[\"severity\"] for f in d[\"findings\"] if not f[\"suppressed\"]] == [\"low\"]"
'

test_expect_success 'a file named explicitly is matched by path allowlists relative to the work tree top' '
	(cd proj/src && kh dir --format json ../fixtures/sample.env >../../expl.json) &&
	json_check expl.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"../fixtures/sample.env\", \"config\")]" &&
	kh dir --format json proj/fixtures/sample.env >expl2.json &&
	json_check expl2.json "[f[\"suppressed\"] for f in d[\"findings\"]] == [\"config\"]"
'

test_expect_success 'keyhound rules lists the rules in force: id, severity, description, one per line' '
	(cd proj/src && "$KEYHOUND" rules >../../rules.txt) &&
	grep -q "^acme-token  *high  *ACME token$" rules.txt &&
	grep -q "^openai-project-key  *critical  *OpenAI project API key" rules.txt &&
	test "$(grep -c . rules.txt)" = "$("$KEYHOUND" rules --no-config | grep -c . | awk "{print \$1 + 1}")" &&
	(cd proj && "$KEYHOUND" rules --config ../extra.yaml | grep -q "^openai-project-key .*(disabled)$")
'

test_expect_success 'inline keyhound:allow suppresses only its own line' '
	mkdir inl && printf "a = \"%s\" # keyhound:allow\nb = \"%s\"\n" "$k1" "$k2" >inl/x.py &&
	test_expect_code 1 kh dir --format json inl >out.json &&
	json_check out.json "[(f[\"line\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(1, \"inline\"), (2, None)]"
'

test_expect_success '.keyhoundignore: a fingerprint (optionally with a path) suppresses' '
	mkdir ign && echo "k = $k1" >ign/a.txt && echo "k = $k1" >ign/b.txt && echo "k = $k2" >ign/c.txt &&
	test_expect_code 1 kh dir --format json ign >out.json &&
	fp1=$(json_get out.json "d[\"findings\"][0][\"fingerprint\"]") &&
	fp2=$(json_get out.json "d[\"findings\"][2][\"fingerprint\"]") &&
	printf "# old test key\n%s a.txt\n%s\n" "$fp1" "$fp2" >ign/.keyhoundignore &&
	test_expect_code 1 kh dir --format json ign >out.json &&
	json_check out.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"a.txt\", \"ignore\"), (\"b.txt\", None), (\"c.txt\", \"ignore\")] and d[\"stats\"][\"suppressed_ignore\"] == 2"
'

test_expect_success '--baseline reports only new findings' '
	mkdir base && echo "k = $k1" >base/old.txt &&
	test_expect_code 1 kh dir --format json --output baseline.json base &&
	kh dir --baseline baseline.json base >out.txt &&
	grep -q "suppressed" out.txt &&
	echo "k = $k2" >base/new.txt &&
	test_expect_code 1 kh dir --baseline baseline.json --format json base >out.json &&
	json_check out.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"new.txt\", None), (\"old.txt\", \"baseline\")]" &&
	echo "{" >broken.json && test_expect_code 2 kh dir --baseline broken.json base 2>err &&
	grep -q "broken.json" err
'

test_done
