/* fuzz_report.c - findings and problems with arbitrary paths, messages,
 * authors and secrets through every report writer (text, JSON, SARIF), with
 * and without --show-secrets and colour.
 *
 * The input is cut into length-prefixed fields (one byte of length, then the
 * bytes) that fill up to 8 findings and 4 problems. Invariants: JSON and
 * SARIF output parse as JSON; text output without colour holds no control
 * byte but newline, and is valid UTF-8; without --show-secrets a secret of
 * 16+ bytes that appears in no other field never appears whole in any output.
 * Never prints except when an invariant breaks (then aborts).
 */
#include <jansson.h>
#include "fuzz.h"
#include "finding.h"
#include "report.h"
#include "rules.h"
#include "xalloc.h"

static struct rule_set rs;
static const char hostile_rule[] =
	"rules:\n"
	"  - id: \"evil\\e[31m\\u0007\\nid\\xff\"\n"
	"    description: \"desc \\e]0;title\\a \\u0000 \\x9b\"\n"
	"    remediation: \"fix \\e[2J\\nline two \\r\"\n"
	"    pattern: 'evil_[a-z]{8}'\n"
	"    keywords: [evil_]\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct err err = {0, ""};

	(void)argc;
	(void)argv;
	rule_set_init(&rs);
	/* plus a rule as a hostile repository's config could write it */
	if (rule_set_load_defaults(&rs, &err) ||
	    rule_set_load_yaml(&rs, hostile_rule, strlen(hostile_rule), "hostile.yaml", 0, &err) ||
	    rule_set_compile(&rs, &err)) {
		fprintf(stderr, "fuzz_report: %s\n", err.msg);
		abort();
	}
	return 0;
}

struct reader {
	const uint8_t *p;
	size_t left;
};

