/* session.h - what every scanning subcommand does around its source.
 *
 * session_start(): rules (defaults, then ROOT/.keyhound.yaml unless
 * --no-config, then each --config), compiled; stats; the fingerprint salt.
 * The command then runs its source through a pipeline into s->findings.
 * session_finish(): fingerprints, ignore file, baseline, verification,
 * suppression counts, stable order, every requested report, and the exit
 * code: 2 if anything could not be scanned, else the findings code if a
 * finding at or above --fail-on is not suppressed, else 0 (130 if
 * interrupted). Only this layer and cmd_*.c print.
 */
#ifndef KH_SESSION_H
#define KH_SESSION_H

#include "finding.h"
#include "opts.h"
#include "rules.h"
#include "stats.h"

struct session {
	struct common_opts opts;
	const char *command;       /* "dir", "git", "staged", "stdin" */
	char *root;                /* scan root (absolute), owned; NULL for stdin */
	char *root_shown;          /* root as reports show it (secrets redacted), owned */
	struct rule_set rs;
	struct finding_list findings;
	struct scan_stats stats;
	char *salt;                /* fingerprint salt, owned; NULL = derive it */
	char *salt_repo;           /* repository whose identity salts fingerprints */
	int salt_is_key;           /* the salt is a configured key: never in reports */
	int threads;               /* resolved thread count */
	int color;                 /* resolved for stdout */
	int fatal;                 /* a runtime error stopped the scan early */
	double started;            /* monotonic seconds at session_start */
};

void session_init(struct session *s, const char *command);
/* root may be NULL. Loads and compiles rules; returns 0 or <0 with err
 * (bad config: message has file:line:column). */
int session_start(struct session *s, const char *root, struct err *err);
/* Sets the fingerprint salt explicitly. */
void session_set_salt(struct session *s, const char *salt);
/* Salts fingerprints with the identity of the repository at path (see
 * session_repo_salt), computed only if there are findings to fingerprint.
 * A config's fingerprint-key or KEYHOUND_FINGERPRINT_KEY take precedence. */
void session_set_salt_repo(struct session *s, const char *path);
/* The identity of the git repository holding path, used as the default
 * fingerprint salt so fingerprints are stable within a repository: the hex
 * id of the root commit reached from HEAD by first parents. NULL when path
 * is not in a repository with commits. Returns a new string. */
char *session_repo_salt(const char *path);
/* Post-processes, writes reports, prints problems, returns the exit code. */
int session_finish(struct session *s);
void session_release(struct session *s);

/* Prints "keyhound: error: ..." on stderr (sanitized). */
void session_print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same as "keyhound: warning: ...". */
void session_print_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
