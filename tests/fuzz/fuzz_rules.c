/* fuzz_rules.c - arbitrary YAML through the rule and config loader:
 * rule_set_load_yaml() (as a user's config, and as a built-in rule file when
 * the first byte is odd) and rule_set_compile(); a rule set that compiles is
 * then run over its own examples and a fixed text, so user patterns meet the
 * PCRE2 limits.
 *
 * Invariants: a failure leaves a NUL-terminated, non-empty message that names
 * the document ("fuzz.yaml:" for YAML errors); nothing leaks or crashes.
 * Never prints except when an invariant breaks (then aborts).
 */
#include "fuzz.h"
#include "rules.h"
#include "scan.h"

#define EXAMPLE_MAX 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void scan_text(const struct rule_set *rs, struct scan_scratch *sc, const char *text,
		      size_t len)
{
	struct finding_list fl;
	struct scan_stats st;
	struct content c;
	struct err err = {0, ""};

	if (len > EXAMPLE_MAX)
		len = EXAMPLE_MAX;
	finding_list_init(&fl);
	stats_init(&st);
	content_whole(&c, text, len, "example");
	FUZZ_CHECK(scan_content(rs, sc, &c, &fl, &st, &err) == 0);
	finding_list_release(&fl);
	stats_release(&st);
}

static void run_examples(const struct rule_set *rs)
{
	static const char fixed[] = "token = acme_0123456789abcdefghijklmnopqrstuv\n"
				    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n";
	struct scan_scratch *sc = scan_scratch_new(rs);
	size_t i, j;

	FUZZ_CHECK(sc != NULL);
	scan_text(rs, sc, fixed, sizeof(fixed) - 1);
	for (i = 0; i < rs->n && i < 16; i++) {
		const struct rule *r = &rs->rules[i];
		for (j = 0; j < r->examples.n && j < 4; j++)
			scan_text(rs, sc, r->examples.v[j], strlen(r->examples.v[j]));
		for (j = 0; j < r->negative_examples.n && j < 4; j++)
			scan_text(rs, sc, r->negative_examples.v[j],
				  strlen(r->negative_examples.v[j]));
	}
	scan_text(rs, sc, fixed, sizeof(fixed) - 1);
	scan_scratch_free(sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_set rs;
	struct err err = {0, ""};
	int builtin = size > 0 && (data[0] & 1);
	int rc;

	rule_set_init(&rs);
	rc = rule_set_load_yaml(&rs, (const char *)data, size, "fuzz.yaml", builtin, &err);
	if (!rc)
		rc = rule_set_compile(&rs, &err);
	if (rc) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK(memchr(err.msg, 0, sizeof(err.msg)) != NULL);
		FUZZ_CHECK(err.msg[0] != '\0');
	} else {
		run_examples(&rs);
	}
	rule_set_release(&rs);
	return 0;
}
