/* test_ca: the private CA — subjects as operators write them, the root's
 * properties (RSA and EC), loading a CA directory (missing files, a key that
 * does not match, a certificate that is no CA), issuing from requests (every
 * extension parsed back, names and wildcards, the second-level sub-domain
 * case, nothing of the request's own extensions copied, validity cut at the
 * CA's end), the project's check accepting what it issues (RSA and EC,
 * wildcard and plain), every bad input refused, renewal and export. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/dsa.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "bundle.h"
#include "ca.h"
#include "check.h"
#include "csr.h"
#include "findassert.h"
#include "macro.h"
#include "names.h"
#include "strv.h"
#include "testutil.h"
#include "timeutil.h"

#define CA_MADE (TU_NOW - 10 * TU_DAY)

static Ca *ca_rsa, *ca_ec;
static EVP_PKEY *leaf_rsa, *leaf_ec;

/* ---- helpers ---------------------------------------------------------------------------- */

/* Also called from main(), outside a test: aborts instead of asserting. */
static Ca *new_ca(X509BuildKey key, const char *subject, unsigned days, time_t now) {
        _cleanup_(X509_NAME_freep) X509_NAME *n = NULL;
        Ca *ca = calloc(1, sizeof *ca);

        if (!ca || ca_subject_parse(subject, &n, NULL) < 0)
                abort();
        CaRootSpec s = {.subject = n, .key = key, .days = days, .now = now};
        if (ca_make_root(&s, &ca->cert, &ca->key) < 0)
                abort();
        ca->cert_path = strdup("ca/ca.crt");
        ca->key_path = strdup("ca/ca.key");
        if (!ca->cert_path || !ca->key_path)
                abort();
        return ca;
}

/* "/C=SE/O=x" as a name, without ca_subject_parse()'s demand for a CN. */
static X509_NAME *name_of(const char *s) {
        X509_NAME *n = X509_NAME_new();
        _cleanup_(freep) char *copy = strdup(s + 1);
        char *save = NULL;

        ck_assert_ptr_nonnull(n);
        ck_assert_ptr_nonnull(copy);
        ck_assert_int_eq(s[0], '/');
        for (char *tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
                char *eq = strchr(tok, '=');

                ck_assert_ptr_nonnull(eq);
                *eq = '\0';
                /* Longer than OpenSSL lets a name have (a CN over 64
                 * characters): written as it is, as other tools do. */
                ck_assert_int_eq(X509_NAME_add_entry_by_txt(n, tok,
                                                            strlen(eq + 1) > 64 ? V_ASN1_UTF8STRING
                                                                                : MBSTRING_UTF8,
                                                            (unsigned char *) eq + 1, -1, -1, 0),
                                 1);
        }
        return n;
}

/* A request for key: subject "/C=../CN=..", SANs as an openssl config value
 * ("DNS:a,IP:b", NULL for none), and extra extensions it asks for. */
static X509_REQ *req_make(EVP_PKEY *key, const char *subject, const char *san, bool ask_ca) {
        X509_REQ *req = X509_REQ_new();
        STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
        X509_NAME *n = NULL;

        ck_assert_ptr_nonnull(req);
        ck_assert_ptr_nonnull(exts);
        if (subject)
                n = name_of(subject);
        if (n) {
                ck_assert_int_eq(X509_REQ_set_subject_name(req, n), 1);
                X509_NAME_free(n);
        }
        ck_assert_int_eq(X509_REQ_set_pubkey(req, key), 1);
        if (san)
                sk_X509_EXTENSION_push(exts,
                                       X509V3_EXT_nconf_nid(NULL, NULL, NID_subject_alt_name, san));
        if (ask_ca) {
                sk_X509_EXTENSION_push(exts, X509V3_EXT_nconf_nid(NULL, NULL, NID_basic_constraints,
                                                                  "critical,CA:TRUE"));
                sk_X509_EXTENSION_push(exts, X509V3_EXT_nconf_nid(NULL, NULL, NID_key_usage,
                                                                  "critical,keyCertSign"));
        }
        for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++)
                ck_assert_ptr_nonnull(sk_X509_EXTENSION_value(exts, i));
        if (sk_X509_EXTENSION_num(exts) > 0)
                ck_assert_int_eq(X509_REQ_add_extensions(req, exts), 1);
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
        ck_assert_int_gt(
                X509_REQ_sign(req, key, EVP_PKEY_is_a(key, "ED25519") ? NULL : EVP_sha256()), 0);
        return req;
}

static X509 *sign_ok(const Ca *ca, X509_REQ *req, const CaSignSpec *s, Findings *f) {
        X509 *x = NULL;

        ck_assert_int_eq(ca_sign(ca, req, "rem.csr", s, &x, f), 0);
        ck_assert_ptr_nonnull(x);
        return x;
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

static const char *cn_of(X509 *x, char *buf, size_t size) {
        buf[0] = '\0';
        (void) X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, (int) size);
        return buf;
}

static X509_EXTENSION *ext(X509 *x, int nid) {
        int i = X509_get_ext_by_NID(x, nid, -1);

        ck_assert_msg(i >= 0, "no %s extension", OBJ_nid2sn(nid));
        ck_assert_int_eq(X509_get_ext_by_NID(x, nid, i), -1);
        return X509_get_ext(x, i);
}

static void assert_serial(X509 *x) {
        _cleanup_(BN_freep) BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);

        ck_assert_ptr_nonnull(serial);
        ck_assert(!BN_is_negative(serial));
        ck_assert_int_le(BN_num_bits(serial), 127);
        ck_assert_int_gt(BN_num_bits(serial), 100); /* below 2^100 once in 2^27 runs */
}

static void assert_validity(X509 *x, time_t nb, time_t na) {
        time_t t;

        ck_assert_int_eq(time_from_asn1(X509_get0_notBefore(x), &t), 0);
        ck_assert_int_eq(t, nb);
        ck_assert_int_eq(time_from_asn1(X509_get0_notAfter(x), &t), 0);
        ck_assert_int_eq(t, na);
}

/* What `certconfd check --service rem` says of leaf + the CA root with key,
 * the names to cover given. */
static void check_issued(const Ca *ca, X509 *leaf, EVP_PKEY *key, char **names, Findings *f) {
        _cleanup_(freep) char *chain = NULL, *kpem = tu_key_pem(key);
        _cleanup_(bundle_freep) Bundle *cb = NULL, *kb = NULL;
        _cleanup_(findings_clear) Findings bf = {};
        size_t len = 0;
        CheckOptions o = {.now = TU_NOW,
                          .min_valid_days = CHECK_DEFAULT_MIN_VALID_DAYS,
                          .profile = PROFILE_DEFAULT,
                          .names = names};

        ck_assert_int_eq(ca_chain_pem(ca, leaf, &chain, &len), 0);
        ck_assert_int_eq(bundle_parse("rem-cert.crt", chain, len, BUNDLE_EXPECT_CERTS, &cb, &bf),
                         0);
        ck_assert_int_eq(
                bundle_parse("rem-cert.key", kpem, strlen(kpem), BUNDLE_EXPECT_KEY, &kb, &bf), 0);
        ASSERT_NONE(&bf);
        ck_assert_uint_eq(cb->n_certs, 2);
        ck_assert_int_eq(X509_cmp(cb->certs[1], ca->cert), 0);
        ck_assert_int_eq(check_bundles("rem", cb, kb, &o, f), 0);
}

/* ---- subjects --------------------------------------------------------------------------- */

static char *name_text(X509_NAME *n) {
        _cleanup_(BIO_free_allp) BIO *b = BIO_new(BIO_s_mem());
        char *data = NULL, *s;
        long k;

        ck_assert_int_ge(X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB), 0);
        k = BIO_get_mem_data(b, &data);
        s = malloc((size_t) k + 1);
        if (!s)
                return NULL;
        memcpy(s, data, (size_t) k); /* not NUL-terminated */
        s[k] = '\0';
        return s;
}

static void assert_subject(const char *in, const char *want) {
        _cleanup_(X509_NAME_freep) X509_NAME *n = NULL;
        _cleanup_(freep) char *error = NULL, *text = NULL;

        ck_assert_msg(ca_subject_parse(in, &n, &error) == 0, "%s: %s", in, strna(error));
        text = name_text(n);
        ck_assert_str_eq(text, want);
}

