/* test_policy: what the certificates of the path must carry — validity
 * (CERT_EXPIRING, CERT_NOT_YET_VALID), names (SAN_MISSING, SAN_IP_AS_DNS,
 * SAN_NOT_COVERED, XCAP_NAME, BSF_NAME, NAME_3GPP_FORM), subject fields,
 * key and signature strength, key usages — under the default, strict and
 * innovaphone profiles, and the strict profile's encoding rules (CERT_FORMAT,
 * WEAK_KEY, EKU), each raised under strict, not under default, with a near
 * miss. Each code has a case that raises it and a near miss that does not. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "bundle.h"
#include "chain.h"
#include "deploy.h"
#include "macro.h"
#include "policy.h"
#include "findassert.h"
#include "testutil.h"

#define ROOT_SUBJ  "/C=NZ/O=SomeTelco/OU=PKI/CN=SomeTelco Root CA"
#define INTER_SUBJ "/C=NZ/O=SomeTelco/OU=PKI/CN=SomeTelco Issuing CA"
#define LEAF_SUBJ  "/C=NZ/O=SomeTelco/OU=SomeCity Network Operations Center/CN=rem.sometelco.com"
#define LEAF_SAN   "DNS:rem.sometelco.com,IP:192.168.10.10"
#define XCAP_3GPP  "xcap.ims.mnc001.mcc001.pub.3gppnetwork.org"
#define BSF_3GPP   "bsf.ims.mnc001.mcc001.pub.3gppnetwork.org"

/* Made once in main(): keys (RSA generation is slow under ASan) and a
 * root and issuing CA every test's leaf hangs below. */
static EVP_PKEY *k_root, *k_inter, *k_leaf, *k_rsa1024, *k_rsa2048, *k_rsa3072, *k_p224;
static EVP_PKEY *k_rsa2052, *k_k256;
static X509 *root, *inter;

/* ---- helpers ------------------------------------------------------------------ */

static TuCertSpec leaf_spec(void) {
        return (TuCertSpec){.subject = LEAF_SUBJ,
                            .key = k_leaf,
                            .issuer = inter,
                            .issuer_key = k_inter,
                            .san = LEAF_SAN,
                            .pathlen = -1};
}

static PolicyInput input(const char *service) {
        return (PolicyInput){.service = service,
                             .now = TU_NOW,
                             .min_valid_days = 30,
                             .profile = PROFILE_DEFAULT,
                             .mcc = -1,
                             .mnc = -1};
}


/* The first finding of code c must have severity sev and mention needle. */
static void expect(const Findings *f, FindingCode c, Severity sev, int cert, const char *needle) {
        const Finding *x = fa_first(f, c);
        _cleanup_(freep) char *d = fa_describe(f);

        ck_assert_msg(x, "expected %s; findings: %s", finding_code_to_string(c), d);
        ck_assert_msg(x->severity == sev, "%s has severity %s", finding_code_to_string(c),
                      severity_to_string(x->severity));
        ck_assert_int_eq(x->cert, cert);
        ck_assert_str_eq(x->file, "chain.crt");
        ck_assert_ptr_nonnull(x->hint);
        if (needle)
                ck_assert_msg(strstr(x->message, needle), "'%s' not in '%s'", needle, x->message);
}

static Bundle *bundle_of(X509 *const *certs, size_t n) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *text = NULL;
        size_t len = 0;
        Bundle *b = NULL;
        FILE *m = open_memstream(&text, &len);

        ck_assert_ptr_nonnull(m);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(PEM_write_X509(m, certs[i]), 1);
        ck_assert_int_eq(fclose(m), 0);
        ck_assert_int_eq(bundle_parse("chain.crt", text, len, BUNDLE_EXPECT_CERTS, &b, &f), 0);
        ck_assert_uint_eq(b->n_certs, n);
        return b;
}

/* Runs policy_check on certs (leaf first) as check_bundles would. Only the
 * policy's findings end up in f. */
static void run_certs(PolicyInput in, X509 *const *certs, size_t n, Findings *f) {
        _cleanup_(bundle_freep) Bundle *b = bundle_of(certs, n);
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings chain_findings = {};
        ChainOptions o = {.anchors = in.anchors, .now = in.now, .profile = in.profile};

        ck_assert_int_eq(chain_build(b, 0, &o, &c, &chain_findings), 0);
        in.bundle = b;
        in.chain = c;
        ck_assert_int_eq(policy_check(&in, f), 0);
}

/* The leaf under the shared issuing CA and root. */
static void run_leaf(PolicyInput in, const TuCertSpec *spec, Findings *f) {
        _cleanup_(X509_freep) X509 *leaf = tu_cert(spec);

        run_certs(in, (X509 *[]){leaf, inter, root}, 3, f);
}

/* Sets the extension `name` of x to `value` (openssl.cnf syntax: "critical,"
 * and "DER:" work), replacing any of the same kind, and signs x again with
 * signer; issuer (NULL: x itself) is what AKI "keyid" and "issuer" refer to. */
static void set_ext(X509 *x, X509 *issuer, EVP_PKEY *signer, const char *name, const char *value) {
        X509V3_CTX ctx;
        X509_EXTENSION *e;
        int nid = OBJ_txt2nid(name), i;

        ck_assert_int_ne(nid, NID_undef);
        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
        e = X509V3_EXT_nconf(NULL, &ctx, name, value);
        ck_assert_ptr_nonnull(e);
        while ((i = X509_get_ext_by_NID(x, nid, -1)) >= 0)
                X509_EXTENSION_free(X509_delete_ext(x, i));
        ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
        ck_assert_int_gt(X509_sign(x, signer, EVP_sha256()), 0);
}

static PolicyInput strict_input(void) {
        PolicyInput in = input("rem");

        in.profile = PROFILE_STRICT;
        return in;
}

/* The leaf of spec, with extension name=value, under the shared CAs; run
 * under the default and the strict profile. */
static void run_leaf_ext(const TuCertSpec *spec, const char *name, const char *value,
                         Findings *def, Findings *strict) {
        _cleanup_(X509_freep) X509 *leaf = tu_cert(spec);

        if (name)
                set_ext(leaf, inter, k_inter, name, value);
        run_certs(input("rem"), (X509 *[]){leaf, inter, root}, 3, def);
        run_certs(strict_input(), (X509 *[]){leaf, inter, root}, 3, strict);
}

/* An issuing CA below the shared root with extension name=value, and a leaf
 * of spec below it; run under the given input. */
static void run_inter_ext(PolicyInput in, const char *name, const char *value,
                          const TuCertSpec *spec, Findings *f) {
        _cleanup_(X509_freep) X509 *i = NULL, *leaf = NULL;
        TuCertSpec s = *spec;

        i = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                  .key = k_inter,
                                  .issuer = root,
                                  .issuer_key = k_root,
                                  .ca = true,
                                  .pathlen = -1});
        set_ext(i, root, k_root, name, value);
        s.issuer = i;
        leaf = tu_cert(&s);
        run_certs(in, (X509 *[]){leaf, i, root}, 3, f);
}

/* r from the trust anchors (signed with rk), an issuing CA below it and a
 * leaf (the file); run under in. */
static void run_anchor(PolicyInput in, X509 *r, EVP_PKEY *rk, Findings *f) {
        _cleanup_(X509_freep) X509 *i = NULL, *leaf = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = sk_X509_new_null();
        X509 *a = X509_dup(r); /* fresh: no extension data cached before set_ext() */

        i = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                  .key = k_inter,
                                  .issuer = r,
                                  .issuer_key = rk,
                                  .ca = true,
                                  .pathlen = -1});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = i,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
        ck_assert_ptr_nonnull(anchors);
        ck_assert_ptr_nonnull(a);
        ck_assert_int_gt(sk_X509_push(anchors, a), 0);
        in.anchors = anchors;
        run_certs(in, (X509 *[]){leaf, i}, 2, f);
}

/* root (from --trust), issuing CA, leaf; the root with the given key,
 * digest and notAfter. */
static void run_with_anchor(EVP_PKEY *root_key, const char *md, time_t not_after, Findings *f) {
        _cleanup_(X509_freep) X509 *r = NULL;

        r = tu_cert(&(TuCertSpec){.subject = ROOT_SUBJ,
                                  .key = root_key,
                                  .ca = true,
                                  .pathlen = -1,
                                  .md = md,
                                  .not_after = not_after});
        run_anchor(input("rem"), r, root_key, f);
}

/* Names of a list given inline: NAMES("a", "b") (a static NULL-terminated array). */
#define NAMES(...) ((char *[]){__VA_ARGS__, NULL})

/* ---- the baseline ------------------------------------------------------------------ */

