/* http.c - a few HTTPS requests at once, with libcurl, set up safely (see http.h).
 *
 * One curl multi handle on the calling thread: each queued request gets an
 * easy handle when its group has a free slot and its retry time has come;
 * completed transfers go to the caller's done callback, which may ask for
 * the same request again after a delay (retry with backoff lives in the
 * caller; the waiting lives here). Options are set per easy handle so that
 * nothing in the environment can turn on redirects, other protocols or
 * verbose logging. Never prints; never copies a URL or header into a
 * message.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "clock.h"
#include "curl_load.h"
#include "buf.h"
#include "http.h"
#include "xalloc.h"

/* libcurl's functions, loaded by the first http_check_base_url or
 * http_client_new (see curl_load.h); nothing below runs before that. */
static const struct curl_api *cu;

#ifndef KH_VERSION
#define KH_VERSION "0"
#endif
#define CONNECT_TIMEOUT_MS 5000L
#define WAIT_STEP_MS 100 /* longest sleep between checks of *stop */

enum job_state { JOB_QUEUED, JOB_ACTIVE, JOB_DONE };

struct job {
	struct http_request req;
	const char *group;
	size_t group_max;
	http_done_fn done;
	void *payload;
	enum job_state state;
	double not_before;          /* monotonic seconds */
	CURL *easy;
	struct curl_slist *hdrs;
	struct curl_slist *resolve; /* localhost pinned to 127.0.0.1 */
	struct buf body;
	char **captured;
	long retry_after_ms;
};

struct http_client {
	CURLM *multi;
	struct job **jobs;
	size_t n, cap;
	size_t max_total, active;
};

static void sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* ---- URL policy ---------------------------------------------------------- */

static int is_loopback_host(const char *host)
{
	char h[64];
	size_t n = strlen(host);
	struct in6_addr a6;
	unsigned char a[4];

	if (!strcasecmp(host, "localhost"))
		return 1;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') { /* IPv6 literal */
		if (n - 2 >= sizeof(h))
			return 0;
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return inet_pton(AF_INET, host, a) == 1 && a[0] == 127;
}

static int url_has(CURLU *u, CURLUPart part)
{
	char *v = NULL;
	int has = cu->url_get(u, part, &v, 0) == CURLUE_OK && v && *v;

	cu->free(v);
	return has;
}

int http_check_base_url(const char *url, int *plain_http, struct err *err)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int rc = 0;

	*plain_http = 0;
	if (!cu && !(cu = curl_load(err)))
		return KH_EIO;
	u = cu->url();
	if (!u)
		return err_set(err, KH_EINVAL, "out of memory parsing a URL");
	if (cu->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    cu->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    cu->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = err_set(err, KH_EINVAL, "not a valid URL");
		goto out;
	}
	if (url_has(u, CURLUPART_USER) || url_has(u, CURLUPART_PASSWORD) ||
	    url_has(u, CURLUPART_QUERY) || url_has(u, CURLUPART_FRAGMENT)) {
		rc = err_set(err, KH_EINVAL, "a base URL takes no user name, password, query "
			     "or fragment");
		goto out;
	}
	if (!strcasecmp(scheme, "https"))
		goto out;
	if (!strcasecmp(scheme, "http") && is_loopback_host(host)) {
		*plain_http = 1;
		goto out;
	}
	rc = err_set(err, KH_EINVAL, !strcasecmp(scheme, "http") ?
		     "plain http is allowed only to a loopback address (127.0.0.1, ::1, "
		     "localhost); use https" : "only https URLs are allowed");
out:
	cu->free(scheme);
	cu->free(host);
	cu->url_cleanup(u);
	return rc;
}

/* ---- one transfer ---------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct job *j = userdata;
	size_t n = size * nmemb;

	if (j->body.len < HTTP_BODY_MAX) { /* keep the start, drop the rest */
		size_t room = HTTP_BODY_MAX - j->body.len;
		buf_add(&j->body, data, n < room ? n : room);
	}
	return n;
}

