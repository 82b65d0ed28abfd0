/* test_agentconf: the agent's configuration — the shipped and demo files,
 * defaults, path resolution, every error with its line, column and hint (and
 * a near miss that is accepted), and owner/group lookup. */

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "agentconf.h"
#include "findings.h"
#include "testutil.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static Findings F;
static AgentConfig *C;

static void setup(void) {
        F = (Findings){};
        C = NULL;
}

static void teardown(void) {
        findings_clear(&F);
        C = agentconf_free(C);
}

static int parse(const char *yaml) {
        findings_clear(&F);
        C = agentconf_free(C);
        return agentconf_parse("/etc/certconf/certconf.yaml", yaml, strlen(yaml), NULL, &C, &F);
}

/* Every finding, one per line, for a failure message (static: a failing
 * check does not return, so nothing here may need freeing). */
static const char *dump_findings(void) {
        static char buf[16384];
        size_t o = 0;

        buf[0] = 0;
        for (size_t i = 0; i < F.n && o < sizeof buf; i++) {
                int k = snprintf(buf + o, sizeof buf - o, "\n  %d:%d %s [hint: %s]",
                                 F.items[i].line, F.items[i].column, F.items[i].message,
                                 F.items[i].hint);
                if (k < 0)
                        break;
                o += (size_t) k;
        }
        return buf;
}

/* There is a CONFIG_INVALID error at line:column whose message contains msg
 * and (when hint is not NULL) whose hint contains hint. */
static void expect_error_at(int src_line, int line, int column, const char *msg, const char *hint) {
        for (size_t i = 0; i < F.n; i++) {
                const Finding *x = &F.items[i];

                if (x->line != line || x->column != column || !strstr(x->message, msg))
                        continue;
                if (hint && (!x->hint || !strstr(x->hint, hint)))
                        continue;
                ck_assert_int_eq(x->code, FINDING_CONFIG_INVALID);
                ck_assert_int_eq(x->severity, SEVERITY_ERROR);
                ck_assert_str_eq(x->file, "/etc/certconf/certconf.yaml");
                ck_assert_ptr_null(strchr(x->message, '\n'));
                ck_assert_ptr_nonnull(x->hint);
                return;
        }
        ck_abort_msg("line %d: no error at %d:%d with '%s' (hint '%s'); found:%s", src_line, line,
                     column, msg, strna(hint), dump_findings());
}

#define EXPECT_ERROR(line, column, msg, hint) expect_error_at(__LINE__, line, column, msg, hint)

#define EXPECT_OK(yaml)                                                                            \
        do {                                                                                       \
                int _r = parse(yaml);                                                              \
                ck_assert_msg(_r == 0 && F.n == 0 && C, "expected no error, got %d:%s", _r,        \
                              dump_findings());                                                    \
        } while (0)

#define EXPECT_INVALID(yaml, n_errors)                                                             \
        do {                                                                                       \
                int _r = parse(yaml);                                                              \
                ck_assert_msg(_r == -EINVAL && F.n == (n_errors) && !C,                            \
                              "expected -EINVAL with %d errors, got %d:%s", (int) (n_errors), _r,  \
                              dump_findings());                                                    \
        } while (0)

/* A valid service, to put after the lines under test. */
#define SVC                                                                                        \
        "services:\n"                                                                              \
        "  xcap:\n"                                                                                \
        "    targets:\n"                                                                           \
        "      - {format: pem-chain, path: /etc/certconf/xcap/xcap-chain.pem}\n"

/* ---------------------------------------------------------------------------
 * The shipped files. */

START_TEST(test_shipped_file) {
        const AgentService *s;
        const Target *t;

        ck_assert_int_eq(agentconf_load(TOP_SRCDIR "/etc/certconf.yaml", NULL, &C, &F), 0);
        ck_assert_msg(F.n == 0, "%s", dump_findings());
        ck_assert_str_eq(C->path, TOP_SRCDIR "/etc/certconf.yaml");
        ck_assert_str_eq(C->store_dir, "/var/lib/certconf/store");
        ck_assert_str_eq(C->state_dir, "/var/lib/certconf/state");
        ck_assert_int_eq(C->min_valid_days, 30);
        ck_assert_uint_eq(C->settle_ms, 2000);
        ck_assert_uint_eq(C->unit_timeout_s, 90);
        ck_assert_int_eq(C->policy, PROFILE_DEFAULT);
        ck_assert_ptr_null(C->trust[0]);
        ck_assert(!C->system_trust);
        ck_assert_uint_eq(C->self_signed_days, 1826);
        ck_assert_int_eq(C->self_signed_key, KEY_SPEC_RSA2048);
        ck_assert_uint_eq(C->n_services, 3);

        s = agentconf_service(C, "rem");
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(s->kind, SERVICE_KIND_REM);
        ck_assert_int_eq(s->action, UNIT_ACTION_TRY_RELOAD_OR_RESTART);
        ck_assert_str_eq(s->units[0], "tomcat10.service");
        ck_assert_ptr_null(s->units[1]);
        ck_assert_uint_eq(s->n_targets, 1);
        t = &s->targets[0];
        ck_assert_int_eq(t->format, TARGET_PKCS12);
        ck_assert_str_eq(t->path, "/etc/tomcat10/certconf/rem.p12");
        ck_assert_str_eq(t->owner, "root");
        ck_assert_str_eq(t->group, "tomcat");
        ck_assert_uint_eq(t->uid, (uid_t) -1);
        ck_assert_uint_eq(t->gid, (gid_t) -1);
        ck_assert_uint_eq(t->mode, 0640);
        ck_assert_str_eq(t->alias, "rem");
        ck_assert_str_eq(t->password_file, "/etc/certconf/rem-keystore.pass");
        ck_assert_int_eq(t->compat, PKCS12_COMPAT_MODERN);

        static const char *const pem[] = {"xcap", "bsf"};
        for (size_t i = 0; i < ELEMENTSOF(pem); i++) {
                char want[128];

                s = agentconf_service(C, pem[i]);
                ck_assert_ptr_nonnull(s);
                ck_assert_int_eq(s->kind, i == 0 ? SERVICE_KIND_XCAP : SERVICE_KIND_BSF);
                snprintf(want, sizeof want, "%s.service", pem[i]);
                ck_assert_str_eq(s->units[0], want);
                ck_assert_ptr_null(s->units[1]);
                ck_assert_uint_eq(s->n_targets, 2);
                ck_assert_int_eq(s->targets[0].format, TARGET_PEM_CHAIN);
                snprintf(want, sizeof want, "/etc/certconf/%s/%s-chain.pem", pem[i], pem[i]);
                ck_assert_str_eq(s->targets[0].path, want);
                ck_assert_uint_eq(s->targets[0].mode, 0644);
                ck_assert_int_eq(s->targets[1].format, TARGET_PEM_KEY);
                snprintf(want, sizeof want, "/etc/certconf/%s/%s.key", pem[i], pem[i]);
                ck_assert_str_eq(s->targets[1].path, want);
                ck_assert_uint_eq(s->targets[1].mode, 0600);
                ck_assert_ptr_null(s->targets[1].owner);
                ck_assert_ptr_null(s->targets[1].alias);
                ck_assert_ptr_null(s->targets[1].password_file);
        }
}
END_TEST

