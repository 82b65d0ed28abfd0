/* test_names: host names, IP literals, wildcards, the public-suffix table,
 * SAN matching against real certificates and the 3GPP name forms. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "macro.h"
#include "names.h"
#include "testutil.h"

static X509 *cert_with_san(const char *subject, const char *san) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");

        return tu_cert(&(TuCertSpec){.subject = subject, .key = k, .san = san});
}

static size_t strv_len(char **l) {
        size_t n = 0;

        while (l && l[n])
                n++;
        return n;
}

/* A string of n copies of c followed by suffix; malloc'd. */
static char *repeat(char c, size_t n, const char *suffix) {
        size_t sl = strlen(suffix);
        char *s = malloc(n + sl + 1);

        ck_assert_ptr_nonnull(s);
        memset(s, c, n);
        memcpy(s + n, suffix, sl + 1);
        return s;
}

/* ---- names_parse_ip ------------------------------------------------------ */

START_TEST(test_parse_ip_v4) {
        unsigned char b[16];
        size_t n = 0;

        ck_assert(names_parse_ip("192.0.2.1", b, &n));
        ck_assert_uint_eq(n, 4);
        ck_assert_mem_eq(b, "\xc0\x00\x02\x01", 4);

        ck_assert(!names_parse_ip("10.1", b, &n)); /* partial form */
        ck_assert(!names_parse_ip("10.0.0", b, &n));
        ck_assert(!names_parse_ip("192.0.2.256", b, &n));
        ck_assert(!names_parse_ip("0x7f.0.0.1", b, &n));
        ck_assert(!names_parse_ip("01.2.3.4", b, &n)); /* octal to some parsers */
        ck_assert(!names_parse_ip("192.0.2.1.", b, &n));
        ck_assert(!names_parse_ip(" 192.0.2.1", b, &n));
        ck_assert(!names_parse_ip("192.0.2.1 ", b, &n));
        ck_assert(!names_parse_ip("", b, &n));
        ck_assert(!names_parse_ip(NULL, b, &n));
        ck_assert_uint_eq(n, 4); /* untouched on failure */
}
END_TEST

