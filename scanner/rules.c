/* rules.c - loading rules and configs from YAML (libyaml) and compiling them.
 *
 * One schema serves the built-in rule files and a project's .keyhound.yaml:
 * top-level `rules:` (list of rules), `allowlist:` (global suppressions),
 * `disable:` (rule ids to turn off) and `fingerprint-key:`. Unknown keys are
 * errors that name file:line:column, so a typo never silently disables
 * anything. Rules from a config may not carry a verifier (only built-in
 * rules can send a found key anywhere). This file never scans or prints.
 */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include "checksum.h"
#include "envflag.h"
#include "prefilter.h"
#include "readfile.h"
#include "rules.h"
#include "xalloc.h"

#define DEFAULT_MAX_LENGTH 256
#define MAX_RULE_LENGTH (1u << 20)

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

const char *severity_name(enum severity s)
{
	return (unsigned)s < 5 ? sev_names[s] : "unknown";
}

int severity_parse(const char *s)
{
	int i;

	for (i = 0; i < 5; i++)
		if (!strcasecmp(s, sev_names[i]))
			return i;
	return -1;
}

void strlist_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void allowlist_release(struct allowlist *a)
{
	size_t i;

	if (a->regex_code)
		for (i = 0; i < a->regexes.n; i++)
			pcre2_code_free(a->regex_code[i]);
	if (a->line_code)
		for (i = 0; i < a->lines.n; i++)
			pcre2_code_free(a->line_code[i]);
	free(a->regex_code);
	free(a->line_code);
	strlist_release(&a->paths);
	strlist_release(&a->regexes);
	strlist_release(&a->lines);
	strlist_release(&a->stopwords);
	strlist_release(&a->commits);
	memset(a, 0, sizeof(*a));
}

static void verify_spec_free(struct verify_spec *v)
{
	if (!v)
		return;
	free(v->provider);
	free(v->base_url);
	free(v->method);
	free(v->path);
	strlist_release(&v->headers);
	strlist_release(&v->live_status);
	strlist_release(&v->invalid_status);
	strlist_release(&v->live_body);
	strlist_release(&v->invalid_body);
	strlist_release(&v->quota_body);
	strlist_release(&v->unknown_body);
	strlist_release(&v->identity_field);
	strlist_release(&v->identity_header);
	free(v);
}

static void rule_release(struct rule *r)
{
	free(r->id);
	free(r->description);
	free(r->remediation);
	free(r->source);
	free(r->pattern);
	free(r->secret_group_name);
	free(r->checksum);
	strlist_release(&r->keywords);
	strlist_release(&r->examples);
	strlist_release(&r->negative_examples);
	strlist_release(&r->references);
	allowlist_release(&r->allow);
	verify_spec_free(r->verify);
	if (r->code)
		pcre2_code_free(r->code);
	memset(r, 0, sizeof(*r));
}

void rule_set_init(struct rule_set *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static void rule_jit_free(struct rule_jit *j);

void rule_set_release(struct rule_set *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_release(&rs->rules[i]);
	free(rs->rules);
	allowlist_release(&rs->allow);
	strlist_release(&rs->config_files);
	strlist_release(&rs->disabled);
	free(rs->fingerprint_key);
	prefilter_free(rs->prefilter);
	rule_jit_free(rs->jit);
	memset(rs, 0, sizeof(*rs));
}

const struct rule *rule_set_find(const struct rule_set *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->rules[i].id, id))
			return &rs->rules[i];
	return NULL;
}

/* ---- YAML helpers ---------------------------------------------------------- */

struct loader {
	yaml_document_t *doc;
	const char *name;
	int builtin;
	struct err *err;
};

