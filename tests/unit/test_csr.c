/* test_csr: requests for a service (subject and names as the agent's
 * self-signed certificate has them, the SANs in an extensionRequest, SHA-256,
 * RSA and EC), read back as PEM (old header and text around included) and
 * DER, a damaged signature found, and what is not a request refused. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "csr.h"
#include "deploy.h"
#include "findassert.h"
#include "macro.h"
#include "selfsign.h"
#include "strv.h"
#include "testutil.h"

static EVP_PKEY *rsa_key, *ec_key;
static char *rem_names[] = {"rem.sometelco.com", "192.168.10.10", "2001:db8::10", NULL};

static CsrSpec spec(char **names) {
        return (CsrSpec){.service = "rem",
                         .names = names,
                         .country = "NZ",
                         .organization = "SomeTelco",
                         .organizational_unit = "SomeCity NOC"};
}

static X509_REQ *make(const CsrSpec *s, EVP_PKEY *k) {
        X509_REQ *req = NULL;

        ck_assert_int_eq(csr_make(s, k, &req), 0);
        ck_assert_ptr_nonnull(req);
        return req;
}

/* The requested SANs as "DNS:a,IP:b" (in order). */
static char *requested(X509_REQ *req) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
        char *s = calloc(1, 1024);

        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(csr_requested_san(req, &gens), 0);
        for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
                GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
                int type;
                ASN1_STRING *v = GENERAL_NAME_get0_value(gn, &type);
                const unsigned char *d = ASN1_STRING_get0_data(v);
                int len = ASN1_STRING_length(v);

                if (i > 0)
                        strcat(s, ",");
                if (type == GEN_DNS) {
                        strcat(s, "DNS:");
                        strncat(s, (const char *) d, (size_t) len);
                } else {
                        ck_assert_int_eq(type, GEN_IPADD);
                        sprintf(s + strlen(s), "IP:%d bytes", len);
                }
        }
        return s;
}

static char *req_pem(X509_REQ *req) {
        _cleanup_(BIO_free_allp) BIO *b = BIO_new(BIO_s_mem());
        char *data = NULL, *s;
        long n;

        ck_assert_ptr_nonnull(b);
        ck_assert_int_eq(PEM_write_bio_X509_REQ(b, req), 1);
        n = BIO_get_mem_data(b, &data);
        s = malloc((size_t) n + 1);
        if (!s)
                return NULL;
        memcpy(s, data, (size_t) n); /* not NUL-terminated */
        s[n] = '\0';
        return s;
}

/* Whether two requests have the same DER. */
static int same_der(X509_REQ *a, X509_REQ *b) {
        unsigned char *da = NULL, *db = NULL;
        int la = i2d_X509_REQ(a, &da), lb = i2d_X509_REQ(b, &db), same;

        same = la > 0 && la == lb && memcmp(da, db, (size_t) la) == 0;
        OPENSSL_free(da);
        OPENSSL_free(db);
        return same;
}

START_TEST(test_rsa_request_has_subject_names_and_signature) {
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
        _cleanup_(freep) char *sans = NULL;
        _cleanup_(findings_clear) Findings f = {};
        CsrSpec s = spec(rem_names);
        char cn[256] = "";

        req = make(&s, rsa_key);
        ck_assert_int_eq(X509_REQ_get_version(req), X509_REQ_VERSION_1);
        ck_assert_int_eq(X509_REQ_get_signature_nid(req), NID_sha256WithRSAEncryption);
        ck_assert_int_eq(X509_REQ_verify(req, rsa_key), 1);
        ck_assert_int_eq(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), rsa_key), 1);
        ck_assert_int_eq(
                X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName, cn, 256),
                (int) strlen("rem.sometelco.com"));
        ck_assert_str_eq(cn, "rem.sometelco.com");
        ck_assert_int_eq(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 4);
        sans = requested(req);
        ck_assert_str_eq(sans, "DNS:rem.sometelco.com,IP:4 bytes,IP:16 bytes");
        ck_assert_int_eq(csr_check_signature(req, "rem.csr", &f), 0);
        ASSERT_NONE(&f);
}
END_TEST