START_TEST(test_parse_ip_v6) {
        unsigned char b[16];
        size_t n = 0;

        ck_assert(names_parse_ip("2001:db8::1", b, &n));
        ck_assert_uint_eq(n, 16);
        ck_assert_mem_eq(b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
        ck_assert(names_parse_ip("::ffff:192.0.2.1", b, &n));
        ck_assert_uint_eq(n, 16);
        ck_assert(names_parse_ip("::", NULL, NULL));

        ck_assert(!names_parse_ip("fe80::1%eth0", b, &n)); /* zone id */
        ck_assert(!names_parse_ip("[2001:db8::1]", b, &n));
        ck_assert(!names_parse_ip("2001:db8::1::2", b, &n));
        ck_assert(!names_parse_ip("2001:db8:0:0:0:0:0:0:1", b, &n));
}
END_TEST

/* ---- names_is_hostname --------------------------------------------------- */

START_TEST(test_hostname_valid) {
        ck_assert(names_is_hostname("localhost"));
        ck_assert(names_is_hostname("a.example.com"));
        ck_assert(names_is_hostname("a.example.com."));
        ck_assert(names_is_hostname("A-1.Example.COM"));
        ck_assert(names_is_hostname("3com.com"));
        ck_assert(names_is_hostname("xn--bcher-kva.example"));
        ck_assert(names_is_hostname("xcap.ims.mnc001.mcc001.pub.3gppnetwork.org"));
        ck_assert(names_is_hostname("192.0.2.1.example"));
}
END_TEST

START_TEST(test_hostname_invalid) {
        ck_assert(!names_is_hostname(NULL));
        ck_assert(!names_is_hostname(""));
        ck_assert(!names_is_hostname("."));
        ck_assert(!names_is_hostname(".."));
        ck_assert(!names_is_hostname("-a.example.com"));
        ck_assert(!names_is_hostname("a-.example.com"));
        ck_assert(!names_is_hostname("a.-.com"));
        ck_assert(!names_is_hostname("a_b.example.com"));
        ck_assert(!names_is_hostname("a..example.com"));
        ck_assert(!names_is_hostname(".a.example.com"));
        ck_assert(!names_is_hostname("a.example.com.."));
        ck_assert(!names_is_hostname("a b.example.com"));
        ck_assert(!names_is_hostname("a.example.com/"));
        ck_assert(!names_is_hostname("b\303\274cher.example"));
        ck_assert(!names_is_hostname("*.example.com"));
        ck_assert(!names_is_hostname("a*.example.com"));
        /* IP literals, and names a browser would read as IPv4 addresses. */
        ck_assert(!names_is_hostname("192.0.2.1"));
        ck_assert(!names_is_hostname("192.0.2.1."));
        ck_assert(!names_is_hostname("2001:db8::1"));
        ck_assert(!names_is_hostname("10.1"));
        ck_assert(!names_is_hostname("1234"));
        ck_assert(!names_is_hostname("a.0x7f"));
        ck_assert(!names_is_hostname("a.0X7F."));
}
END_TEST

START_TEST(test_hostname_lengths) {
        _cleanup_(freep) char *l63 = repeat('a', 63, ".example");
        _cleanup_(freep) char *l64 = repeat('a', 64, ".example");
        /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
        _cleanup_(freep) char *mid = NULL, *t253 = NULL, *t254 = NULL, *t253dot = NULL;
        _cleanup_(freep) char *huge = repeat('a', 1 << 20, "");
        char l[64];

        memset(l, 'a', 63);
        l[63] = 0;
        ck_assert(asprintf(&mid, "%s.%s.%s.", l, l, l) > 0);
        t253 = repeat('b', 61, "");
        t254 = repeat('b', 62, "");
        ck_assert(asprintf(&t253dot, "%s%s.", mid, t253) > 0);
        {
                _cleanup_(freep) char *a = NULL, *b = NULL;
                ck_assert(asprintf(&a, "%s%s", mid, t253) > 0);
                ck_assert(asprintf(&b, "%s%s", mid, t254) > 0);
                ck_assert_uint_eq(strlen(a), 253);
                ck_assert(names_is_hostname(a));
                ck_assert(!names_is_hostname(b));
        }
        ck_assert(names_is_hostname(t253dot)); /* 253 + the trailing dot */

        ck_assert(names_is_hostname(l63));
        ck_assert(!names_is_hostname(l64));
        ck_assert(!names_is_hostname(huge));
        ck_assert(!names_dns_matches(huge, huge));
        ck_assert(names_classify_wildcard(huge) == NAMES_WILDCARD_NONE);
}
END_TEST

/* ---- names_is_public_suffix ---------------------------------------------- */

START_TEST(test_public_suffix) {
        ck_assert(names_is_public_suffix("com"));
        ck_assert(names_is_public_suffix("COM."));
        ck_assert(names_is_public_suffix("io"));
        ck_assert(names_is_public_suffix("nz"));
        ck_assert(names_is_public_suffix("intranet")); /* any single label */
        ck_assert(names_is_public_suffix("co.uk"));
        ck_assert(names_is_public_suffix("Co.Uk."));
        ck_assert(names_is_public_suffix("com.au"));
        ck_assert(names_is_public_suffix("co.nz"));
        ck_assert(names_is_public_suffix("ne.jp"));
        ck_assert(names_is_public_suffix("3gppnetwork.org"));
        ck_assert(names_is_public_suffix("pub.3gppnetwork.org"));
        ck_assert(names_is_public_suffix("mcc001.pub.3gppnetwork.org"));
        ck_assert(names_is_public_suffix("MCC530.3gppnetwork.org."));

        ck_assert(!names_is_public_suffix(NULL));
        ck_assert(!names_is_public_suffix(""));
        ck_assert(!names_is_public_suffix("."));
        ck_assert(!names_is_public_suffix("example.com"));
        ck_assert(!names_is_public_suffix("example.co.uk"));
        ck_assert(!names_is_public_suffix("xco.uk"));
        ck_assert(!names_is_public_suffix("co.uk.example"));
        ck_assert(!names_is_public_suffix("mnc001.mcc001.pub.3gppnetwork.org"));
        ck_assert(!names_is_public_suffix("mcc01.pub.3gppnetwork.org"));
        ck_assert(!names_is_public_suffix("mccabc.pub.3gppnetwork.org"));
        ck_assert(!names_is_public_suffix("github.io")); /* private section: not ours */
}
END_TEST

START_TEST(test_private_suffix) {
        ck_assert(names_is_private_suffix("github.io"));
        ck_assert(names_is_private_suffix("S3.AmazonAWS.com."));
        ck_assert(names_is_private_suffix("appspot.com"));
        ck_assert(names_is_private_suffix("herokuapp.com"));
        ck_assert(names_is_private_suffix("cloudfront.net"));
        ck_assert(names_is_private_suffix("azurewebsites.net"));
        ck_assert(names_is_private_suffix("blogspot.com"));

        ck_assert(!names_is_private_suffix(NULL));
        ck_assert(!names_is_private_suffix(""));
        ck_assert(!names_is_private_suffix("com"));
        ck_assert(!names_is_private_suffix("amazonaws.com"));
        ck_assert(!names_is_private_suffix("bucket.s3.amazonaws.com"));
        ck_assert(!names_is_private_suffix("xgithub.io"));
        ck_assert(!names_is_private_suffix("example.com"));
}
END_TEST

/* ---- names_classify_wildcard --------------------------------------------- */

START_TEST(test_classify_wildcard) {
        static const struct {
                const char *pattern;
                NamesWildcard want;
        } cases[] = {
                {"a.example.com", NAMES_WILDCARD_NONE},
                {"", NAMES_WILDCARD_NONE},
                {"*.example.com", NAMES_WILDCARD_OK},
                {"*.EXAMPLE.com.", NAMES_WILDCARD_OK},
                {"*.xn--bcher-kva.example", NAMES_WILDCARD_OK},
                {"*.example.co.uk", NAMES_WILDCARD_OK},
                {"*.mnc001.mcc001.pub.3gppnetwork.org", NAMES_WILDCARD_OK},
                {"w*.example.com", NAMES_WILDCARD_PARTIAL},
                {"*w.example.com", NAMES_WILDCARD_PARTIAL},
                {"w*w.example.com", NAMES_WILDCARD_PARTIAL},
                {"**.example.com", NAMES_WILDCARD_PARTIAL},
                {"xn--*.example.com", NAMES_WILDCARD_PARTIAL},
                {"*xn--bcher-kva.example", NAMES_WILDCARD_PARTIAL},
                {"www.*.example.com", NAMES_WILDCARD_NOT_LEFTMOST},
                {"*.*.example.com", NAMES_WILDCARD_NOT_LEFTMOST},
                {"a.example.*", NAMES_WILDCARD_NOT_LEFTMOST},
                {"a.b*.example.com", NAMES_WILDCARD_NOT_LEFTMOST},
                {".*.example.com", NAMES_WILDCARD_NOT_LEFTMOST},
                {"*.com", NAMES_WILDCARD_PUBLIC},
                {"*.com.", NAMES_WILDCARD_PUBLIC},
                {"*.intranet", NAMES_WILDCARD_PUBLIC},
                {"*.co.uk", NAMES_WILDCARD_PUBLIC},
                {"*.CO.UK", NAMES_WILDCARD_PUBLIC},
                {"*.pub.3gppnetwork.org", NAMES_WILDCARD_PUBLIC},
                {"*.3gppnetwork.org", NAMES_WILDCARD_PUBLIC},
                {"*.mcc001.pub.3gppnetwork.org", NAMES_WILDCARD_PUBLIC},
                {"*", NAMES_WILDCARD_TOO_SHORT},
                {"*.", NAMES_WILDCARD_TOO_SHORT},
                {"*..", NAMES_WILDCARD_TOO_SHORT},
                {"*.exa_mple.com", NAMES_WILDCARD_INVALID},
                {"*.a..example.com", NAMES_WILDCARD_INVALID},
                {"*.example.com..", NAMES_WILDCARD_INVALID},
                {"*.-example.com", NAMES_WILDCARD_INVALID},
                {"*.192.0.2.1", NAMES_WILDCARD_INVALID},
                {"*.github.io", NAMES_WILDCARD_PRIVATE},
                {"*.S3.amazonaws.com.", NAMES_WILDCARD_PRIVATE},
                {"*.site.github.io", NAMES_WILDCARD_OK},
                {"*.amazonaws.com", NAMES_WILDCARD_OK},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                ck_assert_msg(names_classify_wildcard(cases[i].pattern) == cases[i].want,
                              "'%s': got %d, want %d", cases[i].pattern,
                              (int) names_classify_wildcard(cases[i].pattern), (int) cases[i].want);
        ck_assert(names_classify_wildcard(NULL) == NAMES_WILDCARD_NONE);
}
END_TEST

START_TEST(test_valid_dns_san) {
        static const char *const good[] = {
                "example.com", "A.Example.COM.", "localhost", "xn--bcher-kva.example",
                "*.example.com", "*.com", "*.github.io",
        };
        static const char *const bad[] = {
                "", ".example.com", "example..com", "exa_mple.com", "-a.example.com",
                "192.0.2.1", "w*.example.com", "*.*.example.com", "*", "*.exa_mple.com",
                "a.example.com..", "b\xc3\xbc\x63her.example", /* "bücher" in UTF-8 */
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ck_assert_msg(names_is_valid_dns_san(good[i]), "'%s'", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(!names_is_valid_dns_san(bad[i]), "'%s'", bad[i]);
        ck_assert(!names_is_valid_dns_san(NULL));
}
END_TEST

/* ---- names_dns_matches --------------------------------------------------- */

START_TEST(test_dns_exact) {
        ck_assert(names_dns_matches("a.example.com", "a.example.com"));
        ck_assert(names_dns_matches("A.Example.COM", "a.example.com"));
        ck_assert(names_dns_matches("a.example.com.", "a.example.com"));
        ck_assert(names_dns_matches("a.example.com", "A.EXAMPLE.COM."));
        ck_assert(names_dns_matches("localhost", "localhost"));

        ck_assert(!names_dns_matches("a.example.com", "b.example.com"));
        ck_assert(!names_dns_matches("a.example.com", "a.example.co"));
        ck_assert(!names_dns_matches("a.example.com", "aa.example.com"));
        ck_assert(!names_dns_matches("example.com", "a.example.com"));
        ck_assert(!names_dns_matches("a.example.com..", "a.example.com"));
        ck_assert(!names_dns_matches("a.example.com", "a.example.com.."));
        ck_assert(!names_dns_matches(NULL, "a.example.com"));
        ck_assert(!names_dns_matches("a.example.com", NULL));
        ck_assert(!names_dns_matches("", ""));
        ck_assert(!names_dns_matches("a..b", "a..b"));
}
END_TEST

START_TEST(test_dns_wildcard) {
        ck_assert(names_dns_matches("*.example.com", "a.example.com"));
        ck_assert(names_dns_matches("*.example.com", "WWW.EXAMPLE.COM."));
        ck_assert(names_dns_matches("*.Example.com.", "xn--bcher-kva.example.com"));
        ck_assert(names_dns_matches("*.mnc001.mcc001.pub.3gppnetwork.org",
                                    "xcap.mnc001.mcc001.pub.3gppnetwork.org"));

        ck_assert(!names_dns_matches("*.example.com", "example.com"));
        ck_assert(!names_dns_matches("*.example.com", ".example.com"));
        ck_assert(!names_dns_matches("*.example.com", "a.b.example.com"));
        ck_assert(!names_dns_matches("*.example.com", "a.example.org"));
        ck_assert(!names_dns_matches("*.example.com", "aexample.com"));
        ck_assert(!names_dns_matches("*.example.com", "*.example.com"));
        ck_assert(!names_dns_matches("*.example.com", "a_b.example.com"));
}
END_TEST

START_TEST(test_dns_bad_wildcards_match_nothing) {
        ck_assert(!names_dns_matches("*.com", "example.com"));
        ck_assert(!names_dns_matches("*.co.uk", "example.co.uk"));
        ck_assert(!names_dns_matches("*.pub.3gppnetwork.org", "mnc001.pub.3gppnetwork.org"));
        ck_assert(!names_dns_matches("*.intranet", "host.intranet"));
        ck_assert(!names_dns_matches("w*.example.com", "www.example.com"));
        ck_assert(!names_dns_matches("*w.example.com", "www.example.com"));
        ck_assert(!names_dns_matches("xn--*.example.com", "xn--bcher-kva.example.com"));
        ck_assert(!names_dns_matches("www.*.example.com", "www.a.example.com"));
        ck_assert(!names_dns_matches("*.*.example.com", "a.b.example.com"));
        ck_assert(!names_dns_matches("*", "localhost"));
        ck_assert(!names_dns_matches("*.", "localhost"));
}
END_TEST

START_TEST(test_dns_private_suffix_wildcard) {
        /* Browsers accept it (Chrome: private registries are not public
         * suffixes for wildcards); the strict profile does not. */
        ck_assert(names_dns_matches("*.github.io", "someone.github.io"));
        ck_assert(names_dns_matches_flags("*.github.io", "someone.github.io", NAMES_MATCH_DEFAULT));
        ck_assert(!names_dns_matches_flags("*.github.io", "someone.github.io", NAMES_MATCH_STRICT));
        ck_assert(!names_dns_matches_flags("*.s3.amazonaws.com", "example.s3.amazonaws.com",
                                           NAMES_MATCH_STRICT));
        /* Near misses: one label further down, and exact names, are fine. */
        ck_assert(names_dns_matches_flags("*.someone.github.io", "www.someone.github.io",
                                          NAMES_MATCH_STRICT));
        ck_assert(names_dns_matches_flags("someone.github.io", "someone.github.io",
                                          NAMES_MATCH_STRICT));
        ck_assert(names_dns_matches_flags("*.example.com", "a.example.com", NAMES_MATCH_STRICT));
}
END_TEST

START_TEST(test_dns_never_ip) {
        ck_assert(!names_dns_matches("192.0.2.1", "192.0.2.1"));
        ck_assert(!names_dns_matches("*.0.2.1", "192.0.2.1"));
        ck_assert(!names_dns_matches("2001:db8::1", "2001:db8::1"));
        ck_assert(!names_dns_matches("10.1", "10.1"));
}
END_TEST

/* ---- names_cert_covers / names_cert_sans --------------------------------- */

#define TEST_SAN "DNS:a.example.com,DNS:*.wild.example.com,DNS:*.com,IP:192.0.2.1,IP:2001:db8::1"

START_TEST(test_cert_covers) {
        _cleanup_(X509_freep) X509 *x = cert_with_san("/CN=a.example.com", TEST_SAN);

        ck_assert(names_cert_covers(x, "a.example.com"));
        ck_assert(names_cert_covers(x, "A.EXAMPLE.COM."));
        ck_assert(names_cert_covers(x, "x.wild.example.com"));
        ck_assert(names_cert_covers(x, "192.0.2.1"));
        ck_assert(names_cert_covers(x, "2001:db8::1"));
        ck_assert(names_cert_covers(x, "2001:DB8:0:0::1"));

        ck_assert(!names_cert_covers(x, "b.example.com"));
        ck_assert(!names_cert_covers(x, "wild.example.com"));
        ck_assert(!names_cert_covers(x, "a.b.wild.example.com"));
        ck_assert(!names_cert_covers(x, "foo.com")); /* only via the refused "*.com" */
        ck_assert(!names_cert_covers(x, "192.0.2.2"));
        ck_assert(!names_cert_covers(x, "::ffff:192.0.2.1")); /* v4 vs v6 */
        ck_assert(!names_cert_covers(x, "2001:db8::2"));
        ck_assert(!names_cert_covers(x, "a_b.example.com"));
        ck_assert(!names_cert_covers(x, ""));
        ck_assert(!names_cert_covers(x, NULL));
        ck_assert(!names_cert_covers(NULL, "a.example.com"));
}
END_TEST

START_TEST(test_cert_ip_as_dns_is_not_ip) {
        _cleanup_(X509_freep) X509 *x = cert_with_san("/CN=192.0.2.1", "DNS:192.0.2.1");
        _cleanup_(strv_freep) char **dns = NULL, **ip = NULL;
        bool has = false;

        ck_assert(!names_cert_covers(x, "192.0.2.1"));
        ck_assert_int_eq(names_cert_sans(x, &dns, &ip, &has), 0);
        ck_assert(has);
        ck_assert_uint_eq(strv_len(dns), 1);
        ck_assert_str_eq(dns[0], "192.0.2.1");
        ck_assert_uint_eq(strv_len(ip), 0);
}
END_TEST

START_TEST(test_cert_cn_only_covers_nothing) {
        _cleanup_(X509_freep) X509 *x = cert_with_san("/CN=host.example.com", NULL);
        _cleanup_(strv_freep) char **dns = NULL, **ip = NULL;
        bool has = true;

        ck_assert(!names_cert_covers(x, "host.example.com"));
        ck_assert_int_eq(names_cert_sans(x, &dns, &ip, &has), 0);
        ck_assert(!has);
        ck_assert_ptr_nonnull(dns);
        ck_assert_ptr_nonnull(ip);
        ck_assert_ptr_null(dns[0]);
        ck_assert_ptr_null(ip[0]);
}
END_TEST

START_TEST(test_cert_sans_lists) {
        _cleanup_(X509_freep) X509 *x = cert_with_san(NULL, TEST_SAN ",email:a@example.com");
        _cleanup_(strv_freep) char **dns = NULL, **ip = NULL;
        bool has = false;

        ck_assert_int_eq(names_cert_sans(x, &dns, &ip, &has), 0);
        ck_assert(has);
        ck_assert_uint_eq(strv_len(dns), 3);
        ck_assert_str_eq(dns[0], "a.example.com");
        ck_assert_str_eq(dns[1], "*.wild.example.com");
        ck_assert_str_eq(dns[2], "*.com");
        ck_assert_uint_eq(strv_len(ip), 2);
        ck_assert_str_eq(ip[0], "192.0.2.1");
        ck_assert_str_eq(ip[1], "2001:db8::1");
}
END_TEST

START_TEST(test_cert_sans_null_outs) {
        _cleanup_(X509_freep) X509 *x = cert_with_san(NULL, TEST_SAN);
        _cleanup_(strv_freep) char **dns = NULL, **ip = NULL;

        ck_assert_int_eq(names_cert_sans(x, NULL, &ip, NULL), 0);
        ck_assert_uint_eq(strv_len(ip), 2);
        ck_assert_int_eq(names_cert_sans(x, &dns, NULL, NULL), 0);
        ck_assert_uint_eq(strv_len(dns), 3);
        ck_assert_int_eq(names_cert_sans(x, NULL, NULL, NULL), 0);
        ck_assert_int_eq(names_cert_sans(NULL, NULL, NULL, NULL), -EINVAL);
}
END_TEST

/* Replaces the SAN of x with one dNSName holding an embedded NUL (plus a
 * clean one), and signs again. */
static void set_san_with_nul(X509 *x, EVP_PKEY *k) {
        static const char evil[] = "a.example.com\0.evil.example";
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
        GENERAL_NAME *gn;
        ASN1_IA5STRING *s;

        ck_assert_ptr_nonnull(gens);
        gn = GENERAL_NAME_new();
        s = ASN1_IA5STRING_new();
        ck_assert(gn && s);
        ck_assert(ASN1_STRING_set(s, evil, (int) sizeof evil - 1) == 1);
        GENERAL_NAME_set0_value(gn, GEN_DNS, s);
        ck_assert(sk_GENERAL_NAME_push(gens, gn) > 0);

        gn = GENERAL_NAME_new();
        s = ASN1_IA5STRING_new();
        ck_assert(gn && s);
        ck_assert(ASN1_STRING_set(s, "b.example.com", -1) == 1);
        GENERAL_NAME_set0_value(gn, GEN_DNS, s);
        ck_assert(sk_GENERAL_NAME_push(gens, gn) > 0);

        ck_assert(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_REPLACE) == 1);
        ck_assert(X509_sign(x, k, EVP_sha256()) > 0);
}

START_TEST(test_cert_embedded_nul) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x =
                tu_cert(&(TuCertSpec){.key = k, .san = "DNS:placeholder.example"});
        _cleanup_(strv_freep) char **dns = NULL;
        bool has = false;

        set_san_with_nul(x, k);
        ck_assert(!names_cert_covers(x, "a.example.com"));
        ck_assert(names_cert_covers(x, "b.example.com"));
        ck_assert_int_eq(names_cert_sans(x, &dns, NULL, &has), 0);
        ck_assert(has);
        ck_assert_uint_eq(strv_len(dns), 1);
        ck_assert_str_eq(dns[0], "b.example.com");
}
END_TEST

/* Replaces the SAN of x with the given GeneralNames of type (GEN_DNS or
 * GEN_IPADD) holding raw bytes (n of them, each with its length), and signs
 * again with k. */
static void set_raw_sans(X509 *x, EVP_PKEY *k, int type, const char *const *v, const size_t *lens,
                         size_t n) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();

        ck_assert_ptr_nonnull(gens);
        for (size_t i = 0; i < n; i++) {
                GENERAL_NAME *gn = GENERAL_NAME_new();
                ASN1_STRING *s = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();

                ck_assert(gn && s);
                ck_assert_int_eq(ASN1_STRING_set(s, v[i], (int) lens[i]), 1);
                GENERAL_NAME_set0_value(gn, type, s);
                ck_assert_int_gt(sk_GENERAL_NAME_push(gens, gn), 0);
        }
        ck_assert_int_eq(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_REPLACE), 1);
        ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);
}