START_TEST(test_demo_file) {
        const AgentService *s;

        /* Read where `make run` puts it: every path under that directory. */
        ck_assert_int_eq(agentconf_load(TOP_SRCDIR "/etc/demo/certconf.yaml", "/srv/run", &C, &F),
                         0);
        ck_assert_msg(F.n == 0, "%s", dump_findings());
        ck_assert_str_eq(C->store_dir, "/srv/run/store");
        ck_assert_str_eq(C->state_dir, "/srv/run/state");
        ck_assert_uint_eq(C->settle_ms, 500);
        ck_assert_uint_eq(C->n_services, 3);
        for (size_t i = 0; i < C->n_services; i++) {
                ck_assert_int_eq(C->services[i].action, UNIT_ACTION_NONE);
                ck_assert_ptr_null(C->services[i].units[0]);
                for (size_t j = 0; j < C->services[i].n_targets; j++) {
                        ck_assert_ptr_null(C->services[i].targets[j].owner);
                        ck_assert_ptr_null(C->services[i].targets[j].group);
                }
        }
        s = agentconf_service(C, "rem");
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s->targets[0].path, "/srv/run/targets/rem/rem.p12");
        ck_assert_str_eq(s->targets[0].password_file, "/srv/run/targets/rem/keystore.pass");
        ck_assert_str_eq(s->targets[0].alias, "rem");
        s = agentconf_service(C, "bsf");
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s->targets[1].path, "/srv/run/targets/bsf/bsf.key");
        C = agentconf_free(C);

        /* Without base_dir: the directory of the file. */
        ck_assert_int_eq(agentconf_load(TOP_SRCDIR "/etc/demo/certconf.yaml", NULL, &C, &F), 0);
        ck_assert_ptr_nonnull(strstr(C->store_dir, "/etc/demo/store"));
        ck_assert_int_eq(C->store_dir[0], '/');
}
END_TEST

/* ---------------------------------------------------------------------------
 * Defaults and paths. */

START_TEST(test_defaults) {
        const AgentService *s;

        EXPECT_OK("services:\n"
                  "  my-svc:\n"
                  "    targets:\n"
                  "      - format: pem-cert\n"
                  "        path: /etc/my/cert.pem\n"
                  "  rem:\n"
                  "    targets: [{format: pkcs12, path: /k.p12, password_file: /k.pass}]\n");
        ck_assert_str_eq(C->store_dir, AGENTCONF_DEFAULT_STORE_DIR);
        ck_assert_str_eq(C->state_dir, AGENTCONF_DEFAULT_STATE_DIR);
        ck_assert_int_eq(C->min_valid_days, AGENTCONF_DEFAULT_MIN_VALID_DAYS);
        ck_assert_uint_eq(C->settle_ms, AGENTCONF_DEFAULT_SETTLE_MS);
        ck_assert_uint_eq(C->unit_timeout_s, AGENTCONF_DEFAULT_UNIT_TIMEOUT_S);
        ck_assert_uint_eq(C->self_signed_days, AGENTCONF_DEFAULT_SELF_SIGNED_DAYS);
        ck_assert_int_eq(C->self_signed_key, KEY_SPEC_RSA2048);
        ck_assert_int_eq(C->policy, PROFILE_DEFAULT);
        ck_assert_ptr_nonnull(C->trust);
        ck_assert_ptr_null(C->trust[0]);
        ck_assert(!C->system_trust);

        s = agentconf_service(C, "my-svc");
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(s->line, 2);
        ck_assert_int_eq(s->column, 3);
        ck_assert_int_eq(s->kind, SERVICE_KIND_GENERIC);
        ck_assert_int_eq(s->action, UNIT_ACTION_TRY_RELOAD_OR_RESTART);
        ck_assert_ptr_nonnull(s->units);
        ck_assert_ptr_null(s->units[0]);
        ck_assert_uint_eq(s->targets[0].mode, 0644);
        ck_assert_int_eq(s->targets[0].line, 4);
        ck_assert_int_eq(s->targets[0].column, 9);
        ck_assert_int_eq(s->targets[0].path_line, 5);
        ck_assert_int_eq(s->targets[0].path_column, 15);
        ck_assert_ptr_null(s->targets[0].alias);

        s = agentconf_service(C, "rem");
        ck_assert_int_eq(s->kind, SERVICE_KIND_REM);
        ck_assert_str_eq(s->targets[0].alias, "rem");
        ck_assert_uint_eq(s->targets[0].mode, 0600);
        ck_assert_int_eq(s->targets[0].compat, PKCS12_COMPAT_MODERN);
        ck_assert_uint_eq(s->targets[0].uid, (uid_t) -1);
        ck_assert_ptr_null(agentconf_service(C, "REM"));
        ck_assert_ptr_null(agentconf_service(C, "nosuch"));

        /* Everything set. */
        EXPECT_OK("store_dir: /srv/store\n"
                  "state_dir: /srv/state\n"
                  "min_valid_days: 0\n"
                  "settle_ms: 600000\n"
                  "unit_timeout_s: \"1\"\n"
                  "policy: innovaphone\n"
                  "trust: /etc/ca.pem\n"
                  "system_trust: true\n"
                  "self_signed: {days: 36500, key: ec:p256}\n"
                  "services:\n"
                  "  web:\n"
                  "    profile: xcap\n"
                  "    action: restart\n"
                  "    units: nginx.service\n"
                  "    targets:\n"
                  "      - {format: pkcs12, path: /k.p12, password_file: /k.pass, alias: Web,\n"
                  "         compat: legacy, owner: \"0\", group: www-data, mode: 600}\n");
        ck_assert_str_eq(C->store_dir, "/srv/store");
        ck_assert_int_eq(C->min_valid_days, 0);
        ck_assert_uint_eq(C->settle_ms, 600000);
        ck_assert_uint_eq(C->unit_timeout_s, 1);
        ck_assert_int_eq(C->policy, PROFILE_INNOVAPHONE);
        ck_assert_str_eq(C->trust[0], "/etc/ca.pem");
        ck_assert_ptr_null(C->trust[1]);
        ck_assert(C->system_trust);
        ck_assert_uint_eq(C->self_signed_days, 36500);
        ck_assert_int_eq(C->self_signed_key, KEY_SPEC_EC_P256);
        s = &C->services[0];
        ck_assert_int_eq(s->kind, SERVICE_KIND_XCAP);
        ck_assert_int_eq(s->action, UNIT_ACTION_RESTART);
        ck_assert_str_eq(s->units[0], "nginx.service");
        ck_assert_str_eq(s->targets[0].alias, "Web");
        ck_assert_int_eq(s->targets[0].compat, PKCS12_COMPAT_LEGACY);
        ck_assert_str_eq(s->targets[0].owner, "0");
        ck_assert_str_eq(s->targets[0].group, "www-data");
        ck_assert_uint_eq(s->targets[0].mode, 0600);
}
END_TEST

