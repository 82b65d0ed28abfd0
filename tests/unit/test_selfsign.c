/* test_selfsign: the agent's self-signed fallback — every property of the
 * certificate parsed back with OpenSSL (version, serial, dates, subject,
 * extensions and their criticality, signature), RSA and EC, IPv6, no names,
 * what the project's own check says of it, and the verdict on an installed
 * one (names, key, dates). */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "bundle.h"
#include "check.h"
#include "deploy.h"
#include "findassert.h"
#include "macro.h"
#include "names.h"
#include "selfsign.h"
#include "strv.h"
#include "testutil.h"
#include "timeutil.h"

#define DAYS 1826

static char *rem_names[] = {"rem.sometelco.com", "192.168.10.10", "2001:db8::10", NULL};

static SelfSignSpec spec(KeySpec key, char **names) {
        return (SelfSignSpec){.service = "rem",
                              .names = names,
                              .country = "NZ",
                              .organization = "SomeTelco",
                              .organizational_unit = "SomeCity NOC",
                              .key = key,
                              .days = DAYS,
                              .now = TU_NOW};
}

static void make(const SelfSignSpec *s, X509 **x, EVP_PKEY **k) {
        ck_assert_int_eq(selfsign_make(s, x, k), 0);
        ck_assert_ptr_nonnull(*x);
        ck_assert_ptr_nonnull(*k);
}

/* The subject's entry of nid as text, "" when absent. */
static const char *subject_entry(X509 *x, int nid, char *buf, size_t size) {
        buf[0] = '\0';
        (void) X509_NAME_get_text_by_NID(X509_get_subject_name(x), nid, buf, (int) size);
        return buf;
}

static X509_EXTENSION *ext(X509 *x, int nid) {
        int i = X509_get_ext_by_NID(x, nid, -1);

        ck_assert_msg(i >= 0, "no %s extension", OBJ_nid2sn(nid));
        ck_assert_int_eq(X509_get_ext_by_NID(x, nid, i), -1); /* only one */
        return X509_get_ext(x, i);
}

static char *join(char **l) {
        size_t n = 1;
        char *s;

        for (char **i = l; i && *i; i++)
                n += strlen(*i) + 1;
        s = calloc(1, n);
        ck_assert_ptr_nonnull(s);
        for (char **i = l; i && *i; i++) {
                if (i != l)
                        strcat(s, ",");
                strcat(s, *i);
        }
        return s;
}

static void assert_sans(X509 *x, const char *dns, const char *ip) {
        _cleanup_(strv_freep) char **d = NULL, **a = NULL;
        _cleanup_(freep) char *ds = NULL, *as = NULL;

        ck_assert_int_eq(names_cert_sans(x, &d, &a, NULL), 0);
        ds = join(d);
        as = join(a);
        ck_assert_str_eq(ds, dns);
        ck_assert_str_eq(as, ip);
}

