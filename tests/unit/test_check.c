/* test_check: every check of `certconfd check`, end to end, on files in a
 * fresh temporary directory: check_files (chain and key named on the command
 * line), check_bundles, check_store (a whole MAG config store with its
 * deployment.yaml), check_load_anchors and check_load_crls (--crl, with
 * CERT_REVOKED and CRL_INVALID through the pipeline and a store). The
 * file-level codes (PAIR_INCOMPLETE,
 * NOT_PEM, FILE_TOO_LARGE, PEM_LAYOUT, KEY_*) live here; the chain and policy
 * codes are also exercised once each through the whole pipeline, and each
 * profile has its cases. */

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "macro.h"
#include "findassert.h"
#include "testutil.h"

#define ROOT_SUBJ  "/C=NZ/O=SomeTelco/OU=PKI/CN=SomeTelco Root CA"
#define INTER_SUBJ "/C=NZ/O=SomeTelco/OU=PKI/CN=SomeTelco Issuing CA"
#define SUBJ_BASE  "/C=NZ/O=SomeTelco/OU=SomeCity Network Operations Center/CN="
#define REM_SAN    "DNS:rem.sometelco.com,IP:192.168.10.10"
#define XCAP_3GPP  "xcap.ims.mnc001.mcc001.pub.3gppnetwork.org"
#define BSF_3GPP   "bsf.ims.mnc001.mcc001.pub.3gppnetwork.org"

static const char mag_yaml[] = "subject:\n"
                               "  country: NZ\n"
                               "  organization: SomeTelco\n"
                               "  organizational_unit: SomeCity Network Operations Center\n"
                               "mcc: 1\n"
                               "mnc: 1\n"
                               "services:\n"
                               "  rem:\n"
                               "    hosts: [rem.sometelco.com]\n"
                               "    addresses: [192.168.10.10]\n"
                               "  xcap:\n"
                               "    hosts: [" XCAP_3GPP "]\n"
                               "  bsf:\n"
                               "    hosts: [" BSF_3GPP "]\n";

/* Made once in main(). */
static EVP_PKEY *k_root, *k_inter, *k_rem, *k_xcap, *k_bsf, *k_other, *k_rsa2048, *k_rsa3072;
static X509 *root, *inter;

/* A fresh directory per test (checked fixture). */
static char *dir;

static void setup(void) {
        dir = tu_tmpdir();
}

static void teardown(void) {
        tu_rmdir_r(dir);
        free(dir);
        dir = NULL;
}

/* ---- helpers ------------------------------------------------------------------- */

static X509 *leaf_cert(const char *cn, EVP_PKEY *key, const char *san) {
        char subject[256];

        snprintf(subject, sizeof subject, SUBJ_BASE "%s", cn);
        return tu_cert(&(TuCertSpec){.subject = subject,
                                     .key = key,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = san,
                                     .pathlen = -1});
}

static X509 *rem_cert(void) {
        return leaf_cert("rem.sometelco.com", k_rem, REM_SAN);
}

static CheckOptions options(void) {
        return (CheckOptions){.now = TU_NOW,
                              .min_valid_days = CHECK_DEFAULT_MIN_VALID_DAYS,
                              .profile = PROFILE_DEFAULT};
}

/* Writes leaf + issuing CA + root to dir/name. */
static char *write_chain(const char *name, X509 *leaf) {
        return tu_write_pem(dir, name, (X509 *[]){leaf, inter, root}, 3, NULL, 0);
}

static char *write_key(const char *name, EVP_PKEY *k) {
        return tu_write_pem(dir, name, NULL, 0, (EVP_PKEY *[]){k}, 1);
}

static char *read_all(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        char *s = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&s, &len);
        char buf[4096];
        size_t n;

        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(m);
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
                fwrite(buf, 1, n, m);
        fclose(f);
        ck_assert_int_eq(fclose(m), 0);
        *ret_len = len;
        return s;
}

/* check_files on dir/chain_name and dir/key_name (key_name may be NULL). */
static void run_files(const char *service, const char *chain_name, const char *key_name,
                      const CheckOptions *o, Findings *f) {
        _cleanup_(freep) char *cp = tu_path(dir, chain_name), *kp = NULL;

        if (key_name)
                kp = tu_path(dir, key_name);
        ck_assert_int_eq(check_files(service, cp, kp, o, f), 0);
}

/* A good rem pair, checked with the rem names. */
static void run_rem(X509 *leaf, EVP_PKEY *key, const CheckOptions *o, Findings *f) {
        _cleanup_(freep) char *c = write_chain("rem-cert.crt", leaf),
                              *k = write_key("rem-cert.key", key);

        ck_assert_int_eq(check_files("rem", c, k, o, f), 0);
}

/* ---- the good case ---------------------------------------------------------------- */

START_TEST(test_good_pair_has_no_findings) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        CheckOptions o = options();

        o.names = (char *[]){"rem.sometelco.com", "192.168.10.10", NULL};
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_chain_without_key_file_skips_key_checks) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = write_chain("rem-cert.crt", leaf);
        CheckOptions o = options();

        ck_assert_int_eq(check_files("rem", c, NULL, &o, &f), 0);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_key_inside_chain_file_is_used) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = NULL;
        CheckOptions o = options();

        /* One file, chain then key, as innovaphone devices want it. */
        c = tu_write_pem(dir, "device.pem", (X509 *[]){leaf, inter, root}, 3, (EVP_PKEY *[]){k_rem},
                         1);
        ck_assert_int_eq(check_files("rem", c, NULL, &o, &f), 0);
        ASSERT_NONE(&f);

        free(c);
        c = tu_write_pem(dir, "device.pem", (X509 *[]){leaf, inter, root}, 3,
                         (EVP_PKEY *[]){k_other}, 1);
        ck_assert_int_eq(check_files("rem", c, NULL, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_KEY_MISMATCH);
}
END_TEST

/* ---- files ------------------------------------------------------------------------ */

START_TEST(test_der_file_is_not_pem) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) unsigned char *der = NULL;
        _cleanup_(freep) char *p = NULL;
        unsigned char *q;
        int len;
        CheckOptions o = options();

        len = i2d_X509(leaf, NULL);
        ck_assert_int_gt(len, 0);
        der = malloc((size_t) len);
        ck_assert_ptr_nonnull(der);
        q = der;
        ck_assert_int_eq(i2d_X509(leaf, &q), len);
        p = tu_write_file(dir, "rem-cert.crt", der, (size_t) len);
        ck_assert_int_eq(check_files("rem", p, NULL, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_NOT_PEM);
        /* The hint names the command that converts it. */
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_NOT_PEM)->hint, "openssl x509 -inform der"));
        ck_assert_uint_eq(f.n, 1); /* nothing else is checked on it */
}
END_TEST

START_TEST(test_empty_and_binary_files_are_not_pem) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(freep) char *e = tu_write_file(dir, "empty.crt", "", 0);
        _cleanup_(freep) char *b = NULL;
        unsigned char junk[512];
        CheckOptions o = options();

        for (size_t i = 0; i < sizeof junk; i++)
                junk[i] = (unsigned char) (i * 37 + 11);
        b = tu_write_file(dir, "junk.crt", junk, sizeof junk);
        ck_assert_int_eq(check_files("rem", e, NULL, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_NOT_PEM);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_NOT_PEM)->message, "empty"));
        ck_assert_int_eq(check_files("rem", b, NULL, &o, &g), 0);
        ASSERT_HAS(&g, FINDING_NOT_PEM);
}
END_TEST

START_TEST(test_pem_file_is_not_not_pem) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = write_chain("rem-cert.crt", leaf);
        CheckOptions o = options();

        ck_assert_int_eq(check_files("rem", c, NULL, &o, &f), 0);
        ASSERT_LACKS(&f, FINDING_NOT_PEM);
}
END_TEST

START_TEST(test_file_over_1mib_is_file_too_large) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *pem = tu_cert_pem(leaf), *big = NULL, *p = NULL, *q = NULL;
        size_t n = 1024 * 1024 + 1, pl = strlen(pem);
        CheckOptions o = options();

        /* A certificate followed by comment text: one byte too many ... */
        big = malloc(n);
        ck_assert_ptr_nonnull(big);
        memset(big, '#', n);
        memcpy(big, pem, pl);
        big[pl] = '\n';
        big[n - 1] = '\n';
        p = tu_write_file(dir, "big.crt", big, n);
        ck_assert_int_eq(check_files("rem", p, NULL, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_FILE_TOO_LARGE);

        /* ... and exactly 1 MiB is still read. */
        big[n - 2] = '\n';
        q = tu_write_file(dir, "limit.crt", big, n - 1);
        ck_assert_int_eq(check_files("rem", q, NULL, &o, &g), 0);
        ASSERT_LACKS(&g, FINDING_FILE_TOO_LARGE);
        ASSERT_LACKS(&g, FINDING_NOT_PEM);
}
END_TEST

START_TEST(test_17_certificates_are_file_too_large) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        X509 *certs[17];
        _cleanup_(freep) char *p = NULL, *q = NULL;
        CheckOptions o = options();

        certs[0] = leaf;
        certs[1] = inter;
        for (size_t i = 2; i < ELEMENTSOF(certs); i++)
                certs[i] = root;
        p = tu_write_pem(dir, "17.crt", certs, 17, NULL, 0);
        q = tu_write_pem(dir, "16.crt", certs, 16, NULL, 0);
        ck_assert_int_eq(check_files("rem", p, NULL, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_FILE_TOO_LARGE);
        ck_assert_int_eq(check_files("rem", q, NULL, &o, &g), 0);
        ASSERT_LACKS(&g, FINDING_FILE_TOO_LARGE);
        ASSERT_HAS(&g, FINDING_CHAIN_UNRELATED); /* 14 copies of the root */
}
END_TEST

START_TEST(test_crlf_file_is_pem_layout_warning) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *lf = NULL, *crlf = NULL, *p = NULL, *c = NULL, *k = NULL;
        size_t len, o_len = 0;
        FILE *m;
        CheckOptions o = options();

        c = write_chain("lf.crt", leaf);
        lf = read_all(c, &len);
        m = open_memstream(&crlf, &o_len);
        ck_assert_ptr_nonnull(m);
        for (size_t i = 0; i < len; i++) {
                if (lf[i] == '\n')
                        fputc('\r', m);
                fputc(lf[i], m);
        }
        ck_assert_int_eq(fclose(m), 0);
        p = tu_write_file(dir, "rem-cert.crt", crlf, o_len);
        k = write_key("rem-cert.key", k_rem);
        ck_assert_int_eq(check_files("rem", p, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_PEM_LAYOUT);
        ck_assert_int_eq(fa_first(&f, FINDING_PEM_LAYOUT)->severity, SEVERITY_WARNING);
        ck_assert_uint_eq(f.n, 1);
        ASSERT_NO_ERRORS(&f);
}
END_TEST

