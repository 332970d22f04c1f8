/* test_pathglob.c - allowlist path globs match the way .gitignore patterns
 * do: `*` stays within a component, `**` crosses them, a name matches at any
 * depth, a pattern with a slash is anchored, a directory covers what is
 * below it, a trailing slash names a directory only. Issue #5: a `*` that
 * crossed `/` silenced more than the user wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "pathglob.h"

struct tcase {
	const char *glob, *path;
	int want;
};

static const struct tcase cases[] = {
	/* `*` does not cross `/` */
	{"tests/*.py", "tests/a.py", 1},
	{"tests/*.py", "tests/unit/deep/prod.py", 0},
	{"src/*", "src/a/b.c", 1},          /* src/a is matched: a directory covers what is below */
	{"docs/*.md", "docs/a/b.md", 0},
	/* `**` crosses */
	{"tests/**", "tests/unit/deep/prod.py", 1},
	{"tests/**", "tests", 0},
	{"tests/**/*.py", "tests/a.py", 1},
	{"tests/**/*.py", "tests/unit/deep/prod.py", 1},
	{"tests/**/*.py", "src/unit/prod.py", 0},
	{"**/fixtures/*.env", "a/b/fixtures/x.env", 1},
	{"**/fixtures/*.env", "fixtures/x.env", 1},
	/* a name matches at any depth, a file or a directory */
	{"*.md", "README.md", 1},
	{"*.md", "docs/guide/e.md", 1},
	{"docs", "docs/a.txt", 1},
	{"docs", "src/docs/a.txt", 1},
	{"docs", "docsx/a.txt", 0},
	{"vendor/", "vendor/lib/x.js", 1},
	{"vendor/", "vendor", 0},            /* a file named vendor: not a directory */
	{"e.md", "x/e.md", 1},
	/* anchored */
	{"/build", "build/out.txt", 1},
	{"/build", "src/build/out.txt", 0},
	{"src/build", "a/src/build/x", 0},
	{"rules/*.yml", "rules/openai.yml", 1},
	{"tests/fixtures/**", "tests/fixtures/a/b.env", 1},
	/* ./ is ignored, on either side */
	{"./src/a.py", "src/a.py", 1},
	{"src/a.py", "./src/a.py", 1},
	/* classes and ? */
	{"key[0-9].pem", "certs/key7.pem", 1},
	{"key?.pem", "key10.pem", 0},
	{"", "a", 0},
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = pathglob_match(cases[i].glob, cases[i].path);
		if (got != cases[i].want)
			fail_msg("glob '%s' path '%s': got %d, want %d", cases[i].glob, cases[i].path,
				 got, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