static void assert_bad_subject(const char *in, const char *why) {
        _cleanup_(X509_NAME_freep) X509_NAME *n = NULL;
        _cleanup_(freep) char *error = NULL;

        ck_assert_int_eq(ca_subject_parse(in, &n, &error), -EINVAL);
        ck_assert_ptr_null(n);
        ck_assert_ptr_nonnull(error);
        ck_assert_msg(strstr(error, why), "'%s': '%s' lacks '%s'", in, error, why);
}

START_TEST(test_subject_forms) {
        assert_subject("/C=SE/O=Example/CN=Example Root CA",
                       "C = SE, O = Example, CN = Example Root CA");
        /* RFC 4514 lists the last RDN first. */
        assert_subject("CN=Example Root CA,O=Example,C=SE",
                       "C = SE, O = Example, CN = Example Root CA");
        assert_subject("CN=Example Root CA, O=Example , C=SE",
                       "C = SE, O = Example, CN = Example Root CA");
        assert_subject("/O=A\\/B/CN=x/", "O = A/B, CN = x");
        assert_subject("CN=Smith\\, John,O=Example", "O = Example, CN = \"Smith, John\"");
        assert_subject("/CN=MXOneEnterpriseCA/organizationName=Mitel",
                       "CN = MXOneEnterpriseCA, O = Mitel");

        assert_bad_subject("", "empty");
        assert_bad_subject("/C=SE/O=Example", "no CN");
        assert_bad_subject("/C=SE/XX=1/CN=a", "'XX'");
        assert_bad_subject("/C=SE/CN", "not ATTRIBUTE=VALUE");
        assert_bad_subject("/C=SWE/CN=a", "two-letter");
        assert_bad_subject("CN=,O=x", "CN has no value");

        /* Multi-valued RDNs, RFC 4514 hex escapes, attribute names in any
         * letter case, the length limits said. */
        assert_subject("/O=a+OU=b/CN=x", "O = a + OU = b, CN = x");
        assert_subject("CN=x,O=a+OU=b", "O = a + OU = b, CN = x");
        assert_subject("CN=Smith\\2C John,O=Example", "O = Example, CN = \"Smith, John\"");
        assert_subject("/O=A\\+B/CN=x", "O = \"A+B\", CN = x");
        assert_subject("cn=x,o=Example,c=SE", "C = SE, O = Example, CN = x");
        assert_subject("/EMAILADDRESS=a@b.example/commonname=x",
                       "emailAddress = a@b.example, CN = x");
        assert_bad_subject("/O=A+B Corp/CN=x", "not ATTRIBUTE=VALUE");
        assert_bad_subject("/CN=a\\00b", "\\00");
        assert_bad_subject("/CN=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                           "longer than 64 characters");
        assert_subject("/CN=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                       "CN = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
}
END_TEST

/* ---- the root --------------------------------------------------------------------------- */

static void assert_root(const Ca *ca, unsigned days, time_t now) {
        X509 *x = ca->cert;
        BASIC_CONSTRAINTS *bc;
        const ASN1_OCTET_STRING *ski, *aki;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;

        ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
        assert_serial(x);
        assert_validity(x, now - 300, now + (time_t) days * 86400);
        ck_assert_int_eq(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
        ck_assert_int_eq(X509_verify(x, ca->key), 1);
        ck_assert_int_eq(X509_check_private_key(x, ca->key), 1);

        ck_assert_int_eq(X509_get_ext_count(x), 4);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_basic_constraints)), 1);
        bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
        ck_assert_ptr_nonnull(bc);
        ck_assert_int_ne(bc->ca, 0);
        ck_assert_ptr_null(bc->pathlen);
        BASIC_CONSTRAINTS_free(bc);
        ck_assert(X509_get_extension_flags(x) & EXFLAG_CA);
        ck_assert_int_eq(X509_check_ca(x), 1);

        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_key_usage)), 1);
        ck_assert_uint_eq(X509_get_key_usage(x), KU_KEY_CERT_SIGN | KU_CRL_SIGN);

        ck_assert_int_eq(X509_pubkey_digest(x, EVP_sha1(), md, &md_len), 1);
        ski = X509_get0_subject_key_id(x);
        ck_assert_ptr_nonnull(ski);
        ck_assert_mem_eq(ASN1_STRING_get0_data(ski), md, md_len);
        aki = X509_get0_authority_key_id(x);
        ck_assert_ptr_nonnull(aki);
        ck_assert_int_eq(ASN1_OCTET_STRING_cmp(aki, ski), 0);
        ck_assert(X509_get_extension_flags(x) & EXFLAG_SS);
}

START_TEST(test_root_rsa_and_ec) {
        char group[64];

        assert_root(ca_rsa, 3650, CA_MADE);
        ck_assert(EVP_PKEY_is_a(ca_rsa->key, "RSA"));
        ck_assert_int_eq(EVP_PKEY_get_bits(ca_rsa->key), 3072);
        ck_assert_int_eq(X509_get_signature_nid(ca_rsa->cert), NID_sha256WithRSAEncryption);

        assert_root(ca_ec, 3650, CA_MADE);
        ck_assert(EVP_PKEY_is_a(ca_ec->key, "EC"));
        ck_assert_int_eq(EVP_PKEY_get_group_name(ca_ec->key, group, sizeof group, NULL), 1);
        ck_assert_str_eq(group, "prime256v1");
        ck_assert_int_eq(X509_get_signature_nid(ca_ec->cert), NID_ecdsa_with_SHA256);
}
END_TEST

START_TEST(test_root_bad_spec) {
        _cleanup_(X509_NAME_freep) X509_NAME *n = NULL;
        X509 *x = (X509 *) 0x1;
        EVP_PKEY *k = (EVP_PKEY *) 0x1;

        ck_assert_int_eq(ca_subject_parse("/CN=x", &n, NULL), 0);
        CaRootSpec s = {.subject = n, .key = X509BUILD_KEY_RSA2048, .days = 10, .now = TU_NOW};
        ck_assert_int_eq(ca_make_root(&s, &x, &k), -EINVAL);
        s.key = X509BUILD_KEY_EC_P256;
        s.days = 0;
        ck_assert_int_eq(ca_make_root(&s, &x, &k), -EINVAL);
        s.days = CA_MAX_DAYS + 1;
        ck_assert_int_eq(ca_make_root(&s, &x, &k), -EINVAL);
        s.days = 10;
        s.subject = NULL;
        ck_assert_int_eq(ca_make_root(&s, &x, &k), -EINVAL);
        ck_assert_ptr_eq(x, (X509 *) 0x1);
        ck_assert_ptr_eq(k, (EVP_PKEY *) 0x1);
}
END_TEST

/* ---- loading ---------------------------------------------------------------------------- */

/* DIR/ca.crt and, unless key is NULL, DIR/ca.key (0600, as ca init writes it). */
static void write_ca(const char *dir, X509 *const *certs, size_t n_certs, EVP_PKEY *key) {
        free(tu_write_pem(dir, CA_CERT_FILE, certs, n_certs, NULL, 0));
        if (key) {
                _cleanup_(freep) char *p = tu_write_pem(dir, CA_KEY_FILE, NULL, 0, &key, 1);

                ck_assert_int_eq(chmod(p, 0600), 0);
        }
}

