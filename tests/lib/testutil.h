#pragma once
/* testutil: what the unit tests make for themselves — keys, certificates and
 * chains built with OpenSSL, files in a fresh temporary directory. Aborts on
 * failure (a test helper that fails is a broken test, not a finding). */

#include <stdbool.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* A fixed "now" for every test: 2030-01-01T00:00:00Z. */
#define TU_NOW ((time_t) 1893456000)
#define TU_DAY ((time_t) 86400)

EVP_PKEY *tu_key_rsa(unsigned bits);
EVP_PKEY *tu_key_ec(const char *curve); /* "P-256", "P-384", "P-224" ... */

typedef struct TuCertSpec {
        const char *subject;     /* "/C=NZ/O=SomeTelco/OU=NOC/CN=rem" (default "/CN=test") */
        EVP_PKEY *key;           /* the certificate's key (required) */
        X509 *issuer;            /* NULL: self-signed */
        EVP_PKEY *issuer_key;    /* NULL: key (self-signed) */
        bool ca;                 /* basicConstraints CA:TRUE critical, keyUsage keyCertSign,cRLSign */
        int pathlen;             /* with ca: >= 0 sets pathlen; -1 none */
        time_t not_before;       /* 0: TU_NOW - 1 day */
        time_t not_after;        /* 0: TU_NOW + 365 days */
        const char *san;         /* "DNS:a.example,IP:192.0.2.1" or NULL for none */
        const char *ku;          /* keyUsage value, NULL: default for ca/leaf; "" none */
        const char *eku;         /* extendedKeyUsage value, NULL: "serverAuth" for leaves; "" none */
        const char *md;          /* digest name, NULL: "SHA256" */
        bool no_bc;              /* leave basicConstraints out */
        bool no_ski_aki;         /* leave SKI/AKI out */
        long serial;             /* 0: random 64-bit positive */
} TuCertSpec;

X509 *tu_cert(const TuCertSpec *s);

/* A fresh directory under $TMPDIR (or /tmp); removed by tu_rmdir_r. */
char *tu_tmpdir(void);
void tu_rmdir_r(const char *path);

/* dir/name; malloc'd. */
char *tu_path(const char *dir, const char *name);

/* Writes certificates (PEM, in the given order) and then keys (PKCS#8 PEM,
 * unencrypted) to dir/name. Returns the path (malloc'd). */
char *tu_write_pem(const char *dir, const char *name, X509 *const *certs, size_t n_certs,
                   EVP_PKEY *const *keys, size_t n_keys);

/* Writes raw bytes to dir/name; returns the path. */
char *tu_write_file(const char *dir, const char *name, const void *data, size_t len);

/* PEM text of a certificate / key (malloc'd, NUL-terminated). */
char *tu_cert_pem(X509 *x);
char *tu_key_pem(EVP_PKEY *k);

/* Replaces x's subjectAltName with DNS entries taken byte for byte (names
 * with NULs or control characters included; lens NULL: strlen), and signs
 * x again with signer. */
void tu_set_dns_sans_raw(X509 *x, EVP_PKEY *signer, const char *const *names, const size_t *lens,
                         size_t n);

/* Adds a subjectAltName extension that does not decode (an OCTET STRING
 * where a SEQUENCE belongs, as `2.5.29.17=DER:0403010203` in an openssl
 * extfile makes it) and signs x again: OpenSSL marks it EXFLAG_INVALID. */
void tu_add_bad_san_resign(X509 *x, EVP_PKEY *signer);
