/* readfile.c - reading a small file whole, safely (see readfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "readfile.h"
#include "xalloc.h"

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

int readfile(char **out, size_t *len, const char *path, const char *what, size_t max, int flags,
	     struct err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0;
	int fd, rc = 0;

	*out = NULL;
	*len = 0;
	if ((flags & READFILE_NO_FOLLOW) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return err_set(err, KH_EINVAL, "%s '%s' is a symbolic link: not followed", what, path);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
			 ((flags & READFILE_NO_FOLLOW) ? O_NOFOLLOW : 0));
	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(err, KH_ENOTFOUND, "%s '%s' does not exist", what, path);
		if (errno == ELOOP)
			return err_set(err, KH_EINVAL, "%s '%s' is a symbolic link: not followed", what,
				       path);
		return err_set(err, KH_EIO, "cannot read %s '%s': %s", what, path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(err, KH_EINVAL, "%s '%s' is not a regular file", what, path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return err_set(err, KH_ELIMIT, "%s '%s' is larger than %zu MiB", what, path,
			       max >> 20);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	for (;;) {
		ssize_t n;
		if (have == (size_t)st.st_size) {
			/* grown since fstat: read on, within max */
			char probe;
			n = read(fd, &probe, 1);
			if (n == 0)
				break;
			if (n > 0) {
				rc = err_set(err, KH_ELIMIT, "%s '%s' changed while being read", what, path);
				break;
			}
		} else {
			n = read(fd, buf + have, (size_t)st.st_size - have);
			if (n > 0) {
				have += (size_t)n;
				continue;
			}
			if (n == 0)
				break;
		}
		if (errno == EINTR)
			continue;
		rc = err_set(err, KH_EIO, "cannot read %s '%s': %s", what, path, strerror(errno));
		break;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	return 0;
}
