/* selfsign: the agent's self-signed fallback certificate, made of the
 * pieces in x509build.c (the toolkit's CA and CSRs use the same). */

#include <openssl/err.h>

#include "names.h"
#include "selfsign.h"
#include "strv.h"
#include "timeutil.h"
#include "x509build.h"

static const char *const verdict_table[_SELFSIGN_VERDICT_MAX] = {
        [SELFSIGN_FITS] = "fits",
        [SELFSIGN_KEY_CHANGED] = "key-changed",
        [SELFSIGN_NAMES_CHANGED] = "names-changed",
        [SELFSIGN_NOT_YET_VALID] = "not-yet-valid",
        [SELFSIGN_EXPIRING] = "expiring",
};

const char *selfsign_verdict_to_string(SelfSignVerdict v) {
        if (v < 0 || v >= _SELFSIGN_VERDICT_MAX)
                return NULL;
        return verdict_table[v];
}

SelfSignVerdict selfsign_verdict_from_string(const char *s) {
        if (!s)
                return _SELFSIGN_VERDICT_INVALID;
        for (int i = 0; i < _SELFSIGN_VERDICT_MAX; i++)
                if (streq(verdict_table[i], s))
                        return (SelfSignVerdict) i;
        return _SELFSIGN_VERDICT_INVALID;
}

typedef X509BuildName SelfSignName;

static int name_parse(const char *s, SelfSignName *ret) {
        return x509build_name_parse(s, false, ret);
}

static int names_parse_all(char **names, SelfSignName **ret, size_t *ret_n) {
        return x509build_names_parse(names, false, ret, ret_n);
}

static int set_subject(X509 *x, const SelfSignSpec *s, const SelfSignName *names, size_t n) {
        _cleanup_(X509_NAME_freep) X509_NAME *subject = NULL;
        _cleanup_(freep) char *cn = NULL;
        int r;

        r = x509build_pick_cn(names, n, s->service, &cn);
        if (r < 0)
                return r;
        r = x509build_subject(s->country, s->organization, s->organizational_unit, cn, &subject);
        if (r < 0)
                return r;
        if (X509_set_subject_name(x, subject) <= 0 || X509_set_issuer_name(x, subject) <= 0)
                return -ENOMEM;
        return 0;
}

static int make(const SelfSignSpec *s, X509 **ret_cert, EVP_PKEY **ret_key) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(freep) SelfSignName *names = NULL;
        size_t n = 0;
        int r;

        if (!s || !ret_cert || !ret_key || s->days == 0)
                return -EINVAL;
        r = names_parse_all(s->names, &names, &n);
        if (r < 0)
                return r;
        r = x509build_new_key(x509build_key_from_spec(s->key), &key);
        if (r < 0)
                return r;

        x = X509_new();
        if (!x)
                return -ENOMEM;
        if (X509_set_version(x, X509_VERSION_3) <= 0)
                return -ENOMEM;
        r = x509build_set_serial(x);
        if (r < 0)
                return r;
        r = x509build_set_validity(x, s->now - X509BUILD_BACKDATE_S,
                                   s->now + (time_t) s->days * 86400);
        if (r < 0)
                return r;
        r = set_subject(x, s, names, n);
        if (r < 0)
                return r;
        if (X509_set_pubkey(x, key) <= 0)
                return -ENOMEM;
        r = x509build_add_server_extensions(x, names, n, false, NULL);
        if (r < 0)
                return r;
        if (X509_sign(x, key, EVP_sha256()) <= 0)
                return -EIO;

        *ret_cert = TAKE_PTR(x);
        *ret_key = TAKE_PTR(key);
        return 0;
}

int selfsign_make(const SelfSignSpec *s, X509 **ret_cert, EVP_PKEY **ret_key) {
        int r;

        /* Leave the OpenSSL error queue as it was found. */
        ERR_set_mark();
        r = make(s, ret_cert, ret_key);
        ERR_pop_to_mark();
        return r;
}

