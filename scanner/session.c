/* session.c - the frame around every scan: rules and config in, reports and
 * exit code out (see session.h).
 *
 * Config merge order: built-in defaults, then ROOT/.keyhound.yaml (unless
 * --no-config), then each --config FILE. After the scan: fingerprints,
 * suppressions (.keyhoundignore, --baseline), optional verification, stable
 * order, every report (written to a temporary file and renamed, so an
 * interrupted run leaves nothing partial), problems on stderr, exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "pipeline.h"
#include "report.h"
#include "scan.h"
#include "readfile.h"
#include "session.h"
#include "suppress.h"
#include "verify.h"
#include "git_lib.h"
#include "xalloc.h"

#define MAX_PROBLEMS_SHOWN 20

static void redact_matches_in(const struct rule_set *rs, struct scan_scratch *sc, char **str);

/* An error message may quote an argument or a path that holds a key (a
 * repository or file named after one): the default rules find it there. */
static void redact_with_defaults(char **msg)
{
	struct rule_set rs;
	struct scan_scratch *sc;
	struct err err = {0, ""};

	rule_set_init(&rs);
	if (!rule_set_load_defaults(&rs, &err) && !rule_set_compile(&rs, &err) &&
	    (sc = scan_scratch_new(&rs))) {
		redact_matches_in(&rs, sc, msg);
		scan_scratch_free(sc);
	}
	rule_set_release(&rs);
}

static void print_message(const char *level, const char *fmt, va_list ap)
{
	char buf[2048];
	char *msg, *safe;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	msg = xstrdup(buf);
	redact_with_defaults(&msg);
	safe = sanitize_for_terminal(msg, strlen(msg));
	fprintf(stderr, "keyhound: %s: %s\n", level, safe);
	free(safe);
	free(msg);
}

void session_print_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_message("error", fmt, ap);
	va_end(ap);
}

void session_print_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_message("warning", fmt, ap);
	va_end(ap);
}

void session_init(struct session *s, const char *command)
{
	memset(s, 0, sizeof(*s));
	common_opts_init(&s->opts);
	s->command = command;
	rule_set_init(&s->rs);
	finding_list_init(&s->findings);
	stats_init(&s->stats);
}

void session_release(struct session *s)
{
	finding_list_release(&s->findings);
	rule_set_release(&s->rs);
	stats_release(&s->stats);
	common_opts_release(&s->opts);
	free(s->root);
	free(s->root_shown);
	free(s->salt);
	free(s->salt_repo);
}

void session_set_salt(struct session *s, const char *salt)
{
	free(s->salt);
	s->salt = xstrdup(salt ? salt : "");
}

void session_set_salt_repo(struct session *s, const char *path)
{
	free(s->salt_repo);
	s->salt_repo = xstrdup(path);
}

char *session_repo_salt(const char *path)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_oid oid, last;
	char hex[GIT_OID_HEXSZ + 1];
	int have = 0;

	if (git_lib_open(&repo, path, 0) < 0)
		return NULL;
	if (git_revwalk_new(&walk, repo) == 0 && git_revwalk_push_head(walk) == 0) {
		git_revwalk_simplify_first_parent(walk);
		while (git_revwalk_next(&oid, walk) == 0) {
			last = oid;
			have = 1;
		}
	}
	git_revwalk_free(walk);
	git_repository_free(repo);
	if (!have)
		return NULL;
	git_oid_tostr(hex, sizeof(hex), &last);
	return xstrdup(hex);
}

/* Is there anything at path (a symbolic link counts: it is refused when
 * loaded, not silently passed over)? */
