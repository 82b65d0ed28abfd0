#pragma once
/* check: every check of `certconfd check` on one service's chain and key, or
 * on a whole store directory, exactly as the agent runs them before it
 * installs anything. Findings carry the verdict. Never logs. */

#include <stdbool.h>
#include <time.h>

#include <openssl/x509.h>

#include "bundle.h"
#include "deploy.h"
#include "findings.h"
#include "profile.h"

#define CHECK_DEFAULT_MIN_VALID_DAYS 30

typedef struct CheckOptions {
        time_t now;
        int min_valid_days;
        Profile profile;
        STACK_OF(X509) *trust;   /* extra trust anchors; may be NULL */
        char **names;            /* extra names to cover (--name), NULL-terminated; may be NULL */
        const Deployment *deploy;/* names and MCC/MNC; may be NULL */
        char **xcap_names;       /* for bsf: the XCAP certificate's DNS names when known */
        /* The chain file's own self-signed root is an anchor unless this is
         * set: false (the default) trusts the operator's private CA as
         * uploaded; true leaves `trust` as the only anchors (x509-limbo). */
        bool distrust_bundle_root;
        /* The most certificates the path may have below its trust anchor:
         * the server certificate plus the intermediate CAs, self-issued
         * intermediates (RFC 5280 6.1) not counted. 0 or negative: no limit.
         * x509-limbo's max_chain_depth and OpenSSL's verify depth count the
         * intermediates alone, one less. */
        int max_chain_depth;
        /* CRLs to check revocation against (--crl): each certificate of the
         * path that one speaks for (see chain_verify()). NULL or empty: no
         * revocation checking. */
        STACK_OF(X509_CRL) *crls;
} CheckOptions;

/* Checks one service. key may be NULL (key checks skipped; a key inside the
 * chain file is still used); with a key, a key inside the chain file is
 * KEY_MULTIPLE. The key says which certificate is the server's, unless it is
 * a CA's (KEY_MISMATCH); a chain file of CA certificates only has no server
 * certificate (CHAIN_INCOMPLETE, and nothing else is checked). Leaves the
 * OpenSSL error queue as it found it. */
int check_bundles(const char *service, const Bundle *chain, const Bundle *key,
                  const CheckOptions *o, Findings *f);

/* Loads and checks files named on the command line (links followed). */
int check_files(const char *service, const char *chain_path, const char *key_path,
                const CheckOptions *o, Findings *f);

typedef struct ServiceReport {
        char *service;
        bool uploaded;     /* false: neither file is in the store */
        Findings findings;
        /* What was read, once, and checked: the agent installs exactly this.
         * NULL when the file is not there. chain->certs in file order; leaf
         * is the certificate taken as the server's (-1: none). */
        Bundle *chain;
        Bundle *key;
        int leaf;
} ServiceReport;

typedef struct StoreReport {
        bool is_store;       /* made by check_store() (not a single service's files) */
        bool has_deployment; /* is_store, and the store has a deployment.yaml (valid or not) */
        Findings findings; /* about the store as a whole (deployment YAML) */
        Deployment *deploy;  /* the store's deployment.yaml as read, when valid; else NULL */
        ServiceReport *services;
        size_t n_services;
} StoreReport;

StoreReport *store_report_free(StoreReport *r);
DEFINE_PTR_CLEANUP(StoreReport, store_report_free)
bool store_report_has_errors(const StoreReport *r);

/* Checks rem, xcap, bsf and every other <svc>-cert.crt/.key pair in dir,
 * with the names of dir/deployment.yaml (o->deploy is ignored; o->names are
 * added to every service). Never follows a link inside the store. An entry
 * that looks like an upload (.crt, .key, .pem, .p12, .pfx, .der, .cer, or
 * "-cert." in its name) but is no <svc>-cert.crt/.key the agent reads is a
 * FILE_UNREADABLE finding of the store, whose hint gives the name meant.
 * Leaves the OpenSSL error queue as it found it. */
int check_store(const char *dir, const CheckOptions *o, StoreReport **ret);

/* Loads trust anchors from path (an operator's file, links followed): any
 * number of PEM certificates (other blocks ignored, nothing decrypted) or one
 * DER certificate. Appends them to *ret (created if NULL) only on success.
 * An unreadable file, one without certificates, or one with a damaged block
 * (CERT_INVALID naming the block) is a finding and -EINVAL. */
int check_load_anchors(const char *path, STACK_OF(X509) **ret, Findings *f);

/* The system's CA bundle: $SSL_CERT_FILE, else OpenSSL's default cert file
 * (on Debian /usr/lib/ssl/cert.pem -> /etc/ssl/certs/ca-certificates.crt). */
const char *check_system_trust_file(void);

#define CHECK_CRL_MAX_BYTES (1024 * 1024)

/* Parses the CRLs of a file's contents: PEM (one or more "X509 CRL" blocks;
 * other blocks and text around them are skipped) or a single DER CRL.
 * name is the file's name for findings. On success appends them to *ret
 * (made when NULL) and returns 0; a file that holds no CRL or a damaged one
 * adds a CRL_INVALID finding and returns -EINVAL, *ret untouched. */
int check_parse_crls(const char *name, const char *data, size_t len, STACK_OF(X509_CRL) **ret,
                     Findings *f);

/* Reads path (links followed, at most CHECK_CRL_MAX_BYTES) and parses it
 * with check_parse_crls(). A file that cannot be read adds FILE_UNREADABLE
 * and returns its negative errno; one too large adds CRL_INVALID and returns
 * -EFBIG. */
int check_load_crls(const char *path, STACK_OF(X509_CRL) **ret, Findings *f);
