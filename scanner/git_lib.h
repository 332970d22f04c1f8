/* git_lib.h - starting and stopping libgit2 the way keyhound uses it.
 *
 * keyhound opens local repositories only: it never fetches, pushes or
 * talks to a remote through libgit2. See git_lib.c for what that lets
 * start-up skip.
 */
#ifndef KH_GIT_LIB_H
#define KH_GIT_LIB_H

#include <git2.h>

/* git_libgit2_init() plus keyhound's global options: no owner validation
 * (scanning someone else's checkout is the point), no re-hashing of every
 * object read. Main thread, once. */
void git_lib_init(void);

void git_lib_shutdown(void);

/* git_repository_open_ext(out, path, flags, NULL), except that when the
 * user's own git configuration cannot be read (an unreadable ~/.gitconfig:
 * HOME names a directory this user may not enter), that configuration is
 * left out for the rest of the run and the open is retried; then
 * git_lib_warning() says so, for the command layer to print. Returns
 * libgit2's code. Main thread only. */
int git_lib_open(git_repository **out, const char *path, unsigned int flags);
/* The message of a configuration left out, or NULL. */
const char *git_lib_warning(void);

#endif
