/* err.c - filling struct err: formatted messages and libgit2's last error.
 *
 * Never prints; the command layer decides what reaches the user.
 */
#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "err.h"

int err_set(struct err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_from_git(struct err *err, int rc, const char *fmt, ...)
{
	const git_error *ge = git_error_last();
	va_list ap;
	size_t n;

	if (!err)
		return KH_EGIT;
	err->code = rc == GIT_ENOTFOUND ? KH_ENOTFOUND : KH_EGIT;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (ge && ge->message && n + 3 < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", ge->message);
	return err->code;
}

void err_clear(struct err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}
