#!/bin/sh
# t5001-allowlist.sh - config allowlists, global and per rule: path globs,
# regexes on the secret, regexes on the line, stopwords, commits (history
# scans); a rule entry without a pattern extends a built-in rule's allowlist;
# suppressed findings are counted in every report; keyhound's own repository
# is clean thanks to its .keyhound.yaml. (issue #5)
. "$(dirname "$0")/test-lib.sh"

marker="T3Blbk""FJ"
k_docs=$(fake_key openai-proj)
k_vendor=$(fake_key openai-proj)
k_snap=$(fake_key openai-proj)
k_regex="sk-proj-Rx9$(rand_chars 60 A-Za-z0-9)$marker$(rand_chars 60 A-Za-z0-9)"
k_line=$(fake_key openai-proj)
k_stop="sk-proj-$(rand_chars 30 A-Za-z0-9)KH5STOP$(rand_chars 30 A-Za-z0-9)$marker$(rand_chars 60 A-Za-z0-9)"
k_real=$(fake_key openai-proj)
k_rule=$(fake_key openai-proj)
a_fix=$(fake_key anthropic)
a_real=$(fake_key anthropic)
k_in_fix=$(fake_key openai-proj)

test_expect_success 'setup: a repository with a config allowlist' '
	git init -q proj &&
	mkdir -p proj/docs/api proj/vendor/lib proj/snap proj/src proj/anthropic-fixtures &&
	echo "key: $k_docs" >proj/docs/api/guide.md &&
	echo "var k = \"$k_vendor\";" >proj/vendor/lib/x.js &&
	echo "exports[\`k\`] = \"$k_snap\";" >proj/snap/a.snap &&
	echo "K = \"$k_regex\"" >proj/src/re.py &&
	echo "DEMO_ONLY = \"$k_line\"" >proj/src/line.py &&
	echo "K = \"$k_stop\"" >proj/src/stop.py &&
	echo "K = \"$k_real\"" >proj/src/real.py &&
	echo "RULE_LEVEL = \"$k_rule\"" >proj/src/rule.py &&
	echo "ANTHROPIC_API_KEY=$a_fix" >proj/anthropic-fixtures/a.env &&
	echo "OPENAI_API_KEY=$k_in_fix" >proj/anthropic-fixtures/b.env &&
	echo "ANTHROPIC_API_KEY=$a_real" >proj/src/ant.env &&
	cat >proj/.keyhound.yaml <<-\EOF &&
	allowlist:
	  paths: ["docs/**", "vendor/", "*.snap"]
	  regexes: ["^sk-proj-Rx9"]
	  lines: ["^DEMO_ONLY ="]
	  stopwords: [kh5stop]
	rules:
	  - id: anthropic-api-key
	    allow:
	      paths: ["anthropic-fixtures/**"]
	  - id: openai-project-key
	    description: extends the built-in rule
	    allow:
	      lines: ["^RULE_LEVEL ="]
	EOF
	(cd proj && git add . && git commit -q -m init)
'

test_expect_success 'each kind of allowlist suppresses exactly its findings' '
	test_expect_code 1 kh dir --format json proj >out.json &&
	json_get out.json "sorted((f[\"path\"], f[\"rule\"], f[\"suppressed\"]) for f in d[\"findings\"])" >got &&
	cat >want <<-\EOF &&
	[["anthropic-fixtures/a.env", "anthropic-api-key", "config"], ["anthropic-fixtures/b.env", "openai-project-key", null], ["docs/api/guide.md", "openai-project-key", "config"], ["snap/a.snap", "openai-project-key", "config"], ["src/ant.env", "anthropic-api-key", null], ["src/line.py", "openai-project-key", "config"], ["src/re.py", "openai-project-key", "config"], ["src/real.py", "openai-project-key", null], ["src/rule.py", "openai-project-key", "config"], ["src/stop.py", "openai-project-key", "config"], ["vendor/lib/x.js", "openai-project-key", "config"]]
	EOF
	test_cmp want got &&
	json_check out.json "d[\"stats\"][\"suppressed_config\"] == 8 and d[\"stats\"][\"findings\"] == 3"
'

test_expect_success 'suppressed findings are counted in text and SARIF too' '
	test_expect_code 1 kh dir proj >out.txt &&
	grep -q "^keyhound: 3 distinct secrets in 3 places (8 suppressed by" out.txt &&
	test_expect_code 1 kh dir --format sarif proj >out.sarif &&
	json_check out.sarif "sum(1 for r in d[\"runs\"][0][\"results\"] if r.get(\"suppressions\")) == 8" &&
	json_check out.sarif "sum(1 for r in d[\"runs\"][0][\"results\"] if not r.get(\"suppressions\")) == 3"