START_TEST(test_ec_request) {
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
        CsrSpec s = spec(rem_names);

        req = make(&s, ec_key);
        ck_assert_int_eq(X509_REQ_get_signature_nid(req), NID_ecdsa_with_SHA256);
        ck_assert_int_eq(X509_REQ_verify(req, ec_key), 1);
}
END_TEST

/* The same subject and names as the agent's self-signed certificate for the
 * same deployment: the 3GPP XCAP name from MCC/MNC included. */
START_TEST(test_same_subject_and_names_as_self_signed) {
        static const char yaml[] = "subject:\n"
                                   "  country: NZ\n"
                                   "  organization: SomeTelco\n"
                                   "mcc: 1\n"
                                   "mnc: 1\n"
                                   "services:\n"
                                   "  xcap:\n"
                                   "    hosts: [xcap.sometelco.com]\n";
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(deploy_freep) Deployment *d = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        _cleanup_(freep) char *sans = NULL;

        ck_assert_int_eq(deploy_parse("deployment.yaml", yaml, strlen(yaml), &d, &f), 0);
        ck_assert_int_eq(deploy_service_names(d, "xcap", &names), 0);
        CsrSpec s = {.service = "xcap",
                     .names = names,
                     .country = d->country,
                     .organization = d->organization,
                     .organizational_unit = d->organizational_unit};
        req = make(&s, rsa_key);
        SelfSignSpec ss = {.service = "xcap",
                           .names = names,
                           .country = d->country,
                           .organization = d->organization,
                           .organizational_unit = d->organizational_unit,
                           .key = KEY_SPEC_EC_P256,
                           .days = 10,
                           .now = TU_NOW};
        ck_assert_int_eq(selfsign_make(&ss, &x, &k), 0);
        ck_assert_int_eq(X509_NAME_cmp(X509_REQ_get_subject_name(req), X509_get_subject_name(x)),
                         0);
        sans = requested(req);
        ck_assert_str_eq(sans,
                         "DNS:xcap.sometelco.com,DNS:xcap.ims.mnc001.mcc001.pub.3gppnetwork.org");
}
END_TEST

START_TEST(test_repeats_dropped_cn_without_trailing_dot) {
        char *names[] = {"REM.sometelco.com.", "rem.sometelco.com", "192.168.10.10",
                         "192.168.10.10", NULL};
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
        _cleanup_(freep) char *sans = NULL;
        CsrSpec s = spec(names);
        char cn[256] = "";

        req = make(&s, ec_key);
        sans = requested(req);
        ck_assert_str_eq(sans, "DNS:REM.sometelco.com,IP:4 bytes");
        X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName, cn, 256);
        ck_assert_str_eq(cn, "REM.sometelco.com");
}
END_TEST

START_TEST(test_bad_input_is_einval) {
        char *none[] = {NULL};
        char *wildcard[] = {"*.sometelco.com", NULL};
        char *bad[] = {"rem.sometelco.com", "not a name", NULL};
        X509_REQ *req = (X509_REQ *) 0x1;
        CsrSpec s;

        s = spec(none);
        ck_assert_int_eq(csr_make(&s, rsa_key, &req), -EINVAL);
        s = spec(NULL);
        ck_assert_int_eq(csr_make(&s, rsa_key, &req), -EINVAL);
        s = spec(wildcard);
        ck_assert_int_eq(csr_make(&s, rsa_key, &req), -EINVAL);
        s = spec(bad);
        ck_assert_int_eq(csr_make(&s, rsa_key, &req), -EINVAL);
        s = spec(rem_names);
        s.country = "NZL";
        ck_assert_int_eq(csr_make(&s, rsa_key, &req), -EINVAL);
        s = spec(rem_names);
        ck_assert_int_eq(csr_make(&s, NULL, &req), -EINVAL);
        ck_assert_int_eq(csr_make(NULL, rsa_key, &req), -EINVAL);
        ck_assert_ptr_eq(req, (X509_REQ *) 0x1);
}
END_TEST