START_TEST(test_load) {
        _cleanup_(freep) char *dir = tu_tmpdir();
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(findings_clear) Findings f = {};

        write_ca(dir, &ca_ec->cert, 1, ca_ec->key);
        ck_assert_int_eq(ca_load(dir, true, &ca, &f), 0);
        ASSERT_NONE(&f);
        ck_assert_int_eq(X509_cmp(ca->cert, ca_ec->cert), 0);
        ck_assert_int_eq(EVP_PKEY_eq(ca->key, ca_ec->key), 1);
        ck_assert_ptr_nonnull(strstr(ca->cert_path, "/ca.crt"));
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_load_key_mismatch_names_both_files) {
        _cleanup_(freep) char *dir = tu_tmpdir(), *crt = NULL, *key = NULL;
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(findings_clear) Findings f = {};
        const Finding *x;

        write_ca(dir, &ca_rsa->cert, 1, ca_ec->key);
        ck_assert_int_eq(ca_load(dir, true, &ca, &f), -EINVAL);
        ck_assert_ptr_null(ca);
        ASSERT_HAS(&f, FINDING_KEY_MISMATCH);
        x = fa_first(&f, FINDING_KEY_MISMATCH);
        crt = tu_path(dir, "ca.crt");
        key = tu_path(dir, "ca.key");
        ck_assert_ptr_nonnull(strstr(x->message, crt));
        ck_assert_ptr_nonnull(strstr(x->message, key));
        ck_assert_int_eq(x->severity, SEVERITY_ERROR);

        /* Without the key nothing is compared. */
        findings_clear(&f);
        ck_assert_int_eq(ca_load(dir, false, &ca, &f), 0);
        ck_assert_ptr_null(ca->key);
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_load_missing_files) {
        _cleanup_(freep) char *dir = tu_tmpdir(), *nothing = NULL;
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};

        ck_assert_int_eq(ca_load(dir, true, &ca, &f), -ENOENT);
        ASSERT_HAS(&f, FINDING_FILE_UNREADABLE);
        ck_assert_ptr_nonnull(strstr(f.items[0].message, "ca.crt"));

        write_ca(dir, &ca_ec->cert, 1, NULL);
        ck_assert_int_eq(ca_load(dir, true, &ca, &g), -ENOENT);
        ASSERT_HAS(&g, FINDING_FILE_UNREADABLE);
        ck_assert_ptr_nonnull(strstr(g.items[0].message, "ca.key"));
        ck_assert_ptr_null(ca);

        ck_assert_int_eq(ca_load(dir, false, &ca, &h), 0); /* export needs no key */
        ASSERT_NONE(&h);
        tu_rmdir_r(dir);
        nothing = tu_path(dir, "x");
        ca = ca_free(ca);
        ck_assert_int_eq(ca_load(nothing, false, &ca, &h), -ENOENT);
}
END_TEST

START_TEST(test_load_not_a_ca) {
        _cleanup_(freep) char *dir = tu_tmpdir(), *dir2 = tu_tmpdir();
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        X509 *two[2];

        leaf = tu_cert(&(TuCertSpec){.key = leaf_ec, .san = "DNS:a.example"});
        write_ca(dir, &leaf, 1, leaf_ec);
        ck_assert_int_eq(ca_load(dir, true, &ca, &f), -EINVAL);
        ASSERT_HAS(&f, FINDING_CHAIN_CA_FLAGS);
        ck_assert_ptr_nonnull(strstr(f.items[0].message, "ca.crt"));

        two[0] = ca_ec->cert;
        two[1] = ca_rsa->cert;
        write_ca(dir2, two, 2, ca_ec->key);
        ck_assert_int_eq(ca_load(dir2, true, &ca, &g), -EINVAL);
        ASSERT_HAS(&g, FINDING_CERT_INVALID);
        tu_rmdir_r(dir);
        tu_rmdir_r(dir2);
}
END_TEST

/* ---- issuing ---------------------------------------------------------------------------- */

/* The MX-ONE default certificate: CN *.<domain>, the hosts and addresses as
 * SANs; every property read back. */
START_TEST(test_sign_wildcard_every_property) {
        _cleanup_(X509_REQ_freep) X509_REQ *req = req_make(
                leaf_rsa, "/C=SE/O=Example/CN=rem.mx.corp.net", "DNS:rem.mx.corp.net", false);
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(findings_clear) Findings f = {};
        char *names[] = {"lim1.mx.corp.net", "10.0.0.1", "rem.mx.corp.net", NULL};
        CaSignSpec s = {.names = names, .wildcard = "mx.corp.net", .days = 730, .now = TU_NOW};
        const ASN1_OCTET_STRING *aki, *ski;
        AUTHORITY_KEYID *akid;
        BASIC_CONSTRAINTS *bc;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        char buf[256];

        x = sign_ok(ca_rsa, req, &s, &f);
        ASSERT_NONE(&f);
        ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
        assert_serial(x);
        assert_validity(x, TU_NOW - 300, TU_NOW + 730 * TU_DAY);
        ck_assert_str_eq(cn_of(x, buf, sizeof buf), "*.mx.corp.net");
        ck_assert_int_eq(X509_NAME_entry_count(X509_get_subject_name(x)), 3);
        ck_assert_int_eq(
                X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca_rsa->cert)), 0);
        ck_assert_int_eq(X509_verify(x, ca_rsa->key), 1);
        ck_assert_int_eq(X509_get_signature_nid(x), NID_sha256WithRSAEncryption);
        ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(x), leaf_rsa), 1);
        assert_sans(x, "rem.mx.corp.net,lim1.mx.corp.net,*.mx.corp.net", "10.0.0.1");

        ck_assert_int_eq(X509_get_ext_count(x), 6);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_basic_constraints)), 1);
        bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
        ck_assert_ptr_nonnull(bc);
        ck_assert_int_eq(bc->ca, 0);
        BASIC_CONSTRAINTS_free(bc);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_key_usage)), 1);
        ck_assert_uint_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
        ck_assert_uint_eq(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(x, NID_subject_alt_name)), 0);

        ck_assert_int_eq(X509_pubkey_digest(x, EVP_sha1(), md, &md_len), 1);
        ski = X509_get0_subject_key_id(x);
        ck_assert_ptr_nonnull(ski);
        ck_assert_mem_eq(ASN1_STRING_get0_data(ski), md, md_len);
        aki = X509_get0_authority_key_id(x);
        ck_assert_ptr_nonnull(aki);
        ck_assert_int_eq(ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(ca_rsa->cert)), 0);
        akid = X509_get_ext_d2i(x, NID_authority_key_identifier, NULL, NULL);
        ck_assert_ptr_null(akid->issuer);
        AUTHORITY_KEYID_free(akid);
        ck_assert_int_eq(X509_check_issued(ca_rsa->cert, x), X509_V_OK);
        ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);

        /* The same with "*.mx.corp.net." written. */
        {
                _cleanup_(X509_freep) X509 *y = NULL;

                s.wildcard = "*.mx.corp.net.";
                y = sign_ok(ca_rsa, req, &s, &f);
                ck_assert_str_eq(cn_of(y, buf, sizeof buf), "*.mx.corp.net");
                assert_sans(y, "rem.mx.corp.net,lim1.mx.corp.net,*.mx.corp.net", "10.0.0.1");
        }
}
END_TEST

START_TEST(test_sign_ec_client) {
        _cleanup_(X509_REQ_freep) X509_REQ *req =
                req_make(leaf_ec, "/CN=phone1.corp.net", NULL, false);
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(findings_clear) Findings f = {};
        EXTENDED_KEY_USAGE *eku;
        CaSignSpec s = {.client = true, .days = 365, .now = TU_NOW};
        char buf[256];

        x = sign_ok(ca_ec, req, &s, &f);
        ASSERT_NONE(&f);
        /* No SAN asked for: the CN, a host name, becomes one. */
        ck_assert_str_eq(cn_of(x, buf, sizeof buf), "phone1.corp.net");
        assert_sans(x, "phone1.corp.net", "");
        ck_assert_uint_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
        ck_assert_uint_eq(X509_get_extended_key_usage(x), XKU_SSL_SERVER | XKU_SSL_CLIENT);
        eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
        ck_assert_int_eq(sk_ASN1_OBJECT_num(eku), 2);
        ck_assert_int_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_server_auth);
        ck_assert_int_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 1)), NID_client_auth);
        EXTENDED_KEY_USAGE_free(eku);
        ck_assert_int_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
        ck_assert_int_eq(X509_verify(x, ca_ec->key), 1);
        ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);
}
END_TEST

/* The CN: the request's when no wildcard, else the first name; the request's
 * CA:TRUE and keyCertSign are not copied. */
