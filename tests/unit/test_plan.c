/* test_plan: what one reconcile decides for each service, from the store's
 * check, the installed state and the configuration. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "macro.h"
#include "plan.h"
#include "selfsign.h"
#include "state.h"
#include "strv.h"
#include "testutil.h"

static Target targets[3][1];
static AgentService services[3];
static AgentConfig config;
static char *units_none[] = { NULL };
static char *fallback[] = { (char *) "host.example", NULL };

static void setup_config(void) {
        static const char *const names[] = { "rem", "xcap", "bsf" };
        for (int i = 0; i < 3; i++) {
                targets[i][0] = (Target) { .format = TARGET_PEM_CHAIN, .path = (char *) "/t/x.pem", .mode = 0644 };
                services[i] = (AgentService) {
                        .name = (char *) names[i],
                        .kind = (ServiceKind) i,
                        .targets = targets[i],
                        .n_targets = 1,
                        .units = units_none,
                };
        }
        config = (AgentConfig) {
                .min_valid_days = 30,
                .self_signed_days = 1826,
                .self_signed_key = KEY_SPEC_EC_P256,
                .services = services,
                .n_services = 3,
        };
}

/* A CA-issued rem pair in dir (rem.example covered). */
static void write_rem(const char *dir, bool wrong_key) {
        EVP_PKEY *ca_key = tu_key_ec("P-256"), *key = tu_key_ec("P-256"), *other = tu_key_ec("P-256");
        X509 *ca = tu_cert(&(TuCertSpec) { .subject = "/CN=Test Root", .key = ca_key, .ca = true, .pathlen = -1 });
        X509 *leaf = tu_cert(&(TuCertSpec) { .subject = "/CN=rem.example", .key = key, .issuer = ca,
                                             .issuer_key = ca_key, .san = "DNS:rem.example" });
        X509 *chain[] = { leaf, ca };
        free(tu_write_pem(dir, "rem-cert.crt", chain, 2, NULL, 0));
        free(tu_write_pem(dir, "rem-cert.key", NULL, 0, wrong_key ? &other : &key, 1));
        X509_free(leaf);
        X509_free(ca);
        EVP_PKEY_free(ca_key);
        EVP_PKEY_free(key);
        EVP_PKEY_free(other);
}

static StoreReport *check_dir(const char *dir) {
        StoreReport *rep = NULL;
        CheckOptions o = { .now = TU_NOW, .min_valid_days = 30 };
        ck_assert_int_eq(check_store(dir, &o, &rep), 0);
        return rep;
}

static Plan *make_plan(const StoreReport *rep, const State *st, X509 *const *installed) {
        static X509 *none[3];
        Plan *p = NULL;
        PlanInput in = {
                .config = &config,
                .report = rep,
                .state = st,
                .installed = installed ? installed : none,
                .fallback_names = fallback,
                .now = TU_NOW,
        };
        ck_assert_int_eq(plan_make(&in, &p), 0);
        ck_assert_uint_eq(p->n_services, 3);
        return p;
}

/* Marks service as installed from the store's current files. */
static void mark_installed(State *st, const StoreReport *rep, const char *svc, MaterialSource src) {
        ServiceState *ss;
        ck_assert_int_eq(state_service_get(st, svc, &ss), 0);
        ss->installed = true;
        ss->source = src;
        ss->fingerprint = strdup("AA");
        ss->not_after = TU_NOW + 400 * TU_DAY;
        ck_assert_int_eq(plan_targets_digest(agentconf_service(&config, svc), &ss->targets), 0);
        for (size_t i = 0; rep && src == SOURCE_UPLOADED && i < rep->n_services; i++)
                if (streq(rep->services[i].service, svc)) {
                        ss->upload_crt = state_hex(rep->services[i].chain->sha256, 32);
                        ss->upload_key = state_hex(rep->services[i].key->sha256, 32);
                }
}

