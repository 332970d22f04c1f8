/* suppress.h - suppressions decided after the scan: .keyhoundignore and --baseline.
 *
 * Suppressed findings stay in the list (flagged), so every report can count
 * them and a silenced leak is never invisible.
 */
#ifndef KH_SUPPRESS_H
#define KH_SUPPRESS_H

#include "err.h"

struct session;

/* Reads ROOT/.keyhoundignore (one fingerprint per line, optionally followed
 * by a path; `#` starts a comment) and the --baseline JSON report, and marks
 * matching findings (fingerprints must be made already). Returns 0, or <0
 * when the baseline cannot be read or an ignore line is not a fingerprint
 * (message names file and line). */
int suppress_apply(struct session *s, struct err *err);

#endif
