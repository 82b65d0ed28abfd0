/* log: the agent's journal entries (see log.h). */

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* The MESSAGE_IDs were made once with `systemd-id128 new`; they never change.
 * systemd/certconf.catalog has one entry for each. */
static const struct {
        const char *name;
        const char *id;
        int priority;
} event_table[_LOG_EVENT_MAX] = {
        [LOG_EVENT_STARTED] = {"started", "27036acf50784b128d2770ad1b77bdd8", LOG_INFO},
        [LOG_EVENT_UPLOAD_SEEN] = {"upload-seen", "af36019aae9d4a5989d71509cae1dd82", LOG_INFO},
        [LOG_EVENT_UPLOAD_ACCEPTED] = {"upload-accepted", "096725e0200741bb9c325877df40784c",
                                       LOG_NOTICE},
        [LOG_EVENT_UPLOAD_REJECTED] = {"upload-rejected", "fbc1b64360b64dd893665860bf2a80b5",
                                       LOG_ERR},
        [LOG_EVENT_FINDING] = {"finding", "b5d77c61a4874fd2afa3e9933c20facd", LOG_WARNING},
        [LOG_EVENT_FILE_REFUSED] = {"file-refused", "1f57966bc6fb4497838fdd42a884de36",
                                    LOG_WARNING},
        [LOG_EVENT_INSTALLED] = {"installed", "74b9bd4ab65549478761211a281cded6", LOG_NOTICE},
        [LOG_EVENT_INSTALL_FAILED] = {"install-failed", "5253194ba1c94be990e864b67dc780f7",
                                      LOG_ERR},
        [LOG_EVENT_SELF_SIGNED] = {"self-signed", "95453ab6320749b2823b8343cbdfc9c9", LOG_NOTICE},
        [LOG_EVENT_SELF_SIGNED_RENEWED] = {"self-signed-renewed",
                                           "4a523b47b2ba4940a6f40c0a8ec18168", LOG_NOTICE},
        [LOG_EVENT_UNIT_SIGNALLED] = {"unit-signalled", "3f087eae44044679b7a0465f7e04235a",
                                      LOG_NOTICE},
        [LOG_EVENT_UNIT_FAILED] = {"unit-failed", "07ed6d4642f44f3495ce741ed92b8347", LOG_ERR},
        [LOG_EVENT_ROLLED_BACK] = {"rolled-back", "444bb92aa8ca48ee80317435b61ff1ee", LOG_ERR},
        [LOG_EVENT_EXPIRY_WARNING] = {"expiry-warning", "8668a84051d449a4b0563fa030d49228",
                                      LOG_WARNING},
        [LOG_EVENT_CONFIG_INVALID] = {"config-invalid", "e0ccd7ed5518466a9b9d7a9b482f0ec7",
                                      LOG_ERR},
        [LOG_EVENT_CONFIG_RELOADED] = {"config-reloaded", "b66a6df11b2248db9da8d923a58c561f",
                                       LOG_INFO},
        [LOG_EVENT_RECOVERED] = {"recovered", "afbbb136cd9d4f66bb6b61f56e7d71a7", LOG_WARNING},
        [LOG_EVENT_STOPPING] = {"stopping", "ac3850ce70604080845cf879695a96fd", LOG_INFO},
        [LOG_EVENT_ERROR] = {"error", "bafb1520ebe64b4ea110762b0819cd03", LOG_ERR},
};

static const char *const target_table[_LOG_TARGET_MAX] = {
        [LOG_TARGET_AUTO] = "auto",
        [LOG_TARGET_JOURNAL] = "journal",
        [LOG_TARGET_STDERR] = "stderr",
};

static const char *const level_table[] = {
        "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
};

static LogTarget log_target = LOG_TARGET_AUTO;
static int log_max_priority = LOG_INFO;

const char *log_event_message_id(LogEvent ev) {
        if (ev < 0 || ev >= _LOG_EVENT_MAX)
                return NULL;
        return event_table[ev].id;
}

const char *log_event_to_string(LogEvent ev) {
        if (ev < 0 || ev >= _LOG_EVENT_MAX)
                return NULL;
        return event_table[ev].name;
}

LogEvent log_event_from_string(const char *s) {
        if (!s)
                return _LOG_EVENT_INVALID;
        for (int i = 0; i < _LOG_EVENT_MAX; i++)
                if (streq(event_table[i].name, s))
                        return (LogEvent) i;
        return _LOG_EVENT_INVALID;
}

int log_event_default_priority(LogEvent ev) {
        if (ev < 0 || ev >= _LOG_EVENT_MAX)
                return LOG_ERR;
        return event_table[ev].priority;
}

const char *log_target_to_string(LogTarget t) {
        if (t < 0 || t >= _LOG_TARGET_MAX)
                return NULL;
        return target_table[t];
}