static int node_err(struct loader *ld, yaml_node_t *n, const char *fmt, const char *what)
{
	char msg[300];

	snprintf(msg, sizeof(msg), fmt, what);
	return err_set(ld->err, KH_EINVAL, "%s:%lu:%lu: %s", ld->name,
		       n ? (unsigned long)n->start_mark.line + 1 : 0UL,
		       n ? (unsigned long)n->start_mark.column + 1 : 0UL, msg);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int get_string(struct loader *ld, yaml_node_t *n, const char *key, char **out)
{
	const char *s = scalar(n);

	if (!s)
		return node_err(ld, n, "'%s' must be a string", key);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

static int get_strlist(struct loader *ld, yaml_node_t *n, const char *key, struct strlist *out)
{
	yaml_node_item_t *it;

	if (scalar(n)) { /* a single string is a one-element list */
		strlist_add(out, scalar(n));
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return node_err(ld, n, "'%s' must be a list of strings", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *c = yaml_document_get_node(ld->doc, *it);
		if (!scalar(c))
			return node_err(ld, c, "'%s' must be a list of strings", key);
		strlist_add(out, scalar(c));
	}
	return 0;
}

static int get_number(struct loader *ld, yaml_node_t *n, const char *key, double lo,
		      double hi, double *out)
{
	const char *s = scalar(n);
	char *end;
	double v;

	if (!s)
		return node_err(ld, n, "'%s' must be a number", key);
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		return node_err(ld, n, "'%s' is not a number in range", key);
	*out = v;
	return 0;
}

static int get_bool(struct loader *ld, yaml_node_t *n, const char *key, int *out)
{
	const char *s = scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes"))) {
		*out = 1;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no"))) {
		*out = 0;
		return 0;
	}
	return node_err(ld, n, "'%s' must be true or false", key);
}

#define FOR_EACH_PAIR(ld, map, p, k, v)                                               \
	for (p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top; p++) \
		if ((k = yaml_document_get_node((ld)->doc, p->key)) &&                   \
		    (v = yaml_document_get_node((ld)->doc, p->value)))

static int load_allowlist(struct loader *ld, yaml_node_t *map, struct allowlist *a)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	int rc = 0;

	if (map->type != YAML_MAPPING_NODE)
		return node_err(ld, map, "'%s' must be a mapping", "allowlist");
	FOR_EACH_PAIR(ld, map, p, k, v) {
		const char *key = scalar(k);
		if (!key)
			return node_err(ld, k, "%s: bad key", "allowlist");
		if (!strcmp(key, "paths"))
			rc = get_strlist(ld, v, key, &a->paths);
		else if (!strcmp(key, "regexes"))
			rc = get_strlist(ld, v, key, &a->regexes);
		else if (!strcmp(key, "lines"))
			rc = get_strlist(ld, v, key, &a->lines);
		else if (!strcmp(key, "stopwords"))
			rc = get_strlist(ld, v, key, &a->stopwords);
		else if (!strcmp(key, "commits"))
			rc = get_strlist(ld, v, key, &a->commits);
		else if (!strcmp(key, "description"))
			rc = 0;
		else
			rc = node_err(ld, k, "unknown allowlist key '%s'", key);
		if (rc)
			return rc;
	}
	return 0;
}

/* A verifier sends a found key over the network, so its description is
 * checked strictly: https only, the secret only in a header, never in the
 * URL, and nothing but {{secret}} substituted. */
static const char *verify_spec_problem(const struct verify_spec *vs)
{
	size_t i, with_secret = 0;

	if (!vs->provider || !vs->base_url || !vs->path || !vs->live_status.n)
		return "needs provider, base_url, path and live_status";
	if (!*vs->provider || strspn(vs->provider, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	    strlen(vs->provider))
		return "provider must be lowercase letters, digits and _";
	if (strncmp(vs->base_url, "https://", 8) || strpbrk(vs->base_url, "{} \t\r\n?#@"))
		return "base_url must be a plain https:// URL";
	if (vs->method && strcmp(vs->method, "GET") && strcmp(vs->method, "POST") &&
	    strcmp(vs->method, "HEAD"))
		return "method must be GET, POST or HEAD";
	if (vs->path[0] != '/' || strpbrk(vs->path, "{} \t\r\n#"))
		return "path must start with / and never hold the secret";
	for (i = 0; i < vs->headers.n; i++) {
		const char *h = vs->headers.v[i], *colon = strchr(h, ':'), *t;
		if (!colon || colon == h || strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
						   "0123456789-_") != (size_t)(colon - h) ||
		    strpbrk(h, "\r\n"))
			return "headers must be 'Name: value'";
		t = strstr(h, "{{");
		if (t && (strncmp(t, "{{secret}}", 10) || strstr(t + 10, "{{")))
			return "headers may substitute only one {{secret}}";
		with_secret += t != NULL;
	}
	if (!with_secret)
		return "no header carries {{secret}}";
	for (i = 0; i < vs->live_status.n + vs->invalid_status.n; i++) {
		const char *c = i < vs->live_status.n ? vs->live_status.v[i]
						      : vs->invalid_status.v[i - vs->live_status.n];
		if (strlen(c) != 3 || strspn(c, "0123456789") != 3 || c[0] < '1' || c[0] > '5')
			return "status codes must be three digits";
	}
	return NULL;
}

static int load_verify(struct loader *ld, yaml_node_t *map, struct verify_spec **out)
{
	struct verify_spec *vs;
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *bad;
	int rc = 0;

	if (!ld->builtin)
		return node_err(ld, map, "%s: verifiers can only come from the built-in rules "
				"(a config can never send a found key anywhere)", "verify");
	if (map->type != YAML_MAPPING_NODE)
		return node_err(ld, map, "'%s' must be a mapping", "verify");
	vs = xcalloc(1, sizeof(*vs));
	FOR_EACH_PAIR(ld, map, p, k, v) {
		const char *key = scalar(k);
		if (!key)
			rc = node_err(ld, k, "%s: bad key", "verify");
		else if (!strcmp(key, "provider"))
			rc = get_string(ld, v, key, &vs->provider);
		else if (!strcmp(key, "base_url"))
			rc = get_string(ld, v, key, &vs->base_url);
		else if (!strcmp(key, "method"))
			rc = get_string(ld, v, key, &vs->method);
		else if (!strcmp(key, "path"))
			rc = get_string(ld, v, key, &vs->path);
		else if (!strcmp(key, "headers"))
			rc = get_strlist(ld, v, key, &vs->headers);
		else if (!strcmp(key, "live_status"))
			rc = get_strlist(ld, v, key, &vs->live_status);
		else if (!strcmp(key, "invalid_status"))
			rc = get_strlist(ld, v, key, &vs->invalid_status);
		else if (!strcmp(key, "live_body"))
			rc = get_strlist(ld, v, key, &vs->live_body);
		else if (!strcmp(key, "invalid_body"))
			rc = get_strlist(ld, v, key, &vs->invalid_body);
		else if (!strcmp(key, "quota_body"))
			rc = get_strlist(ld, v, key, &vs->quota_body);
		else if (!strcmp(key, "unknown_body"))
			rc = get_strlist(ld, v, key, &vs->unknown_body);
		else if (!strcmp(key, "identity_field"))
			rc = get_strlist(ld, v, key, &vs->identity_field);
		else if (!strcmp(key, "identity_header"))
			rc = get_strlist(ld, v, key, &vs->identity_header);
		else
			rc = node_err(ld, k, "unknown verify key '%s'", key);
		if (rc)
			break;
	}
	if (!rc && (bad = verify_spec_problem(vs)))
		rc = node_err(ld, map, "verify: %s", bad);
	if (rc) {
		verify_spec_free(vs);
		return rc;
	}
	verify_spec_free(*out); /* a repeated `verify:` replaces the earlier one */
	*out = vs;
	return 0;
}

static int load_rule(struct loader *ld, yaml_node_t *map, struct rule *r)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	double d;
	int rc = 0;

	if (map->type != YAML_MAPPING_NODE)
		return node_err(ld, map, "a rule must be a %s", "mapping");
	r->severity = SEV_HIGH;
	r->max_length = DEFAULT_MAX_LENGTH;
	r->secret_group = 0;
	r->builtin = ld->builtin;
	FOR_EACH_PAIR(ld, map, p, k, v) {
		const char *key = scalar(k);
		if (!key)
			return node_err(ld, k, "%s: bad key", "rule");
		if (!strcmp(key, "id"))
			rc = get_string(ld, v, key, &r->id);
		else if (!strcmp(key, "description") || !strcmp(key, "name"))
			rc = get_string(ld, v, key, &r->description);
		else if (!strcmp(key, "remediation"))
			rc = get_string(ld, v, key, &r->remediation);
		else if (!strcmp(key, "pattern") || !strcmp(key, "regex"))
			rc = get_string(ld, v, key, &r->pattern);
		else if (!strcmp(key, "severity")) {
			int s = scalar(v) ? severity_parse(scalar(v)) : -1;
			if (s < 0)
				return node_err(ld, v, "severity must be one of %s",
						"info, low, medium, high, critical");
			r->severity = (enum severity)s;
		} else if (!strcmp(key, "secret_group")) {
			const char *s = scalar(v);
			if (s && *s && strspn(s, "0123456789") != strlen(s)) {
				free(r->secret_group_name);
				r->secret_group_name = xstrdup(s);
			} else if (!(rc = get_number(ld, v, key, 0, 99, &d)))
				r->secret_group = (int)d;
		} else if (!strcmp(key, "keywords"))
			rc = get_strlist(ld, v, key, &r->keywords);
		else if (!strcmp(key, "min_entropy") || !strcmp(key, "entropy"))
			rc = get_number(ld, v, key, 0, 8, &r->min_entropy);
		else if (!strcmp(key, "max_length")) {
			if (!(rc = get_number(ld, v, key, 1, MAX_RULE_LENGTH, &d)))
				r->max_length = (size_t)d;
		} else if (!strcmp(key, "examples"))
			rc = get_strlist(ld, v, key, &r->examples);
		else if (!strcmp(key, "negative_examples"))
			rc = get_strlist(ld, v, key, &r->negative_examples);
		else if (!strcmp(key, "references"))
			rc = get_strlist(ld, v, key, &r->references);
		else if (!strcmp(key, "context_only"))
			rc = get_bool(ld, v, key, &r->context_only);
		else if (!strcmp(key, "checksum")) {
			if (!(rc = get_string(ld, v, key, &r->checksum)) && !checksum_known(r->checksum))
				rc = node_err(ld, v, "unknown checksum '%s'", r->checksum);
		} else if (!strcmp(key, "allow") || !strcmp(key, "allowlist"))
			rc = load_allowlist(ld, v, &r->allow);
		else if (!strcmp(key, "verify"))
			rc = load_verify(ld, v, &r->verify);
		else
			rc = node_err(ld, k, "unknown rule key '%s'", key);
		if (rc)
			return rc;
	}
	if (!r->id)
		return node_err(ld, map, "a rule needs an %s", "id");
	if (!r->pattern)
		return node_err(ld, map, "rule needs a pattern: %s", r->id);
	if (!r->keywords.n)
		return node_err(ld, map, "rule needs at least one keyword: %s", r->id);
	if (!r->description)
		r->description = xstrdup(r->id);
	{
		size_t i;
		for (i = 0; i < r->keywords.n; i++)
			if (strlen(r->keywords.v[i]) < 2)
				return node_err(ld, map, "rule %s: a keyword is shorter than 2 characters",
						r->id);
	}
	r->source = xstrdup(ld->name);
	return 0;
}