'

test_expect_success 'a per-rule allowlist does not apply to other rules; globs match from the config root' '
	test_expect_code 1 kh dir --format json proj/anthropic-fixtures >fx.json &&
	json_check fx.json "[(f[\"path\"], f[\"rule\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"a.env\", \"anthropic-api-key\", \"config\"), (\"b.env\", \"openai-project-key\", None)]"
'

test_expect_success 'extending an unknown rule, or giving it other keys, is an error' '
	printf "rules:\n  - id: no-such-rule\n    allow:\n      paths: [x]\n" >bad1.yaml &&
	test_expect_code 2 kh dir --config bad1.yaml proj 2>err &&
	grep -q "bad1.yaml:2:.*unknown rule .no-such-rule." err &&
	printf "rules:\n  - id: openai-project-key\n    severity: low\n    allow:\n      paths: [x]\n" >bad2.yaml &&
	test_expect_code 2 kh dir --config bad2.yaml proj 2>err &&
	grep -q "bad2.yaml:3:.*only id, description and allow" err
'

test_expect_success 'history scans honour path globs and regexes too' '
	test_expect_code 1 kh git --format json proj >git.json &&
	json_check git.json "sorted(f[\"path\"] for f in d[\"findings\"] if not f[\"suppressed\"]) == [\"anthropic-fixtures/b.env\", \"src/ant.env\", \"src/real.py\"]" &&
	json_check git.json "d[\"stats\"][\"suppressed_config\"] == 8"
'

k_c1=$(fake_key openai-proj)
k_c2=$(fake_key openai-proj)
a_c3=$(fake_key anthropic)

test_expect_success 'commits: a listed commit (full id or a prefix) suppresses what it introduced' '
	git init -q hist &&
	(cd hist &&
	 kh_commit a.txt "k = $k_c1" "first leak" &&
	 kh_commit b.txt "k = $k_c2" "second leak" &&
	 kh_commit c.env "ANTHROPIC_API_KEY=$a_c3" "third leak") &&
	c1=$(git -C hist rev-parse HEAD~2) &&
	c3=$(git -C hist rev-parse HEAD) &&
	c3_short=$(echo "$c3" | cut -c1-10) &&
	printf "allowlist:\n  commits: [%s]\nrules:\n  - id: anthropic-api-key\n    allow:\n      commits: [%s]\n" "$c1" "$c3_short" >hist/.keyhound.yaml &&
	test_expect_code 1 kh git --format json hist >h.json &&
	json_get h.json "[(f[\"path\"], f[\"commit\"][:10], f[\"suppressed\"]) for f in d[\"findings\"]]" >got &&
	c1_short=$(echo "$c1" | cut -c1-10) &&
	c2_short=$(git -C hist rev-parse HEAD~1 | cut -c1-10) &&
	printf "[[\"a.txt\", \"%s\", \"config\"], [\"b.txt\", \"%s\", null], [\"c.env\", \"%s\", \"config\"]]\n" "$c1_short" "$c2_short" "$c3_short" >want &&
	test_cmp want got &&
	json_check h.json "d[\"stats\"][\"suppressed_config\"] == 2 and d[\"stats\"][\"findings\"] == 1"
'

test_expect_success 'a per-rule commit allowlist does not apply to other rules' '
	c2=$(git -C hist rev-parse HEAD~1) &&
	printf "rules:\n  - id: anthropic-api-key\n    allow:\n      commits: [%s]\n" "$c2" >hist/.keyhound.yaml &&
	test_expect_code 1 kh git --format json hist >h.json &&
	json_check h.json "[f[\"suppressed\"] for f in d[\"findings\"]] == [None, None, None]"
'

test_expect_success 'keyhound on its own repository reports nothing: its allowlist works' '
	kh dir --format json "$PROJECT_DIR" >self.json &&
	json_check self.json "d[\"stats\"][\"findings\"] == 0" &&
	json_check self.json "d[\"stats\"][\"suppressed_config\"] > 0" &&
	json_check self.json "all(f[\"suppressed\"] in (\"config\", \"inline\") for f in d[\"findings\"])" &&
	json_check self.json "any(f[\"path\"].startswith(\"rules/\") for f in d[\"findings\"])"
'

test_expect_success 'without its config the same repository has findings (the test can fail)' '
	test_expect_code 1 kh dir --no-config --format json "$PROJECT_DIR/rules" >noconf.json &&
	json_check noconf.json "d[\"stats\"][\"findings\"] > 0"
'

test_done
