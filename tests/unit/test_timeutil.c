/* test_timeutil: RFC 3339 parsing (the --now option) and formatting, and
 * ASN1_TIME conversion (UTCTime and GeneralizedTime). */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>

#include "macro.h"
#include "testutil.h"
#include "timeutil.h"

/* 2026-11-23T10:00:00Z */
#define T_2026 ((time_t) 1795428000)

static time_t parse_ok(const char *s) {
        time_t t = 0;
        int r = time_parse_rfc3339(s, &t);

        ck_assert_msg(r == 0, "'%s' refused (%d)", s, r);
        return t;
}

static void parse_bad(const char *s) {
        time_t t = 12345;
        int r = time_parse_rfc3339(s, &t);

        ck_assert_msg(r == -EINVAL, "'%s' accepted (%d)", s ? s : "(null)", r);
        ck_assert_msg(t == 12345, "'%s' changed the result on failure", s ? s : "(null)");
}

START_TEST(test_parse_utc) {
        ck_assert_int_eq(parse_ok("2026-11-23T10:00:00Z"), T_2026);
        ck_assert_int_eq(parse_ok("2030-01-01T00:00:00Z"), TU_NOW);
        ck_assert_int_eq(parse_ok("1970-01-01T00:00:00Z"), 0);
}
END_TEST

START_TEST(test_parse_lower_case_and_space_separator) {
        /* RFC 3339 5.6 allows lower-case t and z, and a space for readability. */
        ck_assert_int_eq(parse_ok("2026-11-23t10:00:00z"), T_2026);
        ck_assert_int_eq(parse_ok("2026-11-23 10:00:00Z"), T_2026);
}
END_TEST

START_TEST(test_parse_offsets) {
        ck_assert_int_eq(parse_ok("2026-11-23T11:00:00+01:00"), T_2026);
        ck_assert_int_eq(parse_ok("2026-11-23T04:30:00-05:30"), T_2026);
        ck_assert_int_eq(parse_ok("2026-11-23T10:00:00+00:00"), T_2026);
        ck_assert_int_eq(parse_ok("2026-11-23T10:00:00-00:00"), T_2026);
        /* An offset that crosses midnight and a year boundary. */
        ck_assert_int_eq(parse_ok("2029-12-31T23:00:00-01:00"), TU_NOW);
        ck_assert_int_eq(parse_ok("2030-01-01T13:45:00+13:45"), TU_NOW); /* Chatham Islands */
}
END_TEST

START_TEST(test_parse_fractional_seconds_ignored) {
        ck_assert_int_eq(parse_ok("2026-11-23T10:00:00.5Z"), T_2026);
        ck_assert_int_eq(parse_ok("2026-11-23T10:00:00.999999+00:00"), T_2026);
}
END_TEST

START_TEST(test_parse_date_only_is_midnight_utc) {
        ck_assert_int_eq(parse_ok("2030-01-01"), TU_NOW);
        ck_assert_int_eq(parse_ok("2026-11-23"), T_2026 - 10 * 3600);
}
END_TEST

START_TEST(test_parse_calendar) {
        ck_assert_int_eq(parse_ok("2028-02-29T00:00:00Z"), parse_ok("2028-03-01") - 86400);
        ck_assert_int_eq(parse_ok("2000-02-29"), parse_ok("2000-03-01") - 86400);
        ck_assert_int_eq(parse_ok("2030-12-31T23:59:59Z"), parse_ok("2031-01-01") - 1);
        ck_assert_int_eq(parse_ok("1969-12-31T23:59:59Z"), -1);
        parse_bad("2029-02-29");
        parse_bad("1900-02-29");
        parse_bad("2030-02-30");
        parse_bad("2030-04-31T00:00:00Z");
        parse_bad("2030-00-10");
        parse_bad("2030-13-01");
        parse_bad("2030-01-00");
        parse_bad("2030-01-32");
}
END_TEST

START_TEST(test_parse_leap_second) {
        /* 23:59:60 exists on the day of a leap second (RFC 3339 5.7); it is
         * taken as the last second of that day, not the next day. */
        ck_assert_int_eq(parse_ok("2016-12-31T23:59:60Z"), parse_ok("2017-01-01") - 1);
        ck_assert_int_eq(parse_ok("2030-06-30T23:59:60Z"), parse_ok("2030-07-01") - 1);
        parse_bad("2030-06-30T23:59:61Z");
}
END_TEST

START_TEST(test_parse_rejects_bad_times) {
        parse_bad("2030-01-01T24:00:00Z");
        parse_bad("2030-01-01T23:60:00Z");
        parse_bad("2030-01-01T10:00Z");        /* no seconds */
        parse_bad("2030-01-01T10:00:00");      /* no offset: local time is ambiguous */
        parse_bad("2030-01-01T10:00:00+0100"); /* offset without colon */
        parse_bad("2030-01-01T10:00:00+01");
        parse_bad("2030-01-01T10:00:00+24:00");
        parse_bad("2030-01-01T10:00:00+01:60");
        parse_bad("2030-01-01T10:00:00.Z"); /* empty fraction */
        parse_bad("2030-01-01T10:00:00ZZ");
        parse_bad("2030-01-01T10:00:00Z ");
        parse_bad("2030-01-01T");
        parse_bad("2030-01-01X10:00:00Z");
        parse_bad("2030-1-1");
        parse_bad("30-01-01");
        parse_bad("20300101T000000Z"); /* ISO 8601 basic format is not RFC 3339 */
        parse_bad(" 2030-01-01");
        parse_bad("2030-01-01 ");
        parse_bad("2030-01-01T1a:00:00Z");
        parse_bad("now");
        parse_bad("1893456000");
        parse_bad("");
        parse_bad(NULL);
}
END_TEST

