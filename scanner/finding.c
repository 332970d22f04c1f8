/* finding.c - the finding record: lists, stable order, redaction, fingerprints.
 *
 * Redaction shows a secret the way OpenAI's dashboard shows a key: the
 * provider prefix and the last four characters, never the middle. The
 * fingerprint is PBKDF2-HMAC-SHA256 of the secret, salted with the
 * repository's identity (or a configured key), so the same secret is
 * recognised across places and runs without being printed, and a weak secret
 * cannot be recovered cheaply by hashing guesses. Never prints.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "finding.h"
#include "sha256.h"
#include "xalloc.h"

#define FP_ITERATIONS 1000
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */

void finding_list_init(struct finding_list *fl)
{
	memset(fl, 0, sizeof(*fl));
}

static uint64_t secret_hash(const struct finding *f)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < f->secret_len; i++)
		h = (h ^ (unsigned char)f->secret[i]) * 1099511628211ull;
	return h;
}

size_t *finding_list_first_same(const struct finding_list *fl)
{
	size_t n = fl->n, cap = 16, i, *first = xmalloc((n ? n : 1) * sizeof(size_t));
	size_t *slot; /* finding index + 1; 0 = empty */

	while (cap < 2 * n)
		cap *= 2;
	slot = xcalloc(cap, sizeof(size_t));
	for (i = 0; i < n; i++) {
		const struct finding *f = &fl->v[i];
		size_t s = (size_t)secret_hash(f) & (cap - 1);
		first[i] = i;
		for (; slot[s]; s = (s + 1) & (cap - 1)) {
			const struct finding *g = &fl->v[slot[s] - 1];
			if (g->secret_len == f->secret_len && !memcmp(g->secret, f->secret, f->secret_len)) {
				first[i] = slot[s] - 1;
				break;
			}
		}
		if (!slot[s])
			slot[s] = i + 1;
	}
	free(slot);
	return first;
}

struct fp_job {
	const struct finding_list *fl;
	const size_t *todo; /* indexes of the findings to hash */
	size_t ntodo;
	char (*out)[33];
	const char *salt;
	size_t next;        /* next todo entry, shared */
	pthread_mutex_t lock;
};

static void *fp_worker(void *arg)
{
	struct fp_job *j = arg;

	for (;;) {
		size_t k;
		pthread_mutex_lock(&j->lock);
		k = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (k >= j->ntodo)
			return NULL;
		finding_fingerprint(j->out[j->todo[k]], j->fl->v[j->todo[k]].secret,
				    j->fl->v[j->todo[k]].secret_len, j->salt);
	}
}

void finding_list_fingerprint(char (*out)[33], const struct finding_list *fl, const char *salt,
			      int threads)
{
	size_t *first = finding_list_first_same(fl), *todo, ntodo = 0, i;
	struct fp_job j;
	pthread_t tid[64];
	int t, started = 0;

	todo = xmalloc((fl->n ? fl->n : 1) * sizeof(size_t));
	for (i = 0; i < fl->n; i++)
		if (first[i] == i)
			todo[ntodo++] = i;
	j.fl = fl;
	j.todo = todo;
	j.ntodo = ntodo;
	j.out = out;
	j.salt = salt;
	j.next = 0;
	pthread_mutex_init(&j.lock, NULL);
	/* each hash is an iterated PBKDF2 (about a millisecond): many
	 * distinct secrets are spread over the cores */
	if (threads > 64)
		threads = 64;
	for (t = 1; t < threads && ntodo >= 64; t++)
		if (pthread_create(&tid[started], NULL, fp_worker, &j) == 0)
			started++;
	fp_worker(&j);
	for (t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&j.lock);
	for (i = 0; i < fl->n; i++)
		if (first[i] != i)
			memcpy(out[i], out[first[i]], 33);
	free(todo);
	free(first);
}

void finding_release(struct finding *f)
{
	free(f->path);
	free(f->root_path);
	free(f->secret);
	free(f->redacted);
	free(f->commit);
	free(f->author);
	free(f->email);
	free(f->date);
	free(f->message);
	free(f->blob);
	free(f->verify_identity);
	free(f->decoded);
	memset(f, 0, sizeof(*f));
}

void finding_list_release(struct finding_list *fl)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		finding_release(&fl->v[i]);
	free(fl->v);
	memset(fl, 0, sizeof(*fl));
}

struct finding *finding_list_push(struct finding_list *fl)
{
	void *v = fl->v;

	xgrow(&v, &fl->cap, fl->n + 1, sizeof(*fl->v));
	fl->v = v;
	memset(&fl->v[fl->n], 0, sizeof(*fl->v));
	return &fl->v[fl->n++];
}

void finding_list_move(struct finding_list *dst, struct finding_list *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		*finding_list_push(dst) = src->v[i];
	src->n = 0;
}