/* A hostile certificate's DNS names come out printable: control characters,
 * DEL, C1 controls and bytes that are not UTF-8 escaped as \xNN, valid UTF-8
 * and a clean name unchanged. */
START_TEST(test_cert_sans_escapes_control_characters) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x =
                tu_cert(&(TuCertSpec){.key = k, .san = "DNS:placeholder.example"});
        _cleanup_(strv_freep) char **dns = NULL;
        static const char *const v[] = {
                "\n   rem: OK \x1b[32mfine\x7f",
                "b\303\274cher.example",
                "\xff\xc2\x9b.example",
                "rem.example.com",
        };
        size_t lens[ELEMENTSOF(v)];

        for (size_t i = 0; i < ELEMENTSOF(v); i++)
                lens[i] = strlen(v[i]);
        set_raw_sans(x, k, GEN_DNS, v, lens, ELEMENTSOF(v));
        ck_assert_int_eq(names_cert_sans(x, &dns, NULL, NULL), 0);
        ck_assert_uint_eq(strv_len(dns), 4);
        ck_assert_str_eq(dns[0], "\\x0a   rem: OK \\x1b[32mfine\\x7f");
        ck_assert_str_eq(dns[1], "b\xc3\xbc" "cher.example");
        ck_assert_str_eq(dns[2], "\\xff\\xc2\\x9b.example");
        ck_assert_str_eq(dns[3], "rem.example.com");
        /* Matching still judges the bytes the certificate holds. */
        ck_assert(names_cert_covers(x, "rem.example.com"));
}
END_TEST

