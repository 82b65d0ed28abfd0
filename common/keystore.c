/* keystore: PKCS#12 for Tomcat. The file is built bag by bag (not with
 * PKCS12_create()) so that every algorithm is chosen here, and attributes an
 * issuer certificate might carry from elsewhere (an alias, a key id) cannot
 * reach the file and make Java pair the key with the wrong certificate. */

#include <limits.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "keystore.h"

DEFINE_PTR_CLEANUP(PKCS12, PKCS12_free)
DEFINE_PTR_CLEANUP(PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free)
DEFINE_PTR_CLEANUP(PKCS12_SAFEBAG, PKCS12_SAFEBAG_free)

static inline void sk_PKCS12_SAFEBAG_pop_freep(STACK_OF(PKCS12_SAFEBAG) * *p) {
        if (*p) {
                sk_PKCS12_SAFEBAG_pop_free(*p, PKCS12_SAFEBAG_free);
                *p = NULL;
        }
}

static inline void sk_PKCS7_pop_freep(STACK_OF(PKCS7) * *p) {
        if (*p) {
                sk_PKCS7_pop_free(*p, PKCS7_free);
                *p = NULL;
        }
}

static void openssl_freep(char **p) {
        OPENSSL_free(*p);
        *p = NULL;
}

typedef struct KeystoreAlgorithms {
        int nid_key;  /* a cipher NID (PBES2) or a PKCS#12 PBE NID */
        int nid_cert; /* likewise, for the certificates' encrypted safe */
        const EVP_MD *(*mac_md)(void);
} KeystoreAlgorithms;

static int algorithms(Pkcs12Compat c, KeystoreAlgorithms *ret) {
        switch (c) {
        case PKCS12_COMPAT_MODERN:
                /* A cipher NID makes OpenSSL use PBES2 with PBKDF2, whose PRF
                 * is HMAC-SHA-256 by default in OpenSSL 3 (the tests check). */
                *ret = (KeystoreAlgorithms){NID_aes_256_cbc, NID_aes_256_cbc, EVP_sha256};
                return 0;
        case PKCS12_COMPAT_LEGACY:
                *ret = (KeystoreAlgorithms){NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                                            NID_pbe_WithSHA1And3_Key_TripleDES_CBC, EVP_sha1};
                return 0;
        default:
                return -EINVAL;
        }
}

/* The leaf's certificate bag: friendlyName and localKeyID, like its key's. */
static int add_cert_bag(STACK_OF(PKCS12_SAFEBAG) * bags, X509 *x, const char *alias,
                        const unsigned char *keyid, int keyid_len) {
        _cleanup_(PKCS12_SAFEBAG_freep) PKCS12_SAFEBAG *bag = PKCS12_SAFEBAG_create_cert(x);

        if (!bag)
                return -ENOMEM;
        if (alias && PKCS12_add_friendlyname_utf8(bag, alias, -1) <= 0)
                return -EINVAL; /* not UTF-8 */
        if (keyid && PKCS12_add_localkeyid(bag, (unsigned char *) keyid, keyid_len) <= 0)
                return -ENOMEM;
        if (sk_PKCS12_SAFEBAG_push(bags, bag) <= 0)
                return -ENOMEM;
        TAKE_PTR(bag);
        return 0;
}

