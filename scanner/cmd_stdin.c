/* cmd_stdin.c - `keyhound stdin [--name NAME]`: scan content piped in.
 *
 * Reads standard input in bounded windows (like a file), so a pipe of any
 * size is scanned with bounded memory. The name is what reports show as path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "pipeline.h"
#include "session.h"
#include "source_dir.h"
#include "xalloc.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: keyhound stdin [options] [--name NAME]\n\n"
		"Scan what is piped to standard input, in bounded memory. NAME (default \"-\")\n"
		"is the path shown in reports and matched by allowlists; .keyhound.yaml at the\n"
		"top of the git working tree holding the current directory (else in the\n"
		"current directory) is loaded unless --no-config.\n\n"
		"Options:\n"
		"  --name NAME              path to show for the content (also --label)\n");
	opts_print_common_help(out, "stdin");
}

struct stdin_item {
	const char *name;
};

static int process_stdin(struct worker *w, void *item, void *payload, struct err *err)
{
	struct stdin_item *it = item;
	int rc;

	(void)payload;
	rc = scan_fd(w, STDIN_FILENO, 0, it->name, NULL, err);
	if (!rc)
		w->stats.files_scanned++;
	return rc;
}

static const char *stdin_name(void *item)
{
	return ((struct stdin_item *)item)->name;
}

int cmd_stdin(int argc, char **argv)
{
	struct session s;
	struct pipeline_opts po;
	struct pipeline *p = NULL;
	struct err err = {0, ""};
	struct stdin_item it = {"-"};
	char *cfgroot;
	int i, rc;

	session_init(&s, "stdin");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (!strcmp(argv[i], "--name") || !strcmp(argv[i], "--label")) {
			if (i + 1 >= argc) {
				session_print_error("%s needs a value", argv[i]);
				rc = KH_EXIT_ERROR;
				goto out;
			}
			it.name = argv[++i];
			continue;
		}
		if (!strncmp(argv[i], "--name=", 7)) {
			it.name = argv[i] + 7;
			continue;
		}
		rc = opts_parse_common(&s.opts, argc, argv, &i, &err);
		if (rc == 0)
			err_set(&err, KH_EINVAL, "unknown argument '%s' (see keyhound stdin --help)",
				argv[i]);
		if (rc <= 0) {
			session_print_error("%s", err.msg);
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
	s.threads = 1; /* one stream */
	memset(&po, 0, sizeof(po));
	po.threads = 1;
	po.rs = &s.rs;
	po.process = process_stdin;
	po.item_name = stdin_name;
	if (pipeline_new(&p, &po, &err) < 0) {
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	pipeline_push(p, &it);
	pipeline_finish(p, &s.findings, &s.stats);
	rc = session_finish(&s);
out:
	session_release(&s);
	return rc;
}
