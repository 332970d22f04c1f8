/* report_util.h - helpers shared by the report writers: strings, stats. */
#ifndef KH_REPORT_UTIL_H
#define KH_REPORT_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include "stats.h"

/* Length (1-4) of the valid UTF-8 sequence at p (n bytes readable), or 0
 * when it is not valid UTF-8; any ASCII byte, NUL included, counts 1. */
size_t utf8_seq_len(const unsigned char *p, size_t n);
/* Copies s[0, len) replacing invalid UTF-8 (and NUL) with U+FFFD; *exact (if
 * not NULL) is set to 0 when anything was replaced. Returns a new string. */
char *utf8_valid_copy(const char *s, size_t len, int *exact);
/* Percent-encodes every byte outside unreserved URI characters and '/'.
 * Returns a new string. */
char *percent_encode(const char *s);
/* The counters of a scan's stats as a JSON object (the JSON report's
 * "stats" without its "problems"; SARIF's invocation properties). */
json_t *report_stats_counts(const struct scan_stats *s);

#endif
