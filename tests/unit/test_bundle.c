/* test_bundle: reading what operators upload (common/bundle.c). */

#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "bundle.h"
#include "findassert.h"
#include "testutil.h"

#define LEAF_SUBJECT "CN=rem,OU=NOC,O=SomeTelco,C=NZ"

/* Made once: key generation is slow under the sanitizers. */
static EVP_PKEY *rsa_key, *rsa_key2, *ec_key;
static X509 *root, *inter, *leaf;
static char *leaf_pem, *inter_pem, *key_pem;

/* A fresh directory per test. */
static char *dir;

static void setup(void) {
        dir = tu_tmpdir();
}

static void teardown(void) {
        tu_rmdir_r(dir);
        free(dir);
        dir = NULL;
}

/* ---- helpers ------------------------------------------------------------- */

/* Concatenates NUL-terminated strings up to a NULL. */
static char *cat(const char *first, ...) {
        va_list ap;
        size_t n = 0;
        char *s;

        va_start(ap, first);
        for (const char *p = first; p; p = va_arg(ap, const char *))
                n += strlen(p);
        va_end(ap);
        s = malloc(n + 1);
        ck_assert_ptr_nonnull(s);
        s[0] = 0;
        va_start(ap, first);
        for (const char *p = first; p; p = va_arg(ap, const char *))
                strcat(s, p);
        va_end(ap);
        return s;
}

/* Replaces every occurrence of `from` by `to`. */
static char *replace(const char *s, const char *from, const char *to) {
        size_t nf = strlen(from), nt = strlen(to), n = 0;
        char *r, *o;

        for (const char *p = strstr(s, from); p; p = strstr(p + nf, from))
                n++;
        r = malloc(strlen(s) + n * nt + 1);
        ck_assert_ptr_nonnull(r);
        o = r;
        for (;;) {
                const char *p = strstr(s, from);
                if (!p)
                        break;
                memcpy(o, s, (size_t) (p - s));
                o += p - s;
                memcpy(o, to, nt);
                o += nt;
                s = p + nf;
        }
        strcpy(o, s);
        return r;
}

/* For helpers that also run outside a test (the fixtures in main). */
#define REQUIRE(x)                                                                   \
        do {                                                                         \
                if (!(x)) {                                                          \
                        fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #x); \
                        abort();                                                     \
                }                                                                    \
        } while (0)

/* A memory BIO's contents as a string. (Not strndup: the data has no NUL,
 * and ASan's strict_string_checks reads one past it.) */
static char *bio_text(BIO *b) {
        char *data;
        long n = BIO_get_mem_data(b, &data);
        char *s;

        REQUIRE(n >= 0);
        s = malloc((size_t) n + 1);
        REQUIRE(s);
        memcpy(s, data, (size_t) n);
        s[n] = 0;
        return s;
}

static char *pkcs8_pem(EVP_PKEY *k) {
        BIO *b = BIO_new(BIO_s_mem());
        char *s;

        REQUIRE(b);
        REQUIRE(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1);
        s = bio_text(b);
        BIO_free(b);
        return s;
}

static char *key_traditional_pem(EVP_PKEY *k, const EVP_CIPHER *enc) {
        BIO *b = BIO_new(BIO_s_mem());
        char *s;

        ck_assert_ptr_nonnull(b);
        ck_assert_int_eq(PEM_write_bio_PrivateKey_traditional(b, k, enc,
                                                              enc ? (unsigned char *) "" : NULL,
                                                              0, NULL, NULL),
                         1);
        s = bio_text(b);
        BIO_free(b);
        return s;
}

/* Parses from an exact-size heap copy (no NUL after it), so that ASan sees
 * any read past the end. */
static Bundle *parse_n(const char *name, const void *data, size_t len, unsigned expect,
                       Findings *f) {
        Bundle *b = NULL;
        void *copy = malloc(len ? len : 1);
        int r;

        ck_assert_ptr_nonnull(copy);
        if (len)
                memcpy(copy, data, len);
        r = bundle_parse(name, copy, len, expect, &b, f);
        free(copy);
        ck_assert_int_eq(r, 0);
        ck_assert_ptr_nonnull(b);
        return b;
}

static Bundle *parse(const char *text, unsigned expect, Findings *f) {
        return parse_n("up/chain.pem", text, strlen(text), expect, f);
}

static const Finding *get(const Findings *f, FindingCode c) {
        for (size_t i = 0; i < f->n; i++)
                if (f->items[i].code == c)
                        return &f->items[i];
        ck_abort_msg("no finding %s", finding_code_to_string(c));
        return NULL;
}

static void dump(const Findings *f) {
        for (size_t i = 0; i < f->n; i++)
                fprintf(stderr, "  %s: %s | %s\n", finding_code_to_string(f->items[i].code),
                        f->items[i].message, f->items[i].hint);
}

/* The only finding is one of code c. */
static const Finding *only(const Findings *f, FindingCode c) {
        if (f->n != 1 || f->items[0].code != c) {
                dump(f);
                ck_abort_msg("expected exactly one %s, got %zu findings",
                             finding_code_to_string(c), f->n);
        }
        return &f->items[0];
}

static void none(const Findings *f) {
        if (f->n != 0) {
                dump(f);
                ck_abort_msg("expected no findings, got %zu", f->n);
        }
}

static void assert_one_line(const Finding *i) {
        ck_assert_ptr_null(strchr(i->message, '\n'));
        ck_assert_ptr_null(strchr(i->hint, '\n'));
}

/* ---- clean files ----------------------------------------------------------- */

START_TEST(test_plain_chain) {
        _cleanup_(freep) char *t = cat(leaf_pem, inter_pem, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(freep) char *s0 = NULL, *s1 = NULL, *i0 = NULL;

        none(&f);
        ck_assert_uint_eq(b->n_certs, 2);
        ck_assert_uint_eq(b->n_keys, 0);
        ck_assert_uint_eq(b->layout, 0);
        ck_assert_str_eq(b->path, "up/chain.pem");
        s0 = x509_subject_string(b->certs[0]);
        s1 = x509_subject_string(b->certs[1]);
        i0 = x509_issuer_string(b->certs[0]);
        ck_assert_str_eq(s0, LEAF_SUBJECT);
        ck_assert_str_eq(s1, "CN=Inter CA,O=SomeTelco,C=NZ");
        ck_assert_str_eq(i0, s1);
        ck_assert_int_eq(X509_cmp(b->certs[0], leaf), 0);
}
END_TEST

START_TEST(test_subject_string_keeps_utf8) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *s = NULL;

        /* UTF-8 stays UTF-8 (not "Soci\C3\A9t\C3\A9"); a control character
         * is still escaped. */
        x = tu_cert(&(TuCertSpec){.subject = "/O=Soci\xc3\xa9t\xc3\xa9/CN=a\nb", .key = k});
        s = x509_subject_string(x);
        ck_assert_ptr_nonnull(s);
        ck_assert_msg(strstr(s, "O=Soci\xc3\xa9t\xc3\xa9"), "subject: %s", s);
        ck_assert_ptr_null(strchr(s, '\n'));
}
END_TEST

