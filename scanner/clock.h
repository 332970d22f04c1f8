/* clock.h - monotonic seconds, for progress lines, timeouts and the
 * scan's duration in reports. Not wall-clock time: never for dates. */
#ifndef KH_CLOCK_H
#define KH_CLOCK_H

#include <time.h>

static inline double clock_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
