/* verify.h - asking each secret's own provider whether it still works (--verify).
 *
 * Checks each distinct secret once (per rule and secret, never per place)
 * with the read-only request its built-in rule describes (rules.h struct
 * verify_spec), and marks every finding holding it live, invalid or
 * unknown. A key goes only to the base URL of its own rule's provider:
 * KEYHOUND_<PROVIDER>_BASE_URL or the rule's base_url. Never logs or prints
 * a secret; problems name the rule and the redacted key.
 */
#ifndef KH_VERIFY_H
#define KH_VERIFY_H

#include <stddef.h>
#include "finding.h"
#include "rules.h"
#include "stats.h"

#define VERIFY_DEFAULT_TIMEOUT_MS 10000L
#define VERIFY_MAX_TRIES 3          /* for 429 (not out of credit) and 5xx */
#define VERIFY_RETRY_AFTER_CAP_MS 5000L
#define VERIFY_PER_PROVIDER 4       /* requests in flight per provider */
#define VERIFY_IN_FLIGHT 16         /* requests in flight in all */

struct verify_opts {
	long timeout_ms;              /* per request; 0 = VERIFY_DEFAULT_TIMEOUT_MS */
	volatile int *interrupted;    /* stop early once non-zero; may be NULL */
};

/* Marks every finding in fl. Findings whose secret is only ever suppressed
 * are not sent and stay unmarked (VERIFY_NONE). Problems (network errors,
 * a refused base URL, rules without a verifier) go to stats as warnings,
 * never as scan errors. */
void verify_findings(struct finding_list *fl, const struct verify_opts *o,
		     struct scan_stats *stats);

/* ---- the pure parts, exposed for unit tests ---------------------------------- */

/* What one HTTP answer means under spec. *retry is set when the request is
 * worth repeating (429 without an out-of-credit body, 5xx); *note gets a
 * static reason (NULL for a plain live or invalid). */
enum verify_status verify_classify(const struct verify_spec *vs, long http_status,
				   const char *body, size_t len, int *retry,
				   const char **note);

/* The key an answer is about, so that an echo of it is never reported. */
struct verify_key {
	const char *secret;
	size_t len;
	const char *redacted;
};

/* The owner named in an answer: "name=value" for each identity_header
 * (header_values[i], NULL when absent) and identity_field (a.b.c in a JSON
 * body) found, joined by ", ", control characters replaced, cut to a few
 * hundred bytes. The key k (may be NULL) is redacted in every value, and a
 * value holding 12 bytes in a row of it is withheld. Returns a new string
 * or NULL when none was found. */
char *verify_identity_new(const struct verify_spec *vs, const char *body, size_t len,
			  char *const *header_values, const struct verify_key *k);

/* Whether body holds needle, also after removing JSON whitespace outside
 * strings (so '"ok":true' matches '"ok": true'). */
int verify_body_holds(const char *body, size_t len, const char *needle);

/* The environment variable overriding a provider's base URL:
 * KEYHOUND_<PROVIDER>_BASE_URL (upper case). Writes it to out. */
void verify_env_name(char *out, size_t n, const char *provider);

#endif
