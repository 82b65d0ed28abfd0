#pragma once
/* bundle: read what operators upload — PEM files holding any mix of
 * certificates and private keys, tolerating CRLF, a BOM, text around blocks
 * and markers that share a line — and recognise what is not PEM (DER, binary,
 * empty, too large, encrypted keys). Problems become findings; the function
 * fails only on system errors. Never logs. */

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "findings.h"

#define BUNDLE_MAX_BYTES (1024 * 1024)
#define BUNDLE_MAX_CERTS 16
#define BUNDLE_TRUST_MAX_CERTS 4096
#define BUNDLE_TRUST_MAX_BYTES (16 * 1024 * 1024)

/* What the caller expects the file to hold; decides which findings a missing
 * part raises. */
typedef enum BundleExpect {
        BUNDLE_EXPECT_CERTS = 1 << 0, /* no certificate: NOT_PEM */
        BUNDLE_EXPECT_KEY = 1 << 1,   /* no key: KEY_MISSING; more than one: KEY_MULTIPLE */
        BUNDLE_TRUST_FILE = 1 << 2,   /* an operator's trust file, not an upload: up to
                                       * BUNDLE_TRUST_MAX_CERTS certificates in
                                       * BUNDLE_TRUST_MAX_BYTES */
} BundleExpect;

/* Layout quirks seen (each raises one PEM_LAYOUT warning naming them). */
typedef enum BundleLayout {
        BUNDLE_LAYOUT_CRLF = 1 << 0,          /* CR LF line ends */
        BUNDLE_LAYOUT_BOM = 1 << 1,           /* UTF-8 byte-order mark */
        BUNDLE_LAYOUT_TEXT = 1 << 2,          /* text before, between or after blocks */
        BUNDLE_LAYOUT_INLINE_MARKER = 1 << 3, /* a BEGIN/END marker not on a line of its own */
        BUNDLE_LAYOUT_MARKER_FORM = 1 << 4,   /* a marker with blanks or not five hyphens a side */
        BUNDLE_LAYOUT_OTHER_BLOCK = 1 << 5,   /* ignored blocks (CSR, CRL, PKCS7, public key) beside
                                               * a certificate or key */
} BundleLayout;

typedef struct Bundle {
        char *path;          /* as given, for findings */
        X509 **certs;        /* in file order; certs[i] is certificate i of the file. A
                              * damaged block is left out (its CERT_INVALID finding gives
                              * its position among all the file's certificate blocks),
                              * so after one the indices differ. */
        size_t n_certs;
        EVP_PKEY **keys;     /* unencrypted private keys, in file order */
        size_t n_keys;
        size_t n_encrypted_keys; /* encrypted keys seen (not decrypted) */
        unsigned layout;     /* BundleLayout flags */
        bool has_sha256;     /* the file was read (sha256 is set) */
        unsigned char sha256[32]; /* SHA-256 of the file's bytes as read: what the agent
                                   * compares to tell a new upload from the same one again */
} Bundle;

/* Parses data (len bytes, need not be NUL-terminated) read from `path`
 * (used only to name the file in findings). Always returns a bundle on
 * success, possibly with no certificates; every problem is in f. */
int bundle_parse(const char *path, const void *data, size_t len, unsigned expect, Bundle **ret,
                 Findings *f);

/* Reads `name` relative to dirfd (AT_FDCWD: a path; links are followed only
 * when dirfd is AT_FDCWD) and parses it. A missing, non-regular or too large
 * file is a finding (FILE_UNREADABLE, FILE_TOO_LARGE) and an empty bundle;
 * negative errno only for -ENOMEM and similar system failures. */
int bundle_load_at(int dirfd, const char *name, const char *display_path, unsigned expect,
                   Bundle **ret, Findings *f);
int bundle_load(const char *path, unsigned expect, Bundle **ret, Findings *f);

Bundle *bundle_free(Bundle *b);
DEFINE_PTR_CLEANUP(Bundle, bundle_free)

/* The subject of a certificate as one RFC 2253 line (malloc'd), or NULL on OOM. */
char *x509_subject_string(const X509 *x);
char *x509_issuer_string(const X509 *x);
