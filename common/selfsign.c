/* selfsign: the agent's self-signed fallback certificate. Every extension is
 * built from its ASN.1 structure (no X509V3 configuration strings), so no
 * name, however written, can smuggle in an extension of its own. */

#include <arpa/inet.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "names.h"
#include "selfsign.h"
#include "strv.h"
#include "timeutil.h"

#define SELFSIGN_SERIAL_BYTES 16
#define SELFSIGN_BACKDATE_S   (5 * 60)

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

/* One configured name: an address (its bytes) or a host name (its length
 * without a trailing dot). */
typedef struct SelfSignName {
        const char *text;
        bool ip;
        unsigned char addr[16];
        size_t len; /* address bytes, or host name characters */
} SelfSignName;

static int name_parse(const char *s, SelfSignName *ret) {
        SelfSignName n = {.text = s};

        if (names_parse_ip(s, n.addr, &n.len))
                n.ip = true;
        else if (names_is_hostname(s)) {
                n.len = strlen(s);
                if (n.len > 0 && s[n.len - 1] == '.')
                        n.len--;
        } else
                return -EINVAL;
        *ret = n;
        return 0;
}

static bool name_equal(const SelfSignName *a, const SelfSignName *b) {
        if (a->ip != b->ip || a->len != b->len)
                return false;
        if (a->ip)
                return memcmp(a->addr, b->addr, a->len) == 0;
        return strncasecmp(a->text, b->text, a->len) == 0;
}

/* The names parsed, repeats dropped, in their order. */
static int names_parse_all(char **names, SelfSignName **ret, size_t *ret_n) {
        _cleanup_(freep) SelfSignName *v = NULL;
        size_t n = 0, total = strv_length(names);
        int r;

        v = calloc(total + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < total; i++) {
                bool seen = false;

                r = name_parse(names[i], &v[n]);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < n && !seen; j++)
                        seen = name_equal(&v[j], &v[n]);
                if (!seen)
                        n++;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

static int new_key(KeySpec k, EVP_PKEY **ret) {
        EVP_PKEY *p;

        switch (k) {
        case KEY_SPEC_RSA2048:
                p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
                break;
        case KEY_SPEC_EC_P256:
                p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
                break;
        default:
                return -EINVAL;
        }
        if (!p)
                return -EIO;
        *ret = p;
        return 0;
}

/* A random positive serial of at most 128 bits (top bit cleared, so the DER
 * INTEGER needs no sign byte and stays within RFC 5280's 20 octets), never 0. */
static int set_serial(X509 *x) {
        _cleanup_(BN_freep) BIGNUM *bn = NULL;
        _cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *ai = NULL;
        unsigned char b[SELFSIGN_SERIAL_BYTES];

        do {
                if (RAND_bytes(b, sizeof b) <= 0)
                        return -EIO;
                b[0] &= 0x7f;
                bn = BN_bin2bn(b, sizeof b, bn);
                if (!bn)
                        return -ENOMEM;
        } while (BN_is_zero(bn));

        ai = BN_to_ASN1_INTEGER(bn, NULL);
        if (!ai || X509_set_serialNumber(x, ai) <= 0)
                return -ENOMEM;
        return 0;
}

static int name_add(X509_NAME *n, int nid, const char *value, size_t len) {
        if (!value || len == 0)
                return 0;
        if (X509_NAME_add_entry_by_NID(n, nid, MBSTRING_UTF8, (const unsigned char *) value,
                                       (int) len, -1, 0) <= 0)
                return -EINVAL;
        return 0;
}

static int set_subject(X509 *x, const SelfSignSpec *s, const SelfSignName *names, size_t n) {
        _cleanup_(X509_NAME_freep) X509_NAME *subject = NULL;
        char text[INET6_ADDRSTRLEN];
        const char *cn = NULL;
        size_t cn_len = 0;
        int r;

        for (size_t i = 0; i < n && !cn; i++)
                if (!names[i].ip && names[i].len <= SELFSIGN_CN_MAX) {
                        cn = names[i].text;
                        cn_len = names[i].len;
                }
        for (size_t i = 0; i < n && !cn; i++)
                if (names[i].ip) {
                        if (!inet_ntop(names[i].len == 4 ? AF_INET : AF_INET6, names[i].addr, text,
                                       sizeof text))
                                return -EINVAL;
                        cn = text;
                        cn_len = strlen(text);
                }
        if (!cn) {
                if (!s->service || !*s->service || strlen(s->service) > SELFSIGN_CN_MAX)
                        return -EINVAL;
                cn = s->service;
                cn_len = strlen(cn);
        }

        subject = X509_NAME_new();
        if (!subject)
                return -ENOMEM;
        r = name_add(subject, NID_countryName, s->country, s->country ? strlen(s->country) : 0);
        if (r < 0)
                return r;
        r = name_add(subject, NID_organizationName, s->organization,
                     s->organization ? strlen(s->organization) : 0);
        if (r < 0)
                return r;
        r = name_add(subject, NID_organizationalUnitName, s->organizational_unit,
                     s->organizational_unit ? strlen(s->organizational_unit) : 0);
        if (r < 0)
                return r;
        r = name_add(subject, NID_commonName, cn, cn_len);
        if (r < 0)
                return r;

        if (X509_set_subject_name(x, subject) <= 0 || X509_set_issuer_name(x, subject) <= 0)
                return -ENOMEM;
        return 0;
}

static int add_ext(X509 *x, int nid, void *value, bool critical) {
        if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE) <= 0)
                return -ENOMEM;
        return 0;
}

