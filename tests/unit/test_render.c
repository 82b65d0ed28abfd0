/* test_render: the bytes of each install target — PEM chain, certificate
 * and key byte for byte as OpenSSL writes them, the PKCS#12 keystore with
 * the password file's first line — and the password file's failures, each
 * with a message naming the file. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "keystore.h"
#include "macro.h"
#include "render.h"
#include "testutil.h"

static EVP_PKEY *k_root, *k_inter, *k_leaf;
static X509 *root, *inter, *leaf;
static STACK_OF(X509) * chain;
static char *dir;

static void setup(void) {
        dir = tu_tmpdir();
}

static void teardown(void) {
        tu_rmdir_r(dir);
        free(dir);
        dir = NULL;
}

/* What PEM_write_bio_X509() writes for each certificate, concatenated. */
static char *pem_of(X509 *const *certs, size_t n) {
        char *all = calloc(1, 1);

        ck_assert_ptr_nonnull(all);
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *p = tu_cert_pem(certs[i]);
                char *m = NULL;

                ck_assert_int_ge(asprintf(&m, "%s%s", all, p), 0);
                free(all);
                all = m;
        }
        return all;
}

static void render_ok(const Target *t, char **ret, size_t *ret_len) {
        char *err = NULL;

        ck_assert_int_eq(render_target(t, chain, k_leaf, ret, ret_len, &err), 0);
        ck_assert_ptr_null(err);
}

START_TEST(test_pem_chain_is_every_certificate_in_order) {
        _cleanup_(freep) char *want = pem_of((X509 *[]){leaf, inter, root}, 3);
        _cleanup_(freep) char *got = NULL;
        size_t len = 0;

        render_ok(&(Target){.format = TARGET_PEM_CHAIN}, &got, &len);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_mem_eq(got, want, len);
        ck_assert_int_eq(got[len], '\0');
}
END_TEST

START_TEST(test_pem_cert_is_the_leaf) {
        _cleanup_(freep) char *want = pem_of((X509 *[]){leaf}, 1);
        _cleanup_(freep) char *got = NULL;
        size_t len = 0;

        render_ok(&(Target){.format = TARGET_PEM_CERT}, &got, &len);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_mem_eq(got, want, len);
}
END_TEST

START_TEST(test_pem_key_is_unencrypted_pkcs8) {
        _cleanup_(freep) char *want = tu_key_pem(k_leaf);
        char *got = NULL;
        size_t len = 0;

        render_ok(&(Target){.format = TARGET_PEM_KEY}, &got, &len);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_mem_eq(got, want, len);
        ck_assert_int_eq(strncmp(got, "-----BEGIN PRIVATE KEY-----\n", 28), 0);
        erase_and_free(got, len);
}
END_TEST

/* The seeds' combined files, byte for byte: MX-ONE's eri_sn_cert.pem is
 * the key, the server certificate, its intermediates, the root;
 * innovaphone's is the server certificate, its chain, then the key. */
START_TEST(test_pem_bundles_in_each_seeds_order) {
        _cleanup_(freep) char *key = tu_key_pem(k_leaf);
        _cleanup_(freep) char *certs = pem_of((X509 *[]){leaf, inter, root}, 3);
        _cleanup_(freep) char *first = NULL, *last = NULL;
        char *got = NULL;
        size_t len = 0;

        ck_assert_int_ge(asprintf(&first, "%s%s", key, certs), 0);
        ck_assert_int_ge(asprintf(&last, "%s%s", certs, key), 0);

        render_ok(&(Target){.format = TARGET_PEM_BUNDLE_KEY_FIRST}, &got, &len);
        ck_assert_uint_eq(len, strlen(first));
        ck_assert_mem_eq(got, first, len);
        erase_and_free(got, len);

        got = NULL;
        render_ok(&(Target){.format = TARGET_PEM_BUNDLE_KEY_LAST}, &got, &len);
        ck_assert_uint_eq(len, strlen(last));
        ck_assert_mem_eq(got, last, len);
        /* One key, at the end. */
        ck_assert_ptr_eq(strstr(got, "-----BEGIN PRIVATE KEY-----"), got + strlen(certs));
        ck_assert_ptr_null(strstr(got + strlen(certs) + 1, "PRIVATE KEY-----\n-----BEGIN"));
        erase_and_free(got, len);

        /* Both hold the key: without one they are refused. */
        got = NULL;
        ck_assert_int_eq(render_target(&(Target){.format = TARGET_PEM_BUNDLE_KEY_LAST}, chain, NULL,
                                       &got, &len, NULL),
                         -EINVAL);
        ck_assert_ptr_null(got);
        ck_assert(target_format_has_key(TARGET_PEM_BUNDLE_KEY_FIRST));
        ck_assert(target_format_has_key(TARGET_PEM_BUNDLE_KEY_LAST));
}
END_TEST

