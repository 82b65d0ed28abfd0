/* test_chain: ordering a bundle into a chain (CHAIN_ORDER, CHAIN_INCOMPLETE,
 * CHAIN_UNRELATED, CHAIN_SIGNATURE, CHAIN_ROOT_ADDED), the CA flags of the
 * issuers and the leaf (CHAIN_CA_FLAGS), and OpenSSL's path validation
 * (PATH_INVALID), and revocation against CRLs (CERT_REVOKED, CRL_INVALID).
 * Bundles and CRLs are parsed from PEM/DER built in memory; nothing here
 * touches the file system or the clock. */

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "bundle.h"
#include "chain.h"
#include "macro.h"
#include "findassert.h"
#include "testutil.h"

#define ROOT_SUBJ  "/C=NZ/O=SomeTelco/OU=PKI/CN=SomeTelco Root CA"
#define INTER_SUBJ "/C=NZ/O=SomeTelco/OU=PKI/CN=SomeTelco Issuing CA"
#define LEAF_SUBJ  "/C=NZ/O=SomeTelco/OU=SomeCity Network Operations Center/CN=rem.sometelco.com"
#define LEAF_SAN   "DNS:rem.sometelco.com,IP:192.168.10.10"

/* Keys are made once, before the tests run (EC keys: fast under ASan). */
static EVP_PKEY *k_root, *k_inter, *k_leaf, *k_other;

/* ---- helpers ---------------------------------------------------------------- */

typedef struct Pki {
        X509 *root, *inter, *leaf;
} Pki;

static X509 *make_ca(const char *subject, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                     int pathlen) {
        return tu_cert(&(TuCertSpec){.subject = subject,
                                     .key = key,
                                     .issuer = issuer,
                                     .issuer_key = issuer_key,
                                     .ca = true,
                                     .pathlen = pathlen});
}

static X509 *make_leaf(X509 *issuer, EVP_PKEY *issuer_key) {
        return tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = issuer,
                                     .issuer_key = issuer_key,
                                     .san = LEAF_SAN,
                                     .pathlen = -1});
}

static void pki_make(Pki *p) {
        p->root = make_ca(ROOT_SUBJ, k_root, NULL, NULL, -1);
        p->inter = make_ca(INTER_SUBJ, k_inter, p->root, k_root, -1);
        p->leaf = make_leaf(p->inter, k_inter);
}

static void pki_done(Pki *p) {
        X509_free(p->root);
        X509_free(p->inter);
        X509_free(p->leaf);
        *p = (Pki){};
}

/* Adds an extension to x and signs it again with signer. */
static void add_ext_resign(X509 *x, X509 *issuer, int nid, const char *value, EVP_PKEY *signer) {
        X509V3_CTX ctx;
        X509_EXTENSION *e;

        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
        e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
        ck_assert_int_gt(X509_sign(x, signer, EVP_sha256()), 0);
}

/* Adds a private extension nobody understands (OID 1.3.6.1.4.1.55555.1, value NULL). */
static void add_unknown_ext_resign(X509 *x, bool critical, EVP_PKEY *signer) {
        ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        X509_EXTENSION *e;

        ck_assert_ptr_nonnull(obj);
        ck_assert_ptr_nonnull(os);
        ck_assert_int_eq(ASN1_OCTET_STRING_set(os, (const unsigned char *) "\x05\x00", 2), 1);
        e = X509_EXTENSION_create_by_OBJ(NULL, obj, critical, os);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(obj);
        ck_assert_int_gt(X509_sign(x, signer, EVP_sha256()), 0);
}

/* A bundle parsed from the PEM of certs, in that order. */
static Bundle *bundle_of_(X509 *const *certs, size_t n) {
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
        ck_assert_uint_eq(f.n, 0);
        ck_assert_uint_eq(b->n_certs, n);
        return b;
}
#define BUNDLE(...) bundle_of_((X509 *[]){__VA_ARGS__}, ELEMENTSOF(((X509 *[]){__VA_ARGS__})))

static STACK_OF(X509) * stack_of_(X509 *const *certs, size_t n) {
        STACK_OF(X509) *s = sk_X509_new_null();

        ck_assert_ptr_nonnull(s);
        for (size_t i = 0; i < n; i++) {
                ck_assert_int_eq(X509_up_ref(certs[i]), 1);
                ck_assert_int_gt(sk_X509_push(s, certs[i]), 0);
        }
        return s;
}
#define ANCHORS(...) stack_of_((X509 *[]){__VA_ARGS__}, ELEMENTSOF(((X509 *[]){__VA_ARGS__})))

/* "CODE: message; CODE: message" for failure messages (malloc'd). */

/* ---- CRLs -------------------------------------------------------------------- */

typedef struct CrlSpec {
        X509 *issuer;           /* the CRL's issuer name: this certificate's subject */
        EVP_PKEY *key;          /* signs it */
        X509 *const *revoked;   /* listed, with revocation date TU_NOW - 10 days */
        size_t n_revoked;
        int reason;             /* CRLReason of every entry; 0 = none (use 1+ below) */
        bool no_number;         /* leave CRLNumber out */
        bool number_critical;   /* mark CRLNumber critical */
        bool unknown_critical;  /* add a critical extension nobody understands */
        X509 *akid_of;          /* add an authorityKeyIdentifier with this certificate's SKI */
        time_t this_update;     /* 0: TU_NOW - 1 day */
        time_t next_update;     /* 0: TU_NOW + 7 days */
} CrlSpec;

#define REASON_KEY_COMPROMISE 1

/* Builds, signs and re-parses (DER) a CRL, so that it is what a loaded one is. */
static X509_CRL *make_crl(const CrlSpec *s) {
        _cleanup_(X509_CRL_freep) X509_CRL *crl = X509_CRL_new();
        _cleanup_(freep) unsigned char *der = NULL;
        ASN1_TIME *t;
        const unsigned char *p;
        X509_CRL *parsed;
        int len;

        ck_assert_ptr_nonnull(crl);
        ck_assert_int_eq(X509_CRL_set_version(crl, X509_CRL_VERSION_2), 1);
        ck_assert_int_eq(X509_CRL_set_issuer_name(crl, X509_get_subject_name(s->issuer)), 1);
        t = ASN1_TIME_set(NULL, s->this_update ? s->this_update : TU_NOW - TU_DAY);
        ck_assert_int_eq(X509_CRL_set1_lastUpdate(crl, t), 1);
        ASN1_TIME_free(t);
        t = ASN1_TIME_set(NULL, s->next_update ? s->next_update : TU_NOW + 7 * TU_DAY);
        ck_assert_int_eq(X509_CRL_set1_nextUpdate(crl, t), 1);
        ASN1_TIME_free(t);

        for (size_t i = 0; i < s->n_revoked; i++) {
                X509_REVOKED *rev = X509_REVOKED_new();

                ck_assert_ptr_nonnull(rev);
                ck_assert_int_eq(X509_REVOKED_set_serialNumber(
                                         rev, X509_get_serialNumber(s->revoked[i])),
                                 1);
                t = ASN1_TIME_set(NULL, TU_NOW - 10 * TU_DAY);
                ck_assert_int_eq(X509_REVOKED_set_revocationDate(rev, t), 1);
                ASN1_TIME_free(t);
                if (s->reason > 0) {
                        ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();
                        ck_assert_int_eq(ASN1_ENUMERATED_set(e, s->reason), 1);
                        ck_assert_int_eq(X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, e, 0, 0), 1);
                        ASN1_ENUMERATED_free(e);
                }
                ck_assert_int_eq(X509_CRL_add0_revoked(crl, rev), 1);
        }

        if (!s->no_number) {
                ASN1_INTEGER *n = ASN1_INTEGER_new();
                ck_assert_int_eq(ASN1_INTEGER_set(n, 42), 1);
                ck_assert_int_eq(X509_CRL_add1_ext_i2d(crl, NID_crl_number, n,
                                                       s->number_critical ? 1 : 0, 0),
                                 1);
                ASN1_INTEGER_free(n);
        }
        if (s->akid_of) {
                X509V3_CTX ctx;
                X509_EXTENSION *e;

                X509V3_set_ctx(&ctx, s->akid_of, NULL, NULL, crl, 0);
                e = X509V3_EXT_nconf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
                ck_assert_ptr_nonnull(e);
                ck_assert_int_eq(X509_CRL_add_ext(crl, e, -1), 1);
                X509_EXTENSION_free(e);
        }
        if (s->unknown_critical) {
                ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.4.1.55555.2", 1);
                ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
                X509_EXTENSION *e;

                ck_assert_int_eq(ASN1_OCTET_STRING_set(os, (const unsigned char *) "\x05\x00", 2), 1);
                e = X509_EXTENSION_create_by_OBJ(NULL, obj, 1, os);
                ck_assert_ptr_nonnull(e);
                ck_assert_int_eq(X509_CRL_add_ext(crl, e, -1), 1);
                X509_EXTENSION_free(e);
                ASN1_OCTET_STRING_free(os);
                ASN1_OBJECT_free(obj);
        }
        ck_assert_int_eq(X509_CRL_sort(crl), 1);
        ck_assert_int_gt(X509_CRL_sign(crl, s->key, EVP_sha256()), 0);

        len = i2d_X509_CRL(crl, &der);
        ck_assert_int_gt(len, 0);
        p = der;
        parsed = d2i_X509_CRL(NULL, &p, len);
        ck_assert_ptr_nonnull(parsed);
        return parsed;
}