START_TEST(test_clean_lf_file_is_not_pem_layout) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();

        CheckOptions o = options();
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_LACKS(&f, FINDING_PEM_LAYOUT);
}
END_TEST

START_TEST(test_text_dump_between_blocks_is_pem_layout) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *a = tu_cert_pem(leaf), *b = tu_cert_pem(inter), *r = tu_cert_pem(root),
                              *text = NULL, *p = NULL;
        CheckOptions o = options();

        /* What `openssl x509 -text` output pasted together looks like. */
        ck_assert_int_gt(asprintf(&text,
                                  "Certificate:\n    Data:\n        Version: 3 (0x2)\n%s"
                                  "subject=CN = SomeTelco Issuing CA\n%s\n\n%s",
                                  a, b, r),
                         0);
        p = tu_write_file(dir, "rem-cert.crt", text, strlen(text));
        ck_assert_int_eq(check_files("rem", p, NULL, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_PEM_LAYOUT);
        ASSERT_NO_ERRORS(&f);
}
END_TEST

/* ---- keys -------------------------------------------------------------------------- */

START_TEST(test_key_file_without_key_is_key_missing) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        CheckOptions o = options();

        /* The chain uploaded twice, once as the key. */
        free(write_chain("rem-cert.crt", leaf));
        free(write_chain("rem-cert.key", leaf));
        run_files("rem", "rem-cert.crt", "rem-cert.key", &o, &f);
        ASSERT_HAS(&f, FINDING_KEY_MISSING);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_KEY_MISSING)->file, "rem-cert.key"));
        ASSERT_LACKS(&f, FINDING_KEY_MISMATCH);
        ASSERT_LACKS(&f, FINDING_NOT_PEM);
}
END_TEST

START_TEST(test_key_file_with_key_is_not_key_missing) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        CheckOptions o = options();

        run_rem(leaf, k_rem, &o, &f);
        ASSERT_LACKS(&f, FINDING_KEY_MISSING);
}
END_TEST

START_TEST(test_two_keys_are_key_multiple) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = write_chain("rem-cert.crt", leaf), *k = NULL, *both = NULL;
        CheckOptions o = options();

        k = tu_write_pem(dir, "rem-cert.key", NULL, 0, (EVP_PKEY *[]){k_rem, k_other}, 2);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_KEY_MULTIPLE);
        ck_assert_uint_eq(f.n, 1); /* the first key is the right one: nothing else */

        /* Two keys inside the chain file, no key file. */
        both = tu_write_pem(dir, "all.pem", (X509 *[]){leaf, inter, root}, 3,
                            (EVP_PKEY *[]){k_rem, k_other}, 2);
        ck_assert_int_eq(check_files("rem", both, NULL, &o, &g), 0);
        ASSERT_HAS(&g, FINDING_KEY_MULTIPLE);
}
END_TEST

START_TEST(test_one_key_is_not_key_multiple) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        CheckOptions o = options();

        run_rem(leaf, k_rem, &o, &f);
        ASSERT_LACKS(&f, FINDING_KEY_MULTIPLE);
}
END_TEST

static char *write_encrypted_key(const char *name, EVP_PKEY *k, const char *pass) {
        _cleanup_(freep) char *p = tu_path(dir, name);
        PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
        X509_SIG *enc;
        FILE *f;

        ck_assert_ptr_nonnull(p8);
        enc = PKCS8_encrypt(-1, EVP_aes_256_cbc(), pass, (int) strlen(pass), NULL, 0, 0, p8);
        ck_assert_ptr_nonnull(enc);
        f = fopen(p, "we");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(PEM_write_PKCS8(f, enc), 1);
        ck_assert_int_eq(fclose(f), 0);
        X509_SIG_free(enc);
        PKCS8_PRIV_KEY_INFO_free(p8);
        return TAKE_PTR(p);
}

START_TEST(test_encrypted_key_is_key_encrypted) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = write_chain("rem-cert.crt", leaf), *k = NULL;
        CheckOptions o = options();

        k = write_encrypted_key("rem-cert.key", k_rem, "secret");
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_KEY_ENCRYPTED);
        ASSERT_LACKS(&f, FINDING_KEY_MISSING); /* one finding says it */
        ASSERT_LACKS(&f, FINDING_KEY_MISMATCH);
}
END_TEST

START_TEST(test_empty_passphrase_is_still_key_encrypted) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = write_chain("rem-cert.crt", leaf), *k = NULL;
        CheckOptions o = options();

        k = write_encrypted_key("rem-cert.key", k_rem, "");
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_KEY_ENCRYPTED);
}
END_TEST

START_TEST(test_traditional_encrypted_key_is_key_encrypted) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem",
                                                                 .key = k_rsa2048,
                                                                 .issuer = inter,
                                                                 .issuer_key = k_inter,
                                                                 .san = REM_SAN,
                                                                 .pathlen = -1});
        _cleanup_(freep) char *c = write_chain("rem-cert.crt", leaf),
                              *k = tu_path(dir, "rem-cert.key");
        BIO *bio;
        CheckOptions o = options();

        /* "Proc-Type: 4,ENCRYPTED" (openssl rsa -aes256 of old). */
        bio = BIO_new_file(k, "w");
        ck_assert_ptr_nonnull(bio);
        ck_assert_int_eq(PEM_write_bio_PrivateKey_traditional(bio, k_rsa2048, EVP_aes_128_cbc(),
                                                              (unsigned char *) "pw", 2, NULL,
                                                              NULL),
                         1);
        BIO_free(bio);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_KEY_ENCRYPTED);
}
END_TEST

START_TEST(test_plain_traditional_key_is_accepted) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem",
                                                                 .key = k_rsa2048,
                                                                 .issuer = inter,
                                                                 .issuer_key = k_inter,
                                                                 .san = REM_SAN,
                                                                 .pathlen = -1});
        _cleanup_(freep) char *c = write_chain("rem-cert.crt", leaf),
                              *k = tu_path(dir, "rem-cert.key");
        BIO *bio;
        CheckOptions o = options();

        /* "BEGIN RSA PRIVATE KEY", unencrypted. */
        bio = BIO_new_file(k, "w");
        ck_assert_ptr_nonnull(bio);
        ck_assert_int_eq(
                PEM_write_bio_PrivateKey_traditional(bio, k_rsa2048, NULL, NULL, 0, NULL, NULL), 1);
        BIO_free(bio);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_other_key_is_key_mismatch) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        const Finding *x;
        CheckOptions o = options();

        run_rem(leaf, k_other, &o, &f);
        ASSERT_HAS(&f, FINDING_KEY_MISMATCH);
        x = fa_first(&f, FINDING_KEY_MISMATCH);
        ck_assert_ptr_nonnull(strstr(x->file, "rem-cert.key"));
        ck_assert_ptr_nonnull(strstr(x->message, "rem.sometelco.com"));
        /* The chain is still checked (with a guessed leaf). */
        ASSERT_LACKS(&f, FINDING_CHAIN_ORDER);
}
END_TEST

START_TEST(test_key_of_a_later_certificate_is_key_mismatch) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = NULL, *k = NULL;
        CheckOptions o = options();

        /* Leaf last: the key says which one is the server's; both the order
         * and the key's position are reported. */
        c = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){root, inter, leaf}, 3, NULL, 0);
        k = write_key("rem-cert.key", k_rem);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_KEY_MISMATCH);
        /* About the key file, so no position in it; the message gives the
         * certificate's position in the chain file. */
        ck_assert_int_eq(fa_first(&f, FINDING_KEY_MISMATCH)->cert, -1);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_KEY_MISMATCH)->file, "rem-cert.key"));
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_KEY_MISMATCH)->message, "certificate 2"));
        ASSERT_HAS(&f, FINDING_CHAIN_ORDER);
        ck_assert_ptr_nonnull(
                strstr(fa_first(&f, FINDING_CHAIN_ORDER)->message, "2 (CN=rem.sometelco.com"));
}
END_TEST

START_TEST(test_unmatched_key_names_the_server_certificate_not_the_first) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = NULL, *k = NULL;
        const Finding *x;
        CheckOptions o = options();

        /* Root first and a key of nothing in the file: the message must name
         * the server certificate (found by the chain), not the root. */
        c = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){root, inter, leaf}, 3, NULL, 0);
        k = write_key("rem-cert.key", k_other);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        x = fa_first(&f, FINDING_KEY_MISMATCH);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(strstr(x->subject, "rem.sometelco.com"));
        ck_assert_ptr_nonnull(strstr(x->message, "(certificate 2 of"));
        ck_assert_ptr_null(strstr(x->message, "Root"));
}
END_TEST

START_TEST(test_matching_key_is_not_key_mismatch) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        CheckOptions o = options();

        run_rem(leaf, k_rem, &o, &f);
        ASSERT_LACKS(&f, FINDING_KEY_MISMATCH);
}
END_TEST

START_TEST(test_key_of_the_ca_is_key_mismatch_and_the_leaf_stays) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        const Finding *x;
        CheckOptions o = options();

        /* The issuing CA's key uploaded with a good chain: the CA's
         * certificate is not taken for the server's, the real server
         * certificate is not called unrelated. */
        run_rem(leaf, k_inter, &o, &f);
        ck_assert_uint_eq(fa_count(&f, FINDING_KEY_MISMATCH), 1);
        x = fa_first(&f, FINDING_KEY_MISMATCH);
        ck_assert_ptr_nonnull(strstr(x->message, "is the private key of the CA 'CN=SomeTelco Issuing CA"));
        ck_assert_ptr_nonnull(strstr(x->message, "must never leave the CA"));
        ck_assert_ptr_nonnull(strstr(x->message, "upload the server certificate's key"));
        ck_assert_ptr_nonnull(strstr(x->file, "rem-cert.key"));
        ck_assert_int_eq(x->cert, -1);
        ASSERT_LACKS(&f, FINDING_CHAIN_UNRELATED);
        ASSERT_LACKS(&f, FINDING_CHAIN_ORDER);
        ASSERT_LACKS(&f, FINDING_CHAIN_CA_FLAGS);
        ASSERT_LACKS(&f, FINDING_SAN_MISSING);
        ASSERT_LACKS(&f, FINDING_KEY_USAGE);
        ck_assert_uint_eq(f.n, 1);

        /* The root's key: the same. */
        run_rem(leaf, k_root, &o, &g);
        ck_assert_uint_eq(g.n, 1);
        ck_assert_ptr_nonnull(strstr(g.items[0].message, "CA 'CN=SomeTelco Root CA"));
}
END_TEST