/* A rules entry with an id and an allowlist but no pattern adds to the
 * allowlist of the rule already loaded under that id (a config can silence a
 * built-in rule's false alarms without copying the rule). Returns 1 when map
 * is such an entry (merged, or an error in *rc), 0 when it is a whole rule. */
static int extend_rule_allowlist(struct loader *ld, struct rule_set *rs, yaml_node_t *map,
				 int *rc)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v, *allow = NULL;
	const char *id = NULL;
	size_t i;

	if (map->type != YAML_MAPPING_NODE)
		return 0;
	FOR_EACH_PAIR(ld, map, p, k, v) {
		const char *key = scalar(k);
		if (key && !strcmp(key, "pattern"))
			return 0;
		if (key && !strcmp(key, "id"))
			id = scalar(v);
		else if (key && (!strcmp(key, "allow") || !strcmp(key, "allowlist")))
			allow = v;
	}
	if (!id || !allow)
		return 0;
	FOR_EACH_PAIR(ld, map, p, k, v) {
		const char *key = scalar(k);
		if (!key || (strcmp(key, "id") && strcmp(key, "allow") && strcmp(key, "allowlist") &&
			     strcmp(key, "description"))) {
			*rc = node_err(ld, k, "rule '%s' has no pattern: only id, description and "
				       "allow may be given to extend an existing rule", id);
			return 1;
		}
	}
	for (i = 0; i < rs->n && strcmp(rs->rules[i].id, id); i++)
		;
	if (i == rs->n) {
		*rc = node_err(ld, map, "cannot extend the allowlist of unknown rule '%s' "
			       "(a new rule needs a pattern)", id);
		return 1;
	}
	*rc = load_allowlist(ld, allow, &rs->rules[i].allow);
	return 1;
}

