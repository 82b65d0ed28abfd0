#pragma once
/* csr: certificate signing requests: one for a service with the subject and
 * names the agent's self-signed certificate would get, and reading one back
 * (PEM or DER) with its requested names and a check of its signature.
 * Returns >= 0 or negative errno; problems with a read request are findings;
 * never logs; ret_ set only on success. */

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "findings.h"
#include "x509build.h"

/* The CSR key store, below the agent's state directory: <state_dir>/csr/
 * (0700) holds NAME.key (PEM PKCS#8, unencrypted, 0600) and NAME.csr (PEM).
 * `import` looks there for the key of a signed certificate. */
#define CSR_STORE_DIR  "csr"
#define CSR_KEY_SUFFIX ".key"
#define CSR_REQ_SUFFIX ".csr"
#define CSR_MAX_BYTES  (256 * 1024)

DEFINE_PTR_CLEANUP(X509_REQ, X509_REQ_free)

typedef struct CsrSpec {
        const char *service; /* the CN when no name fits */
        /* NULL-terminated host names and IP literals, as
         * deploy_service_names() returns them; at least one. Requested as a
         * subjectAltName (dNSName or iPAddress, repeats dropped) in an
         * extensionRequest; the CN is chosen as selfsign_make() chooses it. */
        char **names;
        const char *country, *organization, *organizational_unit; /* C, O, OU; each may be NULL */
} CsrSpec;

/* A request for key's public key, signed with key (SHA-256): version 1,
 * subject C/O/OU/CN, the names requested. No names, a name that is neither a
 * host name nor an address (a wildcard too), or a bad subject value is
 * -EINVAL. */
int csr_make(const CsrSpec *s, EVP_PKEY *key, X509_REQ **ret);

/* Parses a request read from the file `name` (for findings): PEM ("CERTIFICATE
 * REQUEST" or "NEW CERTIFICATE REQUEST"; text around it is fine) or DER. A
 * file that holds none is a CERT_INVALID finding naming it and -EINVAL. */
int csr_parse(const char *name, const void *data, size_t len, X509_REQ **ret, Findings *f);

/* Reads path (links followed: an operator's file, at most CSR_MAX_BYTES) and
 * parses it. A file that cannot be read is a FILE_UNREADABLE finding and its
 * negative errno. */
int csr_load(const char *path, X509_REQ **ret, Findings *f);

/* Whether the request's signature verifies with its own public key: 0, or a
 * CHAIN_SIGNATURE error naming `name` and -EBADMSG (a damaged or altered
 * request, an unsupported key). */
int csr_check_signature(X509_REQ *req, const char *name, Findings *f);

/* The subjectAltName the request asks for in its extensionRequest: *ret is
 * NULL when it asks for none. -EBADMSG when its extensions do not decode. */
int csr_requested_san(X509_REQ *req, GENERAL_NAMES **ret);
