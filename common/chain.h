#pragma once
/* chain: put the certificates of a bundle in leaf-first order, find the
 * missing, unrelated, misordered or badly signed ones, complete the root from
 * the trust anchors, and run OpenSSL's full path validation (X509_STRICT,
 * TLS server purpose). Problems become findings. Never logs. */

#include <stdbool.h>
#include <time.h>

#include <openssl/x509.h>

#include "bundle.h"
#include "findings.h"
#include "profile.h"

typedef struct ChainResult {
        STACK_OF(X509) *path; /* leaf first, each followed by its issuer, as far as known */
        int leaf;             /* index of the leaf in the bundle */
        bool root_from_trust; /* the last element of path came from the anchors */
        bool complete;        /* path ends in a self-signed certificate or an anchor */
} ChainResult;

ChainResult *chain_result_free(ChainResult *c);
DEFINE_PTR_CLEANUP(ChainResult, chain_result_free)

/* Orders the bundle's certificates. `leaf_hint` is the index of the
 * certificate the private key matches, or -1 to guess (the certificate that
 * issues no other one, preferring the first). anchors may be NULL. Adds
 * CHAIN_ORDER, CHAIN_INCOMPLETE, CHAIN_UNRELATED, CHAIN_SIGNATURE,
 * CHAIN_ROOT_ADDED findings. */
int chain_build(const Bundle *b, int leaf_hint, STACK_OF(X509) *anchors, ChainResult **ret,
                Findings *f);

/* Checks basicConstraints/keyUsage of the issuers and the leaf, and path
 * lengths (CHAIN_CA_FLAGS). */
int chain_check_ca_flags(const Bundle *b, const ChainResult *c, Findings *f);

/* Full path validation at `now` with X509_V_FLAG_X509_STRICT and the TLS
 * server purpose; the anchors are `anchors` plus the chain's own self-signed
 * root. A failure not already explained by another finding adds
 * PATH_INVALID with OpenSSL's reason. Not failures: a trust anchor without
 * keyUsage, and (outside the strict profile) missing key identifiers. */
int chain_verify(const Bundle *b, const ChainResult *c, STACK_OF(X509) *anchors, time_t now,
                 Profile profile, Findings *f);

/* Position of x in the bundle, or -1 (e.g. a root taken from the anchors). */
int chain_bundle_index(const Bundle *b, const X509 *x);