START_TEST(test_subject_string) {
        _cleanup_(freep) char *s = x509_subject_string(root), *i = x509_issuer_string(root);

        ck_assert_str_eq(s, "CN=Root CA,O=SomeTelco,C=NZ");
        ck_assert_str_eq(i, s);
        ck_assert_ptr_null(x509_subject_string(NULL));
}
END_TEST

START_TEST(test_combined_cert_and_key) {
        _cleanup_(freep) char *t = cat(leaf_pem, inter_pem, key_pem, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b =
                parse(t, BUNDLE_EXPECT_CERTS | BUNDLE_EXPECT_KEY, &f);

        none(&f);
        ck_assert_uint_eq(b->n_certs, 2);
        ck_assert_uint_eq(b->n_keys, 1);
        ck_assert_int_eq(EVP_PKEY_eq(b->keys[0], rsa_key), 1);
}
END_TEST

START_TEST(test_key_in_chain_file_kept) {
        /* Combined files are legitimate: a key in a chain file is no finding. */
        _cleanup_(freep) char *k2 = pkcs8_pem(rsa_key2);
        _cleanup_(freep) char *t = cat(leaf_pem, key_pem, k2, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);

        none(&f);
        ck_assert_uint_eq(b->n_certs, 1);
        ck_assert_uint_eq(b->n_keys, 2);
}
END_TEST

/* ---- layout quirks -------------------------------------------------------- */

START_TEST(test_crlf) {
        _cleanup_(freep) char *lf = cat(leaf_pem, inter_pem, NULL);
        _cleanup_(freep) char *t = replace(lf, "\n", "\r\n");
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *near = parse(lf, BUNDLE_EXPECT_CERTS, &g);
        const Finding *i = only(&f, FINDING_PEM_LAYOUT);

        ck_assert_uint_eq(b->n_certs, 2);
        ck_assert_uint_eq(b->layout, BUNDLE_LAYOUT_CRLF);
        ck_assert_int_eq(i->severity, SEVERITY_WARNING);
        ck_assert_str_eq(i->file, "up/chain.pem");
        ck_assert_int_eq(i->cert, -1);
        ck_assert_ptr_nonnull(strstr(i->message, "CR LF"));
        ck_assert_ptr_nonnull(strstr(i->message, "up/chain.pem"));
        assert_one_line(i);

        none(&g);
        ck_assert_uint_eq(near->layout, 0);
}
END_TEST

START_TEST(test_bom) {
        _cleanup_(freep) char *t = cat("\xef\xbb\xbf", leaf_pem, NULL);
        _cleanup_(freep) char *mid = cat(leaf_pem, "\xef\xbb\xbf", NULL);
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *b2 = parse(mid, BUNDLE_EXPECT_CERTS, &g);

        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_PEM_LAYOUT)->message, "byte-order mark"));
        ck_assert_uint_eq(b->layout, BUNDLE_LAYOUT_BOM);
        ck_assert_uint_eq(b->n_certs, 1);
        /* Near miss: the same bytes after the block are text, not a BOM. */
        ck_assert_uint_eq(b2->layout, BUNDLE_LAYOUT_TEXT);
}
END_TEST

START_TEST(test_text_before_block) {
        /* What `openssl x509 -text -in leaf.pem` prints before the block. */
        BIO *bio = BIO_new(BIO_s_mem());
        _cleanup_(freep) char *dumped = NULL, *t = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;

        ck_assert_int_eq(X509_print(bio, leaf), 1);
        dumped = bio_text(bio);
        BIO_free(bio);
        t = cat(dumped, leaf_pem, inter_pem, NULL);
        b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_PEM_LAYOUT)->message, "text outside"));
        ck_assert_uint_eq(b->layout, BUNDLE_LAYOUT_TEXT);
        ck_assert_uint_eq(b->n_certs, 2);
}
END_TEST

START_TEST(test_text_between_and_after_blocks) {
        /* `openssl s_client -showcerts` style. */
        _cleanup_(freep) char *t = cat(" 0 s:CN = rem\n   i:CN = Inter CA\n", leaf_pem,
                                       " 1 s:CN = Inter CA\n   i:CN = Root CA\n", inter_pem,
                                       "---\nServer certificate\n", NULL);
        _cleanup_(freep) char *blank = cat("\n\n  \n", leaf_pem, "\n\t\n", inter_pem, "\n\n",
                                           NULL);
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *b2 = parse(blank, BUNDLE_EXPECT_CERTS, &g);

        only(&f, FINDING_PEM_LAYOUT);
        ck_assert_uint_eq(b->layout, BUNDLE_LAYOUT_TEXT);
        ck_assert_uint_eq(b->n_certs, 2);
        /* Near miss: blank lines around blocks are no quirk. */
        none(&g);
        ck_assert_uint_eq(b2->n_certs, 2);
}
END_TEST

START_TEST(test_inline_end_begin) {
        /* ...xyz==-----END CERTIFICATE----------BEGIN CERTIFICATE----- */
        _cleanup_(freep) char *two = cat(leaf_pem, inter_pem, NULL);
        _cleanup_(freep) char *a = replace(two, "\n-----END CERTIFICATE-----\n-----BEGIN",
                                           "-----END CERTIFICATE----------BEGIN");
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(a, BUNDLE_EXPECT_CERTS, &f);
        const Finding *i = only(&f, FINDING_PEM_LAYOUT);

        ck_assert_uint_eq(b->n_certs, 2);
        ck_assert_uint_eq(b->layout, BUNDLE_LAYOUT_INLINE_MARKER);
        ck_assert_ptr_nonnull(strstr(i->message, "sharing its line"));
        ck_assert_int_eq(X509_cmp(b->certs[1], inter), 0);
}
END_TEST

START_TEST(test_inline_text_before_begin) {
        _cleanup_(freep) char *t = cat("subject=CN = rem -----BEGIN CERTIFICATE-----",
                                       strchr(leaf_pem, '\n'), NULL);
        _cleanup_(freep) char *body = replace(leaf_pem, "-----BEGIN CERTIFICATE-----\n",
                                              "-----BEGIN CERTIFICATE-----");
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *b2 = parse(body, BUNDLE_EXPECT_CERTS, &g);

        only(&f, FINDING_PEM_LAYOUT);
        ck_assert_uint_eq(b->n_certs, 1);
        ck_assert_uint_eq(b->layout, BUNDLE_LAYOUT_INLINE_MARKER | BUNDLE_LAYOUT_TEXT);
        /* The base64 starting on the BEGIN line. */
        only(&g, FINDING_PEM_LAYOUT);
        ck_assert_uint_eq(b2->n_certs, 1);
        ck_assert_uint_eq(b2->layout, BUNDLE_LAYOUT_INLINE_MARKER);
}
END_TEST

