/* cmd_staged.c - `keyhound staged [REPO]`: what the next commit would add.
 *
 * Compares the index with HEAD (the empty tree before the first commit; for a
 * merge in progress, with every parent-to-be), reads the index's blobs from the
 * object database (so `git add -p` partial staging is judged by what is
 * staged, not by the file on disk), and reports findings on added lines only,
 * with line numbers of the staged version. When a commit is blocked, says what
 * to do about it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "git_added.h"
#include "git_odb_pack.h"
#include "session.h"
#include "source_git.h"
#include "staged_paths.h"
#include "xalloc.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: keyhound staged [options] [REPO]\n\n"
		"Scan what the next commit would add: the index against HEAD (or the empty\n"
		"tree before the first commit), only the added lines, reported with the\n"
		"line numbers of the staged version. Used by the pre-commit hook: inside a\n"
		"hook (no REPO given), GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE are\n"
		"honoured, so `git commit -a` and `git commit PATH` are judged by the index\n"
		"they commit.\n\n"
		"Options:\n");
	opts_print_common_help(out, "staged");
}

static int tree_of(git_repository *repo, const char *rev, git_tree **out)
{
	git_object *obj = NULL;
	int rc;

	*out = NULL;
	if ((rc = git_revparse_single(&obj, repo, rev)) < 0)
		return rc;
	rc = git_object_peel((git_object **)out, obj, GIT_OBJECT_TREE);
	git_object_free(obj);
	return rc;
}

struct merge_heads {
	git_oid v[16];
	size_t n;
};

static int on_merge_head(const git_oid *oid, void *payload)
{
	struct merge_heads *m = payload;

	if (m->n < sizeof(m->v) / sizeof(m->v[0]))
		git_oid_cpy(&m->v[m->n++], oid);
	return 0;
}

/* The tree of parent i of the commit to be: HEAD, then each merge head
 * (an octopus merge has several). Returns <0 when there is no such parent. */
static int parent_tree(git_repository *repo, const struct merge_heads *m, size_t i,
		       git_tree **out)
{
	git_commit *c = NULL;
	int rc;

	*out = NULL;
	if (i == 0)
		return tree_of(repo, "HEAD", out);
	if (i > m->n)
		return GIT_ENOTFOUND;
	if ((rc = git_commit_lookup(&c, repo, &m->v[i - 1])) < 0)
		return rc;
	rc = git_commit_tree(out, c);
	git_commit_free(c);
	return rc;
}