static STACK_OF(X509_CRL) * crl_stack_of_(X509_CRL *const *crls, size_t n) {
        STACK_OF(X509_CRL) *s = sk_X509_CRL_new_null();

        ck_assert_ptr_nonnull(s);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_gt(sk_X509_CRL_push(s, crls[i]), 0); /* takes them over */
        return s;
}
#define CRLS(...)                                                                                  \
        crl_stack_of_((X509_CRL *[]){__VA_ARGS__}, ELEMENTSOF(((X509_CRL *[]){__VA_ARGS__})))

/* Options with CRLs (and TU_NOW, the default profile, no anchors). */
#define CRL_OPTS(list) (&(ChainOptions){.now = TU_NOW, .profile = PROFILE_DEFAULT, .crls = (list)})

static size_t count_sev(const Findings *f, FindingCode c, Severity sev) {
        size_t n = 0;

        for (size_t i = 0; i < f->n; i++)
                if (f->items[i].code == c && f->items[i].severity == sev)
                        n++;
        return n;
}

/* The options check gives the chain functions: anchors, TU_NOW, a profile. */
#define OPTS(a, p) (&(ChainOptions){.anchors = (a), .now = TU_NOW, .profile = (p)})

/* Runs chain_build, chain_check_ca_flags and chain_verify as check does. */
static ChainResult *run_with(const Bundle *b, int hint, const ChainOptions *o, Findings *f) {
        ChainResult *c = NULL;

        ck_assert_int_eq(chain_build(b, hint, o, &c, f), 0);
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(chain_check_ca_flags(b, c, f), 0);
        ck_assert_int_eq(chain_verify(b, c, o, f), 0);
        return c;
}

static ChainResult *run(const Bundle *b, int hint, STACK_OF(X509) * anchors, Findings *f) {
        return run_with(b, hint, OPTS(anchors, PROFILE_DEFAULT), f);
}

/* ---- chain_build -------------------------------------------------------------- */

START_TEST(test_good_chain_has_no_findings) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_NONE(&f);
        ck_assert_int_eq(c->leaf, 0);
        ck_assert(c->complete);
        ck_assert(!c->root_from_trust);
        ck_assert_int_eq(sk_X509_num(c->path), 3);
        for (int i = 0; i < 3; i++)
                ck_assert_ptr_eq(sk_X509_value(c->path, i), b->certs[i]);
        ck_assert_int_eq(chain_bundle_index(b, b->certs[2]), 2);
        ck_assert_int_eq(chain_bundle_index(b, p.root), -1); /* not the bundle's object */
}
END_TEST

START_TEST(test_leaf_and_intermediate_with_root_in_anchors_adds_root) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter);
        anchors = ANCHORS(p.root);
        c = run(b, -1, anchors, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_ROOT_ADDED);
        ck_assert_uint_eq(f.n, 1);
        ASSERT_NO_ERRORS(&f); /* a warning only */
        x = fa_first(&f, FINDING_CHAIN_ROOT_ADDED);
        ck_assert_int_eq(x->severity, SEVERITY_WARNING);
        ck_assert_ptr_nonnull(strstr(x->message, "SomeTelco Root CA"));
        ck_assert(c->complete);
        ck_assert(c->root_from_trust);
        ck_assert_int_eq(sk_X509_num(c->path), 3);
        ck_assert_ptr_eq(sk_X509_value(c->path, 2), p.root);
        /* Neutral: beside an expired root's CERT_EXPIRING, "nothing to do"
         * would be wrong. */
        ck_assert_ptr_null(strcasestr(x->hint, "nothing to do"));
        ck_assert_ptr_nonnull(strstr(x->hint, "trusted roots"));
}
END_TEST

START_TEST(test_root_in_file_and_anchors_is_not_root_added) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(findings_clear) Findings f = {};

        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter, p.root);
        anchors = ANCHORS(p.root);
        c = run(b, -1, anchors, &f);
        ASSERT_NONE(&f);
        ck_assert(!c->root_from_trust);
}
END_TEST

START_TEST(test_chain_may_end_below_an_anchor_intermediate) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* --trust with the issuing CA only: the chain ends below it, and
         * partial-chain validation accepts it. */
        pki_make(&p);
        b = BUNDLE(p.leaf);
        anchors = ANCHORS(p.inter);
        c = run(b, -1, anchors, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_ROOT_ADDED);
        ASSERT_NO_ERRORS(&f);
        ck_assert(c->complete);
        /* But the server would send the leaf alone: not "nothing to do". */
        x = fa_first(&f, FINDING_CHAIN_ROOT_ADDED);
        ck_assert_ptr_nonnull(strstr(x->message, "the chain ends at 'CN=SomeTelco Issuing CA"));
        ck_assert_ptr_nonnull(strstr(x->message, "taken from the trust anchors; the server will not send it"));
        ck_assert_ptr_nonnull(strstr(x->hint, "Append 'CN=SomeTelco Issuing CA"));
        ck_assert_ptr_nonnull(strstr(x->hint, "and its issuers up to the root"));
        ck_assert_ptr_null(strcasestr(x->hint, "nothing to do"));
}
END_TEST

START_TEST(test_reversed_chain_is_chain_order_with_correct_order) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;
        const char *m, *a, *i, *r;

        pki_make(&p);
        b = BUNDLE(p.root, p.inter, p.leaf);
        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_ORDER);
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_ORDER), 1);
        ASSERT_LACKS(&f, FINDING_CHAIN_UNRELATED);
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
        ASSERT_LACKS(&f, FINDING_CHAIN_SIGNATURE);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ck_assert_int_eq(c->leaf, 2);
        ck_assert(c->complete);

        /* The message gives the correct order: file positions 2, 1, 0. */
        x = fa_first(&f, FINDING_CHAIN_ORDER);
        ck_assert_int_eq(x->severity, SEVERITY_ERROR);
        ck_assert_int_eq(x->cert, 2);
        m = x->message;
        a = strstr(m, "2 (CN=rem.sometelco.com");
        i = strstr(m, "1 (CN=SomeTelco Issuing CA");
        r = strstr(m, "0 (CN=SomeTelco Root CA");
        ck_assert_msg(a && i && r && a < i && i < r, "order not given: %s", m);
}
END_TEST

START_TEST(test_leaf_after_intermediate_is_chain_order) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        pki_make(&p);
        b = BUNDLE(p.inter, p.leaf, p.root);
        c = run(b, 1, NULL, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_ORDER);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CHAIN_ORDER)->message, "1 (CN=rem"));
        ck_assert_int_eq(c->leaf, 1);
}
END_TEST

START_TEST(test_leaf_hint_picks_the_key_owner) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* Leaf first, root left out: the hint and the guess agree. */
        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter);
        ck_assert_int_eq(chain_build(b, 0, OPTS(NULL, PROFILE_DEFAULT), &c, &f), 0);
        ck_assert_int_eq(c->leaf, 0);
        chain_result_free(TAKE_PTR(c));
        /* An out-of-range hint falls back to the guess. */
        ck_assert_int_eq(chain_build(b, 7, OPTS(NULL, PROFILE_DEFAULT), &c, &f), 0);
        ck_assert_int_eq(c->leaf, 0);
}
END_TEST

START_TEST(test_missing_intermediate_is_incomplete_naming_it) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        pki_make(&p);
        b = BUNDLE(p.leaf);
        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_INCOMPLETE), 1);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID); /* OpenSSL's "unable to get issuer" is explained */
        x = fa_first(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_ptr_nonnull(strstr(x->message, "CN=SomeTelco Issuing CA"));
        ck_assert_int_eq(x->cert, 0);
        ck_assert(!c->complete);
}
END_TEST

START_TEST(test_missing_intermediate_between_leaf_and_root) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* The root is there but the issuing CA is not: the finding names the
         * missing issuer, and the root is not called unrelated (it may well
         * belong above the missing certificate). */
        pki_make(&p);
        b = BUNDLE(p.leaf, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_ptr_nonnull(
                strstr(fa_first(&f, FINDING_CHAIN_INCOMPLETE)->message, "CN=SomeTelco Issuing CA"));
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CHAIN_INCOMPLETE)->message,
                                     "other CA certificate 1 ('CN=SomeTelco Root CA"));
        ASSERT_LACKS(&f, FINDING_CHAIN_UNRELATED);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
}
END_TEST

START_TEST(test_intermediate_without_root_is_incomplete) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;

        /* Root neither in the file nor in the anchors (an unrelated anchor
         * does not help). */
        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter);
        {
                _cleanup_(X509_freep) X509 *other =
                        make_ca("/CN=Other Root", k_other, NULL, NULL, -1);
                anchors = ANCHORS(other);
        }
        c = run(b, -1, anchors, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_ptr_nonnull(
                strstr(fa_first(&f, FINDING_CHAIN_INCOMPLETE)->message, "CN=SomeTelco Root CA"));
        ck_assert_int_eq(fa_first(&f, FINDING_CHAIN_INCOMPLETE)->cert, 1);
        ASSERT_LACKS(&f, FINDING_CHAIN_ROOT_ADDED);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
}
END_TEST

