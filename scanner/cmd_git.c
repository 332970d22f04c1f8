/* cmd_git.c - `keyhound git [REPO] [--range REVS...] [--all-objects]`: scan a
 * repository's history.
 *
 * Parses options, runs source_git inside a session (fingerprints salted with
 * the repository's identity), returns the exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "session.h"
#include "source_git.h"
#include "xalloc.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: keyhound git [options] [REPO]\n"
		"       keyhound git [options] [REPO] --range REVS...\n\n"
		"Scan the whole history of the repository at REPO (default: the current one):\n"
		"every commit reachable from every ref (branches, tags, remote-tracking\n"
		"branches, stash, notes, HEAD). Each distinct blob is scanned once, and each\n"
		"finding is attributed to the commit, author, date and path that introduced\n"
		"it. Commit and tag messages are scanned too. Bare, mirror, worktree and\n"
		"shallow clones work (a shallow clone's missing history is reported).\n\n"
		"Options:\n"
		"  --range REVS...          only what the commits in REVS add (rev-list\n"
		"                           arguments up to the next option: A..B, or\n"
		"                           B --not --remotes=origin); lines a commit adds\n"
		"                           relative to all its parents\n"
		"  --all-objects            also scan commits and blobs that no ref reaches\n"
		"                           (force-pushed away, dropped stashes)\n");
	opts_print_common_help(out, "git");
}

int cmd_git(int argc, char **argv)
{
	struct session s;
	struct source_git_opts go;
	struct err err = {0, ""};
	const char **range = NULL;
	const char *repo_path = NULL;
	git_repository *repo = NULL;
	int i, rc, in_range = 0;

	session_init(&s, "git");
	memset(&go, 0, sizeof(go));
	range = xcalloc((size_t)argc + 1, sizeof(*range));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (!strcmp(a, "--range")) {
			in_range = 1;
			go.range = range;
			continue;
		}
		if (!strncmp(a, "--range=", 8)) {
			go.range = range;
			range[go.nrange++] = a + 8;
			continue;
		}
		if (!strcmp(a, "--all-objects")) {
			go.all_objects = 1;
			in_range = 0;
			continue;
		}
		/* inside --range, rev-list words (--not, --remotes=..., ^A) belong to it */
		if (in_range && (a[0] != '-' || !strcmp(a, "--not") || !strcmp(a, "--all") ||
				 !strncmp(a, "--remotes", 9) || !strncmp(a, "--branches", 10) ||
				 !strncmp(a, "--tags", 6))) {
			range[go.nrange++] = a;
			continue;
		}
		if (a[0] == '-' && a[1]) {
			in_range = 0;
			rc = opts_parse_common(&s.opts, argc, argv, &i, &err);
			if (rc == 0)
				err_set(&err, KH_EINVAL, "unknown option '%s' (see keyhound git --help)", a);
			if (rc <= 0) {
				session_print_error("%s", err.msg);
				rc = KH_EXIT_ERROR;
				goto out;
			}
			continue;
		}
		if (repo_path) {
			session_print_error("more than one repository given ('%s', '%s'); "
					    "use --range for revisions", repo_path, a);
			rc = KH_EXIT_ERROR;
			goto out;
		}
		repo_path = a;
	}
	if (go.range && !go.nrange) {
		session_print_error("--range needs revisions, e.g. --range main..HEAD");
		rc = KH_EXIT_ERROR;
		goto out;
	}
	if (go.range && go.all_objects) {
		session_print_error("--all-objects cannot be combined with --range (a range is "
				    "what its commits add; --all-objects scans the whole store)");
		rc = KH_EXIT_ERROR;
		goto out;
	}
	/* In a hook (no REPO given), git may name the repository in GIT_DIR
	 * (`git --git-dir=... push`, worktrees): the pre-push hook must scan
	 * the repository being pushed, not whatever "." finds. */
	if (!repo_path && getenv("GIT_DIR") && *getenv("GIT_DIR"))
		repo_path = getenv("GIT_DIR");
	go.repo_path = repo_path ? repo_path : ".";
	if (source_git_open(&repo, go.repo_path, &err) < 0) {
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	{
		const char *wd = git_repository_workdir(repo);
		char *root = xstrdup(wd ? wd : git_repository_path(repo));
		size_t l = strlen(root);
		if (l > 1 && root[l - 1] == '/')
			root[l - 1] = '\0';
		session_set_salt_repo(&s, git_repository_path(repo));
		rc = session_start(&s, root, &err);
		free(root);
		if (rc < 0) {
			session_print_error("%s", err.msg);
			rc = KH_EXIT_ERROR;
			goto out;
		}
	}
	/* The history walk keeps the calling thread busy: by default it takes
	 * one core and the scanning workers the others (measured: on 2 cores,
	 * 1 worker beats 2). An explicit --threads is the worker count. */
	go.threads = s.opts.threads > 0 || s.threads <= 1 ? s.threads : s.threads - 1;
	go.max_file_size = s.opts.max_file_size;
	go.progress = s.opts.progress == 1 ||
		      (s.opts.progress < 0 && !s.opts.quiet && isatty(STDERR_FILENO));
	if (source_git_run(&go, &s.rs, &s.findings, &s.stats, &err) < 0) {
		session_print_error("%s", err.msg);
		s.fatal = 1;
		if (err.code == KH_ENOTFOUND || err.code == KH_EINVAL || err.code == KH_EGIT) {
			rc = KH_EXIT_ERROR;
			goto out;
		}
	}
	rc = session_finish(&s);
out:
	git_repository_free(repo);
	free(range);
	session_release(&s);
	return rc;
}
