#pragma once
/* x509build: the pieces certconf's certificates and requests are made of (new
 * keys, random serials, subjectAltNames, subjects, validity, the server and CA
 * extensions), each built from its ASN.1 structure, never from X509V3
 * configuration strings. Returns >= 0 or negative errno; never logs. */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "agentconf.h"

/* A subject CN is at most 64 characters (RFC 5280 ub-common-name). */
#define X509BUILD_CN_MAX 64
/* notBefore lies this far before "now": a peer whose clock is a little
 * behind still accepts a certificate made a moment ago. */
#define X509BUILD_BACKDATE_S (5 * 60)

/* The key types certconf makes. KeySpec (agentconf.h) is what the agent's
 * configuration offers; the toolkit's CA and CSRs offer rsa:3072 too. */
typedef enum X509BuildKey {
        X509BUILD_KEY_RSA2048,
        X509BUILD_KEY_RSA3072,
        X509BUILD_KEY_EC_P256,
        _X509BUILD_KEY_MAX,
        _X509BUILD_KEY_INVALID = -EINVAL,
} X509BuildKey;

/* "rsa:2048", "rsa:3072", "ec:p256". */
const char *x509build_key_to_string(X509BuildKey k);
X509BuildKey x509build_key_from_string(const char *s);
/* The same key type as a KeySpec; _X509BUILD_KEY_INVALID for a bad one. */
X509BuildKey x509build_key_from_spec(KeySpec k);

/* A new key of type k: -EINVAL for a bad k, -EIO when OpenSSL fails. */
int x509build_new_key(X509BuildKey k, EVP_PKEY **ret);

/* Sets a random positive serial of at most 128 bits (top bit cleared, so the
 * DER INTEGER needs no sign byte and stays within RFC 5280's 20 octets),
 * never 0. */
int x509build_set_serial(X509 *x);

/* Sets notBefore and notAfter; -EINVAL when not_after is not after
 * not_before or a time cannot be encoded. */
int x509build_set_validity(X509 *x, time_t not_before, time_t not_after);

/* One name a certificate is for: an IP address (its bytes), a host name or,
 * when allowed, a wildcard "*.example.com" (the length without a trailing
 * dot). text points into the caller's string. */
typedef struct X509BuildName {
        const char *text;
        bool ip;
        bool wildcard;
        unsigned char addr[16];
        size_t len; /* address bytes, or characters of the name */
} X509BuildName;

/* Parses a host name (names_is_hostname()), an IP literal or, with
 * allow_wildcard, a wildcard names_classify_wildcard() finds OK. Anything
 * else is -EINVAL. */
int x509build_name_parse(const char *s, bool allow_wildcard, X509BuildName *ret);

/* Same name: addresses as addresses, names case-insensitively without the
 * trailing dot. */
bool x509build_name_equal(const X509BuildName *a, const X509BuildName *b);

/* Parses every name of the NULL-terminated list (may be NULL), repeats
 * dropped, in their order. The first that does not parse is -EINVAL; *ret
 * (malloc'd, n + 1 entries) keeps pointers into names. */
int x509build_names_parse(char **names, bool allow_wildcard, X509BuildName **ret, size_t *ret_n);

/* A subjectAltName of the names in their order: dNSName (without a trailing
 * dot) or iPAddress. n may not be 0 (-EINVAL). */
int x509build_san(const X509BuildName *names, size_t n, GENERAL_NAMES **ret);

/* The CN a certificate for these names gets: the first host name (or
 * wildcard) of at most X509BUILD_CN_MAX characters, else the first address as
 * inet_ntop() writes it, else fallback (NULL or longer than X509BUILD_CN_MAX:
 * -EINVAL). malloc'd. */
int x509build_pick_cn(const X509BuildName *names, size_t n, const char *fallback, char **ret);

/* A subject C, O, OU, CN in that order; each may be NULL or empty (left
 * out). A value OpenSSL refuses (a C that is not two letters) is -EINVAL. */
int x509build_subject(const char *country, const char *organization,
                      const char *organizational_unit, const char *cn, X509_NAME **ret);

/* Adds (replacing one of the same type) the extension nid with the decoded
 * value (BASIC_CONSTRAINTS, ASN1_BIT_STRING, ...). */
int x509build_add_ext(X509 *x, int nid, void *value, bool critical);

/* The key identifier of x's public key: RFC 5280 4.2.1.2 method (1), the
 * SHA-1 of the subjectPublicKey bits. */
int x509build_key_id(X509 *x, ASN1_OCTET_STRING **ret);

/* Adds a server certificate's extensions to x, whose public key is set:
 * basicConstraints critical CA:FALSE, keyUsage critical digitalSignature
 * (plus keyEncipherment for an RSA key), extendedKeyUsage serverAuth (plus
 * clientAuth with client_auth), subjectAltName of the names (none when n is
 * 0), subjectKeyIdentifier and authorityKeyIdentifier keyid: authority_keyid,
 * or x's own key identifier when NULL (self-signed). */
int x509build_add_server_extensions(X509 *x, const X509BuildName *names, size_t n, bool client_auth,
                                    const ASN1_OCTET_STRING *authority_keyid);

/* Adds a root CA's extensions to x, whose public key is set:
 * basicConstraints critical CA:TRUE, keyUsage critical keyCertSign and
 * cRLSign, subjectKeyIdentifier, and authorityKeyIdentifier keyid equal to
 * it. */
int x509build_add_ca_extensions(X509 *x);

/* PEM of a certificate, a request or a private key (PKCS#8, unencrypted),
 * malloc'd and NUL-terminated (the key's buffer is wiped when freed with
 * erase_and_free(*ret, *ret_len)). */
int x509build_cert_pem(X509 *x, char **ret, size_t *ret_len);
int x509build_req_pem(X509_REQ *req, char **ret, size_t *ret_len);
int x509build_key_pem(EVP_PKEY *key, char **ret, size_t *ret_len);