static bool key_fits(EVP_PKEY *k, KeySpec spec) {
        char group[64];

        if (!k)
                return false;
        switch (spec) {
        case KEY_SPEC_RSA2048:
                return EVP_PKEY_is_a(k, "RSA") && EVP_PKEY_get_bits(k) == 2048;
        case KEY_SPEC_EC_P256:
                if (!EVP_PKEY_is_a(k, "EC") ||
                    EVP_PKEY_get_group_name(k, group, sizeof group, NULL) <= 0)
                        return false;
                return streq(group, "prime256v1") || streq(group, "P-256");
        default:
                return false;
        }
}

/* Whether the certificate's DNS and IP SANs are exactly the names, as sets. */
static int sans_equal(X509 *cert, const SelfSignName *names, size_t n, bool *ret) {
        _cleanup_(strv_freep) char **dns = NULL, **ips = NULL;
        _cleanup_(freep) SelfSignName *have = NULL;
        _cleanup_(strv_freep) char **all = NULL;
        size_t n_have = 0;
        int r;

        r = names_cert_sans(cert, &dns, &ips, NULL);
        if (r < 0)
                return r;
        for (char **i = dns; i && *i; i++) {
                SelfSignName d;

                /* A name that is no host name (printable-escaped control
                 * characters, a wildcard) matches none of the configured. */
                if (name_parse(*i, &d) < 0 || d.ip) {
                        *ret = false;
                        return 0;
                }
                r = strv_extend(&all, *i);
                if (r < 0)
                        return r;
        }
        for (char **i = ips; i && *i; i++) {
                r = strv_extend(&all, *i);
                if (r < 0)
                        return r;
        }
        r = names_parse_all(all, &have, &n_have);
        if (r < 0)
                return r;

        /* Both lists are free of repeats: equal sizes and one inclusion make
         * equal sets. */
        if (n_have != n) {
                *ret = false;
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                bool found = false;

                for (size_t j = 0; j < n_have && !found; j++)
                        found = x509build_name_equal(&names[i], &have[j]);
                if (!found) {
                        *ret = false;
                        return 0;
                }
        }
        *ret = true;
        return 0;
}

static int verdict(X509 *cert, char **names, KeySpec key, time_t now, int min_valid_days,
                   SelfSignVerdict *ret) {
        _cleanup_(freep) SelfSignName *want = NULL;
        size_t n = 0;
        time_t not_before, not_after;
        bool same = false;
        int r;

        if (!cert || !ret || key < 0 || key >= _KEY_SPEC_MAX)
                return -EINVAL;
        r = names_parse_all(names, &want, &n);
        if (r < 0)
                return r;

        if (!key_fits(X509_get0_pubkey(cert), key)) {
                *ret = SELFSIGN_KEY_CHANGED;
                return 0;
        }
        r = sans_equal(cert, want, n, &same);
        if (r < 0)
                return r;
        if (!same) {
                *ret = SELFSIGN_NAMES_CHANGED;
                return 0;
        }
        /* Dates that do not convert make the certificate useless: renew. */
        if (time_from_asn1(X509_get0_notBefore(cert), &not_before) < 0 ||
            time_from_asn1(X509_get0_notAfter(cert), &not_after) < 0) {
                *ret = SELFSIGN_EXPIRING;
                return 0;
        }
        if (not_before > now) {
                *ret = SELFSIGN_NOT_YET_VALID;
                return 0;
        }
        if (not_after <= now || (not_after - now) <= (time_t) min_valid_days * 86400) {
                *ret = SELFSIGN_EXPIRING;
                return 0;
        }
        *ret = SELFSIGN_FITS;
        return 0;
}

int selfsign_verdict(X509 *cert, char **names, KeySpec key, time_t now, int min_valid_days,
                     SelfSignVerdict *ret) {
        int r;

        ERR_set_mark();
        r = verdict(cert, names, key, now, min_valid_days, ret);
        ERR_pop_to_mark();
        return r;
}