START_TEST(test_relative_paths) {
        static const char yaml[] = "store_dir: store/\n"
                                   "state_dir: ./a//b/../state\n"
                                   "trust: [ca/../trust.pem, /abs/./x.pem]\n"
                                   "services:\n"
                                   "  rem:\n"
                                   "    targets:\n"
                                   "      - format: pkcs12\n"
                                   "        path: t//rem.p12\n"
                                   "        password_file: ../pw/rem.pass\n";
        _cleanup_(freep) char *cwd = getcwd(NULL, 0), *want = NULL;

        ck_assert_int_eq(agentconf_parse("/etc/certconf/certconf.yaml", yaml, strlen(yaml),
                                         "/base/dir/", &C, &F),
                         0);
        ck_assert_str_eq(C->store_dir, "/base/dir/store");
        ck_assert_str_eq(C->state_dir, "/base/dir/a/state");
        ck_assert_str_eq(C->trust[0], "/base/dir/trust.pem");
        ck_assert_str_eq(C->trust[1], "/abs/x.pem");
        ck_assert_str_eq(C->services[0].targets[0].path, "/base/dir/t/rem.p12");
        ck_assert_str_eq(C->services[0].targets[0].password_file, "/base/pw/rem.pass");
        C = agentconf_free(C);

        /* No base_dir: the directory of the file; ".." stops at "/". */
        ck_assert_int_eq(
                agentconf_parse("/etc/certconf/certconf.yaml", yaml, strlen(yaml), NULL, &C, &F),
                0);
        ck_assert_str_eq(C->store_dir, "/etc/certconf/store");
        ck_assert_str_eq(C->services[0].targets[0].password_file, "/etc/pw/rem.pass");
        C = agentconf_free(C);
        ck_assert_int_eq(agentconf_parse("/certconf.yaml", yaml, strlen(yaml), NULL, &C, &F), 0);
        ck_assert_str_eq(C->store_dir, "/store");
        ck_assert_str_eq(C->services[0].targets[0].password_file, "/pw/rem.pass");
        C = agentconf_free(C);

        /* A relative file name or base_dir: from the working directory. */
        ck_assert_ptr_nonnull(cwd);
        ck_assert_int_eq(agentconf_parse("run/certconf.yaml", yaml, strlen(yaml), NULL, &C, &F), 0);
        ck_assert_int_gt(asprintf(&want, "%s/run/store", streq(cwd, "/") ? "" : cwd), 0);
        ck_assert_str_eq(C->store_dir, want);
        C = agentconf_free(C);
        ck_assert_int_eq(agentconf_parse("certconf.yaml", yaml, strlen(yaml), "x/..", &C, &F), 0);
        free(want);
        ck_assert_int_gt(asprintf(&want, "%s/store", streq(cwd, "/") ? "" : cwd), 0);
        ck_assert_str_eq(C->store_dir, want);
        ck_assert_str_eq(C->path, "certconf.yaml");
        ck_assert_uint_eq(F.n, 0);
}
END_TEST

/* ---------------------------------------------------------------------------
 * Errors, each with a near miss. */

START_TEST(test_unknown_keys) {
        EXPECT_INVALID("stor_dir: /x\n" SVC, 1);
        EXPECT_ERROR(1, 1, "unknown key 'stor_dir'", "did you mean 'store_dir'?");
        EXPECT_INVALID("setle_ms: 1\n" SVC, 1);
        EXPECT_ERROR(1, 1, "unknown key 'setle_ms'", "did you mean 'settle_ms'?");
        EXPECT_INVALID("colour: blue\n" SVC, 1);
        EXPECT_ERROR(1, 1, "unknown key 'colour'", "known keys here: store_dir, state_dir");

        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    unit: [tomcat10.service]\n"
                       "    targets:\n"
                       "      - format: pkcs12\n"
                       "        path: /k.p12\n"
                       "        pasword_file: /k.pass\n"
                       "        password_file: /k.pass\n",
                       2);
        EXPECT_ERROR(3, 5, "unknown key 'unit'", "did you mean 'units'?");
        EXPECT_ERROR(7, 9, "unknown key 'pasword_file'", "did you mean 'password_file'?");

        EXPECT_INVALID("self_signed: {days: 10, keys: rsa:2048}\n" SVC, 1);
        EXPECT_ERROR(1, 25, "unknown key 'keys'", "did you mean 'key'?");

        /* A known key at the wrong level. */
        EXPECT_INVALID("units: [a.service]\n" SVC, 1);
        EXPECT_ERROR(1, 1, "unknown key 'units'", "belongs under a service");
        EXPECT_INVALID("days: 10\n" SVC, 1);
        EXPECT_ERROR(1, 1, "unknown key 'days'", "belongs under 'self_signed:'");
        EXPECT_INVALID("rem:\n  targets: []\n" SVC, 1);
        EXPECT_ERROR(1, 1, "unknown key 'rem'", "under 'services:'");
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    path: /x.pem\n"
                       "    targets: [{format: pem-chain, path: /x.pem}]\n",
                       1);
        EXPECT_ERROR(3, 5, "unknown key 'path'", "belongs to a target");
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets: [{format: pem-chain, path: /x.pem, settle_ms: 1}]\n",
                       1);
        EXPECT_ERROR(3, 49, "unknown key 'settle_ms'", "top level");

        /* Near miss: spelled right. */
        EXPECT_OK("store_dir: /x\nsettle_ms: 1\n" SVC);
        ck_assert_str_eq(C->store_dir, "/x");
}
END_TEST

START_TEST(test_wrong_types) {
        EXPECT_INVALID("services: [rem]\n", 1);
        EXPECT_ERROR(1, 11, "'services' must be a mapping, not a list", "services: {rem:");
        EXPECT_INVALID("store_dir: [/a, /b]\n" SVC, 1);
        EXPECT_ERROR(1, 12, "'store_dir' must be a single value, not a list", NULL);
        EXPECT_INVALID("self_signed: 5\n" SVC, 1);
        EXPECT_ERROR(1, 14, "'self_signed' must be a mapping", "days: 1826");
        EXPECT_INVALID("trust: {a: b}\n" SVC, 1);
        EXPECT_ERROR(1, 8, "'trust' must be a list, not a mapping", NULL);
        EXPECT_INVALID("trust: [[a]]\n" SVC, 1);
        EXPECT_ERROR(1, 9, "an entry of 'trust' must be a single value", NULL);
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "      format: pem-chain\n"
                       "      path: /x.pem\n",
                       1);
        EXPECT_ERROR(4, 7, "'targets' must be a list, not a mapping", "targets: [{format:");
        EXPECT_INVALID("services:\n  xcap:\n    targets: [pem-chain]\n", 1);
        EXPECT_ERROR(3, 15, "a target must be a mapping, not a single value", NULL);
        EXPECT_INVALID("services:\n  xcap: [a]\n", 1);
        EXPECT_ERROR(2, 9, "'xcap' must be a mapping, not a list", NULL);
        EXPECT_INVALID("services:\n  xcap:\n", 1);
        EXPECT_ERROR(2, 8, "empty value for 'xcap'", NULL);
        EXPECT_INVALID("state_dir:\n" SVC, 1);
        EXPECT_ERROR(1, 11, "empty value for 'state_dir'", NULL);
        EXPECT_INVALID("just text\n", 1);
        EXPECT_ERROR(1, 1, "must be a mapping of keys, not a single value", "services:");

        /* Near misses: one string where a list may be, lists where they must be. */
        EXPECT_OK("trust: /a.pem\n" SVC);
        ck_assert_str_eq(C->trust[0], "/a.pem");
        EXPECT_OK("trust: [/a.pem, /b.pem]\n" SVC);
        ck_assert_str_eq(C->trust[1], "/b.pem");
}
END_TEST

