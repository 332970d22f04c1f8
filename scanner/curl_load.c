/* curl_load.c - opens libcurl on first use and fills its function table (see curl_load.h). */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "curl_load.h"

/* The names libcurl 4 is installed under: Linux and the BSDs, then macOS.
 * KEYHOUND_LIBCURL (a path) replaces them, e.g. for a libcurl outside the
 * loader's search path. */
static const char *const lib_names[] = {
	"libcurl.so.4", "libcurl.4.dylib", "libcurl.dylib", "libcurl.so",
};

static struct curl_api api;
static int loaded; /* 1 loaded, -1 failed (and stays failed) */
static char failure[200];

/* Each entry: the symbol's name and where its address goes. */
#define SYM(field, name) { name, offsetof(struct curl_api, field) }
static const struct { const char *name; size_t off; } syms[] = {
	SYM(global_init, "curl_global_init"),
	SYM(global_cleanup, "curl_global_cleanup"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_getinfo, "curl_easy_getinfo"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(multi_init, "curl_multi_init"),
	SYM(multi_add_handle, "curl_multi_add_handle"),
	SYM(multi_remove_handle, "curl_multi_remove_handle"),
	SYM(multi_perform, "curl_multi_perform"),
	SYM(multi_poll, "curl_multi_poll"),
	SYM(multi_info_read, "curl_multi_info_read"),
	SYM(multi_cleanup, "curl_multi_cleanup"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
	SYM(url, "curl_url"),
	SYM(url_set, "curl_url_set"),
	SYM(url_get, "curl_url_get"),
	SYM(url_cleanup, "curl_url_cleanup"),
	SYM(free, "curl_free"),
};

static int load(void)
{
	void *h = NULL;
	size_t i;

	const char *own = getenv("KEYHOUND_LIBCURL");

	if (own && *own) /* the user's choice, and only that */
		h = dlopen(own, RTLD_NOW | RTLD_LOCAL);
	for (i = 0; !h && !(own && *own) && i < sizeof(lib_names) / sizeof(lib_names[0]); i++)
		h = dlopen(lib_names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(failure, sizeof(failure), "--verify needs libcurl 4 (%s), which could "
			 "not be loaded; install libcurl4 or set KEYHOUND_LIBCURL to its path",
			 own && *own ? "KEYHOUND_LIBCURL" : "libcurl.so.4");
		return -1;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(h, syms[i].name);

		if (!f) {
			/* A libcurl older than the 7.66 this code needs (curl_multi_poll). */
			snprintf(failure, sizeof(failure), "--verify needs libcurl 7.66 or newer: "
				 "the installed libcurl has no %s", syms[i].name);
			dlclose(h);
			return -1;
		}
		/* POSIX guarantees dlsym's object pointer converts to a function pointer. */
		memcpy((char *)&api + syms[i].off, &f, sizeof(f));
	}
	return 1;
}

const struct curl_api *curl_load(struct err *err)
{
	if (!loaded)
		loaded = load();
	if (loaded < 0) {
		err_set(err, KH_EIO, "%s", failure);
		return NULL;
	}
	return &api;
}