/* The properties RSA and EC certificates share. */
static void assert_common(X509 *x, EVP_PKEY *k) {
        _cleanup_(BN_freep) BIGNUM *serial = NULL;
        const ASN1_OCTET_STRING *ski, *aki;
        BASIC_CONSTRAINTS *bc;
        AUTHORITY_KEYID *akid;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        time_t t;
        char buf[256];

        ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);

        serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        ck_assert_ptr_nonnull(serial);
        ck_assert(!BN_is_negative(serial));
        ck_assert(!BN_is_zero(serial));
        ck_assert_int_le(BN_num_bits(serial), 127);
        /* 127 random bits: below 2^100 once in 2^27 runs. */
        ck_assert_int_gt(BN_num_bits(serial), 100);

        ck_assert_int_eq(time_from_asn1(X509_get0_notBefore(x), &t), 0);
        ck_assert_int_eq(t, TU_NOW - 300);
        ck_assert_int_eq(time_from_asn1(X509_get0_notAfter(x), &t), 0);
        ck_assert_int_eq(t, TU_NOW + (time_t) DAYS * 86400);
        /* 2034 is before 2050: UTCTime (RFC 5280 4.1.2.5). */
        ck_assert_int_eq(ASN1_STRING_type(X509_get0_notAfter(x)), V_ASN1_UTCTIME);

        ck_assert_str_eq(subject_entry(x, NID_countryName, buf, sizeof buf), "NZ");
        ck_assert_str_eq(subject_entry(x, NID_organizationName, buf, sizeof buf), "SomeTelco");
        ck_assert_str_eq(subject_entry(x, NID_organizationalUnitName, buf, sizeof buf),
                         "SomeCity NOC");
        ck_assert_int_eq(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
        ck_assert_int_eq(X509_verify(x, k), 1);
        ck_assert_int_eq(X509_check_private_key(x, k), 1);

        ck_assert_int_eq(X509_get_ext_count(x), 6);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_basic_constraints)), 1);
        bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
        ck_assert_ptr_nonnull(bc);
        ck_assert_int_eq(bc->ca, 0);
        ck_assert_ptr_null(bc->pathlen);
        BASIC_CONSTRAINTS_free(bc);
        ck_assert(!(X509_get_extension_flags(x) & EXFLAG_CA));

        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_key_usage)), 1);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_ext_key_usage)), 0);
        ck_assert_uint_eq(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
        {
                EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);

                ck_assert_int_eq(sk_ASN1_OBJECT_num(eku), 1);
                ck_assert_int_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_server_auth);
                EXTENDED_KEY_USAGE_free(eku);
        }
        ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);

        /* SKI: SHA-1 of the public key bits; AKI: that key id alone. */
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_subject_key_identifier)), 0);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_authority_key_identifier)), 0);
        ck_assert_int_eq(X509_pubkey_digest(x, EVP_sha1(), md, &md_len), 1);
        ski = X509_get0_subject_key_id(x);
        ck_assert_ptr_nonnull(ski);
        ck_assert_int_eq(ASN1_STRING_length(ski), (int) md_len);
        ck_assert_mem_eq(ASN1_STRING_get0_data(ski), md, md_len);
        aki = X509_get0_authority_key_id(x);
        ck_assert_ptr_nonnull(aki);
        ck_assert_int_eq(ASN1_OCTET_STRING_cmp(aki, ski), 0);
        akid = X509_get_ext_d2i(x, NID_authority_key_identifier, NULL, NULL);
        ck_assert_ptr_nonnull(akid);
        ck_assert_ptr_null(akid->issuer);
        ck_assert_ptr_null(akid->serial);
        AUTHORITY_KEYID_free(akid);
        ck_assert(X509_get_extension_flags(x) & EXFLAG_SS);
}

START_TEST(test_rsa_certificate_has_every_property) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        SelfSignSpec s = spec(KEY_SPEC_RSA2048, rem_names);
        char buf[256];

        make(&s, &x, &k);
        assert_common(x, k);
        ck_assert(EVP_PKEY_is_a(k, "RSA"));
        ck_assert_int_eq(EVP_PKEY_get_bits(k), 2048);
        ck_assert_int_eq(X509_get_signature_nid(x), NID_sha256WithRSAEncryption);
        ck_assert_uint_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
        ck_assert_str_eq(subject_entry(x, NID_commonName, buf, sizeof buf), "rem.sometelco.com");
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_subject_alt_name)), 0);
        assert_sans(x, "rem.sometelco.com", "192.168.10.10,2001:db8::10");
}
END_TEST

START_TEST(test_ec_certificate_signs_only) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        SelfSignSpec s = spec(KEY_SPEC_EC_P256, rem_names);
        char group[64];

        make(&s, &x, &k);
        assert_common(x, k);
        ck_assert(EVP_PKEY_is_a(k, "EC"));
        ck_assert_int_eq(EVP_PKEY_get_group_name(k, group, sizeof group, NULL), 1);
        ck_assert_str_eq(group, "prime256v1");
        ck_assert_int_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
        /* No keyEncipherment on an EC key. */
        ck_assert_uint_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
        assert_sans(x, "rem.sometelco.com", "192.168.10.10,2001:db8::10");
}
END_TEST

START_TEST(test_serials_are_random_and_positive) {
        _cleanup_(X509_freep) X509 *a = NULL, *b = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *ka = NULL, *kb = NULL;
        SelfSignSpec s = spec(KEY_SPEC_EC_P256, rem_names);

        make(&s, &a, &ka);
        make(&s, &b, &kb);
        ck_assert_int_ne(ASN1_INTEGER_cmp(X509_get0_serialNumber(a), X509_get0_serialNumber(b)), 0);
        /* At most 16 content octets in DER: no sign byte needed. */
        for (X509 *x = a; x; x = x == a ? b : NULL) {
                unsigned char *der = NULL;
                int n = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &der);

                ck_assert_int_gt(n, 2);
                ck_assert_int_le(n - 2, 16);
                ck_assert_int_eq(der[2] & 0x80, 0);
                OPENSSL_free(der);
        }
        ck_assert_int_ne(EVP_PKEY_eq(ka, kb), 1);
}
END_TEST

