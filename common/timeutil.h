#pragma once
/* timeutil: RFC 3339 time stamps in and out, days between two times.
 * Returns >= 0 or negative errno; never logs. */

#include <stddef.h>
#include <time.h>

#include <openssl/asn1.h>

/* "2026-11-23T10:00:00Z", "2026-11-23T10:00:00+01:00", "2026-11-23" (midnight UTC). */
int time_parse_rfc3339(const char *s, time_t *ret);

/* Formats t as "2026-11-23T10:00:00Z" into buf (at least 21 bytes). */
char *time_format_rfc3339(time_t t, char *buf, size_t size);

/* Converts an ASN1_TIME to time_t. */
int time_from_asn1(const ASN1_TIME *a, time_t *ret);
