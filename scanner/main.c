/* main.c - argument dispatch to one subcommand; process-wide setup only.
 *
 * Initialises libgit2 (with owner validation off: keyhound only reads, and
 * repositories in CI containers are often owned by another user), installs
 * the interrupt handler, and maps argv[1] to a cmd_*() function.
 */
#include <git2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "cmd.h"
#include "git_lib.h"
#include "opts.h"
#include "pipeline.h"
#include "session.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"dir", cmd_dir, "scan files and directories on disk"},
	{"git", cmd_git, "scan a repository's whole history (or a range of commits)"},
	{"staged", cmd_staged, "scan what the next commit adds (pre-commit hook)"},
	{"stdin", cmd_stdin, "scan content piped to standard input"},
	{"baseline", cmd_baseline, "write a baseline report for --baseline (dir or git)"},
	{"install-hook", cmd_install_hook, "install the pre-commit (and pre-push) hook"},
	{"uninstall-hook", cmd_uninstall_hook, "remove keyhound's hooks, restoring any earlier"},
	{"rules", cmd_rules, "list the rules in force, or check them against their examples"},
	{"version", cmd_version, "print the version"},
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: keyhound <command> [options] [args]\n\n"
		     "keyhound finds secrets (OpenAI keys first) in files and git history.\n\n"
		     "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-14s %s\n", "help [COMMAND]", "show help for a command");
	fprintf(out, "\nRun 'keyhound <command> --help' for a command's options.\n\n");
	opts_print_common_help(out, NULL);
}

int cmd_version(int argc, char **argv)
{
	int maj, min, rev;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: keyhound version\n\n"
		       "Prints the version of keyhound and of the libgit2 and PCRE2 it uses.\n\n"
		       "Options:\n  %-24s %s\n", "-h, --help", "show this help");
		return 0;
	}
	if (argc > 1) {
		session_print_error("version takes no arguments ('%s')", argv[1]);
		return KH_EXIT_ERROR;
	}
	git_libgit2_version(&maj, &min, &rev);
	printf("keyhound %s (libgit2 %d.%d.%d, PCRE2 %d.%d)\n", KH_VERSION, maj, min, rev,
	       PCRE2_MAJOR, PCRE2_MINOR);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	if (kh_interrupted) /* a second Ctrl-C: stop now */
		_exit(KH_EXIT_INTERRUPTED);
	kh_interrupted = 1;
}

/* A file keyhound has mapped (a git pack file, through libgit2 or its own
 * pack reader) was truncated by another process while being read: the
 * kernel says so with SIGBUS. No data can be trusted after that; say what
 * happened and stop with the error code, not a crash. Nothing was written:
 * reports are written after the scan. */
static void on_bus_error(int sig)
{
	static const char msg[] = "keyhound: error: a file being read was truncated by another "
				  "process (a git pack rewritten during the scan?); the scan stopped\n";
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(KH_EXIT_ERROR);
}

static const struct command *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;
	struct sigaction sa;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return argc < 2 ? KH_EXIT_ERROR : 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help")) {
		if (argc > 2 && (c = find(argv[2]))) {
			char *hargv[] = {argv[2], (char *)"--help", NULL};
			git_lib_init();
			rc = c->fn(2, hargv);
			git_lib_shutdown();
			return rc;
		}
		usage(stdout);
		return argc > 2 ? KH_EXIT_ERROR : 0;
	}
	if (!(c = find(argv[1]))) {
		session_print_error("unknown command '%s' (see keyhound --help)", argv[1]);
		return KH_EXIT_ERROR;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_bus_error;
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	git_lib_init();
	rc = c->fn(argc - 1, argv + 1);
	git_lib_shutdown();
	return rc;
}
