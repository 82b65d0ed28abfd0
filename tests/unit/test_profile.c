/* profile: names of the check profiles round-trip, unknown names are refused. */
#include <check.h>

#include "profile.h"
#include "macro.h"

START_TEST(test_profile_names_round_trip) {
        for (int p = 0; p < _PROFILE_MAX; p++) {
                const char *s = profile_to_string((Profile) p);
                ck_assert_ptr_nonnull(s);
                ck_assert_int_eq(profile_from_string(s), p);
        }
        ck_assert_str_eq(profile_to_string(PROFILE_DEFAULT), "default");
        ck_assert_str_eq(profile_to_string(PROFILE_STRICT), "strict");
        ck_assert_str_eq(profile_to_string(PROFILE_INNOVAPHONE), "innovaphone");
}
END_TEST

START_TEST(test_profile_unknown_refused) {
        ck_assert_int_eq(profile_from_string("Strict"), _PROFILE_INVALID);
        ck_assert_int_eq(profile_from_string(""), _PROFILE_INVALID);
        ck_assert_int_eq(profile_from_string("browser"), _PROFILE_INVALID);
        ck_assert_int_eq(profile_from_string(NULL), _PROFILE_INVALID);
        ck_assert_ptr_null(profile_to_string(_PROFILE_MAX));
        ck_assert_ptr_null(profile_to_string((Profile) -1));
}
END_TEST

int main(void) {
        Suite *s = suite_create("profile");
        TCase *tc = tcase_create("names");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_profile_names_round_trip);
        tcase_add_test(tc, test_profile_unknown_refused);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
