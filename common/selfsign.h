#pragma once
/* selfsign: the agent's self-signed fallback certificate (a fresh key, X.509
 * v3, the service's host names and addresses as subjectAltNames, valid for
 * years), and whether one already installed still serves. Returns >= 0 or
 * negative errno; never logs; ret_ set only on success. */

#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "agentconf.h"
#include "x509build.h"

/* A subject CN is at most 64 characters (RFC 5280 ub-common-name). */
#define SELFSIGN_CN_MAX X509BUILD_CN_MAX

typedef struct SelfSignSpec {
        const char *service; /* the CN when no name fits */
        /* NULL-terminated host names and IP literals, mixed, as
         * deploy_service_names() returns them (may be NULL or empty). Each
         * becomes a dNSName (a trailing dot dropped) or an iPAddress;
         * repeats are dropped. The CN is the first host name of at most
         * SELFSIGN_CN_MAX characters, else the first address (as inet_ntop()
         * writes it), else the service. */
        char **names;
        const char *country, *organization, *organizational_unit; /* C, O, OU; each may be NULL */
        KeySpec key;   /* KEY_SPEC_RSA2048 or KEY_SPEC_EC_P256 */
        unsigned days; /* notAfter = now + days (e.g. AGENTCONF_DEFAULT_SELF_SIGNED_DAYS) */
        time_t now;    /* notBefore = now - 5 minutes */
} SelfSignSpec;

/* Makes a new key of s->key and a certificate for it: v3, a random positive
 * 128-bit serial, SHA-256 signature, subject C/O/OU/CN (issuer the same),
 * basicConstraints critical CA:FALSE, keyUsage critical (digitalSignature,
 * plus keyEncipherment for RSA), extendedKeyUsage serverAuth,
 * subjectAltName, subjectKeyIdentifier and authorityKeyIdentifier (keyid).
 * A name that is neither a host name nor an IP literal (a wildcard too) is
 * -EINVAL, as are a bad key spec, days 0, and a service name longer than
 * SELFSIGN_CN_MAX when no name can be the CN. */
int selfsign_make(const SelfSignSpec *s, X509 **ret_cert, EVP_PKEY **ret_key);

typedef enum SelfSignVerdict {
        SELFSIGN_FITS,          /* keep it */
        SELFSIGN_KEY_CHANGED,   /* its key is not of the configured KeySpec */
        SELFSIGN_NAMES_CHANGED, /* its subjectAltNames are not exactly the names */
        SELFSIGN_NOT_YET_VALID, /* notBefore is after now (the clock went back) */
        SELFSIGN_EXPIRING,      /* min_valid_days or fewer left (or expired) */
        _SELFSIGN_VERDICT_MAX,
        _SELFSIGN_VERDICT_INVALID = -EINVAL,
} SelfSignVerdict;

/* "fits", "key-changed", "names-changed", "not-yet-valid", "expiring". */
const char *selfsign_verdict_to_string(SelfSignVerdict v);
SelfSignVerdict selfsign_verdict_from_string(const char *s);

/* Whether an installed self-signed certificate still serves: its key is of
 * the KeySpec key, its subjectAltName set equals names (as sets: host names
 * case-insensitive and without a trailing dot, addresses compared as
 * addresses, repeats ignored; SANs of other types are not looked at), it is
 * valid at now and has more than min_valid_days left. When several fail, the
 * first in the enum's order is given. Subject C/O/OU are not compared.
 * Returns 0, -EINVAL (NULL cert or ret, bad key spec, a name that is
 * neither a host name nor an address) or -ENOMEM. */
int selfsign_verdict(X509 *cert, char **names, KeySpec key, time_t now, int min_valid_days,
                     SelfSignVerdict *ret);