START_TEST(test_sign_cn_choice_and_no_copied_extensions) {
        _cleanup_(X509_REQ_freep) X509_REQ *asks_ca =
                req_make(leaf_rsa, "/O=Evil/CN=My Server", "DNS:srv.corp.net", true);
        _cleanup_(X509_REQ_freep) X509_REQ *no_cn =
                req_make(leaf_rsa, "/O=Example", "IP:192.0.2.7,DNS:srv.corp.net", false);
        _cleanup_(X509_freep) X509 *x = NULL, *y = NULL;
        _cleanup_(findings_clear) Findings f = {};
        CaSignSpec s = {.days = 30, .now = TU_NOW};
        char buf[256];

        x = sign_ok(ca_rsa, asks_ca, &s, &f);
        ck_assert_str_eq(cn_of(x, buf, sizeof buf), "My Server");
        assert_sans(x, "srv.corp.net", "");
        ck_assert(!(X509_get_extension_flags(x) & EXFLAG_CA));
        ck_assert_uint_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
        ck_assert_int_eq(X509_check_ca(x), 0);
        /* Not silently: a warning says the CA:TRUE asked for was not given. */
        ck_assert_uint_eq(f.n, 1);
        ck_assert_int_eq(f.items[0].code, FINDING_CHAIN_CA_FLAGS);
        ck_assert_int_eq(f.items[0].severity, SEVERITY_WARNING);
        ck_assert_ptr_nonnull(strstr(f.items[0].message, "rem.csr"));
        findings_clear(&f);

        y = sign_ok(ca_rsa, no_cn, &s, &f);
        ck_assert_str_eq(cn_of(y, buf, sizeof buf), "srv.corp.net");
        assert_sans(y, "srv.corp.net", "192.0.2.7");
        ASSERT_NONE(&f);

        /* With a wildcard the request's CN, a host name outside it, stays a
         * name of the certificate. */
        {
                _cleanup_(X509_REQ_freep) X509_REQ *gw =
                        req_make(leaf_ec, "/CN=gw.other.net", NULL, false);
                _cleanup_(X509_freep) X509 *z = NULL;

                s.wildcard = "mx.corp.net";
                z = sign_ok(ca_rsa, gw, &s, &f);
                ck_assert_str_eq(cn_of(z, buf, sizeof buf), "*.mx.corp.net");
                assert_sans(z, "*.mx.corp.net,gw.other.net", "");
                ASSERT_NONE(&f);
        }
}
END_TEST

/* What the CA issues passes the agent's own check with the CA root as the
 * chain's root: RSA and EC CAs, RSA and EC keys, wildcard and plain; and the
 * wildcard covers exactly one label in the check's eyes too. */
START_TEST(test_check_accepts_what_it_issues) {
        Ca *cas[] = {ca_rsa, ca_ec};
        EVP_PKEY *keys[] = {leaf_rsa, leaf_ec};

        for (size_t i = 0; i < ELEMENTSOF(cas); i++)
                for (size_t j = 0; j < ELEMENTSOF(keys); j++)
                        for (int wild = 0; wild <= 1; wild++) {
                                _cleanup_(X509_REQ_freep) X509_REQ *req = req_make(
                                        keys[j], "/C=SE/O=Example/OU=NOC/CN=rem.mx.corp.net",
                                        "DNS:rem.mx.corp.net", false);
                                _cleanup_(X509_freep) X509 *x = NULL;
                                _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
                                char *names[] = {"lim1.mx.corp.net", "10.0.0.1", NULL};
                                char *cover[] = {"rem.mx.corp.net", "lim1.mx.corp.net", "10.0.0.1",
                                                 wild ? "lim2.mx.corp.net" : NULL, NULL};
                                char *two_down[] = {"a.lim2.mx.corp.net", NULL};
                                CaSignSpec s = {.names = names,
                                                .wildcard = wild ? "mx.corp.net" : NULL,
                                                .days = 730,
                                                .now = TU_NOW};

                                x = sign_ok(cas[i], req, &s, &f);
                                ASSERT_NONE(&f);
                                check_issued(cas[i], x, keys[j], cover, &g);
                                ASSERT_NONE(&g);
                                check_issued(cas[i], x, keys[j], two_down, &h);
                                ASSERT_HAS(&h, FINDING_SAN_NOT_COVERED);
                        }
}
END_TEST

/* The innovaphone seed's second-level sub-domain: reported, issued as its
 * own name. */
START_TEST(test_second_level_subdomain_reported_and_added) {
        _cleanup_(X509_REQ_freep) X509_REQ *req =
                req_make(leaf_ec, "/CN=ap.domain.tld", NULL, false);
        _cleanup_(X509_freep) X509 *x = NULL, *y = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        char *names[] = {"pbx.sub.domain.tld", "rp.domain.tld", NULL};
        char *near[] = {"rp.domain.tld", NULL};
        CaSignSpec s = {.names = names, .wildcard = "domain.tld", .days = 730, .now = TU_NOW};
        const Finding *w;

        x = sign_ok(ca_ec, req, &s, &f);
        ck_assert_uint_eq(f.n, 1);
        w = fa_first(&f, FINDING_SAN_NOT_COVERED);
        ck_assert_ptr_nonnull(w);
        ck_assert_int_eq(w->severity, SEVERITY_WARNING);
        ck_assert_ptr_nonnull(strstr(w->message, "pbx.sub.domain.tld"));
        ck_assert_ptr_nonnull(strstr(w->message, "*.domain.tld"));
        assert_sans(x, "pbx.sub.domain.tld,rp.domain.tld,*.domain.tld,ap.domain.tld", "");
        ck_assert(names_cert_covers(x, "pbx.sub.domain.tld"));
        ck_assert(names_cert_covers(x, "ap.domain.tld"));
        ck_assert(!names_cert_covers(x, "other.sub.domain.tld"));

        /* Near miss: one label below is covered, nothing reported. */
        s.names = near;
        y = sign_ok(ca_ec, req, &s, &g);
        ASSERT_NONE(&g);
}
END_TEST

static void assert_refused(const Ca *ca, X509_REQ *req, const CaSignSpec *s, FindingCode code,
                           const char *in_message, Findings *f) {
        X509 *x = (X509 *) 0x1;
        const Finding *e;

        ck_assert_int_eq(ca_sign(ca, req, "rem.csr", s, &x, f), -EINVAL);
        ck_assert_ptr_eq(x, (X509 *) 0x1);
        ASSERT_HAS(f, code);
        e = fa_first(f, code);
        ck_assert_int_eq(e->severity, SEVERITY_ERROR);
        ck_assert_msg(strstr(e->message, in_message), "'%s' lacks '%s'", e->message, in_message);
}

START_TEST(test_sign_bad_names) {
        _cleanup_(X509_REQ_freep) X509_REQ *req =
                req_make(leaf_rsa, "/CN=rem.corp.net", NULL, false);
        _cleanup_(X509_REQ_freep) X509_REQ *bad_req =
                req_make(leaf_rsa, "/CN=rem.corp.net", "DNS:exa_mple.com,email:a@b.c", false);
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, i = {}, j = {}, k = {};
        char *bad[] = {"bad_name!", NULL};
        char *wild[] = {"*.x.corp.net", NULL};
        char *two_bad[] = {"ok.corp.net", "no way", "256.1.1.1.1", NULL};
        CaSignSpec s = {.names = bad, .days = 30, .now = TU_NOW};

        assert_refused(ca_rsa, req, &s, FINDING_NAME_INVALID, "'bad_name!'", &f);
        s.names = wild;
        assert_refused(ca_rsa, req, &s, FINDING_NAME_INVALID, "'*.x.corp.net'", &g);
        ck_assert_ptr_nonnull(strstr(g.items[0].hint, "--wildcard"));
        /* Every bad name at once. */
        s.names = two_bad;
        assert_refused(ca_rsa, req, &s, FINDING_NAME_INVALID, "'no way'", &h);
        ck_assert_uint_eq(fa_count(&h, FINDING_NAME_INVALID), 2);

        s.names = NULL;
        s.wildcard = "co.uk"; /* directly over a public suffix */
        assert_refused(ca_rsa, req, &s, FINDING_NAME_INVALID, "'co.uk'", &i);
        s.wildcard = "bad_domain.net";
        assert_refused(ca_rsa, req, &s, FINDING_NAME_INVALID, "'bad_domain.net'", &j);

        /* A request asking for a name that is none: named with the file;
         * the e-mail address is left out with a warning. */
        s.wildcard = NULL;
        assert_refused(ca_rsa, bad_req, &s, FINDING_NAME_INVALID, "'exa_mple.com'", &k);
        ck_assert_ptr_nonnull(strstr(fa_first(&k, FINDING_NAME_INVALID)->message, "rem.csr"));
        ck_assert_uint_eq(findings_count(&k, SEVERITY_WARNING), 1);
}
END_TEST

