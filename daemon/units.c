/* units: systemd jobs over sd-bus, asynchronously (see units.h).
 *
 * A request goes through these steps, each one asynchronous call or wait:
 *   BEFORE   Manager.ListUnitsByNames([unit]): LoadState, ActiveState (loads the unit)
 *   CALL     Manager.<method>(unit, "replace") -> the job's object path
 *   JOB      the JobRemoved signal of that job (remembered when it comes first)
 *   AFTER    ListUnitsByNames again; while "activating"/"deactivating", and until
 *            the settle time has passed since the job ended, look again every
 *            POLL_USEC; then call back.
 * One deadline timer covers all of it. ListUnitsByNames is used rather than
 * the unit object's properties because it takes a unit name (no object path
 * to build), loads a unit that is not loaded, and answers with the three
 * states in one reply. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

#define SYSTEMD_DEST    "org.freedesktop.systemd1"
#define SYSTEMD_PATH    "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

#define POLL_USEC      (100 * 1000ULL)
#define TIMER_ACCURACY (1000ULL)
#define UNIT_NAME_MAX  255
#define REMOVED_JOBS   16

typedef enum OpStep {
        STEP_BEFORE,
        STEP_CALL,
        STEP_JOB,
        STEP_AFTER, /* a query under way */
        STEP_WAIT,  /* waiting for the poll timer */
} OpStep;

typedef struct Op Op;

struct Op {
        Units *units;
        Op *prev, *next;

        char *unit;
        UnitAction action;
        units_done_t cb;
        void *userdata;

        OpStep step;
        sd_bus_slot *slot;
        sd_event_source *deadline;
        sd_event_source *poll;
        uint64_t job_done_usec;

        char *job_path;
        char *job_result;
        char *load_state;
        char *state_before;
        char *active_state;
        char *sub_state;
        bool was_active;

        int error;
        char *error_name;
        char *error_message;
};

typedef struct RemovedJob {
        char *path;
        char *result;
} RemovedJob;

struct Units {
        sd_event *event;
        sd_bus *bus;
        bool user;
        sd_bus_slot *match_job_removed;
        sd_bus_slot *match_disconnected;
        uint64_t settle_usec;

        Op *ops;
        unsigned n_ops;

        /* JobRemoved signals that came while a method reply was awaited. */
        RemovedJob removed[REMOVED_JOBS];
        unsigned removed_next;
};

static const struct {
        const char *method;
        bool is_try;
} action_table[_UNIT_ACTION_MAX] = {
        [UNIT_ACTION_TRY_RELOAD_OR_RESTART] = {"ReloadOrTryRestartUnit", true},
        [UNIT_ACTION_RELOAD_OR_RESTART] = {"ReloadOrRestartUnit", false},
        [UNIT_ACTION_RESTART] = {"RestartUnit", false},
        [UNIT_ACTION_TRY_RESTART] = {"TryRestartUnit", true},
        [UNIT_ACTION_RELOAD] = {"ReloadUnit", false},
        [UNIT_ACTION_NONE] = {NULL, false},
};

const char *units_action_method(UnitAction a) {
        if (a < 0 || a >= _UNIT_ACTION_MAX)
                return NULL;
        return action_table[a].method;
}

bool units_action_is_try(UnitAction a) {
        if (a < 0 || a >= _UNIT_ACTION_MAX)
                return false;
        return action_table[a].is_try;
}

static bool unit_name_valid(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > UNIT_NAME_MAX || s[0] == '.' || !strchr(s, '.'))
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                      (*c >= '0' && *c <= '9') || strchr(":-_.\\@", *c)))
                        return false;
        return true;
}

static void *mfree(void *p) {
        free(p);
        return NULL;
}

static bool state_is(const char *s, const char *a) {
        return s && streq(s, a);
}

/* ActiveState values in which a try-* action acts (systemd's
 * job_type_collapse(): inactive, failed and deactivating make it a no-op). */
