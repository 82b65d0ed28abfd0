/* x509build: shared by selfsign (the agent's fallback), ca (the toolkit's
 * private CA) and csr (requests). Every extension is built from its ASN.1
 * structure, so no name, however written, can smuggle in an extension of its
 * own. */

#include <arpa/inet.h>
#include <strings.h>

#include <openssl/buffer.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "macro.h"
#include "names.h"
#include "strv.h"
#include "x509build.h"

#define SERIAL_BYTES 16

static const char *const key_table[_X509BUILD_KEY_MAX] = {
        [X509BUILD_KEY_RSA2048] = "rsa:2048",
        [X509BUILD_KEY_RSA3072] = "rsa:3072",
        [X509BUILD_KEY_EC_P256] = "ec:p256",
};

const char *x509build_key_to_string(X509BuildKey k) {
        if (k < 0 || k >= _X509BUILD_KEY_MAX)
                return NULL;
        return key_table[k];
}

X509BuildKey x509build_key_from_string(const char *s) {
        if (!s)
                return _X509BUILD_KEY_INVALID;
        for (int i = 0; i < _X509BUILD_KEY_MAX; i++)
                if (streq(key_table[i], s))
                        return (X509BuildKey) i;
        return _X509BUILD_KEY_INVALID;
}

X509BuildKey x509build_key_from_spec(KeySpec k) {
        switch (k) {
        case KEY_SPEC_RSA2048:
                return X509BUILD_KEY_RSA2048;
        case KEY_SPEC_EC_P256:
                return X509BUILD_KEY_EC_P256;
        default:
                return _X509BUILD_KEY_INVALID;
        }
}

int x509build_new_key(X509BuildKey k, EVP_PKEY **ret) {
        EVP_PKEY *p;

        if (!ret)
                return -EINVAL;
        switch (k) {
        case X509BUILD_KEY_RSA2048:
                p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
                break;
        case X509BUILD_KEY_RSA3072:
                p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 3072);
                break;
        case X509BUILD_KEY_EC_P256:
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

int x509build_set_serial(X509 *x) {
        _cleanup_(BN_freep) BIGNUM *bn = NULL;
        _cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *ai = NULL;
        unsigned char b[SERIAL_BYTES];

        if (!x)
                return -EINVAL;
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

int x509build_set_validity(X509 *x, time_t not_before, time_t not_after) {
        if (!x || not_after <= not_before)
                return -EINVAL;
        if (!ASN1_TIME_set(X509_getm_notBefore(x), not_before) ||
            !ASN1_TIME_set(X509_getm_notAfter(x), not_after))
                return -EINVAL;
        return 0;
}

int x509build_name_parse(const char *s, bool allow_wildcard, X509BuildName *ret) {
        X509BuildName n = {.text = s};

        if (!s || !ret)
                return -EINVAL;
        if (names_parse_ip(s, n.addr, &n.len))
                n.ip = true;
        else if (names_is_hostname(s) ||
                 (allow_wildcard && names_classify_wildcard(s) == NAMES_WILDCARD_OK)) {
                n.wildcard = s[0] == '*';
                n.len = strlen(s);
                if (n.len > 0 && s[n.len - 1] == '.')
                        n.len--;
        } else
                return -EINVAL;
        *ret = n;
        return 0;
}

bool x509build_name_equal(const X509BuildName *a, const X509BuildName *b) {
        if (a->ip != b->ip || a->len != b->len)
                return false;
        if (a->ip)
                return memcmp(a->addr, b->addr, a->len) == 0;
        return strncasecmp(a->text, b->text, a->len) == 0;
}

int x509build_names_parse(char **names, bool allow_wildcard, X509BuildName **ret, size_t *ret_n) {
        _cleanup_(freep) X509BuildName *v = NULL;
        size_t n = 0, total = strv_length(names);
        int r;

        if (!ret || !ret_n)
                return -EINVAL;
        v = calloc(total + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < total; i++) {
                bool seen = false;

                r = x509build_name_parse(names[i], allow_wildcard, &v[n]);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < n && !seen; j++)
                        seen = x509build_name_equal(&v[j], &v[n]);
                if (!seen)
                        n++;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

int x509build_san(const X509BuildName *names, size_t n, GENERAL_NAMES **ret) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;

        if (!names || n == 0 || !ret)
                return -EINVAL;
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
        *ret = TAKE_PTR(gens);
        return 0;
}

int x509build_pick_cn(const X509BuildName *names, size_t n, const char *fallback, char **ret) {
        char text[INET6_ADDRSTRLEN];
        char *cn = NULL;

        if (!ret)
                return -EINVAL;
        for (size_t i = 0; i < n && !cn; i++)
                if (!names[i].ip && names[i].len <= X509BUILD_CN_MAX) {
                        cn = strndup(names[i].text, names[i].len);
                        if (!cn)
                                return -ENOMEM;
                }
        for (size_t i = 0; i < n && !cn; i++)
                if (names[i].ip) {
                        if (!inet_ntop(names[i].len == 4 ? AF_INET : AF_INET6, names[i].addr, text,
                                       sizeof text))
                                return -EINVAL;
                        cn = strdup(text);
                        if (!cn)
                                return -ENOMEM;
                }
        if (!cn) {
                if (!fallback || !*fallback || strlen(fallback) > X509BUILD_CN_MAX)
                        return -EINVAL;
                cn = strdup(fallback);
                if (!cn)
                        return -ENOMEM;
        }
        *ret = cn;
        return 0;
}

static int subject_add(X509_NAME *n, int nid, const char *value) {
        if (!value || !*value)
                return 0;
        if (X509_NAME_add_entry_by_NID(n, nid, MBSTRING_UTF8, (const unsigned char *) value, -1, -1,
                                       0) <= 0)
                return -EINVAL;
        return 0;
}

int x509build_subject(const char *country, const char *organization,
                      const char *organizational_unit, const char *cn, X509_NAME **ret) {
        _cleanup_(X509_NAME_freep) X509_NAME *subject = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        subject = X509_NAME_new();
        if (!subject)
                return -ENOMEM;
        r = subject_add(subject, NID_countryName, country);
        if (r < 0)
                return r;
        r = subject_add(subject, NID_organizationName, organization);
        if (r < 0)
                return r;
        r = subject_add(subject, NID_organizationalUnitName, organizational_unit);
        if (r < 0)
                return r;
        r = subject_add(subject, NID_commonName, cn);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(subject);
        return 0;
}

int x509build_add_ext(X509 *x, int nid, void *value, bool critical) {
        if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE) <= 0)
                return -ENOMEM;
        return 0;
}

