/* placeholder.c - placeholders and published example keys (see placeholder.h).
 *
 * Why a random key never matches (the numbers are per position of a key over
 * a 62-64 character alphabet; a 40-character key has 40 positions):
 * - template and mask syntax (`${`, `{{`, `<token>`, `****`, `…`) uses bytes
 *   that key alphabets do not contain;
 * - a word counts only when its case is consistent (all lower, all upper,
 *   Capitalized, or the listed camel case), and a word shorter than six
 *   characters only when it stands apart (after or before a non-alphanumeric
 *   byte, or at the secret's edge): "your_" in a random key has a
 *   chance of about 3 / 64^5 * 2 / 64, 1e-10 per position;
 * - runs of one character count from 7 in keys whose alphabet is larger than
 *   hex (32^-6, 1e-9 per position) and from 10 in hex or digit keys (16^-9
 *   and 10^-9; hex keys are in one case, so mixed-case hex letters count as
 *   a larger alphabet);
 *   only in secrets of at most 128 bytes (PEM and SSH key bodies hold long
 *   runs of 'A' legitimately);
 * - `xxxx` masks count only when x makes up half of the secret;
 * - published examples are compared exactly (substring, case-sensitive).
 */
#include <string.h>
#include "bytes.h"
#include "placeholder.h"

/* Documentation example keys, each published by its provider (or by the
 * tool that everyone copies), split so that this file holds none whole. */
static const char *const published_examples[] = {
	/* AWS: IAM user guide access key pair (the EXAMPLE words catch the
	 * rest of AWS's samples) */
	"AKIAIOSFODNN7" "EXAMPLE",
	"wJalrXUtnFEMI/K7MDENG/" "bPxRfiCYEXAMPLEKEY",
	/* Stripe: the test keys in Stripe's API reference, old and new */
	"sk_test_" "4eC39HqLyjWDarjtT1zdp7dc",
	"pk_test_" "TYooMQauvdEDq54NiTphI7jx",
	"sk_test_" "BQokikJOvBiI2HlWgH4olfQ2",
	"pk_test_" "6pRNASCoBOKtIshFeQd4XMUh",
	/* JWT.io's sample token signature (HS256, old and new secret); the
	 * signature identifies the sample whatever the header says */
	"SflKxwRJSMeKKF2QT4fwpMeJf36" "POk6yJV_adQssw5c",
	"KMUFsIDTnFmyG3nMiGM6H9FNFUR" "Of3wh7SmqJp-QV30",
	/* GitHub documentation's sample token body (ghp_, gho_, ghu_, ghs_) */
	"16C7e42F292c6912E7710c8" "38347Ae178B4a",
	/* Slack API documentation's sample bot token */
	"xoxb-17653672481-19874698323-" "pdFZKVeTuE8sk7oOcBrzbqgy",
	NULL,
};

/* Substrings that mark a template, a mask or an environment lookup; their
 * bytes are not in any key alphabet, so they are compared as they are. */
static const char *const syntax[] = {
	"${", "{{", "}}", "$(", "%(", "<%", "#{", "[[", "****", "....", "###",
	"\xe2\x80\xa6", /* U+2026, as in reports' redacted form sk-proj-…wxyz */
	"os.environ", "os.getenv", "getenv(", "process.env", "import.meta.env",
	"env[", "ENV[", "env(", "ENV(", "environ[",
	NULL,
};

/* Words of "your key here" documentation; see the top of the file for the
 * case rule. */
static const char *const words[] = {
	"example", "placeholder", "changeme", "change_me", "change-me", "dummy", "sample",
	"redacted", "your_", "your-", "yourkey", "yourapi", "yoursecret", "yourtoken",
	"YourKey", "YourApi", "YourSecret", "YourToken", "replaceme", "replace_me",
	"replace-me", "ReplaceMe", "insert_", "insert-", "_here", "-here", "KeyHere",
	"TokenHere", "SecretHere", "foobar", "notreal", "not_real", "not-real", "fake_",
	"fake-", "qwerty", "0123456789", "123456789", "abcdefgh",
	NULL,
};

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

/* Is the case of the letters in s[0, n) consistent: all lower, all upper,
 * Capitalized, or exactly as the word is listed? */
