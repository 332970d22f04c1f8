/* cmd_rules.c - `keyhound rules [list|check]`: show the rules in force and
 * test every rule against its own examples.
 *
 * `check` runs each example and negative example through scan_content(), the
 * same path real content takes (prefilter, entropy, checksum, dedup), so a
 * rule that misses its own example fails here and in `make test`.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "report.h"
#include "scan.h"
#include "session.h"
#include "source_dir.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: keyhound rules [list] [--config FILE] [--no-config]\n"
		"       keyhound rules check [--tap] [--config FILE] [--no-config]\n\n"
		"list   one rule per line: id, severity, description (the default)\n"
		"check  run every rule's examples (each must give exactly one finding of that\n"
		"       rule) and negative examples (none), and lint ids and keywords;\n"
		"       exit 1 if any check fails; --tap prints TAP\n\n"
		"Options:\n"
		"  --config FILE            merge rules from FILE (repeatable)\n"
		"  --no-config              do not load .keyhound.yaml (from the top of the git\n"
		"                           working tree holding this directory, else from here)\n"
		"  --tap                    with check: print TAP\n"
		"  -h, --help               show this help\n");
}

static int id_ok(const char *id)
{
	const char *p;
	int dash = 0;

	if (!id[0] || id[0] == '-')
		return 0;
	for (p = id; *p; p++) {
		if (*p == '-') {
			if (p[1] == '-' || !p[1])
				return 0;
			dash = 1;
		} else if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)) {
			return 0;
		}
	}
	return dash;
}

static int has_keyword(const struct rule *r, const char *text)
{
	size_t i, j, k, tl = strlen(text);

	for (i = 0; i < r->keywords.n; i++) {
		size_t kl = strlen(r->keywords.v[i]);
		for (j = 0; j + kl <= tl; j++) {
			for (k = 0; k < kl; k++)
				if (tolower((unsigned char)text[j + k]) !=
				    tolower((unsigned char)r->keywords.v[i][k]))
					break;
			if (k == kl)
				return 1;
		}
	}
	return 0;
}

struct checker {
	int tap;
	int n, failed;
};

static void result(struct checker *c, int ok, const char *rule, const char *what, size_t idx,
		   const char *why)
{
	c->n++;
	if (!ok)
		c->failed++;
	char *safe = sanitize_for_terminal(rule, strlen(rule));

	if (c->tap)
		printf("%sok %d - %s %s %zu%s%s\n", ok ? "" : "not ", c->n, safe, what, idx + 1,
		       ok ? "" : ": ", ok ? "" : why);
	else if (!ok)
		printf("FAIL %s %s %zu: %s\n", safe, what, idx + 1, why);
	free(safe);
}

/* Counts findings of rule r in text (and findings of any rule). */
static size_t count_for(const struct rule_set *rs, struct scan_scratch *sc, const struct rule *r,
			const char *text, size_t *total)
{
	struct finding_list fl;
	struct content c;
	struct scan_stats st;
	struct err err = {0, ""};
	size_t i, n = 0;

	finding_list_init(&fl);
	stats_init(&st);
	content_whole(&c, text, strlen(text), "example");
	scan_content(rs, sc, &c, &fl, &st, &err);
	for (i = 0; i < fl.n; i++)
		if (fl.v[i].rule == r)
			n++;
	*total = fl.n;
	finding_list_release(&fl);
	stats_release(&st);
	return n;
}

static int check(const struct rule_set *rs, int tap)
{
	struct scan_scratch *sc = scan_scratch_new(rs);
	struct checker c = {tap, 0, 0};
	size_t i, j, total;

	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];
		char why[160];
		if (r->disabled)
			continue;
		result(&c, id_ok(r->id), r->id, "id", 0, "id must be lowercase, provider first: a-b");
		result(&c, r->examples.n > 0, r->id, "has-examples", 0, "no examples");
		result(&c, r->negative_examples.n > 0, r->id, "has-negative-examples", 0,
		       "no negative examples");
		for (j = 0; j < r->examples.n; j++) {
			const char *ex = r->examples.v[j];
			size_t n = count_for(rs, sc, r, ex, &total);
			result(&c, has_keyword(r, ex), r->id, "example-keyword", j,
			       "example holds none of the rule's keywords");
			snprintf(why, sizeof(why), "expected 1 finding of this rule, got %zu (%zu in all)",
				 n, total);
			result(&c, n == 1, r->id, "example", j, why);
		}
		for (j = 0; j < r->negative_examples.n; j++) {
			size_t n = count_for(rs, sc, r, r->negative_examples.v[j], &total);
			snprintf(why, sizeof(why), "expected no finding of this rule, got %zu", n);
			result(&c, n == 0, r->id, "negative-example", j, why);
		}
	}
	scan_scratch_free(sc);
	if (tap)
		printf("1..%d\n", c.n);
	else
		printf("keyhound: %d checks, %d failed\n", c.n, c.failed);
	return c.failed ? 1 : 0;
}

static void list(const struct rule_set *rs)
{
	size_t i, w = 0;

	for (i = 0; i < rs->n; i++)
		if (strlen(rs->rules[i].id) > w)
			w = strlen(rs->rules[i].id);
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];
		int say_context = r->context_only && !strstr(r->description, "context only");
		/* a repository's config names its own rules: no raw control bytes */
		char *id = sanitize_for_terminal(r->id, strlen(r->id));
		char *desc = sanitize_for_terminal(r->description, strlen(r->description));
		printf("%-*s  %-8s  %s%s%s\n", (int)w, id, severity_name(r->severity), desc,
		       say_context ? " (context only)" : "", r->disabled ? " (disabled)" : "");
		free(id);
		free(desc);
	}
}

int cmd_rules(int argc, char **argv)
{
	struct session s;
	struct err err = {0, ""};
	char *cfgroot;
	int i, rc = 0, do_check = 0, tap = 0;

	session_init(&s, "rules");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			goto out;
		} else if (!strcmp(argv[i], "list")) {
			do_check = 0;
		} else if (!strcmp(argv[i], "check")) {
			do_check = 1;
		} else if (!strcmp(argv[i], "--tap")) {
			tap = 1;
		} else if (!strcmp(argv[i], "--config") || !strcmp(argv[i], "--no-config") ||
			   !strncmp(argv[i], "--config=", 9)) {
			if (opts_parse_common(&s.opts, argc, argv, &i, &err) <= 0) {
				session_print_error("%s", err.msg);
				rc = KH_EXIT_ERROR;
				goto out;
			}
		} else {
			session_print_error("unknown argument '%s' (see keyhound rules --help)", argv[i]);
			rc = KH_EXIT_ERROR;
			goto out;
		}
	}
	cfgroot = source_dir_config_root(".");
	rc = session_start(&s, cfgroot, &err);
	free(cfgroot);
	if (rc < 0) {
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	if (do_check)
		rc = check(&s.rs, tap);
	else
		list(&s.rs);
out:
	session_release(&s);
	return rc;
}