START_TEST(test_ca_flagged_server_certificate_with_its_key_is_still_the_servers) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *bad = NULL;
        _cleanup_(freep) char *c = NULL, *k = NULL;
        CheckOptions o = options();

        /* A server certificate issued wrongly as a CA (CA:TRUE, keyCertSign
         * besides its server usages, no SAN), at the bottom of its chain: the
         * key is the server's, the findings are about its flags, and nobody
         * is told it is a CA's key or that the server certificate is missing. */
        bad = tu_cert(&(TuCertSpec){.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=rem",
                                    .key = k_rem,
                                    .issuer = inter,
                                    .issuer_key = k_inter,
                                    .ca = true,
                                    .pathlen = -1,
                                    .ku = "critical,digitalSignature,keyEncipherment,keyCertSign"});
        c = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){bad, inter, root}, 3, NULL, 0);
        k = write_key("rem-cert.key", k_rem);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_CHAIN_CA_FLAGS);
        ASSERT_HAS(&f, FINDING_SAN_MISSING);
        ASSERT_LACKS(&f, FINDING_KEY_MISMATCH);
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
}
END_TEST

START_TEST(test_same_file_as_chain_and_key_is_a_combined_file) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = NULL;
        CheckOptions o = options();

        /* check --service rem comb.pem comb.pem (an HAProxy-style file). */
        c = tu_write_pem(dir, "comb.pem", (X509 *[]){leaf, inter, root}, 3,
                         (EVP_PKEY *[]){k_rem}, 1);
        ck_assert_int_eq(check_files("rem", c, c, &o, &f), 0);
        ASSERT_LACKS(&f, FINDING_KEY_MULTIPLE);
        ASSERT_NO_ERRORS(&f);
}
END_TEST

START_TEST(test_chain_of_cas_only_has_no_server_certificate) {
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        _cleanup_(freep) char *c = NULL, *k = NULL, *ka = NULL;
        const Finding *x;
        CheckOptions o = options();

        /* cat inter.crt root.crt: the server certificate left out. */
        c = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){inter, root}, 2, NULL, 0);
        k = write_key("rem-cert.key", k_rem);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ck_assert_uint_eq(f.n, 1); /* nothing about the CAs as if one were the server's */
        x = fa_first(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(strstr(x->message, "rem-cert.crt has no server certificate"));
        ck_assert_ptr_nonnull(strstr(x->message, "only CA certificates (0 'CN=SomeTelco Issuing CA"));
        ck_assert_ptr_nonnull(strstr(x->message, "put the server certificate first"));
        ck_assert_int_eq(x->cert, -1);

        /* With the CA's key: that is said too. */
        ka = write_key("ca.key", k_inter);
        ck_assert_int_eq(check_files("rem", c, ka, &o, &g), 0);
        ck_assert_uint_eq(g.n, 2);
        ASSERT_HAS(&g, FINDING_KEY_MISMATCH);
        ASSERT_HAS(&g, FINDING_CHAIN_INCOMPLETE);

        /* Without a key. */
        ck_assert_int_eq(check_files("rem", c, NULL, &o, &h), 0);
        ck_assert_uint_eq(h.n, 1);
        ASSERT_HAS(&h, FINDING_CHAIN_INCOMPLETE);
}
END_TEST

START_TEST(test_self_signed_ca_true_server_certificate_is_still_the_leaf) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *with_san = NULL, *bare = NULL;
        _cleanup_(freep) char *c = NULL, *k = NULL, *c2 = NULL;
        CheckOptions o = options();

        /* The near miss: `openssl req -x509` makes CA:TRUE server
         * certificates; one naming a host, or without keyCertSign, is a
         * server certificate wrongly marked CA, not a missing one. */
        with_san = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                         .key = k_rem,
                                         .ca = true,
                                         .pathlen = -1,
                                         .san = REM_SAN});
        bare = tu_cert(&(TuCertSpec){
                .subject = SUBJ_BASE "rem.sometelco.com", .key = k_rem, .ca = true, .pathlen = -1, .ku = ""});
        c = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){with_san}, 1, NULL, 0);
        k = write_key("rem-cert.key", k_rem);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_CHAIN_CA_FLAGS);
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
        ASSERT_LACKS(&f, FINDING_KEY_MISMATCH);

        c2 = tu_write_pem(dir, "bare.crt", (X509 *[]){bare}, 1, NULL, 0);
        ck_assert_int_eq(check_files("rem", c2, k, &o, &g), 0);
        ASSERT_HAS(&g, FINDING_CHAIN_CA_FLAGS);
        ASSERT_LACKS(&g, FINDING_CHAIN_INCOMPLETE);
}
END_TEST

START_TEST(test_key_inside_chain_file_beside_key_file_is_key_multiple) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = NULL, *k = NULL, *c2 = NULL;
        const Finding *x;
        CheckOptions o = options();

        /* cat rem.crt other.key inter.crt root.crt: the served file holds a key. */
        c = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){leaf, inter, root}, 3,
                         (EVP_PKEY *[]){k_other}, 1);
        k = write_key("rem-cert.key", k_rem);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ck_assert_uint_eq(f.n, 1);
        x = fa_first(&f, FINDING_KEY_MULTIPLE);
        ck_assert_ptr_nonnull(x);
        ck_assert_int_eq(x->severity, SEVERITY_ERROR);
        ck_assert_ptr_nonnull(strstr(x->file, "rem-cert.crt"));
        ck_assert_ptr_nonnull(strstr(x->message, "rem-cert.crt holds a private key; keys belong only in"));
        ck_assert_ptr_nonnull(strstr(x->hint, "Remove the private key from"));

        /* Even the right key, twice. */
        c2 = tu_write_pem(dir, "both.crt", (X509 *[]){leaf, inter, root}, 3, (EVP_PKEY *[]){k_rem},
                          1);
        ck_assert_int_eq(check_files("rem", c2, k, &o, &g), 0);
        ASSERT_HAS(&g, FINDING_KEY_MULTIPLE);
        /* (Without a key file the same file is the combined layout:
         * test_key_inside_chain_file_is_used.) */
}
END_TEST

START_TEST(test_pipeline_malformed_extension_is_not_path_invalid) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        CheckOptions o = options();

        /* What `2.5.29.17=DER:0403010203` in an openssl extfile makes.
         * OpenSSL then cannot build the path ("unable to get local issuer
         * certificate"); CERT_INVALID says why, once. */
        leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                     .key = k_rem,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .pathlen = -1});
        tu_add_bad_san_resign(leaf, k_inter);
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_HAS(&f, FINDING_CERT_INVALID);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
        ASSERT_LACKS(&f, FINDING_CHAIN_CA_FLAGS);
}
END_TEST

/* ---- the chain and policy codes, end to end ------------------------------------------ */

START_TEST(test_pipeline_reports_expiry_and_order) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *soon = NULL, *later = NULL;
        CheckOptions o = options();

        soon = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                     .key = k_rem,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = REM_SAN,
                                     .pathlen = -1,
                                     .not_after = TU_NOW + 29 * TU_DAY});
        later = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                      .key = k_rem,
                                      .issuer = inter,
                                      .issuer_key = k_inter,
                                      .san = REM_SAN,
                                      .pathlen = -1,
                                      .not_after = TU_NOW + 31 * TU_DAY});
        run_rem(soon, k_rem, &o, &f);
        ASSERT_HAS(&f, FINDING_CERT_EXPIRING);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        run_rem(later, k_rem, &o, &g);
        ASSERT_NONE(&g);

        /* --min-valid-days 0 accepts the first. */
        findings_clear(&f);
        o.min_valid_days = 0;
        run_rem(soon, k_rem, &o, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_pipeline_not_yet_valid_is_not_path_invalid) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        CheckOptions o = options();

        leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                     .key = k_rem,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = REM_SAN,
                                     .pathlen = -1,
                                     .not_before = TU_NOW + TU_DAY});
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_HAS(&f, FINDING_CERT_NOT_YET_VALID);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        /* --now after notBefore: fine. */
        findings_clear(&f);
        o.now = TU_NOW + 2 * TU_DAY;
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_pipeline_not_after_now_is_still_valid) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        CheckOptions o = options();

        /* notAfter is the last second of validity (RFC 5280 4.1.2.5):
         * checked at exactly that second with --min-valid-days 0, nothing;
         * OpenSSL's own time check (which calls it expired) is not used. */
        leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                     .key = k_rem,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = REM_SAN,
                                     .pathlen = -1,
                                     .not_before = TU_NOW - 10 * TU_DAY,
                                     .not_after = TU_NOW});
        o.min_valid_days = 0;
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_NONE(&f);

        /* Near miss: a second later it has expired, and policy says so. */
        o.now = TU_NOW + 1;
        run_rem(leaf, k_rem, &o, &g);
        ASSERT_HAS(&g, FINDING_CERT_EXPIRING);
        ASSERT_LACKS(&g, FINDING_PATH_INVALID);
}
END_TEST