START_TEST(test_ipv6_only_is_cn_in_standard_form) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        char *names[] = {"2001:DB8:0:0::1", NULL};
        SelfSignSpec s = spec(KEY_SPEC_EC_P256, names);
        char buf[256];

        make(&s, &x, &k);
        ck_assert_str_eq(subject_entry(x, NID_commonName, buf, sizeof buf), "2001:db8::1");
        assert_sans(x, "", "2001:db8::1");
        ck_assert_int_eq(X509_check_ip_asc(x, "2001:db8::1", 0), 1);
        ck_assert(names_cert_covers(x, "2001:db8::1"));
}
END_TEST

START_TEST(test_no_names_no_san_cn_is_service) {
        char *empty[] = {NULL};
        char **lists[] = {NULL, empty};

        for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
                _cleanup_(X509_freep) X509 *x = NULL;
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
                SelfSignSpec s = spec(KEY_SPEC_EC_P256, lists[i]);
                char buf[256];

                s.country = s.organization = s.organizational_unit = NULL;
                make(&s, &x, &k);
                ck_assert_str_eq(subject_entry(x, NID_commonName, buf, sizeof buf), "rem");
                ck_assert_int_eq(X509_NAME_entry_count(X509_get_subject_name(x)), 1);
                ck_assert_int_eq(X509_get_ext_by_NID(x, NID_subject_alt_name, -1), -1);
                ck_assert_int_eq(X509_get_ext_count(x), 5);
        }
}
END_TEST

START_TEST(test_cn_and_sans_from_mixed_names) {
        _cleanup_(X509_freep) X509 *x = NULL, *y = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL, *l = NULL;
        char long_name[80];
        char *names[] = {"10.0.0.1", "A.example.", "a.example", "10.0.0.1", "b.example", NULL};
        char *names2[] = {long_name, "192.0.2.7", NULL};
        SelfSignSpec s = spec(KEY_SPEC_EC_P256, names);
        char buf[256];

        /* An address first: the first host name is the CN; the trailing dot
         * goes, repeats (any case) go. */
        make(&s, &x, &k);
        ck_assert_str_eq(subject_entry(x, NID_commonName, buf, sizeof buf), "A.example");
        assert_sans(x, "A.example,b.example", "10.0.0.1");

        /* A host name longer than a CN may be: the address is the CN. */
        memset(long_name, 'a', 70);
        long_name[40] = '.';
        memcpy(long_name + 70, ".example", 9);
        ck_assert(names_is_hostname(long_name));
        s.names = names2;
        make(&s, &y, &l);
        ck_assert_str_eq(subject_entry(y, NID_commonName, buf, sizeof buf), "192.0.2.7");
        ck_assert(names_cert_covers(y, long_name));
}
END_TEST

START_TEST(test_bad_input_is_einval) {
        X509 *x = (X509 *) 0x1;
        EVP_PKEY *k = (EVP_PKEY *) 0x1;
        char *wild[] = {"*.example.com", NULL};
        char *bad[] = {"exa mple.com", NULL};
        char *ok[] = {"a.example", NULL};
        SelfSignSpec s;

        s = spec(KEY_SPEC_EC_P256, wild);
        ck_assert_int_eq(selfsign_make(&s, &x, &k), -EINVAL);
        s = spec(KEY_SPEC_EC_P256, bad);
        ck_assert_int_eq(selfsign_make(&s, &x, &k), -EINVAL);
        s = spec(KEY_SPEC_EC_P256, ok);
        s.days = 0;
        ck_assert_int_eq(selfsign_make(&s, &x, &k), -EINVAL);
        s = spec(_KEY_SPEC_MAX, ok);
        ck_assert_int_eq(selfsign_make(&s, &x, &k), -EINVAL);
        s = spec(KEY_SPEC_EC_P256, ok);
        s.country = "NZL"; /* C is two letters */
        ck_assert_int_eq(selfsign_make(&s, &x, &k), -EINVAL);
        s = spec(KEY_SPEC_EC_P256, NULL);
        s.service = NULL;
        ck_assert_int_eq(selfsign_make(&s, &x, &k), -EINVAL);
        ck_assert_int_eq(selfsign_make(NULL, &x, &k), -EINVAL);
        /* Nothing handed out on failure. */
        ck_assert_ptr_eq(x, (X509 *) 0x1);
        ck_assert_ptr_eq(k, (EVP_PKEY *) 0x1);
}
END_TEST

