/* readfile.h - reading a small file whole: configuration, ignore files,
 * baselines.
 *
 * A repository keyhound scans may plant these files, so reading one is
 * bounded and never blocks: only a regular file is read (a FIFO, a device
 * such as /dev/zero or a terminal is refused), its size is capped, and a
 * symbolic link can be refused (a repository's own files must not point
 * keyhound at files outside it). Never prints.
 */
#ifndef KH_READFILE_H
#define KH_READFILE_H

#include <stddef.h>
#include "err.h"

#define READFILE_NO_FOLLOW 1 /* refuse a symbolic link */

/* Reads path into a new NUL-terminated buffer *out (*len bytes, not counting
 * the NUL). what names the file in messages ("config", "ignore file").
 * Returns 0; KH_ENOTFOUND when it does not exist; KH_EINVAL when it is a
 * symbolic link (with READFILE_NO_FOLLOW) or not a regular file; KH_ELIMIT
 * when it is larger than max bytes; KH_EIO when it cannot be read. */
int readfile(char **out, size_t *len, const char *path, const char *what, size_t max, int flags,
	     struct err *err);

#endif
