/* test_git_odb_pack.c - the single-object pack reader returns what libgit2 does.
 *
 * Each test makes a real repository with git in a temporary directory and
 * packs it a different way (OFS_DELTA and REF_DELTA chains, deep chains, a
 * clone borrowing its objects through objects/info/alternates, loose
 * objects beside packs); then every object libgit2 lists is read through
 * odb_packs_read() and compared, type and bytes, with libgit2's own read.
 * Damage (a flipped byte, a garbage index, a fan-out that goes down, an
 * offset past the large-offset table) must give GIT_PASSTHROUGH or
 * GIT_ENOTFOUND, never different data (random single-byte damage, 300
 * times, never a crash); and with the backend attached to a
 * damaged repository, libgit2 must still read or refuse exactly as before.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <git2.h>
#include "git_sandbox.h"
#include "git_odb_pack.h"

/* Files that change commit by commit in nested directories, so that blobs
 * and trees alike are stored as deltas; a file over 64 KiB; a binary one. */
static int make_base(void)
{
	return sh("git init -q base && cd base && git config gc.auto 0 && mkdir -p a/b/c && "
		  "i=0; while [ $i -lt 25 ]; do "
		  "  j=0; while [ $j -lt 5 ]; do "
		  "    seq $((j * 1000)) $((j * 1000 + i * 41 + 30)) > a/b/c/f$j.txt; "
		  "    echo \"edit $i of $j\" >> a/f$j.txt; j=$((j + 1)); done; "
		  "  touch a/b/n$i; seq 1 $((30000 + i * 13)) | sed \"s/7/$i/\" > big.txt; "
		  "  head -c 2000 /dev/zero | tr '\\000' \"\\\\$((i %% 7 + 1))\" > bin.dat; "
		  "  git add -A && git commit -q -m \"commit $i\"; i=$((i + 1)); done");
}

struct tally {
	git_odb *odb;            /* libgit2's own reader: the reference */
	struct odb_packs *ps;
	size_t same, differ, notfound, passthrough, other;
};

static int compare_one(const git_oid *oid, void *payload)
{
	struct tally *t = payload;
	git_odb_object *ref = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	git_object_t type = GIT_OBJECT_INVALID;
	int rc = odb_packs_read(t->ps, oid, &data, &len, &type);

	if (rc == GIT_ENOTFOUND) {
		t->notfound++;
	} else if (rc == GIT_PASSTHROUGH) {
		t->passthrough++;
	} else if (rc != 0) {
		t->other++;
	} else if (git_odb_read(&ref, t->odb, oid) == 0 && git_odb_object_type(ref) == type &&
		   git_odb_object_size(ref) == len &&
		   !memcmp(git_odb_object_data(ref), data, len) && data[len] == '\0') {
		t->same++;
	} else {
		t->differ++;
	}
	git_odb_object_free(ref);
	free(data);
	return 0;
}

/* Reads every object of repo both ways. */
static struct tally compare_all(const char *repo)
{
	char path[512];
	git_repository *r = NULL;
	struct tally t;

	memset(&t, 0, sizeof(t));
	snprintf(path, sizeof(path), "%s/%s", root, repo);
	assert_int_equal(git_repository_open(&r, path), 0);
	assert_int_equal(git_repository_odb(&t.odb, r), 0);
	snprintf(path, sizeof(path), "%s/%s/.git/objects", root, repo);
	t.ps = odb_packs_open(path);
	assert_non_null(t.ps);
	git_odb_foreach(t.odb, compare_one, &t);
	odb_packs_free(t.ps);
	git_odb_free(t.odb);
	git_repository_free(r);
	return t;
}

static void copy_base(const char *repo)
{
	assert_int_equal(sh("cp -R base %s", repo), 0);
}

/* Packs copy repo with repack_cmd, then reads every object both ways. */
static void expect_same(const char *repo, const char *repack_cmd, const char *check_cmd)
{
	struct tally t;

	copy_base(repo);
	assert_int_equal(sh("cd %s && %s", repo, repack_cmd), 0);
	if (check_cmd)
		assert_int_equal(sh("cd %s && %s", repo, check_cmd), 0);
	t = compare_all(repo);
	assert_true(t.same > 200);
	assert_int_equal(t.differ + t.notfound + t.passthrough + t.other, 0);
}

static void ofs_delta_chains(void **state)
{
	(void)state;
	expect_same("ofs", "git repack -adf -q", NULL);
}

static void ref_delta_chains(void **state)
{
	(void)state;
	/* a tree delta at depth 1 exists, naming its base by object id */
	expect_same("ref", "git -c repack.useDeltaBaseOffset=false repack -adf -q",
		    "git verify-pack -v .git/objects/pack/*.idx | grep -q 'tree .* 1 '");
}