START_TEST(test_self_signed_leaf_alone_is_complete) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        x = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ, .key = k_leaf, .san = LEAF_SAN});
        b = BUNDLE(x);
        c = run(b, 0, NULL, &f);
        ASSERT_NONE(&f);
        ck_assert(c->complete);
        ck_assert_int_eq(sk_X509_num(c->path), 1);
}
END_TEST

START_TEST(test_unrelated_certificate) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *other = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        pki_make(&p);
        other = make_ca("/C=US/O=Elsewhere/CN=Elsewhere Root", k_other, NULL, NULL, -1);
        b = BUNDLE(p.leaf, p.inter, p.root, other);
        c = run(b, -1, NULL, &f);
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_UNRELATED), 1);
        x = fa_first(&f, FINDING_CHAIN_UNRELATED);
        ck_assert_int_eq(x->cert, 3);
        ck_assert_ptr_nonnull(strstr(x->subject, "Elsewhere Root"));
        ck_assert_ptr_nonnull(strstr(x->message, "rem.sometelco.com"));
        ASSERT_LACKS(&f, FINDING_CHAIN_ORDER);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
}
END_TEST

START_TEST(test_unrelated_server_certificate_even_when_incomplete) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *other = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* A second server certificate can never sit above the leaf. */
        pki_make(&p);
        other = tu_cert(&(TuCertSpec){
                .subject = "/CN=other.example", .key = k_other, .san = "DNS:other.example"});
        b = BUNDLE(p.leaf, other);
        c = run(b, 0, NULL, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_UNRELATED), 1);
        ck_assert_int_eq(fa_first(&f, FINDING_CHAIN_UNRELATED)->cert, 1);
}
END_TEST

START_TEST(test_duplicate_certificate_is_unrelated) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_UNRELATED), 1);
        x = fa_first(&f, FINDING_CHAIN_UNRELATED);
        ck_assert_ptr_nonnull(strstr(x->message, "more than once"));
        ck_assert_int_eq(x->cert, 2);
        ASSERT_LACKS(&f, FINDING_CHAIN_ORDER);
}
END_TEST

START_TEST(test_same_issuer_name_other_key_is_chain_signature) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *forged = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* Issued in the intermediate's name, signed with another key, and no
         * AKI to tell the two apart: names match, the signature does not. */
        pki_make(&p);
        forged = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                       .key = k_leaf,
                                       .issuer = p.inter,
                                       .issuer_key = k_other,
                                       .san = LEAF_SAN,
                                       .no_ski_aki = true});
        b = BUNDLE(forged, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_SIGNATURE);
        x = fa_first(&f, FINDING_CHAIN_SIGNATURE);
        ck_assert_int_eq(x->cert, 0);
        ck_assert_ptr_nonnull(strstr(x->message, "SomeTelco Issuing CA"));
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
        ASSERT_LACKS(&f, FINDING_CHAIN_UNRELATED);
        ASSERT_LACKS(&f, FINDING_CHAIN_ORDER);
}
END_TEST

START_TEST(test_no_aki_but_right_key_is_not_chain_signature) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        pki_make(&p);
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = p.inter,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .no_ski_aki = true});
        b = BUNDLE(leaf, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_NONE(&f); /* key identifiers are the strict profile's business */
}
END_TEST

START_TEST(test_two_issuer_candidates_prefers_the_one_that_signed) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *impostor = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* Two CAs with the intermediate's name (e.g. an old and a renewed
         * one); the leaf has no AKI. The one whose key signed wins; the other
         * is unrelated. */
        pki_make(&p);
        impostor = make_ca(INTER_SUBJ, k_other, p.root, k_root, -1);
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = p.inter,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .no_ski_aki = true});
        b = BUNDLE(leaf, impostor, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_LACKS(&f, FINDING_CHAIN_SIGNATURE);
        ck_assert_ptr_eq(sk_X509_value(c->path, 1), b->certs[2]);
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_UNRELATED), 1);
        ck_assert_int_eq(fa_first(&f, FINDING_CHAIN_UNRELATED)->cert, 1);
}
END_TEST

START_TEST(test_empty_bundle_is_einval) {
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        ChainResult *c = NULL;

        ck_assert_int_eq(bundle_parse("empty.crt", "", 0, BUNDLE_EXPECT_CERTS, &b, &f), 0);
        ck_assert_uint_eq(b->n_certs, 0);
        ck_assert_int_eq(chain_build(b, -1, OPTS(NULL, PROFILE_DEFAULT), &c, &g), -EINVAL);
        ck_assert_ptr_null(c);
        ck_assert_uint_eq(g.n, 0);
}
END_TEST

/* ---- chain_check_ca_flags ------------------------------------------------------ */

static void expect_ca_flags(Bundle *b, int cert, const char *needle) {
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_CA_FLAGS);
        x = fa_first(&f, FINDING_CHAIN_CA_FLAGS);
        ck_assert_int_eq(x->cert, cert);
        ck_assert_int_eq(x->severity, SEVERITY_ERROR);
        ck_assert_msg(strstr(x->message, needle), "'%s' not in '%s'", needle, x->message);
        /* OpenSSL's invalid-CA/path-length errors are explained by it. */
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
}

START_TEST(test_issuer_ca_false_is_ca_flags) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;

        pki_make(&p);
        inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                      .key = k_inter,
                                      .issuer = p.root,
                                      .issuer_key = k_root,
                                      .ku = "critical,digitalSignature,keyCertSign",
                                      .eku = ""});
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, p.root);
        expect_ca_flags(b, 1, "CA:FALSE");
}
END_TEST

START_TEST(test_issuer_without_basic_constraints_is_ca_flags) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;

        pki_make(&p);
        inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                      .key = k_inter,
                                      .issuer = p.root,
                                      .issuer_key = k_root,
                                      .ca = true,
                                      .pathlen = -1,
                                      .no_bc = true});
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, p.root);
        expect_ca_flags(b, 1, "no basicConstraints");
}
END_TEST

START_TEST(test_issuer_without_keycertsign_is_ca_flags) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;

        pki_make(&p);
        inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                      .key = k_inter,
                                      .issuer = p.root,
                                      .issuer_key = k_root,
                                      .ca = true,
                                      .pathlen = -1,
                                      .ku = "critical,cRLSign,digitalSignature"});
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, p.root);
        expect_ca_flags(b, 1, "keyCertSign");
}
END_TEST

START_TEST(test_leaf_ca_true_is_ca_flags) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;

        pki_make(&p);
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = p.inter,
                                     .issuer_key = k_inter,
                                     .ca = true,
                                     .pathlen = -1,
                                     .ku = "critical,digitalSignature,keyCertSign",
                                     .eku = "serverAuth",
                                     .san = LEAF_SAN});
        b = BUNDLE(leaf, p.inter, p.root);
        expect_ca_flags(b, 0, "CA:TRUE");
}
END_TEST

START_TEST(test_self_signed_ca_leaf_gets_its_own_hint) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* `openssl req -x509` with the default configuration makes CA:TRUE. */
        x = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                  .key = k_leaf,
                                  .ca = true,
                                  .pathlen = -1,
                                  .ku = "",
                                  .eku = "serverAuth",
                                  .san = LEAF_SAN});
        b = BUNDLE(x);
        c = run(b, 0, NULL, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_CA_FLAGS);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CHAIN_CA_FLAGS)->hint, "CA:FALSE"));
}
END_TEST

START_TEST(test_pathlen_zero_root_with_intermediate_is_ca_flags) {
        _cleanup_(X509_freep) X509 *root = NULL, *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;

        root = make_ca(ROOT_SUBJ, k_root, NULL, NULL, 0);
        inter = make_ca(INTER_SUBJ, k_inter, root, k_root, -1);
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, root);
        expect_ca_flags(b, 2, "pathlen:0");
}
END_TEST

START_TEST(test_pathlen_respected_is_not_ca_flags) {
        _cleanup_(X509_freep) X509 *root = NULL, *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* root pathlen:1 over one intermediate, intermediate pathlen:0 over the leaf. */
        root = make_ca(ROOT_SUBJ, k_root, NULL, NULL, 1);
        inter = make_ca(INTER_SUBJ, k_inter, root, k_root, 0);
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, root);
        c = run(b, -1, NULL, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_self_issued_rollover_certificate_does_not_count_for_pathlen) {
        _cleanup_(X509_freep) X509 *r = NULL, *ica = NULL, *rollover = NULL, *ica2 = NULL,
                                   *leaf = NULL, *other = NULL, *ica2b = NULL, *leafb = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL, *bb = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *cb = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};

        /* root -> ICA (pathlen:1) -> ICA (same name, new key: self-issued)
         * -> ICA2 (pathlen:0) -> leaf: valid, RFC 5280 4.2.1.9. */
        r = make_ca(ROOT_SUBJ, k_root, NULL, NULL, -1);
        ica = make_ca(INTER_SUBJ, k_inter, r, k_root, 1);
        rollover = make_ca(INTER_SUBJ, k_other, ica, k_inter, 1);
        ica2 = make_ca("/C=NZ/O=SomeTelco/CN=SomeTelco Server CA", k_root, rollover, k_other, 0);
        leaf = make_leaf(ica2, k_root);
        b = BUNDLE(leaf, ica2, rollover, ica, r);
        c = run(b, 0, NULL, &f);
        ASSERT_NONE(&f);
        ck_assert_int_eq(sk_X509_num(c->path), 5);

        /* Near miss: the same shape with a differently named middle CA
         * exceeds ICA's pathlen:1. */
        other = make_ca("/C=NZ/O=SomeTelco/CN=SomeTelco Middle CA", k_other, ica, k_inter, 1);
        ica2b = make_ca("/C=NZ/O=SomeTelco/CN=SomeTelco Server CA", k_root, other, k_other, 0);
        leafb = make_leaf(ica2b, k_root);
        bb = BUNDLE(leafb, ica2b, other, ica, r);
        cb = run(bb, 0, NULL, &g);
        ASSERT_HAS(&g, FINDING_CHAIN_CA_FLAGS);
        ck_assert_int_eq(fa_first(&g, FINDING_CHAIN_CA_FLAGS)->cert, 3);
}
END_TEST