static int cmp_str0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_finding(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	int c;

	if ((c = cmp_str0(a->path, b->path)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if ((c = strcmp(a->rule->id, b->rule->id)))
		return c;
	if ((c = cmp_str0(a->commit, b->commit)))
		return c;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	if (a->end_column != b->end_column)
		return a->end_column < b->end_column ? -1 : 1;
	if (a->secret_len != b->secret_len)
		return a->secret_len < b->secret_len ? -1 : 1;
	if (a->secret_len && (c = memcmp(a->secret, b->secret, a->secret_len)))
		return c;
	return cmp_str0(a->decoded, b->decoded);
}

void finding_list_sort(struct finding_list *fl)
{
	if (fl->n > 1)
		qsort(fl->v, fl->n, sizeof(*fl->v), cmp_finding);
}

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* prefix bytes, then "…", then the last tail bytes */
static char *redact_with(const char *secret, size_t len, size_t prefix)
{
	size_t tail = len >= 16 ? 4 : len >= 8 ? 2 : 0, i;
	char *out;

	if (prefix > len / 3)
		prefix = len / 3;
	out = xmalloc(prefix + sizeof(ELLIPSIS) + tail);
	memcpy(out, secret, prefix);
	memcpy(out + prefix, ELLIPSIS, sizeof(ELLIPSIS) - 1);
	memcpy(out + prefix + sizeof(ELLIPSIS) - 1, secret + len - tail, tail);
	out[prefix + sizeof(ELLIPSIS) - 1 + tail] = '\0';
	/* shown bytes must not be control characters */
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	return out;
}

char *redact_secret(const char *secret, size_t len)
{
	size_t prefix = 0, i;

	/* the provider prefix: words each ended by '-' or '_' in the first 12
	 * bytes ("sk-proj-"), stopping at an empty word (a body may start with
	 * '-': "sk-proj--abc" shows "sk-proj-") */
	for (i = 0; i < len && i < 12; i++) {
		if (secret[i] != '-' && secret[i] != '_')
			continue;
		if (i == 0 || !is_word(secret[i - 1]))
			break;
		prefix = i + 1;
	}
	if (!prefix && len >= 16)
		prefix = 4;
	return redact_with(secret, len, prefix);
}

/* The literal text that starts the secret according to r's pattern: the
 * word characters right after the secret's capture group opens, e.g.
 * "sk-proj-" from "(sk-proj-[A-Za-z0-9_-]{16,160}T3BlbkFJ...)". Copied into
 * out (NUL-terminated); returns its length, 0 when the pattern does not say
 * (group 0, an alternative, a character class first). */
static size_t rule_literal_prefix(const struct rule *r, char *out, size_t cap)
{
	const char *p = r && r->pattern ? r->pattern : "";
	int group = 0, in_class = 0;
	size_t n = 0;

	if (!r || r->secret_group <= 0)
		return 0;
	for (; *p && group < r->secret_group; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (in_class) {
			in_class = *p != ']';
		} else if (*p == '[') {
			in_class = 1;
		} else if (*p == '(' && (p[1] != '?' || ((p[2] == '<' || p[2] == 'P' || p[2] == '\'') &&
							  p[3] != '=' && p[3] != '!'))) {
			if (++group < r->secret_group)
				continue;
			if (p[1] == '?' && !(p = strpbrk(p, ">'"))) /* named: skip the name */
				return 0;
			break;
		}
	}
	if (group != r->secret_group || !*p)
		return 0;
	p++;
	while (n + 1 < cap) {
		size_t step = 0;
		if (is_word(p[0]) || p[0] == '-' || p[0] == '_')
			step = 1;
		else if (p[0] == '\\' && (p[1] == '-' || p[1] == '_'))
			step = 2;
		if (!step || (p[step] && strchr("?*+{", p[step]))) /* a quantified char is not literal */
			break;
		out[n++] = p[step - 1];
		p += step;
	}
	if (*p == '|' || *p == ')')
		return 0;
	/* "sk-ant-api0" before a \d: show whole words only ("sk-ant-") */
	if (n && out[n - 1] != '-' && out[n - 1] != '_') {
		size_t k = n;
		while (k && out[k - 1] != '-' && out[k - 1] != '_')
			k--;
		if (k)
			n = k;
	}
	out[n] = '\0';
	return n;
}

char *redact_secret_for(const struct rule *r, const char *secret, size_t len)
{
	char lit[32];
	size_t n = rule_literal_prefix(r, lit, sizeof(lit)), i;

	for (i = 0; i < n && i < len; i++) /* the pattern may be caseless */
		if (tolower((unsigned char)secret[i]) != tolower((unsigned char)lit[i]))
			break;
	if (n >= 2 && i == n)
		return redact_with(secret, len, n);
	return redact_secret(secret, len);
}

void finding_fingerprint(char out[33], const char *secret, size_t len, const char *salt)
{
	static const char hex[] = "0123456789abcdef";
	static const char tag[] = "keyhound-fp-v1:";
	size_t sl = salt ? strlen(salt) : 0, i;
	char *s = xmalloc(sizeof(tag) + sl);
	unsigned char d[16];

	memcpy(s, tag, sizeof(tag) - 1);
	if (sl)
		memcpy(s + sizeof(tag) - 1, salt, sl);
	pbkdf2_hmac_sha256(secret, len, s, sizeof(tag) - 1 + sl, FP_ITERATIONS, d, sizeof(d));
	free(s);
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[32] = '\0';
}

/* memmem is not in POSIX. */
static const char *find_bytes(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i;

	if (!nlen || nlen > hlen)
		return NULL;
	for (i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen))
			return hay + i;
	return NULL;
}

void redact_in_string(char **s, const char *secret, size_t len, const char *redacted)
{
	size_t rl = strlen(redacted), cap, n = 0;
	const char *p, *hit;
	char *out;

	if (!*s || !len || !find_bytes(*s, strlen(*s), secret, len))
		return;
	cap = strlen(*s) + 1;
	out = xmalloc(cap + 16);
	for (p = *s; (hit = find_bytes(p, strlen(p), secret, len)); p = hit + len) {
		size_t pre = (size_t)(hit - p);
		if (n + pre + rl + 1 > cap) {
			cap = (n + pre + rl + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + n, p, pre);
		n += pre;
		memcpy(out + n, redacted, rl);
		n += rl;
	}
	{
		size_t rest = strlen(p);
		if (n + rest + 1 > cap)
			out = xrealloc(out, n + rest + 1);
		memcpy(out + n, p, rest + 1);
	}
	free(*s);
	*s = out;
}
