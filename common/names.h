#pragma once
/* names: host names and IP addresses as RFC 2818/6125 match them against a
 * certificate's subjectAltNames: wildcards in the left-most label only, no
 * partial wildcards, no wildcard directly over a public suffix; and the 3GPP
 * XCAP/BSF name forms. Pure functions; never log. */

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

/* If s is an IPv4 or IPv6 address literal, stores its bytes (4 or 16) and
 * returns true. */
bool names_parse_ip(const char *s, unsigned char out[16], size_t *ret_len);

/* A syntactically valid DNS host name (LDH labels, 1..63 each, total <= 253,
 * optional trailing dot), not an IP literal. Wildcards are not host names. */
bool names_is_hostname(const char *s);

/* A public suffix (com, co.uk, 3gppnetwork.org, ...), from a compact built-in
 * table; case-insensitive. */
bool names_is_public_suffix(const char *domain);

typedef enum NamesWildcard {
        NAMES_WILDCARD_NONE,        /* no '*' at all */
        NAMES_WILDCARD_OK,          /* "*.example.com" */
        NAMES_WILDCARD_PARTIAL,     /* "w*.example.com", "*w.example.com" */
        NAMES_WILDCARD_NOT_LEFTMOST,/* "www.*.example.com", "*.*.example.com" */
        NAMES_WILDCARD_PUBLIC,      /* "*.com", "*.co.uk": directly over a public suffix */
        NAMES_WILDCARD_TOO_SHORT,   /* "*" or "*." */
} NamesWildcard;

NamesWildcard names_classify_wildcard(const char *pattern);

/* Whether a DNS SAN pattern covers host (case-insensitive, trailing dots
 * ignored). A wildcard covers exactly one label and only when
 * names_classify_wildcard() says OK. */
bool names_dns_matches(const char *pattern, const char *host);

/* Whether cert's subjectAltNames cover name (a host name or an IP address
 * literal). The CN is never consulted (RFC 2818). */
bool names_cert_covers(X509 *cert, const char *name);

/* The DNS and IP SANs of cert, as newly allocated NULL-terminated string
 * lists (IPs in text form). Either out pointer may be NULL. Returns 0 or
 * -ENOMEM; a certificate without a SAN extension gives empty lists and
 * *ret_has_san = false. */
int names_cert_sans(X509 *cert, char ***ret_dns, char ***ret_ip, bool *ret_has_san);

/* "xcap.ims.mnc001.mcc001.pub.3gppnetwork.org" for prefix "xcap", mcc 1,
 * mnc 1 (both padded to three digits). Returns a malloc'd string or NULL on
 * OOM or out-of-range codes (0..999). */
char *names_3gpp(const char *prefix, int mcc, int mnc);

/* Whether name has the 3GPP form <prefix>.ims.mncNNN.mccNNN.pub.3gppnetwork.org
 * (exactly three digits each); if so and ret_mcc/ret_mnc are non-NULL, stores
 * the codes. */
bool names_is_3gpp_form(const char *name, const char *prefix, int *ret_mcc, int *ret_mnc);