static void reset_captured(struct job *j)
{
	size_t i;

	for (i = 0; i < j->req.ncapture; i++) {
		free(j->captured[i]);
		j->captured[i] = NULL;
	}
	j->retry_after_ms = -1;
}

static long parse_retry_after(const char *v)
{
	long secs = 0;

	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 6)
		return -1; /* the HTTP-date form is not used: backoff applies */
	for (; *v; v++)
		secs = secs * 10 + (*v - '0');
	return secs * 1000;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct job *j = userdata;
	size_t n = size * nmemb, name_len, i;
	const char *colon = memchr(data, ':', n), *v, *end = data + n;
	char *value;

	if (n >= 5 && !memcmp(data, "HTTP/", 5)) { /* a new response (after 1xx) */
		reset_captured(j);
		return n;
	}
	if (!colon)
		return n;
	name_len = (size_t)(colon - data);
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	if ((size_t)(end - v) > HTTP_HEADER_VALUE_MAX)
		end = v + HTTP_HEADER_VALUE_MAX;
	if (name_len == 11 && !strncasecmp(data, "Retry-After", 11)) {
		value = xstrndup(v, (size_t)(end - v));
		j->retry_after_ms = parse_retry_after(value);
		free(value);
	}
	for (i = 0; i < j->req.ncapture; i++)
		if (!j->captured[i] && strlen(j->req.capture[i]) == name_len &&
		    !strncasecmp(data, j->req.capture[i], name_len))
			j->captured[i] = xstrndup(v, (size_t)(end - v));
	return n;
}

/* Only the one scheme, and no redirect to another: the string options of
 * libcurl 7.85 and later, or, when the libcurl loaded at run time is older
 * than the headers keyhound was built with, the bitmask ones. Returns 0 or
 * -1 when neither takes (then the request is not sent). */
static int set_protocols(CURL *e, int plain_http)
{
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85: the string forms */
	if (cu->easy_setopt(e, CURLOPT_PROTOCOLS_STR, plain_http ? "http" : "https") == CURLE_OK &&
	    cu->easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, plain_http ? "http" : "https") ==
		    CURLE_OK)
		return 0;
#endif
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" /* the fallback for old libcurl */
#endif
	if (cu->easy_setopt(e, CURLOPT_PROTOCOLS,
			    (long)(plain_http ? CURLPROTO_HTTP : CURLPROTO_HTTPS)) == CURLE_OK &&
	    cu->easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
			    (long)(plain_http ? CURLPROTO_HTTP : CURLPROTO_HTTPS)) == CURLE_OK)
		return 0;
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
	return -1;
}

/* A plain-http URL to "localhost" goes to 127.0.0.1, whatever the resolver
 * (or /etc/hosts) says: older libcurl looks the name up. Returns 0 or -1. */
static int pin_localhost(struct job *j, CURL *e)
{
	CURLU *u = cu->url();
	char *host = NULL, *port = NULL, entry[96];
	int rc = 0;

	if (!u)
		return -1;
	if (cu->url_set(u, CURLUPART_URL, j->req.url, 0) == CURLUE_OK &&
	    cu->url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && !strcasecmp(host, "localhost") &&
	    cu->url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		snprintf(entry, sizeof(entry), "localhost:%s:127.0.0.1", port);
		if (!(j->resolve = cu->slist_append(NULL, entry)) ||
		    cu->easy_setopt(e, CURLOPT_RESOLVE, j->resolve) != CURLE_OK)
			rc = -1;
	}
	cu->free(host);
	cu->free(port);
	cu->url_cleanup(u);
	return rc;
}

