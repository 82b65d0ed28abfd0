/* test_loader: reading what CAs send — PEM with its oddities, DER
 * certificates and keys, PKCS#7, PKCS#12 (modern, legacy through the legacy
 * provider, absent and empty passwords, no key, no certificate), plain and
 * encrypted keys of every encoding — and assembling the server certificate,
 * its chain in issuance order whatever the input order, the root from the
 * anchors and the key from the inputs or the CSR key directory. Each error
 * names the file and says what to do. */

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>

#include "findassert.h"
#include "loader.h"
#include "macro.h"
#include "testutil.h"

#define ROOT_SUBJ  "/C=NZ/O=SomeTelco/CN=SomeTelco Root CA"
#define INTER_SUBJ "/C=NZ/O=SomeTelco/CN=SomeTelco Issuing CA"
#define LEAF_SUBJ  "/C=NZ/O=SomeTelco/OU=NOC/CN=rem.sometelco.com"

static EVP_PKEY *k_root, *k_inter, *k_leaf, *k_leaf2, *k_other, *k_rsa;
static X509 *root, *inter, *leaf, *leaf2, *other, *rsa_leaf;
static OSSL_LIB_CTX *legacy_ctx; /* to make legacy files */
static char *dir;

static void setup(void) {
        dir = tu_tmpdir();
}

static void teardown(void) {
        tu_rmdir_r(dir);
        free(dir);
        dir = NULL;
}

/* ---- making inputs ------------------------------------------------------------ */

static char *bio_take(BIO *b, size_t *len) {
        char *data = NULL, *s;
        long n = BIO_get_mem_data(b, &data);

        ck_assert_int_ge(n, 0);
        s = malloc((size_t) n + 1);
        ck_assert_ptr_nonnull(s);
        memcpy(s, data, (size_t) n);
        s[n] = 0;
        if (len)
                *len = (size_t) n;
        BIO_free(b);
        return s;
}

static char *pem_of(X509 *const *certs, size_t n) {
        BIO *b = BIO_new(BIO_s_mem());

        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(PEM_write_bio_X509(b, certs[i]), 1);
        return bio_take(b, NULL);
}

static char *der_of_cert(X509 *x, size_t *len) {
        unsigned char *der = NULL;
        int n = i2d_X509(x, &der);

        ck_assert_int_gt(n, 0);
        *len = (size_t) n;
        return (char *) der; /* OPENSSL_free() is free() here */
}

/* kind: "pkcs8", "traditional" (PKCS#1 / SEC1), "pkcs8-enc" (AES-256-CBC),
 * "traditional-enc" (AES-128-CBC, Proc-Type), "der", "der-enc". */
static char *key_as(EVP_PKEY *k, const char *kind, const char *pass, size_t *len) {
        BIO *b = BIO_new(BIO_s_mem());

        if (streq(kind, "pkcs8"))
                ck_assert_int_eq(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
        else if (streq(kind, "traditional"))
                ck_assert_int_eq(
                        PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL), 1);
        else if (streq(kind, "pkcs8-enc"))
                ck_assert_int_eq(PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), NULL, 0,
                                                               NULL, (void *) pass),
                                 1);
        else if (streq(kind, "traditional-enc"))
                ck_assert_int_eq(PEM_write_bio_PrivateKey_traditional(b, k, EVP_aes_128_cbc(), NULL,
                                                                      0, NULL, (void *) pass),
                                 1);
        else if (streq(kind, "der"))
                ck_assert_int_eq(i2d_PKCS8PrivateKey_bio(b, k, NULL, NULL, 0, NULL, NULL), 1);
        else if (streq(kind, "der-enc"))
                ck_assert_int_eq(i2d_PKCS8PrivateKey_bio(b, k, EVP_aes_256_cbc(), NULL, 0, NULL,
                                                         (void *) pass),
                                 1);
        else
                ck_abort_msg("unknown key kind %s", kind);
        return bio_take(b, len);
}

/* An encrypted PKCS#8 (PEM) with a PKCS#12-style PBE, made in lib. */
static char *key_pkcs8_pbe(EVP_PKEY *k, int pbe_nid, const char *pass, OSSL_LIB_CTX *lib) {
        PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
        X509_SIG *sig;
        BIO *b = BIO_new(BIO_s_mem());

        ck_assert_ptr_nonnull(p8);
        sig = PKCS8_encrypt_ex(pbe_nid, NULL, pass, (int) strlen(pass), NULL, 0, 2048, p8, lib,
                               NULL);
        ck_assert_msg(sig, "PKCS8_encrypt_ex failed");
        ck_assert_int_eq(PEM_write_bio_PKCS8(b, sig), 1);
        X509_SIG_free(sig);
        PKCS8_PRIV_KEY_INFO_free(p8);
        return bio_take(b, NULL);
}

/* A PKCS#12: nid_key/nid_cert 0 for OpenSSL 3's defaults (AES-256-CBC), -1
 * for none; lib NULL for the default library context. */
static char *p12_of(EVP_PKEY *k, X509 *x, X509 *const *ca, size_t n_ca, const char *pass,
                    int nid_key, int nid_cert, OSSL_LIB_CTX *lib, size_t *len) {
        STACK_OF(X509) *sk = sk_X509_new_null();
        unsigned char *der = NULL;
        PKCS12 *p12;
        int n;

        for (size_t i = 0; i < n_ca; i++)
                ck_assert_int_gt(sk_X509_push(sk, ca[i]), 0);
        p12 = PKCS12_create_ex(pass, "rem", k, x, sk, nid_key, nid_cert, 0, 0, 0, lib, NULL);
        ck_assert_msg(p12, "PKCS12_create_ex failed");
        n = i2d_PKCS12(p12, &der);
        ck_assert_int_gt(n, 0);
        PKCS12_free(p12);
        sk_X509_free(sk);
        *len = (size_t) n;
        return (char *) der;
}

static char *p7_of(X509 *const *certs, size_t n, size_t *len) {
        PKCS7 *p7 = PKCS7_new();
        unsigned char *der = NULL;
        int k;

        ck_assert_int_eq(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
        ck_assert_int_eq(PKCS7_content_new(p7, NID_pkcs7_data), 1);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(PKCS7_add_certificate(p7, certs[i]), 1);
        k = i2d_PKCS7(p7, &der);
        ck_assert_int_gt(k, 0);
        PKCS7_free(p7);
        *len = (size_t) k;
        return (char *) der;
}

static char *pem_wrap(const char *label, const void *der, size_t len) {
        BIO *b = BIO_new(BIO_s_mem());

        ck_assert_int_gt(PEM_write_bio(b, label, "", der, (long) len), 0);
        return bio_take(b, NULL);
}

/* ---- reading ---------------------------------------------------------------------- */

static void parse(LoaderSet *s, const char *name, const void *data, size_t len, const char *pass,
                  Findings *f) {
        LoaderOptions o = {.password = pass};

        ck_assert_int_eq(loader_parse(s, name, data, len, &o, f), 0);
}

#define ASSERT_CONTAINS(s, needle)                                                                 \
        ck_assert_msg(strstr((s), (needle)), "'%s' not in '%s'", (needle), (s))

static void assert_message(const Findings *f, FindingCode c, const char *needle) {
        const Finding *x = fa_first(f, c);
        _cleanup_(freep) char *d = fa_describe(f);

        ck_assert_msg(x, "no %s finding; findings: %s", finding_code_to_string(c), d);
        ck_assert_msg(strstr(x->message, needle), "'%s' not in '%s'", needle, x->message);
}

static bool same(X509 *a, X509 *b) {
        return X509_cmp(a, b) == 0;
}

START_TEST(test_pem_chain_in_file_order) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        X509 *certs[] = {leaf, inter, root};
        _cleanup_(freep) char *pem = pem_of(certs, 3);

        parse(s, "chain.pem", pem, strlen(pem), NULL, &f);
        ASSERT_NONE(&f);
        ck_assert_uint_eq(s->n_files, 1);
        ck_assert_int_eq(s->files[0].format, LOADER_FORMAT_PEM);
        ck_assert_uint_eq(s->files[0].pem & LOADER_PEM_NORMALISED, 0);
        ck_assert_uint_eq(s->n_certs, 3);
        for (int i = 0; i < 3; i++) {
                ck_assert(same(s->certs[i].x509, certs[i]));
                ck_assert_int_eq(s->certs[i].index, i);
                ck_assert_int_eq(s->certs[i].bag, -1);
        }
}
END_TEST

/* CR LF, a BOM, text before, between and after, markers sharing lines (and
 * a hyphen run), "X509 CERTIFICATE", four hyphens, base64 on one line. */
