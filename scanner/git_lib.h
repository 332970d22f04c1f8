/* git_lib.h - starting and stopping libgit2 the way keyhound uses it.
 *
 * keyhound opens local repositories only: it never fetches, pushes or
 * talks to a remote through libgit2. See git_lib.c for what that lets
 * start-up skip.
 */
#ifndef KH_GIT_LIB_H
#define KH_GIT_LIB_H

/* git_libgit2_init() plus keyhound's global options: no owner validation
 * (scanning someone else's checkout is the point), no re-hashing of every
 * object read. Main thread, once. */
void git_lib_init(void);

void git_lib_shutdown(void);

#endif
