/* err.h - error codes and the error message object every fallible function fills.
 *
 * Functions return 0 on success and a negative KH_E* code on failure, with a
 * message in the caller's struct err. Only main.c and cmd_*.c print errors.
 * Messages never contain secret bytes.
 */
#ifndef KH_ERR_H
#define KH_ERR_H

#include <stddef.h>

enum kh_error {
	KH_OK = 0,
	KH_EINVAL = -1,    /* bad argument, bad config, bad rule */
	KH_ENOTFOUND = -2, /* path, object or revision does not exist */
	KH_EIO = -3,       /* read/write failure, permission denied */
	KH_ELIMIT = -4,    /* a size, depth or match limit was hit */
	KH_EGIT = -5,      /* libgit2 reported an error */
	KH_ERULE = -6,     /* a rule failed to compile or validate */
	KH_EINTR = -7      /* interrupted by a signal */
};

struct err {
	int code;
	char msg[512];
};

/* Set code and a printf-style message; returns code so callers can
 * `return err_set(err, KH_EINVAL, "...")`. err may be NULL. */
int err_set(struct err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like err_set with KH_EGIT, appending libgit2's last error message
 * (read on the calling thread). rc is the libgit2 return code. */
int err_from_git(struct err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void err_clear(struct err *err);

#endif