START_TEST(test_good_rem_certificate_has_no_findings) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        in.names = NAMES("rem.sometelco.com", "192.168.10.10");
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

/* ---- validity ------------------------------------------------------------------------ */

START_TEST(test_29_days_left_is_cert_expiring) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.not_after = TU_NOW + 29 * TU_DAY;
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, 0, "in 29 days");
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CERT_EXPIRING)->message, "30"));
}
END_TEST

START_TEST(test_31_days_left_is_not_cert_expiring) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.not_after = TU_NOW + 31 * TU_DAY;
        run_leaf(input("rem"), &s, &f);
        ASSERT_LACKS(&f, FINDING_CERT_EXPIRING);
        /* Exactly 30 days is enough too. */
        findings_clear(&f);
        s.not_after = TU_NOW + 30 * TU_DAY;
        run_leaf(input("rem"), &s, &f);
        ASSERT_LACKS(&f, FINDING_CERT_EXPIRING);
}
END_TEST

START_TEST(test_expired_leaf_is_cert_expiring) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.not_before = TU_NOW - 400 * TU_DAY;
        s.not_after = TU_NOW - 3 * TU_DAY;
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, 0, "expired");
        ck_assert_uint_eq(fa_count(&f, FINDING_CERT_EXPIRING), 1);
}
END_TEST

START_TEST(test_expired_intermediate_is_cert_expiring) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *old_inter = NULL, *leaf = NULL;

        old_inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                          .key = k_inter,
                                          .issuer = root,
                                          .issuer_key = k_root,
                                          .ca = true,
                                          .pathlen = -1,
                                          .not_before = TU_NOW - 800 * TU_DAY,
                                          .not_after = TU_NOW - 10 * TU_DAY});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = old_inter,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
        run_certs(input("rem"), (X509 *[]){leaf, old_inter, root}, 3, &f);
        expect(&f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, 1, "expired");
        ck_assert_uint_eq(fa_count(&f, FINDING_CERT_EXPIRING), 1);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CERT_EXPIRING)->subject, "Issuing CA"));
}
END_TEST

START_TEST(test_root_expiring_soon_is_cert_expiring) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *r = NULL, *i = NULL, *leaf = NULL;

        /* Every certificate of the path counts, the root too (MAG seed). */
        r = tu_cert(&(TuCertSpec){.subject = ROOT_SUBJ,
                                  .key = k_root,
                                  .ca = true,
                                  .pathlen = -1,
                                  .not_after = TU_NOW + 10 * TU_DAY});
        i = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                  .key = k_inter,
                                  .issuer = r,
                                  .issuer_key = k_root,
                                  .ca = true,
                                  .pathlen = -1});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = i,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
        run_certs(input("rem"), (X509 *[]){leaf, i, r}, 3, &f);
        expect(&f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, 2, "in 10 days");
}
END_TEST

START_TEST(test_expired_certificate_off_the_path_is_not_cert_expiring) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *old_ca = NULL, *leaf = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k_old = tu_key_ec("P-256");

        /* An expired CA of another hierarchy in the file: CHAIN_UNRELATED
         * (chain's finding), but not the chain's expiry. */
        old_ca = tu_cert(&(TuCertSpec){.subject = "/CN=Old Unrelated CA",
                                       .key = k_old,
                                       .ca = true,
                                       .pathlen = -1,
                                       .not_before = TU_NOW - 800 * TU_DAY,
                                       .not_after = TU_NOW - 10 * TU_DAY});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
        run_certs(input("rem"), (X509 *[]){leaf, inter, root, old_ca}, 4, &f);
        ASSERT_NONE(&f);

        /* Near miss: on the path, the same dates are an error. */
        findings_clear(&f);
        run_certs(input("rem"), (X509 *[]){old_ca}, 1, &f);
        expect(&f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, 0, "expired");
}
END_TEST

START_TEST(test_min_valid_days_zero) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        /* With 0, one hour left is enough ... */
        in.min_valid_days = 0;
        s.not_after = TU_NOW + 3600;
        run_leaf(in, &s, &f);
        ASSERT_LACKS(&f, FINDING_CERT_EXPIRING);

        /* ... and expired is still expired. */
        findings_clear(&f);
        s.not_after = TU_NOW - 1;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, 0, "expired");
}
END_TEST

START_TEST(test_not_before_in_future_is_cert_not_yet_valid) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.not_before = TU_NOW + 2 * TU_DAY;
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_CERT_NOT_YET_VALID, SEVERITY_ERROR, 0, "in 2 days");
        ASSERT_LACKS(&f, FINDING_CERT_EXPIRING);
}
END_TEST

START_TEST(test_not_before_just_past_is_valid) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.not_before = TU_NOW - 1;
        run_leaf(input("rem"), &s, &f);
        ASSERT_LACKS(&f, FINDING_CERT_NOT_YET_VALID);
        findings_clear(&f);
        s.not_before = TU_NOW;
        run_leaf(input("rem"), &s, &f);
        ASSERT_LACKS(&f, FINDING_CERT_NOT_YET_VALID);
}
END_TEST

/* ---- keys --------------------------------------------------------------------------- */

START_TEST(test_rsa_1024_is_weak_key) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.key = k_rsa1024;
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 0, "1024");
}
END_TEST

START_TEST(test_rsa_2048_and_p256_are_not_weak_key) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.key = k_rsa2048;
        run_leaf(input("rem"), &s, &f);
        ASSERT_NONE(&f);
        s.key = k_leaf; /* P-256 */
        run_leaf(input("rem"), &s, &f);
        ASSERT_NONE(&f);
        s.key = k_rsa3072; /* above 2048 is fine outside innovaphone */
        run_leaf(input("rem"), &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_ec_p224_is_weak_key) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.key = k_p224;
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 0, "224");
}
END_TEST

START_TEST(test_weak_intermediate_key_is_weak_key) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *weak = NULL, *leaf = NULL;

        weak = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                     .key = k_rsa1024,
                                     .issuer = root,
                                     .issuer_key = k_root,
                                     .ca = true,
                                     .pathlen = -1});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = weak,
                                     .issuer_key = k_rsa1024,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
        run_certs(input("rem"), (X509 *[]){leaf, weak, root}, 3, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 1, "1024");
        ck_assert_uint_eq(fa_count(&f, FINDING_WEAK_KEY), 1);
}
END_TEST

START_TEST(test_innovaphone_rsa_3072_is_weak_key) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        in.profile = PROFILE_INNOVAPHONE;
        s.key = k_rsa3072;
        s.eku = "serverAuth,clientAuth";
        run_leaf(in, &s, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 0, "3072");
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_WEAK_KEY)->hint, "2048"));
}
END_TEST

START_TEST(test_innovaphone_rsa_2048_is_clean) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        /* Everything the innovaphone seed asks: RSA 2048, SHA-256,
         * digitalSignature + keyEncipherment, serverAuth + clientAuth. The
         * issuers may use other key types and sizes. */
        in.profile = PROFILE_INNOVAPHONE;
        s.key = k_rsa2048;
        s.eku = "serverAuth,clientAuth";
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_innovaphone_ec_leaf_is_weak_key) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        in.profile = PROFILE_INNOVAPHONE;
        s.eku = "serverAuth,clientAuth";
        run_leaf(in, &s, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 0, "RSA");
}
END_TEST

/* ---- signatures ------------------------------------------------------------------------ */

START_TEST(test_sha1_leaf_is_weak_signature) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.md = "SHA1";
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, 0, "SHA1");
}
END_TEST

START_TEST(test_md5_leaf_is_weak_signature) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *i = NULL, *leaf = NULL;

        /* MD5 exists only with RSA: an RSA issuing CA signs it. */
        i = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                  .key = k_rsa2048,
                                  .issuer = root,
                                  .issuer_key = k_root,
                                  .ca = true,
                                  .pathlen = -1});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = i,
                                     .issuer_key = k_rsa2048,
                                     .san = LEAF_SAN,
                                     .pathlen = -1,
                                     .md = "MD5"});
        run_certs(input("rem"), (X509 *[]){leaf, i, root}, 3, &f);
        expect(&f, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, 0, "md5");
        ck_assert_uint_eq(fa_count(&f, FINDING_WEAK_SIGNATURE), 1);
}
END_TEST

START_TEST(test_sha1_intermediate_is_weak_signature) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *i = NULL, *leaf = NULL;

        i = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                  .key = k_inter,
                                  .issuer = root,
                                  .issuer_key = k_root,
                                  .ca = true,
                                  .pathlen = -1,
                                  .md = "SHA1"});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = i,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
        run_certs(input("rem"), (X509 *[]){leaf, i, root}, 3, &f);
        expect(&f, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, 1, "SHA1");
}
END_TEST

