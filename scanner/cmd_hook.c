/* cmd_hook.c - `keyhound install-hook` / `uninstall-hook`: put keyhound's git
 * hooks in a repository without losing the hooks already there.
 *
 * The hooks directory honours core.hooksPath (relative to the work tree) and
 * is shared by linked worktrees. An existing hook is never overwritten: it is
 * renamed to HOOK.keyhound-chained (mode and bytes unchanged), and keyhound's
 * hook runs it first, so a failing original still blocks. Installing twice
 * changes nothing; uninstalling restores exactly what was there.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd.h"
#include "session.h"
#include "source_git.h"
#include "xalloc.h"

#define MARK "keyhound pre-" /* present in the first lines of our hooks */

static void usage(FILE *out, const char *name)
{
	fprintf(out,
		"usage: keyhound %s [--pre-commit] [--pre-push] [REPO]\n\n"
		"%s keyhound's git hooks in REPO (default: the current repository;\n"
		"%s). The hooks directory honours core.hooksPath. An existing\n"
		"hook is kept and still runs first (chained as HOOK.keyhound-chained);\n"
		"uninstall-hook restores it exactly, byte for byte and with its mode.\n\n"
		"  --pre-commit             the pre-commit hook (keyhound staged)\n"
		"  --pre-push               the pre-push hook (keyhound git --range)\n"
		"  -h, --help               show this help\n",
		name, !strcmp(name, "install-hook") ? "Installs" : "Removes",
		!strcmp(name, "install-hook") ? "default: pre-commit only"
					      : "default: every keyhound hook there");
}

/* Where the repository's hooks live: core.hooksPath (relative to the work
 * tree), else the common git directory's hooks/. Returns a new string. */
static char *hooks_dir(git_repository *repo, struct err *err)
{
	git_config *cfg = NULL;
	git_buf b = {0};
	char *out = NULL;

	if (git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_path(&b, cfg, "core.hooksPath") == 0 && b.size) {
		const char *base = git_repository_workdir(repo);
		if (b.ptr[0] == '/' || !base)
			base = "";
		out = xmalloc(strlen(base) + b.size + 2);
		snprintf(out, strlen(base) + b.size + 2, "%s%s", base, b.ptr);
	}
	git_buf_dispose(&b);
	git_config_free(cfg);
	if (!out) {
		const char *common = git_repository_commondir(repo);
		size_t n = strlen(common) + 8;
		out = xmalloc(n);
		snprintf(out, n, "%shooks", common);
	}
	return out;
}

#define CREATED_MARK ".keyhound-created" /* in a hooks directory install-hook made */

/* dir/CREATED_MARK, a new string. */
static char *mark_path(const char *dir)
{
	size_t n = strlen(dir) + sizeof(CREATED_MARK) + 2;
	char *m = xmalloc(n);

	snprintf(m, n, "%s/%s", dir, CREATED_MARK);
	return m;
}

/* Leaves CREATED_MARK in dir: install-hook made it. */
static void mark_created(const char *dir)
{
	char *m = mark_path(dir);
	FILE *f;

	if ((f = fopen(m, "w")))
		fclose(f);
	free(m);
}

/* Creates dir and any missing parents (mkdir -p), leaving CREATED_MARK in
 * each directory it creates, so that uninstall-hook can take them away. */
static int make_hooks_dir(const char *dir, struct err *err)
{
	struct stat st;
	char *p = xstrdup(dir), *slash;
	int rc = 0;

	if (stat(dir, &st) == 0) {
		free(p);
		return S_ISDIR(st.st_mode) ? 0 : err_set(err, KH_EIO, "'%s' is not a directory", dir);
	}
	for (slash = strchr(p + 1, '/'); !rc; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0755) == 0)
			mark_created(p);
		else if (errno != EEXIST)
			rc = err_set(err, KH_EIO, "cannot create hooks directory '%s': %s", p,
				     strerror(errno));
		if (!slash)
			break;
		*slash = '/';
	}
	free(p);
	return rc;
}

/* After uninstalling: each directory install-hook created, from the hooks
 * directory up, that now holds nothing but its mark, is removed. */
static void remove_created_dir(const char *dir)
{
	char *d = xstrdup(dir), *slash;

	for (;;) {
		char *m = mark_path(d);
		struct stat st;
		int gone = 0;
		if (stat(m, &st) == 0 && unlink(m) == 0) {
			if (rmdir(d) == 0)
				gone = 1;
			else
				mark_created(d); /* not empty: keep the mark */
		}
		free(m);
		if (!gone || !(slash = strrchr(d, '/')) || slash == d)
			break;
		*slash = '\0';
	}
	free(d);
}

static int is_ours(const char *path)
{
	char buf[512];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, "# " MARK) != NULL;
}

static const struct builtin_rule_file *hook_text(const char *name)
{
	size_t i, nl = strlen(name);

	for (i = 0; i < builtin_hook_files_count; i++) {
		const char *f = builtin_hook_files[i].name;
		size_t fl = strlen(f);
		if (fl >= nl && !strcmp(f + fl - nl, name))
			return &builtin_hook_files[i];
	}
	return NULL;
}

/* The absolute path of this program, for the hook's last-resort lookup. */
static char *self_path(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		return xstrdup(buf);
	}
	if (strchr(argv0, '/')) {
		char *r = realpath(argv0, NULL);
		if (r)
			return r;
	}
	return xstrdup("keyhound");
}

