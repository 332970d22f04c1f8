/* opts.c - the common options of scanning subcommands: one table, parsed and
 * documented from the same place, so --help always lists every option.
 * Never prints except opts_print_common_help().
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "opts.h"
#include "report.h"
#include "rules.h"
#include "xalloc.h"

enum opt_id {
	O_FORMAT, O_OUTPUT, O_REPORT, O_CONFIG, O_NO_CONFIG, O_THREADS, O_MAX_SIZE,
	O_COLOR, O_NO_COLOR, O_QUIET, O_SHOW, O_EXIT_CODE, O_FAIL_ON, O_NO_IGNORE,
	O_BASELINE, O_VERIFY, O_ONLY_LIVE, O_VERIFY_TIMEOUT, O_PROGRESS, O_NO_PROGRESS
};

/* Which subcommands take an option. */
enum {
	C_DIR = 1, C_GIT = 2, C_STAGED = 4, C_STDIN = 8, C_RULES = 16,
	C_SCAN = C_DIR | C_GIT | C_STAGED | C_STDIN
};

struct opt_def {
	enum opt_id id;
	const char *name;
	const char *arg; /* NULL for flags */
	const char *help;
	unsigned cmds;   /* C_* of the subcommands that take it */
};

static const struct opt_def defs[] = {
	{O_FORMAT, "--format", "FMT", "report format on stdout/--output: text (default), json, sarif (-f)", C_SCAN},
	{O_OUTPUT, "--output", "FILE", "write the report to FILE instead of stdout (-o)", C_SCAN},
	{O_REPORT, "--report", "FMT:FILE", "also write a report in FMT to FILE (repeatable)", C_SCAN},
	{O_CONFIG, "--config", "FILE", "merge rules and allowlists from FILE (repeatable)", C_SCAN | C_RULES},
	{O_NO_CONFIG, "--no-config", NULL, "do not load .keyhound.yaml from the scanned root", C_SCAN | C_RULES},
	{O_THREADS, "--threads", "N", "worker threads (default: all cores; git history: all but one)", C_DIR | C_GIT},
	{O_MAX_SIZE, "--max-file-size", "SIZE", "skip (and report) files larger than SIZE, e.g. 50M (default: no limit)", C_DIR | C_GIT | C_STAGED},
	{O_COLOR, "--color", "WHEN", "colour the text report: auto (default: on a terminal), always, never", C_SCAN},
	{O_NO_COLOR, "--no-color", NULL, "same as --color=never (NO_COLOR is honoured too)", C_SCAN},
	{O_QUIET, "--quiet", NULL, "print findings only: no summary, no progress (-q)", C_SCAN},
	{O_SHOW, "--show-secrets", NULL, "print whole secrets instead of the redacted form", C_SCAN},
	{O_EXIT_CODE, "--exit-code", "N", "exit code when findings fail the scan (default 1)", C_SCAN},
	{O_FAIL_ON, "--fail-on", "SEVERITY", "lowest severity that fails the scan: info, low, medium, high (default), critical", C_SCAN},
	{O_NO_IGNORE, "--no-ignore", NULL, "scan files that .gitignore excludes too", C_DIR},
	{O_BASELINE, "--baseline", "FILE", "report only findings absent from an earlier JSON report", C_SCAN},
	{O_VERIFY, "--verify", NULL, "ask each secret's own provider whether it is live (network)", C_SCAN},
	{O_ONLY_LIVE, "--only-live", NULL, "with --verify: report and fail only on live secrets", C_SCAN},
	{O_VERIFY_TIMEOUT, "--verify-timeout", "SECONDS", "with --verify: give up on an answer after SECONDS (default 10)", C_SCAN},
	{O_PROGRESS, "--progress", NULL, "show a progress line on stderr even when not a terminal", C_GIT},
	{O_NO_PROGRESS, "--no-progress", NULL, "never show a progress line", C_GIT},
};

