#pragma once
/* chain: find the path from the server certificate of a bundle to a trust
 * anchor (searching every issuer the file and the anchors offer, with
 * backtracking), report the missing, unrelated, misordered or badly signed
 * certificates, and run OpenSSL's full path validation (X509_STRICT, TLS
 * server purpose) on that path. Problems become findings. Never logs. */

#include <stdbool.h>
#include <time.h>

#include <openssl/x509.h>

#include "bundle.h"
#include "findings.h"
#include "profile.h"

/* How far a path search goes: at most this many certificates in a path (the
 * file's 16 and an anchor), and this many steps over all the paths tried, so
 * that a file of many look-alike CAs stays fast. */
#define CHAIN_MAX_PATH 17
#define CHAIN_SEARCH_BUDGET 2048

typedef struct ChainOptions {
        STACK_OF(X509) *anchors;   /* trust anchors; may be NULL */
        time_t now;                /* a path whose certificates are valid now is preferred */
        Profile profile;
        bool distrust_bundle_root; /* the file's own self-signed root is not an anchor (only
                                    * `anchors` are); false: it is (the operator's private CA) */
        int max_chain_depth;       /* the most certificates a path may have below its trust
                                    * anchor: the server certificate and the intermediate CAs,
                                    * self-issued ones (RFC 5280 6.1) not counted; 0 or
                                    * negative: no limit */
        STACK_OF(X509_CRL) *crls;  /* CRLs to check revocation against (--crl); NULL or
                                    * empty: no revocation checking */
} ChainOptions;

typedef struct ChainResult {
        STACK_OF(X509) *path; /* leaf first, each followed by its issuer, as far as known */
        int leaf;             /* index of the leaf in the bundle */
        bool root_from_trust; /* the last element of path came from the anchors, not the file */
        bool complete;        /* path ends in a self-signed certificate or an anchor */
        bool trusted;         /* ... that is a trust anchor (or the file's own root, trusted) */
} ChainResult;

ChainResult *chain_result_free(ChainResult *c);
DEFINE_PTR_CLEANUP(ChainResult, chain_result_free)

/* Finds the path of the bundle's server certificate. `leaf_hint` is the
 * index of the certificate the private key matches, or -1 to guess
 * (chain_guess_leaf(); when b holds only CAs, the first that issues no
 * other one). Among all
 * paths (depth first over every candidate issuer: same name, consistent key
 * identifiers) it takes the first with no fault, or else the best: verified
 * signatures, then ending at a trust anchor, then issuers that are CAs with
 * keyCertSign (and an EKU, if any, for TLS servers), within pathlen and
 * max_chain_depth, name constraints kept, valid at `now`, strong
 * signatures. A path stops at the first anchor reached; the file's
 * certificates above it still count as part of the chain. Adds
 * CHAIN_ORDER, CHAIN_INCOMPLETE, CHAIN_UNRELATED, CHAIN_SIGNATURE and
 * CHAIN_ROOT_ADDED findings about that path. A certificate with an extension
 * that does not decode (OpenSSL's EXFLAG_INVALID; CERT_INVALID is policy's)
 * is searched and judged on the extensions that do decode. */
int chain_build(const Bundle *b, int leaf_hint, const ChainOptions *o, ChainResult **ret,
                Findings *f);

/* Whether certificate i of b is a CA certificate proper: basicConstraints
 * CA:TRUE, no DNS or IP subjectAltName, and keyCertSign in its keyUsage or
 * another certificate of b that it issues. A CA:TRUE certificate that is not
 * (`openssl req -x509` makes them: CA:TRUE, no keyUsage) is taken for a
 * server certificate wrongly marked CA (CHAIN_CA_FLAGS), not for a CA. */
/* Whether certificate i of b issues another certificate of b (names and key
 * identifiers; a root's copy of itself does not count). */
bool chain_issues_another(const Bundle *b, size_t i);

bool chain_is_ca(const Bundle *b, size_t i);

/* The certificate of b taken as the server's when no key says: the first
 * that is not a CA and issues no other certificate of b, else the first
 * that is not a CA proper (chain_is_ca()) and issues none, else the first
 * that issues none. -1 when every certificate of b is a CA proper: the file
 * has no server certificate. */
int chain_guess_leaf(const Bundle *b);

/* Checks basicConstraints/keyUsage of the issuers and the leaf, and path
 * lengths (CHAIN_CA_FLAGS). */
int chain_check_ca_flags(const Bundle *b, const ChainResult *c, Findings *f);

/* Full path validation of c's path with X509_V_FLAG_X509_STRICT and the TLS
 * server purpose; the anchors are o->anchors plus, unless
 * o->distrust_bundle_root, the path's own self-signed root. Validity dates
 * are not OpenSSL's business here (policy checks them, inclusive of
 * notAfter); nor is the subject CN of a certificate with subjectAltNames
 * held to DNS name constraints. When the path fails, OpenSSL's own path
 * building over the whole file is tried too and a path it accepts is enough.
 * A failure not already explained by another finding adds PATH_INVALID with
 * OpenSSL's reason, reported on c's path. Also PATH_INVALID: more
 * certificates than o->max_chain_depth, a wildcard subjectAltName that could
 * stand for an excluded name. Not failures: a trust anchor without keyUsage,
 * and (outside the strict profile) missing key identifiers.
 *
 * With o->crls, revocation too: every certificate of the path below its
 * trust anchor is looked up on the CRLs its issuer signed (OpenSSL's
 * X509_V_FLAG_CRL_CHECK_ALL); a certificate no CRL is given for is not a
 * failure, except that the server certificate's gets a CRL_INVALID warning
 * (its revocation was not checked). A CRL is used for a certificate when
 * its issuer name is the certificate's issuer and its authorityKeyIdentifier
 * (if any) names that issuer's key. Before use each such CRL must verify
 * with the issuer's key, the issuer must have cRLSign if it has keyUsage,
 * and the CRL must carry a non-critical CRLNumber (RFC 5280 5.2.3); one that
 * fails is not used and adds a CRL_INVALID error. A CRL past its nextUpdate
 * or before its thisUpdate at o->now is used all the same (a certificate on
 * it is still revoked) but adds a CRL_INVALID warning: a certificate revoked
 * since is not on it. A certificate on a CRL used adds CERT_REVOKED with the
 * revocation date and reason; OpenSSL's other CRL errors add CRL_INVALID. */
int chain_verify(const Bundle *b, const ChainResult *c, const ChainOptions *o, Findings *f);

/* Position of x in the bundle, or -1 (e.g. a root taken from the anchors). */
int chain_bundle_index(const Bundle *b, const X509 *x);