START_TEST(test_pipeline_bundle_root_trust_and_depth) {
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, k = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        CheckOptions o = options();
        const Finding *x;

        /* The default: the uploaded root is the operator's own anchor. */
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_NONE(&f);

        /* distrust_bundle_root: only --trust anchors count. */
        o.distrust_bundle_root = true;
        run_rem(leaf, k_rem, &o, &g);
        ASSERT_HAS(&g, FINDING_CHAIN_INCOMPLETE);
        x = fa_first(&g, FINDING_CHAIN_INCOMPLETE);
        ck_assert_ptr_nonnull(strstr(x->message, "not a trust anchor"));
        ck_assert_int_eq(x->cert, 2);
        ASSERT_LACKS(&g, FINDING_PATH_INVALID);

        /* ... and with the root among them, fine again. */
        anchors = sk_X509_new_null();
        ck_assert_ptr_nonnull(anchors);
        ck_assert_int_eq(X509_up_ref(root), 1);
        ck_assert_int_gt(sk_X509_push(anchors, root), 0);
        o.trust = anchors;
        run_rem(leaf, k_rem, &o, &h);
        ASSERT_NONE(&h);

        /* max_chain_depth 1: the server certificate directly below the
         * anchor, no intermediate; this chain has one. */
        o.max_chain_depth = 1;
        run_rem(leaf, k_rem, &o, &k);
        ASSERT_HAS(&k, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(strstr(fa_first(&k, FINDING_PATH_INVALID)->message, "intermediate"));
}
END_TEST

START_TEST(test_pipeline_missing_intermediate_and_trust) {
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *c = NULL, *k = NULL, *t = NULL, *c2 = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        CheckOptions o = options();

        /* leaf + root: the issuing CA is missing. */
        c = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){leaf, root}, 2, NULL, 0);
        k = write_key("rem-cert.key", k_rem);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_ptr_nonnull(
                strstr(fa_first(&f, FINDING_CHAIN_INCOMPLETE)->message, "SomeTelco Issuing CA"));
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);

        /* leaf + issuing CA, root given with --trust: a warning, result ok. */
        t = tu_write_pem(dir, "trust.pem", (X509 *[]){root}, 1, NULL, 0);
        ck_assert_int_eq(check_load_anchors(t, &anchors, &h), 0);
        ck_assert_uint_eq(h.n, 0);
        ck_assert_int_eq(sk_X509_num(anchors), 1);
        c2 = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){leaf, inter}, 2, NULL, 0);
        o.trust = anchors;
        ck_assert_int_eq(check_files("rem", c2, k, &o, &g), 0);
        ASSERT_HAS(&g, FINDING_CHAIN_ROOT_ADDED);
        ck_assert_uint_eq(g.n, 1);
        ASSERT_NO_ERRORS(&g);

        /* Without --trust the same file is incomplete. */
        findings_clear(&g);
        o.trust = NULL;
        ck_assert_int_eq(check_files("rem", c2, k, &o, &g), 0);
        ASSERT_HAS(&g, FINDING_CHAIN_INCOMPLETE);
        ASSERT_LACKS(&g, FINDING_CHAIN_ROOT_ADDED);
}
END_TEST

START_TEST(test_pipeline_names_from_deployment_and_option) {
        _cleanup_(findings_clear) Findings f = {}, df = {};
        _cleanup_(deploy_freep) Deployment *d = NULL;
        _cleanup_(X509_freep) X509 *leaf =
                leaf_cert("rem.sometelco.com", k_rem, "DNS:rem.sometelco.com");
        CheckOptions o = options();

        ck_assert_int_eq(deploy_parse("deployment.yaml", mag_yaml, strlen(mag_yaml), &d, &df), 0);
        o.deploy = d;
        o.names = (char *[]){"rem-backup.sometelco.com", NULL};
        run_rem(leaf, k_rem, &o, &f);
        /* 192.168.10.10 (deployment) and rem-backup (--name) are not covered. */
        ck_assert_int_eq(f.n, 2);
        ck_assert_int_eq(f.items[0].code, FINDING_SAN_NOT_COVERED);
        ck_assert_ptr_nonnull(strstr(f.items[0].message, "'192.168.10.10'"));
        ck_assert_int_eq(f.items[1].code, FINDING_SAN_NOT_COVERED);
        ck_assert_ptr_nonnull(strstr(f.items[1].message, "'rem-backup.sometelco.com'"));
}
END_TEST

START_TEST(test_pipeline_ca_flags_and_signature) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *ca_leaf = NULL, *forged = NULL;
        CheckOptions o = options();

        ca_leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                        .key = k_rem,
                                        .issuer = inter,
                                        .issuer_key = k_inter,
                                        .ca = true,
                                        .pathlen = -1,
                                        .ku = "critical,digitalSignature",
                                        .eku = "serverAuth",
                                        .san = REM_SAN});
        run_rem(ca_leaf, k_rem, &o, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_CA_FLAGS);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);

        forged = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                       .key = k_rem,
                                       .issuer = inter,
                                       .issuer_key = k_other,
                                       .san = REM_SAN,
                                       .pathlen = -1,
                                       .no_ski_aki = true});
        run_rem(forged, k_rem, &o, &g);
        ASSERT_HAS(&g, FINDING_CHAIN_SIGNATURE);
}
END_TEST

START_TEST(test_pipeline_unrelated_certificate) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert(), *stray = NULL;
        _cleanup_(freep) char *c = NULL, *k = NULL;
        CheckOptions o = options();

        stray = leaf_cert("xcap", k_xcap, "DNS:" XCAP_3GPP);
        c = tu_write_pem(dir, "rem-cert.crt", (X509 *[]){leaf, inter, root, stray}, 4, NULL, 0);
        k = write_key("rem-cert.key", k_rem);
        ck_assert_int_eq(check_files("rem", c, k, &o, &f), 0);
        ASSERT_HAS(&f, FINDING_CHAIN_UNRELATED);
        ck_assert_int_eq(fa_first(&f, FINDING_CHAIN_UNRELATED)->cert, 3);
}
END_TEST

START_TEST(test_pipeline_path_invalid) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        X509V3_CTX ctx;
        X509_EXTENSION *e;
        CheckOptions o = options();

        /* A critical extension nobody knows: only path validation sees it. */
        X509V3_set_ctx(&ctx, inter, leaf, NULL, NULL, 0);
        e = X509V3_EXT_nconf(NULL, &ctx, "1.3.6.1.4.1.55555.7", "critical,DER:05:00");
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(X509_add_ext(leaf, e, -1), 1);
        X509_EXTENSION_free(e);
        ck_assert_int_gt(X509_sign(leaf, k_inter, EVP_sha256()), 0);
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_HAS(&f, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_PATH_INVALID)->message, "OpenSSL"));
}
END_TEST

START_TEST(test_pipeline_san_and_subject) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *cn_only = NULL, *ip_dns = NULL;
        CheckOptions o = options();

        o.names = (char *[]){"rem.sometelco.com", NULL};
        cn_only = tu_cert(&(TuCertSpec){.subject = "/CN=rem.sometelco.com",
                                        .key = k_rem,
                                        .issuer = inter,
                                        .issuer_key = k_inter,
                                        .pathlen = -1});
        run_rem(cn_only, k_rem, &o, &f);
        ASSERT_HAS(&f, FINDING_SAN_MISSING);
        ASSERT_HAS(&f, FINDING_SAN_NOT_COVERED);
        ASSERT_HAS(&f, FINDING_SUBJECT_FIELDS);

        ip_dns = leaf_cert("rem.sometelco.com", k_rem, "DNS:rem.sometelco.com,DNS:192.168.10.10");
        run_rem(ip_dns, k_rem, &o, &g);
        ASSERT_HAS(&g, FINDING_SAN_IP_AS_DNS);
        ASSERT_LACKS(&g, FINDING_SAN_MISSING);
        ASSERT_LACKS(&g, FINDING_SUBJECT_FIELDS);
}
END_TEST

START_TEST(test_pipeline_weak_key_signature_and_usage) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k1024 = tu_key_rsa(1024);
        CheckOptions o = options();

        leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                     .key = k1024,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = REM_SAN,
                                     .pathlen = -1,
                                     .md = "SHA1",
                                     .ku = "critical,keyAgreement",
                                     .eku = "clientAuth"});
        run_rem(leaf, k1024, &o, &f);
        ASSERT_HAS(&f, FINDING_WEAK_KEY);
        ASSERT_HAS(&f, FINDING_WEAK_SIGNATURE);
        ASSERT_HAS(&f, FINDING_KEY_USAGE);
        ASSERT_HAS(&f, FINDING_EKU);
        /* OpenSSL's purpose and strength errors are explained by those. */
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
}
END_TEST

/* ---- profiles ------------------------------------------------------------------------- */

START_TEST(test_strict_profile_requires_eku) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        CheckOptions o = options();

        leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                     .key = k_rem,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = REM_SAN,
                                     .pathlen = -1,
                                     .eku = ""});
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_HAS(&f, FINDING_EKU);
        ASSERT_NO_ERRORS(&f);

        o.profile = PROFILE_STRICT;
        run_rem(leaf, k_rem, &o, &g);
        ASSERT_HAS(&g, FINDING_EKU);
        ck_assert_int_eq(fa_first(&g, FINDING_EKU)->severity, SEVERITY_ERROR);
}
END_TEST

START_TEST(test_strict_profile_clean_chain_passes) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        CheckOptions o = options();

        o.profile = PROFILE_STRICT;
        o.names = (char *[]){"rem.sometelco.com", NULL};
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_missing_key_identifiers_only_matter_in_strict) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        CheckOptions o = options();

        leaf = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "rem.sometelco.com",
                                     .key = k_rem,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = REM_SAN,
                                     .pathlen = -1,
                                     .no_ski_aki = true});
        run_rem(leaf, k_rem, &o, &f);
        ASSERT_NONE(&f);

        o.profile = PROFILE_STRICT;
        run_rem(leaf, k_rem, &o, &g);
        ASSERT_HAS(&g, FINDING_CERT_FORMAT);
        ASSERT_LACKS(&g, FINDING_PATH_INVALID); /* said once, by CERT_FORMAT */
}
END_TEST

START_TEST(test_innovaphone_profile_key_size) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(X509_freep) X509 *big = NULL, *ok = NULL;
        CheckOptions o = options();

        o.profile = PROFILE_INNOVAPHONE;
        big = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "pbx.sometelco.com",
                                    .key = k_rsa3072,
                                    .issuer = inter,
                                    .issuer_key = k_inter,
                                    .san = "DNS:pbx.sometelco.com",
                                    .pathlen = -1,
                                    .eku = "serverAuth,clientAuth"});
        ok = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE "pbx.sometelco.com",
                                   .key = k_rsa2048,
                                   .issuer = inter,
                                   .issuer_key = k_inter,
                                   .san = "DNS:pbx.sometelco.com",
                                   .pathlen = -1,
                                   .eku = "serverAuth,clientAuth"});
        run_rem(big, k_rsa3072, &o, &f);
        ASSERT_HAS(&f, FINDING_WEAK_KEY);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_WEAK_KEY)->message, "3072"));
        run_rem(ok, k_rsa2048, &o, &g);
        ASSERT_NONE(&g);
}
END_TEST

/* ---- check_store ------------------------------------------------------------------------ */

static X509 *xcap_cert(const char *san) {
        return leaf_cert(XCAP_3GPP, k_xcap, san);
}

static X509 *bsf_cert(const char *san) {
        return leaf_cert(BSF_3GPP, k_bsf, san);
}

/* A MAG store: rem, xcap and bsf pairs and deployment.yaml, with the given
 * XCAP and BSF subjectAltNames. */
static void write_mag_store(const char *xcap_san, const char *bsf_san) {
        _cleanup_(X509_freep) X509 *rem = rem_cert(), *xcap = xcap_cert(xcap_san),
                                   *bsf = bsf_cert(bsf_san);

        free(write_chain("rem-cert.crt", rem));
        free(write_key("rem-cert.key", k_rem));
        free(write_chain("xcap-cert.crt", xcap));
        free(write_key("xcap-cert.key", k_xcap));
        free(write_chain("bsf-cert.crt", bsf));
        free(write_key("bsf-cert.key", k_bsf));
        free(tu_write_file(dir, "deployment.yaml", mag_yaml, strlen(mag_yaml)));
}

