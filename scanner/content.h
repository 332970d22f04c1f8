/* content.h - the currency between sources and the scanner. Nothing here is owned.
 *
 * A source (directory walk, git blobs, index, stdin) hands the scanner one
 * window of an item's bytes at a time. Large items are cut into overlapping
 * windows: matches are reported only when they start inside [own_start,
 * own_end), so a key across a window boundary is found exactly once, and line
 * numbers are counted only inside the own region.
 */
#ifndef KH_CONTENT_H
#define KH_CONTENT_H

#include <stddef.h>
#include <stdint.h>

struct content {
	const unsigned char *data; /* valid only during the callback */
	size_t len;
	size_t own_start, own_end; /* the region this window is responsible for */
	uint64_t base_offset;      /* absolute offset of data[0] within the item */
	uint64_t own_line;         /* 1-based line number at data[own_start] */
	uint64_t own_line_start;   /* absolute offset where that line begins */
	const char *path;          /* display path, for messages; may be NULL */
	const char *rel_path;      /* path relative to the config root, matched by
				    * allowlist globs; NULL = same as path */
};

/* A whole item in one window. */
static inline void content_whole(struct content *c, const void *data, size_t len,
				 const char *path)
{
	c->data = (const unsigned char *)data;
	c->len = len;
	c->own_start = 0;
	c->own_end = len;
	c->base_offset = 0;
	c->own_line = 1;
	c->own_line_start = 0;
	c->path = path;
	c->rel_path = NULL;
}

#endif