static int file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int session_start(struct session *s, const char *root, struct err *err)
{
	size_t i;
	int rc;
	long ncpu;

	s->started = clock_seconds();
	if (root) {
		char *abs = realpath(root, NULL);
		s->root = abs ? abs : xstrdup(root);
	}
	if ((rc = rule_set_load_defaults(&s->rs, err)))
		return rc;
	if (s->root && !s->opts.no_config) {
		size_t n = strlen(s->root) + 32;
		char *cfg = xmalloc(n);
		snprintf(cfg, n, "%s/.keyhound.yaml", s->root);
		if (!file_exists(cfg))
			snprintf(cfg, n, "%s/.keyhound.yml", s->root);
		/* A repository's own configuration that does not load (broken YAML, a
		 * symbolic link) is an error, but the scan goes on with the built-in
		 * rules: everything is still scanned and reported, and the exit code
		 * says the scan is not what the configuration asked for (2). */
		if (file_exists(cfg) &&
		    (rc = rule_set_load_file(&s->rs, cfg, READFILE_NO_FOLLOW, err))) {
			session_print_error("%s (scanning with the built-in rules only)", err->msg);
			s->fatal = 1;
			rule_set_release(&s->rs);
			rule_set_init(&s->rs);
			if ((rc = rule_set_load_defaults(&s->rs, err))) {
				free(cfg);
				return rc;
			}
		}
		free(cfg);
	}
	for (i = 0; i < s->opts.nconfigs; i++)
		if ((rc = rule_set_load_file(&s->rs, s->opts.configs[i], 0, err)))
			return rc;
	if ((rc = rule_set_compile(&s->rs, err)))
		return rc;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	s->threads = s->opts.threads > 0 ? s->opts.threads : (ncpu > 0 ? (int)ncpu : 1);
	if (s->opts.color >= 0)
		s->color = s->opts.color;
	else
		s->color = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR")) &&
			   !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	return 0;
}

/* Fingerprints every finding; each distinct secret is hashed once (the
 * hash is deliberately slow). */
static void fingerprint_all(struct session *s)
{
	const char *salt;
	size_t i;

	if (!s->findings.n)
		return;
	if (!s->salt) { /* walking to the root commit costs: only when needed */
		const char *k = getenv("KEYHOUND_FINGERPRINT_KEY");
		char *id = !k && s->salt_repo ? session_repo_salt(s->salt_repo) : NULL;
		if (!k && !id && s->salt_repo) {
			/* no repository identity (not in a repository, or one with no
			 * commit yet): the place scanned, so that fingerprints are still
			 * salted, and stable for that place on this machine */
			char *abs = realpath(s->salt_repo, NULL);
			size_t n = strlen(abs ? abs : s->salt_repo) + 8;
			id = xmalloc(n);
			snprintf(id, n, "path:%s", abs ? abs : s->salt_repo);
			free(abs);
		}
		session_set_salt(s, k ? k : id ? id : "stdin");
		s->salt_is_key = k != NULL;
		free(id);
	}
	salt = s->rs.fingerprint_key ? s->rs.fingerprint_key : s->salt;
	if (s->rs.fingerprint_key)
		s->salt_is_key = 1;

	{
		char (*fps)[33] = xmalloc(s->findings.n * sizeof(*fps));
		finding_list_fingerprint(fps, &s->findings, salt, s->threads);
		for (i = 0; i < s->findings.n; i++)
			memcpy(s->findings.v[i].fingerprint, fps[i], sizeof(fps[i]));
		free(fps);
	}
}

/* The distinct secrets of 8 bytes or more, in an open-addressing table keyed
 * by their last 8 bytes (their first bytes are a shared prefix such as
 * "sk-proj-"): which of them occur in a string is found with one probe per
 * position, so redacting every field costs time linear in the fields' length,
 * not (findings x secrets). */
struct secret_index {
	size_t *slot; /* finding index + 1; 0 = empty */
	size_t mask;
};

static size_t hash8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	v *= 0x9E3779B97F4A7C15ull;
	return (size_t)(v ^ (v >> 31));
}

static void secret_index_build(struct secret_index *x, const struct finding_list *fl)
{
	size_t cap = 16, i;

	while (cap < 2 * fl->n)
		cap *= 2;
	x->slot = xcalloc(cap, sizeof(*x->slot));
	x->mask = cap - 1;
	for (i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		size_t h;
		if (f->secret_len < 8) /* too short to redact safely */
			continue;
		for (h = hash8(f->secret + f->secret_len - 8) & x->mask; x->slot[h];
		     h = (h + 1) & x->mask) {
			const struct finding *g = &fl->v[x->slot[h] - 1];
			if (g->secret_len == f->secret_len && !memcmp(g->secret, f->secret, f->secret_len))
				break;
		}
		if (!x->slot[h])
			x->slot[h] = i + 1;
	}
}