START_TEST(test_root_without_key_usage_is_accepted) {
        _cleanup_(X509_freep) X509 *root = NULL, *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};

        /* `openssl req -x509` with the default configuration makes a root
         * without keyUsage: fine as a trust anchor, in the file ... */
        root = tu_cert(&(TuCertSpec){
                .subject = ROOT_SUBJ, .key = k_root, .ca = true, .pathlen = -1, .ku = ""});
        inter = make_ca(INTER_SUBJ, k_inter, root, k_root, -1);
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, root);
        c = run(b, -1, NULL, &f);
        ASSERT_NONE(&f);

        /* ... or from --trust. */
        b2 = BUNDLE(leaf, inter);
        anchors = ANCHORS(root);
        c2 = run(b2, -1, anchors, &g);
        ASSERT_LACKS(&g, FINDING_CHAIN_CA_FLAGS);
        ASSERT_LACKS(&g, FINDING_PATH_INVALID);
        ASSERT_NO_ERRORS(&g);
}
END_TEST

START_TEST(test_intermediate_without_key_usage_is_path_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* RFC 5280 4.2.1.3: a CA whose key verifies certificates MUST have
         * keyUsage; strict path validation holds an issuing CA to it. */
        pki_make(&p);
        inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                      .key = k_inter,
                                      .issuer = p.root,
                                      .issuer_key = k_root,
                                      .ca = true,
                                      .pathlen = -1,
                                      .ku = ""});
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_PATH_INVALID);
        x = fa_first(&f, FINDING_PATH_INVALID);
        ck_assert_int_eq(x->cert, 1);
        ck_assert_ptr_nonnull(strstr(x->message, "key usage"));
}
END_TEST

/* ---- chain_verify ---------------------------------------------------------------- */

START_TEST(test_name_constraint_violation_is_path_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        pki_make(&p);
        inter = make_ca(INTER_SUBJ, k_inter, p.root, k_root, -1);
        add_ext_resign(inter, p.root, NID_name_constraints, "critical,excluded;DNS:sometelco.com",
                       k_root);
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_PATH_INVALID);
        x = fa_first(&f, FINDING_PATH_INVALID);
        ck_assert_int_eq(x->severity, SEVERITY_ERROR);
        ck_assert_int_eq(x->cert, 0);
        ck_assert_msg(strstr(x->message, "excluded"), "OpenSSL's reason missing: %s", x->message);
        /* Nothing else explains it. */
        ASSERT_LACKS(&f, FINDING_CHAIN_CA_FLAGS);
        ASSERT_LACKS(&f, FINDING_CHAIN_SIGNATURE);
}
END_TEST

START_TEST(test_name_constraint_satisfied_is_not_path_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        pki_make(&p);
        inter = make_ca(INTER_SUBJ, k_inter, p.root, k_root, -1);
        add_ext_resign(inter, p.root, NID_name_constraints,
                       "critical,permitted;DNS:sometelco.com,permitted;IP:192.168.0.0/255.255.0.0",
                       k_root);
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_unknown_critical_extension_is_path_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        pki_make(&p);
        add_unknown_ext_resign(p.leaf, true, k_inter);
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_PATH_INVALID)->message, "critical"));
}
END_TEST

START_TEST(test_unknown_noncritical_extension_is_not_path_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        pki_make(&p);
        add_unknown_ext_resign(p.leaf, false, k_inter);
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_missing_key_identifiers_are_path_invalid_only_in_strict) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};

        pki_make(&p);
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = p.inter,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .no_ski_aki = true});
        b = BUNDLE(leaf, p.inter, p.root);
        ck_assert_int_eq(chain_build(b, -1, OPTS(NULL, PROFILE_DEFAULT), &c, &f), 0);

        ck_assert_int_eq(chain_verify(b, c, OPTS(NULL, PROFILE_DEFAULT), &f), 0);
        ck_assert_int_eq(chain_verify(b, c, OPTS(NULL, PROFILE_INNOVAPHONE), &f), 0);
        ASSERT_NONE(&f);

        ck_assert_int_eq(chain_verify(b, c, OPTS(NULL, PROFILE_STRICT), &g), 0);
        ASSERT_HAS(&g, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(
                strstr(fa_first(&g, FINDING_PATH_INVALID)->message, "Authority Key Identifier"));

        /* With strict's own CERT_FORMAT finding there, OpenSSL adds nothing. */
        ck_assert_int_eq(findings_add(&h, FINDING_CERT_FORMAT, SEVERITY_ERROR, "chain.crt", 0, NULL,
                                      NULL, "no authorityKeyIdentifier"),
                         0);
        ck_assert_int_eq(chain_verify(b, c, OPTS(NULL, PROFILE_STRICT), &h), 0);
        ASSERT_LACKS(&h, FINDING_PATH_INVALID);
}
END_TEST

START_TEST(test_validity_is_left_to_policy) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *edge = NULL, *old_inter = NULL, *leaf2 = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL, *b3 = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL, *c3 = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};

        /* An expired leaf: CERT_EXPIRING is policy's to say; OpenSSL's time
         * check is off, so chain_verify adds nothing. */
        pki_make(&p);
        X509_free(p.leaf);
        p.leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                       .key = k_leaf,
                                       .issuer = p.inter,
                                       .issuer_key = k_inter,
                                       .san = LEAF_SAN,
                                       .not_before = TU_NOW - 400 * TU_DAY,
                                       .not_after = TU_NOW - 3600});
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_NONE(&f);

        /* notAfter == now: still valid (RFC 5280 4.1.2.5, inclusive), though
         * OpenSSL's own check would call it expired. */
        edge = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = p.inter,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .not_before = TU_NOW - 10 * TU_DAY,
                                     .not_after = TU_NOW});
        b2 = BUNDLE(edge, p.inter, p.root);
        c2 = run(b2, -1, NULL, &g);
        ASSERT_NONE(&g);

        /* An expired intermediate on the only path: chosen anyway, nothing
         * from the chain module (policy says CERT_EXPIRING). */
        old_inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                          .key = k_inter,
                                          .issuer = p.root,
                                          .issuer_key = k_root,
                                          .ca = true,
                                          .pathlen = -1,
                                          .not_before = TU_NOW - 400 * TU_DAY,
                                          .not_after = TU_NOW - TU_DAY});
        leaf2 = make_leaf(old_inter, k_inter);
        b3 = BUNDLE(leaf2, old_inter, p.root);
        c3 = run(b3, -1, NULL, &h);
        ASSERT_NONE(&h);
        ck_assert_int_eq(sk_X509_num(c3->path), 3);
        ck_assert(c3->trusted);
}
END_TEST

START_TEST(test_untrusted_anchor_set_does_not_override_own_root) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(X509_freep) X509 *other = NULL;

        /* The chain's own root is an anchor, whatever else --trust holds. */
        pki_make(&p);
        other = make_ca("/CN=Other Root", k_other, NULL, NULL, -1);
        anchors = ANCHORS(other);
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run(b, -1, anchors, &f);
        ASSERT_NONE(&f);
}
END_TEST

/* ---- path search ---------------------------------------------------------------- */

START_TEST(test_alternate_issuer_when_the_first_dead_ends) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *elsewhere = NULL, *stray = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* The issuing CA twice, same name and key: first (in the file) a copy
         * issued by a root that is nowhere, then the one issued by the root.
         * The search backs out of the dead end. */
        pki_make(&p);
        elsewhere = make_ca("/CN=Elsewhere Root", k_other, NULL, NULL, -1);
        stray = make_ca(INTER_SUBJ, k_inter, elsewhere, k_other, -1);
        leaf = make_leaf(p.inter, k_inter);
        b = BUNDLE(leaf, stray, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
        ASSERT_LACKS(&f, FINDING_CHAIN_ORDER);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ck_assert(c->complete);
        ck_assert(c->trusted);
        ck_assert_int_eq(sk_X509_num(c->path), 3);
        ck_assert_ptr_eq(sk_X509_value(c->path, 1), b->certs[2]);
        /* The dead-end copy is not needed, and the finding says why. */
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_UNRELATED), 1);
        x = fa_first(&f, FINDING_CHAIN_UNRELATED);
        ck_assert_int_eq(x->cert, 1);
        ck_assert_ptr_nonnull(strstr(x->message, "also issues"));
}
END_TEST

