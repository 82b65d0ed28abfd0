/* test_inspect: `certconfd inspect` output — each certificate in file order
 * with subject, issuer, SANs, validity and days left, key, signature
 * algorithm, SHA-256 fingerprint and whether the next one signed it; the keys
 * and which certificate each belongs to; never key material. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "bundle.h"
#include "inspect.h"
#include "macro.h"
#include "findassert.h"
#include "testutil.h"

#define ROOT_SUBJ  "/C=NZ/O=SomeTelco/CN=SomeTelco Root CA"
#define INTER_SUBJ "/C=NZ/O=SomeTelco/CN=SomeTelco Issuing CA"
#define LEAF_SUBJ  "/C=NZ/O=SomeTelco/OU=NOC/CN=rem.sometelco.com"

static EVP_PKEY *k_root, *k_inter, *k_leaf, *k_rsa;
static X509 *root, *inter, *leaf;
static char *dir;

static void setup(void) {
        dir = tu_tmpdir();
}

static void teardown(void) {
        tu_rmdir_r(dir);
        free(dir);
        dir = NULL;
}

static char *print(const Bundle *b, time_t now) {
        char *s = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&s, &len);

        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(inspect_print(m, b, now), 0);
        ck_assert_int_eq(fclose(m), 0);
        return s;
}

/* Writes certs and keys to dir/bundle.pem, loads the bundle and prints it. */
static char *inspect_files(X509 *const *certs, size_t n_certs, EVP_PKEY *const *keys, size_t n_keys,
                           time_t now) {
        _cleanup_(freep) char *p = tu_write_pem(dir, "bundle.pem", certs, n_certs, keys, n_keys);
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(findings_clear) Findings f = {};

        ck_assert_int_eq(bundle_load(p, BUNDLE_EXPECT_CERTS, &b, &f), 0);
        ck_assert_uint_eq(b->n_certs, n_certs);
        return print(b, now);
}

#define ASSERT_CONTAINS(s, needle)                                                                 \
        ck_assert_msg(strstr((s), (needle)), "'%s' not in output:\n%s", (needle), (s))

/* The block of certificate i (from "certificate i" to the next blank line). */
static char *block(const char *s, int i) {
        char head[32];
        const char *b, *e;

        snprintf(head, sizeof head, "\ncertificate %d\n", i);
        b = strstr(s, head);
        ck_assert_msg(b, "no block %d in:\n%s", i, s);
        e = strstr(b + 1, "\n\n");
        return strndup(b, e ? (size_t) (e - b) + 1 : strlen(b));
}

START_TEST(test_fingerprint_is_sha256_of_der) {
        unsigned char md[32];
        unsigned int n = 0;
        char buf[96], want[96];
        size_t pos = 0;

        ck_assert_int_eq(X509_digest(leaf, EVP_sha256(), md, &n), 1);
        ck_assert_uint_eq(n, 32);
        for (unsigned i = 0; i < n; i++)
                pos += (size_t) snprintf(want + pos, sizeof want - pos, "%s%02X", i ? ":" : "",
                                         md[i]);
        ck_assert_int_eq(inspect_fingerprint(leaf, buf, sizeof buf), 0);
        ck_assert_str_eq(buf, want);
        ck_assert_uint_eq(strlen(buf), 95);
        ck_assert_int_eq(inspect_fingerprint(leaf, buf, 95), -EINVAL); /* too small */
}
END_TEST

START_TEST(test_key_descriptions) {
        char buf[96];
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *p384 = tu_key_ec("P-384");
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

        inspect_key_description(k_rsa, buf, sizeof buf);
        ck_assert_str_eq(buf, "RSA 2048 bits");
        inspect_key_description(k_leaf, buf, sizeof buf);
        ck_assert_str_eq(buf, "EC P-256 (256 bits)");
        inspect_key_description(p384, buf, sizeof buf);
        ck_assert_str_eq(buf, "EC P-384 (384 bits)");
        ck_assert_ptr_nonnull(ed);
        inspect_key_description(ed, buf, sizeof buf);
        ck_assert_str_eq(buf, "ED25519 256 bits");
        inspect_key_description(NULL, buf, sizeof buf);
        ck_assert_str_eq(buf, "unreadable");
        /* A small buffer is cut, not overrun. */
        inspect_key_description(k_leaf, buf, 6);
        ck_assert_str_eq(buf, "EC P-");
}
END_TEST