static int write_hook(const char *path, const struct builtin_rule_file *h, const char *self,
		      struct err *err)
{
	const char *at = strstr(h->text, "@KEYHOUND@");
	char *tmp = xmalloc(strlen(path) + 16);
	FILE *f;
	int ok;

	snprintf(tmp, strlen(path) + 16, "%s.keyhound-tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		free(tmp);
		return err_set(err, KH_EIO, "cannot write '%s': %s", path, strerror(errno));
	}
	if (at) {
		fwrite(h->text, 1, (size_t)(at - h->text), f);
		fputs(self, f);
		fputs(at + strlen("@KEYHOUND@"), f);
	} else {
		fwrite(h->text, 1, h->len, f);
	}
	ok = fclose(f) == 0 && chmod(tmp, 0755) == 0 && rename(tmp, path) == 0;
	if (!ok) {
		unlink(tmp);
		free(tmp);
		return err_set(err, KH_EIO, "cannot write '%s': %s", path, strerror(errno));
	}
	free(tmp);
	return 0;
}

static int install_one(const char *dir, const char *name, const char *self, struct err *err)
{
	size_t n = strlen(dir) + strlen(name) + 32;
	char *path = xmalloc(n), *chained = xmalloc(n);
	const struct builtin_rule_file *h = hook_text(name);
	struct stat st;
	int rc = 0;

	snprintf(path, n, "%s/%s", dir, name);
	snprintf(chained, n, "%s/%s.keyhound-chained", dir, name);
	if (!h) {
		rc = err_set(err, KH_EINVAL, "no built-in %s hook", name);
	} else if (lstat(path, &st) == 0 && is_ours(path)) {
		printf("keyhound: %s is already installed\n", path);
	} else {
		if (lstat(path, &st) == 0) {
			if (lstat(chained, &st) == 0)
				rc = err_set(err, KH_EIO, "both '%s' and '%s' exist: resolve by hand",
					     path, chained);
			else if (rename(path, chained) < 0)
				rc = err_set(err, KH_EIO, "cannot keep the existing hook '%s': %s", path,
					     strerror(errno));
			else
				printf("keyhound: kept the existing %s hook; it runs first (%s)\n", name,
				       chained);
		}
		if (!rc && !(rc = write_hook(path, h, self, err)))
			printf("keyhound: installed %s\n", path);
	}
	free(path);
	free(chained);
	return rc;
}

static int uninstall_one(const char *dir, const char *name, int explicit, struct err *err)
{
	size_t n = strlen(dir) + strlen(name) + 32;
	char *path = xmalloc(n), *chained = xmalloc(n);
	struct stat st;
	int rc = 0;

	snprintf(path, n, "%s/%s", dir, name);
	snprintf(chained, n, "%s/%s.keyhound-chained", dir, name);
	if (lstat(path, &st) == 0 && is_ours(path)) {
		if (unlink(path) < 0)
			rc = err_set(err, KH_EIO, "cannot remove '%s': %s", path, strerror(errno));
		else if (lstat(chained, &st) == 0 && rename(chained, path) < 0)
			rc = err_set(err, KH_EIO, "cannot restore '%s': %s", path, strerror(errno));
		else
			printf("keyhound: removed %s%s\n", path,
			       lstat(path, &st) == 0 ? " (the previous hook is back)" : "");
	} else if (lstat(path, &st) == 0) {
		printf("keyhound: %s is not keyhound's hook; left alone\n", path);
	} else if (explicit) {
		printf("keyhound: no %s hook is installed\n", name);
	}
	free(path);
	free(chained);
	return rc;
}

static int run(int argc, char **argv, int install)
{
	struct err err = {0, ""};
	const char *path = ".";
	git_repository *repo = NULL;
	char *dir = NULL, *self = NULL;
	int i, pre_commit = 0, pre_push = 0, explicit, rc = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout, argv[0]);
			return 0;
		} else if (!strcmp(argv[i], "--pre-commit")) {
			pre_commit = 1;
		} else if (!strcmp(argv[i], "--pre-push")) {
			pre_push = 1;
		} else if (argv[i][0] == '-') {
			session_print_error("unknown option '%s' (see keyhound %s --help)", argv[i],
					    argv[0]);
			return KH_EXIT_ERROR;
		} else {
			path = argv[i];
		}
	}
	explicit = pre_commit || pre_push;
	if (!pre_commit && !pre_push) { /* install: pre-commit; uninstall: all of ours */
		pre_commit = 1;
		pre_push = !install;
	}
	if (source_git_open(&repo, path, &err) < 0 || !(dir = hooks_dir(repo, &err)) ||
	    (install && make_hooks_dir(dir, &err) < 0)) {
		session_print_error("%s", err.msg);
		free(dir);
		git_repository_free(repo);
		return KH_EXIT_ERROR;
	}
	self = self_path(argv[0]);
	if (pre_commit)
		rc = install ? install_one(dir, "pre-commit", self, &err)
			     : uninstall_one(dir, "pre-commit", explicit, &err);
	if (!rc && pre_push)
		rc = install ? install_one(dir, "pre-push", self, &err)
			     : uninstall_one(dir, "pre-push", explicit, &err);
	if (rc)
		session_print_error("%s", err.msg);
	else if (!install)
		remove_created_dir(dir);
	free(self);
	free(dir);
	git_repository_free(repo);
	return rc ? KH_EXIT_ERROR : 0;
}

int cmd_install_hook(int argc, char **argv)
{
	return run(argc, argv, 1);
}

int cmd_uninstall_hook(int argc, char **argv)
{
	return run(argc, argv, 0);
}