START_TEST(test_numbers) {
        EXPECT_INVALID("settle_ms: -1\n" SVC, 1);
        EXPECT_ERROR(1, 12, "settle_ms '-1' is not a whole number", "from 0 to 600000");
        EXPECT_INVALID("settle_ms: 2s\n" SVC, 1);
        EXPECT_ERROR(1, 12, "settle_ms '2s' is not a whole number", NULL);
        EXPECT_INVALID("settle_ms: 600001\n" SVC, 1);
        EXPECT_ERROR(1, 12, "settle_ms 600001 is out of range", "from 0 to 600000");
        EXPECT_INVALID("min_valid_days: 3651\n" SVC, 1);
        EXPECT_ERROR(1, 17, "out of range", "0 to 3650");
        EXPECT_INVALID("min_valid_days: 99999999999999999999999\n" SVC, 1);
        EXPECT_ERROR(1, 17, "out of range", NULL);
        EXPECT_INVALID("unit_timeout_s: 0\n" SVC, 1);
        EXPECT_ERROR(1, 17, "unit_timeout_s 0 is out of range", "1 to 3600");
        EXPECT_INVALID("self_signed:\n  days: 0\n" SVC, 1);
        EXPECT_ERROR(2, 9, "days 0 is out of range", "1 to 36500");
        EXPECT_INVALID("unit_timeout_s: 1.5\n" SVC, 1);
        EXPECT_ERROR(1, 17, "not a whole number", NULL);

        /* Near misses: the bounds, quoted, leading zeros. */
        EXPECT_OK("settle_ms: \"0\"\nmin_valid_days: 3650\nunit_timeout_s: 3600\n"
                  "self_signed: {days: 1}\n" SVC);
        ck_assert_uint_eq(C->settle_ms, 0);
        ck_assert_int_eq(C->min_valid_days, 3650);
        ck_assert_uint_eq(C->unit_timeout_s, 3600);
        ck_assert_uint_eq(C->self_signed_days, 1);
        EXPECT_OK("min_valid_days: 010\n" SVC);
        ck_assert_int_eq(C->min_valid_days, 10);
}
END_TEST

START_TEST(test_enums) {
        EXPECT_INVALID("policy: lax\n" SVC, 1);
        EXPECT_ERROR(1, 9, "unknown policy 'lax'", "default, strict, innovaphone");
        EXPECT_INVALID("policy: Strict\n" SVC, 1);
        EXPECT_ERROR(1, 9, "unknown policy 'Strict'", "did you mean 'strict'?");
        EXPECT_INVALID("system_trust: yes\n" SVC, 1);
        EXPECT_ERROR(1, 15, "system_trust 'yes' is not true or false", "true or false");
        EXPECT_INVALID("self_signed: {key: rsa:4096}\n" SVC, 1);
        EXPECT_ERROR(1, 20, "unknown key type 'rsa:4096'", "rsa:2048, ec:p256");
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    profile: ims\n"
                       "    action: reload-restart\n"
                       "    targets:\n"
                       "      - format: PEM-chain\n"
                       "        path: /x.pem\n"
                       "      - format: der\n"
                       "        path: /y.der\n"
                       "      - format: pkcs12\n"
                       "        path: /z.p12\n"
                       "        password_file: /z.pass\n"
                       "        compat: old\n",
                       5);
        EXPECT_ERROR(3, 14, "unknown profile 'ims'", "rem, xcap, bsf, generic");
        EXPECT_ERROR(4, 13, "unknown action 'reload-restart'", "try-reload-or-restart");
        EXPECT_ERROR(6, 17, "unknown format 'PEM-chain'", "did you mean 'pem-chain'?");
        EXPECT_ERROR(8, 17, "unknown format 'der'",
                     "Use one of: pkcs12, pem-chain, pem-cert, pem-key, pem-bundle-key-first, "
                     "pem-bundle-key-last.");
        EXPECT_ERROR(13, 17, "unknown compat 'old'", "modern, legacy");

        /* Near misses. */
        EXPECT_OK("policy: strict\nsystem_trust: False\n"
                  "services:\n"
                  "  xcap:\n"
                  "    profile: generic\n"
                  "    action: reload\n"
                  "    targets: [{format: pem-key, path: /k}]\n");
        ck_assert_int_eq(C->policy, PROFILE_STRICT);
        ck_assert_int_eq(C->services[0].kind, SERVICE_KIND_GENERIC);
        ck_assert_int_eq(C->services[0].action, UNIT_ACTION_RELOAD);
}
END_TEST

START_TEST(test_pkcs12_only_keys) {
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "      - format: pem-chain\n"
                       "        path: /x.pem\n"
                       "        alias: xcap\n"
                       "      - format: pem-key\n"
                       "        path: /x.key\n"
                       "        password_file: /x.pass\n"
                       "      - {format: pem-cert, path: /c.pem, compat: legacy}\n",
                       3);
        EXPECT_ERROR(6, 9, "'alias' applies to pkcs12 targets only", "a pem-chain file");
        EXPECT_ERROR(9, 9, "'password_file' applies to pkcs12 targets only", "format: pkcs12");
        EXPECT_ERROR(10, 42, "'compat' applies to pkcs12 targets only", NULL);

        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    targets:\n"
                       "      - format: pkcs12\n"
                       "        path: /r.p12\n",
                       1);
        EXPECT_ERROR(4, 9, "pkcs12 target without 'password_file'",
                     "/etc/certconf/rem-keystore.pass");

        /* Near miss: all of them on a keystore. */
        EXPECT_OK("services:\n"
                  "  rem:\n"
                  "    targets:\n"
                  "      - {format: pkcs12, path: /r.p12, alias: x, password_file: /p, compat: "
                  "legacy}\n");
        ck_assert_str_eq(C->services[0].targets[0].alias, "x");
        ck_assert_str_eq(C->services[0].targets[0].password_file, "/p");
}
END_TEST

