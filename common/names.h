#pragma once
/* names: host names and IP addresses as RFC 2818/6125 match them against a
 * certificate's subjectAltNames: wildcards in the left-most label only, no
 * partial wildcards, no wildcard directly over a public suffix; how a subject
 * CN relates to the subjectAltNames; and the 3GPP XCAP/BSF name forms. Pure
 * functions; never log. */

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
 * table; case-insensitive. ICANN suffixes only: see names_is_private_suffix(). */
bool names_is_public_suffix(const char *domain);

/* A suffix from the private section of the Public Suffix List (github.io,
 * s3.amazonaws.com, ...): a domain whose owner hands out names below it to
 * different customers. From a compact built-in table of common entries;
 * case-insensitive. */
bool names_is_private_suffix(const char *domain);

typedef enum NamesWildcard {
        NAMES_WILDCARD_NONE,         /* no '*' at all */
        NAMES_WILDCARD_OK,           /* "*.example.com" */
        NAMES_WILDCARD_PARTIAL,      /* "w*.example.com", "*w.example.com" */
        NAMES_WILDCARD_NOT_LEFTMOST, /* "www.*.example.com", "*.*.example.com" */
        NAMES_WILDCARD_PUBLIC,       /* "*.com", "*.co.uk": directly over a public suffix */
        NAMES_WILDCARD_TOO_SHORT,    /* "*" or "*." */
        NAMES_WILDCARD_INVALID,      /* "*.exa_mple.com", "*.a..b": not a host name after "*." */
        NAMES_WILDCARD_PRIVATE,      /* "*.github.io": directly over a private-section suffix
                                      * (names_is_private_suffix()); matches like OK unless
                                      * NAMES_MATCH_STRICT is given */
} NamesWildcard;

NamesWildcard names_classify_wildcard(const char *pattern);

/* A dNSName as CAs may issue it: a host name (names_is_hostname()) or a
 * wildcard that names_classify_wildcard() finds well formed (OK, PUBLIC or
 * PRIVATE: where it stands is judged elsewhere). Not ".example.com", "",
 * "a..b", "w*.example.com", "*.exa_mple.com". */
bool names_is_valid_dns_san(const char *s);

typedef enum NamesMatchFlags {
        NAMES_MATCH_DEFAULT = 0,
        NAMES_MATCH_STRICT = 1 << 0, /* a NAMES_WILDCARD_PRIVATE pattern matches nothing */
} NamesMatchFlags;

/* Whether a DNS SAN pattern covers host (case-insensitive, trailing dots
 * ignored). A wildcard covers exactly one label and only when
 * names_classify_wildcard() says OK (or PRIVATE, without NAMES_MATCH_STRICT). */
bool names_dns_matches(const char *pattern, const char *host);
bool names_dns_matches_flags(const char *pattern, const char *host, NamesMatchFlags flags);

/* Whether cert's subjectAltNames cover name (a host name or an IP address
 * literal). The CN is never consulted (RFC 2818). */
bool names_cert_covers(X509 *cert, const char *name);
bool names_cert_covers_flags(X509 *cert, const char *name, NamesMatchFlags flags);

typedef enum NamesCn {
        NAMES_CN_COPY,     /* byte for byte a dNSName, or the standard text of an iPAddress
                            * (192.0.2.1; RFC 5952 for IPv6, as inet_ntop() writes it) */
        NAMES_CN_MISSPELT, /* one of the SANs written another way: other letter case, an
                            * address not in its standard form (2001:DB8::1, 192.168.001.001,
                            * 0xC0A80101), the Unicode form of an xn-- name */
        NAMES_CN_UNICODE,  /* a host name written with Unicode labels ("bücher.example"),
                            * which no dNSName (ASCII only) can be a copy of */
        NAMES_CN_OTHER,    /* anything else: a label like "EE", another host name */
} NamesCn;

/* How the subject CN cn (its bytes, UTF-8) relates to cert's subjectAltNames
 * (CABF BR 7.1.4.3 wants a COPY). *ret_form (if non-NULL) gets, malloc'd, for
 * MISSPELT the SAN meant ("DNS:example.com", "IP:2001:db8::1", made printable
 * with findings_printable()), for UNICODE
 * the name's A-label form ("xn--bcher-kva.example"), NULL otherwise.
 * Returns 0, -EINVAL (NULL cert, cn or ret) or -ENOMEM. */
int names_cert_cn_match(X509 *cert, const char *cn, size_t cn_len, NamesCn *ret, char **ret_form);

/* The A-label (xn--) form of a host name written with Unicode labels:
 * each label holding non-ASCII UTF-8 is Punycode-encoded (RFC 3492) and
 * prefixed with "xn--"; ASCII labels are copied. No IDNA mapping (case
 * folding, normalization) is applied. Returns a malloc'd string, or NULL for
 * invalid UTF-8, a label too long, or on OOM (errno says which). */
char *names_to_alabel(const char *s, size_t len);

/* The DNS and IP SANs of cert, as newly allocated NULL-terminated string
 * lists (IPs in text form; DNS names made printable with findings_printable(),
 * so a name with control characters can be quoted in a message as it is).
 * Either out pointer may be NULL. Returns 0 or -ENOMEM; a certificate without
 * a SAN extension gives empty lists and *ret_has_san = false. */
int names_cert_sans(X509 *cert, char ***ret_dns, char ***ret_ip, bool *ret_has_san);

/* "xcap.ims.mnc001.mcc001.pub.3gppnetwork.org" for prefix "xcap", mcc 1,
 * mnc 1 (both padded to three digits). Returns a malloc'd string or NULL on
 * OOM or out-of-range codes (0..999). */
char *names_3gpp(const char *prefix, int mcc, int mnc);

/* Whether name has the 3GPP form <prefix>.ims.mncNNN.mccNNN.pub.3gppnetwork.org
 * (exactly three digits each); if so and ret_mcc/ret_mnc are non-NULL, stores
 * the codes. */
bool names_is_3gpp_form(const char *name, const char *prefix, int *ret_mcc, int *ret_mnc);
