/* source_git_range.c - `keyhound git --range REVS`: what the commits of a
 * rev-list range add.
 *
 * REVS are rev-list arguments (`A..B`, `B --not --remotes=origin`, `^A B`,
 * `--all`, `--branches`, `--tags`). Each commit in the range is compared with
 * each of its parents (or the empty tree); a line counts only if it is added
 * relative to every parent, so a merge reports only what its resolution
 * adds. Keys added and removed again inside the range are still found, at the
 * commit that added them. Commit messages in the range are scanned too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "git_added.h"
#include "pipeline.h"
#include "source_git.h"
#include "xalloc.h"

static int push_glob(git_revwalk *w, const char *glob, int hide)
{
	return hide ? git_revwalk_hide_glob(w, glob) : git_revwalk_push_glob(w, glob);
}

static int glob_arg(git_revwalk *w, const char *arg, const char *opt, const char *base,
		    int hide, int *matched)
{
	size_t ol = strlen(opt);
	char glob[512];

	if (strncmp(arg, opt, ol) || (arg[ol] && arg[ol] != '='))
		return 0;
	*matched = 1;
	snprintf(glob, sizeof(glob), "%s%s", base, arg[ol] == '=' ? arg + ol + 1 : "*");
	if (arg[ol] == '=' && !strchr(arg + ol + 1, '*'))
		snprintf(glob, sizeof(glob), "%s%s/*", base, arg + ol + 1);
	return push_glob(w, glob, hide);
}

/* Resolves rev to a commit and pushes it onto the walk (hides it when hide). */
static int push_rev(git_revwalk *w, git_repository *repo, const char *rev, const char *arg,
		    int hide, struct err *err)
{
	git_object *obj = NULL, *peeled = NULL;
	int rc;

	if ((rc = git_revparse_single(&obj, repo, rev)) < 0)
		return err_from_git(err, rc, "unknown revision '%s' in '%s'", rev, arg);
	rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc < 0)
		return err_from_git(err, rc, "'%s' is not a commit", rev);
	rc = hide ? git_revwalk_hide(w, git_object_id(peeled)) : git_revwalk_push(w, git_object_id(peeled));
	git_object_free(peeled);
	if (rc < 0)
		return err_from_git(err, rc, "cannot walk from '%s'", rev);
	return 0;
}

static int parse_revs(git_revwalk *w, git_repository *repo, const char *const *args, size_t n,
		      struct err *err)
{
	size_t i;
	int hide = 0, rc, matched;

	for (i = 0; i < n; i++) {
		const char *a = args[i];
		matched = 0;
		if (!strcmp(a, "--not")) {
			hide = !hide;
			continue;
		}
		if (!strcmp(a, "--all")) {
			if ((rc = push_glob(w, "refs/*", hide)) < 0)
				return err_from_git(err, rc, "--all");
			continue;
		}
		if ((rc = glob_arg(w, a, "--remotes", "refs/remotes/", hide, &matched)) < 0 ||
		    (!matched && (rc = glob_arg(w, a, "--branches", "refs/heads/", hide, &matched)) < 0) ||
		    (!matched && (rc = glob_arg(w, a, "--tags", "refs/tags/", hide, &matched)) < 0))
			return err_from_git(err, rc, "bad revision argument '%s'", a);
		if (matched)
			continue;
		if (a[0] == '-')
			return err_set(err, KH_EINVAL, "unsupported rev-list option '%s'", a);
		if (strstr(a, "...")) {
			return err_set(err, KH_EINVAL, "symmetric ranges (A...B) are not supported: '%s'", a);
		} else if (strstr(a, "..")) {
			/* A..B is ^A B (an empty side is HEAD). Resolved here, not by
			 * git_revwalk_push_range(), which leaks A when B is unknown. */
			const char *dots = strstr(a, "..");
			char *left = dots > a ? xstrndup(a, (size_t)(dots - a)) : xstrdup("HEAD");
			rc = push_rev(w, repo, left, a, !hide, err);
			free(left);
			if (rc < 0 || (rc = push_rev(w, repo, dots[2] ? dots + 2 : "HEAD", a, hide, err)) < 0)
				return rc;
		} else if ((rc = push_rev(w, repo, a[0] == '^' ? a + 1 : a, a, hide ^ (a[0] == '^'),
					  err)) < 0) {
			return rc;
		}
	}
	return 0;
}