START_TEST(test_sign_bad_requests) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *weak = tu_key_rsa(1024);
        _cleanup_(X509_REQ_freep) X509_REQ *good =
                req_make(leaf_rsa, "/CN=rem.corp.net", NULL, false);
        _cleanup_(X509_REQ_freep) X509_REQ *small = req_make(weak, "/CN=rem.corp.net", NULL, false);
        _cleanup_(X509_REQ_freep) X509_REQ *nameless =
                req_make(leaf_rsa, "/CN=My Server", NULL, false);
        _cleanup_(X509_REQ_freep) X509_REQ *flipped = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, i = {};
        _cleanup_(ca_freep) Ca *no_key = NULL;
        unsigned char *der = NULL;
        const unsigned char *p;
        CaSignSpec s = {.days = 30, .now = TU_NOW};
        X509 *x = (X509 *) 0x1;
        int len;

        len = i2d_X509_REQ(good, &der);
        ck_assert_int_gt(len, 0);
        der[len - 1] ^= 0x01;
        p = der;
        flipped = d2i_X509_REQ(NULL, &p, len);
        OPENSSL_free(der);
        ck_assert_ptr_nonnull(flipped);
        assert_refused(ca_rsa, flipped, &s, FINDING_CHAIN_SIGNATURE, "rem.csr", &f);
        ck_assert_uint_eq(f.n, 1); /* nothing else looked at */

        assert_refused(ca_rsa, small, &s, FINDING_WEAK_KEY, "1024", &g);
        assert_refused(ca_rsa, nameless, &s, FINDING_SAN_MISSING, "rem.csr", &h);

        /* A CA loaded without its key issues nothing. */
        no_key = calloc(1, sizeof *no_key);
        no_key->cert = X509_dup(ca_rsa->cert);
        ck_assert_int_eq(ca_sign(no_key, good, "rem.csr", &s, &x, &i), -EINVAL);
        ck_assert_ptr_eq(x, (X509 *) 0x1);
}
END_TEST

START_TEST(test_validity_within_the_ca) {
        _cleanup_(ca_freep) Ca *short_ca =
                new_ca(X509BUILD_KEY_EC_P256, "/CN=Short CA", 100, TU_NOW);
        _cleanup_(X509_REQ_freep) X509_REQ *req =
                req_make(leaf_ec, "/CN=rem.corp.net", NULL, false);
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        CaSignSpec s = {.days = 730, .now = TU_NOW + TU_DAY};

        x = sign_ok(short_ca, req, &s, &f);
        assert_validity(x, TU_NOW + TU_DAY - 300, TU_NOW + 100 * TU_DAY);
        ASSERT_HAS(&f, FINDING_CERT_EXPIRING);
        ck_assert_int_eq(f.items[0].severity, SEVERITY_WARNING);

        /* notBefore never before the CA's (TU_NOW - 300). */
        X509_free(x);
        s.now = TU_NOW - 200;
        s.days = 10;
        x = sign_ok(short_ca, req, &s, &g);
        ASSERT_NONE(&g);
        assert_validity(x, TU_NOW - 300, TU_NOW - 200 + 10 * TU_DAY);

        s.now = TU_NOW + 101 * TU_DAY;
        assert_refused(short_ca, req, &s, FINDING_CERT_EXPIRING, "expired", &h);
        s.now = TU_NOW - 301;
        findings_clear(&h);
        assert_refused(short_ca, req, &s, FINDING_CERT_NOT_YET_VALID, "ca/ca.crt", &h);
}
END_TEST

/* ---- renewal ---------------------------------------------------------------------------- */

static bool same_ext(X509_EXTENSION *a, X509_EXTENSION *b) {
        unsigned char *da = NULL, *db = NULL;
        int la = i2d_X509_EXTENSION(a, &da), lb = i2d_X509_EXTENSION(b, &db);
        bool same = la > 0 && la == lb && memcmp(da, db, (size_t) la) == 0;

        OPENSSL_free(da);
        OPENSSL_free(db);
        return same;
}

START_TEST(test_renew_keeps_key_subject_extensions) {
        _cleanup_(X509_REQ_freep) X509_REQ *req = req_make(
                leaf_rsa, "/C=SE/O=Example/CN=rem.mx.corp.net", "DNS:rem.mx.corp.net", false);
        _cleanup_(X509_freep) X509 *x = NULL, *y = NULL;
        _cleanup_(findings_clear) Findings f = {};
        char *names[] = {"10.0.0.1", NULL};
        CaSignSpec s = {.names = names,
                        .wildcard = "mx.corp.net",
                        .client = true,
                        .days = 30,
                        .now = TU_NOW};
        time_t later = TU_NOW + 25 * TU_DAY;

        x = sign_ok(ca_rsa, req, &s, &f);
        ck_assert_int_eq(ca_renew(ca_rsa, x, "rem.crt", 730, later, &y, &f), 0);
        ASSERT_NONE(&f);
        ck_assert_int_eq(X509_NAME_cmp(X509_get_subject_name(x), X509_get_subject_name(y)), 0);
        ck_assert_int_eq(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_issuer_name(y)), 0);
        ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(y), leaf_rsa), 1);
        ck_assert_int_ne(ASN1_INTEGER_cmp(X509_get0_serialNumber(x), X509_get0_serialNumber(y)), 0);
        assert_serial(y);
        assert_validity(y, later - 300, later + 730 * TU_DAY);
        ck_assert_int_eq(X509_get_ext_count(y), X509_get_ext_count(x));
        for (int i = 0; i < X509_get_ext_count(x); i++)
                ck_assert(same_ext(X509_get_ext(x, i), X509_get_ext(y, i)));
        ck_assert_int_eq(X509_verify(y, ca_rsa->key), 1);
        ck_assert_int_eq(X509_get_version(y), X509_VERSION_3);
}
END_TEST

START_TEST(test_renew_refuses_what_this_ca_did_not_issue) {
        _cleanup_(ca_freep) Ca *twin =
                new_ca(X509BUILD_KEY_EC_P256, "/C=SE/O=Example/CN=Example EC CA", 3650, CA_MADE);
        _cleanup_(X509_REQ_freep) X509_REQ *req =
                req_make(leaf_ec, "/CN=rem.corp.net", NULL, false);
        _cleanup_(X509_freep) X509 *x = NULL, *self = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, i = {};
        CaSignSpec s = {.days = 30, .now = TU_NOW};
        X509 *y = (X509 *) 0x1;

        x = sign_ok(ca_ec, req, &s, &f);
        /* Another CA. */
        ck_assert_int_eq(ca_renew(ca_rsa, x, "rem.crt", 730, TU_NOW, &y, &g), -EINVAL);
        ASSERT_HAS(&g, FINDING_CHAIN_UNRELATED);
        ck_assert_ptr_nonnull(strstr(g.items[0].message, "rem.crt"));
        /* Another CA of the same name (another key). */
        ck_assert_int_eq(ca_renew(twin, x, "rem.crt", 730, TU_NOW, &y, &h), -EINVAL);
        ASSERT_HAS(&h, FINDING_CHAIN_UNRELATED);
        /* The CA itself, a self-signed certificate. */
        ck_assert_int_eq(ca_renew(ca_ec, ca_ec->cert, "ca.crt", 730, TU_NOW, &y, &i), -EINVAL);
        self = tu_cert(&(TuCertSpec){.key = leaf_ec, .subject = "/CN=Example EC CA"});
        ck_assert_int_eq(ca_renew(ca_ec, self, "self.crt", 730, TU_NOW, &y, &i), -EINVAL);
        ck_assert_uint_eq(fa_count(&i, FINDING_CHAIN_UNRELATED), 2);
        ck_assert_ptr_eq(y, (X509 *) 0x1);
        /* The CA's very issuer name, no authorityKeyIdentifier to tell them
         * apart, signed by another key: only the signature shows it. */
        {
                _cleanup_(X509_freep) X509 *forged = tu_cert(&(TuCertSpec){
                        .key = leaf_ec,
                        .subject = "/CN=rem.corp.net",
                        .issuer = twin->cert,
                        .issuer_key = twin->key,
                        .san = "DNS:rem.corp.net",
                        .no_ski_aki = true,
                });
                _cleanup_(findings_clear) Findings j = {};

                ck_assert_int_eq(X509_check_issued(ca_ec->cert, forged), X509_V_OK);
                ck_assert_int_eq(ca_renew(ca_ec, forged, "forged.crt", 730, TU_NOW, &y, &j),
                                 -EINVAL);
                ASSERT_HAS(&j, FINDING_CHAIN_UNRELATED);
                ck_assert_ptr_eq(y, (X509 *) 0x1);
        }
}
END_TEST

/* A sub-CA the CA signed is not renewed; a server certificate gets the
 * server extensions again (from its names), not copies of what it had. */