START_TEST(test_pem_oddities) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *a = pem_of(&leaf, 1), *b = pem_of(&inter, 1), *c = pem_of(&root, 1);
        _cleanup_(freep) char *odd = NULL, *crlf = NULL;
        char *p, *q;
        size_t n = 0;

        /* b: markers of four hyphens, base64 on one line. */
        p = strstr(b, "-----BEGIN CERTIFICATE-----\n");
        ck_assert_ptr_nonnull(p);
        {
                char *body = p + strlen("-----BEGIN CERTIFICATE-----\n"),
                     *end = strstr(body, "-----END");
                char *one = calloc(1, strlen(b) + 64);
                size_t k = 0;

                k += (size_t) sprintf(one, "----BEGIN X509 CERTIFICATE----\n");
                for (char *x = body; x < end; x++)
                        if (*x != '\n')
                                one[k++] = *x;
                k += (size_t) sprintf(one + k, "\n----END X509 CERTIFICATE----\n");
                free(b);
                b = one;
        }
        /* a and b on one line with a shared hyphen run; text around. */
        q = strstr(a, "-----END CERTIFICATE-----\n");
        ck_assert_ptr_nonnull(q);
        q[strlen("-----END CERTIFICATE-----")] = 0;
        ck_assert_int_gt(asprintf(&odd,
                                  "\xef\xbb\xbfHere is your certificate:\n%s-----%s\nand the root: "
                                  "%s-- end --\n",
                                  a, b + 4, c),
                         0);
        /* The whole thing with CR LF. */
        crlf = calloc(2, strlen(odd) + 1);
        for (char *x = odd; *x; x++) {
                if (*x == '\n')
                        crlf[n++] = '\r';
                crlf[n++] = *x;
        }

        parse(s, "odd.pem", crlf, n, NULL, &f);
        ASSERT_NONE(&f);
        ck_assert_uint_eq(s->n_certs, 3);
        ck_assert(same(s->certs[0].x509, leaf));
        ck_assert(same(s->certs[1].x509, inter));
        ck_assert(same(s->certs[2].x509, root));
        ck_assert_uint_ne(s->files[0].pem & LOADER_PEM_NORMALISED, 0);
}
END_TEST

START_TEST(test_der_certificate_and_keys) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        size_t n1, n2, n3;
        _cleanup_(freep) char *der = der_of_cert(leaf, &n1), *kd = key_as(k_leaf, "der", NULL, &n2),
                              *kr = NULL;
        unsigned char *p1 = NULL;

        /* PKCS#1 RSA in DER */
        n3 = (size_t) i2d_PrivateKey(k_rsa, &p1);
        kr = (char *) p1;

        parse(s, "leaf.der", der, n1, NULL, &f);
        parse(s, "key.der", kd, n2, NULL, &f);
        parse(s, "rsa.der", kr, n3, NULL, &f);
        ASSERT_NONE(&f);
        ck_assert_int_eq(s->files[0].format, LOADER_FORMAT_DER_CERT);
        ck_assert_int_eq(s->files[1].format, LOADER_FORMAT_DER_KEY);
        ck_assert_int_eq(s->files[2].format, LOADER_FORMAT_DER_KEY);
        ck_assert_uint_eq(s->n_certs, 1);
        ck_assert_uint_eq(s->n_keys, 2);
        ck_assert_int_eq(EVP_PKEY_eq(s->keys[0].pkey, k_leaf), 1);
        ck_assert_int_eq(EVP_PKEY_eq(s->keys[1].pkey, k_rsa), 1);
        ck_assert(!s->keys[0].encrypted);
}
END_TEST

START_TEST(test_pem_keys_every_encoding) {
        static const char *const kinds[] = {"pkcs8", "traditional"};

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                EVP_PKEY *keys[] = {k_leaf, k_rsa}; /* SEC1 and PKCS#1 as "traditional" */
                for (size_t j = 0; j < 2; j++) {
                        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                        _cleanup_(findings_clear) Findings f = {};
                        _cleanup_(freep) char *pem = key_as(keys[j], kinds[i], NULL, NULL);

                        parse(s, "key.pem", pem, strlen(pem), NULL, &f);
                        ASSERT_NONE(&f);
                        ck_assert_uint_eq(s->n_keys, 1);
                        ck_assert_int_eq(EVP_PKEY_eq(s->keys[0].pkey, keys[j]), 1);
                }
        }
}
END_TEST

START_TEST(test_encrypted_keys_with_password) {
        static const char *const kinds[] = {"pkcs8-enc", "traditional-enc", "der-enc"};

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(findings_clear) Findings f = {};
                size_t len;
                _cleanup_(freep) char *data = key_as(k_leaf, kinds[i], "s3cret", &len);

                parse(s, "key.enc", data, len, "s3cret", &f);
                ASSERT_NONE(&f);
                ck_assert_uint_eq(s->n_keys, 1);
                ck_assert(s->keys[0].encrypted);
                ck_assert_uint_eq(s->files[0].n_encrypted_keys, 1);
                ck_assert_int_eq(EVP_PKEY_eq(s->keys[0].pkey, k_leaf), 1);
                ck_assert(!s->files[0].legacy);
        }
}
END_TEST

START_TEST(test_encrypted_keys_wrong_or_no_password) {
        static const char *const kinds[] = {"pkcs8-enc", "traditional-enc", "der-enc"};

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                size_t len;
                _cleanup_(freep) char *data = key_as(k_rsa, kinds[i], "s3cret", &len);
                {
                        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                        _cleanup_(findings_clear) Findings f = {};

                        parse(s, "key.enc", data, len, "wrong", &f);
                        assert_message(&f, FINDING_PASSWORD, "wrong password for key.enc");
                        assert_message(&f, FINDING_PASSWORD, "--password-file");
                        ck_assert_uint_eq(s->n_keys, 0);
                        ck_assert(s->files[0].failed);
                }
                {
                        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                        _cleanup_(findings_clear) Findings f = {};

                        parse(s, "key.enc", data, len, NULL, &f);
                        assert_message(&f, FINDING_PASSWORD, "is encrypted: give its password");
                        ck_assert_uint_eq(s->n_keys, 0);
                }
        }
}
END_TEST

/* PBE-SHA1-RC2-40 lives in the legacy provider: read through it. */
START_TEST(test_encrypted_pkcs8_legacy) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *pem =
                key_pkcs8_pbe(k_leaf, NID_pbe_WithSHA1And40BitRC2_CBC, "pw", legacy_ctx);

        parse(s, "rc2.key", pem, strlen(pem), "pw", &f);
        ASSERT_NONE(&f);
        ck_assert_uint_eq(s->n_keys, 1);
        ck_assert(s->files[0].legacy);
        ck_assert_int_eq(EVP_PKEY_eq(s->keys[0].pkey, k_leaf), 1);
}
END_TEST

START_TEST(test_pkcs7_der_and_pem) {
        X509 *certs[] = {root, leaf, inter};
        size_t len;
        _cleanup_(freep) char *der = p7_of(certs, 3, &len), *pem = pem_wrap("PKCS7", der, len);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};

        parse(s, "chain.p7b", der, len, NULL, &f);
        parse(s, "chain.p7c", pem, strlen(pem), NULL, &f);
        ASSERT_NONE(&f);
        ck_assert_int_eq(s->files[0].format, LOADER_FORMAT_PKCS7);
        ck_assert_int_eq(s->files[1].format, LOADER_FORMAT_PEM);
        ck_assert_uint_ne(s->files[1].pem & LOADER_PEM_PKCS7, 0);
        ck_assert_uint_eq(s->n_certs, 6);
        ck_assert_uint_eq(s->files[0].n_certs, 3);
        ck_assert_uint_eq(s->files[1].n_certs, 3);
}
END_TEST

START_TEST(test_pkcs7_without_certificates) {
        size_t len;
        _cleanup_(freep) char *der = p7_of(NULL, 0, &len);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};

        parse(s, "empty.p7b", der, len, NULL, &f);
        assert_message(&f, FINDING_INPUT_FORMAT, "empty.p7b is a PKCS#7 file");
        assert_message(&f, FINDING_INPUT_FORMAT, "without certificates");
        ck_assert_str_eq(fa_first(&f, FINDING_INPUT_FORMAT)->file, "empty.p7b");
}
END_TEST

START_TEST(test_pkcs12_modern) {
        X509 *ca[] = {root, inter};
        size_t len;
        _cleanup_(freep) char *der = p12_of(k_leaf, leaf, ca, 2, "pfx-pw", 0, 0, NULL, &len);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *desc = NULL;

        parse(s, "rem.pfx", der, len, "pfx-pw", &f);
        ASSERT_NONE(&f);
        ck_assert_int_eq(s->files[0].format, LOADER_FORMAT_PKCS12);
        ck_assert_int_eq(s->files[0].password, LOADER_PASSWORD_GIVEN);
        ck_assert(!s->files[0].legacy);
        ck_assert_uint_eq(s->n_certs, 3);
        ck_assert_uint_eq(s->n_keys, 1);
        ck_assert(s->keys[0].encrypted);
        for (size_t i = 0; i < s->n_certs; i++)
                ck_assert_int_ge(s->certs[i].bag, 0);
        ck_assert_int_ge(s->keys[0].bag, 0);
        ck_assert_int_eq(EVP_PKEY_eq(s->keys[0].pkey, k_leaf), 1);
        desc = loader_describe_file(s, 0);
        ASSERT_CONTAINS(desc, "PKCS#12 (the password from --password-file): 3 certificates (bags ");
        ASSERT_CONTAINS(desc, "1 private key (bag ");
}
END_TEST