START_TEST(test_marker_variants) {
        _cleanup_(freep) char *four = replace(leaf_pem, "-----", "----");
        _cleanup_(freep) char *spaced = replace(inter_pem, "-----BEGIN CERTIFICATE-----",
                                                "----- BEGIN CERTIFICATE -----");
        _cleanup_(freep) char *spaced2 = replace(spaced, "-----END CERTIFICATE-----",
                                                 "-----END  CERTIFICATE-------");
        _cleanup_(freep) char *t = cat(four, spaced2, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        const Finding *i = only(&f, FINDING_PEM_LAYOUT);

        ck_assert_uint_eq(b->n_certs, 2);
        ck_assert_uint_eq(b->layout, BUNDLE_LAYOUT_MARKER_FORM);
        ck_assert_ptr_nonnull(strstr(i->message, "hyphens"));
}
END_TEST

START_TEST(test_all_quirks_one_warning) {
        _cleanup_(freep) char *two = cat(leaf_pem, inter_pem, NULL);
        _cleanup_(freep) char *a = replace(two, "\n-----END CERTIFICATE-----\n-----BEGIN",
                                           "-----END CERTIFICATE----------BEGIN");
        _cleanup_(freep) char *c = replace(a, "\n", "\r\n");
        _cleanup_(freep) char *v = replace(c, "-----BEGIN CERTIFICATE-----\r\n",
                                           "---- BEGIN CERTIFICATE ----\r\n");
        _cleanup_(freep) char *t = cat("\xef\xbb\xbfHere is the chain:\r\n", v, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        const Finding *i = only(&f, FINDING_PEM_LAYOUT);

        ck_assert_uint_eq(b->n_certs, 2);
        ck_assert_uint_eq(b->layout, BUNDLE_LAYOUT_CRLF | BUNDLE_LAYOUT_BOM | BUNDLE_LAYOUT_TEXT |
                                             BUNDLE_LAYOUT_INLINE_MARKER |
                                             BUNDLE_LAYOUT_MARKER_FORM);
        ck_assert_ptr_nonnull(strstr(i->message, "CR LF"));
        ck_assert_ptr_nonnull(strstr(i->message, "byte-order mark"));
        ck_assert_ptr_nonnull(strstr(i->message, "text outside"));
        ck_assert_ptr_nonnull(strstr(i->message, "sharing its line"));
        ck_assert_ptr_nonnull(strstr(i->message, "hyphens"));
        assert_one_line(i);
}
END_TEST

START_TEST(test_old_x509_header) {
        _cleanup_(freep) char *t = replace(leaf_pem, " CERTIFICATE-----", " X509 CERTIFICATE-----");
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);

        ck_assert_ptr_nonnull(strstr(t, "BEGIN X509 CERTIFICATE"));
        none(&f);
        ck_assert_uint_eq(b->n_certs, 1);
}
END_TEST

START_TEST(test_trusted_certificate) {
        BIO *bio = BIO_new(BIO_s_mem());
        _cleanup_(freep) char *t = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;

        ck_assert_int_eq(X509_add1_trust_object(root, OBJ_nid2obj(NID_server_auth)), 1);
        ck_assert_int_eq(PEM_write_bio_X509_AUX(bio, root), 1);
        t = bio_text(bio);
        BIO_free(bio);
        ck_assert_ptr_nonnull(strstr(t, "BEGIN TRUSTED CERTIFICATE"));
        b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        none(&f);
        ck_assert_uint_eq(b->n_certs, 1);
        ck_assert_int_eq(X509_cmp(b->certs[0], root), 0);
}
END_TEST

/* ---- keys ----------------------------------------------------------------- */

START_TEST(test_key_pkcs8) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(key_pem, BUNDLE_EXPECT_KEY, &f);

        ck_assert_ptr_nonnull(strstr(key_pem, "BEGIN PRIVATE KEY"));
        none(&f);
        ck_assert_uint_eq(b->n_keys, 1);
        ck_assert_uint_eq(b->n_certs, 0);
        ck_assert_int_eq(EVP_PKEY_eq(b->keys[0], rsa_key), 1);
}
END_TEST

START_TEST(test_key_rsa_traditional) {
        _cleanup_(freep) char *t = key_traditional_pem(rsa_key, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_KEY, &f);

        ck_assert_ptr_nonnull(strstr(t, "BEGIN RSA PRIVATE KEY"));
        none(&f);
        ck_assert_uint_eq(b->n_keys, 1);
        ck_assert_int_eq(EVP_PKEY_eq(b->keys[0], rsa_key), 1);
}
END_TEST

START_TEST(test_key_ec_traditional) {
        _cleanup_(freep) char *t = key_traditional_pem(ec_key, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_KEY, &f);

        ck_assert_ptr_nonnull(strstr(t, "BEGIN EC PRIVATE KEY"));
        none(&f);
        ck_assert_uint_eq(b->n_keys, 1);
        ck_assert_int_eq(EVP_PKEY_eq(b->keys[0], ec_key), 1);
}
END_TEST

START_TEST(test_key_ec_with_parameters) {
        /* `openssl ecparam -genkey` writes an EC PARAMETERS block first. */
        BIO *bio = BIO_new(BIO_s_mem());
        _cleanup_(freep) char *params = NULL, *k = key_traditional_pem(ec_key, NULL), *t = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;

        ck_assert_int_eq(PEM_write_bio_Parameters(bio, ec_key), 1);
        params = bio_text(bio);
        BIO_free(bio);
        ck_assert_ptr_nonnull(strstr(params, "BEGIN EC PARAMETERS"));
        t = cat(params, k, NULL);
        b = parse(t, BUNDLE_EXPECT_KEY, &f);
        none(&f);
        ck_assert_uint_eq(b->n_keys, 1);
}
END_TEST

START_TEST(test_key_encrypted_pkcs8) {
        BIO *bio = BIO_new(BIO_s_mem());
        _cleanup_(freep) char *t = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        const Finding *i;

        /* An empty passphrase is still a passphrase. */
        ck_assert_int_eq(PEM_write_bio_PKCS8PrivateKey(bio, rsa_key, EVP_aes_256_cbc(), "", 0,
                                                       NULL, NULL),
                         1);
        t = bio_text(bio);
        BIO_free(bio);
        ck_assert_ptr_nonnull(strstr(t, "BEGIN ENCRYPTED PRIVATE KEY"));
        b = parse(t, BUNDLE_EXPECT_KEY, &f);
        i = only(&f, FINDING_KEY_ENCRYPTED);
        ck_assert_int_eq(i->severity, SEVERITY_ERROR);
        ck_assert_ptr_nonnull(strstr(i->hint, "openssl pkey -in up/chain.pem -out"));
        ck_assert_uint_eq(b->n_encrypted_keys, 1);
        ck_assert_uint_eq(b->n_keys, 0);
}
END_TEST