START_TEST(test_modes) {
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "      - {format: pem-key, path: /a, mode: \"0644\"}\n"
                       "      - {format: pkcs12, path: /b, password_file: /p, mode: 0604}\n"
                       "      - {format: pem-key, path: /c, mode: 0601}\n"
                       "      - {format: pem-chain, path: /d, mode: 0666}\n"
                       "      - {format: pem-chain, path: /e, mode: 17777}\n"
                       "      - {format: pem-chain, path: /f, mode: 0648}\n"
                       "      - {format: pem-chain, path: /g, mode: u=rw}\n",
                       7);
        EXPECT_ERROR(4, 43, "mode 0644 gives other users access to the private key", "0600");
        EXPECT_ERROR(5, 61, "mode 0604 gives other users access", "group");
        EXPECT_ERROR(6, 43, "mode 0601", NULL);
        EXPECT_ERROR(7, 45, "mode 0666 lets other users replace", NULL);
        EXPECT_ERROR(8, 45, "mode 17777 is larger than 07777", NULL);
        EXPECT_ERROR(9, 45, "mode '0648' is not an octal file mode", "\"0640\"");
        EXPECT_ERROR(10, 45, "mode 'u=rw' is not an octal file mode", NULL);

        /* Near misses: octal however written, the largest mode, group access. */
        EXPECT_OK("services:\n"
                  "  xcap:\n"
                  "    targets:\n"
                  "      - {format: pem-key, path: /a, mode: 640}\n"
                  "      - {format: pkcs12, path: /b, password_file: /p, mode: \"0o660\"}\n"
                  "      - {format: pem-chain, path: /c, mode: 07775}\n"
                  "      - {format: pem-cert, path: /d, mode: '0444'}\n");
        ck_assert_uint_eq(C->services[0].targets[0].mode, 0640);
        ck_assert_uint_eq(C->services[0].targets[1].mode, 0660);
        ck_assert_uint_eq(C->services[0].targets[2].mode, 07775);
        ck_assert_uint_eq(C->services[0].targets[3].mode, 0444);

        /* The combined PEM files hold the key: 0600 unless told, never for others. */
        EXPECT_INVALID("services:\n"
                       "  mx:\n"
                       "    targets:\n"
                       "      - {format: pem-bundle-key-first, path: /a, mode: \"0644\"}\n"
                       "      - {format: pem-bundle-key-last, path: /b, mode: \"0604\"}\n",
                       2);
        EXPECT_ERROR(4, 56,
                     "mode 0644 gives other users access to the private key in this "
                     "pem-bundle-key-first target",
                     "0600");
        EXPECT_ERROR(5, 55, "mode 0604 gives other users access to the private key", NULL);
        EXPECT_OK("services:\n"
                  "  mx:\n"
                  "    targets:\n"
                  "      - {format: pem-bundle-key-first, path: "
                  "/etc/opt/eri_sn/certs/eri_sn_cert.pem}\n"
                  "      - {format: pem-bundle-key-last, path: /b, group: root, mode: \"0640\"}\n");
        ck_assert_int_eq(C->services[0].targets[0].format, TARGET_PEM_BUNDLE_KEY_FIRST);
        ck_assert_uint_eq(C->services[0].targets[0].mode, 0600);
        ck_assert_int_eq(C->services[0].targets[1].format, TARGET_PEM_BUNDLE_KEY_LAST);
        ck_assert_uint_eq(C->services[0].targets[1].mode, 0640);
}
END_TEST

START_TEST(test_target_paths) {
        /* The same file twice: in two services, in one, written differently. */
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "      - {format: pem-chain, path: /etc/certconf/x.pem}\n"
                       "      - {format: pem-key, path: /etc/certconf//x.pem}\n"
                       "  bsf:\n"
                       "    targets:\n"
                       "      - format: pem-chain\n"
                       "        path: /etc/certconf/./x.pem\n",
                       2);
        EXPECT_ERROR(5, 33,
                     "target /etc/certconf/x.pem is also a target of 'xcap' (line 4, "
                     "column 35)",
                     "its own file");
        EXPECT_ERROR(9, 15, "is also a target of 'xcap' (line 4", NULL);

        /* A directory. */
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "      - {format: pem-chain, path: /etc/certconf/xcap/}\n"
                       "      - {format: pem-key, path: /etc/certconf/xcap/..}\n"
                       "      - {format: pem-cert, path: .}\n",
                       3);
        EXPECT_ERROR(4, 35, "path '/etc/certconf/xcap/' names a directory, not a file",
                     "/etc/certconf/xcap/xcap-chain.pem");
        EXPECT_ERROR(5, 33, "names a directory", "xcap.key");
        EXPECT_ERROR(6, 34, "names a directory", NULL);

        /* In the store: the default one, one set after the services, the
         * store itself. */
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "      - {format: pem-chain, path: /var/lib/certconf/store/xcap-cert.crt}\n",
                       1);
        EXPECT_ERROR(4, 35,
                     "target /var/lib/certconf/store/xcap-cert.crt is inside the store directory "
                     "/var/lib/certconf/store",
                     "never writes into the operator's store");
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "      - {format: pem-chain, path: /srv/up/../store/a/b.pem}\n"
                       "      - {format: pem-key, path: /srv/store}\n"
                       "store_dir: /srv/store/\n",
                       2);
        EXPECT_ERROR(4, 35, "target /srv/store/a/b.pem is inside the store directory /srv/store",
                     NULL);
        EXPECT_ERROR(5, 33, "target /srv/store is inside", NULL);

        /* Over a keystore's password. */
        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    targets: [{format: pkcs12, path: /r.p12, password_file: /pw}]\n"
                       "  xcap:\n"
                       "    targets: [{format: pem-key, path: /pw}]\n",
                       1);
        EXPECT_ERROR(5, 39, "target /pw is the password_file of a 'rem' target", NULL);

        /* The state inside the store. */
        EXPECT_INVALID("store_dir: /srv/cc\nstate_dir: /srv/cc/state\n" SVC, 1);
        EXPECT_ERROR(2, 12, "state_dir /srv/cc/state and store_dir /srv/cc overlap", "apart");

        /* Near misses: beside the store, names that only look alike. */
        EXPECT_OK("store_dir: /srv/store\n"
                  "state_dir: /srv/store-state\n"
                  "services:\n"
                  "  xcap:\n"
                  "    targets:\n"
                  "      - {format: pem-chain, path: /srv/store2/x.pem}\n"
                  "      - {format: pem-key, path: /srv/store2/x.pem.key}\n"
                  "      - {format: pem-cert, path: /srv/store2/.x}\n");
        ck_assert_str_eq(C->services[0].targets[2].path, "/srv/store2/.x");
}
END_TEST