START_TEST(test_pkcs12_wrong_password) {
        size_t len;
        _cleanup_(freep) char *der = p12_of(k_leaf, leaf, NULL, 0, "pfx-pw", 0, 0, NULL, &len);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        parse(s, "rem.pfx", der, len, "nope", &f);
        x = fa_first(&f, FINDING_PASSWORD);
        ck_assert_ptr_nonnull(x);
        ck_assert_str_eq(x->message,
                         "wrong password for rem.pfx (the PKCS#12 MAC does not verify): "
                         "give the right one with --password-file");
        ck_assert_ptr_null(strstr(x->message, "MAC verify error"));
        ck_assert_uint_eq(s->n_certs + s->n_keys, 0);
        /* What import prints for the file says the password was wrong,
         * not "not protected". */
        ck_assert_int_eq(s->files[0].password, LOADER_PASSWORD_WRONG);
        {
                _cleanup_(freep) char *d = loader_describe_file(s, 0);
                ASSERT_CONTAINS(d, "PKCS#12 (not opened: the password from --password-file is "
                                   "wrong): 0 certificates");
                ck_assert_ptr_null(strstr(d, "not protected"));
        }

        /* No password given: "needs a password". */
        findings_clear(&f);
        parse(s, "rem2.pfx", der, len, NULL, &f);
        assert_message(&f, FINDING_PASSWORD, "rem2.pfx needs a password");
        ck_assert_int_eq(s->files[1].password, LOADER_PASSWORD_NEEDED);
        {
                _cleanup_(freep) char *d = loader_describe_file(s, 1);
                ASSERT_CONTAINS(d, "PKCS#12 (not opened: it needs a password");
        }
}
END_TEST

/* Without --password-file: no password, then the empty one. */
START_TEST(test_pkcs12_absent_and_empty_password) {
        size_t l1, l2;
        _cleanup_(freep) char *empty = p12_of(k_leaf, leaf, NULL, 0, "", 0, 0, NULL, &l1),
                              *none = p12_of(k_leaf, leaf, NULL, 0, NULL, -1, -1, NULL, &l2);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};

        parse(s, "empty.pfx", empty, l1, NULL, &f);
        parse(s, "none.pfx", none, l2, NULL, &f);
        ASSERT_NONE(&f);
        ck_assert_int_eq(s->files[0].password, LOADER_PASSWORD_EMPTY);
        ck_assert_int_eq(s->files[1].password, LOADER_PASSWORD_ABSENT);
        ck_assert_uint_eq(s->n_certs, 2);
        ck_assert_uint_eq(s->n_keys, 2);
        /* A given password that is wrong still lets the empty one open it. */
        findings_clear(&f);
        parse(s, "empty2.pfx", empty, l1, "something", &f);
        ASSERT_NONE(&f);
        ck_assert_int_eq(s->files[2].password, LOADER_PASSWORD_EMPTY);
}
END_TEST

START_TEST(test_pkcs12_legacy) {
        X509 *ca[] = {inter, root};
        size_t len;
        _cleanup_(freep) char *der =
                p12_of(k_leaf, leaf, ca, 2, "pw", NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                       NID_pbe_WithSHA1And40BitRC2_CBC, legacy_ctx, &len);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *desc = NULL;

        parse(s, "legacy.pfx", der, len, "pw", &f);
        ASSERT_NONE(&f);
        ck_assert(s->files[0].legacy);
        ck_assert_uint_eq(s->n_certs, 3);
        ck_assert_uint_eq(s->n_keys, 1);
        desc = loader_describe_file(s, 0);
        ASSERT_CONTAINS(desc, "legacy encryption, through OpenSSL's legacy provider");
}
END_TEST

/* The legacy provider cannot be loaded: ALGORITHM_UNAVAILABLE, not "wrong password". */
START_TEST(test_pkcs12_legacy_unavailable) {
        size_t len;
        _cleanup_(freep) char *der =
                p12_of(k_leaf, leaf, NULL, 0, "pw", NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                       NID_pbe_WithSHA1And40BitRC2_CBC, legacy_ctx, &len);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        char *old = getenv("OPENSSL_MODULES") ? strdup(getenv("OPENSSL_MODULES")) : NULL;

        ck_assert_int_eq(setenv("OPENSSL_MODULES", "/nonexistent-certconf-test", 1), 0);
        parse(s, "legacy.pfx", der, len, "pw", &f);
        if (old) {
                setenv("OPENSSL_MODULES", old, 1);
                free(old);
        } else
                unsetenv("OPENSSL_MODULES");
        assert_message(&f, FINDING_ALGORITHM_UNAVAILABLE, "legacy provider cannot be loaded");
        assert_message(&f, FINDING_ALGORITHM_UNAVAILABLE, "legacy.pfx");
        ASSERT_LACKS(&f, FINDING_PASSWORD);
}
END_TEST

START_TEST(test_pkcs12_no_key_and_no_cert) {
        size_t l1, l2;
        _cleanup_(freep) char *certs_only = p12_of(NULL, NULL, &leaf, 1, "pw", 0, 0, NULL, &l1),
                              *key_only = p12_of(k_leaf, NULL, NULL, 0, "pw", 0, 0, NULL, &l2);
        LoaderAssembleOptions ao = {};

        {
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(findings_clear) Findings f = {};
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;

                parse(s, "certs.pfx", certs_only, l1, "pw", &f);
                ASSERT_NONE(&f);
                ck_assert_int_eq(loader_assemble(s, &ao, &res, &f), 0);
                assert_message(&f, FINDING_KEY_MISSING,
                               "certs.pfx is a PKCS#12 file without a private key");
                ck_assert_str_eq(fa_first(&f, FINDING_KEY_MISSING)->file, "certs.pfx");
                ck_assert_ptr_null(res->key);
        }
        {
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(findings_clear) Findings f = {};
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;

                parse(s, "key.pfx", key_only, l2, "pw", &f);
                ASSERT_NONE(&f);
                ck_assert_int_eq(loader_assemble(s, &ao, &res, &f), -EINVAL);
                assert_message(&f, FINDING_CERT_MISSING,
                               "key.pfx is a PKCS#12 file without a certificate");
                ck_assert_ptr_null(res);
        }
}
END_TEST

START_TEST(test_not_usable_inputs) {
        static const struct {
                const char *name, *data, *needle;
        } cases[] = {
                {"empty.crt", " \n\n", "empty.crt is empty"},
                {"notes.txt", "Dear customer,\nyour certificate is attached.\n",
                 "notes.txt is text without any -----BEGIN"},
                {"blob.bin", "\x01\x02\x03\xff\x00\x10", "blob.bin is a binary file"},
                {"req.pem",
                 "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n",
                 "req.pem holds no certificate and no private key"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(findings_clear) Findings f = {};
                size_t len = streq(cases[i].name, "blob.bin") ? 6 : strlen(cases[i].data);

                parse(s, cases[i].name, cases[i].data, len, NULL, &f);
                assert_message(&f, FINDING_INPUT_FORMAT, cases[i].needle);
                ck_assert(s->files[0].failed);
        }
}
END_TEST

START_TEST(test_damaged_blocks) {
        _cleanup_(freep) char *pem = pem_of(&leaf, 1), *trunc = NULL;
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        char *mid;

        /* A character flipped in the base64: still base64, no longer a certificate. */
        mid = pem + strlen("-----BEGIN CERTIFICATE-----\n") + 10;
        *mid = *mid == 'A' ? 'B' : 'A';
        mid[1] = '!';
        parse(s, "bad.pem", pem, strlen(pem), NULL, &f);
        assert_message(&f, FINDING_CERT_INVALID, "certificate block 0 of bad.pem is damaged");

        /* No END marker. */
        findings_clear(&f);
        trunc = pem_of(&leaf, 1);
        trunc[strlen(trunc) / 2] = 0;
        parse(s, "cut.pem", trunc, strlen(trunc), NULL, &f);
        assert_message(&f, FINDING_CERT_INVALID, "has no END marker");
}
END_TEST

START_TEST(test_size_limits) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *big = calloc(1, LOADER_MAX_BYTES + 2), *path = NULL, *many = NULL,
                              *one = pem_of(&root, 1);
        size_t n = strlen(one);

        memset(big, 'A', LOADER_MAX_BYTES + 1);
        path = tu_write_file(dir, "huge.crt", big, LOADER_MAX_BYTES + 1);
        ck_assert_int_eq(loader_load(s, path, NULL, &f), 0);
        assert_message(&f, FINDING_FILE_TOO_LARGE, "huge.crt is larger than 1 MiB");
        ck_assert_int_eq(s->files[0].format, LOADER_FORMAT_UNREADABLE);

        findings_clear(&f);
        many = malloc(n * (LOADER_MAX_CERTS + 1) + 1);
        for (int i = 0; i <= LOADER_MAX_CERTS; i++)
                memcpy(many + (size_t) i * n, one, n);
        many[n * (LOADER_MAX_CERTS + 1)] = 0;
        parse(s, "bundle.crt", many, strlen(many), NULL, &f);
        assert_message(&f, FINDING_FILE_TOO_LARGE,
                       "bundle.crt brings the inputs to more than 64 certificates");
        ck_assert_uint_eq(s->n_certs, LOADER_MAX_CERTS);
}
END_TEST