void rule_set_put(struct rule_set *rs, struct rule *r)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (!strcmp(rs->rules[i].id, r->id)) {
			rule_release(&rs->rules[i]);
			rs->rules[i] = *r;
			return;
		}
	}
	{
		void *v = rs->rules;
		xgrow(&v, &rs->cap, rs->n + 1, sizeof(*rs->rules));
		rs->rules = v;
	}
	rs->rules[rs->n++] = *r;
}

static int load_root(struct loader *ld, struct rule_set *rs, yaml_node_t *root)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	int rc = 0;

	if (!root) /* empty document: nothing to merge */
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return node_err(ld, root, "the top level must be a %s", "mapping");
	FOR_EACH_PAIR(ld, root, p, k, v) {
		const char *key = scalar(k);
		if (!key)
			return node_err(ld, k, "%s", "bad top-level key");
		if (!strcmp(key, "rules")) {
			yaml_node_item_t *it;
			if (v->type != YAML_SEQUENCE_NODE)
				return node_err(ld, v, "'%s' must be a list", key);
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				struct rule r;
				if (extend_rule_allowlist(ld, rs, yaml_document_get_node(ld->doc, *it),
							  &rc)) {
					if (rc)
						return rc;
					continue;
				}
				memset(&r, 0, sizeof(r));
				rc = load_rule(ld, yaml_document_get_node(ld->doc, *it), &r);
				if (rc) {
					rule_release(&r);
					return rc;
				}
				rule_set_put(rs, &r);
			}
		} else if (!strcmp(key, "allowlist") || !strcmp(key, "allow")) {
			if ((rc = load_allowlist(ld, v, &rs->allow)))
				return rc;
		} else if (!strcmp(key, "disable") || !strcmp(key, "disabled_rules")) {
			if ((rc = get_strlist(ld, v, key, &rs->disabled)))
				return rc;
		} else if (!strcmp(key, "fingerprint-key") || !strcmp(key, "fingerprint_key")) {
			if ((rc = get_string(ld, v, key, &rs->fingerprint_key)))
				return rc;
		} else if (!strcmp(key, "title") || !strcmp(key, "description") ||
			   !strcmp(key, "version")) {
			continue;
		} else {
			return node_err(ld, k, "unknown top-level key '%s'", key);
		}
	}
	return 0;
}