static bool state_was_active(const char *s) {
        return state_is(s, "active") || state_is(s, "reloading") || state_is(s, "activating");
}

static int set_str(char **p, const char *s) {
        char *t = NULL;

        if (s) {
                t = strdup(s);
                if (!t)
                        return -ENOMEM;
        }
        free(*p);
        *p = t;
        return 0;
}

static void removed_clear(Units *u) {
        for (unsigned i = 0; i < REMOVED_JOBS; i++) {
                free(u->removed[i].path);
                free(u->removed[i].result);
                u->removed[i] = (RemovedJob){};
        }
}

static Op *op_free(Op *op) {
        if (!op)
                return NULL;
        sd_bus_slot_unref(op->slot);
        sd_event_source_disable_unref(op->deadline);
        sd_event_source_disable_unref(op->poll);
        free(op->unit);
        free(op->job_path);
        free(op->job_result);
        free(op->load_state);
        free(op->state_before);
        free(op->active_state);
        free(op->sub_state);
        free(op->error_name);
        free(op->error_message);
        free(op);
        return NULL;
}
DEFINE_PTR_CLEANUP(Op, op_free)

static void op_unlink(Op *op) {
        Units *u = op->units;

        if (!u)
                return;
        if (op->prev)
                op->prev->next = op->next;
        else
                u->ops = op->next;
        if (op->next)
                op->next->prev = op->prev;
        op->prev = op->next = NULL;
        op->units = NULL;
        u->n_ops--;
}

static bool op_acts(const Op *op) {
        return !(action_table[op->action].is_try && !op->was_active);
}

/* Ends the request: exactly one callback. The callback may free the Units or
 * start other requests: op is out of the list before it runs. */
static void op_complete(Op *op, int error) {
        bool done, acts;
        UnitOutcome o;

        if (error < 0 && op->error == 0)
                op->error = error;
        op_unlink(op);
        op->slot = sd_bus_slot_unref(op->slot);
        op->deadline = sd_event_source_disable_unref(op->deadline);
        op->poll = sd_event_source_disable_unref(op->poll);

        done = op->error == 0 && state_is(op->job_result, "done");
        acts = op_acts(op);
        o = (UnitOutcome){
                .unit = op->unit,
                .method = action_table[op->action].method,
                .error = op->error,
                .error_name = op->error_name,
                .error_message = op->error_message,
                .job_result = op->job_result,
                .active_state_before = op->state_before,
                .active_state = op->active_state,
                .sub_state = op->sub_state,
                .was_active = op->was_active,
                .acted = done && acts,
                .ok = done && (!acts || state_is(op->active_state, "active") ||
                               state_is(op->active_state, "reloading")),
        };
        if (op->cb)
                op->cb(&o, op->userdata);
        op_free(op);
}

/* A method error: its errno, name and text. */
static void op_complete_bus_error(Op *op, const sd_bus_error *e) {
        int error = sd_bus_error_get_errno(e);

        (void) set_str(&op->error_name, e ? e->name : NULL);
        (void) set_str(&op->error_message, e ? e->message : NULL);
        /* sd-bus fails the calls under way with NoReply when the connection
         * drops; say what happened rather than "timed out". */
        if (op->units && sd_bus_is_open(op->units->bus) <= 0)
                error = ECONNRESET;
        op_complete(op, error > 0 ? -error : -EIO);
}

static uint64_t op_remaining(Op *op) {
        uint64_t now = 0, until = 0;

        if (sd_event_now(op->units->event, CLOCK_MONOTONIC, &now) < 0 ||
            sd_event_source_get_time(op->deadline, &until) < 0 || until <= now)
                return 1;
        return until - now;
}

