/* git_odb_pack.h - a faster reader of single packed objects for libgit2.
 *
 * A read-only object-database backend that libgit2 asks first: it finds an
 * object in the repository's pack indexes (and its alternates'), resolves
 * its delta chain and inflates with libdeflate where the build has it,
 * about twice as fast as libgit2's zlib path for the trees and blobs a
 * staged scan reads. Anything it cannot build (not packed, a damaged entry,
 * a base in another pack) it hands back to libgit2's own backends, which
 * then read it or report the error as always: it can make a read faster,
 * never different. No delta-base cache: meant for reading a few objects
 * (`keyhound staged`), not for walking history.
 */
#ifndef KH_GIT_ODB_PACK_H
#define KH_GIT_ODB_PACK_H

#include <git2.h>

struct odb_packs;

/* Maps the packs of objects_dir/pack and, following objects/info/alternates
 * (as git does, five levels deep), of the alternates' too. Unusable packs
 * are left out. NULL only when out of memory. */
struct odb_packs *odb_packs_open(const char *objects_dir);
void odb_packs_free(struct odb_packs *ps);

/* Reads oid: 0 with *data (malloc'd, NUL-terminated, free() it), *len and
 * *type set; GIT_ENOTFOUND when no pack holds it; GIT_PASSTHROUGH when a
 * pack holds it but it cannot be built here (libgit2 then tries). Safe to
 * call from several threads. */
int odb_packs_read(struct odb_packs *ps, const git_oid *oid, unsigned char **data, size_t *len,
		   git_object_t *type);

/* Puts a backend over odb_packs_open(repo's objects directory) in front of
 * repo's object database. 0, or <0 when it could not (nothing changed then:
 * libgit2 reads everything as before). */
int git_odb_pack_attach(git_repository *repo);

#endif