static int write_p12(const STACK_OF(X509) * chain, EVP_PKEY *key, const char *alias,
                     const char *password, Pkcs12Compat compat, char **ret, size_t *ret_len) {
        _cleanup_(sk_PKCS12_SAFEBAG_pop_freep) STACK_OF(PKCS12_SAFEBAG) *certs = NULL, *keys = NULL;
        _cleanup_(sk_PKCS7_pop_freep) STACK_OF(PKCS7) *safes = NULL;
        _cleanup_(PKCS12_freep) PKCS12 *p12 = NULL;
        KeystoreAlgorithms a;
        unsigned char keyid[EVP_MAX_MD_SIZE];
        unsigned int keyid_len = 0;
        PKCS12_SAFEBAG *kb;
        unsigned char *der = NULL, *p;
        int n, r;

        if (!chain || sk_X509_num(chain) < 1 || !key || !alias || !*alias || !password ||
            !*password || !ret || !ret_len)
                return -EINVAL;
        r = algorithms(compat, &a);
        if (r < 0)
                return r;
        if (X509_check_private_key(sk_X509_value(chain, 0), key) <= 0)
                return -EINVAL;
        if (X509_digest(sk_X509_value(chain, 0), EVP_sha1(), keyid, &keyid_len) <= 0)
                return -EIO;

        certs = sk_PKCS12_SAFEBAG_new_null();
        keys = sk_PKCS12_SAFEBAG_new_null();
        if (!certs || !keys)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(chain); i++) {
                r = add_cert_bag(certs, sk_X509_value(chain, i), i == 0 ? alias : NULL,
                                 i == 0 ? keyid : NULL, (int) keyid_len);
                if (r < 0)
                        return r;
        }

        /* The key: a pkcs8ShroudedKeyBag, in a plain data safe (as OpenSSL
         * and Java write it); the certificates: an encrypted-data safe. */
        kb = PKCS12_add_key_ex(&keys, key, 0, KEYSTORE_ITER, a.nid_key, password, NULL, NULL);
        if (!kb)
                return -EIO;
        if (PKCS12_add_friendlyname_utf8(kb, alias, -1) <= 0)
                return -EINVAL;
        if (PKCS12_add_localkeyid(kb, keyid, (int) keyid_len) <= 0)
                return -ENOMEM;

        if (PKCS12_add_safe_ex(&safes, certs, a.nid_cert, KEYSTORE_ITER, password, NULL, NULL) <=
                    0 ||
            PKCS12_add_safe_ex(&safes, keys, -1, 0, NULL, NULL, NULL) <= 0)
                return -EIO;
        p12 = PKCS12_add_safes_ex(safes, NID_pkcs7_data, NULL, NULL);
        if (!p12)
                return -ENOMEM;
        /* The MAC digest is set here: PKCS12_set_mac() picks SHA-256 for
         * NULL in OpenSSL 3 (SHA-1 before), which legacy Java cannot check. */
        if (PKCS12_set_mac(p12, password, -1, NULL, 0, KEYSTORE_ITER, a.mac_md()) <= 0)
                return -EIO;

        n = i2d_PKCS12(p12, NULL);
        if (n <= 0)
                return -EIO;
        der = malloc((size_t) n);
        if (!der)
                return -ENOMEM;
        p = der;
        if (i2d_PKCS12(p12, &p) != n) {
                erase_and_free(der, (size_t) n);
                return -EIO;
        }
        *ret = (char *) der;
        *ret_len = (size_t) n;
        return 0;
}

int keystore_pkcs12(const STACK_OF(X509) * chain, EVP_PKEY *key, const char *alias,
                    const char *password, Pkcs12Compat compat, char **ret, size_t *ret_len) {
        int r;

        /* Leave the OpenSSL error queue as it was found. */
        ERR_set_mark();
        r = write_p12(chain, key, alias, password, compat, ret, ret_len);
        ERR_pop_to_mark();
        return r;
}

/* ---- reading ---------------------------------------------------------------------- */

typedef struct ReadState {
        const char *password;
        EVP_PKEY *key;
        ASN1_OCTET_STRING *key_id; /* the key bag's localKeyID, or NULL */
        char *key_name;            /* the key bag's friendlyName (OPENSSL_malloc'd), or NULL */
        size_t n_keys;
        STACK_OF(X509) * certs; /* with each bag's friendlyName and localKeyID as aux data */
} ReadState;

static void read_state_done(ReadState *s) {
        EVP_PKEY_free(s->key);
        ASN1_OCTET_STRING_free(s->key_id);
        OPENSSL_free(s->key_name);
        sk_X509_pop_free(s->certs, X509_free);
        *s = (ReadState){};
}