static unsigned next_byte(struct reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

/* The next field as a new NUL-terminated string (may hold any other byte);
 * NULL when the length byte is 255 (a null field) or the input is used up. */
static char *next_field(struct reader *r, size_t *len_out)
{
	size_t n = next_byte(r);
	char *s;

	if (n == 255 || (!r->left && !n))
		return NULL;
	if (n > r->left)
		n = r->left;
	s = xmalloc(n + 1);
	memcpy(s, r->p, n);
	s[n] = '\0';
	n = strlen(s); /* C strings end at the first NUL */
	r->p += n < r->left ? n : r->left;
	r->left -= n < r->left ? n : r->left;
	if (len_out)
		*len_out = n;
	return s;
}

static char *field_or(struct reader *r, const char *dflt)
{
	char *s = next_field(r, NULL);

	return s ? s : xstrdup(dflt);
}

static void build(struct reader *r, struct finding_list *fl, struct scan_stats *st)
{
	unsigned nf = next_byte(r) % 9, np = next_byte(r) % 5, i;

	for (i = 0; i < nf && r->left; i++) {
		struct finding *f = finding_list_push(fl);
		unsigned flags = next_byte(r);
		size_t slen = 0;
		int k;
		f->rule = &rs.rules[next_byte(r) % rs.n];
		f->path = field_or(r, "");
		f->secret = next_field(r, &slen);
		if (!f->secret)
			f->secret = xstrdup("sk-none");
		f->secret_len = strlen(f->secret);
		f->redacted = redact_secret(f->secret, f->secret_len);
		for (k = 0; k < 32; k++)
			f->fingerprint[k] = "0123456789abcdef"[next_byte(r) & 15];
		f->fingerprint[32] = '\0';
		f->line = next_byte(r) + 1;
		f->column = next_byte(r) + 1;
		f->end_column = f->column + f->secret_len;
		f->char_column = f->column;
		f->char_end_column = f->end_column;
		f->offset = next_byte(r);
		if (flags & 1) {
			f->commit = field_or(r, "0123456789abcdef0123456789abcdef01234567");
			f->author = next_field(r, NULL);
			f->email = next_field(r, NULL);
			f->date = next_field(r, NULL);
			f->message = next_field(r, NULL);
			f->blob = next_field(r, NULL);
			f->occurrences = next_byte(r);
		}
		if (flags & 2)
			f->decoded = field_or(r, "base64");
		f->suppressed = (enum suppress_reason)((flags >> 2) % 5);
		f->verified = (enum verify_status)((flags >> 5) % 4);
		if (flags & 0x80) {
			f->verify_http_status = 200 + next_byte(r);
			f->verify_identity = next_field(r, NULL);
		}
	}
	for (i = 0; i < np && r->left; i++) {
		char *path = next_field(r, NULL), *msg = field_or(r, "");
		stats_problem(st, path, (int)(next_byte(r) % 8) - 7, 1, "%s", msg);
		free(path);
		free(msg);
	}
	st->files_scanned = next_byte(r);
	st->bytes_scanned = (uint64_t)next_byte(r) << 20;
	st->shallow = next_byte(r) & 1;
}

static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], k, need;
		if (c < 0x80) {
			i++;
			continue;
		}
		need = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 && c < 0xF0 ? 2 :
		       c >= 0xC2 && c < 0xE0 ? 1 : 0;
		if (!need || i + need >= n)
			return 0;
		for (k = 1; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* Does the secret of finding i also appear in a field the writers print as given? */
static int secret_elsewhere(const struct finding_list *fl, const struct scan_stats *st,
			    const char *sec, size_t len)
{
	size_t i;

	for (i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		const char *fields[] = {f->path, f->commit, f->author, f->email, f->date,
					f->message, f->blob, f->decoded, f->verify_identity,
					f->rule->id, f->rule->description,
					f->rule->remediation};
		size_t k;
		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			if (fields[k] && fuzz_contains(fields[k], strlen(fields[k]), sec, len))
				return 1;
		if (fl->v[i].secret != sec && fuzz_contains(f->secret, f->secret_len, sec, len))
			return 1;
	}
	for (i = 0; i < st->nproblems; i++)
		if ((st->problems[i].path &&
		     fuzz_contains(st->problems[i].path, strlen(st->problems[i].path), sec, len)) ||
		    fuzz_contains(st->problems[i].message, strlen(st->problems[i].message), sec, len))
			return 1;
	return 0;
}

static size_t count_of(const char *hay, size_t hl, const char *needle, size_t nl)
{
	size_t i, n = 0;

	for (i = 0; i + nl <= hl; i++)
		n += !memcmp(hay + i, needle, nl);
	return n;
}

/* Writes the report into a new buffer (*len bytes). */
static char *render(int fmt, const struct finding_list *fl, const struct report_opts *o,
		    size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	struct err err = {0, ""};

	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(report_write((enum report_format)fmt, f, fl, o, &err) == 0);
	FUZZ_CHECK(fclose(f) == 0);
	return out;
}

/* The same report with every secret replaced by filler of the same length:
 * whatever a secret's bytes match there comes from the report's fixed text. */
static char *render_without_secrets(int fmt, struct finding_list *fl,
				    const struct report_opts *o, size_t *len)
{
	char **saved = xcalloc(fl->n ? 2 * fl->n : 1, sizeof(char *));
	char *out;
	size_t i;

	for (i = 0; i < fl->n; i++) {
		struct finding *f = &fl->v[i];
		saved[2 * i] = f->secret;
		saved[2 * i + 1] = f->redacted;
		f->secret = xmalloc(f->secret_len + 1);
		memset(f->secret, '\x01', f->secret_len);
		f->secret[f->secret_len] = '\0';
		f->redacted = redact_secret(f->secret, f->secret_len);
	}
	out = render(fmt, fl, o, len);
	for (i = 0; i < fl->n; i++) {
		free(fl->v[i].secret);
		free(fl->v[i].redacted);
		fl->v[i].secret = saved[2 * i];
		fl->v[i].redacted = saved[2 * i + 1];
	}
	free(saved);
	return out;
}

static void write_and_check(int fmt, struct finding_list *fl, const struct report_opts *o)
{
	size_t len = 0, i;
	char *out = render(fmt, fl, o, &len);

	if (getenv("KH_FUZZ_DUMP")) /* debugging a crash: show what was written */
		fwrite(out, 1, len, stderr);
	if (fmt == REPORT_JSON || fmt == REPORT_SARIF) {
		json_error_t je;
		json_t *j = json_loadb(out, len, 0, &je);
		FUZZ_CHECK(j != NULL);
		json_decref(j);
	} else if (!o->color) {
		for (i = 0; i < len; i++)
			FUZZ_CHECK((unsigned char)out[i] >= 0x20 ? out[i] != 0x7f : out[i] == '\n');
		FUZZ_CHECK(valid_utf8((const unsigned char *)out, len));
	}
	if (!o->show_secrets) {
		size_t blen = 0;
		char *base = render_without_secrets(fmt, fl, o, &blen);
		for (i = 0; i < fl->n; i++) {
			const struct finding *f = &fl->v[i];
			if (f->secret_len < 16 || secret_elsewhere(fl, o->stats, f->secret, f->secret_len))
				continue;
			FUZZ_CHECK(count_of(out, len, f->secret, f->secret_len) <=
				   count_of(base, blen, f->secret, f->secret_len));
		}
		free(base);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = {data, size};
	struct finding_list fl;
	struct scan_stats st;
	struct report_opts o;
	unsigned flags = next_byte(&r);
	int fmt;

	finding_list_init(&fl);
	stats_init(&st);
	build(&r, &fl, &st);
	finding_list_sort(&fl);
	memset(&o, 0, sizeof(o));
	o.version = "0.0.0-fuzz";
	o.command = flags & 1 ? "git" : "dir";
	o.rules = &rs;
	o.stats = &st;
	o.show_secrets = (flags >> 1) & 1;
	o.color = (flags >> 2) & 1;
	o.quiet = (flags >> 3) & 1;
	o.verify = (flags >> 4) & 1;
	o.fail_severity = (int)((flags >> 5) % 5);
	o.uri_base = flags & 0x80 ? "/tmp/fuzz root" : NULL;
	for (fmt = REPORT_TEXT; fmt <= REPORT_SARIF; fmt++)
		write_and_check(fmt, &fl, &o);
	finding_list_release(&fl);
	stats_release(&st);
	return 0;
}