/* Replaces every known secret that occurs in *str with its redacted form. */
static void redact_known(const struct secret_index *x, const struct finding_list *fl, char **str)
{
	size_t len, i, nhit = 0, caphit = 0, k;
	size_t *hit = NULL;

	if (!*str || (len = strlen(*str)) < 8)
		return;
	for (i = 8; i <= len; i++) { /* a secret ending at i */
		size_t h;
		for (h = hash8(*str + i - 8) & x->mask; x->slot[h]; h = (h + 1) & x->mask) {
			const struct finding *g = &fl->v[x->slot[h] - 1];
			if (g->secret_len > i || memcmp(g->secret, *str + i - g->secret_len, g->secret_len))
				continue;
			for (k = 0; k < nhit && hit[k] != x->slot[h]; k++)
				;
			if (k == nhit) {
				void *v = hit;
				xgrow(&v, &caphit, nhit + 1, sizeof(*hit));
				hit = v;
				hit[nhit++] = x->slot[h];
			}
		}
	}
	for (k = 0; k < nhit; k++) {
		const struct finding *g = &fl->v[hit[k] - 1];
		redact_in_string(str, g->secret, g->secret_len, g->redacted);
	}
	free(hit);
}

/* Redaction applies to every field: a found secret is replaced by its
 * redacted form wherever it also appears in a path, a commit message, an
 * author or a problem message (keys get pasted into all of them). */
static void redact_fields(struct session *s)
{
	struct secret_index x;
	size_t j;

	secret_index_build(&x, &s->findings);
	for (j = 0; j < s->findings.n; j++) {
		struct finding *f = &s->findings.v[j];
		redact_known(&x, &s->findings, &f->path);
		redact_known(&x, &s->findings, &f->message);
		redact_known(&x, &s->findings, &f->author);
		redact_known(&x, &s->findings, &f->email);
	}
	for (j = 0; j < s->stats.nproblems; j++) {
		redact_known(&x, &s->findings, &s->stats.problems[j].path);
		redact_known(&x, &s->findings, &s->stats.problems[j].message);
	}
	redact_known(&x, &s->findings, &s->root_shown);
	free(x.slot);
}

/* Redacts, in *str, whatever the rules find there: a key that appears only in
 * a file or directory name, a path that does not exist or a message is not a
 * finding of the scan, but must not be printed whole either. */
static void redact_matches_in(const struct rule_set *rs, struct scan_scratch *sc, char **str)
{
	struct finding_list fl;
	struct content c;
	struct err err = {0, ""};
	size_t i;

	if (!*str || strlen(*str) < 8)
		return;
	finding_list_init(&fl);
	content_whole(&c, *str, strlen(*str), NULL);
	scan_content(rs, sc, &c, &fl, NULL, &err);
	for (i = 0; i < fl.n; i++)
		if (fl.v[i].secret_len >= 8) /* findings own copies: *str may change */
			redact_in_string(str, fl.v[i].secret, fl.v[i].secret_len, fl.v[i].redacted);
	finding_list_release(&fl);
}

static void redact_rule_matches(struct session *s)
{
	struct scan_scratch *sc = scan_scratch_new(&s->rs);
	size_t i;

	if (!sc)
		return;
	for (i = 0; i < s->findings.n; i++) {
		struct finding *f = &s->findings.v[i];
		redact_matches_in(&s->rs, sc, &f->path);
		redact_matches_in(&s->rs, sc, &f->message);
		redact_matches_in(&s->rs, sc, &f->author);
		redact_matches_in(&s->rs, sc, &f->email);
	}
	for (i = 0; i < s->stats.nproblems; i++) {
		redact_matches_in(&s->rs, sc, &s->stats.problems[i].path);
		redact_matches_in(&s->rs, sc, &s->stats.problems[i].message);
	}
	redact_matches_in(&s->rs, sc, &s->root_shown);
	scan_scratch_free(sc);
}