/* Rules and configurations nest a few levels (a rule's allowlist's list is
 * the deepest); libyaml's time grows with the square of the nesting depth,
 * so a deeper document (a hostile [[[[...) is refused after a first pass of
 * parse events that stops at that depth. */
#define MAX_YAML_DEPTH 32

static int check_depth(const char *text, size_t len, const char *name, struct err *err)
{
	yaml_parser_t p;
	yaml_event_t e;
	int depth = 0, rc = 0;

	if (!yaml_parser_initialize(&p))
		return err_set(err, KH_EINVAL, "%s: cannot initialize YAML parser", name);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (yaml_parser_parse(&p, &e)) { /* a syntax error: reported by the load */
		int end = e.type == YAML_STREAM_END_EVENT;
		if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT) {
			if (++depth > MAX_YAML_DEPTH) {
				rc = err_set(err, KH_EINVAL, "%s:%lu:%lu: nested deeper than %d levels",
					     name, (unsigned long)e.start_mark.line + 1,
					     (unsigned long)e.start_mark.column + 1, MAX_YAML_DEPTH);
				end = 1;
			}
		} else if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&e);
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

int rule_set_load_yaml(struct rule_set *rs, const char *text, size_t len,
		       const char *name, int builtin, struct err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct loader ld = {&doc, name, builtin, err};
	int rc;

	if (!builtin && (rc = check_depth(text, len, name, err)) < 0)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return err_set(err, KH_EINVAL, "%s: cannot initialize YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = err_set(err, KH_EINVAL, "%s:%lu:%lu: %s", name,
			     (unsigned long)parser.problem_mark.line + 1,
			     (unsigned long)parser.problem_mark.column + 1,
			     parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return rc;
	}
	rc = load_root(&ld, rs, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!rc && !builtin)
		strlist_add(&rs->config_files, name);
	return rc;
}

