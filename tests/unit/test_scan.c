/* test_scan.c - the scanner on the default rules: positions (line, byte and
 * character columns), CRLF, byte 0 and end of file, binary content, one
 * finding per span, inline allow comments, allowlists, and windowed reading
 * of large inputs (a key across a window boundary is found once, with exact
 * line numbers). Keys are generated at run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pipeline.h"
#include "rules.h"
#include "scan.h"
#include "xalloc.h"

#define MARKER "T3Blbk" "FJ"

static struct rule_set rs;
static struct scan_scratch *sc;

static void rand_alnum(char *out, size_t n)
{
	static const char cs[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = cs[rand() % 62];
	out[n] = '\0';
}

/* "sk-proj-" + body + marker + body, written to out (at least 200 bytes). */
static void fake_proj(char *out, size_t body)
{
	char a[100], b[100];

	rand_alnum(a, body);
	rand_alnum(b, body);
	snprintf(out, 256, "sk-proj-%s%s%s", a, MARKER, b);
}

static void fake_legacy(char *out) /* out: at least 128 bytes */
{
	char a[32], b[32];

	rand_alnum(a, 20);
	rand_alnum(b, 20);
	snprintf(out, 128, "sk-%s%s%s", a, MARKER, b);
}

static int setup(void **state)
{
	struct err err;

	(void)state;
	srand(42);
	rule_set_init(&rs);
	assert_int_equal(rule_set_load_defaults(&rs, &err), 0);
	{
		const char *cfg = "allowlist:\n  paths: ['fixtures/**']\n  stopwords: ['notreal']\n";
		assert_int_equal(rule_set_load_yaml(&rs, cfg, strlen(cfg), "test-config", 0, &err), 0);
	}
	if (rule_set_compile(&rs, &err)) {
		fprintf(stderr, "compile: %s\n", err.msg);
		return -1;
	}
	sc = scan_scratch_new(&rs);
	return sc ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	scan_scratch_free(sc);
	rule_set_release(&rs);
	return 0;
}

static void scan_str(const char *text, size_t len, const char *path, struct finding_list *fl)
{
	struct content c;
	struct scan_stats st;
	struct err err;

	stats_init(&st);
	content_whole(&c, text, len, path);
	assert_int_equal(scan_content(&rs, sc, &c, fl, &st, &err), 0);
	assert_int_equal(st.limit_hits, 0);
	stats_release(&st);
}

static void test_positions(void **state)
{
	char key[256], text[1024];
	struct finding_list fl;

	(void)state;
	fake_proj(key, 74);
	/* line 3, after a 2-byte UTF-8 character: bytes and characters differ */
	snprintf(text, sizeof(text), "a\r\nbb\r\n\xc3\xa9 k=\"%s\"\r\n", key);
	finding_list_init(&fl);
	scan_str(text, strlen(text), "f.txt", &fl);
	assert_int_equal(fl.n, 1);
	assert_string_equal(fl.v[0].rule->id, "openai-project-key");
	assert_int_equal(fl.v[0].line, 3);
	assert_int_equal(fl.v[0].column, 7);
	assert_int_equal(fl.v[0].end_column, 7 + strlen(key));
	assert_int_equal(fl.v[0].char_column, 6);
	assert_string_equal(fl.v[0].secret, key);
	assert_string_equal(fl.v[0].path, "f.txt");
	assert_int_equal(fl.v[0].suppressed, SUPPRESS_NONE);
	finding_list_release(&fl);
}

static void test_byte0_eof_binary(void **state)
{
	char key[256], text[1024];
	struct finding_list fl;
	size_t n;

	(void)state;
	fake_legacy(key);
	finding_list_init(&fl);
	scan_str(key, strlen(key), "k", &fl); /* whole file is the key, no newline */
	assert_int_equal(fl.n, 1);
	assert_int_equal(fl.v[0].line, 1);
	assert_int_equal(fl.v[0].column, 1);
	finding_list_release(&fl);

	/* inside binary data with NUL bytes around it */
	memset(text, 0, sizeof(text));
	text[10] = (char)0xff;
	memcpy(text + 100, key, strlen(key));
	n = 100 + strlen(key) + 50;
	finding_list_init(&fl);
	scan_str(text, n, "bin", &fl);
	assert_int_equal(fl.n, 1);
	assert_int_equal(fl.v[0].offset, 100);
	finding_list_release(&fl);
}

static void test_lookalikes_not_reported(void **state)
{
	const char *text =
		"OPENAI_API_KEY=sk-...\nkey=sk-xxxx\nkey=sk-YOUR-KEY\n<i class=\"sk-spinner\"></i>\n"
		"import sklearn # sk-learn\nsk-proj-xxxxxxxxxxxxxxxxxxxx" MARKER "xxxxxxxxxxxxxxxxxxxx\n";
	struct finding_list fl;

	(void)state;
	finding_list_init(&fl);
	scan_str(text, strlen(text), "f", &fl);
	assert_int_equal(fl.n, 0);
	finding_list_release(&fl);
}