START_TEST(test_format) {
        char buf[32];

        ck_assert_str_eq(time_format_rfc3339(TU_NOW, buf, sizeof buf), "2030-01-01T00:00:00Z");
        ck_assert_str_eq(time_format_rfc3339(T_2026, buf, sizeof buf), "2026-11-23T10:00:00Z");
        ck_assert_str_eq(time_format_rfc3339(0, buf, sizeof buf), "1970-01-01T00:00:00Z");
        /* Exactly large enough: 20 characters and the NUL. */
        ck_assert_str_eq(time_format_rfc3339(TU_NOW, buf, 21), "2030-01-01T00:00:00Z");
}
END_TEST

START_TEST(test_format_small_buffer_stays_terminated) {
        char buf[8];

        memset(buf, 'x', sizeof buf);
        time_format_rfc3339(TU_NOW, buf, sizeof buf);
        ck_assert_ptr_nonnull(memchr(buf, 0, sizeof buf));
}
END_TEST

START_TEST(test_format_parse_round_trip) {
        for (time_t t = 0; t < (time_t) 4102444800; t += 7777777) {
                char buf[32];
                ck_assert_int_eq(parse_ok(time_format_rfc3339(t, buf, sizeof buf)), t);
        }
}
END_TEST

START_TEST(test_from_asn1_utctime_and_generalizedtime) {
        _cleanup_(ASN1_TIME_freep) ASN1_TIME *a = NULL, *g = NULL, *u = NULL;
        time_t t = 0;

        a = ASN1_TIME_set(NULL, TU_NOW); /* 2030: UTCTime */
        ck_assert_ptr_nonnull(a);
        ck_assert_int_eq(ASN1_STRING_type(a), V_ASN1_UTCTIME);
        ck_assert_int_eq(time_from_asn1(a, &t), 0);
        ck_assert_int_eq(t, TU_NOW);

        g = ASN1_TIME_set(NULL, parse_ok("2051-06-01T12:00:00Z")); /* GeneralizedTime */
        ck_assert_ptr_nonnull(g);
        ck_assert_int_eq(ASN1_STRING_type(g), V_ASN1_GENERALIZEDTIME);
        ck_assert_int_eq(time_from_asn1(g, &t), 0);
        ck_assert_int_eq(t, parse_ok("2051-06-01T12:00:00Z"));

        /* UTCTime years 50..99 are 1950..1999 (RFC 5280 4.1.2.5.1). */
        u = ASN1_UTCTIME_new();
        ck_assert_ptr_nonnull(u);
        ck_assert_int_eq(ASN1_UTCTIME_set_string(u, "991231235959Z"), 1);
        ck_assert_int_eq(time_from_asn1(u, &t), 0);
        ck_assert_int_eq(t, parse_ok("1999-12-31T23:59:59Z"));
}
END_TEST

START_TEST(test_from_asn1_rejects_garbage) {
        _cleanup_(ASN1_TIME_freep) ASN1_TIME *a = ASN1_UTCTIME_new();
        time_t t = 42;

        ck_assert_int_eq(time_from_asn1(NULL, &t), -EINVAL);
        ck_assert_ptr_nonnull(a);
        ck_assert_int_eq(ASN1_STRING_set(a, "not a time", -1), 1);
        ck_assert_int_eq(time_from_asn1(a, &t), -EINVAL);
        ck_assert_int_eq(t, 42);
}
END_TEST

static Suite *timeutil_suite(void) {
        Suite *s = suite_create("timeutil");
        TCase *tc;

        tc = tcase_create("parse");
        tcase_add_test(tc, test_parse_utc);
        tcase_add_test(tc, test_parse_lower_case_and_space_separator);
        tcase_add_test(tc, test_parse_offsets);
        tcase_add_test(tc, test_parse_fractional_seconds_ignored);
        tcase_add_test(tc, test_parse_date_only_is_midnight_utc);
        tcase_add_test(tc, test_parse_calendar);
        tcase_add_test(tc, test_parse_leap_second);
        tcase_add_test(tc, test_parse_rejects_bad_times);
        suite_add_tcase(s, tc);

        tc = tcase_create("format");
        tcase_add_test(tc, test_format);
        tcase_add_test(tc, test_format_small_buffer_stays_terminated);
        tcase_add_test(tc, test_format_parse_round_trip);
        suite_add_tcase(s, tc);

        tc = tcase_create("asn1");
        tcase_add_test(tc, test_from_asn1_utctime_and_generalizedtime);
        tcase_add_test(tc, test_from_asn1_rejects_garbage);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(timeutil_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
