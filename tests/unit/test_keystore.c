/* test_keystore: the PKCS#12 keystore for Tomcat — round trips in both
 * modes, the algorithms inside the file (bag encryption, PBKDF2 PRF, MAC
 * digest, iterations), the attributes Java pairs key and certificate by, a
 * wrong password told apart from a damaged file, and bad arguments. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "keystore.h"
#include "macro.h"
#include "testutil.h"

#define PASSWORD "changeit"
#define ALIAS    "tomcat"

static EVP_PKEY *k_root, *k_inter, *k_leaf, *k_ec, *k_other;
static X509 *root, *inter, *leaf, *leaf_ec;

DEFINE_PTR_CLEANUP(PKCS12, PKCS12_free)

static void sk_PKCS7_pop_freep(STACK_OF(PKCS7) * *p) {
        sk_PKCS7_pop_free(*p, PKCS7_free);
        *p = NULL;
}

static void sk_PKCS12_SAFEBAG_pop_freep(STACK_OF(PKCS12_SAFEBAG) * *p) {
        sk_PKCS12_SAFEBAG_pop_free(*p, PKCS12_SAFEBAG_free);
        *p = NULL;
}

static STACK_OF(X509) * stack(X509 *const *certs, size_t n) {
        STACK_OF(X509) *s = sk_X509_new_null();

        ck_assert_ptr_nonnull(s);
        for (size_t i = 0; i < n; i++) {
                ck_assert_int_eq(X509_up_ref(certs[i]), 1);
                ck_assert_int_gt(sk_X509_push(s, certs[i]), 0);
        }
        return s;
}

static STACK_OF(X509) * full_chain(void) {
        return stack((X509 *[]){leaf, inter, root}, 3);
}

static void write_store(const STACK_OF(X509) * chain, EVP_PKEY *key, const char *alias,
                        const char *password, Pkcs12Compat compat, char **ret, size_t *ret_len) {
        ck_assert_int_eq(keystore_pkcs12(chain, key, alias, password, compat, ret, ret_len), 0);
        ck_assert_ptr_nonnull(*ret);
        ck_assert_uint_gt(*ret_len, 0);
}

static PKCS12 *parse(const char *der, size_t len) {
        const unsigned char *p = (const unsigned char *) der;
        PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long) len);

        ck_assert_ptr_nonnull(p12);
        ck_assert_ptr_eq(p, (const unsigned char *) der + len);
        return p12;
}

static void assert_round_trip(Pkcs12Compat compat, const STACK_OF(X509) * chain, EVP_PKEY *key,
                              const char *alias, const char *password) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *got = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        _cleanup_(freep) char *a = NULL;
        char *der = NULL;
        size_t len = 0;

        write_store(chain, key, alias, password, compat, &der, &len);
        ck_assert_int_eq(keystore_pkcs12_read(der, len, password, &k, &got, &a), 0);
        erase_and_free(der, len);
        ck_assert_int_eq(EVP_PKEY_eq(k, key), 1);
        ck_assert_str_eq(a, alias);
        ck_assert_int_eq(sk_X509_num(got), sk_X509_num(chain));
        for (int i = 0; i < sk_X509_num(chain); i++)
                ck_assert_int_eq(X509_cmp(sk_X509_value(got, i), sk_X509_value(chain, i)), 0);
}

START_TEST(test_round_trip_both_modes) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = full_chain(),
                                                    *ec = stack((X509 *[]){leaf_ec, inter}, 2),
                                                    *one = stack((X509 *[]){leaf}, 1);

        for (Pkcs12Compat c = 0; c < _PKCS12_COMPAT_MAX; c++) {
                assert_round_trip(c, chain, k_leaf, ALIAS, PASSWORD);
                assert_round_trip(c, ec, k_ec, ALIAS, PASSWORD);
                assert_round_trip(c, one, k_leaf, "rem", PASSWORD);
                /* UTF-8 alias and password (BMPString in the PKCS#12 KDF). */
                assert_round_trip(c, chain, k_leaf, "clé-Tomcat", "pässwörd €");
        }
}
END_TEST