LogTarget log_target_from_string(const char *s) {
        if (!s)
                return _LOG_TARGET_INVALID;
        for (int i = 0; i < _LOG_TARGET_MAX; i++)
                if (streq(target_table[i], s))
                        return (LogTarget) i;
        return _LOG_TARGET_INVALID;
}

/* $JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected to
 * stdout/stderr; it is ours only when stderr still is that stream. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        int n = 0;

        if (!e || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n] != '\0')
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

static LogTarget resolve_target(LogTarget t) {
        if (t == LOG_TARGET_JOURNAL || t == LOG_TARGET_STDERR)
                return t;
        if (stderr_is_journal())
                return LOG_TARGET_JOURNAL;
        if (access(JOURNAL_SOCKET, F_OK) == 0 && !isatty(STDERR_FILENO))
                return LOG_TARGET_JOURNAL;
        return LOG_TARGET_STDERR;
}

void log_setup(LogTarget t) {
        log_target = resolve_target(t);
}

LogTarget log_get_target(void) {
        if (log_target == LOG_TARGET_AUTO)
                log_target = resolve_target(LOG_TARGET_AUTO);
        return log_target;
}

void log_set_max_priority(int priority) {
        if (priority < LOG_EMERG)
                priority = LOG_EMERG;
        if (priority > LOG_DEBUG)
                priority = LOG_DEBUG;
        log_max_priority = priority;
}

/* s cut at max bytes and made printable; never NULL unless s is (OOM gives
 * a copy with control bytes replaced by '?', or a fixed marker). */
static char *printable(const char *s, size_t max) {
        size_t n;
        char *p;

        if (!s)
                return NULL;
        n = strnlen(s, max);
        p = findings_printable(s, n);
        if (p)
                return p;
        p = strndup(s, n);
        if (!p)
                return NULL;
        for (char *c = p; *c; c++)
                if ((unsigned char) *c < 0x20 || (unsigned char) *c == 0x7f)
                        *c = '?';
        return p;
}

typedef struct Entry {
        char *message;
        char *service, *code, *file, *subject, *not_after, *sha256, *unit;
        int error;
} Entry;

static void entry_done(Entry *e) {
        free(e->message);
        free(e->service);
        free(e->code);
        free(e->file);
        free(e->subject);
        free(e->not_after);
        free(e->sha256);
        free(e->unit);
}

static void fputs_value(FILE *f, const char *v) {
        if (!strpbrk(v, " \"[]")) {
                fputs(v, f);
                return;
        }
        fputc('"', f);
        for (const char *c = v; *c; c++) {
                if (*c == '"')
                        fputc('\\', f);
                fputc(*c, f);
        }
        fputc('"', f);
}

static void write_stderr(LogEvent ev, int priority, const Entry *e) {
        const struct {
                const char *name;
                const char *value;
        } fields[] = {
                {"event", ev >= 0 ? log_event_to_string(ev) : NULL},
                {"service", e->service},
                {"code", e->code},
                {"file", e->file},
                {"subject", e->subject},
                {"not_after", e->not_after},
                {"sha256", e->sha256},
                {"unit", e->unit},
        };
        char *buf = NULL;
        size_t len = 0;
        bool first = true;
        FILE *f;

        f = open_memstream(&buf, &len);
        if (!f)
                goto fallback;
        fprintf(f, "certconfd[%ld]: %s: %s", (long) getpid(), level_table[priority & LOG_PRIMASK],
                e->message ? e->message : "");
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                if (!fields[i].value)
                        continue;
                fputs(first ? " [" : " ", f);
                first = false;
                fprintf(f, "%s=", fields[i].name);
                fputs_value(f, fields[i].value);
        }
        if (!first)
                fputc(']', f);
        fputc('\n', f);
        if (fclose(f) != 0)
                goto fallback;
        /* One write: lines of concurrent writers do not interleave. */
        (void) !write(STDERR_FILENO, buf, len);
        free(buf);
        return;

fallback:
        free(buf);
        fprintf(stderr, "certconfd[%ld]: %s: %s\n", (long) getpid(),
                level_table[priority & LOG_PRIMASK], e->message ? e->message : "");
}

static int push(char **strs, size_t *n, const char *fmt, ...) _printf_(3, 4);

static int push(char **strs, size_t *n, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        strs[(*n)++] = s;
        return 0;
}

