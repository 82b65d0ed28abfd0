/* test_state: the agent's record of what it installed. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "state.h"
#include "testutil.h"

static State *sample(void) {
        State *s = state_new();
        ServiceState *ss;

        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(state_service_get(s, "xcap", &ss), 0);
        ss->installed = true;
        ss->source = SOURCE_SELF_SIGNED;
        ss->fingerprint = strdup("AB:CD");
        ss->subject = strdup("CN=xcap.example,O=Société");
        ss->not_after = TU_NOW + 1826 * TU_DAY;
        ss->installed_at = TU_NOW;
        ss->targets = strdup("00ff");
        ck_assert_int_eq(state_service_get(s, "rem", &ss), 0);
        ss->installed = true;
        ss->source = SOURCE_UPLOADED;
        ss->fingerprint = strdup("01:02");
        ss->not_after = TU_NOW + 700 * TU_DAY;
        ss->installed_at = TU_NOW - 5;
        ss->upload_crt = strdup("aa");
        ss->upload_key = strdup("bb");
        ck_assert_int_eq(state_service_get(s, "bsf", &ss), 0);
        ss->failed_crt = strdup("cc");
        ss->failed_key = strdup("dd");
        return s;
}

START_TEST(test_round_trip) {
        _cleanup_(state_freep) State *s = sample(), *back = NULL;
        _cleanup_(freep) char *text = NULL, *again = NULL;
        size_t len, len2;
        const ServiceState *x;

        ck_assert_int_eq(state_format(s, &text, &len), 0);
        /* Sorted by name: bsf, rem, xcap. */
        ck_assert_ptr_nonnull(strstr(text, "[bsf]"));
        ck_assert(strstr(text, "[bsf]") < strstr(text, "[rem]"));
        ck_assert(strstr(text, "[rem]") < strstr(text, "[xcap]"));
        ck_assert_int_eq(state_parse(text, len, &back), 0);
        ck_assert_uint_eq(back->n_services, 3);
        x = state_service(back, "xcap");
        ck_assert_ptr_nonnull(x);
        ck_assert(x->installed);
        ck_assert_int_eq(x->source, SOURCE_SELF_SIGNED);
        ck_assert_str_eq(x->subject, "CN=xcap.example,O=Société");
        ck_assert_int_eq(x->not_after, TU_NOW + 1826 * TU_DAY);
        ck_assert_str_eq(x->targets, "00ff");
        ck_assert_ptr_null(x->upload_crt);
        x = state_service(back, "rem");
        ck_assert_int_eq(x->source, SOURCE_UPLOADED);
        ck_assert_str_eq(x->upload_key, "bb");
        x = state_service(back, "bsf");
        ck_assert(!x->installed);
        ck_assert_str_eq(x->failed_crt, "cc");
        /* The same text again. */
        ck_assert_int_eq(state_format(back, &again, &len2), 0);
        ck_assert_uint_eq(len, len2);
        ck_assert_mem_eq(text, again, len);
}
END_TEST

START_TEST(test_damage_is_refused) {
        static const char *const bad[] = {
                "",
                "certconf-state 2\n",
                "certconf-state 1\ninstalled=1\n",                       /* outside a section */
                "certconf-state 1\n[rem]\nwhat=1\n",                     /* unknown key */
                "certconf-state 1\n[rem]\ninstalled=2\n",
                "certconf-state 1\n[rem]\nnot_after=12x\n",
                "certconf-state 1\n[rem]\nsource=stolen\n",
                "certconf-state 1\n[rem]\n[rem]\n",                      /* twice */
                "certconf-state 1\n[rem]\nsubject=a\nsubject=b\n",
                "certconf-state 1\n[rem]\ninstalled=1\nsource=uploaded\n", /* no fingerprint */
                "certconf-state 1\n[]\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                State *s = NULL;
                ck_assert_msg(state_parse(bad[i], strlen(bad[i]), &s) == -EBADMSG, "accepted: %s", bad[i]);
                ck_assert_ptr_null(s);
        }
        State *s = NULL;
        ck_assert_int_eq(state_parse("certconf-state 1\n", 17, &s), 0);
        ck_assert_uint_eq(s->n_services, 0);
        state_free(s);
        ck_assert_int_eq(state_parse("certconf-state 1\0x", 18, &s), -EBADMSG);
}
END_TEST

START_TEST(test_newline_in_value_is_not_written) {
        _cleanup_(state_freep) State *s = state_new();
        _cleanup_(freep) char *text = NULL;
        ServiceState *ss;
        size_t len;

        ck_assert_int_eq(state_service_get(s, "rem", &ss), 0);
        ss->subject = strdup("CN=a\ninstalled=1");
        ck_assert_int_eq(state_format(s, &text, &len), -EINVAL);
}
END_TEST

START_TEST(test_load_missing_is_empty) {
        _cleanup_(freep) char *dir = tu_tmpdir();
        _cleanup_(state_freep) State *s = NULL, *back = NULL;
        _cleanup_(freep) char *text = NULL, *p = NULL;
        size_t len;

        ck_assert_int_eq(state_load(dir, &s), 0);
        ck_assert_uint_eq(s->n_services, 0);
        state_free(s);
        s = sample();
        ck_assert_int_eq(state_format(s, &text, &len), 0);
        p = tu_write_file(dir, STATE_FILE_NAME, text, len);
        ck_assert_int_eq(state_load(dir, &back), 0);
        ck_assert_uint_eq(back->n_services, 3);
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_copy_is_deep) {
        _cleanup_(state_freep) State *s = sample(), *c = state_copy(s);
        ServiceState *x;

        ck_assert_ptr_nonnull(c);
        x = state_service(c, "rem");
        free(x->upload_crt);
        x->upload_crt = strdup("changed");
        ck_assert_str_eq(state_service(s, "rem")->upload_crt, "aa");
        ck_assert_str_eq(material_source_to_string(SOURCE_SELF_SIGNED), "self-signed");
        ck_assert_int_eq(material_source_from_string("uploaded"), SOURCE_UPLOADED);
        ck_assert_int_eq(material_source_from_string("x"), _SOURCE_INVALID);
}
END_TEST

static Suite *state_suite(void) {
        Suite *s = suite_create("state");
        TCase *tc = tcase_create("state");

        tcase_add_test(tc, test_round_trip);
        tcase_add_test(tc, test_damage_is_refused);
        tcase_add_test(tc, test_newline_in_value_is_not_written);
        tcase_add_test(tc, test_load_missing_is_empty);
        tcase_add_test(tc, test_copy_is_deep);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(state_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