static int op_call(Op *op, sd_bus_message_handler_t handler, const char *method, const char *types,
                   ...) {
        Units *u = op->units;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(u->bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           method);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
                return r;
        /* The deadline timer decides; the call's own timeout only backs it up. */
        op->slot = sd_bus_slot_unref(op->slot);
        return sd_bus_call_async(u->bus, &op->slot, m, handler, op, op_remaining(op) + 1000000);
}

/* Reads the one entry of a ListUnitsByNames reply: (name, description,
 * load, active, sub, following, path, job id, job type, job path). */
static int read_unit_states(sd_bus_message *m, Op *op) {
        const char *name, *desc, *load, *active, *sub, *following, *path, *jtype, *jpath;
        uint32_t jid;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(ssssssouso)");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "(ssssssouso)", &name, &desc, &load, &active, &sub, &following,
                                &path, &jid, &jtype, &jpath);
        if (r < 0)
                return r;
        if (r == 0)
                return -EBADMSG;
        r = set_str(&op->load_state, load);
        if (r >= 0)
                r = set_str(&op->active_state, active);
        if (r >= 0)
                r = set_str(&op->sub_state, sub);
        return r;
}

static int on_after_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

static int op_query_after(Op *op) {
        int r;

        op->step = STEP_AFTER;
        r = op_call(op, on_after_reply, "ListUnitsByNames", "as", 1, op->unit);
        if (r < 0)
                op_complete(op, r);
        return 0;
}

static int on_poll(sd_event_source *s, uint64_t usec, void *userdata) {
        return op_query_after(userdata);
}

static int op_wait(Op *op, uint64_t usec) {
        int r;

        op->step = STEP_WAIT;
        if (!op->poll) {
                r = sd_event_add_time_relative(op->units->event, &op->poll, CLOCK_MONOTONIC, usec,
                                               TIMER_ACCURACY, on_poll, op);
                if (r < 0)
                        return r;
                return 0;
        }
        r = sd_event_source_set_time_relative(op->poll, usec);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(op->poll, SD_EVENT_ONESHOT);
}

static int on_after_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Op *op = userdata;
        uint64_t now = 0, settled;
        int r;

        op->slot = sd_bus_slot_unref(op->slot);
        if (sd_bus_message_is_method_error(m, NULL)) {
                op_complete_bus_error(op, sd_bus_message_get_error(m));
                return 0;
        }
        r = read_unit_states(m, op);
        if (r < 0) {
                op_complete(op, r);
                return 0;
        }

        if (!state_is(op->job_result, "done") || !op_acts(op)) {
                op_complete(op, 0);
                return 0;
        }
        /* Restart= brought it back after its process died: a failure even if
         * it will look active again soon. */
        if (state_is(op->sub_state, "auto-restart")) {
                op_complete(op, 0);
                return 0;
        }
        if (state_is(op->active_state, "activating") ||
            state_is(op->active_state, "deactivating")) {
                r = op_wait(op, POLL_USEC);
                if (r < 0)
                        op_complete(op, r);
                return 0;
        }
        if (!state_is(op->active_state, "active") && !state_is(op->active_state, "reloading")) {
                op_complete(op, 0);
                return 0;
        }
        /* Active: look again until the settle time has passed. */
        (void) sd_event_now(op->units->event, CLOCK_MONOTONIC, &now);
        settled = op->job_done_usec + op->units->settle_usec;
        if (now >= settled) {
                op_complete(op, 0);
                return 0;
        }
        r = op_wait(op, settled - now < POLL_USEC ? settled - now : POLL_USEC);
        if (r < 0)
                op_complete(op, r);
        return 0;
}

static void op_job_removed(Op *op, const char *result) {
        int r;

        r = set_str(&op->job_result, result);
        if (r < 0) {
                op_complete(op, r);
                return;
        }
        (void) sd_event_now(op->units->event, CLOCK_MONOTONIC, &op->job_done_usec);
        (void) op_query_after(op);
}

