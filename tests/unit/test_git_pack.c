/* test_git_pack.c - the pack reader builds every blob byte for byte.
 *
 * Each test makes a real repository with git in a temporary directory,
 * packs it a different way (OFS_DELTA and REF_DELTA chains, deep aggressive
 * chains, several packs holding the same objects, a cruft pack), then builds
 * every claimed blob with packs_family_run() and checks that each one hashes
 * to its object id, that every blob of the repository is claimed exactly
 * once, and that damage (a flipped byte, a garbage index, a fan-out that
 * goes down, an offset past the large-offset table) is reported as a
 * failed blob or a skipped pack, never as wrong data or a crash.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <git2.h>
#include "git_sandbox.h"
#include "git_pack.h"
#include "oidset.h"

/* A history in which files grow and change commit by commit, so that git
 * stores most versions as deltas; plus a file larger than 64 KiB (delta copy
 * ops of size 0x10000) and a binary file. */
static void make_history(const char *repo)
{
	assert_int_equal(sh("cp -R base %s", repo), 0);
}

static int make_base(void)
{
	return sh("git init -q base && cd base && git config gc.auto 0 && "
			    "i=0; while [ $i -lt 30 ]; do "
			    "  j=0; while [ $j -lt 6 ]; do "
			    "    seq $((j * 1000)) $((j * 1000 + i * 37 + 50)) > f$j.txt; "
			    "    echo \"edit $i of file $j\" >> f$j.txt; j=$((j + 1)); done; "
			    "  seq 1 $((30000 + i * 11)) | sed \"s/5/$i/\" > big.txt; "
			    "  head -c 3000 /dev/zero | tr '\\000' \"\\\\$((i %% 7 + 1))\" > bin.dat; "
			    "  git add -A && git commit -q -m \"commit $i\"; i=$((i + 1)); done");
}

struct check {
	struct oidset seen;
	size_t built, wrong, twice;
};

static int on_blob(const git_oid *oid, const unsigned char *data, size_t len, void *payload)
{
	struct check *c = payload;
	git_oid h;

	c->built++;
	if (git_odb_hash(&h, data, len, GIT_OBJECT_BLOB) < 0 || !git_oid_equal(&h, oid))
		c->wrong++;
	if (!oidset_add(&c->seen, oid, 0, NULL))
		c->twice++;
	return 0;
}

struct failed {
	size_t done, failed, pending;
};

static void count_status(const git_oid *oid, enum pack_status st, void *payload)
{
	struct failed *f = payload;

	(void)oid;
	if (st == PACK_DONE)
		f->done++;
	else if (st == PACK_FAILED)
		f->failed++;
	else
		f->pending++;
}

/* git_odb_foreach lists an object once per pack that holds it. */
static int count_blob(const git_oid *oid, void *payload)
{
	git_odb *odb = ((void **)payload)[0];
	struct oidset *seen = ((void **)payload)[1];
	size_t len;
	git_object_t type;

	if (git_odb_read_header(&len, &type, odb, oid) == 0 && type == GIT_OBJECT_BLOB)
		oidset_add(seen, oid, 0, NULL);
	return 0;
}

/* Number of distinct blobs libgit2 sees in the repository. */
static size_t blobs_in(const char *repo)
{
	char path[512];
	git_repository *r = NULL;
	git_odb *odb = NULL;
	struct oidset seen;
	size_t n;
	void *pl[2];

	snprintf(path, sizeof(path), "%s/%s", root, repo);
	assert_int_equal(git_repository_open(&r, path), 0);
	assert_int_equal(git_repository_odb(&odb, r), 0);
	oidset_init(&seen);
	pl[0] = odb;
	pl[1] = &seen;
	git_odb_foreach(odb, count_blob, pl);
	n = seen.n;
	oidset_release(&seen);
	git_odb_free(odb);
	git_repository_free(r);
	return n;
}

/* Builds every family; returns the checks, statuses in *st. */
static struct check run_all(const char *repo, int with_cruft, struct failed *st)
{
	char objects[512];
	struct packs *ps = NULL;
	struct pack_scratch *sc = pack_scratch_new();
	struct err err = {0, ""};
	struct check c;
	size_t i;

	memset(&c, 0, sizeof(c));
	oidset_init(&c.seen);
	snprintf(objects, sizeof(objects), "%s/%s/.git/objects", root, repo);
	assert_int_equal(packs_open(&ps, objects, with_cruft, (uint64_t)1 << 31, &err), 0);
	for (i = 0; i < packs_nfamilies(ps); i++)
		packs_family_run(ps, i, sc, on_blob, &c);
	memset(st, 0, sizeof(*st));
	packs_foreach_claimed(ps, count_status, st);
	assert_int_equal(packs_nclaimed(ps), st->done + st->failed + st->pending);
	pack_scratch_free(sc);
	packs_free(ps);
	oidset_release(&c.seen);
	return c;
}