START_TEST(test_renew_refuses_a_ca_and_rebuilds_extensions) {
        _cleanup_(X509_freep) X509 *sub = NULL, *odd = NULL, *bare = NULL, *y = NULL, *z = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {};
        X509 *x = (X509 *) 0x1;
        char buf[256];

        sub = tu_cert(&(TuCertSpec){.key = leaf_ec,
                                    .subject = "/CN=Sub CA",
                                    .issuer = ca_rsa->cert,
                                    .issuer_key = ca_rsa->key,
                                    .ca = true,
                                    .pathlen = -1});
        ck_assert_int_eq(ca_renew(ca_rsa, sub, "sub.crt", 730, TU_NOW, &x, &f), -EINVAL);
        ASSERT_HAS(&f, FINDING_CHAIN_CA_FLAGS);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_CHAIN_CA_FLAGS)->message, "sub.crt"));
        ck_assert_ptr_eq(x, (X509 *) 0x1);

        odd = tu_cert(&(TuCertSpec){
                .key = leaf_rsa,
                .subject = "/C=SE/O=Example/CN=Srv.Corp.net",
                .issuer = ca_rsa->cert,
                .issuer_key = ca_rsa->key,
                .ku = "critical,digitalSignature,keyEncipherment,dataEncipherment",
                .eku = "serverAuth,clientAuth,codeSigning",
                .san = "DNS:Srv.Corp.net.,IP:10.0.0.2,email:a@b.example",
        });
        ck_assert_int_eq(ca_renew(ca_rsa, odd, "odd.crt", 730, TU_NOW, &y, &g), 0);
        ck_assert_uint_eq(fa_count(&g, FINDING_NAME_INVALID), 1); /* the e-mail address */
        ck_assert_uint_eq(findings_count(&g, SEVERITY_ERROR), 0);
        ck_assert_int_eq(X509_NAME_cmp(X509_get_subject_name(odd), X509_get_subject_name(y)), 0);
        ck_assert_int_eq(X509_get_ext_count(y), 6);
        ck_assert_uint_eq(X509_get_key_usage(y), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
        ck_assert_uint_eq(X509_get_extended_key_usage(y), XKU_SSL_SERVER | XKU_SSL_CLIENT);
        ck_assert_int_eq(X509_EXTENSION_get_critical(ext(y, NID_basic_constraints)), 1);
        ck_assert(!(X509_get_extension_flags(y) & EXFLAG_CA));
        assert_sans(y, "srv.corp.net", "10.0.0.2");
        ck_assert_int_eq(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(y),
                                               X509_get0_subject_key_id(ca_rsa->cert)),
                         0);
        ck_assert_int_eq(X509_verify(y, ca_rsa->key), 1);

        /* No subjectAltName: its CN, a host name, becomes one; no clientAuth
         * when it had none. */
        bare = tu_cert(&(TuCertSpec){.key = leaf_ec,
                                     .subject = "/CN=old.corp.net",
                                     .issuer = ca_ec->cert,
                                     .issuer_key = ca_ec->key});
        ck_assert_int_eq(ca_renew(ca_ec, bare, "old.crt", 730, TU_NOW, &z, &h), 0);
        ASSERT_NONE(&h);
        assert_sans(z, "old.corp.net", "");
        ck_assert_str_eq(cn_of(z, buf, sizeof buf), "old.corp.net");
        ck_assert_uint_eq(X509_get_extended_key_usage(z), XKU_SSL_SERVER);
        ck_assert_uint_eq(X509_get_key_usage(z), KU_DIGITAL_SIGNATURE);
}
END_TEST

/* A DSA key made from fresh 2048-bit parameters. */
static EVP_PKEY *key_dsa(unsigned bits) {
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL), *kc = NULL;
        EVP_PKEY *params = NULL, *k = NULL;

        ck_assert_ptr_nonnull(pc);
        ck_assert_int_eq(EVP_PKEY_paramgen_init(pc), 1);
        ck_assert_int_eq(EVP_PKEY_CTX_set_dsa_paramgen_bits(pc, (int) bits), 1);
        ck_assert_int_eq(EVP_PKEY_paramgen(pc, &params), 1);
        kc = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
        ck_assert_ptr_nonnull(kc);
        ck_assert_int_eq(EVP_PKEY_keygen_init(kc), 1);
        ck_assert_int_eq(EVP_PKEY_keygen(kc, &k), 1);
        EVP_PKEY_CTX_free(kc);
        EVP_PKEY_CTX_free(pc);
        EVP_PKEY_free(params);
        return k;
}

/* An RSA-PSS key (RSASSA-PSS only) of bits bits. */
static EVP_PKEY *key_rsa_pss(unsigned bits) {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
        EVP_PKEY *k = NULL;

        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(EVP_PKEY_keygen_init(c), 1);
        ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_keygen_bits(c, (int) bits), 1);
        ck_assert_int_eq(EVP_PKEY_keygen(c, &k), 1);
        EVP_PKEY_CTX_free(c);
        return k;
}

/* The public half of an RSA key of `bits` bits (a random odd modulus: no
 * private key, nothing to sign with; 8200 bits in no time). */
static EVP_PKEY *rsa_public_of_bits(int bits) {
        _cleanup_(BN_freep) BIGNUM *n = BN_new(), *e = BN_new();
        OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
        OSSL_PARAM *params;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        EVP_PKEY *k = NULL;

        ck_assert(n && e && b && ctx);
        ck_assert_int_eq(BN_rand(n, bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD), 1);
        ck_assert_int_eq(BN_set_word(e, 65537), 1);
        ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n), 1);
        ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e), 1);
        params = OSSL_PARAM_BLD_to_param(b);
        ck_assert_ptr_nonnull(params);
        ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
        ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params), 1);
        ck_assert_int_eq(EVP_PKEY_get_bits(k), bits);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(b);
        EVP_PKEY_CTX_free(ctx);
        return k;
}

/* Every key the agent's check refuses is refused when signing and renewing
 * (the same rule, policy_key_verdict()); what only the strict profile or a
 * warning of the default one says is a warning. */
START_TEST(test_weak_keys_refused_as_the_check_refuses_them) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *dsa = key_dsa(2048), *p224 = tu_key_ec("P-224"),
                                           *pss = key_rsa_pss(1024),
                                           *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"),
                                           *k1 = tu_key_ec("secp256k1"),
                                           *big = rsa_public_of_bits(8200),
                                           *small = tu_key_rsa(1024);
        EVP_PKEY *weak[] = {dsa, p224, pss};
        const char *why[] = {"DSA", "224", "1024"};
        CaSignSpec s = {.days = 30, .now = TU_NOW};

        ck_assert(dsa && p224 && pss && ed && k1 && big && small);
        for (size_t i = 0; i < ELEMENTSOF(weak); i++) {
                _cleanup_(X509_REQ_freep) X509_REQ *req =
                        req_make(weak[i], "/CN=rem.corp.net", NULL, false);
                _cleanup_(findings_clear) Findings f = {};

                assert_refused(ca_rsa, req, &s, FINDING_WEAK_KEY, why[i], &f);
                ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_WEAK_KEY)->message, "rem.csr"));
                ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_WEAK_KEY)->hint, "csr"));
        }

        /* Ed25519 (the default profile warns) and secp256k1 (only strict
         * refuses it): issued, with a warning. */
        {
                EVP_PKEY *warned[] = {ed, k1};

                for (size_t i = 0; i < ELEMENTSOF(warned); i++) {
                        _cleanup_(X509_REQ_freep) X509_REQ *req =
                                req_make(warned[i], "/CN=rem.corp.net", NULL, false);
                        _cleanup_(X509_freep) X509 *x = NULL;
                        _cleanup_(findings_clear) Findings f = {};

                        x = sign_ok(ca_ec, req, &s, &f);
                        ck_assert_uint_eq(f.n, 1);
                        ck_assert_int_eq(f.items[0].code, FINDING_WEAK_KEY);
                        ck_assert_int_eq(f.items[0].severity, SEVERITY_WARNING);
                }
        }

        /* Renewal: an RSA key of 8200 bits (over 8192) and of 1024. */
        {
                EVP_PKEY *old[] = {big, small};
                const char *bits[] = {"8200", "1024"};

                for (size_t i = 0; i < ELEMENTSOF(old); i++) {
                        _cleanup_(X509_freep) X509 *c = tu_cert(&(TuCertSpec){
                                .key = old[i],
                                .subject = "/CN=rem.corp.net",
                                .issuer = ca_rsa->cert,
                                .issuer_key = ca_rsa->key,
                                .san = "DNS:rem.corp.net",
                        });
                        _cleanup_(findings_clear) Findings f = {};
                        X509 *y = (X509 *) 0x1;

                        ck_assert_int_eq(ca_renew(ca_rsa, c, "rem.crt", 730, TU_NOW, &y, &f),
                                         -EINVAL);
                        ASSERT_HAS(&f, FINDING_WEAK_KEY);
                        ck_assert_ptr_nonnull(
                                strstr(fa_first(&f, FINDING_WEAK_KEY)->message, bits[i]));
                        ck_assert_ptr_eq(y, (X509 *) 0x1);
                }
        }
}
END_TEST