START_TEST(test_sha1_self_signed_root_at_chain_end_is_not_weak_signature) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *r = NULL, *i = NULL, *leaf = NULL;

        /* Nobody verifies a root's own signature. */
        r = tu_cert(&(TuCertSpec){
                .subject = ROOT_SUBJ, .key = k_root, .ca = true, .pathlen = -1, .md = "SHA1"});
        i = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                  .key = k_inter,
                                  .issuer = r,
                                  .issuer_key = k_root,
                                  .ca = true,
                                  .pathlen = -1});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = i,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
        run_certs(input("rem"), (X509 *[]){leaf, i, r}, 3, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_sha1_self_signed_server_certificate_is_weak_signature) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *x = NULL;

        /* A lone self-signed certificate is the server certificate, not a root. */
        x = tu_cert(
                &(TuCertSpec){.subject = LEAF_SUBJ, .key = k_leaf, .san = LEAF_SAN, .md = "SHA1"});
        run_certs(input("rem"), (X509 *[]){x}, 1, &f);
        expect(&f, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, 0, "SHA1");
}
END_TEST

START_TEST(test_innovaphone_sha384_is_weak_signature) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.key = k_rsa2048;
        s.eku = "serverAuth,clientAuth";
        s.md = "SHA384";
        run_leaf(input("rem"), &s, &f);
        ASSERT_NONE(&f); /* fine by default */

        in.profile = PROFILE_INNOVAPHONE;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, 0, "SHA-256");
}
END_TEST

/* ---- names ------------------------------------------------------------------------------ */

START_TEST(test_cn_only_is_san_missing) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.san = NULL;
        in.names = NAMES("rem.sometelco.com");
        run_leaf(in, &s, &f);
        expect(&f, FINDING_SAN_MISSING, SEVERITY_ERROR, 0, "RFC 2818");
        /* The CN is never a fallback. */
        ASSERT_HAS(&f, FINDING_SAN_NOT_COVERED);
}
END_TEST

START_TEST(test_san_with_only_an_email_is_san_missing) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.san = "email:noc@sometelco.com";
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_SAN_MISSING, SEVERITY_ERROR, 0, "DNS or IP");
}
END_TEST

START_TEST(test_ip_written_as_dns_is_san_ip_as_dns) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.san = "DNS:rem.sometelco.com,DNS:192.168.10.10";
        in.names = NAMES("192.168.10.10");
        run_leaf(in, &s, &f);
        expect(&f, FINDING_SAN_IP_AS_DNS, SEVERITY_ERROR, 0, "DNS:192.168.10.10");
        ASSERT_HAS(&f, FINDING_SAN_NOT_COVERED); /* a DNS entry does not cover an address */
        ASSERT_LACKS(&f, FINDING_SAN_MISSING);
}
END_TEST

START_TEST(test_ip_san_is_not_san_ip_as_dns) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.san = "DNS:rem.sometelco.com,IP:192.168.10.10,IP:2001:db8::10";
        in.names = NAMES("192.168.10.10", "2001:DB8:0::10");
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_uncovered_name_is_san_not_covered) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        in.names = NAMES("rem.sometelco.com", "rem2.sometelco.com", "192.168.10.11");
        run_leaf(in, &s, &f);
        ck_assert_uint_eq(fa_count(&f, FINDING_SAN_NOT_COVERED), 2);
        expect(&f, FINDING_SAN_NOT_COVERED, SEVERITY_ERROR, 0, "'rem2.sometelco.com'");
        /* The message lists what the certificate does have. */
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_SAN_NOT_COVERED)->message,
                                     "DNS:rem.sometelco.com, IP:192.168.10.10"));
        ck_assert_ptr_nonnull(strstr(f.items[1].message, "'192.168.10.11'"));
}
END_TEST

START_TEST(test_wildcard_covers_one_label) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.san = "DNS:*.sometelco.com";
        in.names = NAMES("rem.sometelco.com", "REM.SomeTelco.com.");
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_wildcard_two_labels_down_is_san_not_covered) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.san = "DNS:*.sometelco.com";
        in.names = NAMES("rem.nz.sometelco.com");
        run_leaf(in, &s, &f);
        expect(&f, FINDING_SAN_NOT_COVERED, SEVERITY_ERROR, 0, "one label only");
}
END_TEST

START_TEST(test_partial_wildcard_is_san_not_covered) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.san = "DNS:rem*.sometelco.com";
        in.names = NAMES("rem1.sometelco.com");
        run_leaf(in, &s, &f);
        expect(&f, FINDING_SAN_NOT_COVERED, SEVERITY_ERROR, 0, "partial wildcard");
}
END_TEST

START_TEST(test_wildcard_over_public_suffix_is_san_not_covered) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.san = "DNS:*.co.nz";
        in.names = NAMES("sometelco.co.nz");
        run_leaf(in, &s, &f);
        expect(&f, FINDING_SAN_NOT_COVERED, SEVERITY_ERROR, 0, "public suffix");

        /* Near miss: one level further down it is a normal wildcard. */
        findings_clear(&f);
        s.san = "DNS:*.sometelco.co.nz";
        in.names = NAMES("rem.sometelco.co.nz");
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_invalid_configured_name_is_name_invalid) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        in.names = NAMES("rem sometelco com", "rem.sometelco.com");
        run_leaf(in, &s, &f);
        ck_assert_uint_eq(f.n, 1);
        ck_assert_int_eq(f.items[0].code, FINDING_NAME_INVALID);
        ck_assert_int_eq(f.items[0].cert, -1);
}
END_TEST

START_TEST(test_xcap_name_without_xcap_prefix_is_xcap_name) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=" XCAP_3GPP;
        s.san = "DNS:" XCAP_3GPP ",DNS:ut.sometelco.com";
        run_leaf(input("xcap"), &s, &f);
        expect(&f, FINDING_XCAP_NAME, SEVERITY_ERROR, 0, "'ut.sometelco.com'");
        ck_assert_uint_eq(fa_count(&f, FINDING_XCAP_NAME), 1);
}
END_TEST

START_TEST(test_xcap_prefixed_names_are_not_xcap_name) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("xcap");

        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=" XCAP_3GPP;
        s.san = "DNS:" XCAP_3GPP ",DNS:XCAP.sometelco.com";
        in.mcc = 1;
        in.mnc = 1;
        in.names = NAMES(XCAP_3GPP);
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
        /* "xcapfoo." is not "xcap.". */
        findings_clear(&f);
        s.san = "DNS:" XCAP_3GPP ",DNS:xcapx.sometelco.com";
        run_leaf(in, &s, &f);
        ASSERT_HAS(&f, FINDING_XCAP_NAME);
}
END_TEST

START_TEST(test_rem_certificate_has_no_xcap_rules) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.san = "DNS:www.sometelco.com";
        run_leaf(input("rem"), &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_bsf_name_not_starting_with_bsf_is_bsf_name) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=" BSF_3GPP;
        s.san = "DNS:" XCAP_3GPP;
        run_leaf(input("bsf"), &s, &f);
        expect(&f, FINDING_BSF_NAME, SEVERITY_ERROR, 0, "does not start with 'bsf.'");
        ASSERT_LACKS(&f, FINDING_XCAP_NAME);
}
END_TEST

START_TEST(test_bsf_names_differing_from_xcap_names_is_bsf_name) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("bsf");
        const Finding *x;

        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=" BSF_3GPP;
        /* XCAP has the 3GPP name and xcap.sometelco.com; BSF has the 3GPP
         * name and bsf.other.com: one missing, one extra. */
        s.san = "DNS:" BSF_3GPP ",DNS:bsf.other.com";
        in.xcap_names = NAMES(XCAP_3GPP, "xcap.sometelco.com");
        run_leaf(in, &s, &f);
        ck_assert_uint_eq(fa_count(&f, FINDING_BSF_NAME), 2);
        x = fa_first(&f, FINDING_BSF_NAME);
        ck_assert_ptr_nonnull(strstr(x->message, "'bsf.sometelco.com'"));
        ck_assert_ptr_nonnull(strstr(f.items[1].message, "'bsf.other.com'"));
        ck_assert_ptr_nonnull(strstr(f.items[1].message, "xcap.other.com"));
}
END_TEST

