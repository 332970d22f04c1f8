/* opts.h - the options every scanning subcommand shares, and their parsing.
 *
 * One table (opts.c) describes each common option once; the same table
 * prints the help text, so --help always lists every option.
 */
#ifndef KH_OPTS_H
#define KH_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "err.h"

#define KH_EXIT_CLEAN 0
#define KH_EXIT_FINDINGS 1
#define KH_EXIT_ERROR 2
#define KH_EXIT_INTERRUPTED 130

struct report_target {
	int format;  /* enum report_format */
	char *path;  /* NULL or "-" = stdout; owned */
};

struct common_opts {
	int format;                 /* --format (enum report_format), default text */
	char *output;               /* --output FILE, owned, NULL = stdout */
	struct report_target reports[16]; /* --report FORMAT:FILE (repeatable) */
	size_t nreports;
	char *configs[16];          /* --config FILE (repeatable), owned */
	size_t nconfigs;
	int no_config;              /* --no-config: skip .keyhound.yaml */
	int threads;                /* --threads N, 0 = all cores */
	uint64_t max_file_size;     /* --max-file-size SIZE, 0 = unlimited */
	int color;                  /* -1 auto, 0 never, 1 always */
	int quiet;
	int show_secrets;
	int exit_code;              /* --exit-code N for findings (default 1) */
	int fail_on;                /* --fail-on SEVERITY (enum severity), default high */
	int no_ignore;              /* --no-ignore: scan ignored files too */
	char *baseline;             /* --baseline REPORT.json, owned */
	int verify;                 /* --verify */
	int only_live;              /* --only-live */
	long verify_timeout_ms;     /* --verify-timeout SECONDS, 0 = default (10 s) */
	int progress;               /* -1 auto (terminal), 0 off, 1 on */
};

void common_opts_init(struct common_opts *o);
void common_opts_release(struct common_opts *o);

/* If argv[*i] is a common option, consumes it (and its value, advancing *i)
 * and returns 1; returns 0 when it is not a common option; returns
 * KH_EINVAL with a message for a bad value. Accepts --opt=value and --opt value. */
int opts_parse_common(struct common_opts *o, int argc, char **argv, int *i,
		      struct err *err);

/* Prints the help lines of the options `keyhound COMMAND` takes (and the
 * exit codes), to follow the command's own "Options:" lines; command NULL: every scanning option, each marked with the
 * commands it is limited to. opts_parse_common() refuses an option that
 * does not apply to argv[0], so help and parsing always agree. */
void opts_print_common_help(FILE *out, const char *command);

/* Parses "10M", "512k", "2G", "1000" into bytes; returns -1 if malformed. */
int opts_parse_size(const char *s, uint64_t *out);

#endif