static int case_consistent(const unsigned char *s, const char *w, size_t n)
{
	size_t i, up = 0, low = 0, first = n;

	for (i = 0; i < n; i++) {
		if (is_upper(s[i]) || is_lower(s[i])) {
			if (first == n)
				first = i;
			up += is_upper(s[i]);
			low += is_lower(s[i]);
		}
	}
	if (!up || !low)
		return 1;
	if (up == 1 && is_upper(s[first]))
		return 1;
	return !memcmp(s, w, n);
}

static int is_alnum(unsigned char c)
{
	return is_upper(c) || is_lower(c) || (c >= '0' && c <= '9');
}

/* Words shorter than SHORT_WORD must stand apart where they have letters:
 * a word starting with a letter follows the start or a non-alphanumeric
 * byte; one ending with a letter precedes the end or a non-alphanumeric
 * byte. (A camel-case hump as a boundary would let "_Here" match one random
 * 164-character key in 500,000.) */
#define SHORT_WORD 6
static int delimited(const unsigned char *p, size_t len, size_t i, size_t wl)
{
	unsigned char first = p[i], last = p[i + wl - 1];

	if (wl >= SHORT_WORD)
		return 1;
	if ((is_upper(first) || is_lower(first)) && i > 0 && is_alnum(p[i - 1]))
		return 0;
	if ((is_upper(last) || is_lower(last)) && i + wl < len && is_alnum(p[i + wl]))
		return 0;
	return 1;
}

static int contains_word(const unsigned char *p, size_t len, const char *w)
{
	size_t wl = strlen(w), i, k;

	for (i = 0; i + wl <= len; i++) {
		for (k = 0; k < wl; k++)
			if (lower(p[i + k]) != lower((unsigned char)w[k]))
				break;
		if (k == wl && case_consistent(p + i, w, wl) && delimited(p, len, i, wl))
			return 1;
	}
	return 0;
}

/* `<token>`, `<YOUR KEY>`, `<api-key>`: an angle-bracketed name. */
static int angle_template(const unsigned char *p, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i++) {
		int letter = 0;
		if (p[i] != '<')
			continue;
		for (j = i + 1; j < len && j - i <= 64; j++) {
			unsigned char c = p[j];
			if (c == '>') {
				if (letter)
					return 1;
				break;
			}
			if (is_upper(c) || is_lower(c))
				letter = 1;
			else if (!(c >= '0' && c <= '9') && c != ' ' && c != '_' && c != '-' &&
				 c != '.' && c != ':' && c != '/')
				break;
		}
	}
	return 0;
}

/* A mask of x's: a run of at least four, and x makes up half of it. */
static int x_mask(const unsigned char *p, size_t len)
{
	size_t i, run = 0, longest = 0, n = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == 'x' || p[i] == 'X') {
			n++;
			if (++run > longest)
				longest = run;
		} else {
			run = 0;
		}
	}
	return longest >= 4 && n * 2 >= len;
}

/* Runs of one character, and secrets made of three characters or fewer. */
static int low_variety(const unsigned char *p, size_t len)
{
	unsigned char seen[256];
	size_t i, run = 1, longest = len ? 1 : 0, distinct = 0, need = 10;
	int lowhex = 0, uphex = 0;

	if (len > 128)
		return 0;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];
		/* hex keys are in one case: mixed-case hex letters are a larger alphabet */
		if (c >= 'a' && c <= 'f')
			lowhex = 1;
		else if (c >= 'A' && c <= 'F')
			uphex = 1;
		else if (!(c >= '0' && c <= '9'))
			need = 7;
		if (lowhex && uphex)
			need = 7;
		distinct += !seen[c];
		seen[c] = 1;
		if (i) {
			run = c == p[i - 1] ? run + 1 : 1;
			if (run > longest)
				longest = run;
		}
	}
	return longest >= need || (len >= 16 && distinct <= 3);
}

int placeholder_match(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; published_examples[i]; i++)
		if (bytes_contains(p, len, published_examples[i]))
			return 1;
	for (i = 0; syntax[i]; i++)
		if (bytes_contains(p, len, syntax[i]))
			return 1;
	for (i = 0; words[i]; i++)
		if (contains_word(p, len, words[i]))
			return 1;
	return angle_template(p, len) || x_mask(p, len) || low_variety(p, len);
}