START_TEST(test_bsf_names_matching_xcap_names_are_not_bsf_name) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("bsf");

        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=" BSF_3GPP;
        s.san = "DNS:bsf.sometelco.com,DNS:" BSF_3GPP;
        in.xcap_names = NAMES(XCAP_3GPP, "XCAP.sometelco.com");
        in.mcc = 1;
        in.mnc = 1;
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
        /* Unknown XCAP names (no XCAP certificate uploaded): only the prefix rule. */
        in.xcap_names = NULL;
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_unpadded_3gpp_name_is_name_3gpp_form) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=xcap";
        s.san = "DNS:xcap.ims.mnc1.mcc1.pub.3gppnetwork.org";
        run_leaf(input("xcap"), &s, &f);
        expect(&f, FINDING_NAME_3GPP_FORM, SEVERITY_WARNING, 0, "mnc001.mcc001");
        ck_assert(!findings_has_errors(&f));
}
END_TEST

START_TEST(test_unpadded_3gpp_name_beside_a_padded_one_is_name_3gpp_form) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("xcap");

        /* The padded name is there, but the unpadded one is still a mistake
         * an operator wants to hear about. */
        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=xcap";
        s.san = "DNS:" XCAP_3GPP ",DNS:xcap.ims.mnc01.mcc001.pub.3gppnetwork.org";
        in.mcc = 1;
        in.mnc = 1;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_NAME_3GPP_FORM, SEVERITY_WARNING, 0,
               "xcap.ims.mnc01.mcc001.pub.3gppnetwork.org");
        ck_assert_uint_eq(fa_count(&f, FINDING_NAME_3GPP_FORM), 1);
}
END_TEST

START_TEST(test_3gpp_name_for_other_network_is_name_3gpp_form) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("xcap");

        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=xcap";
        s.san = "DNS:xcap.ims.mnc002.mcc530.pub.3gppnetwork.org";
        in.mcc = 530;
        in.mnc = 1;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_NAME_3GPP_FORM, SEVERITY_WARNING, 0, "MNC 001");
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_NAME_3GPP_FORM)->message, "MNC 002"));

        /* Near miss: the deployment's own codes. */
        findings_clear(&f);
        in.mnc = 2;
        run_leaf(in, &s, &f);
        ASSERT_LACKS(&f, FINDING_NAME_3GPP_FORM);
}
END_TEST

START_TEST(test_bsf_3gpp_form) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("bsf");

        s.subject = "/C=NZ/O=SomeTelco/OU=NOC/CN=bsf";
        s.san = "DNS:bsf.ims.mnc1.mcc1.pub.3gppnetwork.org";
        run_leaf(in, &s, &f);
        expect(&f, FINDING_NAME_3GPP_FORM, SEVERITY_WARNING, 0, "bsf.ims.mnc001.mcc001");
        findings_clear(&f);
        s.san = "DNS:" BSF_3GPP;
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

/* ---- subject -------------------------------------------------------------------------- */

START_TEST(test_cn_only_subject_is_subject_fields) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.subject = "/CN=rem.sometelco.com";
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_SUBJECT_FIELDS, SEVERITY_WARNING, 0, "C, O, OU");
        ck_assert(!findings_has_errors(&f));
}
END_TEST

START_TEST(test_subject_not_matching_deployment_is_subject_fields) {
        _cleanup_(findings_clear) Findings f = {}, df = {};
        _cleanup_(deploy_freep) Deployment *d = NULL;
        static const char yaml[] = "subject:\n"
                                   "  country: NZ\n"
                                   "  organization: SomeTelco Ltd\n"
                                   "  organizational_unit: SomeCity Network Operations Center\n";
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        ck_assert_int_eq(deploy_parse("deployment.yaml", yaml, strlen(yaml), &d, &df), 0);
        in.deploy = d;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_SUBJECT_FIELDS, SEVERITY_WARNING, 0, "SomeTelco Ltd");
        ck_assert_uint_eq(f.n, 1);
}
END_TEST

START_TEST(test_subject_matching_deployment_is_clean) {
        _cleanup_(findings_clear) Findings f = {}, df = {};
        _cleanup_(deploy_freep) Deployment *d = NULL;
        static const char yaml[] = "subject:\n"
                                   "  country: NZ\n"
                                   "  organization: SomeTelco\n"
                                   "  organizational_unit: SomeCity Network Operations Center\n";
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        ck_assert_int_eq(deploy_parse("deployment.yaml", yaml, strlen(yaml), &d, &df), 0);
        in.deploy = d;
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

/* ---- usages ------------------------------------------------------------------------------ */

START_TEST(test_key_usage_without_digital_signature_is_key_usage) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.ku = "critical,keyEncipherment"; /* EC key: unusable for TLS */
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_KEY_USAGE, SEVERITY_ERROR, 0, "digitalSignature");

        findings_clear(&f);
        s.key = k_rsa2048;
        s.ku = "critical,nonRepudiation";
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_KEY_USAGE, SEVERITY_ERROR, 0, "keyEncipherment");
}
END_TEST

START_TEST(test_rsa_key_encipherment_only_is_a_key_usage_warning) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        /* Works with RSA key exchange only: the contract accepts it (RSA:
         * keyEncipherment), the report warns. */
        s.key = k_rsa2048;
        s.ku = "critical,keyEncipherment";
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_KEY_USAGE, SEVERITY_WARNING, 0, "TLS 1.3");
        ck_assert(!findings_has_errors(&f));
}
END_TEST

START_TEST(test_key_usage_digital_signature_or_absent_is_fine) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.ku = "critical,digitalSignature";
        run_leaf(input("rem"), &s, &f);
        ASSERT_NONE(&f);
        s.ku = ""; /* no keyUsage at all: any use */
        run_leaf(input("rem"), &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_eku_without_server_auth_is_eku_error) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        s.eku = "clientAuth,emailProtection";
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_EKU, SEVERITY_ERROR, 0, "serverAuth");
}
END_TEST

START_TEST(test_eku_absent_is_warning_by_default_error_in_strict) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.eku = "";
        run_leaf(in, &s, &f);
        expect(&f, FINDING_EKU, SEVERITY_WARNING, 0, "no extendedKeyUsage");
        ck_assert(!findings_has_errors(&f));

        findings_clear(&f);
        in.profile = PROFILE_STRICT;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_EKU, SEVERITY_ERROR, 0, "no extendedKeyUsage");
}
END_TEST

START_TEST(test_eku_server_auth_is_fine_any_eku_only_by_default) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.eku = "clientAuth,serverAuth";
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);

        s.eku = "anyExtendedKeyUsage";
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
        in.profile = PROFILE_STRICT;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_EKU, SEVERITY_ERROR, 0, "serverAuth");
}
END_TEST

START_TEST(test_innovaphone_usages) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        in.profile = PROFILE_INNOVAPHONE;
        s.key = k_rsa2048;
        s.ku = "critical,digitalSignature";
        s.eku = "serverAuth";
        run_leaf(in, &s, &f);
        expect(&f, FINDING_KEY_USAGE, SEVERITY_ERROR, 0, "keyEncipherment");
        expect(&f, FINDING_EKU, SEVERITY_ERROR, 0, "clientAuth");
        /* The hints ask for what innovaphone needs, not the generic usages. */
        ck_assert_str_eq(fa_first(&f, FINDING_KEY_USAGE)->hint,
                         "Request the certificate again with keyUsage digitalSignature and keyEncipherment.");
        ck_assert_msg(strstr(fa_first(&f, FINDING_EKU)->hint,
                             "extendedKeyUsage serverAuth and clientAuth"),
                      "hint: %s", fa_first(&f, FINDING_EKU)->hint);

        /* Absent keyUsage is not enough for innovaphone either. */
        findings_clear(&f);
        s.ku = "";
        s.eku = "serverAuth,clientAuth";
        run_leaf(in, &s, &f);
        ASSERT_HAS(&f, FINDING_KEY_USAGE);
        ASSERT_LACKS(&f, FINDING_EKU);
}
END_TEST

/* ---- extensions that do not decode ------------------------------------------------------ */

/* Adds extension name=value to x beside any of the same kind (so it can be
 * repeated) and signs x again with signer. */
static void add_ext_again(X509 *x, X509 *issuer, EVP_PKEY *signer, const char *name,
                          const char *value) {
        X509V3_CTX ctx;
        X509_EXTENSION *e;

        X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
        e = X509V3_EXT_nconf(NULL, &ctx, name, value);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
        ck_assert_int_gt(X509_sign(x, signer, EVP_sha256()), 0);
}

/* f has exactly one CERT_INVALID, about certificate cert, saying needle, and
 * none of the findings a leaf's unreadable extensions used to cause. */