START_TEST(test_good_chain_every_field) {
        _cleanup_(freep) char *s =
                inspect_files((X509 *[]){leaf, inter, root}, 3, (EVP_PKEY *[]){k_leaf}, 1, TU_NOW);
        _cleanup_(freep) char *b0 = block(s, 0), *b1 = block(s, 1), *b2 = block(s, 2);
        char fp[96];

        ASSERT_CONTAINS(s, "bundle.pem: 3 certificates, 1 private key\n");
        ASSERT_CONTAINS(b0, "subject:     CN=rem.sometelco.com,OU=NOC,O=SomeTelco,C=NZ\n");
        ASSERT_CONTAINS(b0, "issuer:      CN=SomeTelco Issuing CA,O=SomeTelco,C=NZ\n");
        ASSERT_CONTAINS(b0, "SANs:        DNS:rem.sometelco.com, DNS:rem, IP:192.168.10.10, "
                            "IP:2001:db8::10\n");
        ASSERT_CONTAINS(b0, "validity:    2029-12-31T00:00:00Z to 2031-01-01T00:00:00Z (365 "
                            "days left)\n");
        ASSERT_CONTAINS(b0, "key:         EC P-256 (256 bits)\n");
        ASSERT_CONTAINS(b0, "signature:   sha256WithRSAEncryption\n");
        ck_assert_int_eq(inspect_fingerprint(leaf, fp, sizeof fp), 0);
        ASSERT_CONTAINS(b0, fp);
        ASSERT_CONTAINS(b0, "signed by next: yes\n");

        ASSERT_CONTAINS(b1, "subject:     CN=SomeTelco Issuing CA");
        ASSERT_CONTAINS(b1, "SANs:        none (no subjectAltName extension)\n");
        ASSERT_CONTAINS(b1, "key:         RSA 2048 bits\n");
        ASSERT_CONTAINS(b1, "signed by next: yes\n");

        ASSERT_CONTAINS(b2, "signature:   sha384WithRSAEncryption\n");
        ASSERT_CONTAINS(b2, "signed by next: (last), self-signed root\n");

        ASSERT_CONTAINS(s, "private key 0: EC P-256 (256 bits), belongs to certificate 0\n");
        /* Never key material. */
        ck_assert_ptr_null(strstr(s, "PRIVATE KEY"));
        ck_assert_ptr_null(strstr(s, "-----"));
}
END_TEST

START_TEST(test_reversed_chain_shows_where_links_break) {
        _cleanup_(freep) char *s = inspect_files((X509 *[]){root, inter, leaf}, 3, NULL, 0, TU_NOW);
        _cleanup_(freep) char *b0 = block(s, 0), *b1 = block(s, 1), *b2 = block(s, 2);

        ASSERT_CONTAINS(s, "bundle.pem: 3 certificates, 0 private keys\n");
        ASSERT_CONTAINS(b0, "signed by next: NO\n");
        ASSERT_CONTAINS(b1, "signed by next: NO\n");
        ASSERT_CONTAINS(b2, "signed by next: (last), not self-signed\n");
}
END_TEST

START_TEST(test_validity_expired_and_not_yet_valid) {
        _cleanup_(X509_freep) X509 *old = NULL, *future = NULL;
        _cleanup_(freep) char *s = NULL, *b0 = NULL, *b1 = NULL;

        old = tu_cert(&(TuCertSpec){.subject = "/CN=old",
                                    .key = k_leaf,
                                    .issuer = inter,
                                    .issuer_key = k_rsa,
                                    .pathlen = -1,
                                    .not_before = TU_NOW - 100 * TU_DAY,
                                    .not_after = TU_NOW - 10 * TU_DAY});
        future = tu_cert(&(TuCertSpec){.subject = "/CN=future",
                                       .key = k_leaf,
                                       .issuer = inter,
                                       .issuer_key = k_rsa,
                                       .pathlen = -1,
                                       .not_before = TU_NOW + 5 * TU_DAY});
        s = inspect_files((X509 *[]){old, future}, 2, NULL, 0, TU_NOW);
        b0 = block(s, 0);
        b1 = block(s, 1);
        ASSERT_CONTAINS(b0, "(expired 10 days ago)\n");
        ASSERT_CONTAINS(b1, "(not yet valid)\n");
}
END_TEST

START_TEST(test_san_without_dns_or_ip) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *s = NULL;

        x = tu_cert(&(TuCertSpec){
                .subject = "/CN=mail", .key = k_leaf, .san = "email:noc@sometelco.com"});
        s = inspect_files(&x, 1, NULL, 0, TU_NOW);
        ASSERT_CONTAINS(s, "SANs:        none (no DNS or IP entry)\n");
        ASSERT_CONTAINS(s, "signed by next: (last), self-signed root\n");
}
END_TEST

START_TEST(test_keys_that_belong_to_nothing_and_encrypted_keys) {
        _cleanup_(freep) char *p = tu_path(dir, "bundle.pem"), *s = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(findings_clear) Findings f = {};
        FILE *fp;

        /* leaf, a key of nobody here, and an encrypted key. */
        fp = fopen(p, "we");
        ck_assert_ptr_nonnull(fp);
        ck_assert_int_eq(PEM_write_X509(fp, leaf), 1);
        ck_assert_int_eq(PEM_write_PrivateKey(fp, k_root, NULL, NULL, 0, NULL, NULL), 1);
        ck_assert_int_eq(PEM_write_PrivateKey(fp, k_leaf, EVP_aes_256_cbc(), (unsigned char *) "pw",
                                              2, NULL, NULL),
                         1);
        ck_assert_int_eq(fclose(fp), 0);
        ck_assert_int_eq(bundle_load(p, BUNDLE_EXPECT_CERTS, &b, &f), 0);
        s = print(b, TU_NOW);
        ASSERT_CONTAINS(s, "1 certificate, 1 private key (and encrypted keys not read)\n");
        ASSERT_CONTAINS(s, "private key 0: RSA 2048 bits, belongs to no certificate in "
                           "this file\n");
}
END_TEST