static void expect_exact(const char *repo, int with_cruft)
{
	struct failed st;
	struct check c = run_all(repo, with_cruft, &st);
	size_t want = blobs_in(repo);

	assert_true(want > 100);
	assert_int_equal(c.wrong, 0);
	assert_int_equal(c.twice, 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.pending, 0);
	assert_int_equal(c.built, want);
	assert_int_equal(st.done, want);
}

static void ofs_delta_chains(void **state)
{
	(void)state;
	make_history("ofs");
	assert_int_equal(sh("cd ofs && git repack -adf -q --depth=50 --window=50"), 0);
	expect_exact("ofs", 0);
}

static void ref_delta_chains(void **state)
{
	(void)state;
	make_history("ref");
	/* without offsets, every delta names its base by object id */
	assert_int_equal(sh("cd ref && git -c repack.useDeltaBaseOffset=false repack -adf -q"), 0);
	assert_int_equal(sh("cd ref && git verify-pack -v .git/objects/pack/*.idx | "
			    "grep -q 'blob .* 1 '"),
			 0); /* a delta at depth 1 exists */
	expect_exact("ref", 0);
}

static void deep_aggressive_chains(void **state)
{
	(void)state;
	make_history("deep");
	assert_int_equal(sh("cd deep && git repack -adf -q --depth=250 --window=250"), 0);
	expect_exact("deep", 0);
}

static void several_packs_same_objects(void **state)
{
	(void)state;
	make_history("multi");
	/* one full pack, then an incremental one, then a second full pack
	 * kept beside the first: most blobs live in two packs */
	assert_int_equal(sh("cd multi && git repack -adq && echo more > new.txt && git add -A && "
			    "git commit -qm more && git repack -dq && "
			    "git repack -aq && ls .git/objects/pack/*.pack | wc -l | grep -q 3"),
			 0);
	expect_exact("multi", 0);
}

static void loose_objects_are_not_claimed(void **state)
{
	struct failed st;
	struct check c;

	(void)state;
	assert_int_equal(sh("git init -q loose && cd loose && echo a > a && git add a && "
			    "git commit -qm a"),
			 0);
	c = run_all("loose", 0, &st);
	assert_int_equal(c.built, 0);
	assert_int_equal(st.done + st.failed + st.pending, 0);
}

static void cruft_pack_only_on_request(void **state)
{
	struct failed st;
	struct check c;

	(void)state;
	make_history("cruft");
	/* drop the last 10 commits from every ref, then put the now
	 * unreachable objects in a cruft pack */
	assert_int_equal(sh("cd cruft && git reset -q --hard HEAD~10 && git reflog expire "
			    "--expire=now --all && git repack -adq --cruft && "
			    "ls .git/objects/pack/*.mtimes"),
			 0);
	c = run_all("cruft", 0, &st);
	assert_true(c.built > 0);
	assert_true(c.built < blobs_in("cruft"));
	assert_int_equal(c.wrong, 0);
	expect_exact("cruft", 1);
}

static void flipped_byte_fails_not_lies(void **state)
{
	struct failed st;
	struct check c;
	char path[512];
	FILE *f;
	long off;

	(void)state;
	make_history("flip");
	assert_int_equal(sh("cd flip && git repack -adf -q && git verify-pack -v "
			    ".git/objects/pack/*.idx | awk '$2 == \"blob\" && $3 > 20000 "
			    "{print $5 + 40; exit}' > ../flip.off"),
			 0);
	snprintf(path, sizeof(path), "%s/flip.off", root);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &off), 1);
	fclose(f);
	assert_int_equal(sh("cd flip && p=$(ls .git/objects/pack/*.pack) && chmod u+w \"$p\" && "
			    "printf '\\377\\377\\377\\377' | dd of=\"$p\" bs=1 seek=%ld conv=notrunc",
			    off),
			 0);
	c = run_all("flip", 0, &st);
	assert_int_equal(c.wrong, 0);  /* nothing built from damaged data */
	assert_true(st.failed >= 1);   /* the damaged blob (and its deltas) */
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.done + st.failed, blobs_in("flip"));
}

static void garbage_index_skips_the_pack(void **state)
{
	struct failed st;
	struct check c;

	(void)state;
	make_history("junk");
	assert_int_equal(sh("cd junk && git repack -adq && i=$(ls .git/objects/pack/*.idx) && "
			    "chmod u+w \"$i\" && head -c 5000 /dev/urandom > \"$i\""),
			 0);
	c = run_all("junk", 0, &st);
	assert_int_equal(c.built, 0);
	assert_int_equal(st.done + st.failed + st.pending, 0);
}

/* An index whose fan-out goes down: a lookup by name must not trust it.
 * Here every delta names its base, so reading the pack looks names up; the
 * pack is skipped, never read out of bounds. */
static void downward_fanout_skips_the_pack(void **state)
{
	struct failed st;
	struct check c;

	(void)state;
	make_history("fan");
	assert_int_equal(sh("cd fan && git -c repack.useDeltaBaseOffset=false repack -adf -q"), 0);
	assert_int_equal(idx_rewrite("fan", fanout_down, NULL), 0);
	c = run_all("fan", 0, &st);
	assert_int_equal(c.built, 0);
	assert_int_equal(st.done + st.failed + st.pending, 0);
}

