#pragma once
/* ca: a private certificate authority kept in a directory (ca.crt, ca.key):
 * its root, the server certificates it issues from requests (names checked as
 * the agent checks them), renewals with the same key and subject, and the
 * root for clients. What it issues passes check_bundles() with its root as
 * the anchor. Returns >= 0 or negative errno; problems with the input are
 * findings; never logs, writes nothing; ret_ set only on success. */

#include <stdbool.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "findings.h"
#include "x509build.h"

#define CA_CERT_FILE         "ca.crt"
#define CA_KEY_FILE          "ca.key"
#define CA_DEFAULT_DAYS      3650
#define CA_SIGN_DEFAULT_DAYS 730
#define CA_MAX_DAYS          36500

/* A subject written as openssl does ("/C=SE/O=Example/CN=Example Root CA")
 * or as RFC 4514 does ("CN=Example Root CA,O=Example,C=SE", the last RDN
 * first). In both, a backslash escapes the next character, or with two hex
 * digits is that byte ("\2C"); an unescaped '+' joins attributes into one
 * multi-valued RDN ("/O=Example+OU=NOC/CN=x"). Attributes are OpenSSL's short
 * or long names in any letter case (C, ST, L, O, OU, CN, emailAddress, DC,
 * commonName, cn, ...); a value longer than RFC 5280 allows (a CN of more
 * than 64 characters) is refused saying so; a CN is required. On a bad one
 * returns -EINVAL and, when ret_error is not NULL, a malloc'd message saying
 * what is wrong. */
int ca_subject_parse(const char *s, X509_NAME **ret, char **ret_error);

typedef struct CaRootSpec {
        const X509_NAME *subject;
        X509BuildKey key; /* X509BUILD_KEY_RSA3072 (the default) or X509BUILD_KEY_EC_P256 */
        unsigned days;    /* 1..CA_MAX_DAYS */
        time_t now;       /* notBefore = now - 5 minutes */
} CaRootSpec;

/* A new key and a root certificate for it: v3, random positive 128-bit
 * serial, SHA-256, issuer = subject, basicConstraints critical CA:TRUE,
 * keyUsage critical keyCertSign+cRLSign, subjectKeyIdentifier and
 * authorityKeyIdentifier (keyid, the same). -EINVAL for a bad spec. */
int ca_make_root(const CaRootSpec *s, X509 **ret_cert, EVP_PKEY **ret_key);

typedef struct Ca {
        char *cert_path; /* DIR/ca.crt */
        char *key_path;  /* DIR/ca.key */
        X509 *cert;
        EVP_PKEY *key;
} Ca;

Ca *ca_free(Ca *ca);
DEFINE_PTR_CLEANUP(Ca, ca_free)

/* Reads DIR/ca.crt (the CA certificate alone, PEM) and, with with_key,
 * DIR/ca.key (its unencrypted key, PEM; the buffer read is wiped; without,
 * ca->key is NULL and nothing can be issued). Both are read relative to DIR,
 * never through a symbolic link. A file that cannot be read (a link too) is
 * FILE_UNREADABLE and its negative errno (-ENOENT, -EACCES, -ELOOP, ...). A
 * certificate that is not a CA's (CHAIN_CA_FLAGS), a file that holds no
 * certificate or key or more than one, a ca.key open to group or others
 * (KEY_INVALID, "chmod 600"), an encrypted key (KEY_ENCRYPTED), a key that
 * does not match the certificate (KEY_MISMATCH, naming both files) and, with
 * with_key, a CA key the check refuses (WEAK_KEY, policy_key_verdict(); an
 * Ed25519 one is a warning) are findings and -EINVAL. */
int ca_load(const char *dir, bool with_key, Ca **ret, Findings *f);

typedef struct CaSignSpec {
        char **names; /* --name: host names and IP literals (NULL-terminated, may be NULL) */
        const char *wildcard; /* DOMAIN ("*.DOMAIN" accepted too), or NULL */
        bool client;          /* extendedKeyUsage clientAuth too (802.1x, mutual TLS) */
        unsigned days;        /* 1..CA_MAX_DAYS */
        time_t now;
} CaSignSpec;

/* Issues a server certificate for the request req (read from the file
 * req_name, for findings). First the request's signature must verify
 * (CHAIN_SIGNATURE) and its key pass the check's key rule (WEAK_KEY,
 * policy_key_verdict() under the default profile: an error refuses, its
 * warning passes; what only the strict profile refuses is a warning). A
 * request asking for CA:TRUE or keyCertSign gets CA:FALSE and a
 * CHAIN_CA_FLAGS warning. subjectAltName: the names the request asks for,
 * then each --name, then "*.DOMAIN", then the request's CN when it is a host
 * name, a wildcard or an address; DNS names in lower case without a trailing
 * dot, repeats dropped. A name that is neither a host name nor an address (a
 * wildcard that is not "*." over a host name, or is directly over a public
 * suffix) is NAME_INVALID naming it; so is a request CN that looks like a
 * name but is none ("*.com", "exa_mple.com"). A host name two or more labels
 * below a wildcard's domain (--wildcard's or one the request asks for) is a
 * SAN_NOT_COVERED warning (a wildcard covers one label; it is issued as its
 * own name). No names at all is SAN_MISSING. Subject: the request's, with CN
 * "*.DOMAIN" with a wildcard, else the request's CN (a name, or text such as
 * "My Server"), else the first name; one longer than 64 characters is not
 * the CN (a SUBJECT_FIELDS warning; the first name that fits is, the long
 * name stays a subjectAltName), and when no name fits that is NAME_INVALID.
 * Extensions: those of x509build_add_server_extensions() (clientAuth with
 * s->client), AKI the CA's key identifier; none of the request's own is
 * copied. Signed with SHA-256 (no digest for an Ed25519/Ed448 CA key).
 * Validity now - 5 minutes to now + days, not beyond the CA's notAfter (a
 * CERT_EXPIRING warning when cut short; an error when the CA has expired or
 * is not yet valid). Errors: -EINVAL with the findings. */
int ca_sign(const Ca *ca, X509_REQ *req, const char *req_name, const CaSignSpec *s, X509 **ret,
            Findings *f);

/* A new certificate for cert's public key with cert's subject, a new serial
 * and the validity of ca_sign(). cert (read from cert_name) must have been
 * issued by this CA: its issuer name and signature (CHAIN_UNRELATED error
 * otherwise; the CA certificate itself too). It must be a server
 * certificate: a CA certificate (basicConstraints CA:TRUE or keyUsage
 * keyCertSign) is CHAIN_CA_FLAGS, extensions OpenSSL cannot use
 * CERT_INVALID. Its key passes ca_sign()'s key rule. The extensions are made
 * again as ca_sign() makes them, from cert's DNS and IP subjectAltNames (in
 * their order; without any, its CN when that is a name; none: SAN_MISSING),
 * clientAuth kept when cert had it; nothing else of cert's is copied. */
int ca_renew(const Ca *ca, X509 *cert, const char *cert_name, unsigned days, time_t now, X509 **ret,
             Findings *f);

/* The CA certificate, PEM or DER, malloc'd (PEM NUL-terminated). */
int ca_export(const Ca *ca, bool der, char **ret, size_t *ret_len);

/* PEM of leaf followed by the CA certificate: the chain `ca sign` writes. */
int ca_chain_pem(const Ca *ca, X509 *leaf, char **ret, size_t *ret_len);