/* iPAddress SANs of any length but 4 or 16 bytes are no address: skipped. */
START_TEST(test_cert_sans_skip_malformed_ip) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x =
                tu_cert(&(TuCertSpec){.key = k, .san = "DNS:placeholder.example"});
        _cleanup_(strv_freep) char **ip = NULL;
        static const char *const v[] = { "\xc0\x00\x02\x01\x00", "\xc0\x00\x02\x01" };
        static const size_t lens[] = { 5, 4 };

        set_raw_sans(x, k, GEN_IPADD, v, lens, ELEMENTSOF(v));
        ck_assert_int_eq(names_cert_sans(x, NULL, &ip, NULL), 0);
        ck_assert_uint_eq(strv_len(ip), 1);
        ck_assert_str_eq(ip[0], "192.0.2.1");
        ck_assert(names_cert_covers(x, "192.0.2.1"));
}
END_TEST

/* ---- names_cert_cn_match / names_to_alabel -------------------------------- */

/* The SAN a misspelt CN means is given printable, as names_cert_sans() would. */
START_TEST(test_cn_match_form_is_printable) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x =
                tu_cert(&(TuCertSpec){.key = k, .san = "DNS:placeholder.example"});
        _cleanup_(freep) char *form = NULL;
        static const char *const v[] = { "a\x1b.example.com" };
        const size_t lens[] = { strlen(v[0]) };
        NamesCn m = NAMES_CN_COPY;

        set_raw_sans(x, k, GEN_DNS, v, lens, 1);
        ck_assert_int_eq(names_cert_cn_match(x, "A\x1b.example.com", lens[0], &m, &form), 0);
        ck_assert(m == NAMES_CN_MISSPELT);
        ck_assert_str_eq(form, "DNS:a\\x1b.example.com");
}
END_TEST