START_TEST(test_unreadable_file) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *path = tu_path(dir, "missing.pfx");

        ck_assert_int_eq(loader_load(s, path, NULL, &f), 0);
        assert_message(&f, FINDING_FILE_UNREADABLE, "missing.pfx does not exist");
        ck_assert_int_eq(s->files[0].format, LOADER_FORMAT_UNREADABLE);
}
END_TEST

START_TEST(test_error_queue_left_alone) {
        size_t len;
        _cleanup_(freep) char *der = p12_of(k_leaf, leaf, NULL, 0, "pfx-pw", 0, 0, NULL, &len);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        unsigned long before;

        ERR_clear_error();
        ERR_raise(ERR_LIB_USER, 42);
        before = ERR_peek_last_error();
        parse(s, "rem.pfx", der, len, "nope", &f);
        ck_assert_uint_eq(ERR_peek_last_error(), before);
        ck_assert_uint_eq(ERR_peek_error(), before);
        ERR_clear_error();
}
END_TEST

START_TEST(test_password_file) {
        _cleanup_(freep) char *p1 = tu_write_file(dir, "pw1", "s3cret\r\nsecond line\n", 21),
                              *p2 = tu_write_file(dir, "pw2", "\nx\n", 3),
                              *p3 = tu_write_file(dir, "pw3", "nonl", 4);
        char *pw = NULL;

        ck_assert_int_eq(loader_read_password_file(p1, &pw), 0);
        ck_assert_str_eq(pw, "s3cret");
        free(pw);
        ck_assert_int_eq(loader_read_password_file(p2, &pw), 0);
        ck_assert_str_eq(pw, "");
        free(pw);
        ck_assert_int_eq(loader_read_password_file(p3, &pw), 0);
        ck_assert_str_eq(pw, "nonl");
        free(pw);
        ck_assert_int_eq(loader_read_password_file("/nonexistent/pw", &pw), -ENOENT);
        ck_assert_ptr_nonnull(strstr(loader_password_file_error(-ENOENT), "does not exist"));
}
END_TEST

/* A pipe (--password-file <(...)), a FIFO and a character device are read
 * (a bounded first line); a socket or a directory is refused with advice. */
START_TEST(test_password_file_pipe_and_devices) {
        _cleanup_(freep) char *fifo = tu_path(dir, "fifo"), *sock = tu_path(dir, "sock");
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char *pw = NULL, path[64];
        int fds[2], sfd;
        pid_t pid;

        /* An anonymous pipe, as bash's <(echo pw) gives one: /dev/fd/N. */
        ck_assert_int_eq(pipe(fds), 0);
        ck_assert_int_eq(write(fds[1], "from a pipe\nrest\n", 17), 17);
        ck_assert_int_eq(close(fds[1]), 0);
        snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
        ck_assert_int_eq(loader_read_password_file(path, &pw), 0);
        ck_assert_str_eq(pw, "from a pipe");
        free(pw);
        close(fds[0]);

        /* A named FIFO whose writer comes later. */
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int w = open(fifo, O_WRONLY);
                _exit(w >= 0 && write(w, "fifo pw\n", 8) == 8 ? 0 : 1);
        }
        ck_assert_int_eq(loader_read_password_file(fifo, &pw), 0);
        ck_assert_str_eq(pw, "fifo pw");
        free(pw);
        {
                int st = 0;
                ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        }

        /* Character devices: one that ends at once, one that never ends. */
        ck_assert_int_eq(loader_read_password_file("/dev/null", &pw), 0);
        ck_assert_str_eq(pw, "");
        free(pw);
        ck_assert_int_eq(loader_read_password_file("/dev/zero", &pw), -EFBIG);

        /* A socket and a directory: refused, with what to give instead. */
        sfd = socket(AF_UNIX, SOCK_STREAM, 0);
        ck_assert_int_ge(sfd, 0);
        ck_assert_uint_lt(strlen(sock), sizeof sa.sun_path);
        strcpy(sa.sun_path, sock);
        ck_assert_int_eq(bind(sfd, (struct sockaddr *) &sa, sizeof sa), 0);
        ck_assert_int_eq(loader_read_password_file(sock, &pw), -EBADFD);
        close(sfd);
        ASSERT_CONTAINS(loader_password_file_error(-EBADFD), "a pipe (--password-file <(command))");
        ck_assert_int_eq(loader_read_password_file(dir, &pw), -EISDIR);
        ASSERT_CONTAINS(loader_password_file_error(-EISDIR), "give a file");
}
END_TEST

/* A NUL never silently shortens a password; a BOM is not part of it; a
 * line longer than the limit is refused. */
START_TEST(test_password_file_nul_bom_long) {
        _cleanup_(freep) char *nul = tu_write_file(dir, "nul", "pass\0word\n", 10),
                              *bom = tu_write_file(dir, "bom", "\xef\xbb\xbfs3cret\r\n", 11),
                              *utf16 = tu_write_file(dir, "utf16", "\xff\xfep\0w\0\n\0", 8),
                              *lng = NULL, *just = NULL, *big = malloc(LOADER_PASSWORD_MAX + 2);
        char *pw = NULL;

        ck_assert_int_eq(loader_read_password_file(nul, &pw), -EILSEQ);
        ck_assert_int_eq(loader_read_password_file(utf16, &pw), -EILSEQ);
        ASSERT_CONTAINS(loader_password_file_error(-EILSEQ), "NUL byte");
        ck_assert_int_eq(loader_read_password_file(bom, &pw), 0);
        ck_assert_str_eq(pw, "s3cret");
        free(pw);

        memset(big, 'x', LOADER_PASSWORD_MAX + 1);
        big[LOADER_PASSWORD_MAX + 1] = '\n';
        lng = tu_write_file(dir, "long", big, LOADER_PASSWORD_MAX + 2);
        ck_assert_int_eq(loader_read_password_file(lng, &pw), -EFBIG);
        big[LOADER_PASSWORD_MAX] = '\n';
        just = tu_write_file(dir, "just", big, LOADER_PASSWORD_MAX + 1);
        ck_assert_int_eq(loader_read_password_file(just, &pw), 0);
        ck_assert_uint_eq(strlen(pw), LOADER_PASSWORD_MAX);
        free(pw);
}
END_TEST

START_TEST(test_enums) {
        for (int i = 0; i < _LOADER_FORMAT_MAX; i++)
                ck_assert_int_eq(loader_format_from_string(loader_format_to_string(i)), i);
        for (int i = 0; i < _LOADER_PASSWORD_MAX; i++)
                ck_assert_int_eq(loader_password_from_string(loader_password_to_string(i)), i);
        ck_assert_int_eq(loader_format_from_string("nope"), -EINVAL);
        ck_assert_ptr_null(loader_format_to_string(_LOADER_FORMAT_MAX));
}
END_TEST

/* ---- damaged binaries, iteration and key limits, the error queue ----------------------- */

/* A DER file cut short says so (and what it was), not "unknown format". */
START_TEST(test_truncated_der) {
        size_t l1, l2;
        _cleanup_(freep) char *p12 = p12_of(k_leaf, leaf, NULL, 0, "pw", 0, 0, NULL, &l1),
                              *der = der_of_cert(leaf, &l2);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};

        parse(s, "cut.pfx", p12, l1 / 2, "pw", &f);
        assert_message(&f, FINDING_INPUT_FORMAT, "cut.pfx is truncated or damaged");
        assert_message(&f, FINDING_INPUT_FORMAT, "a PKCS#12 file");
        assert_message(&f, FINDING_INPUT_FORMAT, "get the file again");
        findings_clear(&f);
        parse(s, "cut.der", der, l2 - 10, NULL, &f);
        assert_message(&f, FINDING_INPUT_FORMAT, "cut.der is truncated or damaged");
        ck_assert_int_eq(s->files[1].format, LOADER_FORMAT_UNKNOWN);
        /* Whole: read. */
        findings_clear(&f);
        parse(s, "whole.der", der, l2, NULL, &f);
        ASSERT_NONE(&f);
}
END_TEST

/* PKCS#12 with the MAC's iteration count raised (the MAC no longer
 * matches, but it is never computed). */
static char *p12_with_mac_iter(long iter, size_t *len) {
        size_t n;
        _cleanup_(freep) char *der = p12_of(k_leaf, leaf, NULL, 0, "pw", 0, 0, NULL, &n);
        const unsigned char *q = (const unsigned char *) der;
        PKCS12 *p12 = d2i_PKCS12(NULL, &q, (long) n);
        const ASN1_INTEGER *it = NULL;
        unsigned char *out = NULL;
        int k;

        ck_assert_ptr_nonnull(p12);
        PKCS12_get0_mac(NULL, NULL, NULL, &it, p12);
        ck_assert_ptr_nonnull(it);
        ck_assert_int_eq(ASN1_INTEGER_set((ASN1_INTEGER *) it, iter), 1);
        k = i2d_PKCS12(p12, &out);
        ck_assert_int_gt(k, 0);
        PKCS12_free(p12);
        *len = (size_t) k;
        return (char *) out;
}