/* A CA of the operator's own with an Ed25519 key signs with no digest (as
 * Ed25519 must), and the check accepts the chain (with its warning about
 * the root's key); a CA key every profile refuses is refused at load. */
START_TEST(test_ed25519_ca_signs_weak_ca_refused) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"),
                                           *small = tu_key_rsa(1024);
        _cleanup_(X509_freep) X509 *ed_cert = NULL, *small_cert = NULL, *x = NULL;
        _cleanup_(freep) char *dir = tu_tmpdir(), *dir2 = tu_tmpdir();
        _cleanup_(ca_freep) Ca *ca = NULL, *weak = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, i = {};
        _cleanup_(X509_REQ_freep) X509_REQ *req =
                req_make(leaf_ec, "/C=SE/O=Example/OU=NOC/CN=rem.mx.corp.net", NULL, false);
        char *cover[] = {"rem.mx.corp.net", NULL};
        CaSignSpec s = {.days = 30, .now = TU_NOW};

        ck_assert_ptr_nonnull(ed);
        ed_cert = tu_cert(&(TuCertSpec){.key = ed,
                                        .subject = "/CN=Ed CA",
                                        .ca = true,
                                        .pathlen = -1,
                                        .md = "",
                                        .not_before = CA_MADE,
                                        .not_after = CA_MADE + 3650 * TU_DAY});
        write_ca(dir, &ed_cert, 1, ed);
        ck_assert_int_eq(ca_load(dir, true, &ca, &f), 0);
        ASSERT_HAS(&f, FINDING_WEAK_KEY);
        ck_assert_int_eq(fa_first(&f, FINDING_WEAK_KEY)->severity, SEVERITY_WARNING);

        x = sign_ok(ca, req, &s, &g);
        ASSERT_NONE(&g);
        ck_assert_int_eq(X509_get_signature_nid(x), NID_ED25519);
        ck_assert_int_eq(X509_verify(x, ed), 1);
        check_issued(ca, x, leaf_ec, cover, &h);
        ck_assert_uint_eq(findings_count(&h, SEVERITY_ERROR), 0);

        small_cert = tu_cert(&(TuCertSpec){.key = small,
                                           .subject = "/CN=Small CA",
                                           .ca = true,
                                           .pathlen = -1,
                                           .not_before = CA_MADE,
                                           .not_after = CA_MADE + 3650 * TU_DAY});
        write_ca(dir2, &small_cert, 1, small);
        ck_assert_int_eq(ca_load(dir2, true, &weak, &i), -EINVAL);
        ASSERT_HAS(&i, FINDING_WEAK_KEY);
        ck_assert_ptr_nonnull(strstr(fa_first(&i, FINDING_WEAK_KEY)->message, "ca.crt"));
        ck_assert_ptr_nonnull(strstr(fa_first(&i, FINDING_WEAK_KEY)->hint, "ca init"));
        ck_assert_ptr_null(weak);
        /* Exporting it needs no key and judges none. */
        findings_clear(&i);
        ck_assert_int_eq(ca_load(dir2, false, &weak, &i), 0);
        tu_rmdir_r(dir);
        tu_rmdir_r(dir2);
}
END_TEST

/* A CN longer than 64 characters (a long wildcard, a long request CN) is
 * never written into the subject: the CN is a name that fits, the long name
 * stays a subjectAltName; when none fits, a finding says so. */
START_TEST(test_long_names_get_a_cn_that_fits) {
        static const char long_domain[] =
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.corp.net"; /* 64 */
        static const char long_host[] =
                "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.corp.net"; /* 72 */
        _cleanup_(X509_REQ_freep) X509_REQ *req =
                req_make(leaf_rsa, "/O=Example/CN=rem.corp.net", NULL, false);
        _cleanup_(X509_REQ_freep) X509_REQ *long_cn = req_make(
                leaf_rsa,
                "/O=Example/"
                "CN=hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.corp.net",
                "DNS:short.corp.net", false);
        _cleanup_(X509_REQ_freep) X509_REQ *only_long = req_make(
                leaf_rsa,
                "/O=Example/"
                "CN=hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.corp.net",
                NULL, false);
        _cleanup_(X509_freep) X509 *x = NULL, *y = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, k = {};
        _cleanup_(freep) char *pattern = NULL, *want = NULL;
        char *cover[] = {"short.corp.net", (char *) long_host, NULL};
        CaSignSpec s = {.wildcard = long_domain, .days = 30, .now = TU_NOW};
        char buf[256];

        ck_assert_uint_eq(strlen(long_domain), 64);
        ck_assert_uint_eq(strlen(long_host), 72);
        ck_assert_int_gt(asprintf(&pattern, "*.%s", long_domain), 0);

        x = sign_ok(ca_rsa, req, &s, &f);
        ck_assert_str_eq(cn_of(x, buf, sizeof buf), "rem.corp.net");
        ck_assert_int_gt(asprintf(&want, "%s,rem.corp.net", pattern), 0);
        assert_sans(x, want, "");
        {
                _cleanup_(freep) char *host = NULL;

                ck_assert_int_gt(asprintf(&host, "lim1.%s", long_domain), 0);
                ck_assert(names_cert_covers(x, host));
        }
        ck_assert_uint_eq(f.n, 1);
        ck_assert_int_eq(f.items[0].code, FINDING_SUBJECT_FIELDS);
        ck_assert_int_eq(f.items[0].severity, SEVERITY_WARNING);
        ck_assert_ptr_nonnull(strstr(f.items[0].message, pattern));

        s.wildcard = NULL;
        y = sign_ok(ca_rsa, long_cn, &s, &g);
        ck_assert_str_eq(cn_of(y, buf, sizeof buf), "short.corp.net");
        assert_sans(y,
                    "short.corp.net,"
                    "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.corp.net",
                    "");
        ASSERT_HAS(&g, FINDING_SUBJECT_FIELDS);
        ck_assert_uint_eq(findings_count(&g, SEVERITY_ERROR), 0);
        check_issued(ca_rsa, y, leaf_rsa, cover, &h);
        ck_assert_uint_eq(findings_count(&h, SEVERITY_ERROR), 0);

        /* No name fits: refused, the file named, the limit said. */
        assert_refused(ca_rsa, only_long, &s, FINDING_NAME_INVALID, "64 characters", &k);
        ck_assert_str_eq(fa_first(&k, FINDING_NAME_INVALID)->file, "rem.csr");
}
END_TEST

/* The request's CN is judged like a name when it looks like one: a wildcard
 * over a public suffix or a name with an underscore is refused, a wildcard
 * over the operator's own domain is kept; names are lowercased and lose a
 * trailing dot (the CN an exact copy of a subjectAltName). */
START_TEST(test_request_cn_judged_as_a_name) {
        _cleanup_(X509_REQ_freep) X509_REQ *com =
                req_make(leaf_rsa, "/CN=*.com", "DNS:good.corp.net", false);
        _cleanup_(X509_REQ_freep) X509_REQ *underscore =
                req_make(leaf_rsa, "/CN=exa_mple.corp.net", "DNS:good.corp.net", false);
        _cleanup_(X509_REQ_freep) X509_REQ *own =
                req_make(leaf_rsa, "/CN=*.corp.net", "DNS:good.corp.net", false);
        _cleanup_(X509_REQ_freep) X509_REQ *upper =
                req_make(leaf_rsa, "/CN=REM.Corp.Net.", "DNS:Rem.CORP.net,DNS:X.corp.net.", false);
        _cleanup_(X509_freep) X509 *x = NULL, *y = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, k = {};
        char *names[] = {"LIM1.Corp.Net", NULL};
        CaSignSpec s = {.days = 30, .now = TU_NOW};
        char buf[256];

        assert_refused(ca_rsa, com, &s, FINDING_NAME_INVALID, "'*.com'", &f);
        ck_assert_ptr_nonnull(strstr(fa_first(&f, FINDING_NAME_INVALID)->message, "rem.csr"));
        assert_refused(ca_rsa, underscore, &s, FINDING_NAME_INVALID, "'exa_mple.corp.net'", &g);

        x = sign_ok(ca_rsa, own, &s, &h);
        ASSERT_NONE(&h);
        ck_assert_str_eq(cn_of(x, buf, sizeof buf), "*.corp.net");
        assert_sans(x, "good.corp.net,*.corp.net", "");

        s.names = names;
        y = sign_ok(ca_rsa, upper, &s, &k);
        ASSERT_NONE(&k);
        ck_assert_str_eq(cn_of(y, buf, sizeof buf), "rem.corp.net");
        assert_sans(y, "rem.corp.net,x.corp.net,lim1.corp.net", "");
}
END_TEST