/* The PBES2 parameters of alg: PBKDF2 with prf, iter iterations, cipher. */
static void assert_pbes2(const X509_ALGOR *alg, int prf, int cipher) {
        const ASN1_OBJECT *oid;
        const void *pval;
        int ptype;
        PBE2PARAM *p2;
        PBKDF2PARAM *kdf;

        X509_ALGOR_get0(&oid, &ptype, &pval, alg);
        ck_assert_int_eq(OBJ_obj2nid(oid), NID_pbes2);
        ck_assert_int_eq(ptype, V_ASN1_SEQUENCE);
        p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
        ck_assert_ptr_nonnull(p2);
        ck_assert_int_eq(OBJ_obj2nid(p2->keyfunc->algorithm), NID_id_pbkdf2);
        ck_assert_int_eq(OBJ_obj2nid(p2->encryption->algorithm), cipher);
        kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), p2->keyfunc->parameter);
        ck_assert_ptr_nonnull(kdf);
        ck_assert_ptr_nonnull(kdf->prf); /* absent means HMAC-SHA-1 */
        ck_assert_int_eq(OBJ_obj2nid(kdf->prf->algorithm), prf);
        ck_assert_int_eq(ASN1_INTEGER_get(kdf->iter), KEYSTORE_ITER);
        PBKDF2PARAM_free(kdf);
        PBE2PARAM_free(p2);
}

/* A PKCS#12 PBE (pbeWithSHA1And...): the algorithm and its iterations. */
static void assert_pkcs12_pbe(const X509_ALGOR *alg, int nid) {
        const ASN1_OBJECT *oid;
        PBEPARAM *pbe;

        X509_ALGOR_get0(&oid, NULL, NULL, alg);
        ck_assert_int_eq(OBJ_obj2nid(oid), nid);
        pbe = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter);
        ck_assert_ptr_nonnull(pbe);
        ck_assert_int_eq(ASN1_INTEGER_get(pbe->iter), KEYSTORE_ITER);
        PBEPARAM_free(pbe);
}

static void assert_alg(const X509_ALGOR *alg, Pkcs12Compat c) {
        if (c == PKCS12_COMPAT_MODERN)
                assert_pbes2(alg, NID_hmacWithSHA256, NID_aes_256_cbc);
        else
                assert_pkcs12_pbe(alg, NID_pbe_WithSHA1And3_Key_TripleDES_CBC);
}

static const ASN1_OCTET_STRING *local_key_id(const PKCS12_SAFEBAG *bag) {
        const ASN1_TYPE *t = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);

        if (!t)
                return NULL;
        ck_assert_int_eq(t->type, V_ASN1_OCTET_STRING);
        return t->value.octet_string;
}