static const ServiceReport *service(const StoreReport *r, const char *name) {
        for (size_t i = 0; i < r->n_services; i++)
                if (streq(r->services[i].service, name))
                        return &r->services[i];
        ck_abort_msg("no service %s in the report", name);
        return NULL;
}

static StoreReport *run_store(const CheckOptions *o) {
        StoreReport *r = NULL;

        ck_assert_int_eq(check_store(dir, o, &r), 0);
        ck_assert_ptr_nonnull(r);
        return r;
}

START_TEST(test_store_full_mag_passes) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        CheckOptions o = options();

        write_mag_store("DNS:" XCAP_3GPP, "DNS:" BSF_3GPP);
        r = run_store(&o);
        ck_assert_uint_eq(r->n_services, 3);
        ck_assert_str_eq(r->services[0].service, "rem");
        ck_assert_str_eq(r->services[1].service, "xcap");
        ck_assert_str_eq(r->services[2].service, "bsf");
        ASSERT_NONE(&r->findings);
        for (size_t i = 0; i < r->n_services; i++) {
                ck_assert(r->services[i].uploaded);
                ASSERT_NONE(&r->services[i].findings);
        }
        ck_assert(!store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_uses_deployment_names) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        CheckOptions o = options();

        /* The XCAP certificate lacks the 3GPP name the deployment's MCC/MNC give. */
        write_mag_store("DNS:xcap.sometelco.com", "DNS:bsf.sometelco.com");
        r = run_store(&o);
        ASSERT_HAS(&service(r, "xcap")->findings, FINDING_SAN_NOT_COVERED);
        ASSERT_HAS(&service(r, "xcap")->findings, FINDING_NAME_3GPP_FORM);
        ASSERT_HAS(&service(r, "bsf")->findings, FINDING_SAN_NOT_COVERED);
        ASSERT_NONE(&service(r, "rem")->findings);
        ck_assert(store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_bsf_names_differing_from_xcap_is_bsf_name) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        const Finding *x;
        CheckOptions o = options();

        write_mag_store("DNS:" XCAP_3GPP ",DNS:xcap.sometelco.com", "DNS:" BSF_3GPP);
        r = run_store(&o);
        ASSERT_NONE(&service(r, "xcap")->findings);
        ASSERT_HAS(&service(r, "bsf")->findings, FINDING_BSF_NAME);
        x = fa_first(&service(r, "bsf")->findings, FINDING_BSF_NAME);
        ck_assert_ptr_nonnull(strstr(x->message, "'bsf.sometelco.com'"));
        ck_assert_ptr_nonnull(strstr(x->file, "bsf-cert.crt"));
}
END_TEST

START_TEST(test_store_bsf_names_matching_xcap_is_not_bsf_name) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        CheckOptions o = options();

        write_mag_store("DNS:" XCAP_3GPP ",DNS:xcap.sometelco.com",
                        "DNS:bsf.sometelco.com,DNS:" BSF_3GPP);
        r = run_store(&o);
        ASSERT_NONE(&service(r, "bsf")->findings);
        ck_assert(!store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_xcap_name_rule) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        CheckOptions o = options();

        write_mag_store("DNS:" XCAP_3GPP ",DNS:rem.sometelco.com", "DNS:" BSF_3GPP);
        r = run_store(&o);
        ASSERT_HAS(&service(r, "xcap")->findings, FINDING_XCAP_NAME);
        ASSERT_LACKS(&service(r, "rem")->findings, FINDING_XCAP_NAME);
}
END_TEST

START_TEST(test_store_3gpp_name_for_other_network) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        CheckOptions o = options();

        /* The certificate is for MNC 002, the deployment is MNC 001. */
        write_mag_store("DNS:xcap.ims.mnc002.mcc001.pub.3gppnetwork.org",
                        "DNS:bsf.ims.mnc002.mcc001.pub.3gppnetwork.org");
        r = run_store(&o);
        ASSERT_HAS(&service(r, "xcap")->findings, FINDING_NAME_3GPP_FORM);
        ASSERT_HAS(&service(r, "bsf")->findings, FINDING_NAME_3GPP_FORM);
        ASSERT_LACKS(&service(r, "bsf")->findings, FINDING_BSF_NAME);
}
END_TEST

START_TEST(test_store_crt_without_key_is_pair_incomplete) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        const Finding *x;
        CheckOptions o = options();

        free(write_chain("rem-cert.crt", rem));
        r = run_store(&o);
        ck_assert(service(r, "rem")->uploaded);
        ASSERT_HAS(&service(r, "rem")->findings, FINDING_PAIR_INCOMPLETE);
        x = fa_first(&service(r, "rem")->findings, FINDING_PAIR_INCOMPLETE);
        ck_assert_ptr_nonnull(strstr(x->message, "rem-cert.key"));
        ck_assert(!service(r, "xcap")->uploaded);
        ck_assert(!service(r, "bsf")->uploaded);
        ASSERT_NONE(&service(r, "xcap")->findings);
        ck_assert(store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_key_without_crt_is_pair_incomplete) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        const Finding *x;
        CheckOptions o = options();

        free(write_key("rem-cert.key", k_rem));
        r = run_store(&o);
        ck_assert(service(r, "rem")->uploaded);
        ASSERT_HAS(&service(r, "rem")->findings, FINDING_PAIR_INCOMPLETE);
        x = fa_first(&service(r, "rem")->findings, FINDING_PAIR_INCOMPLETE);
        ck_assert_ptr_nonnull(strstr(x->message, "rem-cert.crt"));
}
END_TEST

START_TEST(test_store_full_pair_is_not_pair_incomplete) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        CheckOptions o = options();

        free(write_chain("rem-cert.crt", rem));
        free(write_key("rem-cert.key", k_rem));
        r = run_store(&o);
        ASSERT_LACKS(&service(r, "rem")->findings, FINDING_PAIR_INCOMPLETE);
        ck_assert(!store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_empty_directory) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        CheckOptions o = options();

        /* Nothing uploaded: self-signed certificates will be made; no error. */
        r = run_store(&o);
        ck_assert_uint_eq(r->n_services, 3);
        for (size_t i = 0; i < r->n_services; i++)
                ck_assert(!r->services[i].uploaded);
        ck_assert(!store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_symlinked_crt_is_refused_not_followed) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        _cleanup_(freep) char *outside = NULL, *target = NULL, *link = NULL;
        const Finding *x;
        CheckOptions o = options();

        /* The link points at a perfectly good chain outside the store. */
        outside = tu_tmpdir();
        target = tu_write_pem(outside, "real.crt", (X509 *[]){rem, inter, root}, 3, NULL, 0);
        link = tu_path(dir, "rem-cert.crt");
        ck_assert_int_eq(symlink(target, link), 0);
        free(write_key("rem-cert.key", k_rem));

        r = run_store(&o);
        tu_rmdir_r(outside);
        free(outside);
        outside = NULL;

        ASSERT_HAS(&service(r, "rem")->findings, FINDING_FILE_UNREADABLE);
        x = fa_first(&service(r, "rem")->findings, FINDING_FILE_UNREADABLE);
        ck_assert_ptr_nonnull(strstr(x->message, "symbolic link"));
        ck_assert_ptr_nonnull(strstr(x->file, "rem-cert.crt"));
        /* Not followed: none of the chain's content was judged, and the pair
         * is not called incomplete either. */
        ASSERT_LACKS(&service(r, "rem")->findings, FINDING_PAIR_INCOMPLETE);
        ASSERT_LACKS(&service(r, "rem")->findings, FINDING_KEY_MISMATCH);
        ck_assert(store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_symlinked_key_is_refused) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        _cleanup_(freep) char *real = NULL, *link = NULL;
        CheckOptions o = options();

        free(write_chain("rem-cert.crt", rem));
        real = write_key("key.pem", k_rem);
        link = tu_path(dir, "rem-cert.key");
        ck_assert_int_eq(symlink("key.pem", link), 0);
        r = run_store(&o);
        ASSERT_HAS(&service(r, "rem")->findings, FINDING_FILE_UNREADABLE);
        ASSERT_LACKS(&service(r, "rem")->findings, FINDING_KEY_MISMATCH);
}
END_TEST

START_TEST(test_store_directory_in_place_of_crt_is_unreadable) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(freep) char *d = tu_path(dir, "xcap-cert.crt");
        CheckOptions o = options();

        ck_assert_int_eq(mkdir(d, 0755), 0);
        free(write_key("xcap-cert.key", k_xcap));
        r = run_store(&o);
        ASSERT_HAS(&service(r, "xcap")->findings, FINDING_FILE_UNREADABLE);
}
END_TEST

START_TEST(test_store_other_service_pair_is_checked) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *prov = NULL;
        CheckOptions o = options();

        prov = leaf_cert("prov.sometelco.com", k_other, "DNS:prov.sometelco.com");
        free(write_chain("provisioning-cert.crt", prov));
        free(write_key("provisioning-cert.key", k_rem)); /* the wrong key */
        free(write_key("Bad_Name-cert.key", k_rem));     /* not a service name */
        r = run_store(&o);
        ck_assert_uint_eq(r->n_services, 4);
        ck_assert_str_eq(r->services[3].service, "provisioning");
        ck_assert(r->services[3].uploaded);
        ASSERT_HAS(&r->services[3].findings, FINDING_KEY_MISMATCH);
        /* The misnamed key is no service, but not silently ignored either. */
        ASSERT_HAS(&r->findings, FINDING_FILE_IGNORED);
        ck_assert_ptr_nonnull(strstr(r->findings.items[0].hint, "bad-name-cert.key"));
}
END_TEST

START_TEST(test_store_bad_deployment_yaml) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        static const char bad[] = "subject:\n  contry: NZ\n";
        CheckOptions o = options();

        free(write_chain("rem-cert.crt", rem));
        free(write_key("rem-cert.key", k_rem));
        free(tu_write_file(dir, "deployment.yaml", bad, strlen(bad)));
        r = run_store(&o);
        ASSERT_HAS(&r->findings, FINDING_CONFIG_INVALID);
        ck_assert_int_eq(r->findings.items[0].line, 2);
        ck_assert(store_report_has_errors(r));
        /* The services are still checked, without the deployment's names. */
        ASSERT_NONE(&service(r, "rem")->findings);
}
END_TEST

