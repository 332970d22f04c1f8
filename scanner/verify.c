/* verify.c - --verify: each distinct secret checked once with its provider,
 * every finding holding it marked (see verify.h).
 *
 * Findings are grouped by (rule, secret); a group with at least one
 * unsuppressed finding and a built-in rule with a verifier becomes one
 * request: the rule's method and path on its provider's base URL, the
 * secret only in the headers its rule names. http.c sends the requests
 * (a few per provider at once); verify_answer.c reads the answers; 429s
 * that are not "out of credit" and 5xx answers are retried with backoff.
 * A failure is a warning and an "unknown" mark, never a scan error. Nothing
 * here prints; messages carry the rule id and the redacted key only.
 */
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "verify.h"
#include "xalloc.h"

#define RETRY_BASE_MS 500L

struct base_url {
	const char *provider;   /* borrowed from the rule */
	char *url;              /* owned, no trailing '/'; NULL when refused */
	int plain_http;
};

struct check {
	struct finding **group; /* findings holding this secret (borrowed) */
	size_t ngroup;
	const struct rule *rule;
	char *url;
	char **headers;
	size_t nheaders;
	struct http_request req;
	int tries;
	enum verify_status status;
	int http_status;
	char *identity;
	const char *note;
	int warn;               /* the check itself failed: worth a warning */
};

static int cmp_secret(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;
	int c = strcmp(x->rule->id, y->rule->id);

	if (c)
		return c;
	if (x->secret_len != y->secret_len)
		return x->secret_len < y->secret_len ? -1 : 1;
	return memcmp(x->secret, y->secret, x->secret_len);
}

static int header_safe(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return n > 0;
}

/* The base URL for a provider, from the environment or the rule; checked
 * once per provider (a refused one is one warning, not one per key). */
static const struct base_url *base_for(struct base_url **cache, size_t *n,
				       const struct verify_spec *vs, struct scan_stats *stats)
{
	char env[96];
	const char *url, *from;
	struct base_url *b;
	struct err err = {0, ""};
	size_t i, len;
	void *v;

	for (i = 0; i < *n; i++)
		if (!strcmp((*cache)[i].provider, vs->provider))
			return &(*cache)[i];
	v = *cache;
	len = *n;
	xgrow(&v, &len, *n + 1, sizeof(**cache));
	*cache = v;
	b = &(*cache)[(*n)++];
	memset(b, 0, sizeof(*b));
	b->provider = vs->provider;
	verify_env_name(env, sizeof(env), vs->provider);
	url = getenv(env);
	from = env;
	if (!url || !*url) {
		url = vs->base_url;
		from = "the rule's base_url";
	}
	if (http_check_base_url(url, &b->plain_http, &err)) {
		stats_problem(stats, NULL, 0, 0, "--verify: %s: %s; %s keys are not sent "
			      "(status unknown)", from, err.msg, vs->provider);
		return b;
	}
	len = strlen(url);
	while (len && url[len - 1] == '/')
		len--;
	b->url = xstrndup(url, len);
	return b;
}

/* A header template with its {{secret}} (at most one: rules.c checks) filled in. */
static char *fill_template(const char *t, const char *secret, size_t len)
{
	const char *p = strstr(t, "{{secret}}");
	size_t pre, n;
	char *out;

	if (!p)
		return xstrdup(t);
	pre = (size_t)(p - t);
	n = pre + len + strlen(p + 10) + 1;
	out = xmalloc(n);
	memcpy(out, t, pre);
	memcpy(out + pre, secret, len);
	memcpy(out + pre + len, p + 10, strlen(p + 10) + 1);
	return out;
}

static long check_done(const struct http_response *r, void *payload)
{
	struct check *c = payload;
	const struct verify_spec *vs = c->rule->verify;
	const struct finding *f = c->group[0];
	const char *note;
	int retry;
	enum verify_status st;

	c->tries++;
	c->http_status = (int)r->status;
	if (r->failed) {
		c->status = VERIFY_UNKNOWN;
		c->note = r->error;
		c->warn = 1;
		return -1;
	}
	st = verify_classify(vs, r->status, r->body, r->body_len, &retry, &note);
	if (retry && c->tries < VERIFY_MAX_TRIES) {
		if (r->retry_after_ms >= 0)
			return r->retry_after_ms < VERIFY_RETRY_AFTER_CAP_MS ? r->retry_after_ms
									     : VERIFY_RETRY_AFTER_CAP_MS;
		return RETRY_BASE_MS << (c->tries - 1);
	}
	c->status = st;
	c->note = note;
	c->warn = st == VERIFY_UNKNOWN;
	free(c->identity);
	c->identity = NULL;
	if (st == VERIFY_LIVE) {
		struct verify_key k = {f->secret, f->secret_len, f->redacted};
		c->identity = verify_identity_new(vs, r->body, r->body_len, r->captured, &k);
	}
	return -1;
}