static void deep_chains(void **state)
{
	(void)state;
	expect_same("deep", "git repack -adf -q --depth=250 --window=250", NULL);
}

/* Loose objects are libgit2's to read: the reader says it has none. */
static void loose_objects_are_not_found(void **state)
{
	struct tally t;

	(void)state;
	copy_base("loose");
	assert_int_equal(sh("cd loose && git repack -adq && echo new > new.txt && git add new.txt && "
			    "git commit -q -m new"),
			 0);
	t = compare_all("loose");
	assert_int_equal(t.notfound, 3); /* the blob, its tree and the commit */
	assert_true(t.same > 200);
	assert_int_equal(t.differ + t.passthrough + t.other, 0);
}

/* A `git clone --shared` has no packs of its own: they are its origin's. */
static void alternates_are_followed(void **state)
{
	struct tally t;

	(void)state;
	copy_base("origin");
	assert_int_equal(sh("cd origin && git repack -adq && cd .. && "
			    "git clone -q --shared origin borrower && "
			    "test -z \"$(ls borrower/.git/objects/pack)\""),
			 0);
	t = compare_all("borrower");
	assert_true(t.same > 200);
	assert_int_equal(t.differ + t.notfound + t.passthrough + t.other, 0);
}

static long first_offset_of(const char *repo, const char *type, long min_size)
{
	char path[512];
	FILE *f;
	long off = -1;

	assert_int_equal(sh("cd %s && git verify-pack -v .git/objects/pack/*.idx | awk '$2 == \"%s\" "
			    "&& $3 > %ld {print $5 + 40; exit}' > ../%s.off",
			    repo, type, min_size, repo),
			 0);
	snprintf(path, sizeof(path), "%s/%s.off", root, repo);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &off), 1);
	fclose(f);
	return off;
}

/* A damaged entry is handed back, never built into something else; and
 * with the backend in front, libgit2 refuses the object as it did before. */
struct pair {
	git_odb *plain, *fast; /* libgit2 alone; with the backend in front */
	size_t read, refused, mismatched;
};

static int same_through_both(const git_oid *oid, void *payload)
{
	struct pair *p = payload;
	git_odb_object *a = NULL, *b = NULL;
	int ra = git_odb_read(&a, p->plain, oid), rb = git_odb_read(&b, p->fast, oid);

	if ((ra < 0) != (rb < 0))
		p->mismatched++;
	else if (ra < 0)
		p->refused++;
	else if (git_odb_object_type(a) != git_odb_object_type(b) ||
		 git_odb_object_size(a) != git_odb_object_size(b) ||
		 memcmp(git_odb_object_data(a), git_odb_object_data(b), git_odb_object_size(a)))
		p->mismatched++;
	else
		p->read++;
	git_odb_object_free(a);
	git_odb_object_free(b);
	return 0;
}

static void flipped_byte_passes_through(void **state)
{
	char path[512];
	git_repository *plain = NULL, *fast = NULL;
	struct pair pair = {NULL, NULL, 0, 0, 0};
	struct tally t;
	long off;

	(void)state;
	copy_base("flip");
	assert_int_equal(sh("cd flip && git repack -adf -q"), 0);
	off = first_offset_of("flip", "blob", 20000);
	assert_int_equal(sh("cd flip && p=$(ls .git/objects/pack/*.pack) && chmod u+w \"$p\" && "
			    "printf '\\377\\377\\377\\377' | dd of=\"$p\" bs=1 seek=%ld conv=notrunc",
			    off),
			 0);
	t = compare_all("flip");
	assert_int_equal(t.differ + t.other, 0);
	assert_true(t.passthrough >= 1);
	assert_true(t.same > 100);

	/* libgit2 with the backend in front reads exactly what it reads alone:
	 * the same objects, the same bytes, the same refusals */
	snprintf(path, sizeof(path), "%s/flip", root);
	assert_int_equal(git_repository_open(&plain, path), 0);
	assert_int_equal(git_repository_open(&fast, path), 0);
	assert_int_equal(git_odb_pack_attach(fast), 0);
	assert_int_equal(git_repository_odb(&pair.plain, plain), 0);
	assert_int_equal(git_repository_odb(&pair.fast, fast), 0);
	git_odb_foreach(pair.plain, same_through_both, &pair);
	assert_int_equal(pair.mismatched, 0);
	assert_true(pair.refused >= 1);
	assert_true(pair.read > 100);
	git_odb_free(pair.plain);
	git_odb_free(pair.fast);
	git_repository_free(plain);
	git_repository_free(fast);
}

