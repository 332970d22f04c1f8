/* verify_answer.c - what a provider's answer means: live, invalid or unknown,
 * and whom the key belongs to (see verify.h).
 *
 * Pure functions of a rule's verify_spec and one HTTP answer (status, body,
 * captured headers): no network, no findings, no printing. Everything a
 * provider needs is data in its rule file, so a new provider never needs C
 * here. The answer comes from a remote server: it is read, never trusted
 * (bounded, control characters replaced, never printed by this file).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "verify.h"
#include "xalloc.h"

#define IDENTITY_MAX 300
#define IDENTITY_VALUE_MAX 120
#define KEY_WINDOW 12 /* this many bytes of the key in a row count as the key */

static int mem_holds(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	if (!m)
		return 1;
	for (i = 0; i + m <= n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
			return 1;
	return 0;
}

/* A copy without JSON whitespace outside strings. */
static char *squeeze(const char *s, size_t n, size_t *out_len)
{
	char *o = xmalloc(n + 1);
	size_t i, k = 0;
	int in_str = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\' && i + 1 < n) {
				o[k++] = c;
				c = s[++i];
			} else if (c == '"') {
				in_str = 0;
			}
		} else if (c == '"') {
			in_str = 1;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			continue;
		}
		o[k++] = c;
	}
	o[k] = '\0';
	*out_len = k;
	return o;
}

int verify_body_holds(const char *body, size_t len, const char *needle)
{
	char *sb, *sn;
	size_t sbl, snl;
	int hit;

	if (!body)
		return 0;
	if (mem_holds(body, len, needle))
		return 1;
	sb = squeeze(body, len, &sbl);
	sn = squeeze(needle, strlen(needle), &snl);
	hit = mem_holds(sb, sbl, sn);
	free(sb);
	free(sn);
	return hit;
}

static int any_holds(const struct strlist *l, const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (verify_body_holds(body, len, l->v[i]))
			return 1;
	return 0;
}

static int status_listed(const struct strlist *l, long status)
{
	char code[16];
	size_t i;

	snprintf(code, sizeof(code), "%ld", status);
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], code))
			return 1;
	return 0;
}

enum verify_status verify_classify(const struct verify_spec *vs, long http_status,
				   const char *body, size_t len, int *retry,
				   const char **note)
{
	*retry = 0;
	*note = NULL;
	if (status_listed(&vs->live_status, http_status)) {
		if (any_holds(&vs->unknown_body, body, len)) {
			/* e.g. GitHub's 403 after too many bad keys: says nothing of this one */
			*note = "the provider refused to answer (rate limit or lockout)";
			return VERIFY_UNKNOWN;
		}
		if (vs->live_body.n && !any_holds(&vs->live_body, body, len)) {
			if (any_holds(&vs->invalid_body, body, len))
				return VERIFY_INVALID;
			*note = "the answer did not say whether the key works";
			return VERIFY_UNKNOWN;
		}
		if (!vs->live_body.n && any_holds(&vs->invalid_body, body, len))
			return VERIFY_INVALID;
		if (http_status < 200 || http_status > 299)
			*note = "key accepted, but this request was refused (restricted key)";
		return VERIFY_LIVE;
	}
	if (status_listed(&vs->invalid_status, http_status))
		return VERIFY_INVALID;
	if (http_status == 429) {
		if (any_holds(&vs->quota_body, body, len)) {
			*note = "valid but out of credit";
			return VERIFY_LIVE;
		}
		*retry = 1;
		*note = "rate limited";
		return VERIFY_UNKNOWN;
	}
	if (http_status >= 500 && http_status <= 599) {
		*retry = 1;
		*note = "server error";
		return VERIFY_UNKNOWN;
	}
	*note = http_status >= 300 && http_status <= 399 ? "redirect not followed"
							 : "unexpected HTTP status";
	return VERIFY_UNKNOWN;
}

/* Whether s holds any KEY_WINDOW bytes in a row of the secret. */
static int holds_part_of(const char *s, const struct verify_key *k)
{
	size_t i, n = strlen(s);
	char w[KEY_WINDOW + 1];

	if (k->len < KEY_WINDOW)
		return 0;
	for (i = 0; i + KEY_WINDOW <= k->len; i++) {
		memcpy(w, k->secret + i, KEY_WINDOW);
		w[KEY_WINDOW] = '\0';
		if (mem_holds(s, n, w))
			return 1;
	}
	return 0;
}

/* Appends "name=value" to b: the key redacted wherever a server echoes it
 * (a value holding only part of it is withheld), bounded, free of control
 * characters. */
static void add_pair(struct buf *b, const char *name, const char *value,
		     const struct verify_key *k)
{
	char *v = xstrdup(value);
	size_t i, n;

	if (k && k->len >= 8)
		redact_in_string(&v, k->secret, k->len, k->redacted);
	if (k && holds_part_of(v, k)) {
		free(v);
		v = xstrdup("(withheld: holds part of the key)");
	}
	n = strlen(v);
	if (n) {
		if (b->len)
			buf_adds(b, ", ");
		buf_adds(b, name);
		buf_addch(b, '=');
		if (n > IDENTITY_VALUE_MAX)
			n = IDENTITY_VALUE_MAX;
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)v[i];
			buf_addch(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
		}
	}
	free(v);
}

/* The value at a dotted path (a.b.c) of a JSON object, as text; NULL when
 * absent or not a string or number. Writes numbers into tmp. */
static const char *json_path(json_t *root, const char *path, char *tmp, size_t n)
{
	json_t *j = root;
	const char *p = path;

	while (j && *p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		char *key = xstrndup(p, l);
		j = json_is_object(j) ? json_object_get(j, key) : NULL;
		free(key);
		p += l + (dot ? 1 : 0);
	}
	if (json_is_string(j))
		return json_string_value(j);
	if (json_is_integer(j)) {
		snprintf(tmp, n, "%lld", (long long)json_integer_value(j));
		return tmp;
	}
	return NULL;
}

char *verify_identity_new(const struct verify_spec *vs, const char *body, size_t len,
			  char *const *header_values, const struct verify_key *k)
{
	struct buf b;
	json_t *root = NULL;
	size_t i;
	char tmp[32];

	buf_init(&b, 0);
	for (i = 0; i < vs->identity_header.n; i++)
		if (header_values && header_values[i])
			add_pair(&b, vs->identity_header.v[i], header_values[i], k);
	if (vs->identity_field.n && body && len)
		root = json_loadb(body, len, 0, NULL);
	for (i = 0; root && i < vs->identity_field.n; i++) {
		const char *v = json_path(root, vs->identity_field.v[i], tmp, sizeof(tmp));
		if (v)
			add_pair(&b, vs->identity_field.v[i], v, k);
	}
	json_decref(root);
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	if (b.len > IDENTITY_MAX) { /* cut on a character boundary */
		size_t cut = IDENTITY_MAX;
		while (cut > 0 && ((unsigned char)b.data[cut] & 0xc0) == 0x80)
			cut--;
		b.len = cut;
		b.data[cut] = '\0';
	}
	return buf_detach(&b, NULL);
}

void verify_env_name(char *out, size_t n, const char *provider)
{
	size_t k = 0, i;
	const char *pre = "KEYHOUND_", *post = "_BASE_URL";

	if (!n)
		return;
	for (i = 0; pre[i] && k + 1 < n; i++)
		out[k++] = pre[i];
	for (i = 0; provider[i] && k + 1 < n; i++) {
		char c = provider[i];
		out[k++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	for (i = 0; post[i] && k + 1 < n; i++)
		out[k++] = post[i];
	out[k] = '\0';
}