START_TEST(test_key_encrypted_traditional) {
        _cleanup_(freep) char *t = key_traditional_pem(rsa_key, EVP_aes_128_cbc());
        _cleanup_(freep) char *plain = key_traditional_pem(rsa_key, NULL);
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_KEY, &f);
        _cleanup_(bundle_freep) Bundle *b2 = parse(plain, BUNDLE_EXPECT_KEY, &g);

        ck_assert_ptr_nonnull(strstr(t, "Proc-Type: 4,ENCRYPTED"));
        only(&f, FINDING_KEY_ENCRYPTED);
        ck_assert_uint_eq(b->n_encrypted_keys, 1);
        ck_assert_uint_eq(b->n_keys, 0);
        none(&g);
        ck_assert_uint_eq(b2->n_encrypted_keys, 0);
}
END_TEST

START_TEST(test_key_unencrypted_header_ignored) {
        /* RFC 1421 headers that do not say ENCRYPTED are skipped. */
        _cleanup_(freep) char *t = replace(key_pem, "-----BEGIN PRIVATE KEY-----\n",
                                           "-----BEGIN PRIVATE KEY-----\nComment: test\n\n");
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_KEY, &f);

        none(&f);
        ck_assert_uint_eq(b->n_keys, 1);
}
END_TEST

START_TEST(test_key_multiple) {
        _cleanup_(freep) char *k2 = key_traditional_pem(ec_key, NULL);
        _cleanup_(freep) char *t = cat(key_pem, k2, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_KEY, &f);

        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_KEY_MULTIPLE)->message, "2 private keys"));
        ck_assert_uint_eq(b->n_keys, 2);
}
END_TEST

START_TEST(test_key_missing) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = parse(leaf_pem, BUNDLE_EXPECT_KEY, &f);
        _cleanup_(freep) char *t = cat(leaf_pem, key_pem, NULL);
        _cleanup_(bundle_freep) Bundle *b2 = parse(t, BUNDLE_EXPECT_KEY, &g);

        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_KEY_MISSING)->message, "no private key"));
        ck_assert_uint_eq(b->n_certs, 1);
        none(&g);
        ck_assert_uint_eq(b2->n_keys, 1);
}
END_TEST

START_TEST(test_key_invalid) {
        _cleanup_(freep) char *bad = cat("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                         "-----END PRIVATE KEY-----\n",
                                         NULL);
        /* Valid base64 of a certificate, under a key label. */
        _cleanup_(freep) char *cert_as_key = replace(leaf_pem, "CERTIFICATE", "RSA PRIVATE KEY");
        _cleanup_(freep) char *junk = replace(key_pem, "KEY-----\nMII", "KEY-----\nM!!II");
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        _cleanup_(bundle_freep) Bundle *b = parse(bad, BUNDLE_EXPECT_KEY, &f);
        _cleanup_(bundle_freep) Bundle *b2 = parse(cert_as_key, BUNDLE_EXPECT_KEY, &g);
        _cleanup_(bundle_freep) Bundle *b3 = parse(junk, BUNDLE_EXPECT_KEY, &h);

        /* Damaged, not missing: one finding. */
        only(&f, FINDING_KEY_INVALID);
        only(&g, FINDING_KEY_INVALID);
        ck_assert_ptr_nonnull(strstr(only(&h, FINDING_KEY_INVALID)->message, "not base64"));
        ck_assert_uint_eq(b->n_keys + b2->n_keys + b3->n_keys, 0);
}
END_TEST

START_TEST(test_key_trailing_bytes) {
        unsigned char *der = NULL, *ext;
        int n = i2d_PrivateKey(ec_key, &der);
        char b64[1024];
        _cleanup_(freep) char *t = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;

        ck_assert_int_gt(n, 0);
        ext = malloc((size_t) n + 3);
        ck_assert_ptr_nonnull(ext);
        memcpy(ext, der, (size_t) n);
        memcpy(ext + n, "\x05\x00\x00", 3);
        ck_assert_int_gt(EVP_EncodeBlock((unsigned char *) b64, ext, n + 3), 0);
        t = cat("-----BEGIN EC PRIVATE KEY-----\n", b64, "\n-----END EC PRIVATE KEY-----\n",
                NULL);
        b = parse(t, BUNDLE_EXPECT_KEY, &f);
        only(&f, FINDING_KEY_INVALID);
        ck_assert_uint_eq(b->n_keys, 0);
        OPENSSL_free(der);
        free(ext);
}
END_TEST

START_TEST(test_key_dsa) {
        _cleanup_(freep) char *t = cat("-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQ==\n"
                                       "-----END DSA PRIVATE KEY-----\n",
                                       NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_KEY, &f);

        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_KEY_INVALID)->message, "DSA"));
        ck_assert_uint_eq(b->n_keys, 0);
}
END_TEST

START_TEST(test_key_openssh_unsupported) {
        _cleanup_(freep) char *t = cat("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n"
                                       "-----END OPENSSH PRIVATE KEY-----\n",
                                       NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_KEY, &f);

        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_KEY_INVALID)->message, "OPENSSH"));
        ck_assert_uint_eq(b->n_keys, 0);
}
END_TEST

/* ---- not PEM -------------------------------------------------------------- */

START_TEST(test_empty) {
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, w = {};
        _cleanup_(bundle_freep) Bundle *b = parse_n("up/chain.pem", "", 0, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *b2 = parse_n("up/k.key", "", 0, BUNDLE_EXPECT_KEY, &g);
        _cleanup_(bundle_freep) Bundle *b3 = parse_n("up/x", "", 0, 0, &h);
        _cleanup_(bundle_freep) Bundle *b4 = parse(" \r\n\n\t", BUNDLE_EXPECT_CERTS, &w);

        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_NOT_PEM)->message, "empty"));
        ck_assert_ptr_nonnull(strstr(only(&g, FINDING_KEY_MISSING)->message, "empty"));
        none(&h);
        ck_assert_ptr_nonnull(strstr(only(&w, FINDING_NOT_PEM)->message, "empty"));
        ck_assert_uint_eq(b->n_certs + b2->n_keys + b3->n_certs + b4->n_certs, 0);
}
END_TEST

START_TEST(test_der_certificate) {
        unsigned char *der = NULL;
        int n = i2d_X509(leaf, &der);
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        const Finding *i;

        ck_assert_int_gt(n, 0);
        b = parse_n("store/xcap-cert.crt", der, (size_t) n, BUNDLE_EXPECT_CERTS, &f);
        i = only(&f, FINDING_NOT_PEM);
        ck_assert_ptr_nonnull(strstr(i->message, "DER"));
        ck_assert_ptr_nonnull(strstr(i->hint, "openssl x509 -inform der -in store/xcap-cert.crt "
                                              "-out store/xcap-cert.crt.pem"));
        ck_assert_str_eq(i->file, "store/xcap-cert.crt");
        assert_one_line(i);
        ck_assert_uint_eq(b->n_certs, 0);

        /* A DER certificate where a key is expected. */
        b2 = parse_n("store/xcap-cert.key", der, (size_t) n, BUNDLE_EXPECT_KEY, &g);
        ck_assert_ptr_nonnull(strstr(only(&g, FINDING_KEY_MISSING)->message, "certificate"));
        OPENSSL_free(der);
}
END_TEST