START_TEST(test_parse_pem_old_header_text_and_der) {
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL, *a = NULL, *b = NULL, *c = NULL;
        _cleanup_(freep) char *pem = NULL, *old = NULL, *text = NULL;
        _cleanup_(findings_clear) Findings f = {};
        unsigned char *der = NULL;
        CsrSpec s = spec(rem_names);
        int der_len;

        req = make(&s, rsa_key);
        pem = req_pem(req);
        ck_assert_int_eq(csr_parse("a.csr", pem, strlen(pem), &a, &f), 0);
        ck_assert_int_eq(X509_REQ_verify(a, rsa_key), 1);

        /* "NEW CERTIFICATE REQUEST" (old tools), text before it. */
        ck_assert_int_gt(asprintf(&text, "Subject: rem\r\nsome words\n%s", pem), 0);
        old = calloc(1, strlen(text) + 16);
        ck_assert_ptr_nonnull(old);
        {
                const char *p = text;
                char *w = old;

                while (*p) {
                        if (strncmp(p, "CERTIFICATE REQUEST", 19) == 0) {
                                w = stpcpy(w, "NEW CERTIFICATE REQUEST");
                                p += 19;
                        } else
                                *w++ = *p++;
                }
        }
        ck_assert_ptr_nonnull(strstr(old, "-----BEGIN NEW CERTIFICATE REQUEST-----"));
        ck_assert_int_eq(csr_parse("b.csr", old, strlen(old), &b, &f), 0);
        ck_assert_int_eq(same_der(a, b), 1);

        der_len = i2d_X509_REQ(req, &der);
        ck_assert_int_gt(der_len, 0);
        ck_assert_int_eq(csr_parse("c.der", der, (size_t) der_len, &c, &f), 0);
        ASSERT_NONE(&f);
        OPENSSL_free(der);
}
END_TEST

START_TEST(test_not_a_request_is_refused) {
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *cert = NULL;
        X509_REQ *req = (X509_REQ *) 0x1;
        static const char garbage[] = "\x30\x03\x02\x01\x01 and some more";

        x = tu_cert(&(TuCertSpec){.key = rsa_key});
        cert = tu_cert_pem(x);
        ck_assert_int_eq(csr_parse("cert.pem", cert, strlen(cert), &req, &f), -EINVAL);
        ASSERT_HAS(&f, FINDING_CERT_INVALID);
        ck_assert_str_eq(f.items[0].file, "cert.pem");
        ck_assert_ptr_nonnull(strstr(f.items[0].message, "cert.pem"));

        ck_assert_int_eq(csr_parse("g.der", garbage, sizeof garbage - 1, &req, &g), -EINVAL);
        ASSERT_HAS(&g, FINDING_CERT_INVALID);
        ck_assert_int_eq(csr_parse("e.csr", "", 0, &req, &h), -EINVAL);
        ASSERT_HAS(&h, FINDING_CERT_INVALID);
        ck_assert_ptr_eq(req, (X509_REQ *) 0x1);
}
END_TEST

START_TEST(test_load_missing_and_real_file) {
        _cleanup_(findings_clear) Findings f = {}, g = {};
        _cleanup_(freep) char *dir = tu_tmpdir(), *path = NULL, *missing = NULL, *pem = NULL;
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL, *back = NULL;
        CsrSpec s = spec(rem_names);

        missing = tu_path(dir, "none.csr");
        ck_assert_int_eq(csr_load(missing, &back, &f), -ENOENT);
        ASSERT_HAS(&f, FINDING_FILE_UNREADABLE);
        ck_assert_ptr_nonnull(strstr(f.items[0].message, missing));

        req = make(&s, ec_key);
        pem = req_pem(req);
        path = tu_write_file(dir, "rem.csr", pem, strlen(pem));
        ck_assert_int_eq(csr_load(path, &back, &g), 0);
        ASSERT_NONE(&g);
        ck_assert_int_eq(same_der(req, back), 1);
        tu_rmdir_r(dir);
}
END_TEST

/* One bit of the signature flipped: the request no longer verifies. */
START_TEST(test_flipped_signature_is_found) {
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL, *bad = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        const EVP_PKEY *keys[] = {rsa_key, ec_key};

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                unsigned char *der = NULL;
                int len;
                CsrSpec s = spec(rem_names);

                X509_REQ_free(req);
                X509_REQ_free(bad);
                bad = NULL;
                req = make(&s, (EVP_PKEY *) keys[i]);
                len = i2d_X509_REQ(req, &der);
                ck_assert_int_gt(len, 0);
                /* The signature BIT STRING ends the DER. */
                der[len - 1] ^= 0x01;
                ck_assert_int_eq(csr_parse("rem.csr", der, (size_t) len, &bad, &f), 0);
                OPENSSL_free(der);
                ck_assert_int_eq(csr_check_signature(req, "rem.csr", &g), 0);
                ck_assert_int_eq(csr_check_signature(bad, "rem.csr", &f), -EBADMSG);
                ASSERT_HAS(&f, FINDING_CHAIN_SIGNATURE);
                ck_assert_int_eq(f.items[0].severity, SEVERITY_ERROR);
                ck_assert_ptr_nonnull(strstr(f.items[0].message, "rem.csr"));
                findings_clear(&f);
        }
        ASSERT_NONE(&g);
}
END_TEST

