/* envflag.h - the KEYHOUND_* switches read from the environment
 * (KEYHOUND_NO_SIMD, KEYHOUND_NO_JIT, KEYHOUND_READ_HOLES): on when set to
 * anything but the empty string or "0". Header-only, pure.
 */
#ifndef KH_ENVFLAG_H
#define KH_ENVFLAG_H

#include <stdlib.h>
#include <string.h>

static inline int env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

#endif