/* ---- the project's own check on it ----------------------------------------------- */

static const char deployment_yaml[] = "subject:\n"
                                      "  country: NZ\n"
                                      "  organization: SomeTelco\n"
                                      "  organizational_unit: SomeCity NOC\n"
                                      "services:\n"
                                      "  rem:\n"
                                      "    hosts: [rem.sometelco.com]\n"
                                      "    addresses: [192.168.10.10, 2001:db8::10]\n";

static void check_self_signed(KeySpec key, Profile profile, Findings *f) {
        _cleanup_(findings_clear) Findings df = {}, bf = {};
        _cleanup_(deploy_freep) Deployment *d = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        _cleanup_(bundle_freep) Bundle *chain = NULL, *keyb = NULL;
        _cleanup_(freep) char *cpem = NULL, *kpem = NULL;
        SelfSignSpec s;
        CheckOptions o = {
                .now = TU_NOW, .min_valid_days = CHECK_DEFAULT_MIN_VALID_DAYS, .profile = profile};

        ck_assert_int_eq(
                deploy_parse("deployment.yaml", deployment_yaml, strlen(deployment_yaml), &d, &df),
                0);
        ck_assert_int_eq(deploy_service_names(d, "rem", &names), 0);
        s = (SelfSignSpec){.service = "rem",
                           .names = names,
                           .country = d->country,
                           .organization = d->organization,
                           .organizational_unit = d->organizational_unit,
                           .key = key,
                           .days = DAYS,
                           .now = TU_NOW};
        make(&s, &x, &k);

        cpem = tu_cert_pem(x);
        kpem = tu_key_pem(k);
        ck_assert_int_eq(
                bundle_parse("rem-cert.crt", cpem, strlen(cpem), BUNDLE_EXPECT_CERTS, &chain, &bf),
                0);
        ck_assert_int_eq(
                bundle_parse("rem-cert.key", kpem, strlen(kpem), BUNDLE_EXPECT_KEY, &keyb, &bf), 0);
        ASSERT_NONE(&bf);
        o.deploy = d;
        ck_assert_int_eq(check_bundles("rem", chain, keyb, &o, f), 0);
}

/* What `certconfd check` says of the agent's own certificate, pinned: the
 * default profile accepts it (the file's self-signed certificate is its own
 * anchor); strict takes it for a root and refuses its extendedKeyUsage;
 * innovaphone wants clientAuth too (and RSA with keyEncipherment). A change
 * here is a policy decision to make on purpose. */
START_TEST(test_check_on_self_signed) {
        static const KeySpec keys[] = {KEY_SPEC_RSA2048, KEY_SPEC_EC_P256};

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};

                check_self_signed(keys[i], PROFILE_DEFAULT, &f);
                ASSERT_NONE(&f);

                check_self_signed(keys[i], PROFILE_STRICT, &g);
                ASSERT_HAS(&g, FINDING_CERT_FORMAT);
                ck_assert_uint_eq(g.n, 1);
                ck_assert_ptr_nonnull(strstr(g.items[0].message, "root certificate carries an "
                                                                 "extendedKeyUsage"));

                check_self_signed(keys[i], PROFILE_INNOVAPHONE, &h);
                ASSERT_HAS(&h, FINDING_EKU);
                if (keys[i] == KEY_SPEC_RSA2048)
                        ck_assert_uint_eq(h.n, 1);
                else {
                        ASSERT_HAS(&h, FINDING_WEAK_KEY);
                        ASSERT_HAS(&h, FINDING_KEY_USAGE);
                        ck_assert_uint_eq(h.n, 3);
                }
        }
}
END_TEST

/* ---- verdict ---------------------------------------------------------------------- */

static X509 *v_rsa, *v_ec;

static SelfSignVerdict verdict(X509 *x, char **names, KeySpec key, time_t now, int min_days) {
        SelfSignVerdict v = _SELFSIGN_VERDICT_INVALID;

        ck_assert_int_eq(selfsign_verdict(x, names, key, now, min_days, &v), 0);
        return v;
}

START_TEST(test_verdict_fits_same_names_written_otherwise) {
        char *same[] = {"2001:DB8:0::10", "REM.sometelco.com.", "192.168.10.10",
                        "rem.sometelco.com", NULL};

        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, TU_NOW, 30), SELFSIGN_FITS);
        ck_assert_int_eq(verdict(v_rsa, same, KEY_SPEC_RSA2048, TU_NOW, 30), SELFSIGN_FITS);
        ck_assert_int_eq(verdict(v_ec, rem_names, KEY_SPEC_EC_P256, TU_NOW, 30), SELFSIGN_FITS);
}
END_TEST

