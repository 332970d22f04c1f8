/* http.h - a few HTTPS requests at once, with libcurl, set up safely.
 *
 * The transport for --verify: TLS verification on, connect and total
 * timeouts, no redirects, https only (plain http only when the caller has
 * checked that the base URL is a loopback address), no proxy for loopback,
 * no cookies, nothing logged. Requests run concurrently on one thread (curl
 * multi), at most `max_total` at once and at most `group_max` per group (a
 * provider). This module knows nothing about secrets or providers, never
 * prints, and never puts anything in a message but static text.
 */
#ifndef KH_HTTP_H
#define KH_HTTP_H

#include <stddef.h>
#include "err.h"

#define HTTP_BODY_MAX (64u * 1024)   /* response bytes kept; the rest is discarded */
#define HTTP_HEADER_VALUE_MAX 256    /* captured header values are cut to this */

struct http_request {
	const char *method;             /* "GET", "POST" (empty body) or "HEAD" */
	const char *url;                /* full URL; must never hold a secret */
	const char *const *headers;     /* "Name: value" lines (may hold a secret) */
	size_t nheaders;
	const char *const *capture;     /* response headers to keep (case-insensitive) */
	size_t ncapture;
	long timeout_ms;                /* whole request; connect gets at most 5 s of it */
	int plain_http;                 /* allow http:// (the caller checked: loopback) */
};

struct http_response {
	long status;                    /* HTTP status, 0 if none was received */
	int failed;                     /* the transfer failed (no usable answer) */
	const char *error;              /* static text when failed, e.g. "timed out" */
	char *body;                     /* first HTTP_BODY_MAX bytes, NUL-terminated */
	size_t body_len;
	char **captured;                /* value of capture[i], or NULL; ncapture of them */
	long retry_after_ms;            /* Retry-After in ms (seconds form), -1 if absent */
};

/* Called on the run() thread when a request completes. Return a delay in
 * ms to send the same request again after it, or <0 when done with it.
 * The response is valid only during the call. */
typedef long (*http_done_fn)(const struct http_response *r, void *payload);

struct http_client;

/* Initialises libcurl (call from one thread, before any other thread uses
 * curl). Returns 0 or KH_EIO. */
int http_client_new(struct http_client **out, size_t max_total, struct err *err);
/* Queues a request (run() sends it). The request, its strings and group
 * must stay valid until its done callback returned <0. */
void http_client_add(struct http_client *c, const struct http_request *req,
		     const char *group, size_t group_max, http_done_fn done, void *payload);
/* Runs until every request is done. When *stop (may be NULL) becomes
 * non-zero, requests in flight or waiting complete at once as failed
 * ("interrupted") and are not repeated. */
void http_client_run(struct http_client *c, volatile int *stop);
void http_client_free(struct http_client *c);

/* Checks a base URL: https://host[:port][/path], or http:// to a loopback
 * address (127.0.0.0/8, ::1, localhost), which sets *plain_http. No user
 * name, password, query or fragment. Returns 0 or KH_EINVAL; the message
 * never repeats the URL. */
int http_check_base_url(const char *url, int *plain_http, struct err *err);

#endif