static char *password_file(const char *name, const char *data, size_t len) {
        char *p = tu_write_file(dir, name, data, len);

        ck_assert_int_eq(chmod(p, 0600), 0);
        return p;
}

START_TEST(test_pkcs12_uses_first_line_alias_and_compat) {
        _cleanup_(freep) char *pw = password_file("pw", "s3cret\nignored\n", 15);

        for (Pkcs12Compat c = 0; c < _PKCS12_COMPAT_MAX; c++) {
                _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *got = NULL;
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
                _cleanup_(freep) char *alias = NULL;
                Target t = {.format = TARGET_PKCS12,
                            .alias = (char *) "tomcat",
                            .password_file = pw,
                            .compat = c};
                const unsigned char *p;
                const X509_ALGOR *macalg;
                const ASN1_OBJECT *oid;
                PKCS12 *p12;
                char *der = NULL;
                size_t len = 0;

                render_ok(&t, &der, &len);
                ck_assert_int_eq(
                        keystore_pkcs12_read(der, len, "s3cret\nignored", NULL, NULL, NULL),
                        -EACCES);
                ck_assert_int_eq(keystore_pkcs12_read(der, len, "s3cret", &k, &got, &alias), 0);
                ck_assert_str_eq(alias, "tomcat");
                ck_assert_int_eq(EVP_PKEY_eq(k, k_leaf), 1);
                ck_assert_int_eq(sk_X509_num(got), 3);

                /* The compat mode reached the writer: the MAC digest tells. */
                p = (const unsigned char *) der;
                p12 = d2i_PKCS12(NULL, &p, (long) len);
                ck_assert_ptr_nonnull(p12);
                PKCS12_get0_mac(NULL, &macalg, NULL, NULL, p12);
                X509_ALGOR_get0(&oid, NULL, NULL, macalg);
                ck_assert_int_eq(OBJ_obj2nid(oid),
                                 (c == PKCS12_COMPAT_LEGACY ? NID_sha1 : NID_sha256));
                PKCS12_free(p12);
                erase_and_free(der, len);
        }
}
END_TEST

static void assert_password(const char *data, size_t len, const char *want) {
        _cleanup_(freep) char *p = password_file("pw", data, len);
        char *got = NULL, *err = NULL;

        ck_assert_int_eq(render_read_password(p, &got, &err), 0);
        ck_assert_ptr_null(err);
        ck_assert_str_eq(got, want);
        erase_and_free(got, strlen(got));
        ck_assert_int_eq(unlink(p), 0);
}

START_TEST(test_password_first_line) {
        assert_password("pw\n", 3, "pw");
        assert_password("pw", 2, "pw"); /* no line end */
        assert_password("pw\r\n", 4, "pw");
        assert_password("pw\r\nsecond\r\n", 12, "pw");
        assert_password(" p w \t\n", 7, " p w \t"); /* blanks are the password's */
        assert_password("pw\r", 3, "pw");
        assert_password("p\rw\n", 4, "p\rw"); /* only a CR before the LF goes */
        assert_password("pw\n\0after", 9, "pw");
        assert_password("pässwörd €\n", strlen("pässwörd €\n"), "pässwörd €");
}
END_TEST