static void expect_one_cert_invalid(const Findings *f, int cert, const char *needle) {
        const Finding *x = fa_first(f, FINDING_CERT_INVALID);

        expect(f, FINDING_CERT_INVALID, SEVERITY_ERROR, cert, needle);
        ck_assert_uint_eq(fa_count(f, FINDING_CERT_INVALID), 1);
        ck_assert_msg(strstr(x->hint, "damaged or was issued wrongly: get it issued again"),
                      "hint: %s", x->hint);
        ASSERT_LACKS(f, FINDING_SAN_MISSING);
        ASSERT_LACKS(f, FINDING_SAN_NOT_COVERED);
        ASSERT_LACKS(f, FINDING_KEY_USAGE);
        ASSERT_LACKS(f, FINDING_EKU);
        ASSERT_LACKS(f, FINDING_CERT_FORMAT);
}

/* The operator's case: an openssl extfile line 2.5.29.17=DER:0403010203, a
 * subjectAltName that holds an OCTET STRING instead of GeneralNames. OpenSSL
 * flags the certificate EXFLAG_INVALID and answers "no usage allowed" for
 * keyUsage and EKU: one CERT_INVALID, not SAN_MISSING, KEY_USAGE and EKU. */
START_TEST(test_malformed_san_is_one_cert_invalid_in_every_profile) {
        static const Profile profiles[] = { PROFILE_DEFAULT, PROFILE_STRICT, PROFILE_INNOVAPHONE };
        _cleanup_(X509_freep) X509 *leaf = NULL;
        TuCertSpec s = leaf_spec();

        s.key = k_rsa2048; /* innovaphone: RSA 2048, both usages */
        s.ku = "critical,digitalSignature,keyEncipherment";
        s.eku = "serverAuth,clientAuth";
        leaf = tu_cert(&s);
        set_ext(leaf, inter, k_inter, "subjectAltName", "DER:04:03:01:02:03");

        for (size_t i = 0; i < ELEMENTSOF(profiles); i++) {
                _cleanup_(findings_clear) Findings f = {};
                PolicyInput in = input("xcap");

                in.profile = profiles[i];
                in.names = NAMES("rem.sometelco.com", "not a name");
                run_certs(in, (X509 *[]){leaf, inter, root}, 3, &f);
                expect_one_cert_invalid(&f, 0, "its subjectAltName extension is malformed (does not decode)");
                ASSERT_LACKS(&f, FINDING_SUBJECT_FIELDS);
                ASSERT_LACKS(&f, FINDING_XCAP_NAME);
                ASSERT_LACKS(&f, FINDING_NAME_3GPP_FORM);
                /* A configured name that is no name is still reported. */
                ASSERT_HAS(&f, FINDING_NAME_INVALID);
                ck_assert_uint_eq(f.n, 2);
        }
}
END_TEST

START_TEST(test_readable_san_is_not_cert_invalid) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        TuCertSpec s = leaf_spec();

        /* Near miss: the same SAN written as GeneralNames decodes. */
        run_leaf_ext(&s, "subjectAltName", "DER:30:10:82:0e:72:65:6d:2e:65:78:61:6d:70:6c:65:2e:6e:7a",
                     &d, &f);
        ASSERT_LACKS(&d, FINDING_CERT_INVALID);
        ASSERT_LACKS(&f, FINDING_CERT_INVALID);
        ASSERT_NONE(&d);
}
END_TEST

START_TEST(test_several_malformed_or_repeated_extensions_are_one_cert_invalid) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        _cleanup_(X509_freep) X509 *leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                                                 .key = k_leaf,
                                                                 .issuer = inter,
                                                                 .issuer_key = k_inter,
                                                                 .san = LEAF_SAN,
                                                                 .pathlen = -1});

        set_ext(leaf, inter, k_inter, "subjectAltName", "DER:04:03:01:02:03");
        set_ext(leaf, inter, k_inter, "extendedKeyUsage", "DER:05:00");
        run_certs(input("rem"), (X509 *[]){leaf, inter, root}, 3, &d);
        expect_one_cert_invalid(&d, 0, "its subjectAltName and extendedKeyUsage extensions are malformed (do not decode)");
        run_certs(strict_input(), (X509 *[]){leaf, inter, root}, 3, &f);
        expect_one_cert_invalid(&f, 0, "its subjectAltName and extendedKeyUsage extensions are malformed (do not decode)");

        /* A repeated keyUsage: each copy decodes, OpenSSL still refuses. */
        findings_clear(&d);
        X509_free(leaf);
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .ku = "critical,digitalSignature",
                                     .pathlen = -1});
        add_ext_again(leaf, inter, k_inter, "keyUsage", "critical,digitalSignature");
        run_certs(input("rem"), (X509 *[]){leaf, inter, root}, 3, &d);
        expect_one_cert_invalid(&d, 0, "its keyUsage extension appears more than once");
}
END_TEST

/* An issuing CA whose authorityKeyIdentifier does not decode: CERT_INVALID on
 * it, in every profile; strict does not add "no authorityKeyIdentifier" or a
 * CERT_FORMAT of its own; the server certificate is judged as usual. */
START_TEST(test_malformed_extension_of_an_intermediate_is_cert_invalid) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        TuCertSpec s = leaf_spec();

        s.eku = "clientAuth"; /* the leaf's own checks still run */
        run_inter_ext(input("rem"), "authorityKeyIdentifier", "DER:04:03:01:02:03", &s, &d);
        expect(&d, FINDING_CERT_INVALID, SEVERITY_ERROR, 1,
               "its authorityKeyIdentifier extension is malformed (does not decode)");
        ck_assert_uint_eq(fa_count(&d, FINDING_CERT_INVALID), 1);
        expect(&d, FINDING_EKU, SEVERITY_ERROR, 0, "serverAuth");

        run_inter_ext(strict_input(), "authorityKeyIdentifier", "DER:04:03:01:02:03", &s, &f);
        expect(&f, FINDING_CERT_INVALID, SEVERITY_ERROR, 1, "authorityKeyIdentifier");
        ck_assert_uint_eq(fa_count(&f, FINDING_CERT_INVALID), 1);
        ASSERT_LACKS(&f, FINDING_CERT_FORMAT);
}
END_TEST

/* ---- text from the certificate in messages --------------------------------------------- */

/* No byte of s is a control character or DEL. */
static void assert_no_controls(const char *what, const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; p && *p; p++)
                ck_assert_msg(*p >= 0x20 && *p != 0x7f, "%s holds byte 0x%02x: %s", what, *p, s);
}

#define EVIL_DNS "\n   rem: OK \x1b[32mfine\x1b[0m\x7f\xc2\x9b"

/* A hostile certificate's SAN and subject carry a line break and terminal
 * escapes: the messages quote them escaped (\x0a, \x1b), never raw. */
START_TEST(test_control_characters_from_the_certificate_are_escaped_in_messages) {
        _cleanup_(findings_clear) Findings f = {}, df = {};
        _cleanup_(deploy_freep) Deployment *d = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        static const char yaml[] = "subject:\n"
                                   "  country: NZ\n"
                                   "  organization: SomeTelco\n"
                                   "  organizational_unit: NOC\n";
        static const char *const names[] = { "xcap.sometelco.com", EVIL_DNS };
        static const size_t lens[] = { sizeof "xcap.sometelco.com" - 1, sizeof EVIL_DNS - 1 };
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("xcap");
        bool escaped = false;

        s.subject = "/C=NZ/O=SomeTelco/OU=\n  xcap: OK \x1b[2K\x01/CN=xcap.sometelco.com";
        leaf = tu_cert(&s);
        tu_set_dns_sans_raw(leaf, k_inter, names, lens, ELEMENTSOF(names));
        ck_assert_int_eq(deploy_parse("deployment.yaml", yaml, strlen(yaml), &d, &df), 0);
        in.deploy = d;
        in.names = NAMES("other.sometelco.com");
        run_certs(in, (X509 *[]){leaf, inter, root}, 3, &f);

        ASSERT_HAS(&f, FINDING_SAN_NOT_COVERED); /* quotes every SAN */
        ASSERT_HAS(&f, FINDING_XCAP_NAME);       /* quotes the hostile one */
        ASSERT_HAS(&f, FINDING_SUBJECT_FIELDS);  /* quotes the OU */
        for (size_t i = 0; i < f.n; i++) {
                assert_no_controls("message", f.items[i].message);
                assert_no_controls("subject", f.items[i].subject);
                assert_no_controls("hint", f.items[i].hint);
                if (strstr(f.items[i].message, "\\x0a   rem: OK \\x1b[32mfine\\x1b[0m\\x7f\\xc2\\x9b"))
                        escaped = true;
        }
        {
                _cleanup_(freep) char *all = fa_describe(&f);
                ck_assert_msg(escaped, "no message quotes the SAN escaped: %s", all);
        }
        ck_assert_msg(strstr(fa_first(&f, FINDING_SUBJECT_FIELDS)->message,
                             "'\\x0a  xcap: OK \\x1b[2K\\x01'"),
                      "%s", fa_first(&f, FINDING_SUBJECT_FIELDS)->message);
}
END_TEST