/* Builds the request; returns 0, or -1 (with c->note) when it must not be sent. */
static int check_prepare(struct check *c, const struct base_url *b, long timeout_ms)
{
	const struct verify_spec *vs = c->rule->verify;
	const struct finding *f = c->group[0];
	size_t n, i;

	if (!b->url) {
		c->note = "base URL refused";
		return -1;
	}
	if (!header_safe(f->secret, f->secret_len)) {
		c->note = "the secret holds characters a header cannot carry";
		c->warn = 1;
		return -1;
	}
	n = strlen(b->url) + strlen(vs->path) + 1;
	c->url = xmalloc(n);
	memcpy(c->url, b->url, strlen(b->url));
	memcpy(c->url + strlen(b->url), vs->path, strlen(vs->path) + 1);
	c->nheaders = vs->headers.n;
	c->headers = xcalloc(c->nheaders ? c->nheaders : 1, sizeof(*c->headers));
	for (i = 0; i < c->nheaders; i++)
		c->headers[i] = fill_template(vs->headers.v[i], f->secret, f->secret_len);
	c->req.method = vs->method ? vs->method : "GET";
	c->req.url = c->url;
	c->req.headers = (const char *const *)c->headers;
	c->req.nheaders = c->nheaders;
	c->req.capture = (const char *const *)vs->identity_header.v;
	c->req.ncapture = vs->identity_header.n;
	c->req.timeout_ms = timeout_ms;
	c->req.plain_http = b->plain_http;
	return 0;
}

static void check_apply(const struct check *c)
{
	size_t i;

	for (i = 0; i < c->ngroup; i++) {
		struct finding *f = c->group[i];
		f->verified = c->status;
		f->verify_http_status = c->http_status;
		f->verify_note = c->note;
		free(f->verify_identity);
		f->verify_identity = c->identity ? xstrdup(c->identity) : NULL;
	}
}

static void check_release(struct check *c)
{
	size_t i;

	for (i = 0; i < c->nheaders; i++) {
		memset(c->headers[i], 0, strlen(c->headers[i])); /* they hold the key */
		free(c->headers[i]);
	}
	free(c->headers);
	free(c->url);
	free(c->identity);
}

/* Marks a group of findings of one secret unknown, with a note saying why. */
static void mark_unknown(struct finding **g, size_t n, const char *note)
{
	size_t i;

	for (i = 0; i < n; i++) {
		g[i]->verified = VERIFY_UNKNOWN;
		g[i]->verify_note = note;
	}
}

/* Marks a group whose rule has no verifier; warns once per rule. */
static void mark_no_verifier(struct finding **g, size_t n, const struct rule **warned,
			     size_t *nwarned, struct scan_stats *stats)
{
	const struct rule *r = g[0]->rule;
	size_t i;

	mark_unknown(g, n, "no verifier for this rule");
	if (r->context_only)
		return;
	for (i = 0; i < *nwarned; i++)
		if (warned[i] == r)
			return;
	warned[(*nwarned)++] = r;
	stats_problem(stats, NULL, 0, 0, "--verify: rule %s has no verifier; its findings are "
		      "marked unknown", r->id);
}

static int group_wanted(struct finding **g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!g[i]->suppressed)
			return 1;
	return 0;
}

void verify_findings(struct finding_list *fl, const struct verify_opts *o,
		     struct scan_stats *stats)
{
	struct finding **sorted;
	struct check *checks;
	const struct rule **warned;
	struct base_url *bases = NULL;
	struct http_client *client = NULL;
	struct err err = {0, ""};
	size_t i, j, nchecks = 0, nwarned = 0, nbases = 0;
	long timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : VERIFY_DEFAULT_TIMEOUT_MS;

	if (!fl->n)
		return;
	sorted = xmalloc(fl->n * sizeof(*sorted));
	for (i = 0; i < fl->n; i++)
		sorted[i] = &fl->v[i];
	qsort(sorted, fl->n, sizeof(*sorted), cmp_secret);
	checks = xcalloc(fl->n, sizeof(*checks));
	warned = xcalloc(fl->n, sizeof(*warned));
	if (http_client_new(&client, VERIFY_IN_FLIGHT, &err) < 0) {
		stats_problem(stats, NULL, 0, 0, "--verify: %s; every status is unknown", err.msg);
		client = NULL;
	}
	for (i = 0; i < fl->n; i = j) {
		const struct rule *r = sorted[i]->rule;
		struct check *c;
		for (j = i + 1; j < fl->n && !cmp_secret(&sorted[i], &sorted[j]); j++)
			;
		if (!group_wanted(sorted + i, j - i))
			continue; /* only ever suppressed: never sent */
		if (!rule_has_verifier(r)) {
			mark_no_verifier(sorted + i, j - i, warned, &nwarned, stats);
			continue;
		}
		if (!client) { /* said above, once: no check could be made */
			mark_unknown(sorted + i, j - i, "not checked: --verify could not start");
			continue;
		}
		c = &checks[nchecks++];
		c->group = sorted + i;
		c->ngroup = j - i;
		c->rule = r;
		c->status = VERIFY_UNKNOWN;
		if (check_prepare(c, base_for(&bases, &nbases, r->verify, stats), timeout_ms) == 0)
			http_client_add(client, &c->req, r->verify->provider, VERIFY_PER_PROVIDER,
					check_done, c);
	}
	if (client)
		http_client_run(client, o ? o->interrupted : NULL);
	http_client_free(client);
	for (i = 0; i < nchecks; i++) {
		struct check *c = &checks[i];
		check_apply(c);
		if (c->warn && c->http_status)
			stats_problem(stats, NULL, 0, 0, "--verify: %s %s: %s (HTTP %d); status "
				      "unknown", c->rule->id, c->group[0]->redacted, c->note,
				      c->http_status);
		else if (c->warn)
			stats_problem(stats, NULL, 0, 0, "--verify: %s %s: %s; status unknown",
				      c->rule->id, c->group[0]->redacted, c->note);
		check_release(c);
	}
	for (i = 0; i < nbases; i++)
		free(bases[i].url);
	free(bases);
	free(warned);
	free(checks);
	free(sorted);
}