static CURL *easy_new(struct job *j)
{
	const struct http_request *r = &j->req;
	CURL *e = cu->easy_init();
	size_t i;

	if (!e)
		return NULL;
	for (i = 0; i < r->nheaders; i++) {
		struct curl_slist *s = cu->slist_append(j->hdrs, r->headers[i]);
		if (!s) {
			cu->easy_cleanup(e);
			return NULL;
		}
		j->hdrs = s;
	}
	/* the options that keep the key safe must take, or nothing is sent */
	if (cu->easy_setopt(e, CURLOPT_URL, r->url) != CURLE_OK || set_protocols(e, r->plain_http) ||
	    cu->easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    cu->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    cu->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    cu->easy_setopt(e, CURLOPT_HTTPHEADER, j->hdrs) != CURLE_OK ||
	    (r->plain_http && (cu->easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK ||
			       pin_localhost(j, e) < 0))) {
		cu->easy_cleanup(e);
		return NULL;
	}
	cu->easy_setopt(e, CURLOPT_MAXREDIRS, 0L);
	cu->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(e, CURLOPT_VERBOSE, 0L);
	cu->easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	cu->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 r->timeout_ms < CONNECT_TIMEOUT_MS ? r->timeout_ms : CONNECT_TIMEOUT_MS);
	cu->easy_setopt(e, CURLOPT_USERAGENT, "keyhound/" KH_VERSION);
	/* (loopback over plain http: never through a proxy, set above, where the
	 * key would cross it in clear) */
	if (!strcmp(r->method, "POST")) {
		cu->easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
		cu->easy_setopt(e, CURLOPT_POSTFIELDS, "");
	} else if (!strcmp(r->method, "HEAD")) {
		cu->easy_setopt(e, CURLOPT_NOBODY, 1L);
	}
	cu->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	cu->easy_setopt(e, CURLOPT_WRITEDATA, j);
	cu->easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	cu->easy_setopt(e, CURLOPT_HEADERDATA, j);
	cu->easy_setopt(e, CURLOPT_PRIVATE, j);
	return e;
}

/* Short, static, URL-free descriptions of transport failures. */
static const char *failure_text(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT: return "timed out";
	case CURLE_COULDNT_RESOLVE_HOST: return "could not resolve the host";
	case CURLE_COULDNT_RESOLVE_PROXY: return "could not resolve the proxy";
	case CURLE_COULDNT_CONNECT: return "could not connect";
	case CURLE_PEER_FAILED_VERIFICATION: return "TLS certificate verification failed";
	case CURLE_SSL_CONNECT_ERROR: return "TLS handshake failed";
	case CURLE_UNSUPPORTED_PROTOCOL: return "protocol not allowed";
	case CURLE_URL_MALFORMAT: return "malformed URL";
	default: return cu->easy_strerror(rc); /* static text, no URL */
	}
}

static void job_release_transfer(struct http_client *c, struct job *j)
{
	if (j->easy) {
		cu->multi_remove_handle(c->multi, j->easy);
		cu->easy_cleanup(j->easy);
		j->easy = NULL;
		c->active--;
	}
	cu->slist_free_all(j->hdrs);
	cu->slist_free_all(j->resolve);
	j->hdrs = NULL;
	j->resolve = NULL;
	buf_reset(&j->body);
	reset_captured(j);
}

/* Hands the outcome to the caller and re-queues or retires the job. */
static void job_complete(struct http_client *c, struct job *j, int failed, const char *error,
			 int may_repeat)
{
	struct http_response r;
	long again;

	memset(&r, 0, sizeof(r));
	if (j->easy)
		cu->easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &r.status);
	r.failed = failed;
	r.error = failed ? error : NULL;
	r.body = j->body.data;
	r.body_len = j->body.len;
	r.captured = j->captured;
	r.retry_after_ms = j->retry_after_ms;
	again = j->done(&r, j->payload);
	job_release_transfer(c, j);
	if (again >= 0 && may_repeat) {
		j->state = JOB_QUEUED;
		j->not_before = clock_seconds() + (double)again / 1000.0;
	} else {
		j->state = JOB_DONE;
	}
}

static size_t group_active(const struct http_client *c, const char *group)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += c->jobs[i]->state == JOB_ACTIVE && !strcmp(c->jobs[i]->group, group);
	return n;
}

static void job_start(struct http_client *c, struct job *j)
{
	j->easy = easy_new(j);
	if (!j->easy || cu->multi_add_handle(c->multi, j->easy) != CURLM_OK) {
		if (j->easy)
			cu->easy_cleanup(j->easy);
		j->easy = NULL;
		job_complete(c, j, 1, "could not set up the request", 0);
		return;
	}
	c->active++;
	j->state = JOB_ACTIVE;
}