static const ASN1_OCTET_STRING *bag_local_key_id(const PKCS12_SAFEBAG *bag) {
        const ASN1_TYPE *t = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);

        if (!t || t->type != V_ASN1_OCTET_STRING)
                return NULL;
        return t->value.octet_string;
}

static int read_key_bag(ReadState *s, const PKCS12_SAFEBAG *bag) {
        _cleanup_(PKCS8_PRIV_KEY_INFO_freep) PKCS8_PRIV_KEY_INFO *p8 = NULL;
        const PKCS8_PRIV_KEY_INFO *plain;
        const ASN1_OCTET_STRING *id;

        if (++s->n_keys > 1)
                return -ENOTUNIQ;
        if (PKCS12_SAFEBAG_get_nid(bag) == NID_keyBag)
                plain = PKCS12_SAFEBAG_get0_p8inf(bag);
        else
                plain = p8 = PKCS12_decrypt_skey_ex(bag, s->password, -1, NULL, NULL);
        if (!plain)
                return -EBADMSG;
        s->key = EVP_PKCS82PKEY(plain);
        if (!s->key)
                return -EBADMSG;
        id = bag_local_key_id(bag);
        if (id) {
                s->key_id = ASN1_OCTET_STRING_dup(id);
                if (!s->key_id)
                        return -ENOMEM;
        }
        s->key_name = PKCS12_get_friendlyname((PKCS12_SAFEBAG *) bag);
        return 0;
}

static int read_cert_bag(ReadState *s, const PKCS12_SAFEBAG *bag) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(openssl_freep) char *name = NULL;
        const ASN1_OCTET_STRING *id;

        if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
                return 0;
        x = PKCS12_SAFEBAG_get1_cert(bag);
        if (!x)
                return -EBADMSG;
        /* The bag's attributes go with the certificate, as PKCS12_parse()
         * keeps them: the key id pairs it with the key, the name is the
         * alias when the key has none. */
        name = PKCS12_get_friendlyname((PKCS12_SAFEBAG *) bag);
        if (name && X509_alias_set1(x, (unsigned char *) name, -1) <= 0)
                return -ENOMEM;
        id = bag_local_key_id(bag);
        if (id && X509_keyid_set1(x, ASN1_STRING_get0_data(id), ASN1_STRING_length(id)) <= 0)
                return -ENOMEM;
        if (sk_X509_push(s->certs, x) <= 0)
                return -ENOMEM;
        TAKE_PTR(x);
        return 0;
}

static int read_bag(ReadState *s, const PKCS12_SAFEBAG *bag) {
        switch (PKCS12_SAFEBAG_get_nid(bag)) {
        case NID_pkcs8ShroudedKeyBag:
        case NID_keyBag:
                return read_key_bag(s, bag);
        case NID_certBag:
                return read_cert_bag(s, bag);
        default:
                return 0; /* secrets, CRLs, nested safes: not ours */
        }
}