START_TEST(test_store_symlinked_deployment_is_refused) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(freep) char *outside = tu_tmpdir(), *target = NULL, *link = NULL;
        CheckOptions o = options();

        write_mag_store("DNS:" XCAP_3GPP, "DNS:" BSF_3GPP);
        target = tu_write_file(outside, "deployment.yaml", mag_yaml, strlen(mag_yaml));
        link = tu_path(dir, "deployment.yaml");
        ck_assert_int_eq(unlink(link), 0);
        ck_assert_int_eq(symlink(target, link), 0);
        r = run_store(&o);
        tu_rmdir_r(outside);
        ASSERT_HAS(&r->findings, FINDING_CONFIG_INVALID);
        ck_assert(store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_names_option_applies_to_every_service) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        CheckOptions o = options();

        write_mag_store("DNS:" XCAP_3GPP, "DNS:" BSF_3GPP);
        o.names = (char *[]){"192.0.2.99", NULL};
        r = run_store(&o);
        for (size_t i = 0; i < r->n_services; i++)
                ASSERT_HAS(&r->services[i].findings, FINDING_SAN_NOT_COVERED);
}
END_TEST

START_TEST(test_store_missing_directory_is_an_error) {
        StoreReport *r = NULL;
        _cleanup_(freep) char *nowhere = tu_path(dir, "nowhere");
        CheckOptions o = options();

        ck_assert_int_eq(check_store(nowhere, &o, &r), -ENOENT);
        ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_store_key_inside_crt_without_key_file_says_move_it) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        const Finding *x;
        CheckOptions o = options();

        free(tu_write_pem(dir, "rem-cert.crt", (X509 *[]){rem, inter, root}, 3,
                          (EVP_PKEY *[]){k_rem}, 1));
        r = run_store(&o);
        x = fa_first(&service(r, "rem")->findings, FINDING_PAIR_INCOMPLETE);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(strstr(x->message, "move the key into rem-cert.key"));
        ck_assert_ptr_nonnull(strstr(x->file, "rem-cert.crt"));
}
END_TEST

START_TEST(test_store_misnamed_uploads_are_errors) {
        static const struct {
                const char *name, *hint;
        } cases[] = {
                { "REM-cert.crt", "Rename it to rem-cert.crt." },
                { "REM-cert.key", "Rename it to rem-cert.key." },
                { "my_svc-cert.crt", "Rename it to my-svc-cert.crt." },
                { "rem-cert.key.txt", "Rename it to rem-cert.key." },
                { "rem-cert.pem", "Rename it to rem-cert.crt (rem-cert.key if it holds the private key)." },
                { "rem.crt", "Rename it to rem-cert.crt." },
                { "xcap.p12", "openssl pkcs12 -in xcap.p12 -nokeys -out xcap-cert.crt" },
                { "bsf.der", "openssl x509 -in bsf.der -out bsf-cert.crt" },
        };
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        CheckOptions o = options();

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                free(write_chain(cases[i].name, rem));
        free(tu_write_file(dir, "deployment.yaml", mag_yaml, strlen(mag_yaml)));
        free(tu_write_file(dir, "README.txt", "notes\n", 6));
        r = run_store(&o);
        ck_assert_uint_eq(fa_count(&r->findings, FINDING_FILE_IGNORED), ELEMENTSOF(cases));
        ck_assert_uint_eq(r->findings.n, ELEMENTSOF(cases));
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Finding *x = NULL;

                for (size_t j = 0; j < r->findings.n && !x; j++)
                        if (strstr(r->findings.items[j].file, cases[i].name) &&
                            strlen(strstr(r->findings.items[j].file, cases[i].name)) ==
                                    strlen(cases[i].name))
                                x = &r->findings.items[j];
                ck_assert_msg(x, "no finding for %s", cases[i].name);
                ck_assert_int_eq(x->severity, SEVERITY_ERROR);
                ck_assert_ptr_nonnull(strstr(x->message, "is not a name the agent reads"));
                ck_assert_msg(strstr(x->hint, cases[i].hint), "%s: hint '%s'", cases[i].name,
                              x->hint);
        }
        ck_assert(store_report_has_errors(r));
        for (size_t i = 0; i < r->n_services; i++)
                ck_assert(!r->services[i].uploaded);
}
END_TEST

START_TEST(test_store_well_named_files_raise_nothing) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        CheckOptions o = options();

        /* The near miss: the right names, deployment.yaml and other files. */
        free(write_chain("rem-cert.crt", rem));
        free(write_key("rem-cert.key", k_rem));
        free(tu_write_file(dir, "deployment.yaml", mag_yaml, strlen(mag_yaml)));
        free(tu_write_file(dir, "README.txt", "notes\n", 6));
        free(tu_write_file(dir, "site.yml", "a: 1\n", 5));
        r = run_store(&o);
        ASSERT_NONE(&r->findings);
        ck_assert(!store_report_has_errors(r));
}
END_TEST

START_TEST(test_store_existing_name_hint_says_remove) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        CheckOptions o = options();

        free(write_chain("rem-cert.crt", rem));
        free(write_key("rem-cert.key", k_rem));
        free(write_chain("rem-cert.der", rem));
        r = run_store(&o);
        ASSERT_HAS(&r->findings, FINDING_FILE_IGNORED);
        /* Never "replace rem-cert.crt with it" (a DER file where PEM is read). */
        ck_assert_ptr_nonnull(strstr(r->findings.items[0].hint,
                                     "Remove it: the agent reads rem-cert.crt, which is there already"));
}
END_TEST

START_TEST(test_store_harmless_files_are_no_errors) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        _cleanup_(freep) char *sub = NULL;
        CheckOptions o = options();

        /* A store that passes, plus what operators and editors leave around:
         * copies, backups, a CSR, CA files and directories with certificate
         * names. None is an error; files the agent does not read but that
         * look like certificates (ca.crt) are a warning without a rename. */
        free(write_chain("rem-cert.crt", rem));
        free(write_key("rem-cert.key", k_rem));
        free(tu_write_file(dir, "deployment.yaml", mag_yaml, strlen(mag_yaml)));
        free(write_chain(".rem-cert.crt.swp", rem));
        free(write_chain("rem-cert.crt~", rem));
        free(write_chain("rem-cert.crt.bak", rem));
        free(tu_write_file(dir, "rem-cert.csr", "x\n", 2));
        free(tu_write_file(dir, "mag-vmpool-config.yaml", "a: 1\n", 5));
        free(write_chain("ca.crt", root));
        free(write_chain("fullchain.pem", rem));
        sub = tu_path(dir, "ssl.crt");
        ck_assert_int_eq(mkdir(sub, 0700), 0);
        r = run_store(&o);
        ck_assert(!store_report_has_errors(r));
        ck_assert_uint_eq(fa_count(&r->findings, FINDING_FILE_IGNORED), 2); /* ca.crt, fullchain.pem */
        for (size_t i = 0; i < r->findings.n; i++) {
                ck_assert_int_eq(r->findings.items[i].severity, SEVERITY_WARNING);
                ck_assert_ptr_null(strstr(r->findings.items[i].hint, "Rename it to ca-cert"));
                ck_assert_ptr_null(strstr(r->findings.items[i].hint, "fullchain-cert"));
        }
        ck_assert(service(r, "rem")->uploaded);
        ASSERT_NO_ERRORS(&service(r, "rem")->findings);
}
END_TEST

START_TEST(test_store_bsf_names_follow_the_xcap_server_certificate) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *xcap = xcap_cert("DNS:" XCAP_3GPP), *bsf = bsf_cert("DNS:" BSF_3GPP);
        CheckOptions o = options();

        /* xcap-cert.crt root first, with a key of nothing in it: the XCAP
         * names are the server certificate's as the chain finds it, not
         * certificate 0's (the root has none, so every BSF name would lack
         * its XCAP counterpart). */
        free(tu_write_pem(dir, "xcap-cert.crt", (X509 *[]){root, inter, xcap}, 3, NULL, 0));
        free(write_key("xcap-cert.key", k_other));
        free(write_chain("bsf-cert.crt", bsf));
        free(write_key("bsf-cert.key", k_bsf));
        free(tu_write_file(dir, "deployment.yaml", mag_yaml, strlen(mag_yaml)));
        r = run_store(&o);
        ASSERT_HAS(&service(r, "xcap")->findings, FINDING_KEY_MISMATCH);
        ASSERT_LACKS(&service(r, "bsf")->findings, FINDING_BSF_NAME);
        ASSERT_NONE(&service(r, "bsf")->findings);
}
END_TEST

START_TEST(test_store_leaves_the_openssl_error_queue_empty) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *xcap = NULL;
        CheckOptions o = options();

        /* An XCAP certificate whose subjectAltName does not decode: every
         * reader of it (policy, the store's XCAP names) makes OpenSSL queue
         * errors. No BSF pair after it, whose checks might clear them by
         * chance. */
        free(write_key("xcap-cert.key", k_xcap));
        free(tu_write_file(dir, "deployment.yaml", mag_yaml, strlen(mag_yaml)));
        xcap = tu_cert(&(TuCertSpec){.subject = SUBJ_BASE XCAP_3GPP,
                                     .key = k_xcap,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .pathlen = -1});
        tu_add_bad_san_resign(xcap, k_inter);
        free(write_chain("xcap-cert.crt", xcap));
        ERR_clear_error();
        r = run_store(&o);
        ck_assert(findings_has_errors(&service(r, "xcap")->findings));
        ck_assert_uint_eq(ERR_peek_error(), 0);

        /* check_files (check_bundles) too. */
        run_files("xcap", "xcap-cert.crt", "xcap-cert.key", &o, &f);
        ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ---- check_load_anchors ----------------------------------------------------------------- */

START_TEST(test_load_anchors) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *s = NULL;
        _cleanup_(freep) char *a = NULL, *b = NULL, *e = NULL;

        a = tu_write_pem(dir, "a.pem", (X509 *[]){root}, 1, NULL, 0);
        b = tu_write_pem(dir, "b.pem", (X509 *[]){inter, root}, 2, NULL, 0);
        e = tu_write_file(dir, "e.pem", "nothing here\n", 13);
        ck_assert_int_eq(check_load_anchors(a, &s, &f), 0);
        ck_assert_int_eq(sk_X509_num(s), 1);
        /* Repeated --trust options add up. */
        ck_assert_int_eq(check_load_anchors(b, &s, &f), 0);
        ck_assert_int_eq(sk_X509_num(s), 3);
        ck_assert_uint_eq(f.n, 0);
        ck_assert_int_eq(check_load_anchors(e, &s, &f), -EINVAL);
        ASSERT_HAS(&f, FINDING_NOT_PEM);
        /* Nothing is added on failure. */
        ck_assert_int_eq(sk_X509_num(s), 3);
}
END_TEST