int rule_set_load_file(struct rule_set *rs, const char *path, int flags, struct err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = readfile(&text, &len, path, "config", (size_t)16 << 20, flags, err)) < 0)
		return rc;
	rc = rule_set_load_yaml(rs, text, len, path, 0, err);
	free(text);
	return rc;
}

int rule_has_verifier(const struct rule *r)
{
	return r->verify && r->builtin;
}

/* ---- compiling ------------------------------------------------------------- */

/* JIT compiles a pattern unless KEYHOUND_NO_JIT is set (valgrind cannot follow
 * JIT code; the tests also use it to run the interpreter). Returns 0 when the
 * JIT will run the pattern; otherwise PCRE2's interpreter does. */
static int jit_compile(pcre2_code *code)
{
	if (env_flag("KEYHOUND_NO_JIT"))
		return -1;
	return pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
}

struct rule_jit {
	pthread_mutex_t lock;
	atomic_uchar *done; /* per rule: 1 once JIT compilation was tried */
};

/* Compiles a pattern in byte mode (no UTF: scanned data is arbitrary bytes). */
static pcre2_code *compile_pattern(const char *pat, int caseless, int *errcode,
				   PCRE2_SIZE *erroff)
{
	uint32_t opts = PCRE2_NEVER_UTF | PCRE2_NEVER_UCP | (caseless ? PCRE2_CASELESS : 0);

	return pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, errcode, erroff, NULL);
}

int rule_set_ready(const struct rule_set *rs, size_t i)
{
	struct rule_jit *j = rs->jit;
	struct rule *r = &rs->rules[i]; /* the rules array is the set's own, not const */

	if (!j || atomic_load_explicit(&j->done[i], memory_order_acquire))
		return r->code ? 0 : -1;
	pthread_mutex_lock(&j->lock);
	if (!atomic_load_explicit(&j->done[i], memory_order_relaxed)) {
		if (!r->code && r->deferred) {
			int ec;
			PCRE2_SIZE off;
			r->code = compile_pattern(r->pattern, 0, &ec, &off);
		}
		if (r->code)
			jit_compile(r->code);
		atomic_store_explicit(&j->done[i], 1, memory_order_release);
	}
	pthread_mutex_unlock(&j->lock);
	return r->code ? 0 : -1;
}

static void rule_jit_free(struct rule_jit *j)
{
	if (!j)
		return;
	pthread_mutex_destroy(&j->lock);
	free(j->done);
	free(j);
}

