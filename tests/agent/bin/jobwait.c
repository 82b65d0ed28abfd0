/* jobwait: restarts a unit the way the agent does, for the harness's cases.
 * On the user bus (sd_bus_open_user): Subscribe(), a Manager method taking
 * (UNIT, MODE) (RestartUnit, ReloadOrTryRestartUnit, ...), then the
 * JobRemoved signal of the job it returned. Prints "job ID UNIT RESULT MS ms"
 * and exits 0 only when the result is "done" (1: another result, 2: error).
 *
 *   jobwait METHOD UNIT [MODE=replace] [TIMEOUT_S=120]
 *
 * Without Subscribe() the manager sends no JobRemoved at all. The match is
 * added before the call: signals that arrive while sd_bus_call() waits for
 * the reply are queued and dispatched afterwards, so none is missed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

#define SD_DEST  "org.freedesktop.systemd1"
#define SD_PATH  "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"

typedef struct JobWait {
        char *job;    /* object path of our job, once the call returned */
        char *result; /* its result, once JobRemoved came */
        uint32_t id;
} JobWait;

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static int jobwait_on_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        JobWait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->job && !w->result && strcmp(path, w->job) == 0) {
                w->result = strdup(result);
                w->id = id;
        }
        return 0;
}

int main(int argc, char **argv) {
        __attribute__((cleanup(sd_bus_flush_close_unrefp))) sd_bus *bus = NULL;
        __attribute__((cleanup(sd_bus_slot_unrefp))) sd_bus_slot *slot = NULL;
        __attribute__((cleanup(sd_bus_message_unrefp))) sd_bus_message *reply = NULL;
        __attribute__((cleanup(sd_bus_error_free))) sd_bus_error error = SD_BUS_ERROR_NULL;
        JobWait w = {};
        const char *method, *unit, *mode, *job;
        uint64_t start, deadline;
        int r, rc;

        if (argc < 3 || argc > 5) {
                fprintf(stderr, "usage: jobwait METHOD UNIT [MODE] [TIMEOUT_S]\n");
                return 2;
        }
        method = argv[1];
        unit = argv[2];
        mode = argc > 3 ? argv[3] : "replace";
        start = now_usec();
        deadline = start + (uint64_t) (argc > 4 ? strtoul(argv[4], NULL, 10) : 120) * 1000000u;

        r = sd_bus_open_user(&bus);
        if (r < 0) {
                fprintf(stderr, "jobwait: user bus: %s\n", strerror(-r));
                return 2;
        }
        r = sd_bus_match_signal(bus, &slot, SD_DEST, SD_PATH, SD_IFACE, "JobRemoved",
                                jobwait_on_removed, &w);
        if (r < 0) {
                fprintf(stderr, "jobwait: match JobRemoved: %s\n", strerror(-r));
                return 2;
        }
        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "Subscribe", &error, NULL, NULL);
        if (r < 0) {
                fprintf(stderr, "jobwait: Subscribe: %s\n", error.message ?: strerror(-r));
                return 2;
        }
        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, method, &error, &reply, "ss", unit,
                               mode);
        if (r < 0) {
                fprintf(stderr, "jobwait: %s %s: %s\n", method, unit,
                        error.message ?: strerror(-r));
                return 2;
        }
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0) {
                fprintf(stderr, "jobwait: %s reply: %s\n", method, strerror(-r));
                return 2;
        }
        w.job = strdup(job);
        if (!w.job)
                return 2;

        while (!w.result) {
                uint64_t now;

                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        fprintf(stderr, "jobwait: bus: %s\n", strerror(-r));
                        return 2;
                }
                if (r > 0)
                        continue;
                now = now_usec();
                if (now >= deadline) {
                        fprintf(stderr, "jobwait: no JobRemoved for %s (%s) in time\n", w.job,
                                unit);
                        return 2;
                }
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0 && r != -EINTR) {
                        fprintf(stderr, "jobwait: wait: %s\n", strerror(-r));
                        return 2;
                }
        }
        printf("job %" PRIu32 " %s %s %" PRIu64 " ms\n", w.id, unit, w.result,
               (now_usec() - start) / 1000u);
        rc = strcmp(w.result, "done") == 0 ? 0 : 1;
        free(w.job);
        free(w.result);
        return rc;
}