static void test_every_openai_generation(void **state)
{
	static const char *kinds[] = {"proj", "svcacct", "admin", "None"};
	static const size_t bodies[] = {20, 58, 74};
	char key[400], a[100], b[100];
	size_t i, j;

	(void)state;
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 3; j++) {
			struct finding_list fl;
			rand_alnum(a, bodies[j]);
			rand_alnum(b, bodies[j]);
			a[3] = '-';
			b[5] = '_';
			snprintf(key, sizeof(key), "sk-%s-%s%s%s", kinds[i], a, MARKER, b);
			finding_list_init(&fl);
			scan_str(key, strlen(key), "k", &fl);
			assert_int_equal(fl.n, 1);
			assert_string_equal(fl.v[0].secret, key);
			assert_int_equal(fl.v[0].rule->severity, SEV_CRITICAL);
			finding_list_release(&fl);
		}
	}
}

static void test_inline_allow_and_allowlist(void **state)
{
	char key[256], key2[256], text[2048];
	struct finding_list fl;

	(void)state;
	fake_proj(key, 20);
	fake_proj(key2, 20);
	snprintf(text, sizeof(text), "a = \"%s\"  # keyhound:allow\nb = \"%s\"\n", key, key2);
	finding_list_init(&fl);
	scan_str(text, strlen(text), "src/x.py", &fl);
	assert_int_equal(fl.n, 2);
	assert_int_equal(fl.v[0].suppressed, SUPPRESS_INLINE);
	assert_int_equal(fl.v[1].suppressed, SUPPRESS_NONE);
	finding_list_release(&fl);

	/* path allowlist: still reported, flagged */
	finding_list_init(&fl);
	scan_str(key, strlen(key), "fixtures/a/b.txt", &fl);
	assert_int_equal(fl.n, 1);
	assert_int_equal(fl.v[0].suppressed, SUPPRESS_CONFIG);
	finding_list_release(&fl);
}

/* Template values shaped like keys are not reported (issue #5). */
static void test_placeholders(void **state)
{
	static const char *bodies[] = {
		"YOUR_KEY_HERE_0000000", "xxxxxxxxxxxxxxxxxxxx", "EXAMPLEEXAMPLEEXAMPL",
		"aaaaaaaaaaBbCcDdEeFf", "ReplaceMe1234567890a", "${OPENAI_KEY_VALUE_X}"};
	char text[256];
	struct finding_list fl;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		snprintf(text, sizeof(text), "k = sk-proj-%s%sAb3De6Gh9Jk2Mn5Pq8St\n", bodies[i], MARKER);
		finding_list_init(&fl);
		scan_str(text, strlen(text), "f", &fl);
		assert_int_equal(fl.n, 0);
		finding_list_release(&fl);
	}
}

static void test_org_id_is_context(void **state)
{
	char id[64], text[128];
	struct finding_list fl;

	(void)state;
	rand_alnum(id, 24);
	snprintf(text, sizeof(text), "OPENAI_ORG=org-%s\n", id);
	finding_list_init(&fl);
	scan_str(text, strlen(text), "f", &fl);
	assert_int_equal(fl.n, 1);
	assert_true(fl.v[0].rule->context_only);
	finding_list_release(&fl);
}

/* A large input read through scan_fd in windows: keys placed across window
 * boundaries are found exactly once with exact lines. */
static void test_windows(void **state)
{
	char path[] = "/tmp/kh-test-scan-XXXXXX";
	static const size_t at[] = {(8u << 20) - 30, (16u << 20) + 100 - 5, (24u << 20) - 1};
	size_t size = (26u << 20), i, k;
	char *data = xmalloc(size);
	char keys[3][256];
	size_t lines[3];
	struct worker *w;
	struct err err;
	int fd;

	(void)state;
	/* lines of 99 chars + newline */
	for (i = 0; i < size; i++)
		data[i] = (i % 100 == 99) ? '\n' : 'a' + (char)(i % 7);
	for (k = 0; k < 3; k++) {
		fake_proj(keys[k], 58);
		memcpy(data + at[k], keys[k], strlen(keys[k]));
		data[at[k] - 1] = ' ';
		data[at[k] + strlen(keys[k])] = ' ';
	}
	/* line numbers are computed after placing keys (keys contain no newline,
	 * but may overwrite one) */
	for (k = 0; k < 3; k++) {
		size_t nl = 0;
		for (i = 0; i < at[k]; i++)
			nl += data[i] == '\n';
		lines[k] = nl + 1;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, size), (ssize_t)size);
	lseek(fd, 0, SEEK_SET);
	unlink(path);

	/* use a worker directly, as a source's process callback would */
	w = xcalloc(1, sizeof(*w));
	w->rs = &rs;
	w->scratch = scan_scratch_new(&rs);
	finding_list_init(&w->findings);
	stats_init(&w->stats);
	assert_int_equal(scan_fd(w, fd, SCAN_FD_REGULAR, "big", NULL, &err), 0);
	close(fd);
	assert_int_equal(w->findings.n, 3);
	for (k = 0; k < 3; k++) {
		assert_string_equal(w->findings.v[k].secret, keys[k]);
		assert_int_equal(w->findings.v[k].offset, at[k]);
		assert_int_equal(w->findings.v[k].line, lines[k]);
	}
	assert_int_equal(w->stats.bytes_scanned, size);
	finding_list_release(&w->findings);
	stats_release(&w->stats);
	scan_scratch_free(w->scratch);
	free(w->iobuf);
	free(w);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_byte0_eof_binary),
		cmocka_unit_test(test_lookalikes_not_reported),
		cmocka_unit_test(test_every_openai_generation),
		cmocka_unit_test(test_inline_allow_and_allowlist),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_org_id_is_context),
		cmocka_unit_test(test_windows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