static int on_method_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Op *op = userdata;
        Units *u = op->units;
        const char *path;
        int r;

        op->slot = sd_bus_slot_unref(op->slot);
        if (sd_bus_message_is_method_error(m, NULL)) {
                op_complete_bus_error(op, sd_bus_message_get_error(m));
                return 0;
        }
        r = sd_bus_message_read(m, "o", &path);
        if (r >= 0)
                r = set_str(&op->job_path, path);
        if (r < 0) {
                op_complete(op, r);
                return 0;
        }
        op->step = STEP_JOB;

        /* The job may have ended before its reply was read. */
        for (unsigned i = 0; i < REMOVED_JOBS; i++)
                if (u->removed[i].path && streq(u->removed[i].path, path)) {
                        op_job_removed(op, u->removed[i].result);
                        return 0;
                }
        return 0;
}

static int on_before_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Op *op = userdata;
        int r;

        op->slot = sd_bus_slot_unref(op->slot);
        if (sd_bus_message_is_method_error(m, NULL)) {
                op_complete_bus_error(op, sd_bus_message_get_error(m));
                return 0;
        }
        r = read_unit_states(m, op);
        if (r < 0) {
                op_complete(op, r);
                return 0;
        }
        /* active_state and sub_state are for the states after the job only. */
        free(op->state_before);
        op->state_before = TAKE_PTR(op->active_state);
        op->sub_state = mfree(op->sub_state);
        op->was_active = state_was_active(op->state_before);

        /* systemd 252 refuses every method for such a unit with NoSuchUnit;
         * a try-* action must not pass as a no-op "done" on one that would not. */
        if (state_is(op->load_state, "not-found")) {
                /* The same words as systemd's own refusal. */
                (void) set_str(&op->error_name, "org.freedesktop.systemd1.NoSuchUnit");
                free(op->error_message);
                if (asprintf(&op->error_message, "Unit %s not found.", op->unit) < 0)
                        op->error_message = NULL;
                op_complete(op, -ENOENT);
                return 0;
        }

        op->step = STEP_CALL;
        r = op_call(op, on_method_reply, action_table[op->action].method, "ss", op->unit,
                    "replace");
        if (r < 0)
                op_complete(op, r);
        return 0;
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Op *op = userdata;

        /* Still active at the last look and only the settle time left: the
         * job was done, the timeout is no reason to call it a failure. */
        if (op->step >= STEP_AFTER && state_is(op->job_result, "done") &&
            (state_is(op->active_state, "active") || state_is(op->active_state, "reloading"))) {
                op_complete(op, 0);
                return 0;
        }
        op_complete(op, -ETIMEDOUT);
        return 0;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Units *u = userdata;
        const char *path, *unit, *result;
        bool calling = false;
        RemovedJob *slot;
        uint32_t id;
        char *p, *q;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        for (Op *op = u->ops; op; op = op->next) {
                if (op->step == STEP_JOB && op->job_path && streq(op->job_path, path)) {
                        op_job_removed(op, result);
                        return 0;
                }
                if (op->step == STEP_CALL)
                        calling = true;
        }
        if (!calling)
                return 0;

        p = strdup(path);
        q = strdup(result);
        if (!p || !q) {
                free(p);
                free(q);
                return 0;
        }
        slot = &u->removed[u->removed_next];
        u->removed_next = (u->removed_next + 1) % REMOVED_JOBS;
        free(slot->path);
        free(slot->result);
        *slot = (RemovedJob){.path = p, .result = q};
        return 0;
}

/* The connection is gone: every request under way fails now rather than at
 * its deadline; the next units_signal() connects again. */
static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Units *u = userdata;
        Op *list = u->ops;

        /* A callback may free u: take the requests out of it first. */
        u->ops = NULL;
        u->n_ops = 0;
        for (Op *op = list; op; op = op->next)
                op->units = NULL;
        while (list) {
                Op *op = list;

                list = op->next;
                op->prev = op->next = NULL;
                op_complete(op, -ECONNRESET);
        }
        return 0;
}