static void assert_structure(Pkcs12Compat c) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = full_chain();
        _cleanup_(PKCS12_freep) PKCS12 *p12 = NULL;
        _cleanup_(sk_PKCS7_pop_freep) STACK_OF(PKCS7) *safes = NULL;
        _cleanup_(sk_PKCS12_SAFEBAG_pop_freep) STACK_OF(PKCS12_SAFEBAG) *certs = NULL, *keys = NULL;
        const ASN1_OCTET_STRING *mac, *salt, *key_id, *leaf_id;
        const X509_ALGOR *macalg, *alg;
        const ASN1_INTEGER *iter;
        const ASN1_OBJECT *oid;
        unsigned char sha1[20];
        unsigned int sha1_len = 0;
        PKCS7 *p7;
        char *der = NULL, *name;
        size_t len = 0;

        write_store(chain, k_leaf, ALIAS, PASSWORD, c, &der, &len);
        p12 = parse(der, len);
        erase_and_free(der, len);

        /* The MAC. */
        ck_assert_int_eq(PKCS12_mac_present(p12), 1);
        PKCS12_get0_mac(&mac, &macalg, &salt, &iter, p12);
        X509_ALGOR_get0(&oid, NULL, NULL, macalg);
        ck_assert_int_eq(OBJ_obj2nid(oid), (c == PKCS12_COMPAT_MODERN ? NID_sha256 : NID_sha1));
        ck_assert_int_eq(ASN1_STRING_length(mac), (c == PKCS12_COMPAT_MODERN ? 32 : 20));
        ck_assert_int_eq(ASN1_INTEGER_get(iter), KEYSTORE_ITER);
        ck_assert_int_ge(ASN1_STRING_length(salt), 8);
        ck_assert_int_eq(PKCS12_verify_mac(p12, PASSWORD, -1), 1);

        /* Two safes: the certificates encrypted, the (shrouded) key in plain data. */
        safes = PKCS12_unpack_authsafes(p12);
        ck_assert_ptr_nonnull(safes);
        ck_assert_int_eq(sk_PKCS7_num(safes), 2);
        p7 = sk_PKCS7_value(safes, 0);
        ck_assert_int_eq(OBJ_obj2nid(p7->type), NID_pkcs7_encrypted);
        assert_alg(p7->d.encrypted->enc_data->algorithm, c);
        certs = PKCS12_unpack_p7encdata(p7, PASSWORD, -1);
        ck_assert_ptr_nonnull(certs);
        p7 = sk_PKCS7_value(safes, 1);
        ck_assert_int_eq(OBJ_obj2nid(p7->type), NID_pkcs7_data);
        keys = PKCS12_unpack_p7data(p7);
        ck_assert_ptr_nonnull(keys);

        /* The key bag: shrouded with the mode's algorithm, named, with the
         * SHA-1 of the leaf as its localKeyID. */
        ck_assert_int_eq(sk_PKCS12_SAFEBAG_num(keys), 1);
        ck_assert_int_eq(PKCS12_SAFEBAG_get_nid(sk_PKCS12_SAFEBAG_value(keys, 0)),
                         NID_pkcs8ShroudedKeyBag);
        X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(sk_PKCS12_SAFEBAG_value(keys, 0)), &alg, NULL);
        assert_alg(alg, c);
        name = PKCS12_get_friendlyname(sk_PKCS12_SAFEBAG_value(keys, 0));
        ck_assert_str_eq(name, ALIAS);
        OPENSSL_free(name);
        key_id = local_key_id(sk_PKCS12_SAFEBAG_value(keys, 0));
        ck_assert_ptr_nonnull(key_id);
        ck_assert_int_eq(X509_digest(leaf, EVP_sha1(), sha1, &sha1_len), 1);
        ck_assert_int_eq(ASN1_STRING_length(key_id), 20);
        ck_assert_mem_eq(ASN1_STRING_get0_data(key_id), sha1, 20);

        /* The certificates: leaf (same name and key id), then the issuers
         * bare, so Java makes them part of the key entry's chain only. */
        ck_assert_int_eq(sk_PKCS12_SAFEBAG_num(certs), 3);
        for (int i = 0; i < 3; i++) {
                PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(certs, i);
                X509 *x;

                ck_assert_int_eq(PKCS12_SAFEBAG_get_nid(bag), NID_certBag);
                ck_assert_int_eq(PKCS12_SAFEBAG_get_bag_nid(bag), NID_x509Certificate);
                x = PKCS12_SAFEBAG_get1_cert(bag);
                ck_assert_int_eq(X509_cmp(x, sk_X509_value(chain, i)), 0);
                X509_free(x);
                name = PKCS12_get_friendlyname(bag);
                leaf_id = local_key_id(bag);
                if (i == 0) {
                        ck_assert_str_eq(name, ALIAS);
                        ck_assert_ptr_nonnull(leaf_id);
                        ck_assert_int_eq(ASN1_OCTET_STRING_cmp(leaf_id, key_id), 0);
                } else {
                        ck_assert_ptr_null(name);
                        ck_assert_ptr_null(leaf_id);
                        ck_assert_int_le(sk_X509_ATTRIBUTE_num(PKCS12_SAFEBAG_get0_attrs(bag)), 0);
                }
                OPENSSL_free(name);
        }
}