static int read_safes(ReadState *s, PKCS12 *p12) {
        _cleanup_(sk_PKCS7_pop_freep) STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);

        if (!safes)
                return -EBADMSG;
        for (int i = 0; i < sk_PKCS7_num(safes); i++) {
                _cleanup_(sk_PKCS12_SAFEBAG_pop_freep) STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
                PKCS7 *p7 = sk_PKCS7_value(safes, i);

                switch (OBJ_obj2nid(p7->type)) {
                case NID_pkcs7_data:
                        bags = PKCS12_unpack_p7data(p7);
                        break;
                case NID_pkcs7_encrypted:
                        bags = PKCS12_unpack_p7encdata(p7, s->password, -1);
                        break;
                default:
                        return -EBADMSG;
                }
                if (!bags)
                        return -EBADMSG;
                for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); j++) {
                        int r = read_bag(s, sk_PKCS12_SAFEBAG_value(bags, j));

                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* Where the key's certificate is among s->certs, or -1. */
static int find_leaf(const ReadState *s) {
        if (s->key_id)
                for (int i = 0; i < sk_X509_num(s->certs); i++) {
                        int n = 0;
                        const unsigned char *id = X509_keyid_get0(sk_X509_value(s->certs, i), &n);

                        if (id && n == ASN1_STRING_length(s->key_id) &&
                            memcmp(id, ASN1_STRING_get0_data(s->key_id), (size_t) n) == 0)
                                return i;
                }
        for (int i = 0; i < sk_X509_num(s->certs); i++)
                if (X509_check_private_key(sk_X509_value(s->certs, i), s->key) > 0)
                        return i;
        return -1;
}

static int read_p12(const void *data, size_t len, const char *password, EVP_PKEY **ret_key,
                    STACK_OF(X509) * *ret_chain, char **ret_alias) {
        _cleanup_(read_state_done) ReadState s = {.password = password};
        _cleanup_(PKCS12_freep) PKCS12 *p12 = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = NULL;
        _cleanup_(freep) char *alias = NULL;
        const unsigned char *p = data;
        X509 *leaf;
        int leaf_i, r;

        if (!data || !password || len > LONG_MAX)
                return -EINVAL;
        p12 = d2i_PKCS12(NULL, &p, (long) len);
        if (!p12 || p != (const unsigned char *) data + len)
                return -EBADMSG;
        if (!PKCS12_mac_present(p12))
                return -EBADMSG;
        if (PKCS12_verify_mac(p12, password, -1) <= 0) {
                unsigned char mac[EVP_MAX_MD_SIZE];
                unsigned int mac_len = 0;

                /* A MAC that can be computed but differs: the password is
                 * wrong. One that cannot (an unknown digest, no data): the
                 * file is damaged or not ours. */
                if (PKCS12_gen_mac(p12, password, -1, mac, &mac_len) <= 0)
                        return -EBADMSG;
                return -EACCES;
        }

        s.certs = sk_X509_new_null();
        if (!s.certs)
                return -ENOMEM;
        r = read_safes(&s, p12);
        if (r < 0)
                return r;
        if (!s.key)
                return -ENOKEY;
        leaf_i = find_leaf(&s);
        if (leaf_i < 0)
                return -ENOKEY;

        leaf = sk_X509_value(s.certs, leaf_i);
        if (s.key_name)
                alias = strdup(s.key_name);
        else {
                int n = 0;
                const char *name = (const char *) X509_alias_get0(leaf, &n);

                if (name)
                        alias = strndup(name, (size_t) n);
        }
        if ((s.key_name || X509_alias_get0(leaf, NULL)) && !alias)
                return -ENOMEM;

        chain = sk_X509_new_null();
        if (!chain)
                return -ENOMEM;
        if (sk_X509_push(chain, sk_X509_delete(s.certs, leaf_i)) <= 0) {
                X509_free(leaf);
                return -ENOMEM;
        }
        /* Then each one's issuer, as long as one is there; then the rest. */
        while (sk_X509_num(s.certs) > 0) {
                X509 *last = sk_X509_value(chain, sk_X509_num(chain) - 1), *x;
                int next = 0;

                if (X509_check_issued(last, last) != X509_V_OK)
                        for (int i = 0; i < sk_X509_num(s.certs); i++)
                                if (X509_check_issued(sk_X509_value(s.certs, i), last) ==
                                    X509_V_OK) {
                                        next = i;
                                        break;
                                }
                x = sk_X509_delete(s.certs, next);
                if (sk_X509_push(chain, x) <= 0) {
                        X509_free(x);
                        return -ENOMEM;
                }
        }

        if (ret_key)
                *ret_key = TAKE_PTR(s.key);
        if (ret_chain)
                *ret_chain = TAKE_PTR(chain);
        if (ret_alias)
                *ret_alias = TAKE_PTR(alias);
        return 0;
}

int keystore_pkcs12_read(const void *data, size_t len, const char *password, EVP_PKEY **ret_key,
                         STACK_OF(X509) * *ret_chain, char **ret_alias) {
        int r;

        ERR_set_mark();
        r = read_p12(data, len, password, ret_key, ret_chain, ret_alias);
        ERR_pop_to_mark();
        return r;
}