START_TEST(test_der_key) {
        unsigned char *der = NULL;
        int n = i2d_PrivateKey(rsa_key, &der);
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        const Finding *i;

        ck_assert_int_gt(n, 0);
        b = parse_n("store/a.key", der, (size_t) n, BUNDLE_EXPECT_KEY, &f);
        i = only(&f, FINDING_KEY_MISSING);
        ck_assert_ptr_nonnull(strstr(i->message, "DER"));
        ck_assert_ptr_nonnull(
                strstr(i->hint, "openssl pkey -inform der -in store/a.key -out store/a.key.pem"));
        ck_assert_uint_eq(b->n_keys, 0);

        b2 = parse_n("store/a.crt", der, (size_t) n, BUNDLE_EXPECT_CERTS, &g);
        ck_assert_ptr_nonnull(strstr(only(&g, FINDING_NOT_PEM)->hint, "openssl pkey -inform der"));
        OPENSSL_cleanse(der, (size_t) n);
        OPENSSL_free(der);
}
END_TEST

START_TEST(test_pkcs12) {
        PKCS12 *p12 = PKCS12_create("", "rem", rsa_key, leaf, NULL, 0, 0, 0, 0, 0);
        unsigned char *der = NULL;
        int n;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        const Finding *i;

        ck_assert_ptr_nonnull(p12);
        n = i2d_PKCS12(p12, &der);
        ck_assert_int_gt(n, 0);
        b = parse_n("store/x.p12", der, (size_t) n, BUNDLE_EXPECT_CERTS, &f);
        i = only(&f, FINDING_NOT_PEM);
        ck_assert_ptr_nonnull(strstr(i->message, "PKCS#12"));
        ck_assert_ptr_nonnull(
                strstr(i->hint, "openssl pkcs12 -in store/x.p12 -nodes -out store/x.p12.pem"));
        ck_assert_uint_eq(b->n_certs, 0);
        OPENSSL_free(der);
        PKCS12_free(p12);
}
END_TEST

START_TEST(test_binary) {
        unsigned char junk[512];
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        uint32_t s = 12345;

        for (size_t i = 0; i < sizeof junk; i++) {
                s = s * 1103515245u + 12345u;
                junk[i] = (unsigned char) (s >> 16);
        }
        junk[10] = 0;
        b = parse_n("up/x.pem", junk, sizeof junk, BUNDLE_EXPECT_CERTS, &f);
        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_NOT_PEM)->message, "binary"));
        /* Starts like DER, is not. */
        junk[0] = 0x30;
        b2 = parse_n("up/x.pem", junk, sizeof junk, BUNDLE_EXPECT_CERTS, &g);
        ck_assert_ptr_nonnull(strstr(only(&g, FINDING_NOT_PEM)->message, "binary"));
        ck_assert_uint_eq(b->n_certs + b2->n_certs, 0);
}
END_TEST

START_TEST(test_text_without_pem) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b =
                parse("Please find the certificate attached.\n", BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *b2 =
                parse("-- end of chain --\n", BUNDLE_EXPECT_CERTS, &g);

        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_NOT_PEM)->message, "no PEM block"));
        ck_assert_ptr_nonnull(strstr(only(&g, FINDING_NOT_PEM)->message, "no PEM block"));
        ck_assert_uint_eq(b->layout | b2->layout, 0);
}
END_TEST

START_TEST(test_csr_instead_of_cert) {
        X509_REQ *req = X509_REQ_new();
        BIO *bio = BIO_new(BIO_s_mem());
        _cleanup_(freep) char *csr = NULL, *both = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        const Finding *i;

        ck_assert_ptr_nonnull(req);
        ck_assert_int_eq(X509_REQ_set_pubkey(req, rsa_key), 1);
        ck_assert_int_gt(X509_REQ_sign(req, rsa_key, EVP_sha256()), 0);
        ck_assert_int_eq(PEM_write_bio_X509_REQ(bio, req), 1);
        csr = bio_text(bio);
        BIO_free(bio);
        X509_REQ_free(req);

        b = parse(csr, BUNDLE_EXPECT_CERTS, &f);
        i = only(&f, FINDING_NOT_PEM);
        ck_assert_ptr_nonnull(strstr(i->message, "certificate signing request"));
        ck_assert_ptr_nonnull(strstr(i->hint, "CA"));
        ck_assert_uint_eq(b->n_certs, 0);

        /* Near miss: beside a certificate, the request is only ignored. */
        both = cat(leaf_pem, csr, NULL);
        b2 = parse(both, BUNDLE_EXPECT_CERTS, &g);
        ck_assert_ptr_nonnull(
                strstr(only(&g, FINDING_PEM_LAYOUT)->message, "CERTIFICATE REQUEST"));
        ck_assert_uint_eq(b2->layout, BUNDLE_LAYOUT_OTHER_BLOCK);
        ck_assert_uint_eq(b2->n_certs, 1);
}
END_TEST

START_TEST(test_pkcs7_pem) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse("-----BEGIN PKCS7-----\nMIIB\n-----END PKCS7-----\n",
                                                  BUNDLE_EXPECT_CERTS, &f);
        const Finding *i = only(&f, FINDING_NOT_PEM);

        ck_assert_ptr_nonnull(strstr(i->message, "PKCS#7"));
        ck_assert_ptr_nonnull(
                strstr(i->hint, "openssl pkcs7 -print_certs -in up/chain.pem -out up/chain.pem.pem"));
        ck_assert_uint_eq(b->n_certs, 0);
}
END_TEST

START_TEST(test_only_key_where_certs_expected) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(key_pem, BUNDLE_EXPECT_CERTS, &f);

        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_NOT_PEM)->message, "private key"));
        ck_assert_uint_eq(b->n_keys, 1);
}
END_TEST

/* ---- limits --------------------------------------------------------------- */

static char *many_certs(size_t n) {
        char *t = strdup("");

        ck_assert_ptr_nonnull(t);
        for (size_t i = 0; i < n; i++) {
                char *next = cat(t, i % 2 ? inter_pem : leaf_pem, NULL);
                free(t);
                t = next;
        }
        return t;
}

START_TEST(test_too_many_certs) {
        _cleanup_(freep) char *t17 = many_certs(17), *t16 = many_certs(16);
        _cleanup_(freep) char *t17crlf = replace(t17, "\n", "\r\n");
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t17crlf, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *b2 = parse(t16, BUNDLE_EXPECT_CERTS, &g);

        /* Only the size finding: nothing else is checked on it. */
        ck_assert_ptr_nonnull(strstr(only(&f, FINDING_FILE_TOO_LARGE)->message, "16"));
        ck_assert_uint_eq(b->n_certs, 0);
        ck_assert_uint_eq(b->layout, 0);
        none(&g);
        ck_assert_uint_eq(b2->n_certs, 16);
}
END_TEST