static int compile_list(const struct strlist *l, pcre2_code ***out, int caseless,
			const char *what, const char *owner, struct err *err)
{
	size_t i;

	if (!l->n)
		return 0;
	*out = xcalloc(l->n, sizeof(**out));
	for (i = 0; i < l->n; i++) {
		int ec;
		PCRE2_SIZE off;
		(*out)[i] = compile_pattern(l->v[i], caseless, &ec, &off);
		if (!(*out)[i]) {
			PCRE2_UCHAR msg[160];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			return err_set(err, KH_ERULE, "%s: invalid %s regex at offset %zu: %s",
				       owner, what, (size_t)off, (const char *)msg);
		}
		jit_compile((*out)[i]);
	}
	return 0;
}

static int compile_allowlist(struct allowlist *a, const char *owner, struct err *err)
{
	int rc;

	if ((rc = compile_list(&a->regexes, &a->regex_code, 0, "allowlist", owner, err)))
		return rc;
	return compile_list(&a->lines, &a->line_code, 0, "allowlist line", owner, err);
}

static int rule_compile(struct rule *r, struct err *err)
{
	int ec;
	PCRE2_SIZE off;
	uint32_t ngroups = 0;

	r->code = compile_pattern(r->pattern, 0, &ec, &off);
	if (!r->code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return err_set(err, KH_ERULE, "rule '%s' (%s): invalid pattern at offset %zu: %s",
			       r->id, r->source, (size_t)off, (const char *)msg);
	}
	/* JIT is an accelerator, compiled on first use (rule_set_ready): when
	 * it cannot compile, the interpreter runs. */
	pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &ngroups);
	r->ngroups = ngroups;
	if (r->secret_group_name) {
		int g = pcre2_substring_number_from_name(r->code,
							 (PCRE2_SPTR)r->secret_group_name);
		if (g < 0)
			return err_set(err, KH_ERULE, "rule '%s' (%s): no group named '%s'",
				       r->id, r->source, r->secret_group_name);
		r->secret_group = g;
	} else if ((uint32_t)r->secret_group > ngroups) {
		return err_set(err, KH_ERULE,
			       "rule '%s' (%s): secret_group %d but the pattern has %u groups",
			       r->id, r->source, r->secret_group, ngroups);
	}
	return compile_allowlist(&r->allow, r->id, err);
}

int rule_set_compile(struct rule_set *rs, struct err *err)
{
	size_t i, j;
	int rc;

	for (i = 0; i < rs->disabled.n; i++) {
		int found = 0;
		for (j = 0; j < rs->n; j++) {
			if (!strcmp(rs->rules[j].id, rs->disabled.v[i])) {
				rs->rules[j].disabled = 1;
				found = 1;
			}
		}
		if (!found)
			return err_set(err, KH_EINVAL, "cannot disable unknown rule '%s'",
				       rs->disabled.v[i]);
	}
	rs->max_length = 0;
	prefilter_free(rs->prefilter);
	rs->prefilter = prefilter_new();
	for (i = 0; i < rs->n; i++) {
		struct rule *r = &rs->rules[i];
		if (r->disabled)
			continue;
		rc = 0;
		if (!r->deferred && !r->code)
			rc = rule_compile(r, err);
		else if (r->deferred && !r->allow.regex_code && !r->allow.line_code)
			rc = compile_allowlist(&r->allow, r->id, err); /* once */
		if (rc)
			return rc;
		if (r->max_length > rs->max_length)
			rs->max_length = r->max_length;
		for (j = 0; j < r->keywords.n; j++)
			prefilter_add(rs->prefilter, r->keywords.v[j], strlen(r->keywords.v[j]),
				      (unsigned)i);
	}
	if ((rc = prefilter_build(rs->prefilter, err)))
		return rc;
	rule_jit_free(rs->jit);
	rs->jit = xcalloc(1, sizeof(*rs->jit));
	rs->jit->done = xcalloc(rs->n ? rs->n : 1, sizeof(*rs->jit->done));
	pthread_mutex_init(&rs->jit->lock, NULL);
	return compile_allowlist(&rs->allow, "allowlist", err);
}