/* An encrypted PKCS#8 (DER) whose PBKDF2 asks for iter iterations; its
 * contents are garbage, never decrypted. */
static char *pkcs8_with_iter(int iter, size_t *len) {
        X509_ALGOR *alg = PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), iter, NULL, 0, NULL,
                                               NID_hmacWithSHA256, NULL);
        X509_SIG *sig = X509_SIG_new();
        X509_ALGOR *a = NULL;
        ASN1_OCTET_STRING *d = NULL;
        unsigned char *out = NULL;
        int k;

        ck_assert_ptr_nonnull(alg);
        ck_assert_ptr_nonnull(sig);
        X509_SIG_getm(sig, &a, &d);
        ck_assert_int_eq(X509_ALGOR_copy(a, alg), 1);
        ck_assert_int_eq(ASN1_OCTET_STRING_set(d, (const unsigned char *) "0123456789abcdef", 16),
                         1);
        k = i2d_X509_SIG(sig, &out);
        ck_assert_int_gt(k, 0);
        X509_SIG_free(sig);
        X509_ALGOR_free(alg);
        *len = (size_t) k;
        return (char *) out;
}

START_TEST(test_iteration_limit) {
        size_t l1, l2, l3;
        _cleanup_(freep) char *mac = p12_with_mac_iter(20000000, &l1),
                              *key = pkcs8_with_iter(20000000, &l2),
                              *ok = pkcs8_with_iter(2048, &l3);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        time_t t0 = time(NULL);

        parse(s, "slow.pfx", mac, l1, "pw", &f);
        assert_message(&f, FINDING_INPUT_FORMAT,
                       "the MAC of slow.pfx asks for 20000000 iterations");
        assert_message(&f, FINDING_INPUT_FORMAT, "more than certconf runs (10000000)");
        ASSERT_LACKS(&f, FINDING_PASSWORD);
        findings_clear(&f);
        parse(s, "slow.p8", key, l2, "pw", &f);
        assert_message(&f, FINDING_INPUT_FORMAT, "slow.p8 asks for 20000000 iterations");
        ASSERT_LACKS(&f, FINDING_PASSWORD);
        /* Refused without computing anything (20 million iterations take seconds). */
        ck_assert_int_le(time(NULL) - t0, 3);
        /* Within the limit: decrypted (and the garbage found to be garbage). */
        findings_clear(&f);
        parse(s, "ok.p8", ok, l3, "pw", &f);
        ASSERT_HAS(&f, FINDING_PASSWORD);
        ASSERT_LACKS(&f, FINDING_INPUT_FORMAT);
}
END_TEST

/* Past LOADER_MAX_KEYS no key bag is decrypted: the 18th, encrypted with
 * another password, would be a PASSWORD error if it were. */
START_TEST(test_pkcs12_key_limit_stops_decrypting) {
        STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
        STACK_OF(PKCS7) *safes = NULL;
        EVP_PKEY *keys[LOADER_MAX_KEYS + 2];
        PKCS12 *p12;
        unsigned char *der = NULL;
        int n;
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                keys[i] = tu_key_ec("P-256");
                ck_assert_ptr_nonnull(PKCS12_add_key_ex(
                        &bags, keys[i], 0, 2048, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                        i + 1 < ELEMENTSOF(keys) ? "pw" : "other", legacy_ctx, NULL));
        }
        ck_assert_int_eq(PKCS12_add_safe_ex(&safes, bags, -1, 0, "pw", NULL, NULL), 1);
        p12 = PKCS12_add_safes_ex(safes, 0, NULL, NULL);
        ck_assert_ptr_nonnull(p12);
        ck_assert_int_eq(PKCS12_set_mac(p12, "pw", -1, NULL, 0, 2048, NULL), 1);
        n = i2d_PKCS12(p12, &der);
        ck_assert_int_gt(n, 0);

        parse(s, "many.p12", der, (size_t) n, "pw", &f);
        assert_message(&f, FINDING_FILE_TOO_LARGE, "more than 16 private keys");
        ASSERT_LACKS(&f, FINDING_PASSWORD);
        ck_assert_uint_eq(s->n_keys, LOADER_MAX_KEYS);

        OPENSSL_free(der);
        PKCS12_free(p12);
        sk_PKCS7_pop_free(safes, PKCS7_free);
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                EVP_PKEY_free(keys[i]);
}
END_TEST

/* An error the caller left on the queue is not taken for the loader's: a
 * wrong password (PKCS12_verify_mac() fails without an error) stays a
 * wrong password, not "an algorithm OpenSSL cannot compute". */
START_TEST(test_older_errors_not_classified) {
        size_t len;
        _cleanup_(freep) char *der = p12_of(k_leaf, leaf, NULL, 0, "pfx-pw", 0, 0, NULL, &len),
                              *key = key_as(k_leaf, "traditional-enc", "s3cret", NULL);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};

        ERR_clear_error();
        ERR_raise(ERR_LIB_EVP, ERR_R_UNSUPPORTED);
        parse(s, "rem.pfx", der, len, "nope", &f);
        parse(s, "key.pem", key, strlen(key), "nope", &f);
        ERR_clear_error();
        ck_assert_uint_eq(fa_count(&f, FINDING_PASSWORD), 2);
        ASSERT_CONTAINS(f.items[0].message, "wrong password for rem.pfx");
        ASSERT_CONTAINS(f.items[1].message, "wrong password for key.pem");
        ASSERT_LACKS(&f, FINDING_ALGORITHM_UNAVAILABLE);
}
END_TEST

/* A DEK-Info header without "CIPHER,IV" is a damaged key, not a wrong password. */
START_TEST(test_dek_info_malformed) {
        _cleanup_(freep) char *key = key_as(k_leaf, "traditional-enc", "s3cret", NULL);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        char *comma = strstr(key, "DEK-Info: AES-128-CBC,");

        ck_assert_ptr_nonnull(comma);
        comma[strlen("DEK-Info: AES-128-CBC")] = ' ';
        parse(s, "key.pem", key, strlen(key), "s3cret", &f);
        assert_message(&f, FINDING_KEY_INVALID, "has no DEK-Info header naming the cipher and IV");
        ASSERT_LACKS(&f, FINDING_PASSWORD);
}
END_TEST

/* ---- assembling ---------------------------------------------------------------------- */

static LoaderResult *assemble(LoaderSet *s, const LoaderAssembleOptions *o, Findings *f) {
        LoaderResult *res = NULL;

        ck_assert_int_eq(loader_assemble(s, o, &res, f), 0);
        ck_assert_ptr_nonnull(res);
        return res;
}

static void assert_chain(const LoaderResult *res, X509 *const *want, int n) {
        ck_assert_int_eq(sk_X509_num(res->chain), n);
        for (int i = 0; i < n; i++)
                ck_assert_msg(same(sk_X509_value(res->chain, i), want[i]),
                              "chain element %d differs", i);
}

/* Every order of leaf, intermediate and root, in one file or in three. */
START_TEST(test_chain_every_order) {
        static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                        {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        X509 *trio[] = {leaf, inter, root};

        for (int p = 0; p < 6; p++)
                for (int split = 0; split < 2; split++) {
                        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                        _cleanup_(findings_clear) Findings f = {};
                        _cleanup_(freep) char *key = key_as(k_leaf, "pkcs8", NULL, NULL);
                        X509 *order[] = {trio[perms[p][0]], trio[perms[p][1]], trio[perms[p][2]]};

                        if (split)
                                for (int i = 0; i < 3; i++) {
                                        _cleanup_(freep) char *pem = pem_of(&order[i], 1);
                                        parse(s, "part.pem", pem, strlen(pem), NULL, &f);
                                }
                        else {
                                _cleanup_(freep) char *pem = pem_of(order, 3);
                                parse(s, "all.pem", pem, strlen(pem), NULL, &f);
                        }
                        parse(s, "key.pem", key, strlen(key), NULL, &f);
                        res = assemble(s, NULL, &f);
                        ASSERT_NONE(&f);
                        assert_chain(res, trio, 3);
                        ck_assert_int_eq(EVP_PKEY_eq(res->key, k_leaf), 1);
                        ck_assert_uint_eq(res->n_unrelated, 0);
                        for (int i = 0; i < 3; i++)
                                ck_assert(same(s->certs[res->origin[i]].x509, trio[i]));
                }
}
END_TEST

START_TEST(test_duplicates_taken_once) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
        _cleanup_(findings_clear) Findings f = {};
        X509 *a[] = {leaf, inter, root}, *b[] = {root, inter};
        _cleanup_(freep) char *pa = pem_of(a, 3), *pb = pem_of(b, 2),
                              *key = key_as(k_leaf, "pkcs8", NULL, NULL);

        parse(s, "a.pem", pa, strlen(pa), NULL, &f);
        parse(s, "b.pem", pb, strlen(pb), NULL, &f);
        parse(s, "key.pem", key, strlen(key), NULL, &f);
        res = assemble(s, NULL, &f);
        ASSERT_NONE(&f);
        assert_chain(res, a, 3);
        ck_assert_ptr_nonnull(res->notes);
        ASSERT_CONTAINS(res->notes[0], "(certificate 0 of b.pem) is the same certificate as");
        ASSERT_CONTAINS(res->notes[0], "taken once");
        ck_assert_ptr_nonnull(res->notes[1]);
        ck_assert_ptr_null(res->notes[2]);
}
END_TEST