START_TEST(test_alternate_issuer_around_name_constraints) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *nca = NULL, *via_nc = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* Path 1 (first in the file): leaf -> issuing CA' -> a CA whose name
         * constraints exclude the leaf's name -> root. Path 2: leaf ->
         * issuing CA -> root. Only path 2 is valid; it is chosen. */
        pki_make(&p);
        nca = make_ca("/C=NZ/O=SomeTelco/CN=SomeTelco Constrained CA", k_other, p.root, k_root,
                      -1);
        add_ext_resign(nca, p.root, NID_name_constraints, "critical,excluded;DNS:sometelco.com",
                       k_root);
        via_nc = make_ca(INTER_SUBJ, k_inter, nca, k_other, -1);
        b = BUNDLE(p.leaf, via_nc, nca, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_int_eq(sk_X509_num(c->path), 3);
        ck_assert_ptr_eq(sk_X509_value(c->path, 1), b->certs[3]);
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_UNRELATED), 2);
}
END_TEST

START_TEST(test_anchor_preferred_over_expired_cross_certificate) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *old_root = NULL, *cross = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* The "chain of pain": the file carries the root cross-signed by an
         * older root, and that cross certificate has expired. The root
         * itself is a trust anchor: the path ends there. */
        pki_make(&p);
        old_root = make_ca("/CN=Old Root", k_other, NULL, NULL, -1);
        cross = tu_cert(&(TuCertSpec){.subject = ROOT_SUBJ,
                                      .key = k_root,
                                      .issuer = old_root,
                                      .issuer_key = k_other,
                                      .ca = true,
                                      .pathlen = -1,
                                      .not_before = TU_NOW - 800 * TU_DAY,
                                      .not_after = TU_NOW - 400 * TU_DAY});
        b = BUNDLE(p.leaf, p.inter, cross);
        anchors = ANCHORS(p.root, old_root);
        c = run(b, -1, anchors, &f);
        ck_assert(c->trusted);
        ck_assert(c->root_from_trust);
        ck_assert_int_eq(sk_X509_num(c->path), 3);
        ck_assert_ptr_eq(sk_X509_value(c->path, 2), p.root);
        ASSERT_HAS(&f, FINDING_CHAIN_ROOT_ADDED);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ck_assert_uint_eq(fa_count(&f, FINDING_CHAIN_UNRELATED), 1);
        ck_assert_int_eq(fa_first(&f, FINDING_CHAIN_UNRELATED)->cert, 2);
}
END_TEST

START_TEST(test_issuer_with_eku_against_servers_avoided) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *mail_ca = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* Two versions of the issuing CA; the first limited to e-mail. */
        pki_make(&p);
        mail_ca = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                        .key = k_inter,
                                        .issuer = p.root,
                                        .issuer_key = k_root,
                                        .ca = true,
                                        .pathlen = -1,
                                        .eku = "emailProtection"});
        b = BUNDLE(p.leaf, mail_ca, p.inter, p.root);
        c = run(b, -1, NULL, &f);
        ck_assert_ptr_eq(sk_X509_value(c->path, 1), b->certs[2]);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
}
END_TEST

START_TEST(test_root_above_trusted_intermediate_belongs_to_the_chain) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* --trust holds the issuing CA; the file is the full chain. The path
         * stops at the anchor, and the root above it is not "unrelated". */
        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter, p.root);
        anchors = ANCHORS(p.inter);
        c = run(b, -1, anchors, &f);
        ASSERT_NONE(&f);
        ck_assert(c->trusted);
        ck_assert(!c->root_from_trust);
        ck_assert_int_eq(sk_X509_num(c->path), 2);
}
END_TEST

START_TEST(test_look_alike_cas_search_is_bounded) {
        _cleanup_(X509_freep) X509 *a0 = NULL, *b0 = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};
        X509 *certs[16] = {};

        /* Two CAs, A and B, each certified by the other seven or eight
         * times over, no root: every path cycles between them and dead-ends.
         * Without a bound that is 8^15 paths; with it, a CHAIN_INCOMPLETE. */
        a0 = tu_cert(&(TuCertSpec){.subject = "/CN=CA A", .key = k_inter, .ca = true, .pathlen = -1,
                                   .no_ski_aki = true});
        b0 = tu_cert(&(TuCertSpec){.subject = "/CN=CA B", .key = k_other, .ca = true, .pathlen = -1,
                                   .no_ski_aki = true});
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = a0,
                                     .issuer_key = k_inter,
                                     .san = LEAF_SAN,
                                     .no_ski_aki = true});
        certs[0] = leaf;
        for (size_t i = 1; i < ELEMENTSOF(certs); i++)
                certs[i] = tu_cert(&(TuCertSpec){.subject = i % 2 ? "/CN=CA A" : "/CN=CA B",
                                                 .key = i % 2 ? k_inter : k_other,
                                                 .issuer = i % 2 ? b0 : a0,
                                                 .issuer_key = i % 2 ? k_other : k_inter,
                                                 .ca = true,
                                                 .pathlen = -1,
                                                 .no_ski_aki = true});
        b = bundle_of_(certs, ELEMENTSOF(certs));
        ck_assert_int_eq(chain_build(b, 0, OPTS(NULL, PROFILE_DEFAULT), &c, &f), 0);
        ASSERT_HAS(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert(!c->complete);
        ck_assert_int_le(sk_X509_num(c->path), CHAIN_MAX_PATH);
        for (size_t i = 1; i < ELEMENTSOF(certs); i++)
                X509_free(certs[i]);
}
END_TEST

START_TEST(test_distrusted_bundle_root_is_incomplete) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL, *c3 = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL, *others = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        _cleanup_(X509_freep) X509 *other = NULL;
        ChainOptions o;
        const Finding *x;

        /* Only the anchors are trusted: the file's own root is not one. */
        pki_make(&p);
        other = make_ca("/CN=Other Root", k_other, NULL, NULL, -1);
        others = ANCHORS(other);
        b = BUNDLE(p.leaf, p.inter, p.root);
        o = *OPTS(others, PROFILE_DEFAULT);
        o.distrust_bundle_root = true;
        c = run_with(b, -1, &o, &f);
        ASSERT_HAS(&f, FINDING_CHAIN_INCOMPLETE);
        x = fa_first(&f, FINDING_CHAIN_INCOMPLETE);
        ck_assert_ptr_nonnull(strstr(x->message, "not a trust anchor"));
        ck_assert_ptr_nonnull(strstr(x->message, "SomeTelco Root CA"));
        ck_assert_int_eq(x->cert, 2);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID); /* OpenSSL's reason is the same one */
        ck_assert(c->complete);
        ck_assert(!c->trusted);

        /* Near miss: the same root among the anchors. */
        anchors = ANCHORS(p.root);
        o.anchors = anchors;
        c2 = run_with(b, -1, &o, &g);
        ASSERT_NONE(&g);
        ck_assert(c2->trusted);

        /* Near miss: the product's default trusts the operator's root. */
        c3 = run(b, -1, others, &h);
        ASSERT_NONE(&h);
        ck_assert(c3->trusted);
}
END_TEST

START_TEST(test_max_chain_depth) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *rollover = NULL, *leaf2 = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, k = {};
        ChainOptions o = *OPTS(NULL, PROFILE_DEFAULT);
        const Finding *x;

        /* leaf + one intermediate below the root: a depth of 2 certificates. */
        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter, p.root);
        o.max_chain_depth = 2;
        c = run_with(b, -1, &o, &f);
        ASSERT_NONE(&f);

        o.max_chain_depth = 1;
        c2 = run_with(b, -1, &o, &g);
        ASSERT_HAS(&g, FINDING_PATH_INVALID);
        x = fa_first(&g, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(strstr(x->message, "1 intermediate CA certificate below"));
        ck_assert_ptr_nonnull(strstr(x->message, "more than the 0 allowed"));

        /* No limit: 0. */
        o.max_chain_depth = 0;
        c3 = run_with(b, -1, &o, &h);
        ASSERT_NONE(&h);

        /* A self-issued certificate (key rollover) does not count. */
        rollover = make_ca(INTER_SUBJ, k_other, p.inter, k_inter, -1);
        leaf2 = make_leaf(rollover, k_other);
        b2 = BUNDLE(leaf2, rollover, p.inter, p.root);
        o.max_chain_depth = 2;
        c4 = run_with(b2, -1, &o, &k);
        ASSERT_LACKS(&k, FINDING_PATH_INVALID);
        ck_assert_int_eq(sk_X509_num(c4->path), 4);
}
END_TEST

/* ---- name constraints ------------------------------------------------------------- */

START_TEST(test_cn_is_not_held_to_name_constraints) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL, *leaf2 = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};

        /* Constraints exclude the DNS subtree sometelco.com; the leaf has
         * only an IP subjectAltName, and a CN in that subtree. OpenSSL would
         * take the CN for a host name; with subjectAltNames it names none. */
        pki_make(&p);
        inter = make_ca(INTER_SUBJ, k_inter, p.root, k_root, -1);
        add_ext_resign(inter, p.root, NID_name_constraints, "critical,excluded;DNS:sometelco.com",
                       k_root);
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = "IP:192.168.10.10"});
        b = BUNDLE(leaf, inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_NONE(&f);

        /* Near miss: an excluded address in the IP subjectAltName is a real
         * violation. */
        X509_free(TAKE_PTR(inter));
        inter = make_ca(INTER_SUBJ, k_inter, p.root, k_root, -1);
        add_ext_resign(inter, p.root, NID_name_constraints,
                       "critical,excluded;IP:192.168.0.0/255.255.0.0", k_root);
        leaf2 = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                      .key = k_leaf,
                                      .issuer = inter,
                                      .issuer_key = k_inter,
                                      .san = "IP:192.168.10.10"});
        b2 = BUNDLE(leaf2, inter, p.root);
        c2 = run(b2, -1, NULL, &g);
        ASSERT_HAS(&g, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(strstr(fa_first(&g, FINDING_PATH_INVALID)->message, "excluded"));
}
END_TEST

