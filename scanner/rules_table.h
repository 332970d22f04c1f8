/* rules_table.h - the default rules as C data, generated at build time.
 *
 * tools/rule-table.c loads rules/ *.yml with keyhound's own loader
 * (rules.c), compiles and checks every pattern, resolves named secret
 * groups to numbers, and writes these tables ($(BUILD)/rules_table.c).
 * At run time rules_defaults.c copies them into a rule_set: no YAML is
 * parsed and no pattern is compiled until a rule is first needed, so a
 * pre-commit hook starts in well under a millisecond of rule work instead
 * of several. The YAML stays the one source: tests check that the tables
 * and the files load to the same rules.
 */
#ifndef KH_RULES_TABLE_H
#define KH_RULES_TABLE_H

#include <stddef.h>

struct builtin_strs {
	const char *const *v;
	size_t n;
};

struct builtin_allow {
	struct builtin_strs paths, regexes, lines, stopwords, commits;
};

struct builtin_verify {
	const char *provider, *base_url, *method, *path;
	struct builtin_strs headers, live_status, invalid_status, live_body, invalid_body,
		quota_body, identity_field, identity_header, unknown_body;
};

struct builtin_rule {
	const char *id, *description, *remediation, *source, *pattern, *checksum;
	int severity;
	int secret_group;       /* resolved: a named group is stored by number */
	unsigned ngroups;       /* capture groups in the pattern */
	double min_entropy;
	size_t max_length;
	int context_only;
	struct builtin_strs keywords, examples, negative_examples, references;
	struct builtin_allow allow;
	const struct builtin_verify *verify; /* NULL when none */
};

extern const struct builtin_rule builtin_rules[];
extern const size_t builtin_rules_count;

#endif