START_TEST(test_duplicates) {
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets: [{format: pem-chain, path: /a}]\n"
                       "  bsf:\n"
                       "    targets: [{format: pem-chain, path: /b}]\n"
                       "  xcap:\n"
                       "    targets: [{format: pem-chain, path: /c}]\n",
                       1);
        EXPECT_ERROR(6, 3, "duplicate key 'xcap' (first at line 2, column 3)", "Remove one");
        EXPECT_INVALID("settle_ms: 1\n" SVC "settle_ms: 2\n", 1);
        EXPECT_ERROR(6, 1, "duplicate key 'settle_ms'", NULL);
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets: [{format: pem-chain, path: /a, path: /b}]\n",
                       1);
        EXPECT_ERROR(3, 45, "duplicate key 'path' (first at line 3, column 35)", NULL);
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    units: [a.service, b.service, a.service]\n"
                       "    targets: [{format: pem-chain, path: /a}]\n",
                       1);
        EXPECT_ERROR(3, 35, "'a.service' is listed twice in 'units'", NULL);

        /* Near miss: the same key in different mappings. */
        EXPECT_OK("services:\n"
                  "  xcap: {targets: [{format: pem-chain, path: /a}]}\n"
                  "  bsf: {targets: [{format: pem-chain, path: /b}]}\n");
        ck_assert_uint_eq(C->n_services, 2);
}
END_TEST

START_TEST(test_services_and_targets) {
        EXPECT_INVALID("services:\n  REM:\n    targets: [{format: pem-chain, path: /a}]\n", 1);
        EXPECT_ERROR(2, 3, "invalid service name 'REM'", "lower case: 'rem'");
        EXPECT_INVALID("services:\n  rem_1:\n    targets: [{format: pem-chain, path: /a}]\n", 1);
        EXPECT_ERROR(2, 3, "invalid service name 'rem_1'", "<name>-cert.crt");
        /* The body of a badly named service is checked too. */
        EXPECT_INVALID("services:\n  Rem:\n    targets: [{format: pem-chain, pat: /a}]\n", 3);
        EXPECT_ERROR(3, 35, "unknown key 'pat'", "did you mean 'path'?");
        EXPECT_ERROR(3, 15, "target without 'path'", "path: /etc/certconf/xcap/xcap-chain.pem");

        EXPECT_INVALID("services:\n  xcap:\n    units: [x.service]\n", 1);
        EXPECT_ERROR(2, 3, "service 'xcap' has no targets", "targets:");
        EXPECT_INVALID("services:\n  xcap:\n    targets: []\n", 1);
        EXPECT_ERROR(3, 14, "no targets in 'targets'", NULL);
        EXPECT_INVALID("services:\n  xcap:\n    targets:\n      - path: /a\n", 1);
        EXPECT_ERROR(4, 9, "target without 'format'",
                     "pem-key, pem-bundle-key-first or pem-bundle-key-last");
        EXPECT_INVALID("services:\n  xcap:\n    targets:\n      -\n      - {format: pem-key, path: "
                       "/k}\n",
                       1);
        EXPECT_ERROR(4, 8, "empty entry in 'targets'", NULL);

        /* Names of up to 64 characters, as the store allows. */
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "services:\n  %.*s:\n    targets: [{format: pem-key, path: /k}]\n", 65,
                 "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789");
        EXPECT_INVALID(yaml, 1);
        EXPECT_ERROR(2, 3, "invalid service name", "1 to 64");
        snprintf(yaml, sizeof yaml,
                 "services:\n  %.*s:\n    targets: [{format: pem-key, path: /k}]\n", 64,
                 "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789");
        EXPECT_OK(yaml);
        ck_assert_uint_eq(strlen(C->services[0].name), 64);
        EXPECT_OK("services:\n  9-lives:\n    targets: [{format: pem-key, path: /k}]\n");
}
END_TEST

START_TEST(test_units) {
        char yaml[1024];

        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    units:\n"
                       "      - tomcat10\n"
                       "      - getty@.service\n"
                       "      - \"my unit.service\"\n"
                       "      - tomcat.Service\n"
                       "      - \"@x.service\"\n"
                       "      - \"\"\n"
                       "    targets: [{format: pem-chain, path: /a}]\n",
                       6);
        EXPECT_ERROR(4, 9, "'tomcat10' is not a unit name: it lacks a unit type",
                     "did you mean 'tomcat10.service'?");
        EXPECT_ERROR(5, 9, "'getty@.service' is a template unit", "foo@main.service");
        EXPECT_ERROR(6, 9, "'my unit.service' is not a valid unit name", "tomcat10.service");
        EXPECT_ERROR(7, 9, "'tomcat.Service' is not a unit name", NULL);
        EXPECT_ERROR(8, 9, "'@x.service' is not a valid unit name", NULL);
        EXPECT_ERROR(9, 9, "empty entry in 'units'", NULL);

        /* At most 255 characters. */
        snprintf(yaml, sizeof yaml,
                 "services:\n  rem:\n    units: %0*d.service\n"
                 "    targets: [{format: pem-chain, path: /a}]\n",
                 248, 0);
        EXPECT_INVALID(yaml, 1);
        EXPECT_ERROR(3, 12, "is too long", "255");
        snprintf(yaml, sizeof yaml,
                 "services:\n  rem:\n    units: %0*d.service\n"
                 "    targets: [{format: pem-chain, path: /a}]\n",
                 247, 0);
        EXPECT_OK(yaml);

        /* Near misses: one name alone, instances, other unit types, escapes. */
        EXPECT_OK("services:\n"
                  "  rem:\n"
                  "    units: tomcat10.service\n"
                  "    targets: [{format: pem-chain, path: /a}]\n"
                  "  xcap:\n"
                  "    units: [xcap@main.service, 'a\\x2db:c_d.socket', web.target, x.path]\n"
                  "    targets: [{format: pem-chain, path: /b}]\n");
        ck_assert_str_eq(C->services[0].units[0], "tomcat10.service");
        ck_assert_ptr_null(C->services[0].units[1]);
        ck_assert_str_eq(C->services[1].units[1], "a\\x2db:c_d.socket");
        ck_assert_str_eq(C->services[1].units[3], "x.path");
}
END_TEST

