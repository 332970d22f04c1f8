#!/bin/sh
# t5004-encoded-secrets.sh - keys inside encodings are found and reported at
# the encoded text: base64 (Kubernetes Secret data, nested .dockerconfigjson,
# basic-auth header, .npmrc _auth, data URL), percent-encoding (URL), JSON/JS
# string escapes (\u002d, \/), UTF-16 text files (LE/BE, with and without a
# byte-order mark). Lines and columns are checked exactly against where the
# encoded text sits in each file; the JSON "decoded" field names the
# encoding. (issue #5)
. "$(dirname "$0")/test-lib.sh"

key=$(fake_key openai-proj)
key2=$(fake_key openai-legacy)

test_expect_success 'setup: the same key in every encoding, and the expected places' '
	mkdir enc &&
	"$PYTHON" - "$key" "$key2" <<-\EOF
	import base64, json, sys
	key, key2 = sys.argv[1], sys.argv[2]
	b64 = lambda s: base64.b64encode(s.encode()).decode()
	want = []
	def write(name, text, span, enc, data=None):
	    """writes enc/name; span: the encoded text whose place is reported"""
	    raw = data if data is not None else text.encode()
	    open("enc/" + name, "wb").write(raw)
	    i = text.index(span)
	    line = text.count("\n", 0, i) + 1
	    col = i - (text.rfind("\n", 0, i) + 1) + 1
	    want.append([name, line, col, col + len(span), enc])
	s = b64(key)
	write("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  OPENAI_API_KEY: %s\n" % s, s, "base64")
	auth = b64("ci-bot:" + key)
	docker = b64(json.dumps({"auths": {"registry.example.test": {"auth": auth}}}))
	write("pull-secret.yaml", "kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: %s\n" % docker, docker, "base64")
	basic = b64("api:" + key2)
	write("call.sh", "#!/bin/sh\ncurl -s \\\n  -H \"Authorization: Basic %s\" https://api.example.test/\n" % basic, basic, "base64")
	npm = b64("me:" + key)
	write(".npmrc", "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_auth=%s\nalways-auth=true\n" % npm, npm, "base64")
	data = b64("OPENAI_API_KEY=" + key + "\n")
	write("page.html", "<html>\n<body>\n<a href=\"data:text/plain;base64,%s\">config</a>\n</body>\n" % data, data, "base64")
	pct = key.replace("-", "%2D").replace("_", "%5F")
	write("links.md", "# Links\n\nSee https://proxy.example.test/v1/models?api_key=%s&mode=fast for details.\n" % pct, pct, "percent")
	esc = key.replace("-", "\\u002d")
	write("settings.json", "{\n  \"name\": \"app\",\n  \"openai\": {\"key\": \"%s\"}\n}\n" % esc, esc, "escape")
	esc2 = key2.replace("-", "\\x2d")
	write("bundle.js", "var cfg={url:\"https:\\/\\/api.example.test\\/v1\",k:\"%s\"};\n" % esc2, esc2, "escape")
	# UTF-16: columns count bytes from the line start (after the BOM on line 1)
	text = "[settings]\r\nname=app\r\nOPENAI_API_KEY=%s\r\n" % key
	for name, codec, bom in (("le-bom.ini", "utf-16-le", b"\xff\xfe"), ("le.ini", "utf-16-le", b""),
	                         ("be-bom.ini", "utf-16-be", b"\xfe\xff"), ("be.ini", "utf-16-be", b"")):
	    i = text.index(key)
	    col = 2 * (i - (text.rfind("\n", 0, i) + 1)) + 1
	    open("enc/" + name, "wb").write(bom + text.encode(codec))
	    want.append([name, 3, col, col + 2 * len(key), "utf-16"])
	want.sort()
	json.dump(want, open("want.json", "w"))
	print(json.dumps(want))
	EOF
'

test_expect_success 'every encoded key is found once, at its encoded text, with its encoding' '
	test_expect_code 1 kh dir --show-secrets --format json enc >out.json &&
	json_get out.json "sorted([f[\"path\"], f[\"line\"], f[\"column\"], f[\"end_column\"], f[\"decoded\"]] for f in d[\"findings\"])" >got &&
	json_get want.json "d" >want &&
	test_cmp want got &&
	json_check out.json "sorted(set(f[\"secret\"] for f in d[\"findings\"])) == sorted([\"$key\", \"$key2\"])"
'

test_expect_success 'UTF-16: SARIF columns count characters' '
	test_expect_code 1 kh dir --format sarif enc >out.sarif &&
	json_check out.sarif "sorted((r[\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"][\"uri\"], r[\"locations\"][0][\"physicalLocation\"][\"region\"][\"startColumn\"]) for r in d[\"runs\"][0][\"results\"] if r[\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"][\"uri\"].endswith(\".ini\")) == [(\"be-bom.ini\", 16), (\"be.ini\", 16), (\"le-bom.ini\", 16), (\"le.ini\", 16)]"
'

test_expect_success 'the text report names the encoding; plain findings have "decoded": null' '
	test_expect_code 1 kh dir enc >out.txt &&
	grep -q "secret.yaml:7:19  (base64-encoded)" out.txt &&
	grep -q "links.md:3:.*(percent-encoded)" out.txt &&
	mkdir plain && echo "K=$key" >plain/a.env &&
	test_expect_code 1 kh dir --format json plain >p.json &&
	json_check p.json "[f[\"decoded\"] for f in d[\"findings\"]] == [None]"
'

test_expect_success 'a key both plain and encoded in one file: reported at both places' '
	mkdir both && printf "K=%s\nB=%s\n" "$key" "$(printf %s "$key" | base64 | tr -d "\n")" >both/x.env &&
	test_expect_code 1 kh dir --format json both >b.json &&
	json_check b.json "[(f[\"line\"], f[\"column\"], f[\"decoded\"]) for f in d[\"findings\"]] == [(1, 3, None), (2, 3, \"base64\")]"
'

test_expect_success 'allowlists and inline comments apply to decoded findings' '
	mkdir al && printf "data:\n  K: %s # keyhound:allow\n  J: %s\n" "$(printf %s "$key" | base64 | tr -d "\n")" "$(printf %s "$key2" | base64 | tr -d "\n")" >al/s.yaml &&
	test_expect_code 1 kh dir --format json al >a.json &&
	json_check a.json "[(f[\"line\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(2, \"inline\"), (3, None)]"
'

test_expect_success 'history scans decode too' '
	git init -q repo && cp enc/secret.yaml repo/ &&
	(cd repo && git add . && git commit -q -m "add secret") &&
	test_expect_code 1 kh git --format json repo >g.json &&
	json_check g.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"decoded\"]) for f in d[\"findings\"]] == [(\"secret.yaml\", 7, 19, \"base64\")]"
'

test_done