/* A hostile certificate (DNS SAN and subject with a line break and terminal
 * escapes) in a file whose name holds an escape: inspect prints them all
 * escaped. */
START_TEST(test_control_characters_are_printed_escaped) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
        _cleanup_(freep) char *p = NULL, *s = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(findings_clear) Findings f = {};
        GENERAL_NAME *gn = GENERAL_NAME_new();
        ASN1_IA5STRING *v = ASN1_IA5STRING_new();

        x = tu_cert(&(TuCertSpec){.subject = "/O=Z\xc3\xbcrich\n  issuer: fake\x1b[8m/CN=rem",
                                  .key = k_leaf,
                                  .san = "DNS:placeholder.example"});
        ck_assert(gens && gn && v);
        ck_assert_int_eq(ASN1_STRING_set(v, "rem.example\n  SHA-256: fake\x1b[0m", -1), 1);
        GENERAL_NAME_set0_value(gn, GEN_DNS, v);
        ck_assert_int_gt(sk_GENERAL_NAME_push(gens, gn), 0);
        ck_assert_int_eq(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_REPLACE), 1);
        ck_assert_int_gt(X509_sign(x, k_leaf, EVP_sha256()), 0);

        p = tu_write_pem(dir, "bundle\x1b[31m.pem", &x, 1, NULL, 0);
        ck_assert_int_eq(bundle_load(p, BUNDLE_EXPECT_CERTS, &b, &f), 0);
        s = print(b, TU_NOW);
        fa_assert_only_line_ends(s);
        ASSERT_CONTAINS(s, "bundle\\x1b[31m.pem: 1 certificate");
        ASSERT_CONTAINS(s, "SANs:        DNS:rem.example\\x0a  SHA-256: fake\\x1b[0m\n");
}
END_TEST

/* A subjectAltName that does not decode is said to be unreadable, not absent. */
START_TEST(test_malformed_san_is_unreadable) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *s = NULL;
        X509_EXTENSION *e;
        X509V3_CTX ctx;

        x = tu_cert(&(TuCertSpec){.subject = "/CN=rem", .key = k_leaf});
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        e = X509V3_EXT_nconf(NULL, &ctx, "subjectAltName", "DER:04:03:01:02:03");
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
        ck_assert_int_gt(X509_sign(x, k_leaf, EVP_sha256()), 0);
        s = inspect_files(&x, 1, NULL, 0, TU_NOW);
        ASSERT_CONTAINS(s, "SANs:        unreadable (the subjectAltName extension is malformed or repeated)\n");
}
END_TEST

static Suite *inspect_suite(void) {
        Suite *s = suite_create("inspect");
        TCase *tc;

        tc = tcase_create("parts");
        tcase_add_test(tc, test_fingerprint_is_sha256_of_der);
        tcase_add_test(tc, test_key_descriptions);
        suite_add_tcase(s, tc);

        tc = tcase_create("print");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_good_chain_every_field);
        tcase_add_test(tc, test_reversed_chain_shows_where_links_break);
        tcase_add_test(tc, test_validity_expired_and_not_yet_valid);
        tcase_add_test(tc, test_san_without_dns_or_ip);
        tcase_add_test(tc, test_keys_that_belong_to_nothing_and_encrypted_keys);
        tcase_add_test(tc, test_control_characters_are_printed_escaped);
        tcase_add_test(tc, test_malformed_san_is_unreadable);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr;
        int failed;

        k_root = tu_key_rsa(2048);
        k_rsa = tu_key_rsa(2048);
        k_inter = k_rsa;
        k_leaf = tu_key_ec("P-256");
        root = tu_cert(&(TuCertSpec){
                .subject = ROOT_SUBJ, .key = k_root, .ca = true, .pathlen = -1, .md = "SHA384"});
        inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                      .key = k_inter,
                                      .issuer = root,
                                      .issuer_key = k_root,
                                      .ca = true,
                                      .pathlen = -1});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = "DNS:rem.sometelco.com,DNS:rem,IP:192.168.10.10,"
                                            "IP:2001:db8::10",
                                     .pathlen = -1});

        sr = srunner_create(inspect_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        X509_free(leaf);
        X509_free(inter);
        X509_free(root);
        EVP_PKEY_free(k_root);
        EVP_PKEY_free(k_rsa);
        EVP_PKEY_free(k_leaf);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