/* ---- the client ------------------------------------------------------------- */

int http_client_new(struct http_client **out, size_t max_total, struct err *err)
{
	struct http_client *c;

	if (!cu && !(cu = curl_load(err)))
		return KH_EIO;
	if (cu->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(err, KH_EIO, "cannot initialise libcurl");
	c = xcalloc(1, sizeof(*c));
	c->multi = cu->multi_init();
	if (!c->multi) {
		free(c);
		cu->global_cleanup();
		return err_set(err, KH_EIO, "cannot initialise libcurl");
	}
	c->max_total = max_total ? max_total : 1;
	*out = c;
	return 0;
}

void http_client_add(struct http_client *c, const struct http_request *req,
		     const char *group, size_t group_max, http_done_fn done, void *payload)
{
	struct job *j = xcalloc(1, sizeof(*j));
	void *v = c->jobs;

	j->req = *req;
	j->group = group;
	j->group_max = group_max ? group_max : 1;
	j->done = done;
	j->payload = payload;
	j->state = JOB_QUEUED;
	j->captured = xcalloc(req->ncapture ? req->ncapture : 1, sizeof(*j->captured));
	j->retry_after_ms = -1;
	buf_init(&j->body, 0);
	xgrow(&v, &c->cap, c->n + 1, sizeof(*c->jobs));
	c->jobs = v;
	c->jobs[c->n++] = j;
}

/* Starts what may start; returns ms until a waiting job may start (or
 * WAIT_STEP_MS), and whether anything is left to do. */
static long start_ready(struct http_client *c, int *left)
{
	double now = clock_seconds(), next = now + WAIT_STEP_MS / 1000.0;
	size_t i;

	*left = 0;
	for (i = 0; i < c->n; i++) {
		struct job *j = c->jobs[i];
		if (j->state == JOB_DONE)
			continue;
		*left = 1;
		if (j->state != JOB_QUEUED)
			continue;
		if (j->not_before > now) {
			if (j->not_before < next)
				next = j->not_before;
			continue;
		}
		if (c->active < c->max_total && group_active(c, j->group) < j->group_max)
			job_start(c, j);
	}
	return next > now ? (long)((next - now) * 1000.0) + 1 : 0;
}

static void collect_done(struct http_client *c)
{
	CURLMsg *m;
	int left;

	while ((m = cu->multi_info_read(c->multi, &left))) {
		char *p = NULL;
		struct job *j;
		if (m->msg != CURLMSG_DONE)
			continue;
		cu->easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
		if ((j = (struct job *)(void *)p))
			job_complete(c, j, m->data.result != CURLE_OK,
				     failure_text(m->data.result), 1);
	}
}

void http_client_run(struct http_client *c, volatile int *stop)
{
	size_t i;
	int running, left;
	long wait_ms;

	for (;;) {
		if (stop && *stop)
			break;
		wait_ms = start_ready(c, &left);
		if (!left)
			return;
		if (c->active) {
			cu->multi_perform(c->multi, &running);
			collect_done(c);
			if (c->active)
				cu->multi_poll(c->multi, NULL, 0,
						(int)(wait_ms < WAIT_STEP_MS ? wait_ms : WAIT_STEP_MS), NULL);
		} else if (wait_ms > 0) {
			sleep_ms(wait_ms < WAIT_STEP_MS ? wait_ms : WAIT_STEP_MS);
		}
	}
	for (i = 0; i < c->n; i++) /* stopped: everything left fails now */
		if (c->jobs[i]->state != JOB_DONE)
			job_complete(c, c->jobs[i], 1, "interrupted", 0);
}

void http_client_free(struct http_client *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		job_release_transfer(c, c->jobs[i]);
		buf_release(&c->jobs[i]->body);
		free(c->jobs[i]->captured);
		free(c->jobs[i]);
	}
	free(c->jobs);
	cu->multi_cleanup(c->multi);
	cu->global_cleanup();
	free(c);
}
