/* rules.h - the rule set: rules loaded from YAML, compiled with PCRE2 (JIT).
 *
 * A rule_set is built once (defaults compiled into the binary, then
 * .keyhound.yaml, then --config) and is immutable and shared by all threads
 * after rule_set_compile(). This module loads and validates; it never scans
 * (scan.c) and never prints.
 */
#ifndef KH_RULES_H
#define KH_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include "err.h"

enum severity { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

const char *severity_name(enum severity s);
/* Parses "info|low|medium|high|critical"; returns -1 when unknown. */
int severity_parse(const char *s);

struct strlist {
	char **v;
	size_t n;
};
void strlist_add(struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

/* Suppression lists; used globally (config `allowlist:`) and per rule. */
struct allowlist {
	struct strlist paths;     /* globs, matched against the report path */
	struct strlist regexes;   /* PCRE2, matched against the secret */
	struct strlist lines;     /* PCRE2, matched against the whole line */
	struct strlist stopwords; /* substrings of the secret (case-insensitive) */
	struct strlist commits;   /* commit ids (history scans) */
	pcre2_code **regex_code;  /* compiled, same order as regexes */
	pcre2_code **line_code;   /* compiled, same order as lines */
};

/* How to check a found secret against its provider (issue #7); only
 * honoured for rules that come from the built-in set. Read by verify.c;
 * README.md ("Which keys still work") documents each key. */
struct verify_spec {
	char *provider;      /* e.g. "openai"; selects KEYHOUND_<PROVIDER>_BASE_URL */
	char *base_url;      /* default base URL (https) */
	char *method;        /* GET (default), POST (empty body) or HEAD */
	char *path;          /* request path (and query), e.g. /v1/models; never the secret */
	struct strlist headers; /* "Name: value" templates, {{secret}} substituted */
	struct strlist live_status;    /* HTTP codes that mean live, e.g. "200", "403" */
	struct strlist invalid_status; /* HTTP codes that mean invalid, e.g. "401" */
	struct strlist live_body;      /* with a live code, the body must hold one of these */
	struct strlist invalid_body;   /* with a live code, a body holding one is invalid */
	struct strlist quota_body;     /* a 429 whose body holds one is live (no credit) */
	struct strlist unknown_body;   /* with a live code, a body holding one settles nothing
					* (a rate limit or lockout answered with 403) */
	struct strlist identity_field; /* JSON fields (a.b.c) naming the owner */
	struct strlist identity_header;/* response headers naming the owner */
};

struct rule {
	char *id;           /* provider-first, e.g. openai-project-key */
	char *description;
	char *remediation;  /* may be NULL */
	char *source;       /* where it was defined: "builtin:rules/openai.yml" or a path */
	enum severity severity;
	char *pattern;
	int secret_group;   /* capture group holding the secret (0 = whole match) */
	char *secret_group_name; /* or a named group; NULL when numbered */
	struct strlist keywords; /* prefilter literals, matched case-insensitively */
	double min_entropy; /* 0 = no check; Shannon bits per byte of the secret */
	size_t max_length;  /* bound on a match's length in bytes (default 256) */
	struct strlist examples;
	struct strlist negative_examples;
	struct strlist references;
	struct allowlist allow;
	int builtin;        /* came from the compiled-in defaults */
	int disabled;       /* turned off by config */
	int context_only;   /* informational (e.g. org ids): never fails a scan */
	char *checksum;     /* checksum scheme (checksum.h) a match must pass, or NULL */
	struct verify_spec *verify; /* NULL when the rule has no verifier */
	unsigned ngroups;   /* capture groups in the pattern (known once compiled,
			     * or from the build-time table) */
	int deferred;       /* pattern checked at build time (rules_table.h):
			     * compiled on first use, by rule_set_ready */
	pcre2_code *code;   /* compiled; NULL before rule_set_compile() (and for a
			     * deferred rule, before rule_set_ready); JIT compiled
			     * on first use (rule_set_ready) */
};

/* Can --verify check r's findings? Only the built-in rules' verifiers are
 * used: a repository's config can neither add nor redirect one. */
int rule_has_verifier(const struct rule *r);

struct rule_set {
	struct rule *rules;
	size_t n, cap;
	struct allowlist allow;      /* global allowlist from configs */
	struct strlist config_files; /* configs merged in, in order */
	struct strlist disabled;     /* rule ids disabled by config */
	char *fingerprint_key;       /* optional config `fingerprint-key` */
	size_t max_length;           /* max over enabled rules' max_length */
	struct prefilter *prefilter; /* keyword automaton over enabled rules */
	struct rule_jit *jit;        /* which rules are ready yet (rule_set_ready) */
};

void rule_set_init(struct rule_set *rs);
void rule_set_release(struct rule_set *rs);

/* Merges the YAML document text (a rules file or a .keyhound.yaml config)
 * into rs. `name` is used in error messages ("file:line:column: ...").
 * builtin marks the rules as coming from the compiled-in defaults.
 * A rule whose id already exists replaces it. Returns 0 or KH_EINVAL. */
int rule_set_load_yaml(struct rule_set *rs, const char *text, size_t len,
		       const char *name, int builtin, struct err *err);
/* Reads and merges a file (see rule_set_load_yaml): a regular file of at
 * most 16 MiB; flags READFILE_NO_FOLLOW (readfile.h) refuses a symbolic link,
 * for a repository's own configuration. */
int rule_set_load_file(struct rule_set *rs, const char *path, int flags, struct err *err);
/* Merges the default rules compiled into the binary (rules_defaults.c,
 * from the build-time tables of rules_table.h). */
int rule_set_load_defaults(struct rule_set *rs, struct err *err);

/* Adds *r to rs, taking ownership of everything it points to; a rule with
 * the same id is replaced. For loaders (rules.c, rules_defaults.c). */
void rule_set_put(struct rule_set *rs, struct rule *r);

/* Compiles every enabled rule's pattern (except deferred ones, checked at
 * build time), the allowlists and the prefilter. Errors name the rule id,
 * its source and the pattern offset. */
int rule_set_compile(struct rule_set *rs, struct err *err);

const struct rule *rule_set_find(const struct rule_set *rs, const char *id);

/* Makes rule i's pattern ready to match: compiles it if it was deferred,
 * and JIT compiles it, if that has not happened yet. Compiling every
 * pattern up front costs more than a pre-commit hook's whole scan (tens of
 * milliseconds with JIT for the default rules), and most rules never meet
 * their keyword; so each pattern is compiled on its first use. Thread-safe
 * (the first caller compiles under a lock; the others wait, then share the
 * result). Call before matching with rs->rules[i].code; when JIT is not
 * available (or KEYHOUND_NO_JIT is set), PCRE2's interpreter runs instead.
 * Returns 0, or -1 when the pattern cannot be compiled (a deferred pattern
 * that this PCRE2 rejects although the build's accepted it): the rule
 * cannot run, and rs->rules[i].code stays NULL. */
int rule_set_ready(const struct rule_set *rs, size_t i);

/* The default rules' YAML text, embedded at build time (rules_builtin.c):
 * for `keyhound rules` tests and the build-time table's cross-check. */
struct builtin_rule_file {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct builtin_rule_file builtin_rule_files[];
extern const size_t builtin_rule_files_count;
/* The git hooks (hooks/), embedded the same way for `keyhound install-hook`. */
extern const struct builtin_rule_file builtin_hook_files[];
extern const size_t builtin_hook_files_count;

#endif