static FILE *open_report(const char *path, char **tmp, struct err *err)
{
	size_t n = strlen(path) + 16;
	int fd;
	FILE *f;

	*tmp = xmalloc(n);
	snprintf(*tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		err_set(err, KH_EIO, "cannot write '%s': %s", path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		err_set(err, KH_EIO, "cannot write '%s'", path);
	}
	return f;
}

static int write_one(struct session *s, int format, const char *path,
		     const struct report_opts *ro, int is_stdout)
{
	struct err err = {0, ""};
	struct report_opts o = *ro;
	char *tmp = NULL;
	FILE *f;
	int rc;

	if (!path || !strcmp(path, "-")) {
		o.color = is_stdout ? s->color : 0;
		rc = report_write((enum report_format)format, stdout, &s->findings, &o, &err);
		if (!rc && fflush(stdout))
			rc = err_set(&err, KH_EIO, "cannot write the report to stdout");
	} else {
		/* A symlink is written through (to its target, not replaced); a
		 * target that is not a regular file (/dev/stdout, a FIFO, a
		 * terminal) is written in place: there is nothing to rename. */
		struct stat st;
		char *real = NULL;
		const char *target = path;
		o.color = 0;
		int in_place = 0;
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
			if ((real = realpath(path, NULL)))
				target = real;
			else
				in_place = 1; /* a link to a file not there yet: create it */
		}
		if (in_place || (stat(target, &st) == 0 && !S_ISREG(st.st_mode))) {
			if (!(f = fopen(target, "w"))) {
				rc = err_set(&err, KH_EIO, "cannot write '%s': %s", path, strerror(errno));
			} else {
				rc = report_write((enum report_format)format, f, &s->findings, &o, &err);
				if (fclose(f) && !rc)
					rc = err_set(&err, KH_EIO, "cannot write '%s'", path);
			}
			free(real);
			if (rc && rc != KH_EINTR)
				session_print_error("%s", err.msg);
			return rc;
		}
		if (!(f = open_report(target, &tmp, &err))) {
			session_print_error("%s", err.msg);
			free(real);
			return KH_EIO;
		}
		rc = report_write((enum report_format)format, f, &s->findings, &o, &err);
		if (fclose(f) && !rc)
			rc = err_set(&err, KH_EIO, "cannot write '%s'", path);
		if (!rc && kh_interrupted)
			rc = KH_EINTR;
		if (!rc && rename(tmp, target))
			rc = err_set(&err, KH_EIO, "cannot write '%s': %s", path, strerror(errno));
		if (rc)
			unlink(tmp);
		free(tmp);
		free(real);
	}
	if (rc && rc != KH_EINTR)
		session_print_error("%s", err.msg);
	return rc;
}

static void print_problems(const struct session *s)
{
	size_t i;

	for (i = 0; i < s->stats.nproblems && i < MAX_PROBLEMS_SHOWN; i++) {
		const struct problem *p = &s->stats.problems[i];
		char *path = p->path ? sanitize_for_terminal(p->path, strlen(p->path)) : NULL;
		char *msg = sanitize_for_terminal(p->message, strlen(p->message));
		fprintf(stderr, "keyhound: %s: %s%s%s\n", p->code ? "error" : "warning",
			path ? path : "", path ? ": " : "", msg);
		free(path);
		free(msg);
	}
	if (s->stats.nproblems > MAX_PROBLEMS_SHOWN)
		fprintf(stderr, "keyhound: ... and %zu more (listed in the JSON report's stats)\n",
			s->stats.nproblems - MAX_PROBLEMS_SHOWN);
}

static int fails(const struct session *s, const struct finding *f)
{
	if (f->suppressed || f->rule->context_only)
		return 0;
	if ((int)f->rule->severity < s->opts.fail_on)
		return 0;
	if (s->opts.only_live && f->verified != VERIFY_LIVE)
		return 0;
	return 1;
}

