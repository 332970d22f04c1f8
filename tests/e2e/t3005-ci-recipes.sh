#!/bin/sh
# t3005-ci-recipes.sh - the README's GitHub Actions and GitLab CI recipes, as
# written there: the workflow settings they need, and their scan steps run on
# a pull request that adds a key and tries to allowlist it in its own
# .keyhound.yaml and .keyhoundignore (the base branch's are used: it fails),
# and on a clean pull request (it passes).
. "$(dirname "$0")/test-lib.sh"

PATH=$(dirname "$KEYHOUND"):$PATH
export PATH

# recipe NAME: the yaml block after the README line starting with NAME
recipe() {
	awk -v name="$1" '
		index($0, name) == 1 { found = 1; next }
		found && /^```yaml/ { inside = 1; next }
		inside && /^```/ { exit }
		inside { print }' "$PROJECT_DIR/README.md"
}

test_expect_success 'the recipes are in the README and are valid YAML' '
	recipe "GitHub Actions:" >gh.yml && recipe "GitLab CI" >gl.yml &&
	test -s gh.yml && test -s gl.yml &&
	"$PYTHON" - <<-\PY
	import yaml
	gh = yaml.safe_load(open("gh.yml"))
	assert gh["permissions"]["security-events"] == "write", gh["permissions"]
	steps = gh["jobs"]["keyhound"]["steps"]
	assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
	up = [s for s in steps if "upload-sarif" in s.get("uses", "")]
	assert up and up[0]["if"] == "always()" and up[0]["with"]["sarif_file"] == "keyhound.sarif"
	scan = [s for s in steps if s.get("name") == "Scan the pull request\x27s commits"][0]["run"]
	open("gh-scan.sh", "w").write(scan.replace("${{ github.base_ref }}", "main"))
	gl = yaml.safe_load(open("gl.yml"))["keyhound"]
	assert str(gl["variables"]["GIT_DEPTH"]) == "0" and gl["artifacts"]["when"] == "always"
	open("gl-scan.sh", "w").write("\n".join(gl["script"]) + "\n")
	PY
'

# Both scripts write /tmp/kh.yaml; point that at the trash directory.
sed -i.bak "s|/tmp/kh.yaml|$TRASH/kh.yaml|g" gh-scan.sh gl-scan.sh 2>/dev/null

test_expect_success 'setup: a base branch with its config, a pull request adding a key and allowlisting it' '
	git init -q --bare origin.git && git clone -q origin.git dev 2>/dev/null && cd dev &&
	printf "allowlist:\n  paths: [docs/**]\n" >.keyhound.yaml && echo "# none" >.keyhoundignore &&
	kh_commit README hi init && git add .keyhound.yaml .keyhoundignore && git commit -q -m config &&
	git push -q origin main && git checkout -q -b leak &&
	k=$(fake_key openai-proj) && kh_commit src/app.py "key = \"$k\"" "add client" &&
	fp=$(kh git --range main..HEAD --format json | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"findings\"][0][\"fingerprint\"])") &&
	printf "allowlist:\n  paths: [src/**]\n" >.keyhound.yaml && echo "$fp" >.keyhoundignore &&
	git add .keyhound.yaml .keyhoundignore && git commit -q -m "allowlist it" &&
	test_expect_code 0 kh git --range main..HEAD >/dev/null &&
	git push -q origin leak && git checkout -q main && git checkout -q -b clean &&
	kh_commit src/ok.py "print(1)" "clean change" && git push -q origin clean
'

test_expect_success 'GitHub Actions: the pull request cannot allowlist its own leak' '
	git clone -q origin.git gh 2>/dev/null && cd gh && git checkout -q leak &&
	test_expect_code 1 bash -e ../gh-scan.sh >../gh.out 2>&1 &&
	json_check keyhound.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"src/app.py\", None)]" &&
	json_check keyhound.sarif "[r[\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"][\"uri\"] for r in d[\"runs\"][0][\"results\"]] == [\"src/app.py\"] and d[\"runs\"][0][\"results\"][0][\"properties\"][\"commit\"]" &&
	git checkout -q -- . && git checkout -q clean &&
	bash -e ../gh-scan.sh >../gh2.out 2>&1 &&
	json_check keyhound.json "d[\"findings\"] == []"
'

test_expect_success 'GitLab CI: the same, from the merge request diff base' '
	git clone -q origin.git gl 2>/dev/null && cd gl && git checkout -q leak &&
	CI_MERGE_REQUEST_DIFF_BASE_SHA=$(git merge-base origin/main HEAD) &&
	export CI_MERGE_REQUEST_DIFF_BASE_SHA &&
	test_expect_code 1 sh -e ../gl-scan.sh >../gl.out 2>&1 &&
	json_check gl-keyhound.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"src/app.py\", None)]" &&
	git checkout -q -- . && git checkout -q clean &&
	CI_MERGE_REQUEST_DIFF_BASE_SHA=$(git merge-base origin/main HEAD) sh -e ../gl-scan.sh >../gl2.out 2>&1
'

test_done