/* The digest a keystore target's state holds: of the password alone (its
 * line end and what follows do not count), the SHA-256 of "pw" in hex. */
START_TEST(test_password_digest) {
        _cleanup_(freep) char *a = password_file("a", "pw\n", 3), *b = password_file("b", "pw\r\nx\n", 7),
                              *c = password_file("c", "pw2\n", 4), *missing = NULL;
        _cleanup_(freep) char *da = NULL, *db = NULL, *dc = NULL, *err = NULL;
        char *none = (char *) 0x1;

        ck_assert_int_eq(render_password_digest(a, &da, NULL), 0);
        ck_assert_str_eq(da, "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4");
        ck_assert_int_eq(render_password_digest(b, &db, NULL), 0);
        ck_assert_str_eq(da, db);
        ck_assert_int_eq(render_password_digest(c, &dc, NULL), 0);
        ck_assert_str_ne(da, dc);
        ck_assert_int_ge(asprintf(&missing, "%s/missing", dir), 0);
        ck_assert_int_eq(render_password_digest(missing, &none, &err), -ENOENT);
        ck_assert_ptr_eq(none, (char *) 0x1);
        ck_assert_ptr_nonnull(strstr(err, missing));
}
END_TEST

/* Fails with r and a message naming the file and holding hint; nothing in *ret. */
static void assert_password_error(const char *path, int r, const char *hint) {
        char *got = (char *) 0x1, *err = NULL;

        ck_assert_int_eq(render_read_password(path, &got, &err), r);
        ck_assert_ptr_eq(got, (char *) 0x1);
        ck_assert_ptr_nonnull(err);
        ck_assert_msg(strstr(err, path), "'%s' does not name %s", err, path);
        ck_assert_msg(strstr(err, hint), "'%s' does not say '%s'", err, hint);
        ck_assert_ptr_null(strchr(err, '\n'));
        free(err);
        /* No message wanted: the same error. */
        ck_assert_int_eq(render_read_password(path, &got, NULL), r);
}

START_TEST(test_password_file_problems) {
        _cleanup_(freep) char *missing = tu_path(dir, "missing");
        _cleanup_(freep) char *empty = password_file("empty", "", 0);
        _cleanup_(freep) char *lf = password_file("lf", "\nsecond\n", 8);
        _cleanup_(freep) char *crlf = password_file("crlf", "\r\nsecond", 8);
        _cleanup_(freep) char *nul = password_file("nul", "p\0w\n", 4);
        _cleanup_(freep) char *big = NULL, *exact = NULL, *link = tu_path(dir, "link");
        char buf[RENDER_PASSWORD_FILE_MAX + 1];
        char *got = NULL;

        assert_password_error(missing, -ENOENT, "No such file");
        assert_password_error(missing, -ENOENT, "on its first line");
        assert_password_error(empty, -EINVAL, "empty first line");
        assert_password_error(lf, -EINVAL, "empty first line");
        assert_password_error(crlf, -EINVAL, "empty first line");
        assert_password_error(nul, -EINVAL, "NUL byte");
        assert_password_error(dir, -EISDIR, "Is a directory");

        memset(buf, 'x', sizeof buf);
        big = password_file("big", buf, sizeof buf);
        assert_password_error(big, -EFBIG, "larger than 4096 bytes");
        exact = password_file("exact", buf, RENDER_PASSWORD_FILE_MAX);
        ck_assert_int_eq(render_read_password(exact, &got, NULL), 0);
        ck_assert_uint_eq(strlen(got), RENDER_PASSWORD_FILE_MAX);
        erase_and_free(got, strlen(got));

        /* A link is followed: the file is the administrator's. */
        ck_assert_int_eq(symlink(exact, link), 0);
        ck_assert_int_eq(render_read_password(link, &got, NULL), 0);
        ck_assert_uint_eq(strlen(got), RENDER_PASSWORD_FILE_MAX);
        erase_and_free(got, strlen(got));
}
END_TEST