static NamesCn cn_match(X509 *x, const char *cn, char **ret_form) {
        NamesCn m = NAMES_CN_COPY;

        ck_assert_int_eq(names_cert_cn_match(x, cn, strlen(cn), &m, ret_form), 0);
        return m;
}

START_TEST(test_cn_match) {
        _cleanup_(X509_freep) X509 *x = cert_with_san(
                "/CN=x", "DNS:example.com,DNS:xn--bcher-kva.example,IP:192.168.1.1,"
                         "IP:2001:db8::8a2e:370:7334,IP:2001:db8::1:0:0:1");
        _cleanup_(freep) char *form = NULL;
        static const struct {
                const char *cn;
                NamesCn want;
                const char *form;
        } cases[] = {
                /* Exact copies. */
                {"example.com", NAMES_CN_COPY, NULL},
                {"xn--bcher-kva.example", NAMES_CN_COPY, NULL},
                {"192.168.1.1", NAMES_CN_COPY, NULL},
                {"2001:db8::8a2e:370:7334", NAMES_CN_COPY, NULL},
                {"2001:db8::1:0:0:1", NAMES_CN_COPY, NULL},
                /* A SAN spelt another way. */
                {"Example.COM", NAMES_CN_MISSPELT, "DNS:example.com"},
                {"example.com.", NAMES_CN_OTHER, NULL}, /* not the same bytes, not a respelling */
                {"0xC0A80101", NAMES_CN_MISSPELT, "IP:192.168.1.1"},
                {"192.168.001.001", NAMES_CN_MISSPELT, "IP:192.168.1.1"},
                {"2001:DB8::8A2E:370:7334", NAMES_CN_MISSPELT, "IP:2001:db8::8a2e:370:7334"},
                {"2001:0db8:0000:0000:0000:8a2e:0370:7334", NAMES_CN_MISSPELT,
                 "IP:2001:db8::8a2e:370:7334"},
                {"2001:db8:0:0:1:0:0:1", NAMES_CN_MISSPELT, "IP:2001:db8::1:0:0:1"},
                {"b\303\274cher.example", NAMES_CN_MISSPELT, "DNS:xn--bcher-kva.example"},
                /* Unicode that is no SAN. */
                {"m\xc3\xbc" "nchen.example", NAMES_CN_UNICODE, "xn--mnchen-3ya.example"},
                /* Something else: left alone. */
                {"EE", NAMES_CN_OTHER, NULL},
                {"other.example.com", NAMES_CN_OTHER, NULL},
                {"192.168.1.2", NAMES_CN_OTHER, NULL},
                {"SomeTelco Server", NAMES_CN_OTHER, NULL},
                {"", NAMES_CN_OTHER, NULL},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                NamesCn m = cn_match(x, cases[i].cn, &form);
                ck_assert_msg(m == cases[i].want, "'%s': got %d, want %d", cases[i].cn, (int) m,
                              (int) cases[i].want);
                if (cases[i].form)
                        ck_assert_str_eq(form, cases[i].form);
                else
                        ck_assert_ptr_null(form);
                free(form);
                form = NULL;
        }

        /* A CN with a NUL is no name; bad arguments. */
        {
                NamesCn m = NAMES_CN_COPY;
                ck_assert_int_eq(names_cert_cn_match(x, "example.com\0x", 13, &m, NULL), 0);
                ck_assert(m == NAMES_CN_OTHER);
                ck_assert_int_eq(names_cert_cn_match(NULL, "a", 1, &m, NULL), -EINVAL);
                ck_assert_int_eq(names_cert_cn_match(x, NULL, 0, &m, NULL), -EINVAL);
        }
}
END_TEST