/* Every seventh object's offset points into the large-offset table, far
 * past its end. */
static void every_seventh_offset_large(unsigned char *idx, void *arg)
{
	uint32_t i, n = idx_count(idx);

	(void)arg;
	for (i = 0; i < n; i += 7)
		put_be32(idx + 8 + 1024 + 24 * (size_t)n + 4 * i, 0xffffffffu);
}

/* Such an entry reads as damaged; every other blob is still built. */
static void large_offset_past_the_table_is_damage(void **state)
{
	struct failed st;
	struct check c;
	size_t want;

	(void)state;
	make_history("o64");
	assert_int_equal(sh("cd o64 && git repack -adf -q"), 0);
	want = blobs_in("o64");
	assert_int_equal(idx_rewrite("o64", every_seventh_offset_large, NULL), 0);
	c = run_all("o64", 0, &st);
	assert_int_equal(c.wrong, 0);
	assert_true(c.built > 0);
	assert_true(c.built < want);
}

/* git's delta format: two varints (base size, result size), then ops: a
 * copy (high bit; offset and size bytes flagged in the low bits) or an
 * insert of 1-127 literal bytes. */
static size_t varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			p[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

static void delta_applies_copies_and_inserts(void **state)
{
	const unsigned char base[] = "0123456789abcdef";
	unsigned char d[64], *out;
	size_t n = 0, len = 0;

	(void)state;
	n += varint(d + n, 16);
	n += varint(d + n, 9);
	d[n++] = 0x80 | 0x01 | 0x10; /* copy: one offset byte, one size byte */
	d[n++] = 10;                 /* offset 10 */
	d[n++] = 6;                  /* 6 bytes: "abcdef" */
	d[n++] = 3;                  /* insert 3 bytes */
	memcpy(d + n, "XYZ", 3);
	n += 3;
	out = pack_apply_delta(base, 16, d, n, 1 << 20, &len);
	assert_non_null(out);
	assert_int_equal(len, 9);
	assert_memory_equal(out, "abcdefXYZ", 9);
	free(out);
}

static void delta_malformed_is_refused(void **state)
{
	const unsigned char base[] = "0123456789abcdef";
	unsigned char d[64];
	size_t n, len = 0;

	(void)state;
	/* a copy reaching past the base */
	n = varint(d, 16);
	n += varint(d + n, 8);
	d[n++] = 0x80 | 0x01 | 0x10;
	d[n++] = 12;
	d[n++] = 8;
	assert_null(pack_apply_delta(base, 16, d, n, 1 << 20, &len));
	/* the wrong base size */
	n = varint(d, 15);
	n += varint(d + n, 1);
	d[n++] = 1;
	d[n++] = 'x';
	assert_null(pack_apply_delta(base, 16, d, n, 1 << 20, &len));
	/* ops that build less than the declared size */
	n = varint(d, 16);
	n += varint(d + n, 5);
	d[n++] = 1;
	d[n++] = 'x';
	assert_null(pack_apply_delta(base, 16, d, n, 1 << 20, &len));
	/* opcode 0 is reserved */
	n = varint(d, 16);
	n += varint(d + n, 1);
	d[n++] = 0;
	assert_null(pack_apply_delta(base, 16, d, n, 1 << 20, &len));
}

/* A tiny delta that declares a 3 GiB result (a "delta bomb") is refused
 * before anything is allocated (under ASan a 3 GiB malloc would fail the
 * test with an allocation-size error). */
static void delta_bomb_is_refused_before_allocating(void **state)
{
	const unsigned char base[] = "0123456789abcdef";
	unsigned char d[64];
	size_t n, len = 0;

	(void)state;
	n = varint(d, 16);
	n += varint(d + n, (uint64_t)3 << 30);
	d[n++] = 0x80 | 0x01 | 0x10;
	d[n++] = 0;
	d[n++] = 16;
	assert_null(pack_apply_delta(base, 16, d, n, (uint64_t)2 << 30, &len));
}

static int setup(void **state)
{
	(void)state;
	if (sandbox_open("kh-test-pack") < 0)
		return -1;
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
		cmocka_unit_test(deep_aggressive_chains),
		cmocka_unit_test(several_packs_same_objects),
		cmocka_unit_test(loose_objects_are_not_claimed),
		cmocka_unit_test(cruft_pack_only_on_request),
		cmocka_unit_test(flipped_byte_fails_not_lies),
		cmocka_unit_test(garbage_index_skips_the_pack),
		cmocka_unit_test(downward_fanout_skips_the_pack),
		cmocka_unit_test(large_offset_past_the_table_is_damage),
		cmocka_unit_test(delta_applies_copies_and_inserts),
		cmocka_unit_test(delta_malformed_is_refused),
		cmocka_unit_test(delta_bomb_is_refused_before_allocating),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