START_TEST(test_unrelated_reported_and_left_out) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
        _cleanup_(findings_clear) Findings f = {};
        X509 *a[] = {other, leaf, root, inter};
        _cleanup_(freep) char *pa = pem_of(a, 4), *key = key_as(k_leaf, "pkcs8", NULL, NULL);
        const Finding *x;

        parse(s, "a.pem", pa, strlen(pa), NULL, &f);
        parse(s, "key.pem", key, strlen(key), NULL, &f);
        res = assemble(s, NULL, &f);
        assert_chain(res, (X509 *[]){leaf, inter, root}, 3);
        ck_assert_uint_eq(res->n_unrelated, 1);
        ck_assert_int_eq(res->unrelated[0], 0);
        x = fa_first(&f, FINDING_CHAIN_UNRELATED);
        ck_assert_ptr_nonnull(x);
        ck_assert_int_eq(x->severity, SEVERITY_WARNING);
        ASSERT_CONTAINS(x->message, "left out");
        ASSERT_NO_ERRORS(&f);
}
END_TEST

START_TEST(test_root_from_anchors) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        X509 *a[] = {inter, leaf};
        _cleanup_(freep) char *pa = pem_of(a, 2), *key = key_as(k_leaf, "pkcs8", NULL, NULL);
        STACK_OF(X509) *anchors = sk_X509_new_null();
        LoaderAnchors af[] = {{.path = "/etc/ssl/roots.pem", .certs = anchors}};
        LoaderAssembleOptions ao = {.anchors = af, .n_anchors = 1};

        sk_X509_push(anchors, other);
        sk_X509_push(anchors, root);
        parse(s, "a.pem", pa, strlen(pa), NULL, &f);
        parse(s, "key.pem", key, strlen(key), NULL, &f);
        {
                _cleanup_(loader_result_freep) LoaderResult *res = assemble(s, &ao, &f);
                assert_chain(res, (X509 *[]){leaf, inter, root}, 3);
                ck_assert_int_eq(res->origin[2], -1);
                ck_assert_str_eq(res->anchor_files[2], "/etc/ssl/roots.pem");
                ck_assert_ptr_null(res->anchor_files[0]);
                ASSERT_CONTAINS(res->notes[0],
                                "the root 'CN=SomeTelco Root CA,O=SomeTelco,C=NZ' was "
                                "missing: completed from the trust anchors in /etc/ssl/roots.pem");
                ASSERT_NONE(&f);
        }
        {
                /* No anchors: the chain stops at the intermediate, without a note. */
                _cleanup_(loader_result_freep) LoaderResult *res = assemble(s, NULL, &f);
                assert_chain(res, (X509 *[]){leaf, inter}, 2);
                ck_assert_ptr_null(res->notes);
        }
        sk_X509_free(anchors);
}
END_TEST

START_TEST(test_two_candidate_leaves) {
        X509 *a[] = {leaf, inter, leaf2, root};
        _cleanup_(freep) char *pa = pem_of(a, 4), *key2 = key_as(k_leaf2, "pkcs8", NULL, NULL);

        {
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(findings_clear) Findings f = {};
                LoaderResult *res = NULL;

                parse(s, "two.pem", pa, strlen(pa), NULL, &f);
                ck_assert_int_eq(loader_assemble(s, NULL, &res, &f), -EINVAL);
                ck_assert_ptr_null(res);
                assert_message(&f, FINDING_LEAF_AMBIGUOUS,
                               "2 certificates could be the server certificate");
                assert_message(
                        &f, FINDING_LEAF_AMBIGUOUS,
                        "rem.sometelco.com,OU=NOC,O=SomeTelco,C=NZ' (certificate 0 of two.pem)");
                assert_message(
                        &f, FINDING_LEAF_AMBIGUOUS,
                        "xcap.sometelco.com,OU=NOC,O=SomeTelco,C=NZ' (certificate 2 of two.pem)");
        }
        {
                /* The key of one of them decides. */
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                _cleanup_(findings_clear) Findings f = {};

                parse(s, "two.pem", pa, strlen(pa), NULL, &f);
                parse(s, "key.pem", key2, strlen(key2), NULL, &f);
                res = assemble(s, NULL, &f);
                assert_chain(res, (X509 *[]){leaf2, inter, root}, 3);
                ASSERT_HAS(&f, FINDING_CHAIN_UNRELATED);
                ASSERT_NO_ERRORS(&f);
        }
}
END_TEST

/* A CA certificate is the leaf only when nothing else can be. */
START_TEST(test_ca_leaf_only_when_nothing_else) {
        X509 *a[] = {root, inter};
        _cleanup_(freep) char *pa = pem_of(a, 2);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
        _cleanup_(findings_clear) Findings f = {};

        parse(s, "cas.pem", pa, strlen(pa), NULL, &f);
        res = assemble(s, NULL, &f);
        assert_chain(res, (X509 *[]){inter, root}, 2);
        ASSERT_HAS(&f, FINDING_KEY_MISSING);

        /* Two unrelated roots: ambiguous. */
        {
                _cleanup_(loader_set_freep) LoaderSet *s2 = loader_set_new();
                _cleanup_(findings_clear) Findings f2 = {};
                X509 *b[] = {root, other};
                _cleanup_(freep) char *pb = pem_of(b, 2);
                LoaderResult *r2 = NULL;

                /* other is a CA too (see main): both are CA candidates */
                parse(s2, "roots.pem", pb, strlen(pb), NULL, &f2);
                ck_assert_int_eq(loader_assemble(s2, NULL, &r2, &f2), -EINVAL);
                ASSERT_HAS(&f2, FINDING_LEAF_AMBIGUOUS);
        }
}
END_TEST

START_TEST(test_keys_matching_nothing_or_another) {
        X509 *a[] = {leaf, inter, root};
        _cleanup_(freep) char *pa = pem_of(a, 3), *kl = key_as(k_leaf, "pkcs8", NULL, NULL),
                              *ko = key_as(k_other, "pkcs8", NULL, NULL),
                              *ki = key_as(k_inter, "pkcs8", NULL, NULL);

        {
                /* The leaf's key and a stray one: the stray one is a warning. */
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                _cleanup_(findings_clear) Findings f = {};

                parse(s, "chain.pem", pa, strlen(pa), NULL, &f);
                parse(s, "stray.key", ko, strlen(ko), NULL, &f);
                parse(s, "leaf.key", kl, strlen(kl), NULL, &f);
                res = assemble(s, NULL, &f);
                ck_assert_int_eq(EVP_PKEY_eq(res->key, k_leaf), 1);
                ck_assert_int_eq(res->key_index, 1);
                ck_assert_int_eq(fa_first(&f, FINDING_KEY_MISMATCH)->severity, SEVERITY_WARNING);
                ASSERT_NO_ERRORS(&f);
        }
        {
                /* Only a stray key: an error naming its file. */
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                _cleanup_(findings_clear) Findings f = {};
                const Finding *x;

                parse(s, "chain.pem", pa, strlen(pa), NULL, &f);
                parse(s, "stray.key", ko, strlen(ko), NULL, &f);
                res = assemble(s, NULL, &f);
                ck_assert_ptr_null(res->key);
                x = fa_first(&f, FINDING_KEY_MISMATCH);
                ck_assert_int_eq(x->severity, SEVERITY_ERROR);
                ck_assert_str_eq(x->file, "stray.key");
                ASSERT_CONTAINS(x->message,
                                "private key 0 of stray.key belongs to no certificate given");
        }
        {
                /* The intermediate's key: a warning, and the leaf's key missing. */
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                _cleanup_(findings_clear) Findings f = {};

                parse(s, "chain.pem", pa, strlen(pa), NULL, &f);
                parse(s, "ca.key", ki, strlen(ki), NULL, &f);
                res = assemble(s, NULL, &f);
                ck_assert_int_eq(fa_first(&f, FINDING_KEY_MULTIPLE)->severity, SEVERITY_WARNING);
                assert_message(&f, FINDING_KEY_MULTIPLE, "belongs to 'CN=SomeTelco Issuing CA");
                assert_message(&f, FINDING_KEY_MISSING,
                               "no private key for the server certificate");
        }
}
END_TEST

static void write_mode(const char *d, const char *name, const char *text) {
        _cleanup_(freep) char *p = tu_write_file(d, name, text, strlen(text));
        ck_assert_int_eq(chmod(p, 0600), 0);
}