static int add_san(X509 *x, const SelfSignName *names, size_t n) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;

        if (n == 0)
                return 0;
        gens = GENERAL_NAMES_new();
        if (!gens)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                GENERAL_NAME *gn = GENERAL_NAME_new();
                ASN1_STRING *v;
                int type;

                if (!gn)
                        return -ENOMEM;
                if (names[i].ip) {
                        type = GEN_IPADD;
                        v = ASN1_OCTET_STRING_new();
                } else {
                        type = GEN_DNS;
                        v = ASN1_IA5STRING_new();
                }
                if (!v || ASN1_STRING_set(v,
                                          names[i].ip ? (const void *) names[i].addr
                                                      : (const void *) names[i].text,
                                          (int) names[i].len) <= 0) {
                        ASN1_STRING_free(v);
                        GENERAL_NAME_free(gn);
                        return -ENOMEM;
                }
                GENERAL_NAME_set0_value(gn, type, v);
                if (sk_GENERAL_NAME_push(gens, gn) <= 0) {
                        GENERAL_NAME_free(gn);
                        return -ENOMEM;
                }
        }
        /* Critical only if the subject were empty (RFC 5280 4.2.1.6); it
         * always has a CN here. */
        return add_ext(x, NID_subject_alt_name, gens, false);
}

static int add_extensions(X509 *x, EVP_PKEY *key, const SelfSignName *names, size_t n) {
        _cleanup_(BASIC_CONSTRAINTS_freep) BASIC_CONSTRAINTS *bc = NULL;
        _cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *ku = NULL;
        _cleanup_(EXTENDED_KEY_USAGE_freep) EXTENDED_KEY_USAGE *eku = NULL;
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *ski = NULL;
        _cleanup_(AUTHORITY_KEYID_freep) AUTHORITY_KEYID *aki = NULL;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        int r;

        bc = BASIC_CONSTRAINTS_new();
        if (!bc)
                return -ENOMEM;
        bc->ca = 0; /* DER leaves the default FALSE out: an empty SEQUENCE */
        r = add_ext(x, NID_basic_constraints, bc, true);
        if (r < 0)
                return r;

        /* keyEncipherment only for RSA: an EC key cannot encipher a key
         * (ECDHE signs with it; RFC 8813 and RFC 5480 3 leave
         * keyEncipherment out for id-ecPublicKey, and strict TLS stacks
         * reject the combination). */
        ku = ASN1_BIT_STRING_new();
        if (!ku || ASN1_BIT_STRING_set_bit(ku, 0, 1) <= 0) /* digitalSignature */
                return -ENOMEM;
        if (EVP_PKEY_is_a(key, "RSA") && ASN1_BIT_STRING_set_bit(ku, 2, 1) <= 0)
                return -ENOMEM;
        r = add_ext(x, NID_key_usage, ku, true);
        if (r < 0)
                return r;

        eku = sk_ASN1_OBJECT_new_null();
        if (!eku || sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) <= 0)
                return -ENOMEM;
        r = add_ext(x, NID_ext_key_usage, eku, false);
        if (r < 0)
                return r;

        r = add_san(x, names, n);
        if (r < 0)
                return r;

        /* RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
        if (X509_pubkey_digest(x, EVP_sha1(), md, &md_len) <= 0)
                return -EIO;
        ski = ASN1_OCTET_STRING_new();
        if (!ski || ASN1_OCTET_STRING_set(ski, md, (int) md_len) <= 0)
                return -ENOMEM;
        r = add_ext(x, NID_subject_key_identifier, ski, false);
        if (r < 0)
                return r;

        aki = AUTHORITY_KEYID_new();
        if (!aki)
                return -ENOMEM;
        aki->keyid = ASN1_OCTET_STRING_dup(ski);
        if (!aki->keyid)
                return -ENOMEM;
        return add_ext(x, NID_authority_key_identifier, aki, false);
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
        r = new_key(s->key, &key);
        if (r < 0)
                return r;

        x = X509_new();
        if (!x)
                return -ENOMEM;
        if (X509_set_version(x, X509_VERSION_3) <= 0)
                return -ENOMEM;
        r = set_serial(x);
        if (r < 0)
                return r;
        if (!ASN1_TIME_set(X509_getm_notBefore(x), s->now - SELFSIGN_BACKDATE_S) ||
            !ASN1_TIME_set(X509_getm_notAfter(x), s->now + (time_t) s->days * 86400))
                return -EINVAL;
        r = set_subject(x, s, names, n);
        if (r < 0)
                return r;
        if (X509_set_pubkey(x, key) <= 0)
                return -ENOMEM;
        r = add_extensions(x, key, names, n);
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
                        found = name_equal(&names[i], &have[j]);
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