START_TEST(test_first_start_self_signs_everything) {
        _cleanup_(freep) char *dir = tu_tmpdir();
        _cleanup_(store_report_freep) StoreReport *rep = check_dir(dir);
        _cleanup_(state_freep) State *st = state_new();
        _cleanup_(plan_freep) Plan *p = make_plan(rep, st, NULL);

        for (int i = 0; i < 3; i++)
                ck_assert_str_eq(plan_action_to_string(p->services[i].action), "self-sign");
        ck_assert(!p->upload);
        ck_assert(!p->rejected);
        ck_assert(plan_changes_anything(p));
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_good_upload_installed_and_same_again_kept) {
        _cleanup_(freep) char *dir = tu_tmpdir();
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(state_freep) State *st = state_new();
        _cleanup_(plan_freep) Plan *p = NULL, *p2 = NULL;

        write_rem(dir, false);
        rep = check_dir(dir);
        p = make_plan(rep, st, NULL);
        ck_assert_int_eq(p->services[0].action, PLAN_INSTALL_UPLOAD);
        ck_assert_ptr_nonnull(p->services[0].upload_crt);
        ck_assert_int_eq(p->services[1].action, PLAN_SELF_SIGN);
        ck_assert(p->upload);
        ck_assert(!p->rejected);

        /* Installed as it is: the same files again change nothing. */
        mark_installed(st, rep, "rem", SOURCE_UPLOADED);
        p2 = make_plan(rep, st, NULL);
        ck_assert_int_eq(p2->services[0].action, PLAN_KEEP);
        ck_assert(p2->services[0].same_upload);
        ck_assert(!p2->upload);
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_one_bad_service_refuses_the_whole_upload) {
        _cleanup_(freep) char *dir = tu_tmpdir(), *sub = NULL;
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(state_freep) State *st = state_new();
        _cleanup_(plan_freep) Plan *p = NULL;

        write_rem(dir, true); /* KEY_MISMATCH */
        /* A good xcap pair: reuse the rem writer in a side directory and move it. */
        sub = tu_path(dir, "side");
        ck_assert_int_eq(mkdir(sub, 0700), 0);
        write_rem(sub, false);
        _cleanup_(freep) char *a = tu_path(sub, "rem-cert.crt"), *b = tu_path(sub, "rem-cert.key"),
                              *c = tu_path(dir, "xcap-cert.crt"), *d = tu_path(dir, "xcap-cert.key");
        ck_assert_int_eq(rename(a, c), 0);
        ck_assert_int_eq(rename(b, d), 0);
        rep = check_dir(dir);
        mark_installed(st, NULL, "xcap", SOURCE_SELF_SIGNED);
        p = make_plan(rep, st, NULL);
        ck_assert_int_eq(p->services[0].action, PLAN_REJECT);
        ck_assert(p->services[0].fallback_too); /* nothing installed for rem yet */
        ck_assert_int_eq(p->services[1].action, PLAN_REJECT);
        ck_assert(!p->services[1].fallback_too); /* xcap keeps what it has */
        ck_assert(p->rejected);
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_failed_before_is_not_retried) {
        _cleanup_(freep) char *dir = tu_tmpdir();
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(state_freep) State *st = state_new();
        _cleanup_(plan_freep) Plan *p = NULL;
        ServiceState *ss;

        write_rem(dir, false);
        rep = check_dir(dir);
        mark_installed(st, NULL, "rem", SOURCE_SELF_SIGNED);
        ck_assert_int_eq(state_service_get(st, "rem", &ss), 0);
        ss->failed_crt = state_hex(rep->services[0].chain->sha256, 32);
        ss->failed_key = state_hex(rep->services[0].key->sha256, 32);
        p = make_plan(rep, st, NULL);
        ck_assert_int_eq(p->services[0].action, PLAN_FAILED_BEFORE);
        ck_assert(!p->rejected);
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_self_signed_kept_renewed_or_reinstalled) {
        _cleanup_(freep) char *dir = tu_tmpdir();
        _cleanup_(store_report_freep) StoreReport *rep = check_dir(dir);
        _cleanup_(state_freep) State *st = state_new();
        _cleanup_(plan_freep) Plan *p = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        X509 *certs[3] = {};
        EVP_PKEY *keys[3] = {};

        ck_assert_int_eq(plan_self_signed_names(NULL, "rem", fallback, &names), 0);
        ck_assert_str_eq(names[0], "host.example");
        for (int i = 0; i < 3; i++) {
                SelfSignSpec s = { .service = services[i].name, .names = names, .key = KEY_SPEC_EC_P256, .days = 1826, .now = TU_NOW };
                ck_assert_int_eq(selfsign_make(&s, &certs[i], &keys[i]), 0);
                mark_installed(st, NULL, services[i].name, SOURCE_SELF_SIGNED);
        }
        p = make_plan(rep, st, certs);
        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(p->services[i].action, PLAN_KEEP);
        ck_assert(!plan_changes_anything(p));

        /* Names no longer match: renew. */
        fallback[0] = (char *) "other.example";
        p2 = make_plan(rep, st, certs);
        fallback[0] = (char *) "host.example";
        ck_assert_int_eq(p2->services[0].action, PLAN_RENEW);
        ck_assert_int_eq(p2->services[0].verdict, SELFSIGN_NAMES_CHANGED);

        /* Within min_valid_days of expiry: renew. */
        config.min_valid_days = 1900;
        p3 = make_plan(rep, st, certs);
        config.min_valid_days = 30;
        ck_assert_int_eq(p3->services[1].action, PLAN_RENEW);
        ck_assert_int_eq(p3->services[1].verdict, SELFSIGN_EXPIRING);

        /* A target moved: the same material is rendered again. */
        targets[2][0].path = (char *) "/t/moved.pem";
        p4 = make_plan(rep, st, certs);
        targets[2][0].path = (char *) "/t/x.pem";
        ck_assert_int_eq(p4->services[2].action, PLAN_REINSTALL);
        ck_assert_int_eq(p4->services[0].action, PLAN_KEEP);

        /* A new keystore password (its digest, as the agent read it): the
         * keystore is rendered again; the same password again changes nothing. */
        _cleanup_(plan_freep) Plan *p5 = NULL, *p6 = NULL;
        ServiceState *xcap = NULL;
        targets[1][0].password_digest = (char *) "5e88489...new";
        p5 = make_plan(rep, st, certs);
        ck_assert_int_eq(p5->services[1].action, PLAN_REINSTALL);
        ck_assert_int_eq(p5->services[0].action, PLAN_KEEP);
        ck_assert_int_eq(state_service_get(st, "xcap", &xcap), 0);
        free(xcap->targets);
        ck_assert_int_eq(plan_targets_digest(&services[1], &xcap->targets), 0);
        p6 = make_plan(rep, st, certs);
        targets[1][0].password_digest = NULL;
        ck_assert_int_eq(p6->services[1].action, PLAN_KEEP);

        /* Without a password the digest is what 0.1.0 wrote (the line, its
         * NUL): an upgrade renders nothing again but keystores. */
        _cleanup_(freep) char *d = NULL, *want = NULL;
        static const char old_line[] = "target\n1\n/t/x.pem\nn/a\nn/a\n644\nn/a\nn/a\n0\n";
        unsigned char md[32];
        ck_assert_int_eq(EVP_Digest(old_line, sizeof old_line, md, NULL, EVP_sha256(), NULL), 1);
        want = state_hex(md, sizeof md);
        ck_assert_int_eq(plan_targets_digest(&services[0], &d), 0);
        ck_assert_str_eq(d, want);
        for (int i = 0; i < 3; i++) {
                X509_free(certs[i]);
                EVP_PKEY_free(keys[i]);
        }
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_broken_deployment_makes_nothing) {
        _cleanup_(freep) char *dir = tu_tmpdir();
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(state_freep) State *st = state_new();
        _cleanup_(plan_freep) Plan *p = NULL;
        static const char yaml[] = "services:\n  rem:\n    hosts: [rem.example]\n  bogus_key: 1\n";

        free(tu_write_file(dir, "deployment.yaml", yaml, sizeof yaml - 1));
        rep = check_dir(dir);
        ck_assert(rep->has_deployment);
        ck_assert_ptr_null(rep->deploy);
        p = make_plan(rep, st, NULL);
        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(p->services[i].action, PLAN_KEEP);
        ck_assert(p->rejected);
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_unconfigured_service_is_listed) {
        _cleanup_(freep) char *dir = tu_tmpdir(), *side = NULL;
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(state_freep) State *st = state_new();
        _cleanup_(plan_freep) Plan *p = NULL;

        side = tu_path(dir, "side");
        ck_assert_int_eq(mkdir(side, 0700), 0);
        write_rem(side, false);
        _cleanup_(freep) char *a = tu_path(side, "rem-cert.crt"), *b = tu_path(side, "rem-cert.key"),
                              *c = tu_path(dir, "sip-cert.crt"), *d = tu_path(dir, "sip-cert.key");
        ck_assert_int_eq(rename(a, c), 0);
        ck_assert_int_eq(rename(b, d), 0);
        rep = check_dir(dir);
        p = make_plan(rep, st, NULL);
        ck_assert_uint_eq(strv_length(p->unconfigured), 1);
        ck_assert_str_eq(p->unconfigured[0], "sip");
        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_rejected_upload_does_not_stop_a_renewal) {
        _cleanup_(freep) char *dir = tu_tmpdir();
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(state_freep) State *st = state_new();
        _cleanup_(plan_freep) Plan *p = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        X509 *certs[3] = {};
        EVP_PKEY *key = NULL;

        write_rem(dir, true); /* a broken rem upload stays in the store */
        rep = check_dir(dir);
        ck_assert_int_eq(plan_self_signed_names(NULL, "rem", fallback, &names), 0);
        SelfSignSpec spec = { .service = "rem", .names = names, .key = KEY_SPEC_EC_P256, .days = 1826, .now = TU_NOW - 1820 * TU_DAY };
        ck_assert_int_eq(selfsign_make(&spec, &certs[0], &key), 0); /* 6 days left */
        mark_installed(st, NULL, "rem", SOURCE_SELF_SIGNED);
        p = make_plan(rep, st, certs);
        ck_assert_int_eq(p->services[0].action, PLAN_REJECT);
        ck_assert(p->services[0].fallback_too);
        ck_assert_int_eq(p->services[0].verdict, SELFSIGN_EXPIRING);
        X509_free(certs[0]);
        EVP_PKEY_free(key);
        tu_rmdir_r(dir);
}
END_TEST

static Suite *plan_suite(void) {
        Suite *s = suite_create("plan");
        TCase *tc = tcase_create("plan");

        tcase_add_unchecked_fixture(tc, setup_config, NULL);
        tcase_add_test(tc, test_first_start_self_signs_everything);
        tcase_add_test(tc, test_good_upload_installed_and_same_again_kept);
        tcase_add_test(tc, test_one_bad_service_refuses_the_whole_upload);
        tcase_add_test(tc, test_failed_before_is_not_retried);
        tcase_add_test(tc, test_self_signed_kept_renewed_or_reinstalled);
        tcase_add_test(tc, test_broken_deployment_makes_nothing);
        tcase_add_test(tc, test_unconfigured_service_is_listed);
        tcase_add_test(tc, test_rejected_upload_does_not_stop_a_renewal);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(plan_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