START_TEST(test_key_from_key_dir) {
        X509 *a[] = {leaf, inter, root};
        _cleanup_(freep) char *pa = pem_of(a, 3), *kdir = tu_path(dir, "csr"),
                              *kl = key_as(k_leaf, "pkcs8", NULL, NULL),
                              *ko = key_as(k_other, "pkcs8", NULL, NULL);
        LoaderAssembleOptions ao = {.key_dir = kdir, .key_name = "rem.key"};

        ck_assert_int_eq(mkdir(kdir, 0700), 0);
        {
                /* Not there yet: KEY_MISSING names the directory. */
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                _cleanup_(findings_clear) Findings f = {};

                write_mode(kdir, "rem.key", ko);
                parse(s, "chain.pem", pa, strlen(pa), NULL, &f);
                res = assemble(s, &ao, &f);
                ck_assert_ptr_null(res->key);
                assert_message(&f, FINDING_KEY_MISSING, kdir);
        }
        {
                /* In another file of the directory. */
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                _cleanup_(findings_clear) Findings f = {};
                _cleanup_(freep) char *want = tu_path(kdir, "xcap.key");

                write_mode(kdir, "xcap.key", kl);
                parse(s, "chain.pem", pa, strlen(pa), NULL, &f);
                res = assemble(s, &ao, &f);
                ASSERT_NONE(&f);
                ck_assert_int_eq(EVP_PKEY_eq(res->key, k_leaf), 1);
                ck_assert_int_eq(res->key_index, -1);
                ck_assert_str_eq(res->key_path, want);
                ASSERT_CONTAINS(res->notes[0], "was taken from");
        }
}
END_TEST

START_TEST(test_no_certificates) {
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *kl = key_as(k_leaf, "pkcs8", NULL, NULL);
        LoaderResult *res = NULL;

        parse(s, "key.pem", kl, strlen(kl), NULL, &f);
        ck_assert_int_eq(loader_assemble(s, NULL, &res, &f), -EINVAL);
        assert_message(&f, FINDING_CERT_MISSING, "no certificate was read");
}
END_TEST

/* A PKCS#12 whose "leaf" bag is a CA (the cryptography vectors' shape): the
 * structure decides, and the CA's key is not taken for the server's. */
START_TEST(test_pkcs12_with_extra_certs) {
        X509 *ca[] = {leaf, inter};
        size_t len;
        _cleanup_(freep) char *der = p12_of(k_other, other, ca, 2, NULL, -1, -1, NULL, &len);
        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
        _cleanup_(findings_clear) Findings f = {};

        parse(s, "mixed.p12", der, len, NULL, &f);
        ASSERT_NONE(&f);
        res = assemble(s, NULL, &f);
        assert_chain(res, (X509 *[]){leaf, inter}, 2);
        ASSERT_HAS(&f, FINDING_CHAIN_UNRELATED);
        assert_message(&f, FINDING_KEY_MULTIPLE, "not to the server certificate");
        ASSERT_HAS(&f, FINDING_KEY_MISSING);
}
END_TEST

/* ---- cross-signed certificates and long chains ----------------------------------------- */

/* Let's Encrypt's shape: root A (self-signed) and A-x (A's subject and key,
 * signed by root B, which is not given). */
static EVP_PKEY *k_b;
static X509 *root_b, *root_ax, *inter_x;

static void cross_setup(void) {
        setup();
        k_b = tu_key_ec("P-256");
        root_b = tu_cert(&(TuCertSpec){
                .subject = "/C=NZ/O=Other/CN=Other Root", .key = k_b, .ca = true, .pathlen = -1});
        root_ax = tu_cert(&(TuCertSpec){.subject = ROOT_SUBJ,
                                        .key = k_root,
                                        .issuer = root_b,
                                        .issuer_key = k_b,
                                        .ca = true,
                                        .pathlen = -1});
        inter_x = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                        .key = k_inter,
                                        .issuer = root_b,
                                        .issuer_key = k_b,
                                        .ca = true,
                                        .pathlen = -1});
}

static void cross_teardown(void) {
        X509_free(root_b);
        X509_free(root_ax);
        X509_free(inter_x);
        EVP_PKEY_free(k_b);
        teardown();
}

/* The n! orders of certs (n <= 4), each index list into perm. */
static size_t permutations(size_t n, int perm[24][4]) {
        int a[4] = {0, 1, 2, 3};
        size_t count = 0;

        /* Heap's algorithm, iterative. */
        int c[4] = {0};
        memcpy(perm[count++], a, sizeof a);
        for (size_t i = 1; i < n;) {
                if ((size_t) c[i] < i) {
                        int j = i % 2 == 0 ? 0 : c[i], t = a[j];
                        a[j] = a[i];
                        a[i] = t;
                        memcpy(perm[count++], a, sizeof a);
                        c[i]++;
                        i = 1;
                } else
                        c[i++] = 0;
        }
        return count;
}

/* Assembles certs in every order (one file, then one file each) with the
 * leaf's key; the chain must be want, the rest left out as warnings. */
static void assert_every_order(X509 *const *certs, size_t n, const LoaderAssembleOptions *ao,
                               X509 *const *want, int n_want, const char *unrelated_says) {
        int perm[24][4];
        size_t np = permutations(n, perm);

        ck_assert_uint_eq(np, n == 4 ? 24 : n == 3 ? 6 : 2);
        for (size_t p = 0; p < np; p++)
                for (int split = 0; split < 2; split++) {
                        _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                        _cleanup_(findings_clear) Findings f = {};
                        _cleanup_(freep) char *key = key_as(k_leaf, "pkcs8", NULL, NULL);
                        X509 *order[4];

                        for (size_t i = 0; i < n; i++)
                                order[i] = certs[perm[p][i]];
                        if (split)
                                for (size_t i = 0; i < n; i++) {
                                        _cleanup_(freep) char *pem = pem_of(&order[i], 1);
                                        parse(s, "part.pem", pem, strlen(pem), NULL, &f);
                                }
                        else {
                                _cleanup_(freep) char *pem = pem_of(order, n);
                                parse(s, "all.pem", pem, strlen(pem), NULL, &f);
                        }
                        parse(s, "key.pem", key, strlen(key), NULL, &f);
                        res = assemble(s, ao, &f);
                        ASSERT_NO_ERRORS(&f);
                        ck_assert_msg(sk_X509_num(res->chain) == n_want,
                                      "order %zu split %d: chain of %d, wanted %d", p, split,
                                      sk_X509_num(res->chain), n_want);
                        for (int i = 0; i < n_want; i++)
                                ck_assert_msg(same(sk_X509_value(res->chain, i), want[i]),
                                              "order %zu split %d: chain element %d differs", p,
                                              split, i);
                        ck_assert_uint_eq(res->n_unrelated,
                                          n + (ao && ao->n_anchors ? 1 : 0) - (size_t) n_want);
                        if (unrelated_says) {
                                assert_message(&f, FINDING_CHAIN_UNRELATED, unrelated_says);
                                ck_assert_int_eq(fa_first(&f, FINDING_CHAIN_UNRELATED)->severity,
                                                 SEVERITY_WARNING);
                        }
                }
}

/* Root A and its cross-certificate A-x (issuer B not given), in every
 * order: the chain ends at A, A-x is left out as a cross-certificate. */
START_TEST(test_cross_signed_root_every_order) {
        X509 *certs[] = {leaf, inter, root, root_ax};

        assert_every_order(certs, 4, NULL, (X509 *[]){leaf, inter, root}, 3,
                           "(a cross-certificate?)");
}
END_TEST

/* Only A-x given, A among the anchors: A from the anchors, A-x left out
 * (kept, the check would call it unrelated: it issues the intermediate). */
START_TEST(test_cross_signed_root_with_anchor) {
        X509 *certs[] = {leaf, inter, root_ax};
        STACK_OF(X509) *anchors = sk_X509_new_null();
        LoaderAnchors af[] = {{.path = "roots.pem", .certs = anchors}};
        LoaderAssembleOptions ao = {.anchors = af, .n_anchors = 1, .now = TU_NOW};

        sk_X509_push(anchors, root);
        assert_every_order(certs, 3, &ao, (X509 *[]){leaf, inter, root}, 3,
                           "(a cross-certificate?)");
        {
                /* The origin says the root came from the anchors. */
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(loader_result_freep) LoaderResult *res = NULL;
                _cleanup_(findings_clear) Findings f = {};
                _cleanup_(freep) char *pem = pem_of(certs, 3);

                parse(s, "all.pem", pem, strlen(pem), NULL, &f);
                res = assemble(s, &ao, &f);
                ck_assert_int_eq(res->origin[2], -1);
                ck_assert_str_eq(res->anchor_files[2], "roots.pem");
                ASSERT_CONTAINS(res->notes[0], "completed from the trust anchors in roots.pem");
        }
        {
                /* B among the anchors instead: the cross-certificate is the path. */
                STACK_OF(X509) *b = sk_X509_new_null();
                LoaderAnchors bf[] = {{.path = "other.pem", .certs = b}};
                LoaderAssembleOptions bo = {.anchors = bf, .n_anchors = 1, .now = TU_NOW};

                sk_X509_push(b, root_b);
                assert_every_order(certs, 3, &bo, (X509 *[]){leaf, inter, root_ax, root_b}, 4,
                                   NULL);
                sk_X509_free(b);
        }
        sk_X509_free(anchors);
}
END_TEST