START_TEST(test_modern_algorithms) {
        assert_structure(PKCS12_COMPAT_MODERN);
}
END_TEST

START_TEST(test_legacy_algorithms) {
        assert_structure(PKCS12_COMPAT_LEGACY);
}
END_TEST

START_TEST(test_issuer_aux_attributes_stay_out) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = NULL, *got = NULL;
        _cleanup_(X509_freep) X509 *marked = X509_dup(inter);
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        _cleanup_(freep) char *a = NULL;
        char *der = NULL;
        size_t len = 0;
        unsigned char sha1[20];
        unsigned int n = 0;

        /* An issuer carrying (from a trusted-certificate PEM, say) an alias
         * and the leaf's key id: neither reaches the file. */
        ck_assert_ptr_nonnull(marked);
        ck_assert_int_eq(X509_digest(leaf, EVP_sha1(), sha1, &n), 1);
        ck_assert_int_eq(X509_alias_set1(marked, (const unsigned char *) "evil", -1), 1);
        ck_assert_int_eq(X509_keyid_set1(marked, sha1, (int) n), 1);
        chain = stack((X509 *[]){leaf, marked, root}, 3);
        write_store(chain, k_leaf, ALIAS, PASSWORD, PKCS12_COMPAT_MODERN, &der, &len);
        ck_assert_int_eq(keystore_pkcs12_read(der, len, PASSWORD, &k, &got, &a), 0);
        erase_and_free(der, len);
        ck_assert_str_eq(a, ALIAS);
        ck_assert_int_eq(X509_cmp(sk_X509_value(got, 0), leaf), 0);
        ck_assert_ptr_null(X509_alias_get0(sk_X509_value(got, 1), NULL));
        ck_assert_ptr_null(X509_keyid_get0(sk_X509_value(got, 1), NULL));
}
END_TEST

START_TEST(test_wrong_password_is_eacces) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = full_chain();

        for (Pkcs12Compat c = 0; c < _PKCS12_COMPAT_MAX; c++) {
                EVP_PKEY *k = (EVP_PKEY *) 0x1;
                STACK_OF(X509) *got = (STACK_OF(X509) *) 0x1;
                char *a = (char *) 0x1;
                char *der = NULL;
                size_t len = 0;

                write_store(chain, k_leaf, ALIAS, PASSWORD, c, &der, &len);
                ck_assert_int_eq(keystore_pkcs12_read(der, len, "changeiT", &k, &got, &a), -EACCES);
                ck_assert_int_eq(keystore_pkcs12_read(der, len, "", &k, &got, &a), -EACCES);
                ck_assert_ptr_eq(k, (EVP_PKEY *) 0x1);
                ck_assert_ptr_eq(got, (STACK_OF(X509) *) 0x1);
                ck_assert_ptr_eq(a, (char *) 0x1);
                /* Right password, nothing asked for: fine. */
                ck_assert_int_eq(keystore_pkcs12_read(der, len, PASSWORD, NULL, NULL, NULL), 0);
                erase_and_free(der, len);
        }
}
END_TEST

START_TEST(test_damaged_file_is_ebadmsg) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = full_chain();
        _cleanup_(freep) char *longer = NULL;
        static const char garbage[] = "-----BEGIN CERTIFICATE-----\n";
        char *der = NULL;
        size_t len = 0;

        write_store(chain, k_leaf, ALIAS, PASSWORD, PKCS12_COMPAT_MODERN, &der, &len);
        ck_assert_int_eq(keystore_pkcs12_read(der, len - 1, PASSWORD, NULL, NULL, NULL), -EBADMSG);
        ck_assert_int_eq(keystore_pkcs12_read(der, len / 2, PASSWORD, NULL, NULL, NULL), -EBADMSG);
        ck_assert_int_eq(keystore_pkcs12_read(der, 0, PASSWORD, NULL, NULL, NULL), -EBADMSG);
        ck_assert_int_eq(
                keystore_pkcs12_read(garbage, sizeof garbage - 1, PASSWORD, NULL, NULL, NULL),
                -EBADMSG);
        /* Trailing bytes after the structure. */
        longer = malloc(len + 1);
        ck_assert_ptr_nonnull(longer);
        memcpy(longer, der, len);
        longer[len] = 0;
        ck_assert_int_eq(keystore_pkcs12_read(longer, len + 1, PASSWORD, NULL, NULL, NULL),
                         -EBADMSG);
        erase_and_free(der, len);
}
END_TEST