static void garbage_index_is_skipped(void **state)
{
	struct tally t;

	(void)state;
	copy_base("junk");
	assert_int_equal(sh("cd junk && git repack -adq && git clone -q --no-local . ../junk-good "
			    "&& i=$(ls .git/objects/pack/*.idx) && chmod u+w \"$i\" && "
			    "head -c 5000 /dev/urandom > \"$i\""),
			 0);
	/* libgit2 cannot list a garbage index either: compare on a good clone's
	 * object list by reading the damaged repository's packs directly */
	t = compare_all("junk-good");
	assert_true(t.same > 200);
	{
		char path[512];
		struct odb_packs *ps;
		unsigned char *data = NULL;
		size_t len;
		git_object_t type;
		git_oid head;
		git_repository *r = NULL;
		snprintf(path, sizeof(path), "%s/junk-good", root);
		assert_int_equal(git_repository_open(&r, path), 0);
		assert_int_equal(git_reference_name_to_id(&head, r, "HEAD"), 0);
		git_repository_free(r);
		snprintf(path, sizeof(path), "%s/junk/.git/objects", root);
		ps = odb_packs_open(path);
		assert_int_equal(odb_packs_read(ps, &head, &data, &len, &type), GIT_ENOTFOUND);
		assert_null(data);
		odb_packs_free(ps);
	}
}

static int collect_oid(const git_oid *oid, void *payload)
{
	struct { git_oid *v; size_t n, cap; } *l = payload;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n++] = *oid;
	return 0;
}

/* Random single-byte damage anywhere in the pack, 300 times: every read
 * ends in one of the three documented answers, never a crash (the ASan run
 * of the suite checks every access). */
