/* report.c - report format names, dispatch, and terminal sanitizing.
 *
 * Writers only format; this file picks one and owns the one function every
 * writer (and every error message) uses to make bytes safe for a terminal.
 */
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "report.h"
#include "report_util.h"
#include "xalloc.h"

int report_format_parse(const char *s)
{
	if (!strcmp(s, "text"))
		return REPORT_TEXT;
	if (!strcmp(s, "json"))
		return REPORT_JSON;
	if (!strcmp(s, "sarif"))
		return REPORT_SARIF;
	return -1;
}

int report_write(enum report_format fmt, FILE *out, const struct finding_list *fl,
		 const struct report_opts *o, struct err *err)
{
	switch (fmt) {
	case REPORT_JSON:
		return report_json_write(out, fl, o, err);
	case REPORT_SARIF:
		return report_sarif_write(out, fl, o, err);
	case REPORT_TEXT:
	default:
		return report_text_write(out, fl, o, err);
	}
}

/* Like utf8_seq_len, but C1 controls (U+0080..U+009F), which some
 * terminals obey as escapes, count as invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t l = utf8_seq_len(p, n);

	return l == 2 && p[0] == 0xc2 && p[1] < 0xa0 ? 0 : l;
}

char *sanitize_for_terminal(const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;
	size_t i = 0;

	buf_init(&b, 0);
	while (i < len) {
		size_t l = utf8_len(p + i, len - i);
		if (l == 1 && p[i] >= 0x20 && p[i] != 0x7f && p[i] != '\\') {
			buf_addch(&b, (char)p[i]);
		} else if (l > 1) {
			buf_add(&b, p + i, l);
			i += l;
			continue;
		} else if (p[i] == '\\') {
			buf_adds(&b, "\\\\");
		} else if (p[i] == '\n') {
			buf_adds(&b, "\\n");
		} else if (p[i] == '\t') {
			buf_adds(&b, "\\t");
		} else if (p[i] == '\r') {
			buf_adds(&b, "\\r");
		} else {
			char esc[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
			buf_add(&b, esc, 4);
		}
		i++;
	}
	return buf_detach(&b, NULL);
}