/* A certificate followed by lines of text, `size` bytes in all. */
static char *padded_file(const char *name, size_t size) {
        size_t n = strlen(leaf_pem);
        char *data = malloc(size), *p;

        ck_assert_ptr_nonnull(data);
        memcpy(data, leaf_pem, n);
        for (size_t i = n; i < size; i++)
                data[i] = i % 64 == 63 ? '\n' : 'x';
        p = tu_write_file(dir, name, data, size);
        free(data);
        return p;
}

START_TEST(test_file_too_large) {
        _cleanup_(freep) char *big = padded_file("big.pem", BUNDLE_MAX_BYTES + 1);
        _cleanup_(freep) char *fits = padded_file("fits.pem", BUNDLE_MAX_BYTES);
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        _cleanup_(closep) int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        ck_assert_ptr_nonnull(big);
        ck_assert_ptr_nonnull(fits);
        ck_assert_int_ge(dfd, 0);
        ck_assert_int_eq(bundle_load_at(dfd, "big.pem", "store/big.pem", BUNDLE_EXPECT_CERTS, &b,
                                        &f),
                         0);
        ck_assert_str_eq(only(&f, FINDING_FILE_TOO_LARGE)->file, "store/big.pem");
        ck_assert_uint_eq(b->n_certs, 0);

        ck_assert_int_eq(bundle_load_at(dfd, "fits.pem", "store/fits.pem", BUNDLE_EXPECT_CERTS,
                                        &b2, &g),
                         0);
        ck_assert_uint_eq(b2->n_certs, 1);
        ck_assert_uint_eq(b2->layout, BUNDLE_LAYOUT_TEXT);
        only(&g, FINDING_PEM_LAYOUT);
}
END_TEST

START_TEST(test_parse_too_large) {
        char *big = malloc(BUNDLE_MAX_BYTES + 1);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;

        ck_assert_ptr_nonnull(big);
        memset(big, 'A', BUNDLE_MAX_BYTES + 1);
        ck_assert_int_eq(bundle_parse("x", big, BUNDLE_MAX_BYTES + 1, BUNDLE_EXPECT_CERTS, &b, &f),
                         0);
        only(&f, FINDING_FILE_TOO_LARGE);
        free(big);
}
END_TEST

/* ---- damaged certificates ------------------------------------------------- */

START_TEST(test_truncated_base64) {
        /* A line lost from the middle of the second certificate. */
        char *line = strchr(strchr(inter_pem, '\n') + 1, '\n') + 1;
        char *next = strchr(line, '\n') + 1;
        _cleanup_(freep) char *cut = strndup(inter_pem, (size_t) (line - inter_pem));
        _cleanup_(freep) char *t = cat(leaf_pem, cut, next, NULL);
        /* Three characters cut off the first line. */
        _cleanup_(freep) char *cut3 = strndup(inter_pem, (size_t) (line - inter_pem) - 4);
        _cleanup_(freep) char *t3 = cat(cut3, "\n", line, NULL);
        _cleanup_(freep) char *ok = cat(leaf_pem, inter_pem, NULL);
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *b3 = parse(t3, BUNDLE_EXPECT_CERTS, &g);
        _cleanup_(bundle_freep) Bundle *b4 = parse(ok, BUNDLE_EXPECT_CERTS, &h);
        const Finding *i = only(&f, FINDING_CERT_INVALID);

        ck_assert_int_eq(i->cert, 1);
        ck_assert_ptr_nonnull(strstr(i->message, "Certificate 1 (the 2nd)"));
        assert_one_line(i);
        ck_assert_uint_eq(b->n_certs, 1);
        ck_assert_ptr_nonnull(strstr(only(&g, FINDING_CERT_INVALID)->message, "truncated"));
        ck_assert_uint_eq(b3->n_certs, 0);
        none(&h);
        ck_assert_uint_eq(b4->n_certs, 2);
}
END_TEST

START_TEST(test_truncated_file) {
        size_t n = strlen(inter_pem) / 2;
        _cleanup_(freep) char *half = strndup(inter_pem, n);
        _cleanup_(freep) char *t = cat(leaf_pem, half, NULL);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        const Finding *i = only(&f, FINDING_CERT_INVALID);

        ck_assert_ptr_nonnull(strstr(i->message, "no END CERTIFICATE"));
        ck_assert_int_eq(i->cert, 1);
        ck_assert_uint_eq(b->n_certs, 1);
}
END_TEST

START_TEST(test_extra_bytes_after_der) {
        unsigned char *der = NULL, *ext;
        int n = i2d_X509(leaf, &der);
        char *b64;
        _cleanup_(freep) char *t = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        const Finding *i;

        ck_assert_int_gt(n, 0);
        ext = malloc((size_t) n + 4);
        b64 = malloc(((size_t) n + 4) / 3 * 4 + 8);
        ck_assert_ptr_nonnull(ext);
        ck_assert_ptr_nonnull(b64);
        memcpy(ext, der, (size_t) n);
        memcpy(ext + n, "\x05\x00\x05\x00", 4);
        ck_assert_int_gt(EVP_EncodeBlock((unsigned char *) b64, ext, n + 4), 0);
        t = cat(inter_pem, "-----BEGIN CERTIFICATE-----\n", b64, "\n-----END CERTIFICATE-----\n",
                NULL);
        b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        i = only(&f, FINDING_CERT_INVALID);
        ck_assert_int_eq(i->cert, 1);
        ck_assert_str_eq(i->subject, LEAF_SUBJECT);
        ck_assert_ptr_nonnull(strstr(i->message, "4 extra bytes"));
        ck_assert_uint_eq(b->n_certs, 1);
        OPENSSL_free(der);
        free(ext);
        free(b64);
}
END_TEST

START_TEST(test_not_a_certificate_inside) {
        /* The base64 of a key under a CERTIFICATE label. */
        _cleanup_(freep) char *t = replace(key_pem, "PRIVATE KEY", "CERTIFICATE");
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        const Finding *i = only(&f, FINDING_CERT_INVALID);

        ck_assert_int_eq(i->cert, 0);
        ck_assert_ptr_null(i->subject);
        ck_assert_uint_eq(b->n_certs, 0);
}
END_TEST

START_TEST(test_empty_block_shared_run) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b =
                parse("-----BEGIN CERTIFICATE----------END CERTIFICATE-----\n",
                      BUNDLE_EXPECT_CERTS, &f);

        ck_assert_ptr_nonnull(strstr(get(&f, FINDING_CERT_INVALID)->message, "is empty"));
        ck_assert_uint_eq(fa_count(&f, FINDING_NOT_PEM), 0);
        ck_assert_uint_eq(b->n_certs, 0);
}
END_TEST