START_TEST(test_load_anchors_takes_a_whole_ca_bundle) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *s = NULL;
        _cleanup_(freep) char *p = NULL;
        X509 *many[40];

        /* A system CA bundle holds far more than the 16 certificates an upload
         * may: a trust file is not an upload. */
        for (size_t i = 0; i < ELEMENTSOF(many); i++)
                many[i] = i % 2 ? inter : root;
        p = tu_write_pem(dir, "bundle.pem", many, ELEMENTSOF(many), NULL, 0);
        ck_assert_int_eq(check_load_anchors(p, &s, &f), 0);
        ck_assert_int_eq(sk_X509_num(s), 40);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_load_anchors_der_and_unreadable) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *s = NULL;
        _cleanup_(freep) char *p = NULL, *missing = NULL;
        _cleanup_(freep) unsigned char *der = NULL;
        unsigned char *q;
        int n;

        n = i2d_X509(root, NULL);
        ck_assert_int_gt(n, 0);
        der = malloc((size_t) n);
        ck_assert_ptr_nonnull(der);
        q = der;
        ck_assert_int_eq(i2d_X509(root, &q), n);
        p = tu_write_file(dir, "root.der", der, (size_t) n);
        ck_assert_int_eq(check_load_anchors(p, &s, &f), 0);
        ck_assert_int_eq(sk_X509_num(s), 1);
        ck_assert_int_eq(X509_cmp(sk_X509_value(s, 0), root), 0);

        missing = tu_path(dir, "nope.pem");
        ck_assert_int_eq(check_load_anchors(missing, &s, &f), -EINVAL);
        ASSERT_HAS(&f, FINDING_FILE_UNREADABLE);
        ck_assert_int_eq(sk_X509_num(s), 1);
}
END_TEST

START_TEST(test_load_anchors_damaged_block_is_named) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *s = NULL;
        _cleanup_(freep) char *a = tu_cert_pem(root), *b = tu_cert_pem(inter), *text = NULL, *p = NULL,
                              *q = NULL;
        const Finding *x;
        char *line;

        /* Good, damaged, good: the damaged one is named, not "holds no
         * certificate". */
        line = strchr(b, '\n') + 1;
        line[10] = '!'; /* not base64 */
        ck_assert_int_gt(asprintf(&text, "%s%s%s", a, b, a), 0);
        p = tu_write_file(dir, "trust.pem", text, strlen(text));
        ck_assert_int_eq(check_load_anchors(p, &s, &f), -EINVAL);
        ck_assert_ptr_null(s);
        x = fa_first(&f, FINDING_CERT_INVALID);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(strstr(x->message, "Certificate 1 (the 2nd) in"));
        ck_assert_ptr_nonnull(strstr(x->hint, "copy it again"));
        ASSERT_LACKS(&f, FINDING_NOT_PEM);

        /* The near miss: the same file undamaged. */
        findings_clear(&f);
        free(text);
        text = NULL;
        line[10] = 'A';
        free(b);
        b = tu_cert_pem(inter);
        ck_assert_int_gt(asprintf(&text, "%s%s%s", a, b, a), 0);
        q = tu_write_file(dir, "trust2.pem", text, strlen(text));
        ck_assert_int_eq(check_load_anchors(q, &s, &f), 0);
        ck_assert_int_eq(sk_X509_num(s), 3);
        ASSERT_NONE(&f);
}
END_TEST

/* ---- check_load_crls, and CRLs through the pipeline ---------------------------------- */

/* A CRL from inter (signed with k_inter, CRLNumber 7, valid around TU_NOW)
 * listing `revoked`. */
static X509_CRL *inter_crl(X509 *const *revoked, size_t n) {
        X509_CRL *crl = X509_CRL_new();
        ASN1_INTEGER *number = ASN1_INTEGER_new();
        ASN1_TIME *t;

        ck_assert_ptr_nonnull(crl);
        ck_assert_ptr_nonnull(number);
        ck_assert_int_eq(X509_CRL_set_version(crl, X509_CRL_VERSION_2), 1);
        ck_assert_int_eq(X509_CRL_set_issuer_name(crl, X509_get_subject_name(inter)), 1);
        t = ASN1_TIME_set(NULL, TU_NOW - TU_DAY);
        ck_assert_int_eq(X509_CRL_set1_lastUpdate(crl, t), 1);
        ASN1_TIME_free(t);
        t = ASN1_TIME_set(NULL, TU_NOW + 7 * TU_DAY);
        ck_assert_int_eq(X509_CRL_set1_nextUpdate(crl, t), 1);
        for (size_t i = 0; i < n; i++) {
                X509_REVOKED *rev = X509_REVOKED_new();

                ck_assert_ptr_nonnull(rev);
                ck_assert_int_eq(X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(revoked[i])), 1);
                ck_assert_int_eq(X509_REVOKED_set_revocationDate(rev, t), 1);
                ck_assert_int_eq(X509_CRL_add0_revoked(crl, rev), 1);
        }
        ASN1_TIME_free(t);
        ck_assert_int_eq(ASN1_INTEGER_set(number, 7), 1);
        ck_assert_int_eq(X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0), 1);
        ASN1_INTEGER_free(number);
        ck_assert_int_eq(X509_CRL_sort(crl), 1);
        ck_assert_int_gt(X509_CRL_sign(crl, k_inter, EVP_sha256()), 0);
        return crl;
}

/* Writes CRLs as PEM (with `before` in front) to dir/name. */
static char *write_crls_pem(const char *name, const char *before, X509_CRL *const *crls, size_t n) {
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        char *path;

        ck_assert_ptr_nonnull(m);
        fputs(before, m);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(PEM_write_X509_CRL(m, crls[i]), 1);
        ck_assert_int_eq(fclose(m), 0);
        path = tu_write_file(dir, name, text, len);
        free(text);
        return path;
}

START_TEST(test_load_crls_pem_der_and_several) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *s = NULL;
        _cleanup_(X509_CRL_freep) X509_CRL *a = inter_crl(NULL, 0), *b = NULL;
        _cleanup_(X509_freep) X509 *leaf = rem_cert();
        _cleanup_(freep) char *pem = NULL, *der_path = NULL, *mixed = NULL, *cert_pem_text = NULL;
        _cleanup_(freep) unsigned char *der = NULL;
        int der_len;

        b = inter_crl((X509 *[]){leaf}, 1);
        pem = write_crls_pem("two.crl", "", (X509_CRL *[]){a, b}, 2);
        ck_assert_int_eq(check_load_crls(pem, &s, &f), 0);
        ck_assert_int_eq(sk_X509_CRL_num(s), 2);

        /* DER, as a CA's distribution point serves it; repeated --crl add up. */
        der_len = i2d_X509_CRL(b, &der);
        ck_assert_int_gt(der_len, 0);
        der_path = tu_write_file(dir, "one.der", der, (size_t) der_len);
        ck_assert_int_eq(check_load_crls(der_path, &s, &f), 0);
        ck_assert_int_eq(sk_X509_CRL_num(s), 3);

        /* Text and a certificate around the CRL block: the CRL is taken. */
        cert_pem_text = tu_cert_pem(leaf);
        mixed = write_crls_pem("mixed.pem", cert_pem_text, (X509_CRL *[]){a}, 1);
        ck_assert_int_eq(check_load_crls(mixed, &s, &f), 0);
        ck_assert_int_eq(sk_X509_CRL_num(s), 4);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_load_crls_refuses_what_is_not_a_crl) {
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *s = NULL;
        _cleanup_(X509_CRL_freep) X509_CRL *a = inter_crl(NULL, 0);
        _cleanup_(freep) char *good = NULL, *certs = NULL, *empty = NULL, *garbage = NULL,
                              *damaged = NULL, *missing = NULL, *big = NULL, *text = NULL;
        _cleanup_(freep) char *bigdata = NULL;
        size_t len;
        char *p;

        good = write_crls_pem("good.crl", "", (X509_CRL *[]){a}, 1);
        {
                _cleanup_(findings_clear) Findings f = {};
                ck_assert_int_eq(check_load_crls(good, &s, &f), 0);
                ck_assert_int_eq(sk_X509_CRL_num(s), 1);
        }

        /* A certificate file given as a CRL. */
        certs = write_chain("chain.crt", inter);
        {
                _cleanup_(findings_clear) Findings f = {};
                ck_assert_int_eq(check_load_crls(certs, &s, &f), -EINVAL);
                ASSERT_HAS(&f, FINDING_CRL_INVALID);
                ck_assert_str_eq(f.items[0].file, certs);
                ck_assert_ptr_nonnull(strstr(f.items[0].message, "only certificates"));
                ck_assert_ptr_nonnull(strstr(f.items[0].message, "chain.crt"));
        }
        empty = tu_write_file(dir, "empty.crl", "", 0);
        garbage = tu_write_file(dir, "garbage.crl", "\x30\x82\xff\x01\x02\x03 junk", 11);
        for (const char *const *i = (const char *const[]){empty, garbage, NULL}; *i; i++) {
                _cleanup_(findings_clear) Findings f = {};
                ck_assert_int_eq(check_load_crls(*i, &s, &f), -EINVAL);
                ASSERT_HAS(&f, FINDING_CRL_INVALID);
        }

        /* A damaged block after a good one: the file is refused as a whole. */
        damaged = write_crls_pem("damaged.crl", "", (X509_CRL *[]){a, a}, 2);
        text = read_all(damaged, &len);
        p = strstr(text, "-----BEGIN X509 CRL-----");
        ck_assert_ptr_nonnull(p);
        p = strstr(p + 1, "-----BEGIN X509 CRL-----");
        ck_assert_ptr_nonnull(p);
        p[strlen("-----BEGIN X509 CRL-----\n") + 10] = '!'; /* not base64 */
        free(tu_write_file(dir, "damaged.crl", text, len));
        {
                _cleanup_(findings_clear) Findings f = {};
                ck_assert_int_eq(check_load_crls(damaged, &s, &f), -EINVAL);
                ASSERT_HAS(&f, FINDING_CRL_INVALID);
                ck_assert_ptr_nonnull(strstr(f.items[0].message, "CRL 1 of"));
        }

        missing = tu_path(dir, "nosuch.crl");
        {
                _cleanup_(findings_clear) Findings f = {};
                ck_assert_int_eq(check_load_crls(missing, &s, &f), -ENOENT);
                ASSERT_HAS(&f, FINDING_FILE_UNREADABLE);
        }

        bigdata = malloc(CHECK_CRL_MAX_BYTES + 1);
        ck_assert_ptr_nonnull(bigdata);
        memset(bigdata, 'x', CHECK_CRL_MAX_BYTES + 1);
        big = tu_write_file(dir, "big.crl", bigdata, CHECK_CRL_MAX_BYTES + 1);
        {
                _cleanup_(findings_clear) Findings f = {};
                ck_assert_int_eq(check_load_crls(big, &s, &f), -EFBIG);
                ASSERT_HAS(&f, FINDING_CRL_INVALID);
        }

        /* Nothing was added by the failures. */
        ck_assert_int_eq(sk_X509_CRL_num(s), 1);
}
END_TEST