START_TEST(test_verdict_names_changed) {
        char *fewer[] = {"rem.sometelco.com", "192.168.10.10", NULL};
        char *more[] = {"rem.sometelco.com", "192.168.10.10", "2001:db8::10", "rem2.sometelco.com",
                        NULL};
        char *other_ip[] = {"rem.sometelco.com", "192.168.10.11", "2001:db8::10", NULL};
        char *empty[] = {NULL};

        ck_assert_int_eq(verdict(v_rsa, fewer, KEY_SPEC_RSA2048, TU_NOW, 30),
                         SELFSIGN_NAMES_CHANGED);
        ck_assert_int_eq(verdict(v_rsa, more, KEY_SPEC_RSA2048, TU_NOW, 30),
                         SELFSIGN_NAMES_CHANGED);
        ck_assert_int_eq(verdict(v_rsa, other_ip, KEY_SPEC_RSA2048, TU_NOW, 30),
                         SELFSIGN_NAMES_CHANGED);
        ck_assert_int_eq(verdict(v_rsa, empty, KEY_SPEC_RSA2048, TU_NOW, 30),
                         SELFSIGN_NAMES_CHANGED);
        ck_assert_int_eq(verdict(v_rsa, NULL, KEY_SPEC_RSA2048, TU_NOW, 30),
                         SELFSIGN_NAMES_CHANGED);
}
END_TEST

START_TEST(test_verdict_san_written_as_dns_is_a_change) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        char *names[] = {"rem.sometelco.com", "192.168.10.10", NULL};

        /* The address as a dNSName: a certificate another tool made. */
        x = tu_cert(&(TuCertSpec){.subject = "/CN=rem.sometelco.com",
                                  .key = k,
                                  .not_before = TU_NOW - TU_DAY,
                                  .not_after = TU_NOW + 400 * TU_DAY,
                                  .san = "DNS:rem.sometelco.com,DNS:192.168.10.10"});
        ck_assert_int_eq(verdict(x, names, KEY_SPEC_EC_P256, TU_NOW, 30), SELFSIGN_NAMES_CHANGED);
        names[1] = NULL;
        ck_assert_int_eq(verdict(x, names, KEY_SPEC_EC_P256, TU_NOW, 30), SELFSIGN_NAMES_CHANGED);
}
END_TEST

START_TEST(test_verdict_key_changed_comes_first) {
        char *other[] = {"other.example", NULL};
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_rsa(3072), *e = tu_key_ec("P-384");

        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_EC_P256, TU_NOW, 30),
                         SELFSIGN_KEY_CHANGED);
        ck_assert_int_eq(verdict(v_ec, rem_names, KEY_SPEC_RSA2048, TU_NOW, 30),
                         SELFSIGN_KEY_CHANGED);
        /* Names changed and expired too: the key is named. */
        ck_assert_int_eq(verdict(v_ec, other, KEY_SPEC_RSA2048, TU_NOW + 3000 * TU_DAY, 30),
                         SELFSIGN_KEY_CHANGED);
        /* RSA of another size, EC on another curve. */
        x = tu_cert(&(TuCertSpec){.key = k, .san = "DNS:other.example"});
        ck_assert_int_eq(verdict(x, other, KEY_SPEC_RSA2048, TU_NOW, 30), SELFSIGN_KEY_CHANGED);
        X509_free(x);
        x = tu_cert(&(TuCertSpec){.key = e, .san = "DNS:other.example"});
        ck_assert_int_eq(verdict(x, other, KEY_SPEC_EC_P256, TU_NOW, 30), SELFSIGN_KEY_CHANGED);
        ck_assert_int_eq(verdict(x, other, KEY_SPEC_RSA2048, TU_NOW, 30), SELFSIGN_KEY_CHANGED);
}
END_TEST

START_TEST(test_verdict_dates) {
        time_t end = TU_NOW + (time_t) DAYS * 86400;

        /* More than 30 days left fits; exactly 30 does not. */
        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, end - 30 * TU_DAY - 1, 30),
                         SELFSIGN_FITS);
        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, end - 30 * TU_DAY, 30),
                         SELFSIGN_EXPIRING);
        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, end + 1, 0),
                         SELFSIGN_EXPIRING);
        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, end - 1, 0), SELFSIGN_FITS);
        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, end, 0), SELFSIGN_EXPIRING);
        /* Backdated five minutes: valid from now - 300. */
        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, TU_NOW - 300, 30),
                         SELFSIGN_FITS);
        ck_assert_int_eq(verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, TU_NOW - 301, 30),
                         SELFSIGN_NOT_YET_VALID);
        /* Names come before dates. */
        ck_assert_int_eq(verdict(v_rsa, NULL, KEY_SPEC_RSA2048, end + 1, 30),
                         SELFSIGN_NAMES_CHANGED);
}
END_TEST