START_TEST(test_wildcard_that_could_stand_for_an_excluded_name) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL, *inter2 = NULL, *leaf2 = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        const Finding *x;

        /* *.sometelco.com does not lie in the excluded subtree
         * bar.sometelco.com, but a client would accept it for that name. */
        pki_make(&p);
        inter = make_ca(INTER_SUBJ, k_inter, p.root, k_root, -1);
        add_ext_resign(inter, p.root, NID_name_constraints,
                       "critical,excluded;DNS:bar.sometelco.com", k_root);
        leaf = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                     .key = k_leaf,
                                     .issuer = inter,
                                     .issuer_key = k_inter,
                                     .san = "DNS:*.sometelco.com"});
        b = BUNDLE(leaf, inter, p.root);
        c = run(b, -1, NULL, &f);
        ASSERT_HAS(&f, FINDING_PATH_INVALID);
        x = fa_first(&f, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(strstr(x->message, "'*.sometelco.com'"));
        ck_assert_ptr_nonnull(strstr(x->message, "'bar.sometelco.com'"));
        ck_assert_int_eq(x->cert, 0);

        /* Near miss: an excluded name two labels down is out of its reach. */
        inter2 = make_ca(INTER_SUBJ, k_inter, p.root, k_root, -1);
        add_ext_resign(inter2, p.root, NID_name_constraints,
                       "critical,excluded;DNS:x.bar.sometelco.com", k_root);
        leaf2 = tu_cert(&(TuCertSpec){.subject = LEAF_SUBJ,
                                      .key = k_leaf,
                                      .issuer = inter2,
                                      .issuer_key = k_inter,
                                      .san = "DNS:*.sometelco.com"});
        b2 = BUNDLE(leaf2, inter2, p.root);
        c2 = run(b2, -1, NULL, &g);
        ASSERT_NONE(&g);
}
END_TEST

/* ---- revocation ------------------------------------------------------------------- */

START_TEST(test_revoked_leaf_is_cert_revoked) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        pki_make(&p);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                        .key = k_inter,
                                        .revoked = (X509 *[]){p.leaf},
                                        .n_revoked = 1,
                                        .reason = REASON_KEY_COMPROMISE,
                                        .akid_of = p.inter}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_HAS(&f, FINDING_CERT_REVOKED);
        ck_assert_uint_eq(fa_count(&f, FINDING_CERT_REVOKED), 1);
        ck_assert_uint_eq(f.n, 1); /* nothing else: no PATH_INVALID, no CRL_INVALID */
        x = fa_first(&f, FINDING_CERT_REVOKED);
        ck_assert_int_eq(x->severity, SEVERITY_ERROR);
        ck_assert_int_eq(x->cert, 0);
        ck_assert_ptr_nonnull(strstr(x->message, "CN=SomeTelco Issuing CA"));
        ck_assert_ptr_nonnull(strstr(x->message, "revoked on 2029-12-22T00:00:00Z"));
        ck_assert_ptr_nonnull(strstr(x->message, "reason: keyCompromise"));
        ck_assert_ptr_nonnull(strstr(x->hint, "new certificate"));
}
END_TEST

START_TEST(test_revoked_without_reason_says_no_reason) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};

        pki_make(&p);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                        .key = k_inter,
                                        .revoked = (X509 *[]){p.leaf},
                                        .n_revoked = 1}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_HAS(&f, FINDING_CERT_REVOKED);
        ck_assert_ptr_null(strstr(fa_first(&f, FINDING_CERT_REVOKED)->message, "reason"));
}
END_TEST

START_TEST(test_leaf_not_on_crl_is_not_revoked) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *other_leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* The near miss: the issuer's CRL lists another of its certificates. */
        pki_make(&p);
        other_leaf = make_leaf(p.inter, k_inter);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                        .key = k_inter,
                                        .revoked = (X509 *[]){other_leaf},
                                        .n_revoked = 1,
                                        .reason = REASON_KEY_COMPROMISE}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_no_crls_no_revocation_checking) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *empty = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};

        /* Without CRLs nothing is said about revocation, not even that it
         * was not checked: today's behaviour. */
        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(NULL), &f);
        ASSERT_NONE(&f);
        empty = sk_X509_CRL_new_null();
        ck_assert_ptr_nonnull(empty);
        c2 = run_with(b, -1, CRL_OPTS(empty), &g);
        ASSERT_NONE(&g);
}
END_TEST

START_TEST(test_crl_signed_by_another_key_is_crl_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* The issuer's name, someone else's key: it proves nothing, so the
         * leaf it lists is not reported revoked. */
        pki_make(&p);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                        .key = k_other,
                                        .revoked = (X509 *[]){p.leaf},
                                        .n_revoked = 1}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_HAS(&f, FINDING_CRL_INVALID);
        ASSERT_LACKS(&f, FINDING_CERT_REVOKED);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        x = fa_first(&f, FINDING_CRL_INVALID);
        ck_assert_int_eq(x->severity, SEVERITY_ERROR);
        ck_assert_ptr_nonnull(strstr(x->message, "signature does not verify"));
        ck_assert_ptr_nonnull(strstr(x->message, "the CRL of 'CN=SomeTelco Issuing CA"));
}
END_TEST

START_TEST(test_issuer_without_crlsign_is_crl_invalid) {
        _cleanup_(X509_freep) X509 *root = NULL, *inter = NULL, *leaf = NULL, *root2 = NULL,
                                   *leaf2 = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL, *b2 = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL, *crls2 = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        const Finding *x;

        root = make_ca(ROOT_SUBJ, k_root, NULL, NULL, -1);
        inter = tu_cert(&(TuCertSpec){.subject = INTER_SUBJ,
                                      .key = k_inter,
                                      .issuer = root,
                                      .issuer_key = k_root,
                                      .ca = true,
                                      .pathlen = -1,
                                      .ku = "critical,keyCertSign"});
        leaf = make_leaf(inter, k_inter);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = inter, .key = k_inter}));
        b = BUNDLE(leaf, inter, root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_HAS(&f, FINDING_CRL_INVALID);
        x = fa_first(&f, FINDING_CRL_INVALID);
        ck_assert_int_eq(x->severity, SEVERITY_ERROR);
        ck_assert_ptr_nonnull(strstr(x->message, "cRLSign"));
        ck_assert_int_eq(fa_count(&f, FINDING_CRL_INVALID), 1);

        /* The near miss: an issuer without keyUsage at all (RFC 5280 6.3.3
         * (f) checks cRLSign only when keyUsage is there): a root. */
        root2 = tu_cert(&(TuCertSpec){.subject = ROOT_SUBJ,
                                      .key = k_root,
                                      .ca = true,
                                      .pathlen = -1,
                                      .ku = ""});
        leaf2 = make_leaf(root2, k_root);
        crls2 = CRLS(make_crl(&(CrlSpec){.issuer = root2, .key = k_root}));
        b2 = BUNDLE(leaf2, root2);
        c2 = run_with(b2, -1, CRL_OPTS(crls2), &g);
        ASSERT_LACKS(&g, FINDING_CRL_INVALID);
        ASSERT_NO_ERRORS(&g);
}
END_TEST

START_TEST(test_crl_number_missing_or_critical_is_crl_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *missing = NULL, *critical = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};

        pki_make(&p);
        b = BUNDLE(p.leaf, p.inter, p.root);

        missing = CRLS(make_crl(&(CrlSpec){.issuer = p.inter, .key = k_inter, .no_number = true}));
        c = run_with(b, -1, CRL_OPTS(missing), &f);
        ASSERT_HAS(&f, FINDING_CRL_INVALID);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CRL_INVALID)->message, "no CRLNumber"));
        ck_assert_uint_eq(f.n, 1); /* not also "not checked" */

        critical = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                            .key = k_inter,
                                            .number_critical = true,
                                            .revoked = (X509 *[]){p.leaf},
                                            .n_revoked = 1}));
        c2 = run_with(b, -1, CRL_OPTS(critical), &g);
        ASSERT_HAS(&g, FINDING_CRL_INVALID);
        ck_assert_ptr_nonnull(strstr(fa_first(&g, FINDING_CRL_INVALID)->message, "critical"));
        /* An unusable CRL is not used: the leaf it lists is not reported. */
        ASSERT_LACKS(&g, FINDING_CERT_REVOKED);
}
END_TEST

