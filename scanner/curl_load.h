/* curl_load.h - libcurl, loaded only when a request is about to be made.
 *
 * libcurl and the TLS, Kerberos and LDAP libraries it pulls in cost a few
 * milliseconds of dynamic linking at every start; only --verify needs them,
 * and a pre-commit hook must start instantly. So keyhound is compiled
 * against libcurl's headers but opens the shared library with dlopen() the
 * first time http.c needs it. The table is filled once, on the calling
 * thread (verification runs on the main thread), and never unloaded.
 */
#ifndef KH_CURL_LOAD_H
#define KH_CURL_LOAD_H

#include <curl/curl.h>
#include "err.h"

struct curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode rc);
	void (*easy_cleanup)(CURL *e);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned n,
				int timeout_ms, int *numfds);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
};

/* Load libcurl (once; $KEYHOUND_LIBCURL if set, else the usual names) and
 * return its function table, or NULL with err set ("--verify needs libcurl
 * ...") when the library or a function is missing. */
const struct curl_api *curl_load(struct err *err);

#endif