static unsigned command_mask(const char *command)
{
	static const struct { const char *name; unsigned mask; } m[] = {
		{"dir", C_DIR}, {"git", C_GIT}, {"staged", C_STAGED}, {"stdin", C_STDIN},
		{"rules", C_RULES},
	};
	size_t i;

	for (i = 0; command && i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(command, m[i].name))
			return m[i].mask;
	return ~0u; /* unknown caller: everything */
}

void common_opts_init(struct common_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = REPORT_TEXT;
	o->color = -1;
	o->exit_code = 1;
	o->fail_on = SEV_HIGH;
	o->progress = -1;
}

void common_opts_release(struct common_opts *o)
{
	size_t i;

	free(o->output);
	for (i = 0; i < o->nreports; i++)
		free(o->reports[i].path);
	for (i = 0; i < o->nconfigs; i++)
		free(o->configs[i]);
	free(o->baseline);
	memset(o, 0, sizeof(*o));
}

int opts_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024ull * 1024 * 1024; end++; break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b' || *end == 'i')
		end++;
	if (*end == 'B')
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return -1;
	*out = (uint64_t)v * mul;
	return 0;
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int apply(struct common_opts *o, const struct opt_def *d, const char *val,
		 struct err *err)
{
	int f;

	switch (d->id) {
	case O_FORMAT:
		if ((f = report_format_parse(val)) < 0)
			return err_set(err, KH_EINVAL, "unknown format '%s' (text, json, sarif)", val);
		o->format = f;
		break;
	case O_OUTPUT:
		free(o->output);
		o->output = xstrdup(val);
		break;
	case O_REPORT: {
		const char *colon = strchr(val, ':');
		char fmt[16];
		if (!colon || (size_t)(colon - val) >= sizeof(fmt) || !colon[1])
			return err_set(err, KH_EINVAL, "--report takes FORMAT:FILE, e.g. sarif:out.sarif");
		memcpy(fmt, val, (size_t)(colon - val));
		fmt[colon - val] = '\0';
		if ((f = report_format_parse(fmt)) < 0)
			return err_set(err, KH_EINVAL, "unknown format '%s' (text, json, sarif)", fmt);
		if (o->nreports == sizeof(o->reports) / sizeof(o->reports[0]))
			return err_set(err, KH_EINVAL, "too many --report options");
		o->reports[o->nreports].format = f;
		o->reports[o->nreports].path = xstrdup(colon + 1);
		o->nreports++;
		break;
	}
	case O_CONFIG:
		if (o->nconfigs == sizeof(o->configs) / sizeof(o->configs[0]))
			return err_set(err, KH_EINVAL, "too many --config options");
		o->configs[o->nconfigs++] = xstrdup(val);
		break;
	case O_NO_CONFIG: o->no_config = 1; break;
	case O_THREADS:
		if (parse_int(val, 1, 1024, &o->threads))
			return err_set(err, KH_EINVAL, "--threads takes a number from 1 to 1024");
		break;
	case O_MAX_SIZE:
		if (opts_parse_size(val, &o->max_file_size))
			return err_set(err, KH_EINVAL, "--max-file-size takes a size such as 500k, 50M, 2G");
		break;
	case O_COLOR:
		if (!strcmp(val, "auto")) o->color = -1;
		else if (!strcmp(val, "always")) o->color = 1;
		else if (!strcmp(val, "never")) o->color = 0;
		else return err_set(err, KH_EINVAL, "--color takes auto, always or never");
		break;
	case O_NO_COLOR: o->color = 0; break;
	case O_QUIET: o->quiet = 1; break;
	case O_SHOW: o->show_secrets = 1; break;
	case O_EXIT_CODE:
		if (parse_int(val, 0, 255, &o->exit_code))
			return err_set(err, KH_EINVAL, "--exit-code takes a number from 0 to 255");
		break;
	case O_FAIL_ON:
		if ((f = severity_parse(val)) < 0)
			return err_set(err, KH_EINVAL,
				       "--fail-on takes info, low, medium, high or critical");
		o->fail_on = f;
		break;
	case O_NO_IGNORE: o->no_ignore = 1; break;
	case O_BASELINE:
		free(o->baseline);
		o->baseline = xstrdup(val);
		break;
	case O_VERIFY: o->verify = 1; break;
	case O_ONLY_LIVE: o->only_live = 1; o->verify = 1; break;
	case O_VERIFY_TIMEOUT: {
		char *end;
		double secs;
		errno = 0;
		secs = strtod(val, &end);
		if (errno || end == val || *end || !(secs >= 0.05 && secs <= 600))
			return err_set(err, KH_EINVAL, "--verify-timeout takes seconds from 0.05 to 600");
		o->verify_timeout_ms = (long)(secs * 1000.0 + 0.5);
		break;
	}
	case O_PROGRESS: o->progress = 1; break;
	case O_NO_PROGRESS: o->progress = 0; break;
	}
	return 0;
}

