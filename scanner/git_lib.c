/* git_lib.c - starts libgit2 for local repository access only (see git_lib.h).
 *
 * Where libgit2 is built with mbedTLS (Debian's libgit2 1.x is), its
 * initialisation parses every certificate in the system CA bundle, about
 * 4 ms of base64 and ASN.1 at each start, for HTTPS transports keyhound
 * never uses. A pre-commit hook pays that on every commit. So this file
 * defines mbedtls_x509_crt_parse_file and _path itself: the executable
 * exports them (the Makefile's dynamic list), the dynamic linker binds
 * libgit2's calls to them, and while git_lib_init runs they load nothing
 * and report success. At any other time they forward to mbedTLS's own
 * functions (dlsym RTLD_NEXT), so another user of mbedTLS in the process
 * still gets its certificates. (Where the Makefile links libgit2 and mbedTLS
 * from their archives, the same two functions are reached with the
 * linker's --wrap instead.) Nothing is weakened: libgit2 is left with
 * an empty trust store, so an HTTPS connection through it would fail
 * verification, never succeed unverified. Where libgit2 uses another TLS
 * library, or the platform does not interpose (macOS two-level
 * namespaces), these functions are simply never called.
 */
#define _GNU_SOURCE /* RTLD_NEXT in glibc */
#include <dlfcn.h>
#include <git2.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "git_lib.h"

static int skip_ca_bundle; /* set only on the main thread, around init */

/* mbedTLS's own declarations are not needed: only the symbol names and
 * the C signatures (int f(mbedtls_x509_crt *, const char *)) must match. */

#ifdef KH_GIT_STATIC
/* libgit2 and mbedTLS linked from their archives (tools/static-libs.sh):
 * there is no dynamic linker to interpose, so the Makefile links with
 * --wrap and libgit2's calls arrive here; __real_ is mbedTLS's own. */
int __real_mbedtls_x509_crt_parse_file(void *chain, const char *path);
int __real_mbedtls_x509_crt_parse_path(void *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_path(void *chain, const char *path);

int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	return skip_ca_bundle ? 0 : __real_mbedtls_x509_crt_parse_file(chain, path);
}

int __wrap_mbedtls_x509_crt_parse_path(void *chain, const char *path)
{
	return skip_ca_bundle ? 0 : __real_mbedtls_x509_crt_parse_path(chain, path);
}
#else
int mbedtls_x509_crt_parse_file(void *chain, const char *path);
int mbedtls_x509_crt_parse_path(void *chain, const char *path);

typedef int (*parse_fn)(void *chain, const char *path);

static int forward(const char *name, void *chain, const char *path)
{
	void *sym = dlsym(RTLD_NEXT, name);
	parse_fn f;

	if (!sym)
		return -0x2900; /* MBEDTLS_ERR_X509_FILE_IO_ERROR */
	*(void **)&f = sym;
	return f(chain, path);
}

int mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	return skip_ca_bundle ? 0 : forward("mbedtls_x509_crt_parse_file", chain, path);
}

int mbedtls_x509_crt_parse_path(void *chain, const char *path)
{
	return skip_ca_bundle ? 0 : forward("mbedtls_x509_crt_parse_path", chain, path);
}
#endif

void git_lib_init(void)
{
	skip_ca_bundle = 1;
	git_libgit2_init();
	skip_ca_bundle = 0;
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	/* libgit2 re-hashes every object it reads, with collision-detecting
	 * SHA-1: a quarter of a history scan's time and a tenth of a staged
	 * scan's. git's own readers do not; zlib's checksum still catches
	 * damaged data, and a scanner reads what is there either way. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

static char warning[320]; /* set on the main thread, read by the command layer */

int git_lib_open(git_repository **out, const char *path, unsigned int flags)
{
	int rc = git_repository_open_ext(out, path, flags, NULL);
	const git_error *e;
	char why[256];

	if (rc >= 0 || warning[0])
		return rc;
	e = git_error_last();
	if (!e || !e->message || !strstr(e->message, "config"))
		return rc;
	/* the user's own git configuration (~/.gitconfig, ~/.config/git/config,
	 * /etc/gitconfig) cannot be read, e.g. HOME names a directory this user
	 * may not enter: keyhound needs none of it, so go on without it */
	snprintf(why, sizeof(why), "%s", e->message);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA, "");
	*out = NULL;
	rc = git_repository_open_ext(out, path, flags, NULL);
	if (rc >= 0)
		snprintf(warning, sizeof(warning),
			 "cannot read your git configuration (%s): going on without it", why);
	return rc;
}

const char *git_lib_warning(void)
{
	return warning[0] ? warning : NULL;
}

void git_lib_shutdown(void)
{
	git_libgit2_shutdown();
}