START_TEST(test_cn_match_without_san) {
        _cleanup_(X509_freep) X509 *x = cert_with_san("/CN=example.com", NULL);
        NamesCn m = NAMES_CN_COPY;

        ck_assert_int_eq(names_cert_cn_match(x, "example.com", 11, &m, NULL), 0);
        ck_assert(m == NAMES_CN_OTHER);
}
END_TEST

START_TEST(test_to_alabel) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                /* RFC 3492 7.1 and well-known names. */
                {"b\303\274cher.example", "xn--bcher-kva.example"},
                {"m\xc3\xbc" "nchen", "xn--mnchen-3ya"},
                {"\xe2\x8c\x98.com", "xn--bih.com"},
                {"test-\xe6\xb8\xac\xe8\xa9\xa6.com", "xn--test--gs1lv54n.com"},
                {"\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4\xb8\x8d\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87",
                 "xn--ihqwcrb4cv8a8dqg056pqjye"},
                {"example.com", "example.com"},
                {"a.b.", "a.b."},
                {"", ""},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *a = names_to_alabel(cases[i].in, strlen(cases[i].in));
                ck_assert_ptr_nonnull(a);
                ck_assert_str_eq(a, cases[i].out);
        }
        /* Not UTF-8: a lone continuation byte, an overlong '/', a surrogate. */
        ck_assert_ptr_null(names_to_alabel("a\x80" "b", 3));
        ck_assert_ptr_null(names_to_alabel("\xc0\xaf", 2));
        ck_assert_ptr_null(names_to_alabel("\xed\xa0\x80", 3));
        ck_assert_ptr_null(names_to_alabel("\xc3", 1));
        ck_assert_ptr_null(names_to_alabel(NULL, 0));
}
END_TEST