START_TEST(test_owner_group) {
        EXPECT_INVALID("services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "      - {format: pem-chain, path: /a, owner: \"ro ot\", group: -x}\n"
                       "      - {format: pem-chain, path: /b, owner: 4294967295, group: 65535}\n"
                       "      - {format: pem-chain, path: /c, owner: [root]}\n",
                       5);
        EXPECT_ERROR(4, 46, "owner 'ro ot' is not a valid user name", "root or 0");
        EXPECT_ERROR(4, 62, "group '-x' is not a valid group name", NULL);
        EXPECT_ERROR(5, 46, "owner 4294967295 is not a valid user id", NULL);
        EXPECT_ERROR(5, 65, "group 65535 is not a valid group id", NULL);
        EXPECT_ERROR(6, 46, "'owner' must be a single value, not a list", NULL);

        /* Near misses. */
        EXPECT_OK("services:\n"
                  "  xcap:\n"
                  "    targets:\n"
                  "      - {format: pem-chain, path: /a, owner: _svc.x-1$, group: 4294967294}\n");
        ck_assert_str_eq(C->services[0].targets[0].owner, "_svc.x-1$");
}
END_TEST

START_TEST(test_syntax_and_encoding) {
        EXPECT_INVALID("services:\n\txcap:\n", 1);
        EXPECT_ERROR(2, 1, "YAML syntax error", "YAML does not allow tabs");
        EXPECT_INVALID("store_dir: /x\n"
                       "services:\n"
                       "  xcap:\n"
                       "    targets:\n"
                       "\t- {format: pem-key, path: /k}\n",
                       1);
        EXPECT_ERROR(5, 1, "YAML syntax error", "indent with spaces");
        EXPECT_INVALID("store_dir: \"/st\xf6re\"\n" SVC, 1);
        EXPECT_ERROR(1, 16, "YAML syntax error", "UTF-8");
        EXPECT_INVALID(SVC "---\n" SVC, 1);
        EXPECT_ERROR(5, 1, "more than one YAML document", "whole configuration");
        EXPECT_INVALID("store_dir: &s /x\nstate_dir: *s\n" SVC, 2);
        EXPECT_ERROR(1, 12, "anchors", NULL);
        EXPECT_ERROR(2, 12, "aliases", NULL);
        EXPECT_INVALID("store_dir: \"/a\\tb\"\n" SVC, 1);
        EXPECT_ERROR(1, 12, "control character", NULL);

        /* Near miss: UTF-8 text, spaces. */
        EXPECT_OK("store_dir: \"/st\xc3\xb6re\"\n" SVC);
        ck_assert_str_eq(C->store_dir, "/st\xc3\xb6re");
}
END_TEST

START_TEST(test_empty_and_no_services) {
        static const char *const empty[] = {"", "\n", "# only a comment\n", "---\n", "null\n"};

        for (size_t i = 0; i < ELEMENTSOF(empty); i++) {
                EXPECT_INVALID(empty[i], 1);
                EXPECT_ERROR(1, 1, "no services configured", "services:");
        }
        EXPECT_INVALID("# comment\n\nstore_dir: /x\n", 1);
        EXPECT_ERROR(3, 1, "no services configured", NULL);
        EXPECT_INVALID("store_dir: /x\nservices: {}\n", 1);
        EXPECT_ERROR(2, 11, "no services configured", NULL);
        EXPECT_INVALID("services:\n", 1);
        EXPECT_ERROR(1, 10, "empty value for 'services'", NULL);

        /* Near miss: one service is enough. */
        EXPECT_OK(SVC);
        ck_assert_uint_eq(C->n_services, 1);
}
END_TEST

START_TEST(test_trust) {
        EXPECT_INVALID("trust: [/a.pem, /etc/, /a.pem, \"\"]\n" SVC, 3);
        EXPECT_ERROR(1, 17, "trust '/etc/' names a directory", NULL);
        EXPECT_ERROR(1, 24, "'/a.pem' is listed twice in 'trust'", NULL);
        EXPECT_ERROR(1, 32, "empty entry in 'trust'", NULL);
        EXPECT_OK("trust: []\n" SVC);
        ck_assert_ptr_null(C->trust[0]);
}
END_TEST

/* ---------------------------------------------------------------------------
 * Files, lookups, enums. */

START_TEST(test_load) {
        _cleanup_(freep) char *dir = tu_tmpdir(), *p = NULL, *big = NULL, *sub = NULL,
                              *missing = NULL, *bad = NULL;
        AgentConfig *untouched = (AgentConfig *) &untouched;
        AgentConfig *c = untouched;

        p = tu_write_file(dir, "certconf.yaml", SVC, strlen(SVC));
        bad = tu_write_file(dir, "bad.yaml", "settle_ms: x\n" SVC, strlen("settle_ms: x\n" SVC));
        {
                _cleanup_(freep) char *data = malloc(AGENTCONF_MAX_BYTES + 1);

                ck_assert_ptr_nonnull(data);
                memset(data, '#', AGENTCONF_MAX_BYTES + 1);
                big = tu_write_file(dir, "big.yaml", data, AGENTCONF_MAX_BYTES + 1);
        }
        sub = tu_path(dir, "adir");
        ck_assert_int_eq(mkdir(sub, 0700), 0);
        missing = tu_path(dir, "nosuch.yaml");

        ck_assert_int_eq(agentconf_load(p, NULL, &C, &F), 0);
        ck_assert_uint_eq(F.n, 0);
        ck_assert_str_eq(C->path, p);

        ck_assert_int_eq(agentconf_load(bad, NULL, &c, &F), -EINVAL);
        ck_assert_ptr_eq(c, untouched);
        ck_assert_uint_eq(F.n, 1);
        ck_assert_str_eq(F.items[0].file, bad);
        ck_assert_int_eq(F.items[0].line, 1);
        ck_assert_int_eq(F.items[0].column, 12);
        findings_clear(&F);

        static const struct {
                int err;
                const char *why;
        } want[] = {
                {-ENOENT, "No such file"},
                {-EFBIG, "larger than 256 KiB"},
                {-EISDIR, "directory"},
        };
        const char *paths[] = {missing, big, sub};
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                ck_assert_int_eq(agentconf_load(paths[i], NULL, &c, &F), want[i].err);
                ck_assert_ptr_eq(c, untouched);
                ck_assert_uint_eq(F.n, 1);
                ck_assert_int_eq(F.items[0].code, FINDING_CONFIG_INVALID);
                ck_assert_int_eq(F.items[0].severity, SEVERITY_ERROR);
                ck_assert_str_eq(F.items[0].file, paths[i]);
                ck_assert_ptr_nonnull(strstr(F.items[0].message, paths[i]));
                ck_assert_msg(strstr(F.items[0].message, want[i].why), "%s", F.items[0].message);
                ck_assert_ptr_nonnull(F.items[0].hint);
                findings_clear(&F);
        }

        /* Too large as text, too. */
        {
                _cleanup_(freep) char *data = malloc(AGENTCONF_MAX_BYTES + 1);

                ck_assert_ptr_nonnull(data);
                memset(data, '#', AGENTCONF_MAX_BYTES + 1);
                ck_assert_int_eq(
                        agentconf_parse("x.yaml", data, AGENTCONF_MAX_BYTES + 1, NULL, &c, &F),
                        -EINVAL);
                ck_assert_ptr_eq(c, untouched);
                ck_assert_ptr_nonnull(strstr(F.items[0].message, "larger than"));
        }

        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_resolve_ids) {
        const Target *t;

        EXPECT_OK("services:\n"
                  "  xcap:\n"
                  "    targets:\n"
                  "      - {format: pem-chain, path: /a, owner: root, group: root}\n"
                  "      - {format: pem-key, path: /b, owner: \"0\", group: 0}\n"
                  "      - {format: pem-cert, path: /c, owner: 4711}\n"
                  "      - {format: pem-cert, path: /d}\n");
        ck_assert_int_eq(agentconf_resolve_ids(C, &F), 0);
        ck_assert_uint_eq(F.n, 0);
        t = C->services[0].targets;
        ck_assert_uint_eq(t[0].uid, 0);
        ck_assert_uint_eq(t[0].gid, 0);
        ck_assert_uint_eq(t[1].uid, 0);
        ck_assert_uint_eq(t[1].gid, 0);
        ck_assert_uint_eq(t[2].uid, 4711); /* a number need not exist */
        ck_assert_uint_eq(t[2].gid, (gid_t) -1);
        ck_assert_uint_eq(t[3].uid, (uid_t) -1);
        ck_assert_uint_eq(t[3].gid, (gid_t) -1);

        EXPECT_OK("services:\n"
                  "  xcap:\n"
                  "    targets:\n"
                  "      - {format: pem-chain, path: /a, owner: root}\n"
                  "      - format: pem-key\n"
                  "        path: /b\n"
                  "        owner: certconf-no-such-user\n"
                  "        group: certconf-no-such-group\n");
        ck_assert_int_eq(agentconf_resolve_ids(C, &F), -EINVAL);
        ck_assert_uint_eq(F.n, 2);
        EXPECT_ERROR(5, 9, "unknown user 'certconf-no-such-user' for /b (service 'xcap')",
                     "getent passwd");
        EXPECT_ERROR(5, 9, "unknown group 'certconf-no-such-group'", "getent group");
        t = C->services[0].targets;
        ck_assert_uint_eq(t[0].uid, 0);
        ck_assert_uint_eq(t[1].uid, (uid_t) -1);
        ck_assert_uint_eq(t[1].gid, (gid_t) -1);
}
END_TEST

