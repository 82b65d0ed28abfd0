#pragma once
/* log: the agent's journal. Every event is one entry with a fixed MESSAGE_ID
 * (explained by systemd/certconf.catalog), a priority and the CERTCONF_* and
 * UNIT= fields; without a journal the same line goes to stderr. Text taken
 * from certificates or uploads is made printable here; key material is never
 * passed in. Never fails the caller: a journal that refuses falls back to stderr. */

#include <stdbool.h>
#include <syslog.h>

#include "findings.h"
#include "macro.h"

/* The events of the agent. Never renumber in a way that changes an event's
 * MESSAGE_ID: the ids are a contract with the catalog and with operators'
 * journal queries. */
typedef enum LogEvent {
        LOG_EVENT_STARTED,             /* the agent runs: configuration and store read */
        LOG_EVENT_UPLOAD_SEEN,         /* a change in the store; settle timer started */
        LOG_EVENT_UPLOAD_ACCEPTED,     /* an upload passed the check; will be installed */
        LOG_EVENT_UPLOAD_REJECTED,     /* an upload failed the check; nothing installed */
        LOG_EVENT_FINDING,             /* one finding of a checked upload (CERTCONF_CODE) */
        LOG_EVENT_FILE_REFUSED,        /* a store file not read: symlink, device, too large */
        LOG_EVENT_INSTALLED,           /* a service's targets were written */
        LOG_EVENT_INSTALL_FAILED,      /* writing a target failed; previous files kept */
        LOG_EVENT_SELF_SIGNED,         /* a self-signed certificate was generated */
        LOG_EVENT_SELF_SIGNED_RENEWED, /* a self-signed certificate near expiry was replaced */
        LOG_EVENT_UNIT_SIGNALLED,      /* a unit was reloaded/restarted (or left stopped) */
        LOG_EVENT_UNIT_FAILED,         /* a unit's job failed or it is not active afterwards */
        LOG_EVENT_ROLLED_BACK,         /* the previous certificates were restored */
        LOG_EVENT_EXPIRY_WARNING,      /* an installed certificate expires soon */
        LOG_EVENT_CONFIG_INVALID,      /* the agent's configuration cannot be used */
        LOG_EVENT_CONFIG_RELOADED,     /* the configuration was read again (SIGHUP) */
        LOG_EVENT_RECOVERED,           /* an interrupted install was rolled back at startup */
        LOG_EVENT_STOPPING,            /* the agent stops */
        LOG_EVENT_ERROR,               /* any other system error (log_error_errno()) */
        _LOG_EVENT_MAX,
        _LOG_EVENT_INVALID = -EINVAL,
} LogEvent;

/* The fields of an entry. Every member may be NULL (or 0): the field is then
 * left out. Strings are sent made printable (findings_printable()) and cut
 * at LOG_FIELD_MAX bytes. */
typedef struct LogFields {
        const char *service;   /* CERTCONF_SERVICE= the store prefix, e.g. "rem" */
        const char *code;      /* CERTCONF_CODE= a finding code, e.g. "KEY_MISMATCH" */
        const char *file;      /* CERTCONF_FILE= a store file or an install target */
        const char *subject;   /* CERTCONF_SUBJECT= RFC 2253 subject of the certificate */
        const char *not_after; /* CERTCONF_NOT_AFTER= RFC 3339, e.g. 2027-01-31T12:00:00Z */
        const char *sha256;    /* CERTCONF_SHA256= the certificate's fingerprint */
        const char *unit;      /* UNIT= (and OBJECT_SYSTEMD_UNIT=, see log_event()) */
        int error;             /* ERRNO= when != 0 (sign ignored); sets errno for %m */
} LogFields;

#define LOG_FIELD_MAX   2048
#define LOG_MESSAGE_MAX 4096

typedef enum LogTarget {
        LOG_TARGET_AUTO,    /* journal if stderr is the journal ($JOURNAL_STREAM), or if
                             * the journal socket exists and stderr is not a terminal;
                             * stderr otherwise */
        LOG_TARGET_JOURNAL, /* the journal; stderr when its socket is missing or a send fails */
        LOG_TARGET_STDERR,  /* stderr only */
        _LOG_TARGET_MAX,
        _LOG_TARGET_INVALID = -EINVAL,
} LogTarget;

const char *log_target_to_string(LogTarget t); /* "auto", "journal", "stderr" */
LogTarget log_target_from_string(const char *s);

/* Chooses where entries go (AUTO is decided here, once). Before any call the
 * target is AUTO, decided on the first entry. Entries below max_priority
 * (LOG_DEBUG, LOG_INFO, ...) are dropped; the default is LOG_INFO. */
void log_setup(LogTarget t);
void log_set_max_priority(int priority);
/* Where entries go now: LOG_TARGET_JOURNAL or LOG_TARGET_STDERR. */
LogTarget log_get_target(void);

/* One entry: MESSAGE_ID of ev, PRIORITY (priority < 0: the event's default,
 * log_event_default_priority()), MESSAGE from fmt (glibc's %m is
 * fl->error), SYSLOG_IDENTIFIER=certconfd, CERTCONF_EVENT=<name>, and the
 * fields of fl (may be NULL). A unit is sent as UNIT= and, because
 * `journalctl -u X` only matches UNIT=X on entries of PID 1, also as
 * OBJECT_SYSTEMD_UNIT=X, which `journalctl -u X` shows when the agent runs as
 * root. On stderr: "certconfd[PID]: LEVEL: MESSAGE [service=... unit=...]".
 * Returns -abs(fl->error) when fl->error != 0, else 0, for the
 * `return log_event(...)` idiom; a failed send is not an error. */
int log_event(LogEvent ev, int priority, const LogFields *fl, const char *fmt, ...) _printf_(4, 5);

/* One entry per finding of an upload: LOG_EVENT_FINDING, priority LOG_ERR for
 * an error and LOG_WARNING for a warning, CERTCONF_CODE, CERTCONF_FILE,
 * CERTCONF_SUBJECT from the finding, service as given (may be NULL). The
 * message is the finding's message and hint. Returns 0. */
int log_finding(const char *service, const Finding *f);

/* Plain lines for what is not an event (progress, debugging): no MESSAGE_ID. */
void log_debug(const char *fmt, ...) _printf_(1, 2);
void log_info(const char *fmt, ...) _printf_(1, 2);
void log_warning(const char *fmt, ...) _printf_(1, 2);
/* A system error: LOG_EVENT_ERROR at LOG_ERR with ERRNO=; "%m" in fmt is
 * strerror(error). Returns -abs(error), as in `return log_error_errno(r, "...: %m")`. */
int log_error_errno(int error, const char *fmt, ...) _printf_(2, 3);

/* The 32 lowercase hex digits of ev's MESSAGE_ID (fixed forever), NULL when
 * ev is out of range. */
const char *log_event_message_id(LogEvent ev);
/* "started", "upload-seen", ... (CERTCONF_EVENT=). */
const char *log_event_to_string(LogEvent ev);
LogEvent log_event_from_string(const char *s);
int log_event_default_priority(LogEvent ev);
