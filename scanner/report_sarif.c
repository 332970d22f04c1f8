/* report_sarif.c - SARIF 2.1.0 for GitHub code scanning (jansson).
 *
 * Rules that have results go to tool.driver.rules; each result has a
 * physicalLocation relative to %SRCROOT% with columns in characters (as the
 * SARIF spec requires), partialFingerprints from the keyed fingerprint, and
 * history findings carry their commit in properties. Suppressed findings are
 * results with a suppression, so code scanning shows them as dismissed.
 * GitHub accepts at most 25,000 results per run and 10 MB per upload: beyond
 * that the most severe that fit are kept and the truncation is said in the
 * run's notifications (large runs are written as compact JSON).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_util.h"
#include "xalloc.h"

#define SARIF_MAX_RESULTS 25000
/* GitHub takes at most 10 MB per upload: the results may use 8 MB (compact
 * JSON), leaving room for rules, notifications and indentation. */
#define SARIF_RESULTS_BYTES (8u << 20)
#define SARIF_COMPACT_ABOVE (2u << 20) /* indented output only for small runs */
#define SARIF_MAX_NOTES 1000

static const char *level_of(enum severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

static const char *security_severity(enum severity s)
{
	static const char *const v[] = {"0.0", "2.0", "5.0", "8.0", "9.5"};
	return (unsigned)s < 5 ? v[s] : "0.0";
}

static json_t *jstr(const char *s)
{
	char *u = utf8_valid_copy(s ? s : "", s ? strlen(s) : 0, NULL);
	json_t *j = json_string(u);
	free(u);
	return j;
}

static json_t *rule_json(const struct rule *r)
{
	json_t *j = json_object(), *props = json_object(), *tags = json_array();
	json_t *sd = json_object(), *fd = json_object(), *help = json_object(), *cfg = json_object();

	json_object_set_new(j, "id", jstr(r->id));
	json_object_set_new(j, "name", jstr(r->id));
	json_object_set_new(sd, "text", jstr(r->description));
	json_object_set_new(j, "shortDescription", sd);
	json_object_set_new(fd, "text", jstr(r->description));
	json_object_set_new(j, "fullDescription", fd);
	json_object_set_new(help, "text", jstr(r->remediation ? r->remediation : r->description));
	json_object_set_new(j, "help", help);
	json_object_set_new(cfg, "level", json_string(level_of(r->severity)));
	json_object_set_new(j, "defaultConfiguration", cfg);
	json_array_append_new(tags, json_string("security"));
	json_array_append_new(tags, json_string("secret"));
	json_object_set_new(props, "tags", tags);
	json_object_set_new(props, "security-severity", json_string(security_severity(r->severity)));
	json_object_set_new(props, "severity", json_string(severity_name(r->severity)));
	json_object_set_new(j, "properties", props);
	return j;
}

static json_t *result_json(const struct finding *f, size_t rule_index,
			   const struct report_opts *o)
{
	json_t *j = json_object(), *msg = json_object(), *locs = json_array();
	json_t *loc = json_object(), *phys = json_object(), *art = json_object();
	json_t *region = json_object(), *pfp = json_object(), *props = json_object();
	char *uri = percent_encode(f->path);
	char text[1024];

	json_object_set_new(j, "ruleId", jstr(f->rule->id));
	json_object_set_new(j, "ruleIndex", json_integer((json_int_t)rule_index));
	json_object_set_new(j, "level", json_string(f->rule->context_only ? "note" :
						   level_of(f->rule->severity)));
	snprintf(text, sizeof(text), "%s: %s", f->rule->description,
		 o->show_secrets ? f->secret : f->redacted);
	json_object_set_new(msg, "text", jstr(text));
	json_object_set_new(j, "message", msg);
	json_object_set_new(art, "uri", json_string(uri));
	json_object_set_new(art, "uriBaseId", json_string("%SRCROOT%"));
	json_object_set_new(phys, "artifactLocation", art);
	json_object_set_new(region, "startLine", json_integer((json_int_t)(f->line ? f->line : 1)));
	json_object_set_new(region, "startColumn",
			    json_integer((json_int_t)(f->char_column ? f->char_column : 1)));
	if (f->char_end_column > f->char_column)
		json_object_set_new(region, "endColumn", json_integer((json_int_t)f->char_end_column));
	json_object_set_new(phys, "region", region);
	json_object_set_new(loc, "physicalLocation", phys);
	json_array_append_new(locs, loc);
	json_object_set_new(j, "locations", locs);
	json_object_set_new(pfp, "keyhound/v1", json_string(f->fingerprint));
	json_object_set_new(j, "partialFingerprints", pfp);
	json_object_set_new(props, "fingerprint", json_string(f->fingerprint));
	json_object_set_new(props, "secret", jstr(o->show_secrets ? f->secret : f->redacted));
	if (f->commit) {
		json_object_set_new(props, "commit", jstr(f->commit));
		json_object_set_new(props, "author", jstr(f->author));
		json_object_set_new(props, "email", jstr(f->email));
		json_object_set_new(props, "date", jstr(f->date));
		json_object_set_new(props, "message", jstr(f->message));
		json_object_set_new(props, "occurrences", json_integer(f->occurrences));
	}
	if (f->blob)
		json_object_set_new(props, "blob", jstr(f->blob));
	if (f->decoded)
		json_object_set_new(props, "decoded", jstr(f->decoded));
	if (o->verify && f->verified != VERIFY_NONE) {
		json_object_set_new(props, "verified",
				    json_string(f->verified == VERIFY_LIVE ? "live" :
						f->verified == VERIFY_INVALID ? "invalid" : "unknown"));
		if (f->verify_http_status)
			json_object_set_new(props, "verify_status",
					    json_integer(f->verify_http_status));
		if (f->verify_identity)
			json_object_set_new(props, "verify_identity", jstr(f->verify_identity));
		if (f->verify_note)
			json_object_set_new(props, "verify_note", jstr(f->verify_note));
	}
	json_object_set_new(j, "properties", props);
	if (f->suppressed) {
		json_t *sups = json_array(), *sup = json_object();
		json_object_set_new(sup, "kind", json_string(f->suppressed == SUPPRESS_INLINE ?
							     "inSource" : "external"));
		json_array_append_new(sups, sup);
		json_object_set_new(j, "suppressions", sups);
	}
	free(uri);
	return j;
}

/* Most severe first, then report order. */
static int cmp_severity_desc(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;

	if (x->rule->severity != y->rule->severity)
		return x->rule->severity > y->rule->severity ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_ptr(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;

	return x < y ? -1 : x > y;
}

/* Fills sel with the findings to report and returns how many: all of
 * them, or, past GitHub's limits (25,000 results, 10 MB), the most severe
 * that fit, in report order. *bytes is their compact JSON size. */
static size_t select_results(const struct finding_list *fl, const struct finding **sel,
			     const struct report_opts *o, size_t *bytes)
{
	size_t i, n = fl->n;

	*bytes = 0;
	for (i = 0; i < n; i++)
		sel[i] = &fl->v[i];
	if (n > 1)
		qsort(sel, n, sizeof(*sel), cmp_severity_desc);
	for (i = 0; i < n && i < SARIF_MAX_RESULTS; i++) {
		json_t *r = result_json(sel[i], 0, o);
		size_t sz = json_dumpb(r, NULL, 0, JSON_COMPACT) + 1;
		json_decref(r);
		if (*bytes + sz > SARIF_RESULTS_BYTES)
			break;
		*bytes += sz;
	}
	n = i;
	if (n > 1)
		qsort(sel, n, sizeof(*sel), cmp_ptr); /* back to report order */
	return n;
}

int report_sarif_write(FILE *out, const struct finding_list *fl, const struct report_opts *o,
		       struct err *err)
{
	json_t *root = json_object(), *runs = json_array(), *run = json_object();
	json_t *tool = json_object(), *driver = json_object(), *rules = json_array();
	json_t *results = json_array(), *inv = json_object(), *invs = json_array();
	json_t *notes = json_array();
	const struct finding **sel = xcalloc(fl->n ? fl->n : 1, sizeof(*sel));
	const struct rule **rule_of = xcalloc(fl->n ? fl->n : 1, sizeof(*rule_of));
	size_t i, j, nsel, nrules = 0, bytes;
	int rc = 0;

	nsel = select_results(fl, sel, o, &bytes);
	json_object_set_new(root, "$schema",
			    json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(driver, "name", json_string("keyhound"));
	json_object_set_new(driver, "version", json_string(o->version ? o->version : "0"));
	json_object_set_new(driver, "semanticVersion", json_string(o->version ? o->version : "0.0.0"));
	json_object_set_new(driver, "informationUri",
			    json_string("https://github.com/keyhound/keyhound"));
	for (i = 0; i < nsel; i++) {
		const struct rule *r = sel[i]->rule;
		for (j = 0; j < nrules && rule_of[j] != r; j++)
			;
		if (j == nrules) {
			rule_of[nrules++] = r;
			json_array_append_new(rules, rule_json(r));
		}
		json_array_append_new(results, result_json(sel[i], j, o));
	}
	json_object_set_new(driver, "rules", rules);
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	if (o->uri_base) {
		json_t *bases = json_object(), *src = json_object();
		size_t bl = strlen(o->uri_base);
		char *enc = percent_encode(o->uri_base);
		char *uri = xmalloc(strlen(enc) + 16);
		snprintf(uri, strlen(enc) + 16, "file://%s%s", enc,
			 bl && o->uri_base[bl - 1] == '/' ? "" : "/");
		json_object_set_new(src, "uri", json_string(uri));
		json_object_set_new(bases, "%SRCROOT%", src);
		json_object_set_new(run, "originalUriBaseIds", bases);
		free(uri);
		free(enc);
	}
	/* columns count characters (code points), as startColumn/endColumn say */
	json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
	json_object_set_new(run, "results", results);
	json_object_set_new(inv, "executionSuccessful",
			    json_boolean(!o->stats || o->stats->errors == 0));
	if (o->stats) {
		/* what was scanned, skipped and suppressed, as the JSON report counts it */
		json_t *props = json_object();
		json_object_set_new(props, "stats", report_stats_counts(o->stats));
		json_object_set_new(inv, "properties", props);
		for (i = 0; i < o->stats->nproblems && i < SARIF_MAX_NOTES; i++) {
			const struct problem *p = &o->stats->problems[i];
			json_t *n = json_object(), *m = json_object();
			char text[1400];
			snprintf(text, sizeof(text), "%s%s%s", p->path ? p->path : "",
				 p->path ? ": " : "", p->message);
			json_object_set_new(m, "text", jstr(text));
			json_object_set_new(n, "message", m);
			json_object_set_new(n, "level", json_string(p->code ? "error" : "warning"));
			json_array_append_new(notes, n);
		}
	}
	if (o->stats && o->stats->nproblems > SARIF_MAX_NOTES) {
		json_t *n = json_object(), *m = json_object();
		char text[200];
		snprintf(text, sizeof(text), "... and %zu more problems (the JSON report lists all)",
			 o->stats->nproblems - SARIF_MAX_NOTES);
		json_object_set_new(m, "text", json_string(text));
		json_object_set_new(n, "message", m);
		json_object_set_new(n, "level", json_string("warning"));
		json_array_append_new(notes, n);
	}
	if (nsel < fl->n) {
		json_t *n = json_object(), *m = json_object();
		char text[300];
		snprintf(text, sizeof(text),
			 "%zu of %zu results left out: GitHub code scanning takes at most %d results "
			 "and 10 MB per upload; the %zu most severe are included (the JSON report has "
			 "all)", fl->n - nsel, fl->n, SARIF_MAX_RESULTS, nsel);
		json_object_set_new(m, "text", json_string(text));
		json_object_set_new(n, "message", m);
		json_object_set_new(n, "level", json_string("warning"));
		json_array_append_new(notes, n);
	}
	json_object_set_new(inv, "toolExecutionNotifications", notes);
	json_array_append_new(invs, inv);
	json_object_set_new(run, "invocations", invs);
	json_array_append_new(runs, run);
	json_object_set_new(root, "runs", runs);
	if (json_dumpf(root, out, (bytes > SARIF_COMPACT_ABOVE ? JSON_COMPACT : JSON_INDENT(2)) |
				  JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF)
		rc = err_set(err, KH_EIO, "cannot write the SARIF report");
	json_decref(root);
	free(sel);
	free(rule_of);
	return rc;
}