START_TEST(test_openssl_errors_left_alone) {
        /* Parse errors of the uploaded bytes do not leak into the caller's queue. */
        _cleanup_(freep) char *t = replace(key_pem, "PRIVATE KEY", "CERTIFICATE");
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;

        ERR_clear_error();
        b = parse(t, BUNDLE_EXPECT_CERTS | BUNDLE_EXPECT_KEY, &f);
        ck_assert_uint_gt(f.n, 0);
        ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(test_stray_and_mismatched_markers) {
        _cleanup_(freep) char *no_begin = replace(leaf_pem, "-----BEGIN CERTIFICATE-----\n", "");
        _cleanup_(freep) char *t = cat(inter_pem, no_begin, NULL);
        _cleanup_(freep) char *mism = replace(leaf_pem, "END CERTIFICATE", "END X509 CRL");
        _cleanup_(freep) char *t2 = cat(mism, inter_pem, NULL);
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(bundle_freep) Bundle *b = parse(t, BUNDLE_EXPECT_CERTS, &f);
        _cleanup_(bundle_freep) Bundle *b2 = parse(t2, BUNDLE_EXPECT_CERTS, &g);
        const Finding *i = get(&f, FINDING_CERT_INVALID);

        ck_assert_ptr_nonnull(strstr(i->message, "without a BEGIN"));
        ck_assert_uint_eq(fa_count(&f, FINDING_CERT_INVALID), 1);
        ck_assert_uint_eq(b->n_certs, 1);
        ck_assert_ptr_nonnull(strstr(get(&g, FINDING_CERT_INVALID)->message, "END X509 CRL"));
        ck_assert_uint_eq(b2->n_certs, 1);
}
END_TEST

/* ---- loading files -------------------------------------------------------- */

START_TEST(test_symlink_refused_in_store) {
        _cleanup_(freep) char *real = tu_write_file(dir, "real.pem", leaf_pem, strlen(leaf_pem));
        _cleanup_(freep) char *link = tu_path(dir, "link.pem");
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL, *b3 = NULL;
        _cleanup_(closep) int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        const Finding *i;

        ck_assert_ptr_nonnull(real);
        ck_assert_int_ge(dfd, 0);
        ck_assert_int_eq(symlink("real.pem", link), 0);

        ck_assert_int_eq(bundle_load_at(dfd, "link.pem", "store/link.pem", BUNDLE_EXPECT_CERTS, &b,
                                        &f),
                         0);
        i = only(&f, FINDING_FILE_UNREADABLE);
        ck_assert_ptr_nonnull(strstr(i->message, "store/link.pem is a symbolic link"));
        ck_assert_str_eq(i->file, "store/link.pem");
        ck_assert_uint_eq(b->n_certs, 0);
        ck_assert_str_eq(b->path, "store/link.pem");

        /* Near misses: the file itself in the store; the link named by the operator. */
        ck_assert_int_eq(bundle_load_at(dfd, "real.pem", "store/real.pem", BUNDLE_EXPECT_CERTS,
                                        &b2, &g),
                         0);
        none(&g);
        ck_assert_uint_eq(b2->n_certs, 1);
        ck_assert_int_eq(bundle_load(link, BUNDLE_EXPECT_CERTS, &b3, &h), 0);
        none(&h);
        ck_assert_uint_eq(b3->n_certs, 1);
        ck_assert_str_eq(b3->path, link);
}
END_TEST

START_TEST(test_unreadable_files) {
        _cleanup_(freep) char *sub = tu_path(dir, "sub.pem"), *fifo = tu_path(dir, "fifo.pem");
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(closep) int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct {
                const char *name;
                const char *says;
        } cases[] = {
                { "missing.pem", "does not exist" },
                { "sub.pem", "is a directory" },
                { "fifo.pem", "not a regular file" },
        };

        ck_assert_int_ge(dfd, 0);
        ck_assert_int_eq(mkdir(sub, 0700), 0);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                _cleanup_(bundle_freep) Bundle *b = NULL;
                const Finding *i;

                findings_clear(&f);
                ck_assert_int_eq(bundle_load_at(dfd, cases[k].name, NULL, BUNDLE_EXPECT_CERTS, &b,
                                                &f),
                                 0);
                i = only(&f, FINDING_FILE_UNREADABLE);
                ck_assert_ptr_nonnull(strstr(i->message, cases[k].says));
                ck_assert_ptr_nonnull(strstr(i->message, cases[k].name));
                ck_assert_ptr_nonnull(b);
                ck_assert_uint_eq(b->n_certs, 0);
        }
}
END_TEST

START_TEST(test_load_path) {
        _cleanup_(freep) char *t = cat(leaf_pem, key_pem, NULL);
        _cleanup_(freep) char *p = tu_write_file(dir, "combined.pem", t, strlen(t));
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;

        ck_assert_int_eq(bundle_load(p, BUNDLE_EXPECT_CERTS | BUNDLE_EXPECT_KEY, &b, &f), 0);
        none(&f);
        ck_assert_uint_eq(b->n_certs, 1);
        ck_assert_uint_eq(b->n_keys, 1);
}
END_TEST

START_TEST(test_hint_quotes_name) {
        unsigned char *der = NULL;
        int n = i2d_X509(leaf, &der);
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        const Finding *i;

        b = parse_n("my chain's.der", der, (size_t) n, BUNDLE_EXPECT_CERTS, &f);
        i = only(&f, FINDING_NOT_PEM);
        ck_assert_ptr_nonnull(strstr(i->hint, "-in 'my chain'\\''s.der' -out"));
        OPENSSL_free(der);
}
END_TEST

/* ---- hostile input -------------------------------------------------------- */

START_TEST(test_hostile_fragments) {
        static const char *const cases[] = {
                "-",
                "-----",
                "-----BEGIN",
                "-----BEGIN ",
                "-----BEGIN CERTIFICATE",
                "-----BEGIN CERTIFICATE-",
                "-----BEGIN CERTIFICATE-----",
                "-----BEGIN CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nMII",
                "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
                "-----BEGIN CERTIFICATE----------END CERTIFICATE-----",
                "-----END CERTIFICATE-----",
                "-----END PRIVATE KEY-----",
                "-BEGIN A-BEGIN B-END B-END A-",
                "-----BEGIN CERTIFICATE-----\n====\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nA===\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nAA==AA==\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n",
                "-----BEGIN PRIVATE KEY-----\nProc-Type:",
                "-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n",
                "-----BEGIN RSA PRIVATE KEY-----\nDEK-Info: x\n-----END RSA PRIVATE KEY-----",
                "-----BEGIN EC PRIVATE KEY-----\n\n\n-----END EC PRIVATE KEY-----",
                "-----BEGIN PRIVATE KEY-----\n:\n \n-----END PRIVATE KEY-----",
                "-----BEGIN AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-----",
                "\xef\xbb",
                "\xef\xbb\xbf",
                "\x30",
                "\x30\x82\xff\xff",
                "\x30\x80",
        };
        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                _cleanup_(findings_clear) Findings f = {};
                _cleanup_(bundle_freep) Bundle *b =
                        parse(cases[k], BUNDLE_EXPECT_CERTS | BUNDLE_EXPECT_KEY, &f);
                ck_assert_uint_eq(b->n_certs, 0);
                for (size_t i = 0; i < f.n; i++)
                        assert_one_line(&f.items[i]);
        }
}
END_TEST