/* A signed field altered, not the signature: one letter of the requested
 * name. The request still parses and asks for the altered name; only its
 * signature shows it. */
START_TEST(test_altered_name_is_found) {
        const EVP_PKEY *keys[] = {rsa_key, ec_key};

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_(X509_REQ_freep) X509_REQ *req = NULL, *bad = NULL;
                _cleanup_(findings_clear) Findings f = {}, g = {};
                _cleanup_(freep) char *sans = NULL;
                unsigned char *der = NULL, *at;
                CsrSpec s = spec(rem_names);
                int len;

                req = make(&s, (EVP_PKEY *) keys[i]);
                len = i2d_X509_REQ(req, &der);
                ck_assert_int_gt(len, 0);
                at = memmem(der, (size_t) len, "rem.sometelco.com", 17);
                ck_assert_ptr_nonnull(at);
                /* The SAN, not the CN: the last copy of the name. */
                while (memmem(at + 1, (size_t) (der + len - at - 1), "rem.sometelco.com", 17))
                        at = memmem(at + 1, (size_t) (der + len - at - 1), "rem.sometelco.com", 17);
                *at = 'x';
                ck_assert_int_eq(csr_parse("rem.csr", der, (size_t) len, &bad, &f), 0);
                OPENSSL_free(der);
                sans = requested(bad);
                ck_assert_str_eq(sans, "DNS:xem.sometelco.com,IP:4 bytes,IP:16 bytes");
                ck_assert_int_eq(csr_check_signature(req, "rem.csr", &g), 0);
                ASSERT_NONE(&g);
                ck_assert_int_eq(csr_check_signature(bad, "rem.csr", &f), -EBADMSG);
                ASSERT_HAS(&f, FINDING_CHAIN_SIGNATURE);
                ck_assert_ptr_nonnull(strstr(f.items[0].message, "rem.csr"));
        }
}
END_TEST

START_TEST(test_request_without_names_asks_for_none) {
        _cleanup_(X509_REQ_freep) X509_REQ *req = X509_REQ_new();
        GENERAL_NAMES *gens = (GENERAL_NAMES *) 0x1;

        ck_assert_ptr_nonnull(req);
        ck_assert_int_eq(X509_REQ_set_pubkey(req, ec_key), 1);
        ck_assert_int_gt(X509_REQ_sign(req, ec_key, EVP_sha256()), 0);
        ck_assert_int_eq(csr_requested_san(req, &gens), 0);
        ck_assert_ptr_null(gens);
}
END_TEST

static Suite *csr_suite(void) {
        Suite *s = suite_create("csr");
        TCase *tc = tcase_create("csr");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_rsa_request_has_subject_names_and_signature);
        tcase_add_test(tc, test_ec_request);
        tcase_add_test(tc, test_same_subject_and_names_as_self_signed);
        tcase_add_test(tc, test_repeats_dropped_cn_without_trailing_dot);
        tcase_add_test(tc, test_bad_input_is_einval);
        tcase_add_test(tc, test_parse_pem_old_header_text_and_der);
        tcase_add_test(tc, test_not_a_request_is_refused);
        tcase_add_test(tc, test_load_missing_and_real_file);
        tcase_add_test(tc, test_flipped_signature_is_found);
        tcase_add_test(tc, test_altered_name_is_found);
        tcase_add_test(tc, test_request_without_names_asks_for_none);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int failed;

        rsa_key = tu_key_rsa(2048);
        ec_key = tu_key_ec("P-256");
        sr = srunner_create(csr_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        EVP_PKEY_free(rsa_key);
        EVP_PKEY_free(ec_key);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
