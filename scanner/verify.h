/* verify.h - asking each secret's own provider whether it still works (--verify).
 *
 * Checks each distinct secret once (per fingerprint) with the read-only
 * request described by its built-in rule, and marks every finding holding
 * it live, invalid or unknown. Never logs or prints a secret.
 */
#ifndef KH_VERIFY_H
#define KH_VERIFY_H

#include "finding.h"
#include "rules.h"
#include "stats.h"

/* Marks every finding in fl; problems (network errors) go to stats as
 * warnings, never as scan errors. */
void verify_findings(struct finding_list *fl, const struct rule_set *rs,
		     struct scan_stats *stats);

#endif
