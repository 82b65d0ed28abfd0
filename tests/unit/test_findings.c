/* test_findings: the finding codes and their names (a contract), default
 * severities and hints, and the finding list itself. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "macro.h"

/* The contract table of the issue, in its order, with its severities. */
static const struct {
        FindingCode code;
        const char *name;
        Severity severity;
} contract[] = {
        {FINDING_PAIR_INCOMPLETE, "PAIR_INCOMPLETE", SEVERITY_ERROR},
        {FINDING_NOT_PEM, "NOT_PEM", SEVERITY_ERROR},
        {FINDING_FILE_TOO_LARGE, "FILE_TOO_LARGE", SEVERITY_ERROR},
        {FINDING_PEM_LAYOUT, "PEM_LAYOUT", SEVERITY_WARNING},
        {FINDING_KEY_MISSING, "KEY_MISSING", SEVERITY_ERROR},
        {FINDING_KEY_MULTIPLE, "KEY_MULTIPLE", SEVERITY_ERROR},
        {FINDING_KEY_ENCRYPTED, "KEY_ENCRYPTED", SEVERITY_ERROR},
        {FINDING_KEY_MISMATCH, "KEY_MISMATCH", SEVERITY_ERROR},
        {FINDING_CERT_EXPIRING, "CERT_EXPIRING", SEVERITY_ERROR},
        {FINDING_CERT_NOT_YET_VALID, "CERT_NOT_YET_VALID", SEVERITY_ERROR},
        {FINDING_CHAIN_ORDER, "CHAIN_ORDER", SEVERITY_ERROR},
        {FINDING_CHAIN_INCOMPLETE, "CHAIN_INCOMPLETE", SEVERITY_ERROR},
        {FINDING_CHAIN_UNRELATED, "CHAIN_UNRELATED", SEVERITY_ERROR},
        {FINDING_CHAIN_SIGNATURE, "CHAIN_SIGNATURE", SEVERITY_ERROR},
        {FINDING_CHAIN_CA_FLAGS, "CHAIN_CA_FLAGS", SEVERITY_ERROR},
        {FINDING_CHAIN_ROOT_ADDED, "CHAIN_ROOT_ADDED", SEVERITY_WARNING},
        {FINDING_SAN_MISSING, "SAN_MISSING", SEVERITY_ERROR},
        {FINDING_SAN_IP_AS_DNS, "SAN_IP_AS_DNS", SEVERITY_ERROR},
        {FINDING_SAN_NOT_COVERED, "SAN_NOT_COVERED", SEVERITY_ERROR},
        {FINDING_XCAP_NAME, "XCAP_NAME", SEVERITY_ERROR},
        {FINDING_BSF_NAME, "BSF_NAME", SEVERITY_ERROR},
        {FINDING_NAME_3GPP_FORM, "NAME_3GPP_FORM", SEVERITY_WARNING},
        {FINDING_SUBJECT_FIELDS, "SUBJECT_FIELDS", SEVERITY_WARNING},
        {FINDING_WEAK_KEY, "WEAK_KEY", SEVERITY_ERROR},
        {FINDING_WEAK_SIGNATURE, "WEAK_SIGNATURE", SEVERITY_ERROR},
        {FINDING_KEY_USAGE, "KEY_USAGE", SEVERITY_ERROR},
        {FINDING_EKU, "EKU", SEVERITY_ERROR},
        {FINDING_PATH_INVALID, "PATH_INVALID", SEVERITY_ERROR},
};

START_TEST(test_contract_names_and_severities) {
        for (size_t i = 0; i < ELEMENTSOF(contract); i++) {
                ck_assert_str_eq(finding_code_to_string(contract[i].code), contract[i].name);
                ck_assert_int_eq(finding_code_from_string(contract[i].name), contract[i].code);
                ck_assert_int_eq(finding_code_default_severity(contract[i].code),
                                 contract[i].severity);
        }
}
END_TEST

/* Codes added after the table: appended, so the values of the
 * earlier ones never change. */