START_TEST(test_enum_strings) {
        for (int i = 0; i < _TARGET_FORMAT_MAX; i++)
                ck_assert_int_eq(target_format_from_string(target_format_to_string(i)), i);
        for (int i = 0; i < _PKCS12_COMPAT_MAX; i++)
                ck_assert_int_eq(pkcs12_compat_from_string(pkcs12_compat_to_string(i)), i);
        for (int i = 0; i < _UNIT_ACTION_MAX; i++)
                ck_assert_int_eq(unit_action_from_string(unit_action_to_string(i)), i);
        for (int i = 0; i < _SERVICE_KIND_MAX; i++)
                ck_assert_int_eq(service_kind_from_string(service_kind_to_string(i)), i);
        for (int i = 0; i < _KEY_SPEC_MAX; i++)
                ck_assert_int_eq(key_spec_from_string(key_spec_to_string(i)), i);

        ck_assert_str_eq(target_format_to_string(TARGET_PEM_CHAIN), "pem-chain");
        ck_assert_str_eq(unit_action_to_string(UNIT_ACTION_TRY_RELOAD_OR_RESTART),
                         "try-reload-or-restart");
        ck_assert_str_eq(key_spec_to_string(KEY_SPEC_EC_P256), "ec:p256");
        ck_assert_int_eq(target_format_from_string("PKCS12"), _TARGET_FORMAT_INVALID);
        ck_assert_int_eq(unit_action_from_string(NULL), _UNIT_ACTION_INVALID);
        ck_assert_ptr_null(service_kind_to_string(_SERVICE_KIND_MAX));
        ck_assert_ptr_null(pkcs12_compat_to_string(-1));

        ck_assert_str_eq(unit_action_to_method(UNIT_ACTION_TRY_RELOAD_OR_RESTART),
                         "ReloadOrTryRestartUnit");
        ck_assert_str_eq(unit_action_to_method(UNIT_ACTION_RELOAD_OR_RESTART),
                         "ReloadOrRestartUnit");
        ck_assert_str_eq(unit_action_to_method(UNIT_ACTION_RESTART), "RestartUnit");
        ck_assert_str_eq(unit_action_to_method(UNIT_ACTION_TRY_RESTART), "TryRestartUnit");
        ck_assert_str_eq(unit_action_to_method(UNIT_ACTION_RELOAD), "ReloadUnit");
        ck_assert_ptr_null(unit_action_to_method(UNIT_ACTION_NONE));

        ck_assert(target_format_has_key(TARGET_PKCS12));
        ck_assert(target_format_has_key(TARGET_PEM_KEY));
        ck_assert(!target_format_has_key(TARGET_PEM_CHAIN));
        ck_assert(!target_format_has_key(TARGET_PEM_CERT));
}
END_TEST

START_TEST(test_ret_and_null) {
        AgentConfig *untouched = (AgentConfig *) &untouched;
        AgentConfig *c = untouched;

        ck_assert_ptr_null(agentconf_free(NULL));
        ck_assert_ptr_null(agentconf_service(NULL, "rem"));
        ck_assert_int_eq(agentconf_parse("x", "settle_ms: x\n", 13, NULL, &c, &F), -EINVAL);
        ck_assert_ptr_eq(c, untouched);
        ck_assert_int_eq(agentconf_parse("x", "a: [\n", 5, NULL, &c, &F), -EINVAL);
        ck_assert_ptr_eq(c, untouched);
        ck_assert_int_eq(agentconf_parse("x", NULL, 3, NULL, &c, &F), -EINVAL);
        ck_assert_int_eq(agentconf_parse("x", SVC, strlen(SVC), NULL, NULL, &F), -EINVAL);
        ck_assert_int_eq(agentconf_load(NULL, NULL, &c, &F), -EINVAL);
        ck_assert_int_eq(agentconf_resolve_ids(NULL, &F), -EINVAL);
        ck_assert_ptr_eq(c, untouched);

        /* No path: findings carry none; paths from the working directory. */
        findings_clear(&F);
        ck_assert_int_eq(
                agentconf_parse(NULL, "foo: 1\n" SVC, strlen("foo: 1\n" SVC), NULL, &c, &F),
                -EINVAL);
        ck_assert_ptr_null(F.items[0].file);
        ck_assert_int_eq(agentconf_parse(NULL, SVC, strlen(SVC), NULL, &C, &F), 0);
        ck_assert_ptr_null(C->path);
}
END_TEST

static Suite *agentconf_suite(void) {
        Suite *s = suite_create("agentconf");
        TCase *tc = tcase_create("agentconf");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_shipped_file);
        tcase_add_test(tc, test_demo_file);
        tcase_add_test(tc, test_defaults);
        tcase_add_test(tc, test_relative_paths);
        tcase_add_test(tc, test_unknown_keys);
        tcase_add_test(tc, test_wrong_types);
        tcase_add_test(tc, test_numbers);
        tcase_add_test(tc, test_enums);
        tcase_add_test(tc, test_pkcs12_only_keys);
        tcase_add_test(tc, test_modes);
        tcase_add_test(tc, test_target_paths);
        tcase_add_test(tc, test_duplicates);
        tcase_add_test(tc, test_services_and_targets);
        tcase_add_test(tc, test_units);
        tcase_add_test(tc, test_owner_group);
        tcase_add_test(tc, test_syntax_and_encoding);
        tcase_add_test(tc, test_empty_and_no_services);
        tcase_add_test(tc, test_trust);
        tcase_add_test(tc, test_load);
        tcase_add_test(tc, test_resolve_ids);
        tcase_add_test(tc, test_enum_strings);
        tcase_add_test(tc, test_ret_and_null);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(agentconf_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
