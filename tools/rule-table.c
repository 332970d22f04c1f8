/* rule-table.c - build-time tool: the default rules as C tables.
 *
 *   rule-table rules/NAME.yml...  > rules_table.c
 *
 * Loads each file with keyhound's own loader (rules.c) under the name the
 * binary reports ("builtin:rules/x.yml"), compiles every pattern and
 * allowlist (so a bad pattern fails the build, naming rule and offset),
 * resolves named secret groups to numbers, and writes the struct
 * builtin_rule tables of scanner/rules_table.h. Strings are written with
 * octal escapes for every byte outside printable ASCII, so any content
 * round-trips exactly. Exit 1 with a message on stderr on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"

static void put_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("NULL", stdout);
		return;
	}
	putchar('"');
	for (; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '?')
			putchar(*p);
		else
			printf("\\%03o", *p); /* three digits: never runs into the next */
	}
	putchar('"');
}

/* Writes the array for a list as static sNNN and returns NNN, or -1 if empty. */
static long put_array(const struct strlist *l, long *next)
{
	size_t i;
	long id;

	if (!l->n)
		return -1;
	id = (*next)++;
	printf("static const char *const s%ld[] = {", id);
	for (i = 0; i < l->n; i++) {
		put_str(l->v[i]);
		fputs(i + 1 < l->n ? ", " : "};\n", stdout);
	}
	return id;
}

static void put_ref(long id, size_t n)
{
	if (id < 0)
		fputs("{NULL, 0}", stdout);
	else
		printf("{s%ld, %zu}", id, n);
}

struct refs { long v[32]; int n; };

static void arr(struct refs *r, const struct strlist *l, long *next)
{
	r->v[r->n++] = put_array(l, next);
}

static void refs_put(const struct refs *r, int at, const struct strlist *l)
{
	put_ref(r->v[at], l->n);
}

static void sep(const char *s)
{
	fputs(s, stdout);
}

static void put_verify(const struct verify_spec *v, size_t i, long *next)
{
	struct refs g = {{0}, 0};

	arr(&g, &v->headers, next);
	arr(&g, &v->live_status, next);
	arr(&g, &v->invalid_status, next);
	arr(&g, &v->live_body, next);
	arr(&g, &v->invalid_body, next);
	arr(&g, &v->quota_body, next);
	arr(&g, &v->identity_field, next);
	arr(&g, &v->identity_header, next);
	arr(&g, &v->unknown_body, next);
	printf("static const struct builtin_verify v%zu = {", i);
	put_str(v->provider);
	sep(", ");
	put_str(v->base_url);
	sep(", ");
	put_str(v->method);
	sep(", ");
	put_str(v->path);
	sep(",\n\t");
	refs_put(&g, 0, &v->headers);
	sep(", ");
	refs_put(&g, 1, &v->live_status);
	sep(", ");
	refs_put(&g, 2, &v->invalid_status);
	sep(", ");
	refs_put(&g, 3, &v->live_body);
	sep(", ");
	refs_put(&g, 4, &v->invalid_body);
	sep(", ");
	refs_put(&g, 5, &v->quota_body);
	sep(", ");
	refs_put(&g, 6, &v->identity_field);
	sep(", ");
	refs_put(&g, 7, &v->identity_header);
	sep(", ");
	refs_put(&g, 8, &v->unknown_body);
	sep("};\n");
}

/* One initializer of builtin_rules[], in struct builtin_rule's field order. */
static void put_rule(const struct rule *r, const struct refs *f, size_t i)
{
	const struct allowlist *al = &r->allow;

	sep("{\n\t");
	put_str(r->id);
	sep(",\n\t");
	put_str(r->description);
	sep(",\n\t");
	put_str(r->remediation);
	sep(",\n\t");
	put_str(r->source);
	sep(",\n\t");
	put_str(r->pattern);
	sep(",\n\t");
	put_str(r->checksum);
	printf(",\n\t%d, %d, %u, %.17g, %zu, %d,\n\t", (int)r->severity, r->secret_group,
	       r->ngroups, r->min_entropy, r->max_length, r->context_only);
	refs_put(f, 0, &r->keywords);
	sep(", ");
	refs_put(f, 1, &r->examples);
	sep(", ");
	refs_put(f, 2, &r->negative_examples);
	sep(", ");
	refs_put(f, 3, &r->references);
	sep(",\n\t{");
	refs_put(f, 4, &al->paths);
	sep(", ");
	refs_put(f, 5, &al->regexes);
	sep(", ");
	refs_put(f, 6, &al->lines);
	sep(", ");
	refs_put(f, 7, &al->stopwords);
	sep(", ");
	refs_put(f, 8, &al->commits);
	if (r->verify)
		printf("},\n\t&v%zu},\n", i);
	else
		sep("},\n\tNULL},\n");
}

static int read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *b;

	if (!f)
		return -1;
	b = malloc(cap);
	while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	if (!b || ferror(f)) {
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = b;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	struct rule_set rs;
	struct err err = {0, ""};
	struct refs *f;
	long next = 0;
	size_t i;
	int a;

	rule_set_init(&rs);
	for (a = 1; a < argc; a++) {
		char name[1024], *text;
		size_t len;
		if (read_file(argv[a], &text, &len) < 0) {
			perror(argv[a]);
			return 1;
		}
		snprintf(name, sizeof(name), "builtin:%s", argv[a]);
		if (rule_set_load_yaml(&rs, text, len, name, 1, &err)) {
			fprintf(stderr, "rule-table: %s\n", err.msg);
			free(text);
			return 1;
		}
		free(text);
	}
	if (rule_set_compile(&rs, &err)) {
		fprintf(stderr, "rule-table: %s\n", err.msg);
		return 1;
	}
	if (rs.allow.paths.n || rs.allow.regexes.n || rs.allow.lines.n || rs.allow.stopwords.n ||
	    rs.allow.commits.n || rs.disabled.n || rs.fingerprint_key) {
		fprintf(stderr, "rule-table: built-in rule files hold only rules: a global "
			"allowlist, disable or fingerprint-key belongs in a config\n");
		return 1;
	}
	printf("/* generated by tools/rule-table.c from rules/; do not edit */\n"
	       "#include \"rules_table.h\"\n\n");
	f = calloc(rs.n ? rs.n : 1, sizeof(*f));
	if (!f)
		return 1;
	for (i = 0; i < rs.n; i++) { /* the string arrays and verifiers first */
		const struct rule *r = &rs.rules[i];
		const struct allowlist *al = &r->allow;
		arr(&f[i], &r->keywords, &next);
		arr(&f[i], &r->examples, &next);
		arr(&f[i], &r->negative_examples, &next);
		arr(&f[i], &r->references, &next);
		arr(&f[i], &al->paths, &next);
		arr(&f[i], &al->regexes, &next);
		arr(&f[i], &al->lines, &next);
		arr(&f[i], &al->stopwords, &next);
		arr(&f[i], &al->commits, &next);
		if (r->verify)
			put_verify(r->verify, i, &next);
	}
	printf("\nconst struct builtin_rule builtin_rules[] = {\n");
	for (i = 0; i < rs.n; i++)
		put_rule(&rs.rules[i], &f[i], i);
	printf("};\nconst size_t builtin_rules_count = %zu;\n", rs.n);
	free(f);
	rule_set_release(&rs);
	return ferror(stdout) ? 1 : 0;
}