START_TEST(test_openssl_crl_errors_are_crl_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* An unknown critical CRL extension: OpenSSL refuses the CRL. That
         * is CRL_INVALID, not PATH_INVALID, and the leaf it lists is not
         * reported revoked. */
        pki_make(&p);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                        .key = k_inter,
                                        .unknown_critical = true,
                                        .revoked = (X509 *[]){p.leaf},
                                        .n_revoked = 1}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_HAS(&f, FINDING_CRL_INVALID);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ASSERT_LACKS(&f, FINDING_CERT_REVOKED);
        x = fa_first(&f, FINDING_CRL_INVALID);
        ck_assert_ptr_nonnull(strstr(x->message, "OpenSSL error"));
        ck_assert_ptr_nonnull(strstr(x->message, "the CRL of 'CN=SomeTelco Issuing CA"));
}
END_TEST

START_TEST(test_revoked_intermediate_on_root_crl) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* Every certificate of the path is checked (CRL_CHECK_ALL): the root's
         * CRL revokes the issuing CA. */
        pki_make(&p);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = p.root,
                                        .key = k_root,
                                        .revoked = (X509 *[]){p.inter},
                                        .n_revoked = 1,
                                        .reason = 2}),
                    make_crl(&(CrlSpec){.issuer = p.inter, .key = k_inter}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ck_assert_uint_eq(fa_count(&f, FINDING_CERT_REVOKED), 1);
        x = fa_first(&f, FINDING_CERT_REVOKED);
        ck_assert_int_eq(x->cert, 1);
        ck_assert_ptr_nonnull(strstr(x->message, "CA certificate"));
        ck_assert_ptr_nonnull(strstr(x->message, "reason: cACompromise"));
        ck_assert_uint_eq(f.n, 1);
}
END_TEST

START_TEST(test_only_the_leaf_crl_is_enough) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* An operator passes the CRL of the CA that issued the server
         * certificate; no CRL for the intermediate is no failure. */
        pki_make(&p);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = p.inter, .key = k_inter}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_crl_of_another_ca_leaves_the_leaf_unchecked) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *other = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        /* Another CA's CRL lists the leaf's serial number: it does not speak
         * for the leaf. Nothing is revoked, and the warning says the leaf was
         * not checked. */
        pki_make(&p);
        other = make_ca("/CN=Other CA", k_other, NULL, NULL, -1);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = other,
                                        .key = k_other,
                                        .revoked = (X509 *[]){p.leaf},
                                        .n_revoked = 1,
                                        .no_number = true}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_NO_ERRORS(&f);
        ck_assert_uint_eq(count_sev(&f, FINDING_CRL_INVALID, SEVERITY_WARNING), 1);
        x = fa_first(&f, FINDING_CRL_INVALID);
        ck_assert_ptr_nonnull(strstr(x->message, "not checked"));
        ck_assert_ptr_nonnull(strstr(x->message, "CN=SomeTelco Issuing CA"));
        ck_assert_int_eq(x->cert, 0);
}
END_TEST

START_TEST(test_crl_of_a_rekeyed_ca_is_not_used) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *old_inter = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* The same CA name with its previous key, which the CRL's
         * authorityKeyIdentifier names: the CRL speaks for that key's
         * certificates, not for this leaf. Not invalid, just not this
         * leaf's. */
        pki_make(&p);
        old_inter = make_ca(INTER_SUBJ, k_other, p.root, k_root, -1);
        crls = CRLS(make_crl(&(CrlSpec){.issuer = old_inter,
                                        .key = k_other,
                                        .akid_of = old_inter,
                                        .revoked = (X509 *[]){p.leaf},
                                        .n_revoked = 1}));
        b = BUNDLE(p.leaf, p.inter, p.root);
        c = run_with(b, -1, CRL_OPTS(crls), &f);
        ASSERT_NO_ERRORS(&f);
        ck_assert_uint_eq(count_sev(&f, FINDING_CRL_INVALID, SEVERITY_WARNING), 1);
}
END_TEST

START_TEST(test_stale_crl_is_a_warning_and_still_used) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *other_leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL, *c3 = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *stale = NULL, *stale2 = NULL,
                                                            *future = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};

        pki_make(&p);
        other_leaf = make_leaf(p.inter, k_inter);
        b = BUNDLE(p.leaf, p.inter, p.root);

        /* Past its nextUpdate and listing the leaf: revoked all the same. */
        stale = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                         .key = k_inter,
                                         .revoked = (X509 *[]){p.leaf},
                                         .n_revoked = 1,
                                         .this_update = TU_NOW - 30 * TU_DAY,
                                         .next_update = TU_NOW - 23 * TU_DAY}));
        c = run_with(b, -1, CRL_OPTS(stale), &f);
        ASSERT_HAS(&f, FINDING_CERT_REVOKED);
        ck_assert_uint_eq(count_sev(&f, FINDING_CRL_INVALID, SEVERITY_WARNING), 1);
        ck_assert_uint_eq(count_sev(&f, FINDING_CRL_INVALID, SEVERITY_ERROR), 0);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CRL_INVALID)->message, "out of date"));
        ck_assert_ptr_nonnull(
                strstr(fa_first(&f, FINDING_CRL_INVALID)->message, "2029-12-09T00:00:00Z"));

        /* Not listing it: only the warning, no error. */
        stale2 = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                          .key = k_inter,
                                          .revoked = (X509 *[]){other_leaf},
                                          .n_revoked = 1,
                                          .this_update = TU_NOW - 30 * TU_DAY,
                                          .next_update = TU_NOW - 23 * TU_DAY}));
        c2 = run_with(b, -1, CRL_OPTS(stale2), &g);
        ASSERT_NO_ERRORS(&g);
        ck_assert_uint_eq(count_sev(&g, FINDING_CRL_INVALID, SEVERITY_WARNING), 1);

        /* Issued after `now` (a clock or --now in the past): a warning too. */
        future = CRLS(make_crl(&(CrlSpec){.issuer = p.inter,
                                          .key = k_inter,
                                          .this_update = TU_NOW + TU_DAY,
                                          .next_update = TU_NOW + 8 * TU_DAY}));
        c3 = run_with(b, -1, CRL_OPTS(future), &h);
        ASSERT_NO_ERRORS(&h);
        ck_assert_uint_eq(count_sev(&h, FINDING_CRL_INVALID, SEVERITY_WARNING), 1);
        ck_assert_ptr_nonnull(strstr(fa_first(&h, FINDING_CRL_INVALID)->message, "not valid yet"));
}
END_TEST

/* ---- which certificate is the server's ------------------------------------------- */

START_TEST(test_guess_leaf_never_takes_a_ca_while_a_server_certificate_is_there) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(bundle_freep) Bundle *good = NULL, *rev = NULL, *cas = NULL, *root = NULL;

        pki_make(&p);
        good = BUNDLE(p.leaf, p.inter, p.root);
        rev = BUNDLE(p.root, p.inter, p.leaf);
        cas = BUNDLE(p.inter, p.root);
        root = BUNDLE(p.root);
        ck_assert_int_eq(chain_guess_leaf(good), 0);
        ck_assert_int_eq(chain_guess_leaf(rev), 2);
        /* Only CAs: no server certificate. */
        ck_assert_int_eq(chain_guess_leaf(cas), -1);
        ck_assert_int_eq(chain_guess_leaf(root), -1);
        ck_assert(chain_is_ca(good, 1));
        ck_assert(chain_is_ca(good, 2));
        ck_assert(!chain_is_ca(good, 0));
        ck_assert(!chain_is_ca(good, 3)); /* out of range */
}
END_TEST

START_TEST(test_ca_true_server_certificate_is_no_ca_proper) {
        _cleanup_(X509_freep) X509 *with_san = NULL, *bare = NULL;
        _cleanup_(bundle_freep) Bundle *a = NULL, *b = NULL;

        /* The near miss: `openssl req -x509` makes CA:TRUE certificates
         * without keyUsage; with a host name, or issuing nothing, they are
         * server certificates wrongly marked CA (CHAIN_CA_FLAGS), not CAs. */
        with_san = tu_cert(&(TuCertSpec){
                .subject = LEAF_SUBJ, .key = k_leaf, .ca = true, .pathlen = -1, .san = LEAF_SAN});
        bare = tu_cert(&(TuCertSpec){
                .subject = LEAF_SUBJ, .key = k_leaf, .ca = true, .pathlen = -1, .ku = ""});
        a = BUNDLE(with_san);
        b = BUNDLE(bare);
        ck_assert(!chain_is_ca(a, 0));
        ck_assert(!chain_is_ca(b, 0));
        ck_assert_int_eq(chain_guess_leaf(a), 0);
        ck_assert_int_eq(chain_guess_leaf(b), 0);
}
END_TEST

/* ---- certificates with an extension that does not decode ----------------------------- */

/* What policy adds for certificate idx of b (CERT_INVALID). */
static void add_cert_invalid(const Bundle *b, int idx, Findings *f) {
        ck_assert_int_eq(findings_add(f, FINDING_CERT_INVALID, SEVERITY_ERROR, b->path, idx, NULL,
                                      NULL, "an extension does not decode"),
                         0);
}

