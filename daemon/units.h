#pragma once
/* units: ask systemd (the system manager, or the user manager) to reload or
 * restart a unit over sd-bus, asynchronously inside an sd-event loop, and
 * report once per request whether the unit came back active. No blocking
 * bus call is made; every request ends in exactly one callback (or in
 * units_free(), which drops it). Never logs: the outcome says what happened. */

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "agentconf.h"
#include "macro.h"

/* After the job is done, the unit must still be active this long later: a
 * Type=simple service whose process dies at once reports its start job as
 * "done" and fails a moment after (this costs every successful request this
 * much time). */
#define UNITS_DEFAULT_SETTLE_USEC (1000 * 1000ULL)

typedef struct Units Units;

/* Opens a private connection to the system bus (user: the user bus of
 * $XDG_RUNTIME_DIR/bus or $DBUS_SESSION_BUS_ADDRESS), attaches it to e,
 * adds the JobRemoved match and sends Manager.Subscribe (asynchronously; a
 * failing Subscribe does not matter: systemd sends JobRemoved to the client
 * that queued the job anyway). A connection that drops is opened again by
 * the next units_signal(). Returns 0 or negative errno (no bus: -ENOENT,
 * -ECONNREFUSED, ...). */
int units_new(sd_event *e, bool user, Units **ret);

/* Drops every pending request without calling its callback, closes the bus. */
Units *units_free(Units *u);
DEFINE_PTR_CLEANUP(Units, units_free)

/* How long a unit must stay active after its job (default
 * UNITS_DEFAULT_SETTLE_USEC; 0: no second look). */
void units_set_settle(Units *u, uint64_t usec);

/* What became of one request. The strings live until the callback returns. */
typedef struct UnitOutcome {
        const char *unit;
        const char *method;        /* "ReloadOrTryRestartUnit", ... */
        int error;                 /* 0, or negative errno: -ETIMEDOUT (the whole
                                    * request took longer than its timeout), -ENOENT
                                    * (no such unit), -ECONNRESET (bus lost), or what the
                                    * bus error maps to (sd_bus_error_get_errno()) */
        const char *error_name;    /* the D-Bus error, e.g. "org.freedesktop.systemd1.NoSuchUnit",
                                    * or NULL */
        const char *error_message; /* its text, e.g. "Job type reload is not applicable for
                                    * unit x.service.", or NULL */
        const char *job_result;    /* "done", "failed", "timeout", "canceled", "dependency",
                                    * "skipped", ...; NULL when no job ended (error) */
        const char *active_state_before; /* ActiveState before the call, NULL if unknown */
        const char *active_state;        /* ActiveState after the job; NULL when no job ended
                                          * (an error, or the timeout fired first) */
        const char *sub_state;           /* SubState at the end ("running", "dead", ...), or NULL */
        bool was_active;                 /* active, reloading or activating before the call */
        bool acted;                      /* the unit was reloaded/restarted (false: a try-* action
                                          * left a stopped unit stopped, or an error) */
        bool ok;                         /* success: see units_signal() */
} UnitOutcome;

typedef void (*units_done_t)(const UnitOutcome *o, void *userdata);

/* Asks the manager to act on unit: reads its LoadState and ActiveState
 * (a unit without a unit file, LoadState "not-found", ends here with -ENOENT
 * and the NoSuchUnit error systemd would give),
 * calls the Manager method of action with mode "replace", waits for the
 * job's JobRemoved (one that arrives before the method's reply is
 * remembered), then reads the ActiveState every 100 ms while it is
 * "activating" or "deactivating" and, once active, until the settle time has
 * passed since the job ended; then calls cb once.
 *
 * ok: the job's result is "done" and the unit is "active" or "reloading" at
 * the end, without having gone through SubState "auto-restart" (its process
 * died and Restart= brought it back). For a try-* action on a unit that was
 * not active before (inactive, failed, deactivating), systemd turns the job
 * into a no-op: "done" with the unit left stopped is ok, and acted is false.
 * A unit that dies later than the settle time, or is restarted by Restart=
 * between two looks, is not seen.
 *
 * timeout_usec (CLOCK_MONOTONIC, relative) bounds the whole request: when it
 * fires first, error is -ETIMEDOUT, unless the job was done and the unit was
 * active at the last look (only the settle time was left: ok). The job is
 * left to systemd (its own TimeoutStartSec=); a later request with mode
 * "replace", such as the caller's rollback, supersedes it.
 *
 * Returns 0 when the request is under way (cb will be called, never from
 * inside this function), -EINVAL for an invalid unit name or
 * UNIT_ACTION_NONE, other negative errno when the bus cannot be reached. */
int units_signal(Units *u, const char *unit, UnitAction action, uint64_t timeout_usec,
                 units_done_t cb, void *userdata);

/* Requests under way. */
unsigned units_pending(const Units *u);

/* The Manager method of an action (NULL for UNIT_ACTION_NONE); also whether
 * the action is a try-* one, which leaves a stopped unit stopped. */
const char *units_action_method(UnitAction a);
bool units_action_is_try(UnitAction a);
