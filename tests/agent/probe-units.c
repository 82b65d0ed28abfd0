/* probe-units: drives daemon/units.c and daemon/log.c against a real systemd
 * manager and journald, for the agent's integration tests.
 *
 *   probe-units [--user] [--timeout SEC] [--settle MS] [--repeat N] ACTION UNIT [ACTION UNIT ...]
 *       signals every UNIT at once (ACTION: try-reload-or-restart, reload-or-restart,
 *       restart, try-restart, reload) and prints one line per outcome, in the order
 *       they end: "unit=U ok=0|1 error=ERRNO-NAME job=RESULT before=STATE after=STATE
 *       sub=SUBSTATE acted=0|1 bus_error=NAME message=TEXT". Exit 0 when all are ok.
 *       --repeat N: the whole batch N times on the same connection (reconnects).
 *   probe-units --ids
 *       prints "EVENT MESSAGE_ID" for every log event (to compare with the catalog).
 *   probe-units --log TARGET
 *       sends one entry per event to TARGET (journal, stderr) with every field set.
 *
 * Build: cc -D_GNU_SOURCE -iquote common tests/agent/probe-units.c daemon/units.c
 *        daemon/log.c O/libcertconf.a $(pkg-config --libs openssl libsystemd) */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/log.h"
#include "../../daemon/units.h"

static const char *const actions[_UNIT_ACTION_MAX] = {
        [UNIT_ACTION_TRY_RELOAD_OR_RESTART] = "try-reload-or-restart",
        [UNIT_ACTION_RELOAD_OR_RESTART] = "reload-or-restart",
        [UNIT_ACTION_RESTART] = "restart",
        [UNIT_ACTION_TRY_RESTART] = "try-restart",
        [UNIT_ACTION_RELOAD] = "reload",
};

static int failed;

static void done(const UnitOutcome *o, void *userdata) {
        printf("unit=%s ok=%d error=%s job=%s before=%s after=%s sub=%s acted=%d bus_error=%s "
               "message=\"%s\"\n",
               o->unit, o->ok, o->error ? strerrorname_np(-o->error) : "0", strna(o->job_result),
               strna(o->active_state_before), strna(o->active_state), strna(o->sub_state), o->acted,
               strna(o->error_name), o->error_message ? o->error_message : "");
        fflush(stdout);
        if (!o->ok)
                failed = 1;
}

static int log_all(const char *target) {
        LogTarget t = log_target_from_string(target);

        if (t < 0)
                return 2;
        log_setup(t);
        for (int ev = 0; ev < _LOG_EVENT_MAX; ev++)
                log_event(ev, -1,
                          &(LogFields){
                                  .service = "rem",
                                  .code = "KEY_MISMATCH",
                                  .file = "rem-cert.crt\nforged line",
                                  .subject = "CN=rem.example.com,O=Soci\xc3\xa9t\xc3\xa9 \x1b[31m",
                                  .not_after = "2027-01-31T12:00:00Z",
                                  .sha256 = "AB:CD:EF",
                                  .unit = "probe-simple.service",
                                  .error = ev == LOG_EVENT_ERROR ? -EACCES : 0,
                          },
                          "probe %s: %m", log_event_to_string(ev));
        log_info("probe plain info line");
        return log_error_errno(-ENOENT, "probe error: %m") == -ENOENT ? 0 : 1;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                {"user", no_argument, NULL, 'u'},
                {"timeout", required_argument, NULL, 't'},
                {"settle", required_argument, NULL, 's'},
                {"ids", no_argument, NULL, 'i'},
                {"log", required_argument, NULL, 'l'},
                {"repeat", required_argument, NULL, 'r'},
                {},
        };
        _cleanup_(units_freep) Units *u = NULL;
        sd_event *e = NULL;
        bool user = false;
        double timeout = 10;
        long settle_ms = -1, repeat = 1;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'u':
                        user = true;
                        break;
                case 't':
                        timeout = strtod(optarg, NULL);
                        break;
                case 's':
                        settle_ms = strtol(optarg, NULL, 10);
                        break;
                case 'i':
                        for (int ev = 0; ev < _LOG_EVENT_MAX; ev++)
                                printf("%s %s\n", log_event_to_string(ev),
                                       log_event_message_id(ev));
                        return 0;
                case 'l':
                        return log_all(optarg);
                case 'r':
                        repeat = strtol(optarg, NULL, 10);
                        break;
                default:
                        return 2;
                }
        if (optind >= argc || (argc - optind) % 2 != 0) {
                fprintf(stderr, "usage: probe-units [--user] [--timeout SEC] ACTION UNIT ...\n");
                return 2;
        }

        r = sd_event_default(&e);
        if (r < 0)
                return 1;
        r = units_new(e, user, &u);
        if (r < 0) {
                fprintf(stderr, "units_new: %s\n", strerror(-r));
                return 1;
        }
        if (settle_ms >= 0)
                units_set_settle(u, (uint64_t) settle_ms * 1000);
        for (long n = 0; n < repeat; n++) {
                if (n > 0)
                        printf("-- again\n");
                for (int i = optind; i < argc; i += 2) {
                        int a = -1;

                        for (int k = 0; k < _UNIT_ACTION_MAX; k++)
                                if (actions[k] && streq(actions[k], argv[i]))
                                        a = k;
                        if (a < 0) {
                                fprintf(stderr, "unknown action %s\n", argv[i]);
                                return 2;
                        }
                        r = units_signal(u, argv[i + 1], (UnitAction) a, (uint64_t) (timeout * 1e6),
                                         done, NULL);
                        if (r < 0) {
                                printf("unit=%s ok=0 error=%s (units_signal)\n", argv[i + 1],
                                       strerrorname_np(-r));
                                failed = 1;
                        }
                }
                while (units_pending(u) > 0) {
                        r = sd_event_run(e, UINT64_MAX);
                        if (r < 0) {
                                fprintf(stderr, "sd_event_run: %s\n", strerror(-r));
                                return 1;
                        }
                }
        }
        u = units_free(u);
        sd_event_unref(e);
        return failed;
}