int session_finish(struct session *s)
{
	struct report_opts ro;
	struct err err = {0, ""};
	size_t i;
	int failing = 0, write_failed = 0;

	stats_sort_problems(&s->stats);
	fingerprint_all(s);
	if (!s->opts.show_secrets) {
		s->root_shown = s->root ? xstrdup(s->root) : NULL;
		redact_fields(s);
		redact_rule_matches(s);
	}
	s->stats.seconds = clock_seconds() - s->started;
	if (suppress_apply(s, &err) < 0) {
		session_print_error("%s", err.msg);
		s->fatal = 1;
	}
	if (s->opts.verify && !kh_interrupted) {
		struct verify_opts vo = {s->opts.verify_timeout_ms, &kh_interrupted};
		verify_findings(&s->findings, &vo, &s->stats);
	}
	if (s->opts.only_live) {
		/* Live keys are reported; so is a key whose check could not be made
		 * (network, timeout, rate limit, no libcurl): dropping it would pass
		 * a CI gate whenever the network is down, so it stays, marked
		 * unknown, and the scan fails closed (exit 2). Invalid keys and keys
		 * of rules with no verifier are left out. */
		size_t out = 0, unsure = 0;
		for (i = 0; i < s->findings.n; i++) {
			struct finding *f = &s->findings.v[i];
			int failed_check = f->verified == VERIFY_UNKNOWN && !f->suppressed &&
					   !f->rule->context_only && rule_has_verifier(f->rule);
			unsure += failed_check;
			if (f->verified == VERIFY_LIVE || f->suppressed || failed_check)
				s->findings.v[out++] = *f;
			else
				finding_release(f);
		}
		s->findings.n = out;
		if (unsure)
			stats_problem(&s->stats, NULL, KH_EIO, 1,
				      "--only-live: %zu finding%s could not be checked with %s "
				      "provider (status unknown): reported, and the scan is incomplete",
				      unsure, unsure == 1 ? "" : "s", unsure == 1 ? "its" : "their");
	}
	finding_list_sort(&s->findings);
	s->stats.findings = 0;
	s->stats.suppressed_config = s->stats.suppressed_inline = 0;
	s->stats.suppressed_ignore = s->stats.suppressed_baseline = 0;
	for (i = 0; i < s->findings.n; i++) {
		const struct finding *f = &s->findings.v[i];
		switch (f->suppressed) {
		case SUPPRESS_NONE: s->stats.findings++; break;
		case SUPPRESS_CONFIG: s->stats.suppressed_config++; break;
		case SUPPRESS_INLINE: s->stats.suppressed_inline++; break;
		case SUPPRESS_IGNORE: s->stats.suppressed_ignore++; break;
		case SUPPRESS_BASELINE: s->stats.suppressed_baseline++; break;
		}
		failing |= fails(s, f);
	}

	memset(&ro, 0, sizeof(ro));
	ro.version = KH_VERSION;
	ro.command = s->command;
	ro.rules = &s->rs;
	ro.stats = &s->stats;
	ro.show_secrets = s->opts.show_secrets;
	ro.quiet = s->opts.quiet;
	ro.verify = s->opts.verify;
	ro.fail_severity = s->opts.fail_on;
	ro.uri_base = s->root_shown ? s->root_shown : s->root;
	/* a repository's identity is no secret; a configured key is */
	ro.fingerprint_salt = s->salt && !s->salt_is_key ? s->salt : NULL;
	ro.threads = s->threads;
	if (!kh_interrupted) {
		if (write_one(s, s->opts.format, s->opts.output, &ro, 1))
			write_failed = 1;
		for (i = 0; i < s->opts.nreports; i++)
			if (write_one(s, s->opts.reports[i].format, s->opts.reports[i].path, &ro, 0))
				write_failed = 1;
	}
	print_problems(s);
	if (git_lib_warning())
		fprintf(stderr, "keyhound: warning: %s\n", git_lib_warning());
	/* (a text report's summary on the terminal already says so) */
	if (s->stats.shallow &&
	    !(s->opts.format == REPORT_TEXT && !s->opts.output && !s->opts.quiet))
		fprintf(stderr, "keyhound: note: shallow repository: history beyond the shallow "
				"boundary was not scanned\n");
	if (kh_interrupted) {
		fprintf(stderr, "keyhound: interrupted\n");
		return KH_EXIT_INTERRUPTED;
	}
	if (write_failed || s->fatal || s->stats.errors)
		return KH_EXIT_ERROR;
	return failing ? s->opts.exit_code : KH_EXIT_CLEAN;
}
