/* safepath.h - paths from a repository's trees and index, made safe to
 * report.
 *
 * git never writes a tree entry named "", "." or "..", or one holding a '/',
 * but a hostile repository can (its objects are just bytes), and a report
 * path built from such names could point outside the repository. Such
 * names are reported percent-encoded ("%2E%2E", "a%2Fb"), and an empty or
 * "." / ".." component of a path likewise: the blob is still scanned, and
 * its path stays inside the scanned root. Well-formed names are unchanged.
 * Pure functions; allocation only through buf and xalloc.
 */
#ifndef KH_SAFEPATH_H
#define KH_SAFEPATH_H

#include <stddef.h>
#include "buf.h"

/* Appends one entry name (len bytes, may hold anything) to b. */
void safepath_add_name(struct buf *b, const char *name, size_t len);
/* A new copy of path ('/'-separated components), each component made safe. */
char *safepath_dup(const char *path);

#endif