/* Near miss: UTF-8 in the subject is quoted as it is. */
START_TEST(test_utf8_subject_is_quoted_unchanged) {
        _cleanup_(findings_clear) Findings f = {}, df = {};
        _cleanup_(deploy_freep) Deployment *d = NULL;
        static const char yaml[] = "subject:\n"
                                   "  organization: SomeTelco\n";
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.subject = "/C=NZ/O=Z\xc3\xbcrich Telco/OU=NOC/CN=rem.sometelco.com";
        ck_assert_int_eq(deploy_parse("deployment.yaml", yaml, strlen(yaml), &d, &df), 0);
        in.deploy = d;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_SUBJECT_FIELDS, SEVERITY_WARNING, 0,
               "subject O is 'Z\xc3\xbcrich Telco' but the deployment says 'SomeTelco'");
}
END_TEST

/* ---- strict ------------------------------------------------------------------------------ */

START_TEST(test_strict_clean_chain) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        in.profile = PROFILE_STRICT;
        in.names = NAMES("rem.sometelco.com");
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_negative_serial_and_no_aki_are_cert_format) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.serial = -5;
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f); /* default profile: not judged */

        in.profile = PROFILE_STRICT;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "negative");

        findings_clear(&f);
        s.serial = 0;
        s.no_ski_aki = true;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "authorityKeyIdentifier");
}
END_TEST

START_TEST(test_ed25519_is_weak_key_warning_by_default_error_in_strict) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *ed448 = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");
        const Finding *x;

        ck_assert_ptr_nonnull(ed);
        ck_assert_ptr_nonnull(ed448);
        s.key = ed;
        s.ku = "critical,digitalSignature";
        run_leaf(in, &s, &f);
        /* Default: accepted, but the operator is told few clients take it. */
        expect(&f, FINDING_WEAK_KEY, SEVERITY_WARNING, 0,
               "Ed25519 certificates are not supported by browsers and most phones (UEs); use RSA 2048 or EC P-256");
        ck_assert_uint_eq(f.n, 1);
        x = fa_first(&f, FINDING_WEAK_KEY);
        ck_assert_msg(strstr(x->hint, "RSA 2048-bit or EC P-256"), "hint: %s", x->hint);

        findings_clear(&f);
        in.profile = PROFILE_STRICT;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 0, "Ed25519");

        findings_clear(&f);
        in.profile = PROFILE_INNOVAPHONE;
        s.ku = "critical,digitalSignature,keyEncipherment";
        s.eku = "serverAuth,clientAuth";
        run_leaf(in, &s, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 0, "Ed25519");

        findings_clear(&f);
        s.key = ed448;
        s.ku = "critical,digitalSignature";
        s.eku = NULL;
        run_leaf(input("rem"), &s, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_WARNING, 0, "Ed448 certificates are not supported");

        /* Near miss: EC P-256 is no WEAK_KEY in any profile. */
        findings_clear(&f);
        s.key = k_leaf;
        run_leaf(input("rem"), &s, &f);
        ASSERT_LACKS(&f, FINDING_WEAK_KEY);
}
END_TEST

/* A leaf with subject subj and SANs san under the shared CAs: default then
 * strict. */
static void run_subject(const char *subj, const char *san, Findings *def, Findings *strict) {
        TuCertSpec s = leaf_spec();

        s.subject = subj;
        s.san = san;
        run_leaf_ext(&s, NULL, NULL, def, strict);
}

#define SUBJ_FIELDS "/C=NZ/O=SomeTelco/OU=SomeCity Network Operations Center"

START_TEST(test_strict_cn_spelt_differently_is_cert_format) {
        _cleanup_(findings_clear) Findings d = {}, f = {};

        run_subject(SUBJ_FIELDS "/CN=REM.SomeTelco.com", LEAF_SAN, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "DNS:rem.sometelco.com written differently");

        findings_clear(&d);
        findings_clear(&f);
        run_subject(SUBJ_FIELDS "/CN=2001:DB8:0::1", "DNS:rem.sometelco.com,IP:2001:db8::1", &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "IP:2001:db8::1 written differently");

        findings_clear(&d);
        findings_clear(&f);
        run_subject(SUBJ_FIELDS "/CN=r\xc3\xa9m.sometelco.com", LEAF_SAN, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "xn--rm-bja.sometelco.com");
}
END_TEST

START_TEST(test_strict_cn_copy_or_other_name_is_fine) {
        _cleanup_(findings_clear) Findings d = {}, f = {};

        /* An exact copy of the IP SAN ... */
        run_subject(SUBJ_FIELDS "/CN=192.168.10.10", LEAF_SAN, &d, &f);
        ASSERT_NONE(&f);
        /* ... and a CN that names something else: browsers ignore it. */
        findings_clear(&d);
        findings_clear(&f);
        run_subject(SUBJ_FIELDS "/CN=SomeTelco REM server", LEAF_SAN, &d, &f);
        ASSERT_NONE(&f);
        findings_clear(&d);
        findings_clear(&f);
        run_subject(SUBJ_FIELDS "/CN=rem", LEAF_SAN, &d, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_rsa_not_multiple_of_8_is_weak_key) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        _cleanup_(X509_freep) X509 *r = NULL;
        TuCertSpec s = leaf_spec();

        s.key = k_rsa2052;
        run_leaf_ext(&s, NULL, NULL, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 0, "2052 bits, not a multiple of 8");

        /* A root from the trust anchors too. */
        findings_clear(&d);
        findings_clear(&f);
        r = tu_cert(&(TuCertSpec){
                .subject = ROOT_SUBJ, .key = k_rsa2052, .ca = true, .pathlen = -1});
        run_anchor(input("rem"), r, k_rsa2052, &d);
        ASSERT_NONE(&d);
        run_anchor(strict_input(), r, k_rsa2052, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, -1, "trust anchor: RSA key of 2052 bits");
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_WEAK_KEY)->hint, "trust anchors"));

        /* Near miss: 2048 bits. */
        findings_clear(&d);
        findings_clear(&f);
        s.key = k_rsa2048;
        run_leaf_ext(&s, NULL, NULL, &d, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_ec_curve_other_than_nist_is_weak_key) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *p384 = tu_key_ec("P-384");
        TuCertSpec s = leaf_spec();

        s.key = k_k256;
        run_leaf_ext(&s, NULL, NULL, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, 0, "secp256k1");
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_WEAK_KEY)->hint, "P-256"));

        findings_clear(&d);
        findings_clear(&f);
        s.key = p384;
        run_leaf_ext(&s, NULL, NULL, &d, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_anchor_weak_key_is_weak_key) {
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *r = NULL;

        /* Outside strict an anchor is the operator's choice
         * (test_anchor_root_key_and_signature_are_not_judged); strict clients
         * refuse a weak root as browsers' root programs do. */
        r = tu_cert(&(TuCertSpec){
                .subject = ROOT_SUBJ, .key = k_p224, .ca = true, .pathlen = -1});
        run_anchor(strict_input(), r, k_p224, &f);
        expect(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, -1, "trust anchor: EC key of 224 bits");
        ck_assert_uint_eq(fa_count(&f, FINDING_WEAK_KEY), 1);
}
END_TEST

START_TEST(test_strict_anchor_root_clean) {
        _cleanup_(findings_clear) Findings f = {};

        run_anchor(strict_input(), root, k_root, &f);
        ASSERT_NONE(&f);
}
END_TEST

/* The shared root's twin with extension name=value, from the trust anchors;
 * default then strict. */
static void run_root_ext(const char *name, const char *value, const char *eku, Findings *def,
                         Findings *strict) {
        _cleanup_(X509_freep) X509 *r = NULL;

        r = tu_cert(&(TuCertSpec){
                .subject = ROOT_SUBJ, .key = k_root, .ca = true, .pathlen = -1, .eku = eku});
        if (name)
                set_ext(r, NULL, k_root, name, value);
        run_anchor(input("rem"), r, k_root, def);
        run_anchor(strict_input(), r, k_root, strict);
}

