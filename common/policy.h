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

#include <time.h>

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
