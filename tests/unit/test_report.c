/* test_report: the JSON report (valid JSON, checked with jq, with the
 * documented fields; strings escaped and always valid UTF-8) and the human
 * report (one block per service naming the service, the codes and the
 * hints). */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <openssl/x509v3.h>

#include "check.h"
#include "macro.h"
#include "report.h"
#include "findassert.h"
#include "testutil.h"

static char *dir;

static void setup(void) {
        dir = tu_tmpdir();
}

static void teardown(void) {
        tu_rmdir_r(dir);
        free(dir);
        dir = NULL;
}

/* ---- helpers -------------------------------------------------------------------- */

typedef int (*PrintFn)(FILE *, const StoreReport *);

static char *render(PrintFn fn, const StoreReport *r) {
        char *s = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&s, &len);

        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(fn(m, r), 0);
        ck_assert_int_eq(fclose(m), 0);
        return s;
}

static char *json_string(const char *in) {
        char *s = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&s, &len);

        ck_assert_ptr_nonnull(m);
        report_json_string(m, in);
        ck_assert_int_eq(fclose(m), 0);
        return s;
}

/* Whether s is well-formed UTF-8 (RFC 3629). */
static bool utf8_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        while (*p) {
                unsigned cp, n;
                if (*p < 0x80) {
                        p++;
                        continue;
                }
                if (*p >= 0xc2 && *p <= 0xdf)
                        n = 1, cp = *p & 0x1f;
                else if (*p >= 0xe0 && *p <= 0xef)
                        n = 2, cp = *p & 0x0f;
                else if (*p >= 0xf0 && *p <= 0xf4)
                        n = 3, cp = *p & 0x07;
                else
                        return false;
                p++;
                for (unsigned i = 0; i < n; i++, p++) {
                        if ((*p & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (*p & 0x3f);
                }
                if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
        }
        return true;
}

/* Runs `jq -e EXPR FILE`; true when jq parsed the file and EXPR held. */
static bool jq(const char *file, const char *expr) {
        _cleanup_(freep) char *cmd = NULL;
        int st;

        ck_assert_ptr_null(strchr(expr, '\''));
        ck_assert_int_gt(asprintf(&cmd, "jq -e '%s' '%s' >/dev/null 2>&1", expr, file), 0);
        st = system(cmd);
        ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 127,
                      "jq is not installed (make deps)");
        return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

#define ASSERT_JQ(file, expr) ck_assert_msg(jq(file, expr), "jq: %s does not hold", expr)

static char *write_json(const StoreReport *r) {
        _cleanup_(freep) char *s = render(report_print_json, r);

        ck_assert(utf8_valid(s));
        return tu_write_file(dir, "report.json", s, strlen(s));
}

static ServiceReport *add_service(StoreReport *r, const char *name, bool uploaded) {
        ServiceReport *n = reallocarray(r->services, r->n_services + 1, sizeof(ServiceReport));
        ServiceReport *s;

        ck_assert_ptr_nonnull(n);
        r->services = n;
        s = &r->services[r->n_services++];
        *s = (ServiceReport){.service = strdup(name), .uploaded = uploaded};
        ck_assert_ptr_nonnull(s->service);
        return s;
}

/* Sets a finding's message as given, raw: findings_add() stores text
 * printable, and the reports must cope with anything a Finding holds. */
static void set_raw(char **field, const char *raw) {
        free(*field);
        *field = strdup(raw);
        ck_assert_ptr_nonnull(*field);
}

/* rem: ok with a warning; xcap: two errors (one with awkward text); bsf: not
 * uploaded; the deployment: a YAML error with line and column. */
static StoreReport *sample_report(void) {
        StoreReport *r = calloc(1, sizeof *r);
        ServiceReport *s;

        ck_assert_ptr_nonnull(r);
        s = add_service(r, "rem", true);
        ck_assert_int_eq(findings_add(&s->findings, FINDING_CHAIN_ROOT_ADDED, SEVERITY_WARNING,
                                      "store/rem-cert.crt", -1, "CN=Root", NULL,
                                      "root taken from the trust anchors"),
                         0);
        s = add_service(r, "xcap", true);
        ck_assert_int_eq(findings_add(&s->findings, FINDING_XCAP_NAME, SEVERITY_ERROR,
                                      "store/xcap-cert.crt", 0,
                                      "CN=Z\xc3\xbcrich \"NOC\",O=Some\\,Telco", NULL,
                                      "placeholder"),
                         0);
        set_raw(&s->findings.items[0].message,
                "the DNS name 'ut.\x01\x7f' does not start with 'xcap.'\n");
        ck_assert_int_eq(findings_add(&s->findings, FINDING_KEY_MISMATCH, SEVERITY_ERROR,
                                      "store/xcap-cert.key", -1, NULL, "own hint", "placeholder"),
                         0);
        set_raw(&s->findings.items[1].message,
                "bad bytes \xff\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 end");
        add_service(r, "bsf", false);
        ck_assert_int_eq(findings_add_at(&r->findings, FINDING_CONFIG_INVALID, SEVERITY_ERROR,
                                         "store/deployment.yaml", 4, 3, NULL,
                                         "unknown key 'hots'; did you mean 'hosts'?"),
                         0);
        return r;
}

/* ---- report_json_string ----------------------------------------------------------- */

START_TEST(test_json_string_escapes) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                {"", "\"\""},
                {"plain", "\"plain\""},
                {"a\"b", "\"a\\\"b\""},
                {"a\\b", "\"a\\\\b\""},
                {"line\nbreak\ttab\r", "\"line\\u000abreak\\u0009tab\\u000d\""},
                {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
                {"/ slash", "\"/ slash\""},
                {"Z\xc3\xbcrich", "\"Z\xc3\xbcrich\""},       /* 2 bytes */
                {"\xe2\x82\xac", "\"\xe2\x82\xac\""},         /* euro sign */
                {"\xf0\x9f\x94\x92", "\"\xf0\x9f\x94\x92\""}, /* U+1F512 */
                {"\xef\xbf\xbf", "\"\xef\xbf\xbf\""},         /* U+FFFF */
                {"\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""}, /* U+10FFFF */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *s = json_string(cases[i].in);
                ck_assert_str_eq(s, cases[i].out);
        }
        {
                _cleanup_(freep) char *s = json_string(NULL);
                ck_assert_str_eq(s, "null");
        }
}
END_TEST

START_TEST(test_json_string_replaces_invalid_utf8) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                {"\xff", "\"\\ufffd\""},
                {"a\x80z", "\"a\\ufffdz\""},                              /* lone continuation */
                {"\xc3", "\"\\ufffd\""},                                  /* truncated at the end */
                {"\xc3z", "\"\\ufffdz\""},                                /* truncated */
                {"\xc0\xaf", "\"\\ufffd\\ufffd\""},                       /* overlong '/' */
                {"\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""},            /* overlong, 3 bytes */
                {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},            /* surrogate U+D800 */
                {"\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* overlong, 4 bytes */
                {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* above U+10FFFF */
                {"\xf8\x88\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""},
                {"\xfe\x80\x80", "\"\\ufffd\\ufffd\\ufffd\""},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *s = json_string(cases[i].in);
                ck_assert_msg(streq(s, cases[i].out), "case %zu: got %s", i, s);
                ck_assert(utf8_valid(s));
        }
}
END_TEST

/* ---- JSON report ------------------------------------------------------------------- */

START_TEST(test_json_report_is_valid_with_documented_fields) {
        _cleanup_(store_report_freep) StoreReport *r = sample_report();
        _cleanup_(freep) char *p = write_json(r);

        ASSERT_JQ(p, ".");
        ck_assert(!jq(p, ".result == \"nonsense\"")); /* jq really judges */
        ASSERT_JQ(p, ".result == \"error\"");
        ASSERT_JQ(p, ".services | length == 3");
        ASSERT_JQ(p, "[.services[].service] == [\"rem\",\"xcap\",\"bsf\"]");
        ASSERT_JQ(p, "[.services[].result] == [\"ok\",\"error\",\"ok\"]");
        ASSERT_JQ(p, "[.services[].uploaded] == [true,true,false]");
        /* Every finding carries exactly the documented fields (and line and
         * column when it has them). */
        ASSERT_JQ(p, "[.services[].findings[] | keys] | all(. == "
                     "[\"cert\",\"code\",\"file\",\"hint\",\"message\",\"severity\",\"subject\"])");
        ASSERT_JQ(p, ".services[0].findings[0] | .code == \"CHAIN_ROOT_ADDED\" and "
                     ".severity == \"warning\" and .cert == null and .subject == \"CN=Root\" and "
                     ".file == \"store/rem-cert.crt\" and (.hint | length > 0)");
        ASSERT_JQ(p, ".services[1].findings[0] | .code == \"XCAP_NAME\" and .cert == 0 and "
                     ".severity == \"error\" and "
                     ".subject == \"CN=Z\xc3\xbcrich \\\"NOC\\\",O=Some\\\\,Telco\" and "
                     "(.message | endswith(\"start with \\u0027xcap.\\u0027\\n\"))");
        ASSERT_JQ(p, ".services[1].findings[1] | .subject == null and .hint == \"own hint\" and "
                     "(.message | startswith(\"bad bytes \\ufffd\"))");
        ASSERT_JQ(p, ".services[2].findings == []");
        ASSERT_JQ(p, ".findings[0] | .code == \"CONFIG_INVALID\" and .line == 4 and "
                     ".column == 3 and .cert == null");
}
END_TEST

START_TEST(test_json_report_of_a_clean_store_says_ok) {
        _cleanup_(store_report_freep) StoreReport *r = calloc(1, sizeof *r);
        _cleanup_(freep) char *p = NULL;

        ck_assert_ptr_nonnull(r);
        add_service(r, "rem", true);
        add_service(r, "xcap", false);
        p = write_json(r);
        ASSERT_JQ(p, ".result == \"ok\"");
        ASSERT_JQ(p, "[.services[].result] == [\"ok\",\"ok\"]");
        ASSERT_JQ(p, ".services[0].findings == [] and .findings == []");
}
END_TEST

START_TEST(test_json_report_warnings_only_is_ok) {
        _cleanup_(store_report_freep) StoreReport *r = sample_report();
        _cleanup_(freep) char *p = NULL;

        /* Drop the errors: a warning alone keeps the result ok. */
        findings_clear(&r->services[1].findings);
        findings_clear(&r->findings);
        p = write_json(r);
        ASSERT_JQ(p, ".result == \"ok\"");
        ASSERT_JQ(p, ".services[0].result == \"ok\" and (.services[0].findings | length) == 1");
}
END_TEST

START_TEST(test_json_report_of_a_real_store) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *p = NULL;
        CheckOptions o = {.now = TU_NOW, .min_valid_days = 30};

        /* A CN-only self-signed certificate without its key. */
        x = tu_cert(&(TuCertSpec){.subject = "/CN=rem.example", .key = k});
        free(tu_write_pem(dir, "rem-cert.crt", &x, 1, NULL, 0));
        ck_assert_int_eq(check_store(dir, &o, &r), 0);
        p = write_json(r);
        ASSERT_JQ(p, ".result == \"error\"");
        ASSERT_JQ(p, ".services[0].service == \"rem\" and .services[0].result == \"error\"");
        ASSERT_JQ(p, "[.services[0].findings[].code] | index(\"PAIR_INCOMPLETE\") != null");
        ASSERT_JQ(p, "[.services[0].findings[].code] | index(\"SAN_MISSING\") != null");
        ASSERT_JQ(p, "[.services[0].findings[] | select(.code == \"SAN_MISSING\")][0] | "
                     ".cert == 0 and .subject == \"CN=rem.example\"");
        ASSERT_JQ(p, "[.services[0].findings[] | .hint | length > 0] | all");
        ASSERT_JQ(p, ".services[1].uploaded == false");
}
END_TEST

START_TEST(test_store_without_deployment_yaml_says_names_are_not_checked) {
        _cleanup_(store_report_freep) StoreReport *r = NULL, *r2 = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *p = NULL, *p2 = NULL, *h = NULL, *h2 = NULL;
        CheckOptions o = {.now = TU_NOW, .min_valid_days = 30};

        x = tu_cert(&(TuCertSpec){.subject = "/CN=rem.example", .key = k, .san = "DNS:rem.example"});
        free(tu_write_pem(dir, "rem-cert.crt", &x, 1, NULL, 0));
        ck_assert_int_eq(check_store(dir, &o, &r), 0);
        p = write_json(r);
        ASSERT_JQ(p, ".deployment == false");
        h = render(report_print_human, r);
        ck_assert_ptr_nonnull(strstr(h, "note: no deployment.yaml in the store"));

        free(tu_write_file(dir, "deployment.yaml", "mcc: 1\nmnc: 1\n", 14));
        ck_assert_int_eq(check_store(dir, &o, &r2), 0);
        p2 = write_json(r2);
        ASSERT_JQ(p2, ".deployment == true");
        h2 = render(report_print_human, r2);
        ck_assert_ptr_null(strstr(h2, "note: no deployment.yaml"));
}
END_TEST

START_TEST(test_store_with_invalid_deployment_yaml_says_names_were_not_checked) {
        _cleanup_(store_report_freep) StoreReport *r = NULL, *r2 = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *h = NULL, *h2 = NULL;
        CheckOptions o = {.now = TU_NOW, .min_valid_days = 30};

        x = tu_cert(&(TuCertSpec){.subject = "/CN=rem.example", .key = k, .san = "DNS:rem.example"});
        free(tu_write_pem(dir, "rem-cert.crt", &x, 1, &k, 1));
        free(tu_write_file(dir, "deployment.yaml", "mcc: 1\nhots: 1\n", 16));
        ck_assert_int_eq(check_store(dir, &o, &r), 0);
        ck_assert(findings_has_code(&r->findings, FINDING_CONFIG_INVALID));
        h = render(report_print_human, r);
        ck_assert_msg(strstr(h, "note: deployment.yaml has errors: host names, addresses and MCC/MNC were not checked"),
                      "no note in:\n%s", h);
        ck_assert_ptr_null(strstr(h, "note: no deployment.yaml"));

        /* Near miss: a valid deployment.yaml: no note at all. */
        free(tu_write_file(dir, "deployment.yaml", "mcc: 1\nmnc: 1\n", 14));
        ck_assert_int_eq(check_store(dir, &o, &r2), 0);
        h2 = render(report_print_human, r2);
        ck_assert_msg(!strstr(h2, "note:"), "unexpected note in:\n%s", h2);
}
END_TEST

/* ---- human report -------------------------------------------------------------------- */

/* Every field of the human report is printed escaped, whatever the Finding
 * holds (defence in depth: findings_add() already escapes). */
START_TEST(test_human_report_escapes_control_characters_in_every_field) {
        _cleanup_(store_report_freep) StoreReport *r = sample_report();
        _cleanup_(freep) char *s = NULL;
        Finding *x = &r->services[1].findings.items[0];

        set_raw(&x->message, "bad\n   rem: OK \x1b[32mgreen");
        set_raw(&x->subject, "CN=\x1b]0;title\x07");
        set_raw(&x->hint, "do\rthis in Z\xc3\xbcrich");
        set_raw(&x->file, "store/\x1b[1mxcap-cert.crt");
        set_raw(&r->services[2].service, "b\x1b[2Ksf");
        s = render(report_print_human, r);
        fa_assert_only_line_ends(s);
        ck_assert_msg(strstr(s, "          bad\\x0a   rem: OK \\x1b[32mgreen\n"), "%s", s);
        ck_assert_msg(strstr(s, "(CN=\\x1b]0;title\\x07)"), "%s", s);
        ck_assert_msg(strstr(s, "fix: do\\x0dthis in Z\xc3\xbcrich\n"), "%s", s);
        ck_assert_msg(strstr(s, "store/\\x1b[1mxcap-cert.crt"), "%s", s);
        ck_assert_msg(strstr(s, "b\\x1b[2Ksf: not uploaded"), "%s", s);
}
END_TEST

/* The reviewer's case, end to end: an uploaded XCAP certificate whose DNS
 * SAN and subject OU hold "\n   rem: OK" and terminal escapes. The human
 * report of the store shows them escaped; no fake line appears. */
START_TEST(test_human_report_of_a_hostile_certificate_has_no_raw_controls) {
        _cleanup_(store_report_freep) StoreReport *r = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = tu_key_ec("P-256");
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *h = NULL, *p = NULL;
        static const char *const names[] = { "xcap.example.com", "\n   rem: OK \x1b[32m\x1b[0m" };
        CheckOptions o = {.now = TU_NOW, .min_valid_days = 30};

        x = tu_cert(&(TuCertSpec){.subject = "/C=NZ/O=T/OU=\n   bsf: OK\x1b[2K/CN=xcap.example.com",
                                  .key = k,
                                  .san = "DNS:placeholder.example"});
        tu_set_dns_sans_raw(x, k, names, NULL, ELEMENTSOF(names));
        free(tu_write_pem(dir, "xcap-cert.crt", &x, 1, NULL, 0));
        free(tu_write_pem(dir, "xcap-cert.key", NULL, 0, &k, 1));
        free(tu_write_file(dir, "deployment.yaml", "subject:\n  organizational_unit: NOC\n", 36));
        ck_assert_int_eq(check_store(dir, &o, &r), 0);
        h = render(report_print_human, r);
        fa_assert_only_line_ends(h);
        ck_assert_msg(strstr(h, "\\x0a   rem: OK \\x1b[32m\\x1b[0m"), "%s", h);
        ck_assert_msg(strstr(h, "\\x0a   bsf: OK\\x1b[2K"), "%s", h);
        ck_assert_msg(!strstr(h, "\n   rem: OK") && !strstr(h, "\n   bsf: OK"), "%s", h);
        p = write_json(r);
        ASSERT_JQ(p, ".result == \"error\"");
}
END_TEST

START_TEST(test_human_report_names_service_code_and_hint) {
        _cleanup_(store_report_freep) StoreReport *r = sample_report();
        _cleanup_(freep) char *s = render(report_print_human, r);
        const char *rem, *xcap, *bsf, *dep;

        dep = strstr(s, "store: ERROR, 1 error\n");
        rem = strstr(s, "rem: OK, 1 warning\n");
        xcap = strstr(s, "xcap: ERROR, 2 errors\n");
        bsf = strstr(s, "bsf: not uploaded");
        ck_assert_msg(dep && rem && xcap && bsf, "blocks missing in:\n%s", s);
        ck_assert(dep < rem && rem < xcap && xcap < bsf);

        ck_assert_ptr_nonnull(strstr(s, "warning CHAIN_ROOT_ADDED  store/rem-cert.crt (CN=Root)"));
        ck_assert_ptr_nonnull(strstr(s, "error   XCAP_NAME  store/xcap-cert.crt, certificate 0"));
        ck_assert_ptr_nonnull(strstr(s, "error   CONFIG_INVALID  store/deployment.yaml:4:3"));
        ck_assert_ptr_nonnull(strstr(s, "did you mean 'hosts'?"));
        ck_assert_ptr_nonnull(strstr(s, "fix: own hint"));
        ck_assert_ptr_nonnull(strstr(s, "fix: Make sure the clients trust this root"));
}
END_TEST

START_TEST(test_human_report_of_a_clean_store) {
        _cleanup_(store_report_freep) StoreReport *r = calloc(1, sizeof *r);
        _cleanup_(freep) char *s = NULL;

        ck_assert_ptr_nonnull(r);
        add_service(r, "rem", true);
        add_service(r, "xcap", false);
        s = render(report_print_human, r);
        ck_assert_str_eq(s, "rem: OK\n"
                            "xcap: not uploaded (the agent uses a self-signed certificate)\n");
}
END_TEST

START_TEST(test_print_reports_write_errors) {
        _cleanup_(store_report_freep) StoreReport *r = sample_report();
        FILE *full = fopen("/dev/full", "we");

        if (!full)
                return; /* no /dev/full in this sandbox */
        setvbuf(full, NULL, _IONBF, 0);
        ck_assert_int_eq(report_print_json(full, r), -EIO);
        clearerr(full);
        ck_assert_int_eq(report_print_human(full, r), -EIO);
        fclose(full);
}
END_TEST

static Suite *report_suite(void) {
        Suite *s = suite_create("report");
        TCase *tc;

        tc = tcase_create("json_string");
        tcase_add_test(tc, test_json_string_escapes);
        tcase_add_test(tc, test_json_string_replaces_invalid_utf8);
        suite_add_tcase(s, tc);

        tc = tcase_create("json");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_json_report_is_valid_with_documented_fields);
        tcase_add_test(tc, test_store_without_deployment_yaml_says_names_are_not_checked);
        tcase_add_test(tc, test_store_with_invalid_deployment_yaml_says_names_were_not_checked);
        tcase_add_test(tc, test_json_report_of_a_clean_store_says_ok);
        tcase_add_test(tc, test_json_report_warnings_only_is_ok);
        tcase_add_test(tc, test_json_report_of_a_real_store);
        suite_add_tcase(s, tc);

        tc = tcase_create("human");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_human_report_names_service_code_and_hint);
        tcase_add_test(tc, test_human_report_escapes_control_characters_in_every_field);
        tcase_add_test(tc, test_human_report_of_a_hostile_certificate_has_no_raw_controls);
        tcase_add_test(tc, test_human_report_of_a_clean_store);
        tcase_add_test(tc, test_print_reports_write_errors);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(report_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