int opts_parse_common(struct common_opts *o, int argc, char **argv, int *i,
		      struct err *err)
{
	const char *a = argv[*i];
	unsigned mask = command_mask(argc > 0 ? argv[0] : NULL);
	size_t k;

	if (!strcmp(a, "-o"))
		a = "--output";
	else if (!strcmp(a, "-q"))
		a = "--quiet";
	else if (!strcmp(a, "-f"))
		a = "--format";
	for (k = 0; k < sizeof(defs) / sizeof(defs[0]); k++) {
		const struct opt_def *d = &defs[k];
		size_t nl = strlen(d->name);
		const char *val = NULL;
		if (strncmp(a, d->name, nl) || (a[nl] && a[nl] != '='))
			continue;
		if (!(d->cmds & mask))
			return err_set(err, KH_EINVAL, "%s does not apply to 'keyhound %s' (see keyhound %s --help)",
				       d->name, argv[0], argv[0]);
		if (!d->arg) {
			if (a[nl] == '=')
				return err_set(err, KH_EINVAL, "%s takes no value", d->name);
			return apply(o, d, NULL, err) ? err->code : 1;
		}
		if (a[nl] == '=')
			val = a + nl + 1;
		else if (*i + 1 < argc)
			val = argv[++*i];
		else
			return err_set(err, KH_EINVAL, "%s needs a value (%s)", d->name, d->arg);
		return apply(o, d, val, err) ? err->code : 1;
	}
	return 0;
}

void opts_print_common_help(FILE *out, const char *command)
{
	unsigned mask = command_mask(command);
	size_t k;

	if (!command)
		fprintf(out, "Options of the scanning commands (dir, git, staged, stdin):\n");
	for (k = 0; k < sizeof(defs) / sizeof(defs[0]); k++) {
		char left[64];
		if (!(defs[k].cmds & mask) || (!command && !(defs[k].cmds & C_SCAN)))
			continue;
		snprintf(left, sizeof(left), "%s%s%s", defs[k].name, defs[k].arg ? " " : "",
			 defs[k].arg ? defs[k].arg : "");
		fprintf(out, "  %-24s %s", left, defs[k].help);
		if (!command && (defs[k].cmds & C_SCAN) != C_SCAN) { /* say where it applies */
			static const char *const names[] = {"dir", "git", "staged", "stdin"};
			size_t b;
			const char *sep = " [";
			for (b = 0; b < 4; b++)
				if (defs[k].cmds & (1u << b)) {
					fprintf(out, "%s%s", sep, names[b]);
					sep = ", ";
				}
			fputc(']', out);
		}
		fputc('\n', out);
	}
	fprintf(out, "  %-24s %s\n", "-h, --help", "show this help");
	if (command && !(mask & C_SCAN))
		return;
	fprintf(out,
		"\nExit codes: 0 nothing found; 1 (or --exit-code) findings at or above --fail-on;\n"
		"2 usage or runtime error, or something could not be scanned (findings are\n"
		"still reported first); 130 interrupted.\n");
}