START_TEST(test_pipeline_revoked_certificate) {
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        _cleanup_(X509_freep) X509 *leaf = rem_cert(), *other = rem_cert();
        _cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(freep) char *path = NULL;
        CheckOptions o = options();
        const Finding *x;

        crl = inter_crl((X509 *[]){leaf}, 1);
        path = write_crls_pem("inter.crl", "", (X509_CRL *[]){crl}, 1);
        ck_assert_int_eq(check_load_crls(path, &crls, &f), 0);
        o.crls = crls;

        run_rem(leaf, k_rem, &o, &f);
        ASSERT_HAS(&f, FINDING_CERT_REVOKED);
        x = fa_first(&f, FINDING_CERT_REVOKED);
        ck_assert_int_eq(x->cert, 0);
        ck_assert_ptr_nonnull(strstr(x->file, "rem-cert.crt"));
        ck_assert_ptr_nonnull(strstr(x->subject, "CN=rem.sometelco.com"));

        /* The near miss: another certificate of the same CA, same CRL. */
        run_rem(other, k_rem, &o, &g);
        ASSERT_LACKS(&g, FINDING_CERT_REVOKED);
        ASSERT_NO_ERRORS(&g);

        /* Without --crl, nothing about revocation. */
        o.crls = NULL;
        run_rem(leaf, k_rem, &o, &h);
        ASSERT_LACKS(&h, FINDING_CERT_REVOKED);
        ASSERT_LACKS(&h, FINDING_CRL_INVALID);
}
END_TEST

START_TEST(test_store_revoked_certificate) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(X509_freep) X509 *rem = rem_cert();
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        CheckOptions o = options();

        write_mag_store("DNS:" XCAP_3GPP, "DNS:" BSF_3GPP);
        free(write_chain("rem-cert.crt", rem));
        crls = sk_X509_CRL_new_null();
        ck_assert_ptr_nonnull(crls);
        ck_assert_int_gt(sk_X509_CRL_push(crls, inter_crl((X509 *[]){rem}, 1)), 0);
        o.crls = crls;
        r = run_store(&o);
        ASSERT_HAS(&service(r, "rem")->findings, FINDING_CERT_REVOKED);
        ASSERT_NONE(&service(r, "xcap")->findings);
        ASSERT_NONE(&service(r, "bsf")->findings);
        ck_assert(store_report_has_errors(r));
}
END_TEST

static Suite *check_suite(void) {
        Suite *s = suite_create("check");
        TCase *tc;

        tc = tcase_create("files");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_good_pair_has_no_findings);
        tcase_add_test(tc, test_chain_without_key_file_skips_key_checks);
        tcase_add_test(tc, test_key_inside_chain_file_is_used);
        tcase_add_test(tc, test_der_file_is_not_pem);
        tcase_add_test(tc, test_empty_and_binary_files_are_not_pem);
        tcase_add_test(tc, test_pem_file_is_not_not_pem);
        tcase_add_test(tc, test_file_over_1mib_is_file_too_large);
        tcase_add_test(tc, test_17_certificates_are_file_too_large);
        tcase_add_test(tc, test_crlf_file_is_pem_layout_warning);
        tcase_add_test(tc, test_clean_lf_file_is_not_pem_layout);
        tcase_add_test(tc, test_text_dump_between_blocks_is_pem_layout);
        suite_add_tcase(s, tc);

        tc = tcase_create("keys");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_key_file_without_key_is_key_missing);
        tcase_add_test(tc, test_key_file_with_key_is_not_key_missing);
        tcase_add_test(tc, test_two_keys_are_key_multiple);
        tcase_add_test(tc, test_one_key_is_not_key_multiple);
        tcase_add_test(tc, test_encrypted_key_is_key_encrypted);
        tcase_add_test(tc, test_empty_passphrase_is_still_key_encrypted);
        tcase_add_test(tc, test_traditional_encrypted_key_is_key_encrypted);
        tcase_add_test(tc, test_plain_traditional_key_is_accepted);
        tcase_add_test(tc, test_other_key_is_key_mismatch);
        tcase_add_test(tc, test_key_of_a_later_certificate_is_key_mismatch);
        tcase_add_test(tc, test_matching_key_is_not_key_mismatch);
        tcase_add_test(tc, test_unmatched_key_names_the_server_certificate_not_the_first);
        tcase_add_test(tc, test_key_of_the_ca_is_key_mismatch_and_the_leaf_stays);
        tcase_add_test(tc, test_chain_of_cas_only_has_no_server_certificate);
        tcase_add_test(tc, test_ca_flagged_server_certificate_with_its_key_is_still_the_servers);
        tcase_add_test(tc, test_same_file_as_chain_and_key_is_a_combined_file);
        tcase_add_test(tc, test_self_signed_ca_true_server_certificate_is_still_the_leaf);
        tcase_add_test(tc, test_key_inside_chain_file_beside_key_file_is_key_multiple);
        suite_add_tcase(s, tc);

        tc = tcase_create("pipeline");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_pipeline_reports_expiry_and_order);
        tcase_add_test(tc, test_pipeline_not_yet_valid_is_not_path_invalid);
        tcase_add_test(tc, test_pipeline_not_after_now_is_still_valid);
        tcase_add_test(tc, test_pipeline_bundle_root_trust_and_depth);
        tcase_add_test(tc, test_pipeline_missing_intermediate_and_trust);
        tcase_add_test(tc, test_pipeline_names_from_deployment_and_option);
        tcase_add_test(tc, test_pipeline_ca_flags_and_signature);
        tcase_add_test(tc, test_pipeline_unrelated_certificate);
        tcase_add_test(tc, test_pipeline_path_invalid);
        tcase_add_test(tc, test_pipeline_san_and_subject);
        tcase_add_test(tc, test_pipeline_weak_key_signature_and_usage);
        tcase_add_test(tc, test_pipeline_malformed_extension_is_not_path_invalid);
        suite_add_tcase(s, tc);

        tc = tcase_create("profiles");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_strict_profile_requires_eku);
        tcase_add_test(tc, test_strict_profile_clean_chain_passes);
        tcase_add_test(tc, test_missing_key_identifiers_only_matter_in_strict);
        tcase_add_test(tc, test_innovaphone_profile_key_size);
        suite_add_tcase(s, tc);

        tc = tcase_create("store");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_store_full_mag_passes);
        tcase_add_test(tc, test_store_uses_deployment_names);
        tcase_add_test(tc, test_store_bsf_names_differing_from_xcap_is_bsf_name);
        tcase_add_test(tc, test_store_bsf_names_matching_xcap_is_not_bsf_name);
        tcase_add_test(tc, test_store_xcap_name_rule);
        tcase_add_test(tc, test_store_3gpp_name_for_other_network);
        tcase_add_test(tc, test_store_crt_without_key_is_pair_incomplete);
        tcase_add_test(tc, test_store_key_without_crt_is_pair_incomplete);
        tcase_add_test(tc, test_store_full_pair_is_not_pair_incomplete);
        tcase_add_test(tc, test_store_empty_directory);
        tcase_add_test(tc, test_store_symlinked_crt_is_refused_not_followed);
        tcase_add_test(tc, test_store_symlinked_key_is_refused);
        tcase_add_test(tc, test_store_directory_in_place_of_crt_is_unreadable);
        tcase_add_test(tc, test_store_other_service_pair_is_checked);
        tcase_add_test(tc, test_store_bad_deployment_yaml);
        tcase_add_test(tc, test_store_symlinked_deployment_is_refused);
        tcase_add_test(tc, test_store_names_option_applies_to_every_service);
        tcase_add_test(tc, test_store_missing_directory_is_an_error);
        tcase_add_test(tc, test_store_key_inside_crt_without_key_file_says_move_it);
        tcase_add_test(tc, test_store_misnamed_uploads_are_errors);
        tcase_add_test(tc, test_store_well_named_files_raise_nothing);
        tcase_add_test(tc, test_store_existing_name_hint_says_remove);
        tcase_add_test(tc, test_store_harmless_files_are_no_errors);
        tcase_add_test(tc, test_store_bsf_names_follow_the_xcap_server_certificate);
        tcase_add_test(tc, test_store_leaves_the_openssl_error_queue_empty);
        tcase_add_test(tc, test_load_anchors);
        tcase_add_test(tc, test_load_anchors_takes_a_whole_ca_bundle);
        tcase_add_test(tc, test_load_anchors_der_and_unreadable);
        tcase_add_test(tc, test_load_anchors_damaged_block_is_named);
        tcase_add_test(tc, test_load_crls_pem_der_and_several);
        tcase_add_test(tc, test_load_crls_refuses_what_is_not_a_crl);
        tcase_add_test(tc, test_pipeline_revoked_certificate);
        tcase_add_test(tc, test_store_revoked_certificate);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr;
        int failed;

        k_root = tu_key_ec("P-256");
        k_inter = tu_key_ec("P-256");
        k_rem = tu_key_ec("P-256");
        k_xcap = tu_key_ec("P-256");
        k_bsf = tu_key_ec("P-256");
        k_other = tu_key_ec("P-256");
        k_rsa2048 = tu_key_rsa(2048);
        k_rsa3072 = tu_key_rsa(3072);
        root = tu_cert(
                &(TuCertSpec){.subject = ROOT_SUBJ, .key = k_root, .ca = true, .pathlen = -1});
        inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                      .key = k_inter,
                                      .issuer = root,
                                      .issuer_key = k_root,
                                      .ca = true,
                                      .pathlen = -1});

        sr = srunner_create(check_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        X509_free(inter);
        X509_free(root);
        EVP_PKEY_free(k_root);
        EVP_PKEY_free(k_inter);
        EVP_PKEY_free(k_rem);
        EVP_PKEY_free(k_xcap);
        EVP_PKEY_free(k_bsf);
        EVP_PKEY_free(k_other);
        EVP_PKEY_free(k_rsa2048);
        EVP_PKEY_free(k_rsa3072);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