START_TEST(test_strict_root_aki_is_cert_format) {
        _cleanup_(findings_clear) Findings d = {}, f = {};

        run_root_ext("authorityKeyIdentifier", "keyid:always,issuer:always", NULL, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, -1, "authorityCertIssuer");
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CERT_FORMAT)->hint, "trust anchors"));

        findings_clear(&d);
        findings_clear(&f);
        run_root_ext("authorityKeyIdentifier",
                     "DER:30:16:80:14:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14",
                     NULL, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, -1, "differs from its subjectKeyIdentifier");

        findings_clear(&d);
        findings_clear(&f);
        run_root_ext("authorityKeyIdentifier", "DER:30:00", NULL, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, -1, "no keyIdentifier");

        /* Near miss: keyid only, equal to the SKI (what tu_cert makes). */
        findings_clear(&d);
        findings_clear(&f);
        run_root_ext("authorityKeyIdentifier", "keyid:always", NULL, &d, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_root_eku_is_cert_format) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        _cleanup_(X509_freep) X509 *r = NULL, *leaf = NULL;

        run_root_ext(NULL, NULL, "serverAuth", &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, -1, "extendedKeyUsage");

        /* A root in the file, too. */
        findings_clear(&f);
        r = tu_cert(&(TuCertSpec){.subject = ROOT_SUBJ,
                                  .key = k_root,
                                  .ca = true,
                                  .pathlen = -1,
                                  .eku = "serverAuth"});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = r,
                                     .issuer_key = k_root,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
        run_certs(strict_input(), (X509 *[]){leaf, r}, 2, &f);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 1, "root certificate carries an extendedKeyUsage");

        /* Near miss: an issuing CA may carry one. */
        findings_clear(&f);
        {
                TuCertSpec s = leaf_spec();
                run_inter_ext(strict_input(), "extendedKeyUsage", "serverAuth", &s, &f);
        }
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_name_constraints_in_leaf_is_cert_format) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        TuCertSpec s = leaf_spec();

        run_leaf_ext(&s, "nameConstraints", "critical,permitted;DNS:sometelco.com", &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "not a CA");
}
END_TEST

START_TEST(test_strict_name_constraints_forms) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        run_inter_ext(input("rem"), "nameConstraints", "critical,permitted;DNS:.sometelco.com", &s, &f);
        ASSERT_NONE(&f);
        run_inter_ext(strict_input(), "nameConstraints", "critical,permitted;DNS:.sometelco.com", &s, &f);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 1, "DNS:.sometelco.com starts with a period");

        findings_clear(&f);
        run_inter_ext(strict_input(), "nameConstraints", "critical,DER:30:00", &s, &f);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 1, "neither permitted nor excluded");

        /* Not critical: RFC 5280 says it must be; browsers accept it. */
        findings_clear(&f);
        run_inter_ext(strict_input(), "nameConstraints", "permitted;DNS:sometelco.com", &s, &f);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_WARNING, 1, "not marked critical");
        ck_assert(!findings_has_errors(&f));

        /* Near miss. */
        findings_clear(&f);
        run_inter_ext(strict_input(), "nameConstraints", "critical,permitted;DNS:sometelco.com,excluded;DNS:bar.sometelco.com", &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_invalid_dns_san_is_cert_format) {
        _cleanup_(findings_clear) Findings d = {}, f = {};

        run_subject(LEAF_SUBJ, "DNS:rem.sometelco.com,DNS:.sometelco.com", &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "DNS:.sometelco.com is neither a host name nor a wildcard");

        findings_clear(&d);
        findings_clear(&f);
        run_subject(LEAF_SUBJ, "DNS:rem.sometelco.com,DNS:_sip._tcp.sometelco.com", &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "DNS:_sip._tcp.sometelco.com");

        /* Near miss: a wildcard and an IP SAN are fine; an address written
         * as a DNS name is SAN_IP_AS_DNS only. */
        findings_clear(&d);
        findings_clear(&f);
        run_subject(LEAF_SUBJ, "DNS:rem.sometelco.com,DNS:*.sometelco.com,IP:192.0.2.1", &d, &f);
        ASSERT_NONE(&f);
        findings_clear(&d);
        findings_clear(&f);
        run_subject(LEAF_SUBJ, "DNS:rem.sometelco.com,DNS:192.0.2.1", &d, &f);
        ASSERT_HAS(&f, FINDING_SAN_IP_AS_DNS);
        ASSERT_LACKS(&f, FINDING_CERT_FORMAT);
}
END_TEST

START_TEST(test_strict_any_eku_or_critical_eku_is_eku) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        TuCertSpec s = leaf_spec();

        s.eku = "serverAuth,anyExtendedKeyUsage";
        run_leaf_ext(&s, NULL, NULL, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_EKU, SEVERITY_ERROR, 0, "anyExtendedKeyUsage");
        ck_assert_uint_eq(fa_count(&f, FINDING_EKU), 1);

        findings_clear(&d);
        findings_clear(&f);
        s.eku = "critical,serverAuth";
        run_leaf_ext(&s, NULL, NULL, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_EKU, SEVERITY_ERROR, 0, "marked critical");

        findings_clear(&d);
        findings_clear(&f);
        s.eku = "serverAuth,clientAuth";
        run_leaf_ext(&s, NULL, NULL, &d, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_san_criticality_is_cert_format) {
        _cleanup_(findings_clear) Findings d = {}, f = {};

        run_subject(LEAF_SUBJ, "critical," LEAF_SAN, &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "marked critical although the subject is not empty");

        findings_clear(&d);
        findings_clear(&f);
        run_subject("/", LEAF_SAN, &d, &f);
        ASSERT_LACKS(&d, FINDING_CERT_FORMAT);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "subject is empty");

        /* Near miss: an empty subject with a critical SAN. */
        findings_clear(&d);
        findings_clear(&f);
        run_subject("/", "critical," LEAF_SAN, &d, &f);
        ASSERT_LACKS(&f, FINDING_CERT_FORMAT);
}
END_TEST

START_TEST(test_strict_malformed_or_empty_aia_is_cert_format) {
        _cleanup_(findings_clear) Findings d = {}, f = {};
        TuCertSpec s = leaf_spec();

        run_leaf_ext(&s, "authorityInfoAccess", "DER:30:00", &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "Authority Information Access extension holds no entry");

        findings_clear(&d);
        findings_clear(&f);
        run_leaf_ext(&s, "authorityInfoAccess", "DER:6d:61:6c:66:6f:72:6d:65:64", &d, &f);
        ASSERT_NONE(&d);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 0, "Authority Information Access extension is malformed");
        ck_assert_uint_eq(fa_count(&f, FINDING_CERT_FORMAT), 1);

        findings_clear(&d);
        findings_clear(&f);
        run_leaf_ext(&s, "authorityInfoAccess", "OCSP;URI:http://ocsp.sometelco.com,caIssuers;URI:http://pki.sometelco.com/ca.crt", &d, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_noncritical_policy_constraints_is_cert_format) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();

        run_inter_ext(input("rem"), "policyConstraints", "inhibitPolicyMapping:0", &s, &f);
        ASSERT_NONE(&f);
        run_inter_ext(strict_input(), "policyConstraints", "inhibitPolicyMapping:0", &s, &f);
        expect(&f, FINDING_CERT_FORMAT, SEVERITY_ERROR, 1, "policyConstraints");

        findings_clear(&f);
        run_inter_ext(strict_input(), "policyConstraints", "critical,inhibitPolicyMapping:0", &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_strict_wildcard_over_private_suffix_is_san_not_covered) {
        _cleanup_(findings_clear) Findings f = {};
        TuCertSpec s = leaf_spec();
        PolicyInput in = input("rem");

        s.san = "DNS:*.github.io";
        in.names = NAMES("rem.github.io");
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f); /* browsers accept it */
        in.profile = PROFILE_STRICT;
        run_leaf(in, &s, &f);
        expect(&f, FINDING_SAN_NOT_COVERED, SEVERITY_ERROR, 0, "shared by many owners");

        /* Near miss: one label further down. */
        findings_clear(&f);
        s.san = "DNS:*.sometelco.github.io";
        in.names = NAMES("rem.sometelco.github.io");
        run_leaf(in, &s, &f);
        ASSERT_NONE(&f);
}
END_TEST

/* ---- anchors ------------------------------------------------------------------------------ */

