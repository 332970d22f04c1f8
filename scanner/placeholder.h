/* placeholder.h - is a matched secret a placeholder or a published example?
 *
 * Documentation, templates and config samples are full of values shaped like
 * keys: `sk-xxxx…`, `YOUR_API_KEY`, `<token>`, `${OPENAI_API_KEY}`,
 * `process.env.X`, runs of one character, and the example keys that
 * providers print in their documentation (AWS's AKIAIOSFODNN7EXAMPLE, Stripe's
 * test keys, JWT.io's token, ...). The scanner drops them. The checks are
 * chosen so that a random key of 40 characters matches one with a
 * probability below one in a million (tests/unit/test_placeholder.c
 * measures it). A pure function over bytes; knows nothing about rules.
 */
#ifndef KH_PLACEHOLDER_H
#define KH_PLACEHOLDER_H

#include <stddef.h>

/* 1 if secret p[0, len) is a placeholder or a known documentation example,
 * else 0. */
int placeholder_match(const unsigned char *p, size_t len);

#endif