static int staged_added(git_repository *repo, git_index *idx, struct added_set *as,
			struct err *err)
{
	git_diff_options dopts;
	struct merge_heads merge = {{{{0}}}, 0};
	struct staged_paths paths;
	git_tree *head = NULL;
	size_t i;
	int rc = 0, have_head = 0;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.context_lines = 0;
	dopts.interhunk_lines = 0;
	/* Only the paths the index changes are diffed (found without reading
	 * the trees of unchanged directories): the time follows the change,
	 * not the repository's size. */
	staged_paths_init(&paths);
	if (tree_of(repo, "HEAD", &head) == 0) {
		if ((rc = staged_paths_find(&paths, repo, head, idx, err)) < 0 || !paths.n)
			goto out;
		dopts.pathspec.strings = paths.v;
		dopts.pathspec.count = paths.n;
		dopts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	git_repository_mergehead_foreach(repo, on_merge_head, &merge); /* none: no merge */
	for (i = 0; i <= merge.n; i++) {
		git_tree *t = NULL;
		git_diff *diff = NULL;
		struct added_set one;
		if (parent_tree(repo, &merge, i, &t) < 0) {
			if (i > 0) {
				rc = err_from_git(err, -1, "cannot read the commit being merged");
				break;
			}
			t = NULL;  /* unborn branch: against the empty tree */
		} else if (i == 0) {
			have_head = 1;
		}
		added_set_init(&one);
		if ((rc = git_diff_tree_to_index(&diff, repo, t, idx, &dopts)) < 0)
			err_from_git(err, rc, "comparing the index with %s", i ? "MERGE_HEAD" : "HEAD");
		else
			rc = added_set_from_diff(i == 0 ? as : &one, diff, err);
		if (!rc && i > 0)
			added_set_intersect(as, &one); /* a merge adds what is in no parent */
		added_set_release(&one);
		git_diff_free(diff);
		git_tree_free(t);
		if (rc < 0 || !have_head)
			break;
	}
out:
	git_tree_free(head);
	staged_paths_release(&paths);
	return rc;
}

static void advice(void)
{
	fprintf(stderr,
		"\nkeyhound: this commit is blocked: it adds the secret(s) listed above.\n"
		"  Why: a key in a commit is readable by everyone who can read the repository,\n"
		"  its clones and its history, for ever; an OpenAI key bills its owner for\n"
		"  every request anyone makes with it.\n"
		"  Fix: remove the key from the file and load it at run time instead, e.g.\n"
		"       from the OPENAI_API_KEY environment variable or a secret manager; then\n"
		"       `git add` the file again. If the key was ever committed or pushed\n"
		"       anywhere, revoke it and create a new one.\n"
		"  Not a secret? Add a `keyhound:allow` comment on that line, or its\n"
		"       fingerprint to .keyhoundignore.\n"
		"  `git commit --no-verify` skips this check (the key would still leak).\n");
}

int cmd_staged(int argc, char **argv)
{
	struct session s;
	struct err err = {0, ""};
	const char *path = NULL, *index_file = NULL, *work_tree = NULL;
	git_repository *repo = NULL;
	git_index *idx = NULL;
	struct added_set as;
	struct scan_scratch *sc = NULL;
	int i, rc;

	session_init(&s, "staged");
	added_set_init(&as);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			rc = opts_parse_common(&s.opts, argc, argv, &i, &err);
			if (rc == 0)
				err_set(&err, KH_EINVAL, "unknown option '%s' (see keyhound staged --help)",
					argv[i]);
			if (rc <= 0) {
				session_print_error("%s", err.msg);
				rc = KH_EXIT_ERROR;
				goto out;
			}
			continue;
		}
		path = argv[i];
	}
	/* Inside a hook, git says where the repository and the index to commit
	 * are: `git commit -a` and `git commit PATH...` commit a temporary index
	 * named by GIT_INDEX_FILE, not .git/index. */
	if (!path) {
		index_file = getenv("GIT_INDEX_FILE");
		if (getenv("GIT_DIR") && *getenv("GIT_DIR"))
			path = getenv("GIT_DIR");
		/* `git --git-dir=D --work-tree=W commit` (e.g. a bare repository
		 * managing dotfiles): git names the work tree too */
		if (getenv("GIT_WORK_TREE") && *getenv("GIT_WORK_TREE"))
			work_tree = getenv("GIT_WORK_TREE");
	}
	/* Every tree on a changed path is read twice (finding the paths, then
	 * diffing them) and every changed blob twice (diffing, then scanning):
	 * let libgit2 keep them, where by default it keeps no blob and no tree
	 * over 4 KiB. A staged change is small; the cache's total stays capped. */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)1 << 20);
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB, (size_t)4 << 20);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)64 << 20);
	if (source_git_open(&repo, path ? path : ".", &err) < 0) {
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	if (work_tree && (rc = git_repository_set_workdir(repo, work_tree, 0)) < 0) {
		err_from_git(&err, rc, "cannot use the work tree '%s'", work_tree);
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	/* The trees and blobs of the change come out of packs faster through
	 * keyhound's reader (libdeflate); libgit2 still reads what it cannot. */
	git_odb_pack_attach(repo);
	if (git_repository_is_bare(repo)) {
		session_print_error("'%s' is a bare repository: it has no index to scan",
				    path ? path : ".");
		rc = KH_EXIT_ERROR;
		goto out;
	}
	{
		const char *wd = git_repository_workdir(repo);
		char *root = xstrdup(wd);
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
	if (index_file && *index_file)
		rc = git_index_open(&idx, index_file);
	else
		rc = git_repository_index(&idx, repo);
	if (rc < 0) {
		err_from_git(&err, rc, "cannot read the index");
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	if (git_index_has_conflicts(idx))
		stats_problem(&s.stats, NULL, 0, 0,
			      "the index has unresolved conflicts: conflicted files are scanned "
			      "once they are resolved and staged");
	if (staged_added(repo, idx, &as, &err) < 0) {
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	s.threads = 1; /* a commit's few blobs: one thread */
	as.max_size = s.opts.max_file_size;
	sc = scan_scratch_new(&s.rs);
	added_set_scan(&as, repo, &s.rs, sc, &s.findings, &s.stats);
	for (i = 0; i < (int)s.findings.n; i++) { /* not from history: no blob id shown */
		free(s.findings.v[i].blob);
		s.findings.v[i].blob = NULL;
	}
	s.stats.files_scanned = s.stats.blobs_scanned;
	s.stats.blobs_scanned = 0;
	rc = session_finish(&s);
	if (rc == s.opts.exit_code && rc != 0)
		advice();
out:
	scan_scratch_free(sc);
	added_set_release(&as);
	git_index_free(idx);
	git_repository_free(repo);
	session_release(&s);
	return rc;
}