/* The lines commit c adds relative to all its parents. */
static int commit_added(git_repository *repo, git_commit *c, struct added_set *out,
			struct err *err)
{
	git_diff_options dopts;
	git_tree *tree = NULL;
	unsigned i, np = git_commit_parentcount(c);
	int rc;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.context_lines = 0;
	dopts.interhunk_lines = 0;
	if ((rc = git_commit_tree(&tree, c)) < 0)
		return err_from_git(err, rc, "cannot read a commit's tree");
	for (i = 0; i < (np ? np : 1); i++) {
		git_commit *p = NULL;
		git_tree *ptree = NULL;
		git_diff *diff = NULL;
		struct added_set one;
		added_set_init(&one);
		if (np && git_commit_parent(&p, c, i) == 0)
			git_commit_tree(&ptree, p);
		rc = git_diff_tree_to_tree(&diff, repo, ptree, tree, &dopts);
		if (rc == 0)
			rc = added_set_from_diff(i == 0 ? out : &one, diff, err);
		else
			err_from_git(err, rc, "cannot compare a commit with its parent");
		if (rc == 0 && i > 0)
			added_set_intersect(out, &one);
		added_set_release(&one);
		git_diff_free(diff);
		git_tree_free(ptree);
		git_commit_free(p);
		if (rc < 0)
			break;
	}
	git_tree_free(tree);
	return rc < 0 ? rc : 0;
}

/* One finding per secret and path: the oldest commit wins (findings arrive
 * oldest first); the rest are counted as occurrences. */
static void keep_oldest(struct finding_list *fl, size_t from)
{
	size_t i, j, out = from;

	for (i = from; i < fl->n; i++) {
		struct finding *f = &fl->v[i];
		for (j = from; j < out; j++) {
			struct finding *k = &fl->v[j];
			if (k->secret_len == f->secret_len && !memcmp(k->secret, f->secret, f->secret_len) &&
			    !strcmp(k->path, f->path) && k->rule == f->rule)
				break;
		}
		if (j < out) {
			fl->v[j].occurrences++;
			finding_release(f);
		} else {
			fl->v[out++] = *f;
		}
	}
	fl->n = out;
}

int source_git_range(const struct source_git_opts *o, git_repository *repo,
		     const struct rule_set *rs, struct finding_list *out,
		     struct scan_stats *stats, struct err *err)
{
	git_revwalk *w = NULL;
	struct scan_scratch *sc = NULL;
	git_oid oid;
	size_t first = out->n;
	int rc;

	if ((rc = git_revwalk_new(&w, repo)) < 0)
		return err_from_git(err, rc, "cannot walk history");
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if ((rc = parse_revs(w, repo, o->range, o->nrange, err)) < 0)
		goto out;
	sc = scan_scratch_new(rs);
	while (!kh_interrupted && (rc = git_revwalk_next(&oid, w)) == 0) {
		git_commit *c = NULL;
		struct added_set as;
		size_t before = out->n, i;
		char hex[GIT_OID_HEXSZ + 1];

		if (git_commit_lookup(&c, repo, &oid) < 0) {
			git_oid_tostr(hex, sizeof(hex), &oid);
			stats_problem(stats, NULL, KH_EGIT, 1, "cannot read commit %s", hex);
			continue;
		}
		stats->commits_scanned++;
		added_set_init(&as);
		if (commit_added(repo, c, &as, err) < 0) {
			git_oid_tostr(hex, sizeof(hex), &oid);
			stats_problem(stats, NULL, KH_EGIT, 1, "commit %s: %s", hex, err->msg);
		} else {
			added_set_scan(&as, repo, rs, sc, out, stats);
		}
		added_set_release(&as);
		{ /* the commit message */
			const char *msg = git_commit_message(c);
			struct content ct;
			char label[64];
			git_oid_tostr(hex, 13, &oid);
			snprintf(label, sizeof(label), "(commit %s message)", hex);
			content_whole(&ct, msg, strlen(msg), label);
			scan_content(rs, sc, &ct, out, stats, err);
		}
		for (i = before; i < out->n; i++)
			source_git_set_commit(&out->v[i], repo, &oid);
		git_commit_free(c);
	}
	if (rc == GIT_ITEROVER) {
		rc = 0;
	} else if (rc < 0) {
		if (git_repository_is_shallow(repo)) {
			stats->shallow = 1;
			rc = 0;
		} else {
			rc = err_from_git(err, rc, "walking the range");
		}
	}
	keep_oldest(out, first);
out:
	scan_scratch_free(sc);
	git_revwalk_free(w);
	return rc;
}