START_TEST(test_pkcs12_password_problem_reaches_caller) {
        _cleanup_(freep) char *missing = tu_path(dir, "keystore.pass");
        _cleanup_(freep) char *empty = password_file("empty.pass", "\n", 1);
        char *got = (char *) 0x1, *err = NULL;
        size_t len = 3;
        Target t = {.format = TARGET_PKCS12, .alias = (char *) "tomcat", .password_file = missing};

        ck_assert_int_eq(render_target(&t, chain, k_leaf, &got, &len, &err), -ENOENT);
        ck_assert_ptr_nonnull(err);
        ck_assert_ptr_nonnull(strstr(err, missing));
        free(err);
        err = NULL;
        t.password_file = empty;
        ck_assert_int_eq(render_target(&t, chain, k_leaf, &got, &len, &err), -EINVAL);
        ck_assert_ptr_nonnull(strstr(err, empty));
        free(err);
        ck_assert_ptr_eq(got, (char *) 0x1);
        ck_assert_uint_eq(len, 3);
}
END_TEST

START_TEST(test_bad_arguments) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *none = sk_X509_new_null();
        _cleanup_(freep) char *pw = password_file("pw", "pw\n", 3);
        char *got = (char *) 0x1, *err = NULL;
        size_t len = 3;

        ck_assert_int_eq(render_target(&(Target){.format = TARGET_PEM_CHAIN}, none, k_leaf, &got,
                                       &len, &err),
                         -EINVAL);
        ck_assert_int_eq(
                render_target(&(Target){.format = TARGET_PEM_KEY}, chain, NULL, &got, &len, &err),
                -EINVAL);
        ck_assert_int_eq(render_target(&(Target){.format = _TARGET_FORMAT_MAX}, chain, k_leaf, &got,
                                       &len, &err),
                         -EINVAL);
        ck_assert_int_eq(render_target(&(Target){.format = TARGET_PKCS12, .password_file = pw},
                                       chain, k_leaf, &got, &len, &err),
                         -EINVAL); /* no alias */
        ck_assert_int_eq(render_target(NULL, chain, k_leaf, &got, &len, &err), -EINVAL);
        /* A key that is not the leaf's: the keystore refuses it. */
        ck_assert_int_eq(render_target(&(Target){.format = TARGET_PKCS12,
                                                 .alias = (char *) "tomcat",
                                                 .password_file = pw},
                                       chain, k_root, &got, &len, &err),
                         -EINVAL);
        ck_assert_ptr_eq(got, (char *) 0x1);
        ck_assert_uint_eq(len, 3);
        ck_assert_ptr_null(err);
}
END_TEST

static Suite *render_suite(void) {
        Suite *s = suite_create("render");
        TCase *tc = tcase_create("render");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_pem_chain_is_every_certificate_in_order);
        tcase_add_test(tc, test_pem_cert_is_the_leaf);
        tcase_add_test(tc, test_pem_key_is_unencrypted_pkcs8);
        tcase_add_test(tc, test_pem_bundles_in_each_seeds_order);
        tcase_add_test(tc, test_pkcs12_uses_first_line_alias_and_compat);
        tcase_add_test(tc, test_password_first_line);
        tcase_add_test(tc, test_password_digest);
        tcase_add_test(tc, test_password_file_problems);
        tcase_add_test(tc, test_pkcs12_password_problem_reaches_caller);
        tcase_add_test(tc, test_bad_arguments);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int failed;

        k_root = tu_key_rsa(2048);
        k_inter = tu_key_ec("P-256");
        k_leaf = tu_key_ec("P-256");
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
        chain = sk_X509_new_null();
        if (!chain || sk_X509_push(chain, leaf) <= 0 || sk_X509_push(chain, inter) <= 0 ||
            sk_X509_push(chain, root) <= 0)
                abort();

        sr = srunner_create(render_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        sk_X509_free(chain);
        X509_free(leaf);
        X509_free(inter);
        X509_free(root);
        EVP_PKEY_free(k_root);
        EVP_PKEY_free(k_inter);
        EVP_PKEY_free(k_leaf);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