static void random_damage_never_crashes(void **state)
{
	struct { git_oid *v; size_t n, cap; } oids = {NULL, 0, 0};
	char path[1024], pack[512];
	git_repository *r = NULL;
	git_odb *odb = NULL;
	unsigned char *orig;
	long len;
	size_t i, k, ok = 0, refused = 0;
	FILE *f;
	unsigned seed = 12345;

	(void)state;
	copy_base("dmg");
	assert_int_equal(sh("cd dmg && git repack -adf -q && cp .git/objects/pack/*.pack ../dmg.pack "
			    "&& chmod u+w .git/objects/pack/*.pack"),
			 0);
	snprintf(path, sizeof(path), "%s/dmg", root);
	assert_int_equal(git_repository_open(&r, path), 0);
	assert_int_equal(git_repository_odb(&odb, r), 0);
	git_odb_foreach(odb, collect_oid, &oids);
	git_odb_free(odb);
	git_repository_free(r);
	assert_true(oids.n > 200);
	snprintf(path, sizeof(path), "%s/dmg.pack", root);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	orig = malloc((size_t)len);
	assert_non_null(orig);
	assert_int_equal(fread(orig, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_int_equal(sh("cd dmg && ls .git/objects/pack/*.pack > ../dmg.name"), 0);
	snprintf(path, sizeof(path), "%s/dmg.name", root);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(pack, sizeof(pack), f));
	fclose(f);
	pack[strcspn(pack, "\n")] = '\0';
	snprintf(path, sizeof(path), "%s/dmg/%s", root, pack);
	for (i = 0; i < 300; i++) {
		struct odb_packs *ps;
		long at;
		seed = seed * 1103515245u + 12345u;
		at = 12 + (long)((seed >> 8) % (unsigned)(len - 32));
		orig[at] ^= (unsigned char)(1u << (seed % 8));
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(orig, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		orig[at] ^= (unsigned char)(1u << (seed % 8));
		snprintf(pack, sizeof(pack), "%s/dmg/.git/objects", root);
		ps = odb_packs_open(pack);
		for (k = 0; k < oids.n; k++) {
			unsigned char *data = NULL;
			size_t n = 0;
			git_object_t type;
			int rc = odb_packs_read(ps, &oids.v[k], &data, &n, &type);
			assert_true(rc == 0 || rc == GIT_PASSTHROUGH || rc == GIT_ENOTFOUND);
			if (rc == 0)
				ok++;
			else
				refused++;
			free(data);
		}
		odb_packs_free(ps);
	}
	assert_true(ok > 0 && refused > 0);
	free(orig);
	free(oids.v);
}

/* HEAD's commit id of repo. */
static git_oid head_of(const char *repo)
{
	char path[1024];
	git_repository *r = NULL;
	git_oid head;

	snprintf(path, sizeof(path), "%s/%s", root, repo);
	assert_int_equal(git_repository_open(&r, path), 0);
	assert_int_equal(git_reference_name_to_id(&head, r, "HEAD"), 0);
	git_repository_free(r);
	return head;
}

/* Points the offset of object arg (a git_oid) into the large-offset
 * table, past its end. */
static void offset_past_the_table(unsigned char *idx, void *arg)
{
	const git_oid *oid = arg;
	uint32_t i, n = idx_count(idx);

	for (i = 0; i < n; i++)
		if (!memcmp(idx + 8 + 1024 + 20 * (size_t)i, oid->id, 20))
			put_be32(idx + 8 + 1024 + 24 * (size_t)n + 4 * (size_t)i, 0xffffffffu);
}

static int read_one(const char *repo, const git_oid *oid)
{
	char objects[1024];
	struct odb_packs *ps;
	unsigned char *data = NULL;
	size_t len;
	git_object_t type;
	int rc;

	snprintf(objects, sizeof(objects), "%s/%s/.git/objects", root, repo);
	ps = odb_packs_open(objects);
	rc = odb_packs_read(ps, oid, &data, &len, &type);
	free(data);
	odb_packs_free(ps);
	return rc;
}

/* An index whose fan-out goes down is not used at all. */
static void downward_fanout_is_refused(void **state)
{
	git_oid head;

	(void)state;
	copy_base("fan");
	assert_int_equal(sh("cd fan && git repack -adf -q"), 0);
	head = head_of("fan");
	assert_int_equal(read_one("fan", &head), 0);
	assert_int_equal(idx_rewrite("fan", fanout_down, NULL), 0);
	assert_int_equal(read_one("fan", &head), GIT_ENOTFOUND);
}

/* An offset pointing into the large-offset table past its end is left to
 * libgit2; the other objects still read. */
static void large_offset_past_the_table_passes_through(void **state)
{
	git_oid head, tree;
	git_repository *r = NULL;
	git_commit *c = NULL;
	char path[1024];

	(void)state;
	copy_base("o64");
	assert_int_equal(sh("cd o64 && git repack -adf -q"), 0);
	head = head_of("o64");
	snprintf(path, sizeof(path), "%s/o64", root);
	assert_int_equal(git_repository_open(&r, path), 0);
	assert_int_equal(git_commit_lookup(&c, r, &head), 0);
	tree = *git_commit_tree_id(c);
	git_commit_free(c);
	git_repository_free(r);
	assert_int_equal(idx_rewrite("o64", offset_past_the_table, &head), 0);
	assert_int_equal(read_one("o64", &head), GIT_PASSTHROUGH);
	assert_int_equal(read_one("o64", &tree), 0);
}

/* Attached to a repository, the backend serves reads: the same tree as
 * libgit2 alone, and a staged-style read of a delta blob. */
static void attached_backend_serves_reads(void **state)
{
	char path[512];
	git_repository *plain = NULL, *fast = NULL;
	git_object *a = NULL, *b = NULL;

	(void)state;
	copy_base("att");
	assert_int_equal(sh("cd att && git repack -adf -q"), 0);
	snprintf(path, sizeof(path), "%s/att", root);
	assert_int_equal(git_repository_open(&plain, path), 0);
	assert_int_equal(git_repository_open(&fast, path), 0);
	assert_int_equal(git_odb_pack_attach(fast), 0);
	assert_int_equal(git_revparse_single(&a, plain, "HEAD~3:a/b/c/f4.txt"), 0);
	assert_int_equal(git_revparse_single(&b, fast, "HEAD~3:a/b/c/f4.txt"), 0);
	assert_true(git_oid_equal(git_object_id(a), git_object_id(b)));
	assert_int_equal(git_blob_rawsize((git_blob *)a), git_blob_rawsize((git_blob *)b));
	assert_memory_equal(git_blob_rawcontent((git_blob *)a), git_blob_rawcontent((git_blob *)b),
			    (size_t)git_blob_rawsize((git_blob *)a));
	git_object_free(a);
	git_object_free(b);
	git_repository_free(plain);
	git_repository_free(fast);
}

static int setup(void **state)
{
	(void)state;
	if (sandbox_open("kh-test-odbpack") < 0)
		return -1;
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	return make_base() == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return sandbox_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ofs_delta_chains),
		cmocka_unit_test(ref_delta_chains),
		cmocka_unit_test(deep_chains),
		cmocka_unit_test(loose_objects_are_not_found),
		cmocka_unit_test(alternates_are_followed),
		cmocka_unit_test(flipped_byte_passes_through),
		cmocka_unit_test(garbage_index_is_skipped),
		cmocka_unit_test(downward_fanout_is_refused),
		cmocka_unit_test(large_offset_past_the_table_passes_through),
		cmocka_unit_test(random_damage_never_crashes),
		cmocka_unit_test(attached_backend_serves_reads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