START_TEST(test_file_without_mac_is_ebadmsg) {
        _cleanup_(PKCS12_freep) PKCS12 *p12 = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *ca = stack((X509 *[]){inter}, 1);
        unsigned char *der = NULL;
        int n;

        /* mac_iter -1: no MAC at all. */
        p12 = PKCS12_create(PASSWORD, ALIAS, k_leaf, leaf, ca, 0, 0, 0, -1, 0);
        ck_assert_ptr_nonnull(p12);
        ck_assert_int_eq(PKCS12_mac_present(p12), 0);
        n = i2d_PKCS12(p12, &der);
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(keystore_pkcs12_read(der, (size_t) n, PASSWORD, NULL, NULL, NULL),
                         -EBADMSG);
        OPENSSL_free(der);
}
END_TEST

START_TEST(test_key_pairing_and_missing_key) {
        _cleanup_(PKCS12_freep) PKCS12 *p12 = NULL, *nokey = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *ca = stack((X509 *[]){root, inter}, 2),
                                                    *got = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        _cleanup_(freep) char *a = NULL;
        unsigned char *der = NULL;
        int n;

        /* Written by OpenSSL, issuers root first, no name: the key's
         * certificate comes first (by its localKeyID), then its issuer. */
        p12 = PKCS12_create(PASSWORD, NULL, k_leaf, leaf, ca, 0, 0, 0, 0, 0);
        ck_assert_ptr_nonnull(p12);
        n = i2d_PKCS12(p12, &der);
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(keystore_pkcs12_read(der, (size_t) n, PASSWORD, &k, &got, &a), 0);
        OPENSSL_free(der);
        der = NULL;
        ck_assert_ptr_null(a);
        ck_assert_int_eq(sk_X509_num(got), 3);
        ck_assert_int_eq(X509_cmp(sk_X509_value(got, 0), leaf), 0);
        ck_assert_int_eq(X509_cmp(sk_X509_value(got, 1), inter), 0);
        ck_assert_int_eq(X509_cmp(sk_X509_value(got, 2), root), 0);

        /* Certificates only. */
        nokey = PKCS12_create(PASSWORD, NULL, NULL, leaf, ca, 0, 0, 0, 0, 0);
        ck_assert_ptr_nonnull(nokey);
        n = i2d_PKCS12(nokey, &der);
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(keystore_pkcs12_read(der, (size_t) n, PASSWORD, NULL, NULL, NULL),
                         -ENOKEY);
        OPENSSL_free(der);
}
END_TEST

