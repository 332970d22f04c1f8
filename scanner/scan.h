/* scan.h - content in, findings out: prefilter, PCRE2 rules, gates, dedup.
 *
 * Knows no source and no report format. The rule_set is shared read-only;
 * each thread owns one scan_scratch (match data, JIT stack, buffers).
 */
#ifndef KH_SCAN_H
#define KH_SCAN_H

#include "content.h"
#include "err.h"
#include "finding.h"
#include "rules.h"
#include "stats.h"

struct scan_scratch;

/* Allocates per-thread scratch for rs (which must be compiled). */
struct scan_scratch *scan_scratch_new(const struct rule_set *rs);
void scan_scratch_free(struct scan_scratch *s);

/* Scans one window of content and appends findings (path copied from
 * c->path, raw secret and redacted form filled, fingerprint left empty) to
 * out. Inline `keyhound:allow` comments and rule/global secret and line
 * allowlists mark findings as suppressed; they are still appended. Overlapping
 * spans from several rules give one finding. PCRE2 limit hits are recorded
 * in stats (as problems) and scanning continues. Returns 0; <0 only on a
 * condition that makes the whole scan meaningless. */
int scan_content(const struct rule_set *rs, struct scan_scratch *s,
		 const struct content *c, struct finding_list *out,
		 struct scan_stats *stats, struct err *err);

#endif
