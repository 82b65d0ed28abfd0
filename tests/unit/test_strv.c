/* test_strv: NULL-terminated string lists. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

START_TEST(test_length_of_null_and_empty) {
        char *empty[] = {NULL};

        ck_assert_uint_eq(strv_length(NULL), 0);
        ck_assert_uint_eq(strv_length(empty), 0);
}
END_TEST

START_TEST(test_extend_from_null_copies) {
        _cleanup_(strv_freep) char **l = NULL;
        char s[] = "rem.example.com";

        ck_assert_int_eq(strv_extend(&l, s), 0);
        s[0] = 'X'; /* a copy was stored */
        ck_assert_int_eq(strv_extend(&l, "192.0.2.1"), 0);
        ck_assert_uint_eq(strv_length(l), 2);
        ck_assert_str_eq(l[0], "rem.example.com");
        ck_assert_str_eq(l[1], "192.0.2.1");
        ck_assert_ptr_null(l[2]);
}
END_TEST

START_TEST(test_extend_n_takes_a_prefix) {
        _cleanup_(strv_freep) char **l = NULL;

        ck_assert_int_eq(strv_extend_n(&l, "xcap-cert.crt", 4), 0);
        ck_assert_int_eq(strv_extend_n(&l, "bsf", (size_t) -1), 0);
        ck_assert_int_eq(strv_extend_n(&l, "abc", 0), 0);
        ck_assert_int_eq(strv_extend_n(&l, "ab", 10), 0); /* longer than the string */
        ck_assert_str_eq(l[0], "xcap");
        ck_assert_str_eq(l[1], "bsf");
        ck_assert_str_eq(l[2], "");
        ck_assert_str_eq(l[3], "ab");
        ck_assert_ptr_null(l[4]);
}
END_TEST

START_TEST(test_extend_many) {
        _cleanup_(strv_freep) char **l = NULL;

        for (int i = 0; i < 200; i++) {
                char buf[16];
                snprintf(buf, sizeof buf, "n%d", i);
                ck_assert_int_eq(strv_extend(&l, buf), 0);
        }
        ck_assert_uint_eq(strv_length(l), 200);
        ck_assert_str_eq(l[199], "n199");
}
END_TEST

START_TEST(test_contains_case) {
        _cleanup_(strv_freep) char **l = NULL;

        ck_assert(!strv_contains(NULL, "a", false));
        ck_assert(!strv_contains(NULL, "a", true));
        ck_assert_int_eq(strv_extend(&l, "Rem.Example.COM"), 0);
        ck_assert(strv_contains(l, "Rem.Example.COM", false));
        ck_assert(!strv_contains(l, "rem.example.com", false));
        ck_assert(strv_contains(l, "rem.example.com", true));
        ck_assert(!strv_contains(l, "rem.example.co", true));
        ck_assert(!strv_contains(l, "rem.example.com.", true));
}
END_TEST

START_TEST(test_extend_unique) {
        _cleanup_(strv_freep) char **l = NULL;

        ck_assert_int_eq(strv_extend_unique(&l, "xcap.example.com", true), 0);
        ck_assert_int_eq(strv_extend_unique(&l, "XCAP.example.com", true), 0);
        ck_assert_uint_eq(strv_length(l), 1);
        ck_assert_int_eq(strv_extend_unique(&l, "XCAP.example.com", false), 0);
        ck_assert_uint_eq(strv_length(l), 2);
        ck_assert_int_eq(strv_extend_unique(&l, "XCAP.example.com", false), 0);
        ck_assert_uint_eq(strv_length(l), 2);
        ck_assert_str_eq(l[0], "xcap.example.com");
        ck_assert_str_eq(l[1], "XCAP.example.com");
}
END_TEST

static Suite *strv_suite(void) {
        Suite *s = suite_create("strv");
        TCase *tc = tcase_create("strv");

        tcase_add_test(tc, test_length_of_null_and_empty);
        tcase_add_test(tc, test_extend_from_null_copies);
        tcase_add_test(tc, test_extend_n_takes_a_prefix);
        tcase_add_test(tc, test_extend_many);
        tcase_add_test(tc, test_contains_case);
        tcase_add_test(tc, test_extend_unique);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(strv_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