START_TEST(test_revocation_codes_are_appended) {
        ck_assert_int_eq(FINDING_CERT_REVOKED, FINDING_NAME_INVALID + 1);
        ck_assert_int_eq(FINDING_CRL_INVALID, FINDING_NAME_INVALID + 2);
        ck_assert_str_eq(finding_code_to_string(FINDING_CERT_REVOKED), "CERT_REVOKED");
        ck_assert_str_eq(finding_code_to_string(FINDING_CRL_INVALID), "CRL_INVALID");
        ck_assert_int_eq(finding_code_from_string("CERT_REVOKED"), FINDING_CERT_REVOKED);
        ck_assert_int_eq(finding_code_from_string("CRL_INVALID"), FINDING_CRL_INVALID);
        ck_assert_int_eq(finding_code_default_severity(FINDING_CERT_REVOKED), SEVERITY_ERROR);
        ck_assert_int_eq(finding_code_default_severity(FINDING_CRL_INVALID), SEVERITY_ERROR);
        ck_assert_ptr_nonnull(strstr(finding_code_default_hint(FINDING_CERT_REVOKED), "new certificate"));
        ck_assert_ptr_nonnull(strstr(finding_code_default_hint(FINDING_CRL_INVALID), "CRL"));
}
END_TEST

START_TEST(test_every_code_round_trips) {
        for (int c = 0; c < _FINDING_CODE_MAX; c++) {
                const char *s = finding_code_to_string((FindingCode) c);

                ck_assert_ptr_nonnull(s);
                ck_assert_int_eq(finding_code_from_string(s), c);
                /* Names are upper-case identifiers: safe as journal field values. */
                for (const char *p = s; *p; p++)
                        ck_assert_msg((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                                              *p == '_',
                                      "bad character in %s", s);
                /* No two codes share a name. */
                for (int d = 0; d < c; d++)
                        ck_assert_str_ne(finding_code_to_string((FindingCode) d), s);
        }
}
END_TEST

START_TEST(test_every_code_has_a_default_hint) {
        for (int c = 0; c < _FINDING_CODE_MAX; c++) {
                const char *h = finding_code_default_hint((FindingCode) c);

                ck_assert_ptr_nonnull(h);
                ck_assert_msg(strlen(h) > 10, "hint of %s too short", finding_code_to_string(c));
                ck_assert_msg(!strchr(h, '\n'), "hint of %s is not one line",
                              finding_code_to_string(c));
                ck_assert_int_ge(finding_code_default_severity((FindingCode) c), 0);
                ck_assert_int_lt(finding_code_default_severity((FindingCode) c), _SEVERITY_MAX);
        }
}
END_TEST

START_TEST(test_unknown_code_strings_are_rejected) {
        ck_assert_int_eq(finding_code_from_string(NULL), -EINVAL);
        ck_assert_int_eq(finding_code_from_string(""), -EINVAL);
        ck_assert_int_eq(finding_code_from_string("NO_SUCH_CODE"), -EINVAL);
        ck_assert_int_eq(finding_code_from_string("not_pem"), -EINVAL); /* case matters */
        ck_assert_int_eq(finding_code_from_string("NOT_PEM "), -EINVAL);
        ck_assert_ptr_null(finding_code_to_string(_FINDING_CODE_MAX));
        ck_assert_ptr_null(finding_code_to_string(_FINDING_CODE_INVALID));
        ck_assert_ptr_null(finding_code_default_hint(_FINDING_CODE_MAX));
        ck_assert_ptr_null(finding_code_default_hint((FindingCode) -1));
}
END_TEST

START_TEST(test_severity_round_trips) {
        ck_assert_str_eq(severity_to_string(SEVERITY_WARNING), "warning");
        ck_assert_str_eq(severity_to_string(SEVERITY_ERROR), "error");
        for (int s = 0; s < _SEVERITY_MAX; s++)
                ck_assert_int_eq(severity_from_string(severity_to_string((Severity) s)), s);
        ck_assert_int_eq(severity_from_string("ERROR"), -EINVAL);
        ck_assert_int_eq(severity_from_string(NULL), -EINVAL);
        ck_assert_int_eq(severity_from_string("info"), -EINVAL);
        ck_assert_ptr_null(severity_to_string(_SEVERITY_MAX));
        ck_assert_ptr_null(severity_to_string(_SEVERITY_INVALID));
}
END_TEST

START_TEST(test_add_copies_fields_and_uses_default_hint) {
        _cleanup_(findings_clear) Findings f = {};
        char file[] = "rem-cert.crt", subject[] = "CN=rem";

        ck_assert_int_eq(findings_add(&f, FINDING_KEY_MISMATCH, SEVERITY_ERROR, file, 2, subject,
                                      NULL, "key %d of %s", 1, "x"),
                         0);
        /* The finding owns copies: changing the caller's buffers does not matter. */
        file[0] = 'X';
        subject[0] = 'X';
        ck_assert_uint_eq(f.n, 1);
        ck_assert_int_eq(f.items[0].code, FINDING_KEY_MISMATCH);
        ck_assert_int_eq(f.items[0].severity, SEVERITY_ERROR);
        ck_assert_str_eq(f.items[0].file, "rem-cert.crt");
        ck_assert_str_eq(f.items[0].subject, "CN=rem");
        ck_assert_int_eq(f.items[0].cert, 2);
        ck_assert_int_eq(f.items[0].line, 0);
        ck_assert_int_eq(f.items[0].column, 0);
        ck_assert_str_eq(f.items[0].message, "key 1 of x");
        ck_assert_str_eq(f.items[0].hint, finding_code_default_hint(FINDING_KEY_MISMATCH));
}
END_TEST

START_TEST(test_add_with_own_hint_and_no_file) {
        _cleanup_(findings_clear) Findings f = {};

        ck_assert_int_eq(findings_add(&f, FINDING_EKU, SEVERITY_WARNING, NULL, -1, NULL, "do this",
                                      "%s", "no EKU"),
                         0);
        ck_assert_ptr_null(f.items[0].file);
        ck_assert_ptr_null(f.items[0].subject);
        ck_assert_int_eq(f.items[0].cert, -1);
        ck_assert_str_eq(f.items[0].hint, "do this");
        ck_assert_str_eq(f.items[0].message, "no EKU");
}
END_TEST

START_TEST(test_add_at_keeps_line_and_column) {
        _cleanup_(findings_clear) Findings f = {};

        ck_assert_int_eq(findings_add_at(&f, FINDING_CONFIG_INVALID, SEVERITY_ERROR,
                                         "deployment.yaml", 7, 3, NULL, "unknown key '%s'", "hots"),
                         0);
        ck_assert_int_eq(f.items[0].line, 7);
        ck_assert_int_eq(f.items[0].column, 3);
        ck_assert_int_eq(f.items[0].cert, -1);
        ck_assert_str_eq(f.items[0].file, "deployment.yaml");
        ck_assert_str_eq(f.items[0].message, "unknown key 'hots'");
        ck_assert_str_eq(f.items[0].hint, finding_code_default_hint(FINDING_CONFIG_INVALID));
}
END_TEST

/* ---- printable text ------------------------------------------------------------------ */

START_TEST(test_printable_escapes_controls_and_invalid_utf8) {
        static const struct {
                const char *in;
                size_t len;
                const char *out;
        } cases[] = {
#define C(in, out) { in, sizeof in - 1, out }
                C("", ""),
                C("rem.example.com", "rem.example.com"),
                C("back\\slash \\x41", "back\\slash \\x41"), /* kept: escaping twice changes nothing */
                C("\n   rem: OK \x1b[32m", "\\x0a   rem: OK \\x1b[32m"),
                C("tab\tcr\rdel\x7f", "tab\\x09cr\\x0ddel\\x7f"),
                C("nul\0here", "nul\\x00here"),
                C("Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x94\x92", "Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x94\x92"),
                C("csi\xc2\x9b" "2J", "csi\\xc2\\x9b2J"),           /* C1 control U+009B */
                C("nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok"),                /* U+00A0 is text */
                C("rlo\xe2\x80\xaetxt", "rlo\\xe2\\x80\\xaetxt"), /* U+202E RIGHT-TO-LEFT OVERRIDE */
                C("ls\xe2\x80\xa8", "ls\\xe2\\x80\\xa8"),         /* U+2028 LINE SEPARATOR */
                C("\xff", "\\xff"),
                C("\xc3", "\\xc3"),                                     /* truncated */
                C("\xc0\xaf", "\\xc0\\xaf"),                          /* overlong */
                C("\xed\xa0\x80", "\\xed\\xa0\\x80"),               /* surrogate */
                C("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"),    /* above U+10FFFF */
#undef C
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *s = findings_printable(cases[i].in, cases[i].len);
                _cleanup_(freep) char *again = NULL, *written = NULL;
                size_t n = 0;
                FILE *m;

                ck_assert_ptr_nonnull(s);
                ck_assert_msg(streq(s, cases[i].out), "case %zu: got '%s'", i, s);
                again = findings_printable(s, strlen(s));
                ck_assert_str_eq(again, s);

                if (memchr(cases[i].in, 0, cases[i].len))
                        continue; /* the FILE* variant takes a C string */
                m = open_memstream(&written, &n);
                ck_assert_ptr_nonnull(m);
                findings_fputs_printable(m, cases[i].in);
                ck_assert_int_eq(fclose(m), 0);
                ck_assert_str_eq(written, cases[i].out);
        }
}
END_TEST

/* What a hostile certificate puts in a message, subject or hint is stored
 * escaped: a report can never print a fake line or a terminal escape. */
START_TEST(test_add_makes_message_subject_and_hint_printable) {
        _cleanup_(findings_clear) Findings f = {};

        ck_assert_int_eq(findings_add(&f, FINDING_XCAP_NAME, SEVERITY_ERROR, "xcap-cert.crt", 0,
                                      "CN=x\x1b[2K", "fix \x07it",
                                      "the DNS name '%s' does not start with 'xcap.'",
                                      "\n   rem: OK \x1b[32m"),
                         0);
        ck_assert_str_eq(f.items[0].message,
                         "the DNS name '\\x0a   rem: OK \\x1b[32m' does not start with 'xcap.'");
        ck_assert_str_eq(f.items[0].subject, "CN=x\\x1b[2K");
        ck_assert_str_eq(f.items[0].hint, "fix \\x07it");
        /* Near miss: text without controls, UTF-8 included, is stored as given. */
        ck_assert_int_eq(findings_add(&f, FINDING_SUBJECT_FIELDS, SEVERITY_WARNING, NULL, 0,
                                      "O=Z\xc3\xbcrich", NULL, "O is '%s'", "Z\xc3\xbcrich"),
                         0);
        ck_assert_str_eq(f.items[1].message, "O is 'Z\xc3\xbcrich'");
        ck_assert_str_eq(f.items[1].subject, "O=Z\xc3\xbcrich");
}
END_TEST

START_TEST(test_add_refuses_invalid_code_or_severity) {
        _cleanup_(findings_clear) Findings f = {};

        ck_assert_int_eq(
                findings_add(&f, _FINDING_CODE_MAX, SEVERITY_ERROR, NULL, -1, NULL, NULL, "x"),
                -EINVAL);
        ck_assert_int_eq(findings_add(&f, FINDING_EKU, _SEVERITY_MAX, NULL, -1, NULL, NULL, "x"),
                         -EINVAL);
        ck_assert_int_eq(
                findings_add(&f, (FindingCode) -1, SEVERITY_ERROR, NULL, -1, NULL, NULL, "x"),
                -EINVAL);
        ck_assert_uint_eq(f.n, 0);
}
END_TEST

START_TEST(test_counts_and_queries) {
        _cleanup_(findings_clear) Findings f = {};

        ck_assert(!findings_has_errors(&f));
        ck_assert(!findings_has_code(&f, FINDING_EKU));
        ck_assert_uint_eq(findings_count(&f, SEVERITY_ERROR), 0);

        ck_assert_int_eq(findings_add(&f, FINDING_EKU, SEVERITY_WARNING, NULL, -1, NULL, NULL, "w"),
                         0);
        ck_assert(!findings_has_errors(&f));
        ck_assert(findings_has_code(&f, FINDING_EKU));
        ck_assert(!findings_has_code(&f, FINDING_WEAK_KEY));

        ck_assert_int_eq(
                findings_add(&f, FINDING_WEAK_KEY, SEVERITY_ERROR, NULL, -1, NULL, NULL, "e"), 0);
        ck_assert(findings_has_errors(&f));
        ck_assert_uint_eq(findings_count(&f, SEVERITY_ERROR), 1);
        ck_assert_uint_eq(findings_count(&f, SEVERITY_WARNING), 1);
}
END_TEST

START_TEST(test_many_findings_grow_the_list) {
        _cleanup_(findings_clear) Findings f = {};

        for (int i = 0; i < 100; i++)
                ck_assert_int_eq(findings_add(&f, (FindingCode) (i % _FINDING_CODE_MAX),
                                              SEVERITY_ERROR, "f", i, NULL, NULL, "n%d", i),
                                 0);
        ck_assert_uint_eq(f.n, 100);
        ck_assert_uint_ge(f.allocated, 100);
        for (int i = 0; i < 100; i++) {
                char buf[16];
                snprintf(buf, sizeof buf, "n%d", i);
                ck_assert_str_eq(f.items[i].message, buf);
                ck_assert_int_eq(f.items[i].cert, i);
        }
}
END_TEST

START_TEST(test_move_appends_and_empties_source) {
        _cleanup_(findings_clear) Findings a = {}, b = {};

        ck_assert_int_eq(findings_move(&a, &b), 0); /* empty into empty */
        ck_assert_uint_eq(a.n, 0);

        ck_assert_int_eq(
                findings_add(&a, FINDING_NOT_PEM, SEVERITY_ERROR, "a", -1, NULL, NULL, "a0"), 0);
        for (int i = 0; i < 10; i++)
                ck_assert_int_eq(findings_add(&b, FINDING_EKU, SEVERITY_WARNING, "b", -1, NULL,
                                              NULL, "b%d", i),
                                 0);
        ck_assert_int_eq(findings_move(&a, &b), 0);
        ck_assert_uint_eq(a.n, 11);
        ck_assert_uint_eq(b.n, 0);
        ck_assert_ptr_null(b.items);
        ck_assert_str_eq(a.items[0].message, "a0");
        ck_assert_str_eq(a.items[1].message, "b0");
        ck_assert_str_eq(a.items[10].message, "b9");

        /* The source is usable again, and the destination keeps growing. */
        ck_assert_int_eq(findings_add(&b, FINDING_EKU, SEVERITY_ERROR, NULL, -1, NULL, NULL, "c"),
                         0);
        ck_assert_int_eq(findings_move(&a, &b), 0);
        ck_assert_int_eq(findings_add(&a, FINDING_EKU, SEVERITY_ERROR, NULL, -1, NULL, NULL, "d"),
                         0);
        ck_assert_uint_eq(a.n, 13);
        ck_assert_str_eq(a.items[12].message, "d");
}
END_TEST

START_TEST(test_clear_is_idempotent) {
        Findings f = {};

        findings_clear(&f);
        findings_clear(NULL);
        ck_assert_int_eq(findings_add(&f, FINDING_EKU, SEVERITY_ERROR, "x", 0, "CN=x", "h", "m"),
                         0);
        findings_clear(&f);
        ck_assert_uint_eq(f.n, 0);
        ck_assert_ptr_null(f.items);
        findings_clear(&f);
}
END_TEST

static Suite *findings_suite(void) {
        Suite *s = suite_create("findings");
        TCase *tc;

        tc = tcase_create("codes");
        tcase_add_test(tc, test_contract_names_and_severities);
        tcase_add_test(tc, test_every_code_round_trips);
        tcase_add_test(tc, test_revocation_codes_are_appended);
        tcase_add_test(tc, test_every_code_has_a_default_hint);
        tcase_add_test(tc, test_unknown_code_strings_are_rejected);
        tcase_add_test(tc, test_severity_round_trips);
        suite_add_tcase(s, tc);

        tc = tcase_create("list");
        tcase_add_test(tc, test_add_copies_fields_and_uses_default_hint);
        tcase_add_test(tc, test_add_with_own_hint_and_no_file);
        tcase_add_test(tc, test_add_at_keeps_line_and_column);
        tcase_add_test(tc, test_add_refuses_invalid_code_or_severity);
        tcase_add_test(tc, test_counts_and_queries);
        tcase_add_test(tc, test_many_findings_grow_the_list);
        tcase_add_test(tc, test_move_appends_and_empties_source);
        tcase_add_test(tc, test_clear_is_idempotent);
        tcase_add_test(tc, test_add_makes_message_subject_and_hint_printable);
        suite_add_tcase(s, tc);

        tc = tcase_create("printable");
        tcase_add_test(tc, test_printable_escapes_controls_and_invalid_utf8);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(findings_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