/* ---- 3GPP ----------------------------------------------------------------- */

START_TEST(test_3gpp_make) {
        _cleanup_(freep) char *a = names_3gpp("xcap", 1, 1);
        _cleanup_(freep) char *b = names_3gpp("bsf", 530, 24);
        _cleanup_(freep) char *c = names_3gpp("xcap", 999, 0);

        ck_assert_str_eq(a, "xcap.ims.mnc001.mcc001.pub.3gppnetwork.org");
        ck_assert_str_eq(b, "bsf.ims.mnc024.mcc530.pub.3gppnetwork.org");
        ck_assert_str_eq(c, "xcap.ims.mnc000.mcc999.pub.3gppnetwork.org");

        ck_assert_ptr_null(names_3gpp("xcap", -1, 1));
        ck_assert_ptr_null(names_3gpp("xcap", 1, -1));
        ck_assert_ptr_null(names_3gpp("xcap", 1000, 1));
        ck_assert_ptr_null(names_3gpp("xcap", 1, 1000));
        ck_assert_ptr_null(names_3gpp(NULL, 1, 1));
        ck_assert_ptr_null(names_3gpp("", 1, 1));
}
END_TEST

START_TEST(test_3gpp_form) {
        int mcc = -1, mnc = -1;

        ck_assert(names_is_3gpp_form("xcap.ims.mnc024.mcc530.pub.3gppnetwork.org", "xcap", &mcc,
                                     &mnc));
        ck_assert_int_eq(mcc, 530);
        ck_assert_int_eq(mnc, 24);
        ck_assert(names_is_3gpp_form("XCAP.IMS.MNC001.MCC002.PUB.3GPPNETWORK.ORG.", "xcap", &mcc,
                                     NULL));
        ck_assert_int_eq(mcc, 2);
        ck_assert(
                names_is_3gpp_form("bsf.ims.mnc001.mcc001.pub.3gppnetwork.org", "bsf", NULL, NULL));

        mcc = mnc = -1;
        ck_assert(!names_is_3gpp_form("xcap.ims.mnc24.mcc530.pub.3gppnetwork.org", "xcap", &mcc,
                                      &mnc));
        ck_assert_int_eq(mcc, -1); /* untouched */
        ck_assert_int_eq(mnc, -1);
        ck_assert(!names_is_3gpp_form("xcap.ims.mnc0024.mcc530.pub.3gppnetwork.org", "xcap", NULL,
                                      NULL));
        ck_assert(!names_is_3gpp_form("xcap.ims.mcc530.mnc024.pub.3gppnetwork.org", "xcap", NULL,
                                      NULL));
        ck_assert(!names_is_3gpp_form("xcap.ims.mnc0a4.mcc530.pub.3gppnetwork.org", "xcap", NULL,
                                      NULL));
        ck_assert(
                !names_is_3gpp_form("xcap.ims.mnc024.mcc530.3gppnetwork.org", "xcap", NULL, NULL));
        ck_assert(!names_is_3gpp_form("xcap.ims.mnc024.mcc530.pub.3gppnetwork.org.example", "xcap",
                                      NULL, NULL));
        ck_assert(!names_is_3gpp_form("xcap.ims.mnc024.mcc530.pub.3gppnetwork.org..", "xcap", NULL,
                                      NULL));
        ck_assert(!names_is_3gpp_form("bsf.ims.mnc024.mcc530.pub.3gppnetwork.org", "xcap", NULL,
                                      NULL));
        ck_assert(!names_is_3gpp_form("xxcap.ims.mnc024.mcc530.pub.3gppnetwork.org", "xcap", NULL,
                                      NULL));
        ck_assert(!names_is_3gpp_form("ims.mnc024.mcc530.pub.3gppnetwork.org", "xcap", NULL, NULL));
        ck_assert(
                !names_is_3gpp_form("xcap.mnc024.mcc530.pub.3gppnetwork.org", "xcap", NULL, NULL));
        ck_assert(!names_is_3gpp_form("", "xcap", NULL, NULL));
        ck_assert(!names_is_3gpp_form(NULL, "xcap", NULL, NULL));
        ck_assert(!names_is_3gpp_form("xcap.ims.mnc024.mcc530.pub.3gppnetwork.org", NULL, NULL,
                                      NULL));
        ck_assert(!names_is_3gpp_form(".ims.mnc024.mcc530.pub.3gppnetwork.org", "", NULL, NULL));
}
END_TEST

