/* rules_defaults.c - the built-in rules, copied from the build-time tables.
 *
 * rules_table.h says why the defaults are C data rather than YAML parsed at
 * start. Each table entry becomes an ordinary struct rule that owns copies
 * of its strings (so releasing a rule set needs no special case), marked
 * deferred: its pattern was compiled and checked when keyhound was built,
 * and is compiled again only when a keyword first selects the rule.
 */
#include <stdlib.h>
#include <string.h>
#include "rules.h"
#include "rules_table.h"
#include "xalloc.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void copy_strs(struct strlist *dst, const struct builtin_strs *src)
{
	size_t i;

	if (!src->n)
		return;
	dst->v = xcalloc(src->n, sizeof(*dst->v));
	for (i = 0; i < src->n; i++)
		dst->v[i] = xstrdup(src->v[i]);
	dst->n = src->n;
}

static struct verify_spec *copy_verify(const struct builtin_verify *b)
{
	struct verify_spec *v;

	if (!b)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	v->provider = dup_or_null(b->provider);
	v->base_url = dup_or_null(b->base_url);
	v->method = dup_or_null(b->method);
	v->path = dup_or_null(b->path);
	copy_strs(&v->headers, &b->headers);
	copy_strs(&v->live_status, &b->live_status);
	copy_strs(&v->invalid_status, &b->invalid_status);
	copy_strs(&v->live_body, &b->live_body);
	copy_strs(&v->invalid_body, &b->invalid_body);
	copy_strs(&v->quota_body, &b->quota_body);
	copy_strs(&v->identity_field, &b->identity_field);
	copy_strs(&v->identity_header, &b->identity_header);
	copy_strs(&v->unknown_body, &b->unknown_body);
	return v;
}

static void copy_rule(struct rule *r, const struct builtin_rule *b)
{
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(b->id);
	r->description = xstrdup(b->description);
	r->remediation = dup_or_null(b->remediation);
	r->source = xstrdup(b->source);
	r->severity = (enum severity)b->severity;
	r->pattern = xstrdup(b->pattern);
	r->secret_group = b->secret_group;
	r->ngroups = b->ngroups;
	r->min_entropy = b->min_entropy;
	r->max_length = b->max_length;
	r->context_only = b->context_only;
	r->checksum = dup_or_null(b->checksum);
	copy_strs(&r->keywords, &b->keywords);
	copy_strs(&r->examples, &b->examples);
	copy_strs(&r->negative_examples, &b->negative_examples);
	copy_strs(&r->references, &b->references);
	copy_strs(&r->allow.paths, &b->allow.paths);
	copy_strs(&r->allow.regexes, &b->allow.regexes);
	copy_strs(&r->allow.lines, &b->allow.lines);
	copy_strs(&r->allow.stopwords, &b->allow.stopwords);
	copy_strs(&r->allow.commits, &b->allow.commits);
	r->verify = copy_verify(b->verify);
	r->builtin = 1;
	r->deferred = 1;
}

int rule_set_load_defaults(struct rule_set *rs, struct err *err)
{
	size_t i;

	(void)err; /* the tables were checked when they were built */
	if (!rs->n && !rs->rules) { /* the usual case: room for all at once */
		rs->rules = xcalloc(builtin_rules_count ? builtin_rules_count : 1,
				    sizeof(*rs->rules));
		rs->cap = builtin_rules_count ? builtin_rules_count : 1;
		for (i = 0; i < builtin_rules_count; i++)
			copy_rule(&rs->rules[rs->n++], &builtin_rules[i]);
		return 0;
	}
	for (i = 0; i < builtin_rules_count; i++) {
		struct rule r;
		copy_rule(&r, &builtin_rules[i]);
		rule_set_put(rs, &r);
	}
	return 0;
}