static void units_disconnect(Units *u) {
        u->match_job_removed = sd_bus_slot_unref(u->match_job_removed);
        u->match_disconnected = sd_bus_slot_unref(u->match_disconnected);
        u->bus = sd_bus_close_unref(u->bus);
        removed_clear(u);
}

static int units_connect(Units *u) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        int r;

        units_disconnect(u);

        r = u->user ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_attach_event(bus, u->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        /* Matched locally: no call to the bus. */
        r = sd_bus_match_signal(bus, &u->match_disconnected, "org.freedesktop.DBus.Local",
                                "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                "Disconnected", on_disconnected, u);
        if (r < 0)
                return r;
        /* AddMatch and Subscribe are queued before any request of ours, and
         * the bus keeps their order: no JobRemoved of ours is missed. */
        r = sd_bus_match_signal_async(bus, &u->match_job_removed, SYSTEMD_DEST, SYSTEMD_PATH,
                                      SYSTEMD_MANAGER, "JobRemoved", on_job_removed, NULL, u);
        if (r < 0)
                goto fail;
        r = sd_bus_call_method_async(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                     "Subscribe", NULL, NULL, NULL);
        if (r < 0)
                goto fail;
        u->bus = TAKE_PTR(bus);
        return 0;
fail:
        u->match_job_removed = sd_bus_slot_unref(u->match_job_removed);
        u->match_disconnected = sd_bus_slot_unref(u->match_disconnected);
        return r;
}

int units_new(sd_event *e, bool user, Units **ret) {
        _cleanup_(units_freep) Units *u = NULL;
        int r;

        if (!e || !ret)
                return -EINVAL;
        u = calloc(1, sizeof(*u));
        if (!u)
                return -ENOMEM;
        u->event = sd_event_ref(e);
        u->user = user;
        u->settle_usec = UNITS_DEFAULT_SETTLE_USEC;

        r = units_connect(u);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(u);
        return 0;
}

Units *units_free(Units *u) {
        if (!u)
                return NULL;
        while (u->ops) {
                Op *op = u->ops;

                op_unlink(op);
                op_free(op);
        }
        units_disconnect(u);
        sd_event_unref(u->event);
        free(u);
        return NULL;
}

void units_set_settle(Units *u, uint64_t usec) {
        if (u)
                u->settle_usec = usec;
}

unsigned units_pending(const Units *u) {
        return u ? u->n_ops : 0;
}

int units_signal(Units *u, const char *unit, UnitAction action, uint64_t timeout_usec,
                 units_done_t cb, void *userdata) {
        _cleanup_(op_freep) Op *op = NULL;
        int r;

        if (!u || !unit_name_valid(unit) || action < 0 || action >= _UNIT_ACTION_MAX ||
            !action_table[action].method)
                return -EINVAL;

        if (!u->bus || sd_bus_is_open(u->bus) <= 0) {
                r = units_connect(u);
                if (r < 0)
                        return r;
        }

        op = calloc(1, sizeof(*op));
        if (!op)
                return -ENOMEM;
        op->unit = strdup(unit);
        if (!op->unit)
                return -ENOMEM;
        op->action = action;
        op->cb = cb;
        op->userdata = userdata;
        op->units = u;

        r = sd_event_add_time_relative(u->event, &op->deadline, CLOCK_MONOTONIC,
                                       timeout_usec > 0 ? timeout_usec : 1, TIMER_ACCURACY,
                                       on_deadline, op);
        if (r < 0)
                return r;
        op->step = STEP_BEFORE;
        r = op_call(op, on_before_reply, "ListUnitsByNames", "as", 1, op->unit);
        if (r < 0)
                return r;

        op->next = u->ops;
        if (u->ops)
                u->ops->prev = op;
        u->ops = TAKE_PTR(op);
        u->n_ops++;
        return 0;
}
