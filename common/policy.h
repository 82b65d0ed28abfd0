#pragma once
/* policy: what the certificates of the chosen path must carry for a given
 * service and profile — validity window, subjectAltNames and the names to
 * cover, the XCAP/BSF naming rules, subject fields, key and signature
 * strength, key usages, and under the strict profile the encoding rules of
 * browsers' root programs (the root from the trust anchors included). A
 * certificate whose extensions OpenSSL cannot use (EXFLAG_INVALID) is one
 * CERT_INVALID in every profile, and the checks that would read them are
 * skipped. Text quoted from a certificate is made printable. Problems become
 * findings. Never logs. */

#include <stdbool.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "bundle.h"
#include "chain.h"
#include "deploy.h"
#include "findings.h"
#include "profile.h"

typedef struct PolicyInput {
        const char *service;   /* "rem", "xcap", "bsf" or another name (generic rules) */
        const Bundle *bundle;  /* the chain file */
        const ChainResult *chain;
        time_t now;
        int min_valid_days;
        Profile profile;
        char **names;          /* NULL-terminated names to cover; may be NULL */
        char **xcap_names;     /* for bsf: the XCAP certificate's DNS names, or NULL when unknown */
        int mcc, mnc;          /* -1 when not configured */
        STACK_OF(X509) *anchors; /* trusted anchors (a root among them is exempt from WEAK_SIGNATURE;
                                  * its key and form are judged under strict only) */
        const Deployment *deploy; /* subject fields to compare with; may be NULL */
} PolicyInput;

int policy_check(const PolicyInput *in, Findings *f);

/* What the check says of one public key (its WEAK_KEY rule), for the
 * toolkit's CA and requests to judge a key before they issue anything:
 * RSA and RSA-PSS of 2048 to 8192 bits, EC of 256 bits or more, no DSA and
 * no other type; Ed25519 and Ed448 a warning under default, an error under
 * the other profiles; for a server certificate's key (leaf) innovaphone's
 * limits (RSA, 2048 bits at most); under strict the forms browsers accept (an
 * RSA modulus of whole bytes, EC on P-256, P-384 or P-521 only). k NULL: a
 * key that cannot be read. 0 when the key passes; 1 when not, with *ret
 * filled in; -EINVAL when ret is NULL. */
typedef struct PolicyKeyVerdict {
        Severity severity;
        char message[256]; /* "RSA key of 1024 bits; at least 2048 are required" */
        const char *hint;  /* static: how to fix it; NULL: WEAK_KEY's default hint */
} PolicyKeyVerdict;

int policy_key_verdict(const EVP_PKEY *k, Profile profile, bool leaf, PolicyKeyVerdict *ret);