START_TEST(test_anchor_root_key_and_signature_are_not_judged) {
        _cleanup_(findings_clear) Findings f = {};

        /* A weak SHA-1 root from --trust is the operator's choice. */
        run_with_anchor(k_rsa1024, "SHA1", 0, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_anchor_root_expiring_is_cert_expiring) {
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* But the chain stops working when the root it leads to expires. */
        run_with_anchor(k_root, NULL, TU_NOW + 10 * TU_DAY, &f);
        expect(&f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, -1, "the trust anchor expires");
        x = fa_first(&f, FINDING_CERT_EXPIRING);
        ck_assert_ptr_nonnull(strstr(x->subject, "SomeTelco Root CA"));
        ck_assert_ptr_nonnull(strstr(x->hint, "trust anchors"));

        findings_clear(&f);
        run_with_anchor(k_root, NULL, TU_NOW - 3600, &f);
        expect(&f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, -1, "less than a day ago");
}
END_TEST

static Suite *policy_suite(void) {
        Suite *s = suite_create("policy");
        TCase *tc;

        tc = tcase_create("validity");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_good_rem_certificate_has_no_findings);
        tcase_add_test(tc, test_29_days_left_is_cert_expiring);
        tcase_add_test(tc, test_31_days_left_is_not_cert_expiring);
        tcase_add_test(tc, test_expired_leaf_is_cert_expiring);
        tcase_add_test(tc, test_expired_intermediate_is_cert_expiring);
        tcase_add_test(tc, test_root_expiring_soon_is_cert_expiring);
        tcase_add_test(tc, test_expired_certificate_off_the_path_is_not_cert_expiring);
        tcase_add_test(tc, test_min_valid_days_zero);
        tcase_add_test(tc, test_not_before_in_future_is_cert_not_yet_valid);
        tcase_add_test(tc, test_not_before_just_past_is_valid);
        suite_add_tcase(s, tc);

        tc = tcase_create("keys");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_rsa_1024_is_weak_key);
        tcase_add_test(tc, test_rsa_2048_and_p256_are_not_weak_key);
        tcase_add_test(tc, test_ec_p224_is_weak_key);
        tcase_add_test(tc, test_weak_intermediate_key_is_weak_key);
        tcase_add_test(tc, test_innovaphone_rsa_3072_is_weak_key);
        tcase_add_test(tc, test_innovaphone_rsa_2048_is_clean);
        tcase_add_test(tc, test_innovaphone_ec_leaf_is_weak_key);
        tcase_add_test(tc, test_ed25519_is_weak_key_warning_by_default_error_in_strict);
        suite_add_tcase(s, tc);

        tc = tcase_create("signatures");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_sha1_leaf_is_weak_signature);
        tcase_add_test(tc, test_md5_leaf_is_weak_signature);
        tcase_add_test(tc, test_sha1_intermediate_is_weak_signature);
        tcase_add_test(tc, test_sha1_self_signed_root_at_chain_end_is_not_weak_signature);
        tcase_add_test(tc, test_sha1_self_signed_server_certificate_is_weak_signature);
        tcase_add_test(tc, test_innovaphone_sha384_is_weak_signature);
        tcase_add_test(tc, test_anchor_root_key_and_signature_are_not_judged);
        tcase_add_test(tc, test_anchor_root_expiring_is_cert_expiring);
        suite_add_tcase(s, tc);

        tc = tcase_create("names");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_cn_only_is_san_missing);
        tcase_add_test(tc, test_san_with_only_an_email_is_san_missing);
        tcase_add_test(tc, test_ip_written_as_dns_is_san_ip_as_dns);
        tcase_add_test(tc, test_ip_san_is_not_san_ip_as_dns);
        tcase_add_test(tc, test_uncovered_name_is_san_not_covered);
        tcase_add_test(tc, test_wildcard_covers_one_label);
        tcase_add_test(tc, test_wildcard_two_labels_down_is_san_not_covered);
        tcase_add_test(tc, test_partial_wildcard_is_san_not_covered);
        tcase_add_test(tc, test_wildcard_over_public_suffix_is_san_not_covered);
        tcase_add_test(tc, test_invalid_configured_name_is_name_invalid);
        tcase_add_test(tc, test_xcap_name_without_xcap_prefix_is_xcap_name);
        tcase_add_test(tc, test_xcap_prefixed_names_are_not_xcap_name);
        tcase_add_test(tc, test_rem_certificate_has_no_xcap_rules);
        tcase_add_test(tc, test_bsf_name_not_starting_with_bsf_is_bsf_name);
        tcase_add_test(tc, test_bsf_names_differing_from_xcap_names_is_bsf_name);
        tcase_add_test(tc, test_bsf_names_matching_xcap_names_are_not_bsf_name);
        tcase_add_test(tc, test_unpadded_3gpp_name_is_name_3gpp_form);
        tcase_add_test(tc, test_unpadded_3gpp_name_beside_a_padded_one_is_name_3gpp_form);
        tcase_add_test(tc, test_3gpp_name_for_other_network_is_name_3gpp_form);
        tcase_add_test(tc, test_bsf_3gpp_form);
        suite_add_tcase(s, tc);

        tc = tcase_create("subject");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_cn_only_subject_is_subject_fields);
        tcase_add_test(tc, test_subject_not_matching_deployment_is_subject_fields);
        tcase_add_test(tc, test_subject_matching_deployment_is_clean);
        suite_add_tcase(s, tc);

        tc = tcase_create("usage");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_key_usage_without_digital_signature_is_key_usage);
        tcase_add_test(tc, test_rsa_key_encipherment_only_is_a_key_usage_warning);
        tcase_add_test(tc, test_key_usage_digital_signature_or_absent_is_fine);
        tcase_add_test(tc, test_eku_without_server_auth_is_eku_error);
        tcase_add_test(tc, test_eku_absent_is_warning_by_default_error_in_strict);
        tcase_add_test(tc, test_eku_server_auth_is_fine_any_eku_only_by_default);
        tcase_add_test(tc, test_innovaphone_usages);
        suite_add_tcase(s, tc);

        tc = tcase_create("decoding");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_malformed_san_is_one_cert_invalid_in_every_profile);
        tcase_add_test(tc, test_readable_san_is_not_cert_invalid);
        tcase_add_test(tc, test_several_malformed_or_repeated_extensions_are_one_cert_invalid);
        tcase_add_test(tc, test_malformed_extension_of_an_intermediate_is_cert_invalid);
        suite_add_tcase(s, tc);

        tc = tcase_create("quoting");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_control_characters_from_the_certificate_are_escaped_in_messages);
        tcase_add_test(tc, test_utf8_subject_is_quoted_unchanged);
        suite_add_tcase(s, tc);

        tc = tcase_create("strict");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_strict_clean_chain);
        tcase_add_test(tc, test_strict_negative_serial_and_no_aki_are_cert_format);
        tcase_add_test(tc, test_strict_cn_spelt_differently_is_cert_format);
        tcase_add_test(tc, test_strict_cn_copy_or_other_name_is_fine);
        tcase_add_test(tc, test_strict_rsa_not_multiple_of_8_is_weak_key);
        tcase_add_test(tc, test_strict_ec_curve_other_than_nist_is_weak_key);
        tcase_add_test(tc, test_strict_anchor_weak_key_is_weak_key);
        tcase_add_test(tc, test_strict_anchor_root_clean);
        tcase_add_test(tc, test_strict_root_aki_is_cert_format);
        tcase_add_test(tc, test_strict_root_eku_is_cert_format);
        tcase_add_test(tc, test_strict_name_constraints_in_leaf_is_cert_format);
        tcase_add_test(tc, test_strict_name_constraints_forms);
        tcase_add_test(tc, test_strict_invalid_dns_san_is_cert_format);
        tcase_add_test(tc, test_strict_any_eku_or_critical_eku_is_eku);
        tcase_add_test(tc, test_strict_san_criticality_is_cert_format);
        tcase_add_test(tc, test_strict_malformed_or_empty_aia_is_cert_format);
        tcase_add_test(tc, test_strict_noncritical_policy_constraints_is_cert_format);
        tcase_add_test(tc, test_strict_wildcard_over_private_suffix_is_san_not_covered);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr;
        int failed;

        k_root = tu_key_ec("P-256");
        k_inter = tu_key_ec("P-256");
        k_leaf = tu_key_ec("P-256");
        k_p224 = tu_key_ec("P-224");
        k_rsa1024 = tu_key_rsa(1024);
        k_rsa2048 = tu_key_rsa(2048);
        k_rsa3072 = tu_key_rsa(3072);
        k_rsa2052 = tu_key_rsa(2052);
        k_k256 = tu_key_ec("secp256k1");
        root = tu_cert(
                &(TuCertSpec){.subject = ROOT_SUBJ, .key = k_root, .ca = true, .pathlen = -1});
        inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                      .key = k_inter,
                                      .issuer = root,
                                      .issuer_key = k_root,
                                      .ca = true,
                                      .pathlen = -1});

        sr = srunner_create(policy_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        X509_free(inter);
        X509_free(root);
        EVP_PKEY_free(k_root);
        EVP_PKEY_free(k_inter);
        EVP_PKEY_free(k_leaf);
        EVP_PKEY_free(k_p224);
        EVP_PKEY_free(k_rsa1024);
        EVP_PKEY_free(k_rsa2048);
        EVP_PKEY_free(k_rsa3072);
        EVP_PKEY_free(k_rsa2052);
        EVP_PKEY_free(k_k256);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