int x509build_key_id(X509 *x, ASN1_OCTET_STRING **ret) {
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *id = NULL;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;

        if (!x || !ret)
                return -EINVAL;
        if (X509_pubkey_digest(x, EVP_sha1(), md, &md_len) <= 0)
                return -EIO;
        id = ASN1_OCTET_STRING_new();
        if (!id || ASN1_OCTET_STRING_set(id, md, (int) md_len) <= 0)
                return -ENOMEM;
        *ret = TAKE_PTR(id);
        return 0;
}

/* subjectKeyIdentifier, and authorityKeyIdentifier keyid (the own one when
 * authority_keyid is NULL). */
static int add_key_ids(X509 *x, const ASN1_OCTET_STRING *authority_keyid) {
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *ski = NULL;
        _cleanup_(AUTHORITY_KEYID_freep) AUTHORITY_KEYID *aki = NULL;
        int r;

        r = x509build_key_id(x, &ski);
        if (r < 0)
                return r;
        r = x509build_add_ext(x, NID_subject_key_identifier, ski, false);
        if (r < 0)
                return r;

        aki = AUTHORITY_KEYID_new();
        if (!aki)
                return -ENOMEM;
        aki->keyid = ASN1_OCTET_STRING_dup(authority_keyid ? authority_keyid : ski);
        if (!aki->keyid)
                return -ENOMEM;
        return x509build_add_ext(x, NID_authority_key_identifier, aki, false);
}

