/* test_git_lib.c - git_lib.c's stand-ins for mbedTLS's CA loaders: outside
 * git_lib_init they must forward to mbedTLS (here: a missing file is an
 * error, not a silent success), and libgit2 must still start and open a
 * repository. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include "git_lib.h"

int mbedtls_x509_crt_parse_file(void *chain, const char *path);
int mbedtls_x509_crt_parse_path(void *chain, const char *path);

static void test_forwarding_outside_init(void **state)
{
	(void)state;
	/* mbedTLS reads the file before touching the chain: NULL is safe. */
	assert_true(mbedtls_x509_crt_parse_file(NULL, "/nonexistent/keyhound/ca.pem") != 0);
	assert_true(mbedtls_x509_crt_parse_path(NULL, "/nonexistent/keyhound/certs") != 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void test_init_opens_repositories(void **state)
{
	git_repository *repo = NULL;
	char tmpl[] = "/tmp/kh-gitlib.XXXXXX";

	(void)state;
	git_lib_init();
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(git_repository_init(&repo, tmpl, 1), 0);
	git_repository_free(repo);
	assert_int_equal(git_repository_open_bare(&repo, tmpl), 0);
	git_repository_free(repo);
	git_lib_shutdown();
	assert_int_equal(nftw(tmpl, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	/* and the stand-ins forward again afterwards */
	assert_true(mbedtls_x509_crt_parse_file(NULL, "/nonexistent/keyhound/ca.pem") != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwarding_outside_init),
		cmocka_unit_test(test_init_opens_repositories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