/* A cross-signed intermediate (the intermediate's subject and key, signed
 * by B, not given) beside the real one and root A, in every order. */
START_TEST(test_cross_signed_intermediate_every_order) {
        X509 *certs[] = {inter_x, leaf, root, inter};

        assert_every_order(certs, 4, NULL, (X509 *[]){leaf, inter, root}, 3,
                           "also issues 'CN=rem.sometelco.com");
}
END_TEST

/* A chain of n certificates: a root, n - 2 intermediates, a leaf; freed by
 * the caller (certs and keys). */
static void long_chain(size_t n, X509 **certs, EVP_PKEY **keys) {
        for (size_t i = 0; i < n; i++) {
                char subject[64];
                size_t up = n - 1 - i; /* certs[0] is the leaf, certs[n-1] the root */

                keys[up] = tu_key_ec("P-256");
                snprintf(subject, sizeof subject, i + 1 == n ? "/CN=leaf.example" : "/CN=CA %zu",
                         i);
                certs[up] = tu_cert(&(TuCertSpec){
                        .subject = subject,
                        .key = keys[up],
                        .issuer = i == 0 ? NULL : certs[up + 1],
                        .issuer_key = i == 0 ? NULL : keys[up + 1],
                        .ca = i + 1 < n,
                        .pathlen = -1,
                        .san = i + 1 == n ? "DNS:leaf.example" : NULL,
                });
        }
}

/* 16 certificates fit NAME-cert.crt; 17 are one error naming the inputs,
 * not "left out" warnings and a FILE_TOO_LARGE about the store's file. */
START_TEST(test_chain_longer_than_16) {
        X509 *certs[17];
        EVP_PKEY *keys[17];

        for (size_t n = 16; n <= 17; n++) {
                _cleanup_(loader_set_freep) LoaderSet *s = loader_set_new();
                _cleanup_(findings_clear) Findings f = {};
                _cleanup_(freep) char *pem = NULL, *key = NULL;
                LoaderResult *res = NULL;
                X509 *shuffled[17];

                long_chain(n, certs, keys);
                /* The root first, then the rest backwards: order does not matter. */
                for (size_t i = 0; i < n; i++)
                        shuffled[i] = certs[n - 1 - i];
                pem = pem_of(shuffled, n);
                key = key_as(keys[0], "pkcs8", NULL, NULL);
                parse(s, "long.pem", pem, strlen(pem), NULL, &f);
                parse(s, "leaf.key", key, strlen(key), NULL, &f);
                ASSERT_NONE(&f);
                if (n == 16) {
                        ck_assert_int_eq(loader_assemble(s, NULL, &res, &f), 0);
                        ck_assert_int_eq(sk_X509_num(res->chain), 16);
                        ASSERT_NO_ERRORS(&f);
                        loader_result_free(res);
                } else {
                        ck_assert_int_eq(loader_assemble(s, NULL, &res, &f), -EINVAL);
                        ck_assert_ptr_null(res);
                        ck_assert_uint_eq(f.n, 1);
                        assert_message(&f, FINDING_FILE_TOO_LARGE,
                                       "in long.pem is longer than 16 certificates");
                        ck_assert_str_eq(f.items[0].file, "long.pem");
                }
                for (size_t i = 0; i < n; i++) {
                        X509_free(certs[i]);
                        EVP_PKEY_free(keys[i]);
                }
        }
}
END_TEST

static Suite *loader_suite(void) {
        Suite *s = suite_create("loader");
        TCase *tc = tcase_create("read");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_pem_chain_in_file_order);
        tcase_add_test(tc, test_pem_oddities);
        tcase_add_test(tc, test_der_certificate_and_keys);
        tcase_add_test(tc, test_pem_keys_every_encoding);
        tcase_add_test(tc, test_encrypted_keys_with_password);
        tcase_add_test(tc, test_encrypted_keys_wrong_or_no_password);
        tcase_add_test(tc, test_encrypted_pkcs8_legacy);
        tcase_add_test(tc, test_pkcs7_der_and_pem);
        tcase_add_test(tc, test_pkcs7_without_certificates);
        tcase_add_test(tc, test_pkcs12_modern);
        tcase_add_test(tc, test_pkcs12_wrong_password);
        tcase_add_test(tc, test_pkcs12_absent_and_empty_password);
        tcase_add_test(tc, test_pkcs12_legacy);
        tcase_add_test(tc, test_pkcs12_legacy_unavailable);
        tcase_add_test(tc, test_pkcs12_no_key_and_no_cert);
        tcase_add_test(tc, test_not_usable_inputs);
        tcase_add_test(tc, test_damaged_blocks);
        tcase_add_test(tc, test_size_limits);
        tcase_add_test(tc, test_unreadable_file);
        tcase_add_test(tc, test_error_queue_left_alone);
        tcase_add_test(tc, test_password_file);
        tcase_add_test(tc, test_password_file_pipe_and_devices);
        tcase_add_test(tc, test_password_file_nul_bom_long);
        tcase_add_test(tc, test_enums);
        tcase_add_test(tc, test_truncated_der);
        tcase_add_test(tc, test_iteration_limit);
        tcase_add_test(tc, test_pkcs12_key_limit_stops_decrypting);
        tcase_add_test(tc, test_older_errors_not_classified);
        tcase_add_test(tc, test_dek_info_malformed);
        suite_add_tcase(s, tc);

        tc = tcase_create("assemble");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_chain_every_order);
        tcase_add_test(tc, test_duplicates_taken_once);
        tcase_add_test(tc, test_unrelated_reported_and_left_out);
        tcase_add_test(tc, test_root_from_anchors);
        tcase_add_test(tc, test_two_candidate_leaves);
        tcase_add_test(tc, test_ca_leaf_only_when_nothing_else);
        tcase_add_test(tc, test_keys_matching_nothing_or_another);
        tcase_add_test(tc, test_key_from_key_dir);
        tcase_add_test(tc, test_no_certificates);
        tcase_add_test(tc, test_pkcs12_with_extra_certs);
        tcase_add_test(tc, test_chain_longer_than_16);
        suite_add_tcase(s, tc);

        tc = tcase_create("cross-signed");
        tcase_add_checked_fixture(tc, cross_setup, cross_teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_cross_signed_root_every_order);
        tcase_add_test(tc, test_cross_signed_root_with_anchor);
        tcase_add_test(tc, test_cross_signed_intermediate_every_order);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        OSSL_PROVIDER *pl, *pd;
        SRunner *sr;
        int failed;

        legacy_ctx = OSSL_LIB_CTX_new();
        pl = OSSL_PROVIDER_load(legacy_ctx, "legacy");
        pd = OSSL_PROVIDER_load(legacy_ctx, "default");
        if (!legacy_ctx || !pl || !pd) {
                fprintf(stderr, "test_loader: OpenSSL's legacy provider cannot be loaded\n");
                return EXIT_FAILURE;
        }

        k_root = tu_key_ec("P-256");
        k_inter = tu_key_ec("P-256");
        k_leaf = tu_key_ec("P-256");
        k_leaf2 = tu_key_ec("P-256");
        k_other = tu_key_ec("P-256");
        k_rsa = tu_key_rsa(2048);
        root = tu_cert(
                &(TuCertSpec){.subject = ROOT_SUBJ, .key = k_root, .ca = true, .pathlen = -1});
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
                                     .san = "DNS:rem.sometelco.com",
                                     .pathlen = -1});
        leaf2 = tu_cert(&(TuCertSpec){.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=xcap.sometelco.com",
                                      .key = k_leaf2,
                                      .issuer = inter,
                                      .issuer_key = k_inter,
                                      .san = "DNS:xcap.sometelco.com",
                                      .pathlen = -1});
        other = tu_cert(&(TuCertSpec){.subject = "/C=US/O=Elsewhere/CN=Elsewhere Root",
                                      .key = k_other,
                                      .ca = true,
                                      .pathlen = -1});
        rsa_leaf = tu_cert(&(TuCertSpec){.subject = "/CN=rsa", .key = k_rsa, .pathlen = -1});

        sr = srunner_create(loader_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        X509_free(root);
        X509_free(inter);
        X509_free(leaf);
        X509_free(leaf2);
        X509_free(other);
        X509_free(rsa_leaf);
        EVP_PKEY_free(k_root);
        EVP_PKEY_free(k_inter);
        EVP_PKEY_free(k_leaf);
        EVP_PKEY_free(k_leaf2);
        EVP_PKEY_free(k_other);
        EVP_PKEY_free(k_rsa);
        OSSL_PROVIDER_unload(pl);
        OSSL_PROVIDER_unload(pd);
        OSSL_LIB_CTX_free(legacy_ctx);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