static int write_journal(LogEvent ev, int priority, const Entry *e) {
        const struct {
                const char *name;
                const char *value;
        } fields[] = {
                {"CERTCONF_SERVICE", e->service},
                {"CERTCONF_CODE", e->code},
                {"CERTCONF_FILE", e->file},
                {"CERTCONF_SUBJECT", e->subject},
                {"CERTCONF_NOT_AFTER", e->not_after},
                {"CERTCONF_SHA256", e->sha256},
                {"UNIT", e->unit},
                {"OBJECT_SYSTEMD_UNIT", e->unit},
        };
        char *strs[ELEMENTSOF(fields) + 6] = {};
        struct iovec iov[ELEMENTSOF(strs)];
        size_t n = 0;
        int r = 0;

        if (ev >= 0) {
                r = push(strs, &n, "MESSAGE_ID=%s", log_event_message_id(ev));
                if (r >= 0)
                        r = push(strs, &n, "CERTCONF_EVENT=%s", log_event_to_string(ev));
        }
        if (r >= 0)
                r = push(strs, &n, "PRIORITY=%d", priority & LOG_PRIMASK);
        if (r >= 0)
                r = push(strs, &n, "MESSAGE=%s", e->message ? e->message : "");
        if (r >= 0)
                r = push(strs, &n, "SYSLOG_IDENTIFIER=certconfd");
        if (r >= 0 && e->error != 0)
                r = push(strs, &n, "ERRNO=%d", e->error);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fields); i++)
                if (fields[i].value)
                        r = push(strs, &n, "%s=%s", fields[i].name, fields[i].value);

        if (r >= 0) {
                for (size_t i = 0; i < n; i++)
                        iov[i] = (struct iovec){.iov_base = strs[i], .iov_len = strlen(strs[i])};
                r = sd_journal_sendv(iov, (int) n);
        }
        for (size_t i = 0; i < n; i++)
                free(strs[i]);
        return r;
}

static int log_emit(LogEvent ev, int priority, const LogFields *fl, const char *fmt, va_list ap)
        _printf_(4, 0);

static int log_emit(LogEvent ev, int priority, const LogFields *fl, const char *fmt, va_list ap) {
        int error = fl && fl->error != 0 ? (fl->error < 0 ? -fl->error : fl->error) : 0;
        int saved_errno = errno;
        char msg[LOG_MESSAGE_MAX];
        Entry e = {.error = error};

        if (priority < 0)
                priority = log_event_default_priority(ev);
        priority &= LOG_PRIMASK;
        if (priority > log_max_priority)
                goto out;

        if (error != 0)
                errno = error; /* for %m */
        (void) vsnprintf(msg, sizeof(msg), fmt, ap);

        e.message = printable(msg, sizeof(msg));
        if (fl) {
                e.service = printable(fl->service, LOG_FIELD_MAX);
                e.code = printable(fl->code, LOG_FIELD_MAX);
                e.file = printable(fl->file, LOG_FIELD_MAX);
                e.subject = printable(fl->subject, LOG_FIELD_MAX);
                e.not_after = printable(fl->not_after, LOG_FIELD_MAX);
                e.sha256 = printable(fl->sha256, LOG_FIELD_MAX);
                e.unit = printable(fl->unit, LOG_FIELD_MAX);
        }

        /* sd_journal_sendv() returns 0 without sending when the socket is not
         * there (ENOENT is "no journal, fine" to it): look first. */
        if (log_get_target() != LOG_TARGET_JOURNAL || access(JOURNAL_SOCKET, F_OK) < 0 ||
            write_journal(ev, priority, &e) < 0)
                write_stderr(ev, priority, &e);
        entry_done(&e);
out:
        errno = saved_errno;
        return error != 0 ? -error : 0;
}

int log_event(LogEvent ev, int priority, const LogFields *fl, const char *fmt, ...) {
        va_list ap;
        int r;

        if (ev < 0 || ev >= _LOG_EVENT_MAX)
                ev = LOG_EVENT_ERROR;
        va_start(ap, fmt);
        r = log_emit(ev, priority, fl, fmt, ap);
        va_end(ap);
        return r;
}

int log_finding(const char *service, const Finding *f) {
        const char *hint;

        if (!f)
                return 0;
        hint = f->hint ? f->hint : finding_code_default_hint(f->code);
        return log_event(LOG_EVENT_FINDING, f->severity == SEVERITY_ERROR ? LOG_ERR : LOG_WARNING,
                         &(const LogFields){
                                 .service = service,
                                 .code = finding_code_to_string(f->code),
                                 .file = f->file,
                                 .subject = f->subject,
                         },
                         "%s%s%s", f->message ? f->message : finding_code_to_string(f->code),
                         hint ? "; fix: " : "", hint ? hint : "");
}

#define DEFINE_LOG_PLAIN(name, prio)                                                               \
        void name(const char *fmt, ...) {                                                          \
                va_list ap;                                                                        \
                va_start(ap, fmt);                                                                 \
                (void) log_emit(_LOG_EVENT_INVALID, prio, NULL, fmt, ap);                          \
                va_end(ap);                                                                        \
        }

DEFINE_LOG_PLAIN(log_debug, LOG_DEBUG)
DEFINE_LOG_PLAIN(log_info, LOG_INFO)
DEFINE_LOG_PLAIN(log_warning, LOG_WARNING)

int log_error_errno(int error, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = log_emit(LOG_EVENT_ERROR, LOG_ERR, &(const LogFields){.error = error}, fmt, ap);
        va_end(ap);
        return r;
}
