/* report.h - report writers: text, JSON, SARIF. They only format.
 *
 * A writer receives the sorted findings (suppressed ones included, flagged)
 * and the stats once at the end of a scan. Writers never print a raw secret
 * unless opts->show_secrets, and sanitize control characters in text output.
 */
#ifndef KH_REPORT_H
#define KH_REPORT_H

#include <stdio.h>
#include "err.h"
#include "finding.h"
#include "rules.h"
#include "stats.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_SARIF };

/* Parses "text|json|sarif"; returns -1 when unknown. */
int report_format_parse(const char *s);

struct report_opts {
	const char *version;          /* keyhound version string */
	const char *command;          /* "dir", "git", "staged", "stdin" */
	const struct rule_set *rules;
	const struct scan_stats *stats;
	int show_secrets;
	int color;                    /* text only */
	int quiet;                    /* text: findings only, no summary */
	int verify;                   /* --verify was given */
	int fail_severity;            /* findings at or above fail the scan */
	const char *uri_base;         /* SARIF originalUriBaseIds root (absolute), may be NULL */
	const char *fingerprint_salt; /* the salt fingerprints were made with, when it is the
	                               * repository's identity (not a key); NULL otherwise */
	int threads;                  /* worker threads the scan used (JSON stats) */
};

/* Writes the whole report to out. Returns 0, or KH_EIO on a write error. */
int report_write(enum report_format fmt, FILE *out, const struct finding_list *fl,
		 const struct report_opts *o, struct err *err);

int report_text_write(FILE *out, const struct finding_list *fl,
		      const struct report_opts *o, struct err *err);
int report_json_write(FILE *out, const struct finding_list *fl,
		      const struct report_opts *o, struct err *err);
int report_sarif_write(FILE *out, const struct finding_list *fl,
		       const struct report_opts *o, struct err *err);

/* Copies s into a new string safe for a terminal: control characters,
 * DEL, ANSI escapes and invalid UTF-8 are shown as \n, \x1b, \xff, ... */
char *sanitize_for_terminal(const char *s, size_t len);

#endif
