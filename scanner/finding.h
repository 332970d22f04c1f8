/* finding.h - one reported secret: where, which rule, redacted form, fingerprint.
 *
 * A finding owns copies of everything it shows; it never points into scanned
 * content. The raw secret is kept only so that --show-secrets, fingerprints,
 * verification and redaction of other fields can work; reporters must print
 * `redacted` unless the report options ask for secrets.
 */
#ifndef KH_FINDING_H
#define KH_FINDING_H

#include <stddef.h>
#include <stdint.h>
#include "rules.h"

enum suppress_reason {
	SUPPRESS_NONE = 0,
	SUPPRESS_CONFIG,   /* allowlist in a config or rule */
	SUPPRESS_INLINE,   /* keyhound:allow comment on the line */
	SUPPRESS_IGNORE,   /* fingerprint listed in .keyhoundignore */
	SUPPRESS_BASELINE  /* present in the --baseline report */
};

enum verify_status {
	VERIFY_NONE = 0,   /* not checked (no --verify): JSON null */
	VERIFY_LIVE,
	VERIFY_INVALID,
	VERIFY_UNKNOWN
};

struct finding {
	const struct rule *rule; /* borrowed from the rule_set, which outlives findings */
	char *path;              /* owned; relative to the scan root; "-"/name for stdin */
	char *root_path;         /* owned; relative to the config root (the work tree's
				  * top), where .keyhoundignore lives; NULL = path */
	uint64_t line;           /* 1-based */
	uint64_t column;         /* 1-based, bytes */
	uint64_t end_column;     /* exclusive, bytes (may be on a later line: same line assumed) */
	uint64_t char_column;    /* 1-based, characters (UTF-8), for SARIF */
	uint64_t char_end_column;
	uint64_t offset;         /* absolute byte offset of the secret in the item */
	char *secret;            /* owned raw secret, NUL-terminated */
	size_t secret_len;
	char *redacted;          /* owned; prefix…last4 */
	char fingerprint[33];    /* hex, keyed hash of the secret (finding_fingerprint) */
	/* git history; all NULL outside history scans */
	char *commit;            /* hex id of the introducing commit */
	char *author, *email;
	char *date;              /* ISO 8601 author date */
	char *message;           /* commit summary line (redacted of the secret) */
	char *blob;              /* hex blob id, or NULL */
	unsigned occurrences;    /* other commits/paths holding the same secret */
	enum suppress_reason suppressed;
	enum verify_status verified;
	int verify_http_status;  /* last HTTP status seen by the verifier, 0 if none */
	char *verify_identity;   /* owner reported by the provider, or NULL */
	const char *verify_note; /* static text: why unknown, or "out of credit"; NULL */
	char *decoded;           /* encoding the secret was found under ("base64"), or NULL */
	int dropped;             /* scan.c only: replaced within its window, removed before return */
};

struct finding_list {
	struct finding *v;
	size_t n, cap;
};

void finding_list_init(struct finding_list *fl);
/* Frees every finding's fields and the array. */
void finding_list_release(struct finding_list *fl);
/* Appends a zeroed finding and returns it (owned by the list). */
struct finding *finding_list_push(struct finding_list *fl);
/* Moves all findings of src to the end of dst, leaving src empty. */
void finding_list_move(struct finding_list *dst, struct finding_list *src);
void finding_release(struct finding *f);

/* For every finding, the index of the first finding holding the same
 * secret (its own index when it is the first). Linear (a hash table).
 * Returns a new array of fl->n entries. */
size_t *finding_list_first_same(const struct finding_list *fl);
/* Fingerprints every finding (finding_fingerprint) into out[0..fl->n),
 * hashing each distinct secret once, on up to `threads` threads when there
 * are many. */
void finding_list_fingerprint(char (*out)[33], const struct finding_list *fl, const char *salt,
			      int threads);

/* Stable order whatever the thread count: path, line, column, rule id. */
void finding_list_sort(struct finding_list *fl);

/* Writes the redacted form of secret into a new string: a short prefix
 * (the provider prefix such as "sk-proj-", at most a third of the secret)
 * then "…" then the last four characters (fewer for short secrets). */
char *redact_secret(const char *secret, size_t len);
/* The same with the prefix r's pattern gives the secret ("sk-proj-" for an
 * OpenAI project key, whatever its body starts with), when it gives one. */
char *redact_secret_for(const struct rule *r, const char *secret, size_t len);

/* Keyed, salted hash of the secret: hex of the first 16 bytes of
 * HMAC-SHA256(key, secret) iterated, where key is derived from `salt`
 * (the repository's identity or the config's fingerprint-key). */
void finding_fingerprint(char out[33], const char *secret, size_t len,
			 const char *salt);

/* Replaces every occurrence of secret inside s (in place, reallocating)
 * with its redacted form; used for paths and commit messages. */
void redact_in_string(char **s, const char *secret, size_t len, const char *redacted);

#endif