START_TEST(test_verdict_bad_input) {
        SelfSignVerdict v = SELFSIGN_FITS;
        char *bad[] = {"*.example.com", NULL};

        ck_assert_int_eq(selfsign_verdict(NULL, rem_names, KEY_SPEC_RSA2048, TU_NOW, 30, &v),
                         -EINVAL);
        ck_assert_int_eq(selfsign_verdict(v_rsa, rem_names, _KEY_SPEC_MAX, TU_NOW, 30, &v),
                         -EINVAL);
        ck_assert_int_eq(selfsign_verdict(v_rsa, bad, KEY_SPEC_RSA2048, TU_NOW, 30, &v), -EINVAL);
        ck_assert_int_eq(selfsign_verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, TU_NOW, 30, NULL),
                         -EINVAL);
        ck_assert_int_eq(v, SELFSIGN_FITS);
        v = SELFSIGN_EXPIRING;
        ck_assert_int_eq(selfsign_verdict(v_rsa, rem_names, KEY_SPEC_RSA2048, TU_NOW, 30, &v), 0);
        ck_assert_int_eq(v, SELFSIGN_FITS);
}
END_TEST

START_TEST(test_verdict_strings) {
        static const char *const names[] = {"fits", "key-changed", "names-changed", "not-yet-valid",
                                            "expiring"};

        ck_assert_int_eq(ELEMENTSOF(names), _SELFSIGN_VERDICT_MAX);
        for (int i = 0; i < _SELFSIGN_VERDICT_MAX; i++) {
                ck_assert_str_eq(selfsign_verdict_to_string((SelfSignVerdict) i), names[i]);
                ck_assert_int_eq(selfsign_verdict_from_string(names[i]), i);
        }
        ck_assert_ptr_null(selfsign_verdict_to_string(_SELFSIGN_VERDICT_MAX));
        ck_assert_ptr_null(selfsign_verdict_to_string(_SELFSIGN_VERDICT_INVALID));
        ck_assert_int_eq(selfsign_verdict_from_string("Fits"), _SELFSIGN_VERDICT_INVALID);
        ck_assert_int_eq(selfsign_verdict_from_string(NULL), _SELFSIGN_VERDICT_INVALID);
}
END_TEST

static Suite *selfsign_suite(void) {
        Suite *s = suite_create("selfsign");
        TCase *tc = tcase_create("selfsign");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_rsa_certificate_has_every_property);
        tcase_add_test(tc, test_ec_certificate_signs_only);
        tcase_add_test(tc, test_serials_are_random_and_positive);
        tcase_add_test(tc, test_ipv6_only_is_cn_in_standard_form);
        tcase_add_test(tc, test_no_names_no_san_cn_is_service);
        tcase_add_test(tc, test_cn_and_sans_from_mixed_names);
        tcase_add_test(tc, test_bad_input_is_einval);
        tcase_add_test(tc, test_check_on_self_signed);
        tcase_add_test(tc, test_verdict_fits_same_names_written_otherwise);
        tcase_add_test(tc, test_verdict_names_changed);
        tcase_add_test(tc, test_verdict_san_written_as_dns_is_a_change);
        tcase_add_test(tc, test_verdict_key_changed_comes_first);
        tcase_add_test(tc, test_verdict_dates);
        tcase_add_test(tc, test_verdict_bad_input);
        tcase_add_test(tc, test_verdict_strings);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int failed;
        SelfSignSpec s;
        EVP_PKEY *k1 = NULL, *k2 = NULL;

        s = spec(KEY_SPEC_RSA2048, rem_names);
        if (selfsign_make(&s, &v_rsa, &k1) < 0)
                abort();
        s = spec(KEY_SPEC_EC_P256, rem_names);
        if (selfsign_make(&s, &v_ec, &k2) < 0)
                abort();

        sr = srunner_create(selfsign_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        X509_free(v_rsa);
        X509_free(v_ec);
        EVP_PKEY_free(k1);
        EVP_PKEY_free(k2);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