START_TEST(test_hostile_many_blocks) {
        /* Many tiny blocks: bounded, reported as too large. */
        static const char block[] = "-BEGIN PRIVATE KEY-AAAA-END PRIVATE KEY-\n";
        size_t n = 5000, len = n * (sizeof block - 1);
        char *t = malloc(len + 1), *o = t;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;

        ck_assert_ptr_nonnull(t);
        for (size_t i = 0; i < n; i++, o += sizeof block - 1)
                memcpy(o, block, sizeof block - 1);
        *o = 0;
        b = parse(t, BUNDLE_EXPECT_KEY, &f);
        only(&f, FINDING_FILE_TOO_LARGE);
        ck_assert_uint_eq(b->n_keys, 0);
        free(t);

        /* A megabyte of hyphens. */
        t = malloc(BUNDLE_MAX_BYTES);
        ck_assert_ptr_nonnull(t);
        memset(t, '-', BUNDLE_MAX_BYTES);
        {
                _cleanup_(findings_clear) Findings g = {};
                _cleanup_(bundle_freep) Bundle *b2 =
                        parse_n("x", t, BUNDLE_MAX_BYTES, BUNDLE_EXPECT_CERTS, &g);
                only(&g, FINDING_NOT_PEM);
                ck_assert_uint_eq(b2->n_certs, 0);
        }
        free(t);
}
END_TEST

START_TEST(test_mutations) {
        /* Deterministic mutations of a file holding every kind of block. */
        _cleanup_(freep) char *enc = key_traditional_pem(ec_key, EVP_aes_128_cbc());
        _cleanup_(freep) char *ec = key_traditional_pem(ec_key, NULL);
        _cleanup_(freep) char *seed = cat("text\r\n", leaf_pem, ec, enc, inter_pem, NULL);
        size_t n = strlen(seed);
        uint32_t s = 42;
        char *buf = malloc(n + 64);

        ck_assert_ptr_nonnull(buf);
        for (int iter = 0; iter < 3000; iter++) {
                size_t len = n;
                _cleanup_(findings_clear) Findings f = {};
                _cleanup_(bundle_freep) Bundle *b = NULL;

                memcpy(buf, seed, n);
                for (int m = 0; m < 1 + iter % 4; m++) {
                        s = s * 1103515245u + 12345u;
                        size_t at = (s >> 8) % len;
                        switch ((s >> 4) % 5) {
                        case 0: /* flip a byte */
                                buf[at] = (char) (s >> 20);
                                break;
                        case 1: /* cut the file */
                                len = at;
                                break;
                        case 2: /* delete a range */ {
                                size_t k = ((s >> 16) % 80) + 1;
                                if (at + k > len)
                                        k = len - at;
                                memmove(buf + at, buf + at + k, len - at - k);
                                len -= k;
                                break;
                        }
                        case 3:
                                buf[at] = '-';
                                break;
                        default:
                                buf[at] = "\n\r =:"[(s >> 20) % 5];
                                break;
                        }
                        if (len == 0)
                                break;
                }
                b = parse_n("m.pem", buf, len, iter % 4, &f);
                ck_assert_uint_le(b->n_certs, BUNDLE_MAX_CERTS);
        }
        free(buf);
}
END_TEST

static Suite *bundle_suite(void) {
        Suite *s = suite_create("bundle");
        TCase *tc;

#define ADD(name, ...)                                                       \
        tc = tcase_create(name);                                             \
        tcase_add_checked_fixture(tc, setup, teardown);                      \
        tcase_set_timeout(tc, 120);                                          \
        {                                                                    \
                const TTest *tests[] = { __VA_ARGS__ };                      \
                for (size_t i = 0; i < ELEMENTSOF(tests); i++)               \
                        tcase_add_test(tc, tests[i]);                        \
        }                                                                    \
        suite_add_tcase(s, tc);

        ADD("clean", test_plain_chain, test_subject_string, test_subject_string_keeps_utf8, test_combined_cert_and_key,
            test_key_in_chain_file_kept);
        ADD("layout", test_crlf, test_bom, test_text_before_block,
            test_text_between_and_after_blocks, test_inline_end_begin,
            test_inline_text_before_begin, test_marker_variants, test_all_quirks_one_warning,
            test_old_x509_header, test_trusted_certificate);
        ADD("keys", test_key_pkcs8, test_key_rsa_traditional, test_key_ec_traditional,
            test_key_ec_with_parameters, test_key_encrypted_pkcs8, test_key_encrypted_traditional,
            test_key_unencrypted_header_ignored, test_key_multiple, test_key_missing,
            test_key_invalid, test_key_trailing_bytes, test_key_dsa,
            test_key_openssh_unsupported);
        ADD("not-pem", test_empty, test_der_certificate, test_der_key, test_pkcs12, test_binary,
            test_text_without_pem, test_csr_instead_of_cert, test_pkcs7_pem,
            test_only_key_where_certs_expected);
        ADD("limits", test_too_many_certs, test_file_too_large, test_parse_too_large);
        ADD("damaged", test_truncated_base64, test_truncated_file, test_extra_bytes_after_der,
            test_not_a_certificate_inside, test_empty_block_shared_run,
            test_openssl_errors_left_alone, test_stray_and_mismatched_markers);
        ADD("load", test_symlink_refused_in_store, test_unreadable_files, test_load_path,
            test_hint_quotes_name);
        ADD("hostile", test_hostile_fragments, test_hostile_many_blocks, test_mutations);
#undef ADD
        return s;
}

static void fixtures_init(void) {
        rsa_key = tu_key_rsa(2048);
        rsa_key2 = tu_key_rsa(2048);
        ec_key = tu_key_ec("P-256");
        root = tu_cert(&(TuCertSpec) { .subject = "/C=NZ/O=SomeTelco/CN=Root CA",
                                       .key = ec_key,
                                       .ca = true,
                                       .pathlen = -1 });
        inter = tu_cert(&(TuCertSpec) { .subject = "/C=NZ/O=SomeTelco/CN=Inter CA",
                                        .key = rsa_key2,
                                        .issuer = root,
                                        .issuer_key = ec_key,
                                        .ca = true,
                                        .pathlen = 0 });
        leaf = tu_cert(&(TuCertSpec) { .subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=rem",
                                       .key = rsa_key,
                                       .issuer = inter,
                                       .issuer_key = rsa_key2,
                                       .san = "DNS:rem.example" });
        leaf_pem = tu_cert_pem(leaf);
        inter_pem = tu_cert_pem(inter);
        key_pem = pkcs8_pem(rsa_key);
}

static void fixtures_done(void) {
        free(leaf_pem);
        free(inter_pem);
        free(key_pem);
        X509_free(leaf);
        X509_free(inter);
        X509_free(root);
        EVP_PKEY_free(rsa_key);
        EVP_PKEY_free(rsa_key2);
        EVP_PKEY_free(ec_key);
}

int main(void) {
        SRunner *sr;
        int failed;

        fixtures_init();
        sr = srunner_create(bundle_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        fixtures_done();
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
