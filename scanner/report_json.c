/* report_json.c - the JSON report (jansson), a contract: fields are added in
 * later versions, never renamed.
 *
 * {"version", "command", "findings": [{"rule", "description", "severity",
 *  "path", "line", "column", "end_column", "secret", "fingerprint", "commit",
 *  "author", "email", "date", "message", ...}], "stats": {...}}
 * Git fields are null outside history scans. Strings are valid UTF-8: a path
 * holding invalid UTF-8 gets U+FFFD in "path" and its exact bytes,
 * percent-encoded, in "path_bytes"; a commit message likewise in
 * "message_bytes". Only formats; the raw secret is written
 * only with show_secrets.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "report.h"
#include "report_util.h"
#include "xalloc.h"

static json_t *jstr(const char *s)
{
	char *u;
	json_t *j;

	if (!s)
		return json_null();
	u = utf8_valid_copy(s, strlen(s), NULL);
	j = json_string(u);
	free(u);
	return j ? j : json_null();
}

static json_t *jsecret(const struct finding *f, const struct report_opts *o)
{
	if (o->show_secrets) {
		char *u = utf8_valid_copy(f->secret, f->secret_len, NULL);
		json_t *j = json_string(u);
		free(u);
		return j ? j : json_null();
	}
	return jstr(f->redacted);
}

static const char *suppress_name(enum suppress_reason r)
{
	switch (r) {
	case SUPPRESS_CONFIG: return "config";
	case SUPPRESS_INLINE: return "inline";
	case SUPPRESS_IGNORE: return "ignore";
	case SUPPRESS_BASELINE: return "baseline";
	default: return NULL;
	}
}

static json_t *jverify(const struct finding *f, const struct report_opts *o)
{
	if (!o->verify || f->verified == VERIFY_NONE)
		return json_null();
	return json_string(f->verified == VERIFY_LIVE ? "live" :
			   f->verified == VERIFY_INVALID ? "invalid" : "unknown");
}

static json_t *finding_json(const struct finding *f, const struct report_opts *o)
{
	json_t *j = json_object();
	int exact = 1;
	char *upath = utf8_valid_copy(f->path, strlen(f->path), &exact);

	json_object_set_new(j, "rule", jstr(f->rule->id));
	json_object_set_new(j, "description", jstr(f->rule->description));
	json_object_set_new(j, "severity", json_string(severity_name(f->rule->severity)));
	json_object_set_new(j, "path", json_string(upath));
	if (!exact) {
		char *pb = percent_encode(f->path);
		json_object_set_new(j, "path_bytes", json_string(pb));
		free(pb);
	}
	free(upath);
	json_object_set_new(j, "line", json_integer((json_int_t)f->line));
	json_object_set_new(j, "column", json_integer((json_int_t)f->column));
	json_object_set_new(j, "end_column", json_integer((json_int_t)f->end_column));
	json_object_set_new(j, "secret", jsecret(f, o));
	json_object_set_new(j, "fingerprint", json_string(f->fingerprint));
	json_object_set_new(j, "commit", jstr(f->commit));
	json_object_set_new(j, "author", jstr(f->author));
	json_object_set_new(j, "email", jstr(f->email));
	json_object_set_new(j, "date", jstr(f->date));
	json_object_set_new(j, "message", jstr(f->message));
	if (f->message) { /* like the path: exact bytes when not valid UTF-8 */
		int mexact = 1;
		char *um = utf8_valid_copy(f->message, strlen(f->message), &mexact);
		if (!mexact) {
			char *mb = percent_encode(f->message);
			json_object_set_new(j, "message_bytes", json_string(mb));
			free(mb);
		}
		free(um);
	}
	json_object_set_new(j, "blob", jstr(f->blob));
	json_object_set_new(j, "occurrences", json_integer(f->occurrences));
	json_object_set_new(j, "offset", json_integer((json_int_t)f->offset));
	json_object_set_new(j, "decoded", jstr(f->decoded));
	json_object_set_new(j, "suppressed", jstr(suppress_name(f->suppressed)));
	json_object_set_new(j, "context_only", json_boolean(f->rule->context_only));
	json_object_set_new(j, "verified", jverify(f, o));
	json_object_set_new(j, "verify_status", o->verify && f->verify_http_status
				? json_integer(f->verify_http_status) : json_null());
	json_object_set_new(j, "verify_identity", jstr(o->verify ? f->verify_identity : NULL));
	json_object_set_new(j, "verify_note", jstr(o->verify ? f->verify_note : NULL));
	return j;
}

json_t *report_stats_counts(const struct scan_stats *s)
{
	json_t *j = json_object();

#define N(field) json_object_set_new(j, #field, json_integer((json_int_t)s->field))
	N(files_scanned);
	N(bytes_scanned);
	N(blobs_scanned);
	N(commits_scanned);
	N(skipped_size);
	N(skipped_binary);
	N(skipped_archives);
	N(skipped_lfs);
	N(skipped_submodules);
	N(skipped_symlinks);
	N(errors);
	N(limit_hits);
	N(decode_partial);
	N(suppressed_config);
	N(suppressed_inline);
	N(suppressed_ignore);
	N(suppressed_baseline);
	N(findings);
#undef N
	json_object_set_new(j, "binary_files", json_integer((json_int_t)s->skipped_binary));
	json_object_set_new(j, "seconds", json_real(s->seconds));
	json_object_set_new(j, "shallow", json_boolean(s->shallow));
	return j;
}

static json_t *stats_json(const struct scan_stats *s)
{
	json_t *j = report_stats_counts(s), *probs = json_array();
	size_t i;

	for (i = 0; i < s->nproblems; i++) {
		json_t *p = json_object();
		json_object_set_new(p, "path", jstr(s->problems[i].path));
		json_object_set_new(p, "message", jstr(s->problems[i].message));
		json_object_set_new(p, "error", json_boolean(s->problems[i].code != 0));
		json_array_append_new(probs, p);
	}
	json_object_set_new(j, "problems", probs);
	return j;
}

int report_json_write(FILE *out, const struct finding_list *fl, const struct report_opts *o,
		      struct err *err)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;
	int rc = 0;

	json_object_set_new(root, "version", json_string(o->version ? o->version : ""));
	json_object_set_new(root, "command", jstr(o->command));
	/* lets --baseline match fingerprints made with another salt (a shallow
	 * clone, a copy outside git); null when the salt is a configured key */
	json_object_set_new(root, "fingerprint_salt", jstr(o->fingerprint_salt));
	for (i = 0; i < fl->n; i++)
		json_array_append_new(arr, finding_json(&fl->v[i], o));
	json_object_set_new(root, "findings", arr);
	json_object_set_new(root, "stats", o->stats ? stats_json(o->stats) : json_object());
	if (o->threads > 0)
		json_object_set_new(json_object_get(root, "stats"), "threads",
				    json_integer(o->threads));
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF)
		rc = err_set(err, KH_EIO, "cannot write the JSON report");
	json_decref(root);
	return rc;
}
