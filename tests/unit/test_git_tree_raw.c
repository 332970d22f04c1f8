/* test_git_tree_raw.c - raw tree parsing and git's entry order.
 *
 * The history walk diffs trees with a merge join over raw entries, so the
 * parser must accept every valid tree, reject malformed ones without
 * reading past the end, and order entries exactly as git sorts them (a
 * directory's name compared as if it ended in '/').
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "git_tree_raw.h"

/* Appends "MODE NAME\0" and a 20-byte id filled with `fill`. */
static size_t put(unsigned char *buf, size_t at, const char *mode, const char *name,
		  unsigned char fill)
{
	size_t ml = strlen(mode), nl = strlen(name);

	memcpy(buf + at, mode, ml);
	buf[at + ml] = ' ';
	memcpy(buf + at + ml + 1, name, nl + 1);
	memset(buf + at + ml + 1 + nl + 1, fill, 20);
	return at + ml + 1 + nl + 1 + 20;
}

static void parses_every_kind(void **state)
{
	unsigned char buf[512];
	struct raw_tree t;
	const char *why = NULL;
	size_t n = 0;

	(void)state;
	n = put(buf, n, "100644", "a.txt", 1);
	n = put(buf, n, "100755", "run.sh", 2);
	n = put(buf, n, "120000", "link", 3);
	n = put(buf, n, "40000", "dir", 4);
	n = put(buf, n, "160000", "sub", 5);
	raw_tree_init(&t);
	assert_int_equal(raw_tree_parse(&t, buf, n, &why), 0);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.v[0].kind, RAW_BLOB);
	assert_int_equal(t.v[1].kind, RAW_BLOB);
	assert_int_equal(t.v[2].kind, RAW_BLOB);
	assert_int_equal(t.v[3].kind, RAW_TREE);
	assert_int_equal(t.v[4].kind, RAW_OTHER);
	assert_int_equal(t.v[1].namelen, 6);
	assert_memory_equal(t.v[1].name, "run.sh", 6);
	assert_int_equal(t.v[3].id[0], 4);
	assert_int_equal(t.v[3].id[19], 4);
	raw_tree_release(&t);
}

static void empty_tree(void **state)
{
	struct raw_tree t;
	const char *why = NULL;

	(void)state;
	raw_tree_init(&t);
	assert_int_equal(raw_tree_parse(&t, (const unsigned char *)"", 0, &why), 0);
	assert_int_equal(t.n, 0);
	raw_tree_release(&t);
}

static void rejects_malformed(void **state)
{
	unsigned char buf[256];
	struct raw_tree t;
	const char *why;
	size_t n, cut;

	(void)state;
	raw_tree_init(&t);
	n = put(buf, 0, "100644", "a.txt", 7);
	/* every truncation of a valid entry is an error, never an overread */
	for (cut = 1; cut < n; cut++) {
		unsigned char *copy = malloc(cut);
		memcpy(copy, buf, cut);
		why = NULL;
		assert_true(raw_tree_parse(&t, copy, cut, &why) < 0);
		assert_non_null(why);
		free(copy);
	}
	why = NULL;
	assert_true(raw_tree_parse(&t, (const unsigned char *)"10x644 a\0", 9, &why) < 0);
	assert_non_null(why);
	why = NULL; /* an empty name */
	memcpy(buf, "100644 \0", 8);
	memset(buf + 8, 1, 20);
	assert_true(raw_tree_parse(&t, buf, 28, &why) < 0);
	assert_non_null(why);
	raw_tree_release(&t);
}

static struct raw_entry ent(const char *name, enum raw_kind k)
{
	struct raw_entry e;

	e.name = name;
	e.namelen = strlen(name);
	e.id = NULL;
	e.kind = k;
	return e;
}

static void git_order(void **state)
{
	/* git's order: "foo" < "foo-bar" < "foo.c" < "foo/" (the directory) < "foo0" */
	struct raw_entry v[] = {
		ent("foo", RAW_BLOB), ent("foo-bar", RAW_BLOB), ent("foo.c", RAW_BLOB),
		ent("foo", RAW_TREE), ent("foo0", RAW_BLOB), ent("g", RAW_TREE),
	};
	size_t i, j, n = sizeof(v) / sizeof(v[0]);

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c = raw_entry_cmp(&v[i], &v[j]);
			if (i < j)
				assert_true(c < 0);
			else if (i > j)
				assert_true(c > 0);
			else
				assert_int_equal(c, 0);
		}
	/* same name, file vs submodule: the same position (neither is a tree) */
	{
		struct raw_entry a = ent("x", RAW_BLOB), b = ent("x", RAW_OTHER);
		assert_int_equal(raw_entry_cmp(&a, &b), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_kind),
		cmocka_unit_test(empty_tree),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(git_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
