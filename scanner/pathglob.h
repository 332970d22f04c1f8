/* pathglob.h - matching a path against an allowlist glob, the way
 * .gitignore patterns match (git's gitignore(5), in brief).
 *
 *  - `*` and `?` match within one path component, never across a `/`;
 *    `[...]` is a character class. A whole component `**` matches any
 *    number of components, none included: `a/` + `**` is everything below
 *    a, `**` + `/b` is b at any depth.
 *  - A pattern with no `/` (but maybe a trailing one) matches a file or
 *    directory name at any depth: `*.md`, `vendor`, `fixtures/`.
 *  - A pattern with a `/` is anchored at the top (relative to the config
 *    root; a leading `/` is allowed): `docs/` + `*.md`, `/build`.
 *  - A pattern matching a directory matches everything below it; a trailing
 *    `/` means the pattern names a directory only.
 *  - A leading `./` on the path or the pattern is ignored.
 * Pure function; no allocation.
 */
#ifndef KH_PATHGLOB_H
#define KH_PATHGLOB_H

/* 1 if path (relative, '/'-separated) matches glob, else 0. */
int pathglob_match(const char *glob, const char *path);

#endif
