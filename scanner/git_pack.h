/* git_pack.h - the blobs of a repository's pack files, read in delta order.
 *
 * libgit2 reads one object at a time behind a per-pack lock, with a small
 * delta-base cache, so a full-history scan spends most of its time
 * re-inflating delta bases and waiting on that lock. Here the pack indexes
 * (.idx v2) are read once, every blob entry's header is parsed, and the blobs
 * are grouped into delta families (a full object and every delta built on
 * it, transitively). A family is then materialized depth-first: each object
 * is inflated and each delta applied exactly once, and a worker thread holds
 * only the buffers on its current delta path. Families are independent, so
 * threads need no lock. This is how git's index-pack resolves deltas.
 *
 * Read-only: opens pack files with pread, never writes, never runs git. An
 * object this reader cannot build (unknown index version, a delta whose base
 * lives in another pack, a corrupt entry) is left to the caller, who reads
 * it through libgit2 and so gets libgit2's error message. Blob data is not
 * re-hashed (neither does `git cat-file --batch`); zlib's checksum still
 * catches corrupt compressed data.
 */
#ifndef KH_GIT_PACK_H
#define KH_GIT_PACK_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "oidset.h"

struct packs;
struct pack_scratch;

/* Called for each blob a family produces: data/len valid only during the
 * call. Returns 0 to go on, non-zero to stop the family. */
typedef int (*pack_blob_fn)(const git_oid *oid, const unsigned char *data, size_t len,
			    void *payload);

/* Indexes every pack in objects_dir/pack. Packs with a .mtimes file (cruft
 * packs: only unreachable objects) are skipped unless with_cruft. A pack that
 * cannot be used is skipped (its objects are then not claimed). Returns 0,
 * or <0 with err only for an unusable objects_dir. Each distinct blob is
 * claimed by one pack entry, however many packs hold it. Blobs larger than
 * max_object bytes (and deltas that would build one) are never built: they
 * end as PACK_FAILED, for the caller to report. */
int packs_open(struct packs **out, const char *objects_dir, int with_cruft, uint64_t max_object,
	       struct err *err);
void packs_free(struct packs *ps);

/* The families that hold at least one claimed blob, in pack order. */
size_t packs_nfamilies(const struct packs *ps);
/* Total size in bytes of the compressed data of family i (for balancing
 * and progress; roughly proportional to the work). */
uint64_t packs_family_weight(const struct packs *ps, size_t i);

/* Builds every claimed blob of family i and calls fn for each. Thread-safe
 * for distinct families with distinct scratches. A blob that cannot be built
 * is marked failed (see packs_claimed) and skipped, with its descendants. */
int packs_family_run(const struct packs *ps, size_t i, struct pack_scratch *sc,
		     pack_blob_fn fn, void *payload);

struct pack_scratch *pack_scratch_new(void);
void pack_scratch_free(struct pack_scratch *sc);

/* Inflates the zlib stream at in (at most n bytes; what follows the stream
 * is ignored) into exactly want bytes of out: zlib for small streams, sc's
 * decompressor (libdeflate where built with it) for the rest. 0, or -1
 * when the stream is corrupt or does not hold exactly want bytes. */
int pack_inflate(struct pack_scratch *sc, const unsigned char *in, size_t n, unsigned char *out,
		 size_t want);

enum pack_status { PACK_PENDING = 0, PACK_DONE = 1, PACK_FAILED = 2 };

/* Number of claimed blobs. */
size_t packs_nclaimed(const struct packs *ps);
/* If oid is a blob this reader claims, returns 1 and its status (only
 * meaningful once every family has run); else 0. */
int packs_claimed(const struct packs *ps, const git_oid *oid, enum pack_status *status);
/* Calls fn for every claimed blob with its status. */
void packs_foreach_claimed(const struct packs *ps,
			   void (*fn)(const git_oid *oid, enum pack_status st, void *payload),
			   void *payload);

/* Is oid held by a pack only in an entry whose header does not parse (and
 * by no other pack)? Such an object is damaged; the caller reports it
 * rather than let libgit2 parse the garbage (libgit2 1.5 reads
 * uninitialised memory on some). A loose copy is not looked for: libgit2
 * would read the packed one first anyway. */
int packs_damaged(const struct packs *ps, const git_oid *oid);

/* The declared size of commit, tree or tag oid (for a delta, the size it
 * builds), if some pack holds it: 1 and *size set, else 0. Lets a caller
 * refuse an oversized object before reading it. */
int packs_meta_size(const struct packs *ps, const git_oid *oid, uint64_t *size);

/* The names of the .idx files in pack_dir (a pack's objects/pack), sorted
 * so that packs are always read in the same order; *names and each name
 * are malloc'd (free both). Returns how many; 0 when it cannot be read. */
size_t pack_idx_names(const char *pack_dir, char ***names);

/* The checks both pack readers make of untrusted index and pack bytes.
 * pack_idx_check: idx[0..len) is an .idx v2 whose fan-out never goes down
 * and that has room for the n objects its fan-out counts; 0 with *n set,
 * or -1. Only then may the two functions below be used on it.
 * pack_idx_lookup: binary search for a 20-byte name; its position, or
 * UINT32_MAX when absent.
 * pack_idx_offset: the pack offset of position pos (< n); -1 when it names
 * an entry past the end of the large-offset table.
 * pack_header_check: the 12-byte .pack header says a v2 or v3 pack of n
 * objects; 0 or -1. */
int pack_idx_check(const unsigned char *idx, size_t len, uint32_t *n);
uint32_t pack_idx_lookup(const unsigned char *idx, const unsigned char *name);
int pack_idx_offset(const unsigned char *idx, size_t len, uint32_t n, uint32_t pos,
		    uint64_t *off);
int pack_header_check(const unsigned char *hdr, uint32_t n);

/* The two parsers of untrusted pack bytes, exposed for tests and fuzzing.
 * pack_parse_header: an object header at pack offset off (avail bytes
 * readable at h): type (1-4 or 6/7), size, header length, and a delta's
 * base offset or base name. 0, or -1 when malformed or truncated.
 * pack_apply_delta: git's delta format applied to base; a new buffer of
 * *len bytes (plus a NUL), or NULL when the delta is malformed, does not
 * fit its base, or would build more than max_len bytes. */
int pack_parse_header(const unsigned char *h, size_t avail, uint64_t off, int *type,
		      uint64_t *size, unsigned *hdrlen, uint64_t *base_off,
		      const unsigned char **base_name);
unsigned char *pack_apply_delta(const unsigned char *base, size_t base_len,
				const unsigned char *d, size_t dlen, uint64_t max_len, size_t *len);

#endif