START_TEST(test_malformed_leaf_extension_is_explained_by_cert_invalid) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL, *c2 = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        const Finding *x;

        pki_make(&p);
        leaf = tu_cert(&(TuCertSpec){
                .subject = LEAF_SUBJ, .key = k_leaf, .issuer = p.inter, .issuer_key = k_inter, .pathlen = -1});
        tu_add_bad_san_resign(leaf, k_inter);
        b = BUNDLE(leaf, p.inter, p.root);

        /* OpenSSL says "unable to get local issuer certificate"; with
         * policy's CERT_INVALID that is explained. */
        ck_assert_int_eq(chain_build(b, 0, OPTS(NULL, PROFILE_DEFAULT), &c, &f), 0);
        ck_assert_int_eq(chain_check_ca_flags(b, c, &f), 0);
        ASSERT_NONE(&f);
        add_cert_invalid(b, 0, &f);
        ck_assert_int_eq(chain_verify(b, c, OPTS(NULL, PROFILE_DEFAULT), &f), 0);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ck_assert_uint_eq(f.n, 1);

        /* Without it, PATH_INVALID says which certificate is malformed. */
        c2 = run(b, 0, NULL, &g);
        ASSERT_HAS(&g, FINDING_PATH_INVALID);
        x = fa_first(&g, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(strstr(x->message, "does not decode"));
        ck_assert_ptr_nonnull(strstr(x->message, "rem.sometelco.com"));
}
END_TEST

START_TEST(test_malformed_intermediate_is_found_and_not_ca_flags) {
        _cleanup_(pki_done) Pki p = {};
        _cleanup_(X509_freep) X509 *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* An issuing CA with a malformed extension: OpenSSL's accessors give
         * up on it (keyUsage "0"), but it is still the issuer, with
         * keyCertSign; only CERT_INVALID is to be said. */
        pki_make(&p);
        inter = make_ca(INTER_SUBJ, k_inter, p.root, k_root, 0);
        tu_add_bad_san_resign(inter, k_root);
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter, p.root);
        ck_assert_int_eq(chain_build(b, -1, OPTS(NULL, PROFILE_DEFAULT), &c, &f), 0);
        ck_assert_int_eq(sk_X509_num(c->path), 3);
        ck_assert(c->complete);
        ck_assert_int_eq(chain_check_ca_flags(b, c, &f), 0);
        ASSERT_NONE(&f);
        add_cert_invalid(b, 1, &f);
        ck_assert_int_eq(chain_verify(b, c, OPTS(NULL, PROFILE_DEFAULT), &f), 0);
        ASSERT_LACKS(&f, FINDING_PATH_INVALID);
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
        ASSERT_LACKS(&f, FINDING_CHAIN_CA_FLAGS);
}
END_TEST

START_TEST(test_malformed_trust_anchor_is_path_invalid_naming_it) {
        _cleanup_(X509_freep) X509 *root = NULL, *inter = NULL, *leaf = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(findings_clear) Findings f = {};

        /* A trust anchor policy does not judge: PATH_INVALID, and it says
         * why rather than OpenSSL's "unable to get local issuer". */
        root = make_ca(ROOT_SUBJ, k_root, NULL, NULL, -1);
        tu_add_bad_san_resign(root, k_root);
        inter = make_ca(INTER_SUBJ, k_inter, root, k_root, -1);
        leaf = make_leaf(inter, k_inter);
        b = BUNDLE(leaf, inter);
        anchors = ANCHORS(root);
        c = run(b, -1, anchors, &f);
        ASSERT_HAS(&f, FINDING_PATH_INVALID);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_PATH_INVALID)->message, "'CN=SomeTelco Root CA"));
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_PATH_INVALID)->message, "does not decode"));
        ASSERT_LACKS(&f, FINDING_CHAIN_INCOMPLETE);
}
END_TEST

static Suite *chain_suite(void) {
        Suite *s = suite_create("chain");
        TCase *tc;

        tc = tcase_create("build");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_good_chain_has_no_findings);
        tcase_add_test(tc, test_leaf_and_intermediate_with_root_in_anchors_adds_root);
        tcase_add_test(tc, test_root_in_file_and_anchors_is_not_root_added);
        tcase_add_test(tc, test_chain_may_end_below_an_anchor_intermediate);
        tcase_add_test(tc, test_reversed_chain_is_chain_order_with_correct_order);
        tcase_add_test(tc, test_leaf_after_intermediate_is_chain_order);
        tcase_add_test(tc, test_leaf_hint_picks_the_key_owner);
        tcase_add_test(tc, test_missing_intermediate_is_incomplete_naming_it);
        tcase_add_test(tc, test_missing_intermediate_between_leaf_and_root);
        tcase_add_test(tc, test_intermediate_without_root_is_incomplete);
        tcase_add_test(tc, test_self_signed_leaf_alone_is_complete);
        tcase_add_test(tc, test_unrelated_certificate);
        tcase_add_test(tc, test_unrelated_server_certificate_even_when_incomplete);
        tcase_add_test(tc, test_duplicate_certificate_is_unrelated);
        tcase_add_test(tc, test_same_issuer_name_other_key_is_chain_signature);
        tcase_add_test(tc, test_no_aki_but_right_key_is_not_chain_signature);
        tcase_add_test(tc, test_two_issuer_candidates_prefers_the_one_that_signed);
        tcase_add_test(tc, test_empty_bundle_is_einval);
        tcase_add_test(tc, test_guess_leaf_never_takes_a_ca_while_a_server_certificate_is_there);
        tcase_add_test(tc, test_ca_true_server_certificate_is_no_ca_proper);
        tcase_add_test(tc, test_malformed_leaf_extension_is_explained_by_cert_invalid);
        tcase_add_test(tc, test_malformed_intermediate_is_found_and_not_ca_flags);
        tcase_add_test(tc, test_malformed_trust_anchor_is_path_invalid_naming_it);
        suite_add_tcase(s, tc);

        tc = tcase_create("ca_flags");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_issuer_ca_false_is_ca_flags);
        tcase_add_test(tc, test_issuer_without_basic_constraints_is_ca_flags);
        tcase_add_test(tc, test_issuer_without_keycertsign_is_ca_flags);
        tcase_add_test(tc, test_leaf_ca_true_is_ca_flags);
        tcase_add_test(tc, test_self_signed_ca_leaf_gets_its_own_hint);
        tcase_add_test(tc, test_pathlen_zero_root_with_intermediate_is_ca_flags);
        tcase_add_test(tc, test_pathlen_respected_is_not_ca_flags);
        tcase_add_test(tc, test_self_issued_rollover_certificate_does_not_count_for_pathlen);
        tcase_add_test(tc, test_root_without_key_usage_is_accepted);
        tcase_add_test(tc, test_intermediate_without_key_usage_is_path_invalid);
        suite_add_tcase(s, tc);

        tc = tcase_create("verify");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_name_constraint_violation_is_path_invalid);
        tcase_add_test(tc, test_name_constraint_satisfied_is_not_path_invalid);
        tcase_add_test(tc, test_unknown_critical_extension_is_path_invalid);
        tcase_add_test(tc, test_unknown_noncritical_extension_is_not_path_invalid);
        tcase_add_test(tc, test_missing_key_identifiers_are_path_invalid_only_in_strict);
        tcase_add_test(tc, test_validity_is_left_to_policy);
        tcase_add_test(tc, test_untrusted_anchor_set_does_not_override_own_root);
        tcase_add_test(tc, test_distrusted_bundle_root_is_incomplete);
        tcase_add_test(tc, test_max_chain_depth);
        tcase_add_test(tc, test_cn_is_not_held_to_name_constraints);
        tcase_add_test(tc, test_wildcard_that_could_stand_for_an_excluded_name);
        suite_add_tcase(s, tc);

        tc = tcase_create("revocation");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_revoked_leaf_is_cert_revoked);
        tcase_add_test(tc, test_revoked_without_reason_says_no_reason);
        tcase_add_test(tc, test_leaf_not_on_crl_is_not_revoked);
        tcase_add_test(tc, test_no_crls_no_revocation_checking);
        tcase_add_test(tc, test_crl_signed_by_another_key_is_crl_invalid);
        tcase_add_test(tc, test_issuer_without_crlsign_is_crl_invalid);
        tcase_add_test(tc, test_crl_number_missing_or_critical_is_crl_invalid);
        tcase_add_test(tc, test_openssl_crl_errors_are_crl_invalid);
        tcase_add_test(tc, test_revoked_intermediate_on_root_crl);
        tcase_add_test(tc, test_only_the_leaf_crl_is_enough);
        tcase_add_test(tc, test_crl_of_another_ca_leaves_the_leaf_unchecked);
        tcase_add_test(tc, test_crl_of_a_rekeyed_ca_is_not_used);
        tcase_add_test(tc, test_stale_crl_is_a_warning_and_still_used);
        suite_add_tcase(s, tc);

        tc = tcase_create("search");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_alternate_issuer_when_the_first_dead_ends);
        tcase_add_test(tc, test_alternate_issuer_around_name_constraints);
        tcase_add_test(tc, test_anchor_preferred_over_expired_cross_certificate);
        tcase_add_test(tc, test_issuer_with_eku_against_servers_avoided);
        tcase_add_test(tc, test_root_above_trusted_intermediate_belongs_to_the_chain);
        tcase_add_test(tc, test_look_alike_cas_search_is_bounded);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr;
        int failed;

        k_root = tu_key_ec("P-256");
        k_inter = tu_key_ec("P-256");
        k_leaf = tu_key_ec("P-256");
        k_other = tu_key_ec("P-256");

        sr = srunner_create(chain_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        EVP_PKEY_free(k_root);
        EVP_PKEY_free(k_inter);
        EVP_PKEY_free(k_leaf);
        EVP_PKEY_free(k_other);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
