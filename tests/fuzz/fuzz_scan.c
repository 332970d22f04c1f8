/* fuzz_scan.c - arbitrary bytes through the content scanner with every
 * default rule: prefilter, PCRE2 (JIT, with its limits), gates, the decoders
 * (base64, hex, URL, UTF-16) and redaction.
 *
 * The input is scanned whole, then as one window of a larger item (own
 * region and base offset taken from the input's length), as scan_fd() does.
 * Invariants checked: every finding starts inside the window's own region,
 * a plainly found secret is exactly the bytes at its offset, columns and
 * lines are sane, and the redacted form hides the middle of the secret.
 * Never prints except when an invariant breaks (then aborts).
 */
#include "fuzz.h"
#include "rules.h"
#include "scan.h"

static struct rule_set rs;
static struct scan_scratch *sc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct err err = {0, ""};

	(void)argc;
	(void)argv;
	rule_set_init(&rs);
	if (rule_set_load_defaults(&rs, &err) || rule_set_compile(&rs, &err)) {
		fprintf(stderr, "fuzz_scan: %s\n", err.msg);
		abort();
	}
	sc = scan_scratch_new(&rs);
	FUZZ_CHECK(sc != NULL);
	return 0;
}

static void check_findings(const struct finding_list *fl, const struct content *c)
{
	size_t i;

	for (i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		uint64_t rel;
		FUZZ_CHECK(f->rule && f->secret && f->redacted && f->path);
		FUZZ_CHECK(f->secret_len > 0 && strlen(f->redacted) > 0);
		FUZZ_CHECK(f->offset >= c->base_offset + c->own_start);
		FUZZ_CHECK(f->offset < c->base_offset + c->own_end);
		FUZZ_CHECK(f->line >= c->own_line && f->column >= 1);
		FUZZ_CHECK(f->end_column > f->column && f->char_column >= 1);
		rel = f->offset - c->base_offset;
		if (!f->decoded) {
			FUZZ_CHECK(rel + f->secret_len <= c->len);
			FUZZ_CHECK(!memcmp(c->data + rel, f->secret, f->secret_len));
		}
		/* redaction: a third at most as prefix, the last four, never more */
		if (f->secret_len >= 16)
			FUZZ_CHECK(strlen(f->redacted) <= f->secret_len / 3 + 3 + 4);
	}
}

static void scan_once(const struct content *c)
{
	struct finding_list fl;
	struct scan_stats st;
	struct err err = {0, ""};

	finding_list_init(&fl);
	stats_init(&st);
	FUZZ_CHECK(scan_content(&rs, sc, c, &fl, &st, &err) == 0);
	check_findings(&fl, c);
	finding_list_release(&fl);
	stats_release(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct content c;

	content_whole(&c, data, size, "fuzz/input.txt");
	scan_once(&c);
	if (size >= 4) {
		/* the same bytes as a middle window of a larger item */
		c.own_start = size / 4;
		c.own_end = size - size / 4;
		c.base_offset = 1000003;
		c.own_line = 7;
		c.own_line_start = 1000000;
		c.rel_path = "input.txt";
		scan_once(&c);
	}
	return 0;
}
