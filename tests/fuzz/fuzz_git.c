/* fuzz_git.c - arbitrary bytes through the parsers of a hostile repository's
 * objects: pack object headers (pack_parse_header), git's delta format
 * (pack_apply_delta) and tree objects (raw_tree_parse).
 *
 * The first input byte picks the parser; the rest is its input. For deltas
 * the input is split in two at a position given by the second byte: base and
 * delta. Invariants: a header that parses lies within the bytes given and
 * names a valid type; an applied delta has exactly the size its header
 * declares and never exceeds the limit; every parsed tree entry lies inside
 * the tree's bytes, with a non-empty name and a full object id. Never prints
 * except when an invariant breaks (then aborts).
 */
#include "fuzz.h"
#include "git_pack.h"
#include "git_tree_raw.h"

#define DELTA_LIMIT (1u << 20) /* result bytes a fuzzed delta may build */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void fuzz_header(const uint8_t *d, size_t n)
{
	uint64_t size = 0, base_off = 0, off = 1u << 20;
	const unsigned char *base_name = NULL;
	unsigned hdrlen = 0;
	int type = 0;

	if (pack_parse_header(d, n, off, &type, &size, &hdrlen, &base_off, &base_name) < 0)
		return;
	FUZZ_CHECK(hdrlen >= 1 && hdrlen <= n);
	FUZZ_CHECK((type >= 1 && type <= 4) || type == 6 || type == 7);
	if (type == 6)
		FUZZ_CHECK(base_off < off);
	if (type == 7)
		FUZZ_CHECK(base_name >= d && base_name + 20 <= d + hdrlen);
}

/* The result size a delta declares (its second varint), or UINT64_MAX. */
static uint64_t declared(const uint8_t *d, size_t n)
{
	uint64_t v[2] = {0, 0};
	size_t i = 0, k;

	for (k = 0; k < 2; k++) {
		unsigned shift = 0;
		uint8_t c;
		do {
			if (i >= n || shift > 63)
				return UINT64_MAX;
			c = d[i++];
			v[k] |= (uint64_t)(c & 0x7f) << shift;
			shift += 7;
		} while (c & 0x80);
	}
	return v[1];
}

static void fuzz_delta(const uint8_t *d, size_t n)
{
	size_t split, len = 0;
	unsigned char *out;

	if (n < 1)
		return;
	split = d[0] % n;
	d++;
	n--;
	if (split > n)
		split = n;
	out = pack_apply_delta(d, split, d + split, n - split, DELTA_LIMIT, &len);
	if (!out)
		return;
	FUZZ_CHECK(len <= DELTA_LIMIT);
	FUZZ_CHECK(len == declared(d + split, n - split));
	FUZZ_CHECK(out[len] == '\0');
	free(out);
}

static void fuzz_tree(const uint8_t *d, size_t n)
{
	struct raw_tree t;
	const char *why = NULL;
	size_t i;

	raw_tree_init(&t);
	if (raw_tree_parse(&t, d, n, &why) == 0) {
		for (i = 0; i < t.n; i++) {
			const struct raw_entry *e = &t.v[i];
			FUZZ_CHECK(e->namelen > 0);
			FUZZ_CHECK((const uint8_t *)e->name >= d && (const uint8_t *)e->name < d + n);
			FUZZ_CHECK(e->id + 20 <= d + n);
			FUZZ_CHECK(raw_entry_cmp(e, e) == 0);
			if (i)
				(void)raw_entry_cmp(&t.v[i - 1], e);
		}
	} else {
		FUZZ_CHECK(why != NULL);
	}
	raw_tree_release(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_header(data + 1, size - 1);
		break;
	case 1:
		fuzz_delta(data + 1, size - 1);
		break;
	default:
		fuzz_tree(data + 1, size - 1);
		break;
	}
	return 0;
}