/* A wildcard the request asks for covers one label too: a name two labels
 * below it is reported, with or without --wildcard. */
START_TEST(test_requested_wildcard_second_level_reported) {
        _cleanup_(X509_REQ_freep) X509_REQ *deep =
                req_make(leaf_ec, "/CN=d.corp.net", "DNS:*.d.corp.net,DNS:a.b.d.corp.net", false);
        _cleanup_(X509_REQ_freep) X509_REQ *near =
                req_make(leaf_ec, "/CN=d.corp.net", "DNS:*.d.corp.net,DNS:b.d.corp.net", false);
        _cleanup_(X509_freep) X509 *x = NULL, *y = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {};
        CaSignSpec s = {.days = 30, .now = TU_NOW};

        x = sign_ok(ca_ec, deep, &s, &f);
        ck_assert_uint_eq(f.n, 1);
        ck_assert_int_eq(f.items[0].code, FINDING_SAN_NOT_COVERED);
        ck_assert_ptr_nonnull(strstr(f.items[0].message, "'a.b.d.corp.net'"));
        ck_assert_ptr_nonnull(strstr(f.items[0].message, "*.d.corp.net"));
        assert_sans(x, "*.d.corp.net,a.b.d.corp.net,d.corp.net", "");

        y = sign_ok(ca_ec, near, &s, &g);
        ASSERT_NONE(&g);
}
END_TEST

/* ca.key is read without following a link, and only when it is its
 * owner's alone; an encrypted one is named as such. */
START_TEST(test_load_key_file_link_mode_encrypted) {
        _cleanup_(freep) char *dir = tu_tmpdir(), *key = NULL, *real = NULL;
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(findings_clear) Findings f = {}, g = {}, h = {}, k = {};
        _cleanup_(BIO_free_allp) BIO *b = BIO_new(BIO_s_mem());
        char *data = NULL;
        long len;

        write_ca(dir, &ca_ec->cert, 1, ca_ec->key);
        key = tu_path(dir, "ca.key");
        real = tu_path(dir, "real.key");

        /* A link to the key, right next to it. */
        ck_assert_int_eq(rename(key, real), 0);
        ck_assert_int_eq(symlink("real.key", key), 0);
        ck_assert_int_eq(ca_load(dir, true, &ca, &f), -ELOOP);
        ASSERT_HAS(&f, FINDING_FILE_UNREADABLE);
        ck_assert_ptr_nonnull(strstr(f.items[0].message, "symbolic link"));
        ck_assert_ptr_null(ca);
        ck_assert_int_eq(unlink(key), 0);
        ck_assert_int_eq(rename(real, key), 0);

        /* Open to the group. */
        ck_assert_int_eq(chmod(key, 0640), 0);
        ck_assert_int_eq(ca_load(dir, true, &ca, &g), -EINVAL);
        ASSERT_HAS(&g, FINDING_KEY_INVALID);
        ck_assert_ptr_nonnull(strstr(g.items[0].message, "0640"));
        ck_assert_ptr_nonnull(strstr(g.items[0].hint, "chmod 600"));
        ck_assert_ptr_null(ca);

        /* Near miss: 0600 loads. */
        ck_assert_int_eq(chmod(key, 0600), 0);
        ck_assert_int_eq(ca_load(dir, true, &ca, &h), 0);
        ASSERT_NONE(&h);
        ca = ca_free(ca);

        /* Encrypted. */
        ck_assert_int_eq(PEM_write_bio_PKCS8PrivateKey(b, ca_ec->key, EVP_aes_256_cbc(), "pw", 2,
                                                       NULL, NULL),
                         1);
        len = BIO_get_mem_data(b, &data);
        free(tu_write_file(dir, "ca.key", data, (size_t) len));
        ck_assert_int_eq(chmod(key, 0600), 0);
        ck_assert_int_eq(ca_load(dir, true, &ca, &k), -EINVAL);
        ASSERT_HAS(&k, FINDING_KEY_ENCRYPTED);
        ck_assert_ptr_nonnull(
                strstr(fa_first(&k, FINDING_KEY_ENCRYPTED)->message, "ca.key must be unencrypted"));
        ck_assert_ptr_nonnull(strstr(fa_first(&k, FINDING_KEY_ENCRYPTED)->hint, "openssl pkey"));
        tu_rmdir_r(dir);
}
END_TEST

/* ---- export ----------------------------------------------------------------------------- */

START_TEST(test_export_pem_and_der) {
        _cleanup_(freep) char *pem = NULL, *der = NULL;
        _cleanup_(X509_freep) X509 *a = NULL, *b = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = NULL;
        size_t pem_len = 0, der_len = 0;
        const unsigned char *p;

        ck_assert_int_eq(ca_export(ca_ec, false, &pem, &pem_len), 0);
        ck_assert_uint_eq(strlen(pem), pem_len);
        ck_assert_int_eq(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
        bio = BIO_new_mem_buf(pem, (int) pem_len);
        a = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        ck_assert_ptr_nonnull(a);
        ck_assert_int_eq(X509_cmp(a, ca_ec->cert), 0);

        ck_assert_int_eq(ca_export(ca_ec, true, &der, &der_len), 0);
        ck_assert_uint_eq((unsigned char) der[0], 0x30);
        p = (const unsigned char *) der;
        b = d2i_X509(NULL, &p, (long) der_len);
        ck_assert_ptr_nonnull(b);
        ck_assert_ptr_eq(p, (const unsigned char *) der + der_len);
        ck_assert_int_eq(X509_cmp(b, ca_ec->cert), 0);
}
END_TEST

static Suite *ca_suite(void) {
        Suite *s = suite_create("ca");
        TCase *tc = tcase_create("ca");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_subject_forms);
        tcase_add_test(tc, test_root_rsa_and_ec);
        tcase_add_test(tc, test_root_bad_spec);
        tcase_add_test(tc, test_load);
        tcase_add_test(tc, test_load_key_mismatch_names_both_files);
        tcase_add_test(tc, test_load_missing_files);
        tcase_add_test(tc, test_load_not_a_ca);
        tcase_add_test(tc, test_sign_wildcard_every_property);
        tcase_add_test(tc, test_sign_ec_client);
        tcase_add_test(tc, test_sign_cn_choice_and_no_copied_extensions);
        tcase_add_test(tc, test_check_accepts_what_it_issues);
        tcase_add_test(tc, test_second_level_subdomain_reported_and_added);
        tcase_add_test(tc, test_sign_bad_names);
        tcase_add_test(tc, test_sign_bad_requests);
        tcase_add_test(tc, test_validity_within_the_ca);
        tcase_add_test(tc, test_renew_keeps_key_subject_extensions);
        tcase_add_test(tc, test_renew_refuses_what_this_ca_did_not_issue);
        tcase_add_test(tc, test_renew_refuses_a_ca_and_rebuilds_extensions);
        tcase_add_test(tc, test_weak_keys_refused_as_the_check_refuses_them);
        tcase_add_test(tc, test_ed25519_ca_signs_weak_ca_refused);
        tcase_add_test(tc, test_long_names_get_a_cn_that_fits);
        tcase_add_test(tc, test_request_cn_judged_as_a_name);
        tcase_add_test(tc, test_requested_wildcard_second_level_reported);
        tcase_add_test(tc, test_load_key_file_link_mode_encrypted);
        tcase_add_test(tc, test_export_pem_and_der);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int failed;

        ca_rsa = new_ca(X509BUILD_KEY_RSA3072, "/C=SE/O=Example/CN=Example RSA CA", 3650, CA_MADE);
        ca_ec = new_ca(X509BUILD_KEY_EC_P256, "/C=SE/O=Example/CN=Example EC CA", 3650, CA_MADE);
        leaf_rsa = tu_key_rsa(2048);
        leaf_ec = tu_key_ec("P-256");

        sr = srunner_create(ca_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        ca_free(ca_rsa);
        ca_free(ca_ec);
        EVP_PKEY_free(leaf_rsa);
        EVP_PKEY_free(leaf_ec);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