START_TEST(test_3gpp_roundtrip) {
        for (int mcc = 0; mcc <= 999; mcc += 37)
                for (int mnc = 0; mnc <= 999; mnc += 41) {
                        _cleanup_(freep) char *s = names_3gpp("xcap", mcc, mnc);
                        int a = -1, b = -1;

                        ck_assert_ptr_nonnull(s);
                        ck_assert(names_is_hostname(s));
                        ck_assert(names_is_3gpp_form(s, "xcap", &a, &b));
                        ck_assert_int_eq(a, mcc);
                        ck_assert_int_eq(b, mnc);
                }
}
END_TEST

static Suite *names_suite(void) {
        Suite *s = suite_create("names");
        TCase *tc;

        tc = tcase_create("ip");
        tcase_add_test(tc, test_parse_ip_v4);
        tcase_add_test(tc, test_parse_ip_v6);
        suite_add_tcase(s, tc);

        tc = tcase_create("hostname");
        tcase_add_test(tc, test_hostname_valid);
        tcase_add_test(tc, test_hostname_invalid);
        tcase_add_test(tc, test_hostname_lengths);
        suite_add_tcase(s, tc);

        tc = tcase_create("wildcard");
        tcase_add_test(tc, test_public_suffix);
        tcase_add_test(tc, test_private_suffix);
        tcase_add_test(tc, test_classify_wildcard);
        tcase_add_test(tc, test_valid_dns_san);
        suite_add_tcase(s, tc);

        tc = tcase_create("match");
        tcase_add_test(tc, test_dns_exact);
        tcase_add_test(tc, test_dns_wildcard);
        tcase_add_test(tc, test_dns_bad_wildcards_match_nothing);
        tcase_add_test(tc, test_dns_private_suffix_wildcard);
        tcase_add_test(tc, test_dns_never_ip);
        suite_add_tcase(s, tc);

        tc = tcase_create("cert");
        tcase_add_test(tc, test_cert_covers);
        tcase_add_test(tc, test_cert_ip_as_dns_is_not_ip);
        tcase_add_test(tc, test_cert_cn_only_covers_nothing);
        tcase_add_test(tc, test_cert_sans_lists);
        tcase_add_test(tc, test_cert_sans_null_outs);
        tcase_add_test(tc, test_cert_embedded_nul);
        tcase_add_test(tc, test_cert_sans_escapes_control_characters);
        tcase_add_test(tc, test_cert_sans_skip_malformed_ip);
        tcase_add_test(tc, test_cn_match);
        tcase_add_test(tc, test_cn_match_form_is_printable);
        tcase_add_test(tc, test_cn_match_without_san);
        tcase_add_test(tc, test_to_alabel);
        suite_add_tcase(s, tc);

        tc = tcase_create("3gpp");
        tcase_add_test(tc, test_3gpp_make);
        tcase_add_test(tc, test_3gpp_form);
        tcase_add_test(tc, test_3gpp_roundtrip);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(names_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