int x509build_add_server_extensions(X509 *x, const X509BuildName *names, size_t n, bool client_auth,
                                    const ASN1_OCTET_STRING *authority_keyid) {
        _cleanup_(BASIC_CONSTRAINTS_freep) BASIC_CONSTRAINTS *bc = NULL;
        _cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *ku = NULL;
        _cleanup_(EXTENDED_KEY_USAGE_freep) EXTENDED_KEY_USAGE *eku = NULL;
        EVP_PKEY *key;
        int r;

        if (!x || (n > 0 && !names))
                return -EINVAL;
        key = X509_get0_pubkey(x);
        if (!key)
                return -EINVAL;

        bc = BASIC_CONSTRAINTS_new();
        if (!bc)
                return -ENOMEM;
        bc->ca = 0; /* DER leaves the default FALSE out: an empty SEQUENCE */
        r = x509build_add_ext(x, NID_basic_constraints, bc, true);
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
        r = x509build_add_ext(x, NID_key_usage, ku, true);
        if (r < 0)
                return r;

        eku = sk_ASN1_OBJECT_new_null();
        if (!eku || sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) <= 0)
                return -ENOMEM;
        if (client_auth && sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)) <= 0)
                return -ENOMEM;
        r = x509build_add_ext(x, NID_ext_key_usage, eku, false);
        if (r < 0)
                return r;

        if (n > 0) {
                _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;

                r = x509build_san(names, n, &gens);
                if (r < 0)
                        return r;
                /* Critical only if the subject were empty (RFC 5280
                 * 4.2.1.6); the callers always give it a CN. */
                r = x509build_add_ext(x, NID_subject_alt_name, gens, false);
                if (r < 0)
                        return r;
        }

        return add_key_ids(x, authority_keyid);
}

int x509build_add_ca_extensions(X509 *x) {
        _cleanup_(BASIC_CONSTRAINTS_freep) BASIC_CONSTRAINTS *bc = NULL;
        _cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *ku = NULL;
        int r;

        if (!x || !X509_get0_pubkey(x))
                return -EINVAL;
        bc = BASIC_CONSTRAINTS_new();
        if (!bc)
                return -ENOMEM;
        bc->ca = 0xff; /* DER TRUE */
        r = x509build_add_ext(x, NID_basic_constraints, bc, true);
        if (r < 0)
                return r;

        ku = ASN1_BIT_STRING_new();
        if (!ku || ASN1_BIT_STRING_set_bit(ku, 5, 1) <= 0 || /* keyCertSign */
            ASN1_BIT_STRING_set_bit(ku, 6, 1) <= 0)          /* cRLSign */
                return -ENOMEM;
        r = x509build_add_ext(x, NID_key_usage, ku, true);
        if (r < 0)
                return r;

        return add_key_ids(x, NULL);
}

/* The memory BIO's bytes, copied out (NUL-terminated, the NUL not counted).
 * A memory BIO wipes its buffer when freed (BUF_MEM_free). */
static int bio_take(BIO *b, char **ret, size_t *ret_len) {
        BUF_MEM *m = NULL;
        char *p;

        if (BIO_get_mem_ptr(b, &m) <= 0 || !m)
                return -EIO;
        p = malloc(m->length + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p, m->data, m->length);
        p[m->length] = '\0';
        *ret = p;
        *ret_len = m->length;
        return 0;
}

int x509build_cert_pem(X509 *x, char **ret, size_t *ret_len) {
        _cleanup_(BIO_free_allp) BIO *b = NULL;

        if (!x || !ret || !ret_len)
                return -EINVAL;
        b = BIO_new(BIO_s_mem());
        if (!b)
                return -ENOMEM;
        if (PEM_write_bio_X509(b, x) <= 0)
                return -EIO;
        return bio_take(b, ret, ret_len);
}

int x509build_req_pem(X509_REQ *req, char **ret, size_t *ret_len) {
        _cleanup_(BIO_free_allp) BIO *b = NULL;

        if (!req || !ret || !ret_len)
                return -EINVAL;
        b = BIO_new(BIO_s_mem());
        if (!b)
                return -ENOMEM;
        if (PEM_write_bio_X509_REQ(b, req) <= 0)
                return -EIO;
        return bio_take(b, ret, ret_len);
}

int x509build_key_pem(EVP_PKEY *key, char **ret, size_t *ret_len) {
        _cleanup_(BIO_free_allp) BIO *b = NULL;

        if (!key || !ret || !ret_len)
                return -EINVAL;
        b = BIO_new(BIO_s_mem());
        if (!b)
                return -ENOMEM;
        /* PKCS#8 ("PRIVATE KEY"), no cipher. */
        if (PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) <= 0)
                return -EIO;
        return bio_take(b, ret, ret_len);
}