START_TEST(test_bad_arguments_are_einval) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = full_chain(),
                                                    *empty = sk_X509_new_null();
        char *der = (char *) 0x1;
        size_t len = 7;

        ck_assert_int_eq(
                keystore_pkcs12(chain, k_other, ALIAS, PASSWORD, PKCS12_COMPAT_MODERN, &der, &len),
                -EINVAL); /* key of another certificate */
        ck_assert_int_eq(
                keystore_pkcs12(chain, k_ec, ALIAS, PASSWORD, PKCS12_COMPAT_MODERN, &der, &len),
                -EINVAL);
        ck_assert_int_eq(
                keystore_pkcs12(empty, k_leaf, ALIAS, PASSWORD, PKCS12_COMPAT_MODERN, &der, &len),
                -EINVAL);
        ck_assert_int_eq(
                keystore_pkcs12(NULL, k_leaf, ALIAS, PASSWORD, PKCS12_COMPAT_MODERN, &der, &len),
                -EINVAL);
        ck_assert_int_eq(
                keystore_pkcs12(chain, NULL, ALIAS, PASSWORD, PKCS12_COMPAT_MODERN, &der, &len),
                -EINVAL);
        ck_assert_int_eq(
                keystore_pkcs12(chain, k_leaf, "", PASSWORD, PKCS12_COMPAT_MODERN, &der, &len),
                -EINVAL);
        ck_assert_int_eq(
                keystore_pkcs12(chain, k_leaf, ALIAS, "", PKCS12_COMPAT_MODERN, &der, &len),
                -EINVAL);
        ck_assert_int_eq(
                keystore_pkcs12(chain, k_leaf, ALIAS, PASSWORD, _PKCS12_COMPAT_MAX, &der, &len),
                -EINVAL);
        ck_assert_int_eq(keystore_pkcs12(chain, k_leaf, "bad\xff", PASSWORD, PKCS12_COMPAT_MODERN,
                                         &der, &len),
                         -EINVAL); /* alias not UTF-8 */
        ck_assert_ptr_eq(der, (char *) 0x1);
        ck_assert_uint_eq(len, 7);
        ck_assert_int_eq(keystore_pkcs12_read(NULL, 0, PASSWORD, NULL, NULL, NULL), -EINVAL);
}
END_TEST

static Suite *keystore_suite(void) {
        Suite *s = suite_create("keystore");
        TCase *tc = tcase_create("keystore");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_round_trip_both_modes);
        tcase_add_test(tc, test_modern_algorithms);
        tcase_add_test(tc, test_legacy_algorithms);
        tcase_add_test(tc, test_issuer_aux_attributes_stay_out);
        tcase_add_test(tc, test_wrong_password_is_eacces);
        tcase_add_test(tc, test_damaged_file_is_ebadmsg);
        tcase_add_test(tc, test_file_without_mac_is_ebadmsg);
        tcase_add_test(tc, test_key_pairing_and_missing_key);
        tcase_add_test(tc, test_bad_arguments_are_einval);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int failed;

        k_root = tu_key_rsa(2048);
        k_inter = tu_key_ec("P-384");
        k_leaf = tu_key_rsa(2048);
        k_ec = tu_key_ec("P-256");
        k_other = tu_key_rsa(2048);
        root = tu_cert(&(TuCertSpec){.subject = "/C=NZ/O=SomeTelco/CN=SomeTelco Root CA",
                                     .key = k_root,
                                     .ca = true,
                                     .pathlen = -1});
        inter = tu_cert(&(TuCertSpec){.subject = "/C=NZ/O=SomeTelco/CN=SomeTelco Issuing CA",
                                      .key = k_inter,
                                      .issuer = root,
                                      .issuer_key = k_root,
                                      .ca = true,
                                      .pathlen = -1});
        leaf = tu_cert(&(TuCertSpec){.subject = "/C=NZ/O=SomeTelco/CN=rem.sometelco.com",
                                     .key = k_leaf,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = "DNS:rem.sometelco.com",
                                     .pathlen = -1});
        leaf_ec = tu_cert(&(TuCertSpec){.subject = "/C=NZ/O=SomeTelco/CN=xcap.sometelco.com",
                                        .key = k_ec,
                                        .issuer = inter,
                                        .issuer_key = k_inter,
                                        .san = "DNS:xcap.sometelco.com",
                                        .pathlen = -1});

        sr = srunner_create(keystore_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        X509_free(leaf_ec);
        X509_free(leaf);
        X509_free(inter);
        X509_free(root);
        EVP_PKEY_free(k_root);
        EVP_PKEY_free(k_inter);
        EVP_PKEY_free(k_leaf);
        EVP_PKEY_free(k_ec);
        EVP_PKEY_free(k_other);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
