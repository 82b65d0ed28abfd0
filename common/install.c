/* install: a transaction over N files, all-or-nothing across a SIGKILL.
 *
 * Names. For a target dir/base, in its own directory (the same file system,
 * so every rename below is atomic):
 *     dir/.base.certconf-new   the staged new file (owner, group, mode exact)
 *     dir/.base.certconf-old   the previous file: a hard link to it
 *
 * The journal (journal_path, in the agent's state directory; 0600):
 *
 *     certconf-install-journal 1
 *     + /etc/tomcat/rem.p12        the path had a previous file (backed up)
 *     - /etc/xcap/new.pem          the path had none (a rollback removes it)
 *     end
 *
 * One line per target; paths are absolute and hold no newline (install_begin
 * refuses others with -EINVAL), so a line is a path. "end" proves the file is
 * whole. Anything else is a damaged journal: -EBADMSG, left for the operator.
 *
 * The journal is not one of the transaction's files: it is the record that
 * lets the transaction be undone, so it must exist, whole, before anything
 * in place changes, and it must disappear in one step when the new set is
 * final. write_file_atomic() gives both: it appears complete or not at all,
 * and unlink() removes it atomically.
 *
 * Steps, and why a SIGKILL anywhere ends in the old or the new set:
 *
 *  begin  B1 refuse if a journal exists: its backups are still needed, and
 *            every backup/temp found below is therefore stale
 *         B2 per file: unlink a stale temp and a stale backup, write and
 *            fsync the temp, link the current file (if any) as the backup
 *         B3 fsync every directory: temps and backups are durable
 *         B4 write the journal (temp, fsync, rename, fsync its directory)
 *  commit C1 per file: rename temp over path (a symlink there is replaced)
 *         C2 fsync every directory
 *  finish F1 unlink the journal, fsync its directory  <- THE COMMIT POINT
 *         F2 unlink the backups (garbage from here on)
 *  rollback / recovery, per file:
 *         R1 the new file was renamed in (in recovery: its temp is gone)?
 *            had a previous file: rename the backup over path, if the backup
 *            is still there (it is gone only if R1 already ran)
 *            had none: unlink path
 *         R2 unlink the backup, unlink the temp
 *         R3 fsync every directory, then unlink the journal and fsync its
 *            directory
 *
 *  - Killed in B1-B3, or in B4 before its rename: no journal. Nothing in
 *    place was touched (only new hidden names were created), so this is the
 *    old set; recovery has nothing to do. The leftovers (temps with the new
 *    content, mode already exact; hard links to current files) are removed
 *    by the next install_begin() of those paths (B2; safe because B1 proved
 *    no journal needs them).
 *  - Killed after B4's rename, in C1, C2 or F1 before the unlink: the journal
 *    exists and, since B3 ran before it was written, every "+" backup exists
 *    and is the previous file itself (a hard link: same bytes, mode, owner).
 *    Recovery puts each back. For a file whose temp still exists the rename
 *    never happened, so path still is the previous file: only the backup and
 *    temp are removed. Result: the old set.
 *  - Killed after F1's unlink: no journal, C1 had renamed everything and C2
 *    made it durable before F1 (finish refuses to run before a successful
 *    commit), so the new set is in place; recovery does nothing; stale
 *    backups are removed by the next begin.
 *  - Killed during a rollback or a recovery: the journal is removed last
 *    (R3), so the next recovery runs again. Each step is idempotent: the
 *    rename of a backup consumes it (a second run finds no backup and knows
 *    path already is the previous file), unlinks accept ENOENT, and "was it
 *    renamed?" is read from the temp, which is only removed in R2, after R1
 *    for that file. A rename of a backup over a path that is the same inode
 *    (the file was never replaced) is a no-op by POSIX; R1 does not even get
 *    there, because the temp still exists then.
 *  - Power cut instead of SIGKILL: every "before" above is an fsync: temps
 *    (write_temp_file_at) and their directory entries (B3) before the journal
 *    (B4, fsynced with its directory) before any rename; renames made durable
 *    (C2) before the journal goes (F1); restores made durable (R3) before the
 *    journal goes.
 *
 * Not covered: someone else changing the targets between begin and finish
 * (a file modified in place between begin and commit also modifies its
 * backup, which is a hard link). One agent, holding its lock, is the only
 * writer of the targets. */

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "install.h"
#include "macro.h"

#define JOURNAL_MAGIC     "certconf-install-journal 1"
#define JOURNAL_END       "end"
#define JOURNAL_MAX_BYTES (1024 * 1024)
#define DIR_HINT          " (create it or fix the target path in the agent configuration)"

typedef enum InstallState {
        INSTALL_STAGED,
        INSTALL_COMMITTED,
        INSTALL_ROLLED_BACK,
        INSTALL_FINISHED,
} InstallState;

typedef struct InstallEntry {
        char *path;
        char *dir;
        char *base;
        char *temp;   /* .base.certconf-new */
        char *backup; /* .base.certconf-old */
        int dirfd;
        dev_t dir_dev;
        ino_t dir_ino;
        bool had_previous;
        bool temp_created;  /* by this begin (what a failed begin removes) */
        bool backup_linked; /* by this begin */
        int renamed;        /* 1 in place, 0 not, -1 unknown (recovery) */
} InstallEntry;

struct Install {
        char *journal_path;
        InstallEntry *entries;
        size_t n;
        InstallState state;
};

static InstallStepHook step_hook;
static void *step_hook_userdata;

void install_set_step_hook(InstallStepHook hook, void *userdata) {
        step_hook = hook;
        step_hook_userdata = userdata;
}

static void step(const char *name, const char *path) {
        if (step_hook)
                step_hook(name, path, step_hook_userdata);
}

/* *ret_error = "what: reason<extra>"; returns r. */
static int fail(char **ret_error, int r, const char *what, const char *extra) {
        char buf[256];

        if (ret_error) {
                char *s;

                if (asprintf(&s, "%s: %s%s", what, strerror_r(-r, buf, sizeof buf),
                             extra ? extra : "") < 0)
                        s = NULL;
                *ret_error = s;
        }
        return r;
}

/* As fail(), formatted; %m is strerror(-r). */
_printf_(3, 4) static int failf(char **ret_error, int r, const char *fmt, ...) {
        if (ret_error) {
                va_list ap;
                char *s;

                errno = -r;
                va_start(ap, fmt);
                if (vasprintf(&s, fmt, ap) < 0)
                        s = NULL;
                va_end(ap);
                *ret_error = s;
        }
        return r;
}

static void entry_done(InstallEntry *e) {
        closep(&e->dirfd);
        free(e->path);
        free(e->dir);
        free(e->base);
        free(e->temp);
        free(e->backup);
        *e = (InstallEntry){.dirfd = -1};
}

Install *install_free(Install *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n; i++)
                entry_done(&t->entries[i]);
        free(t->entries);
        free(t->journal_path);
        free(t);
        return NULL;
}

static int ends_with(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);

        return a >= b && streq(s + a - b, suffix);
}

/* Fills e's names for path (no file-system access). */
static int entry_names(InstallEntry *e, const char *path, char **ret_error) {
        int r;

        if (path[0] != '/' || strchr(path, '\n'))
                return failf(ret_error, -EINVAL,
                             "%s: an install target must be an absolute path without newlines",
                             path);
        e->path = strdup(path);
        if (!e->path)
                return -ENOMEM;
        r = path_split(path, &e->dir, &e->base);
        if (r < 0)
                return failf(ret_error, r, "%s: not a file name", path);
        if (ends_with(e->base, INSTALL_NEW_SUFFIX) || ends_with(e->base, INSTALL_OLD_SUFFIX))
                return failf(ret_error, -EINVAL,
                             "%s: ends in " INSTALL_NEW_SUFFIX " or " INSTALL_OLD_SUFFIX
                             ", the names of the agent's own temporary files",
                             path);
        r = hidden_name(e->base, INSTALL_NEW_SUFFIX, &e->temp);
        if (r < 0)
                return fail(ret_error, r, path, NULL);
        r = hidden_name(e->base, INSTALL_OLD_SUFFIX, &e->backup);
        if (r < 0)
                return fail(ret_error, r, path, NULL);
        return 0;
}

static int entry_open_dir(InstallEntry *e, char **ret_error) {
        struct stat st;

        e->dirfd = open_directory(e->dir);
        if (e->dirfd < 0)
                return fail(ret_error, e->dirfd, e->dir,
                            e->dirfd == -ENOENT || e->dirfd == -ENOTDIR ? DIR_HINT : NULL);
        if (fstat(e->dirfd, &st) < 0)
                return fail(ret_error, -errno, e->dir, NULL);
        e->dir_dev = st.st_dev;
        e->dir_ino = st.st_ino;
        return 0;
}

static bool same_dir(const InstallEntry *a, const InstallEntry *b) {
        return a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino;
}

/* fsyncs each distinct directory once; stops at the first failure. */
static int sync_dirs(Install *t, char **ret_error) {
        for (size_t i = 0; i < t->n; i++) {
                InstallEntry *e = &t->entries[i];
                bool seen = false;

                if (e->dirfd < 0)
                        continue;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = t->entries[j].dirfd >= 0 && same_dir(&t->entries[j], e);
                if (!seen && fsync(e->dirfd) < 0)
                        return fail(ret_error, -errno, e->dir, NULL);
        }
        return 0;
}

static int unlink_if_exists(int dirfd, const char *name) {
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* Stages one file: B2. */
static int entry_stage(InstallEntry *e, const InstallFile *f, char **ret_error) {
        struct stat st;
        int r;

        r = unlink_if_exists(e->dirfd, e->temp);
        if (r < 0)
                return failf(ret_error, r, "%s: %m (removing the stale %s/%s)", e->path, e->dir,
                             e->temp);
        step("begin: stale temp removed", e->path);
        r = unlink_if_exists(e->dirfd, e->backup);
        if (r < 0)
                return failf(ret_error, r, "%s: %m (removing the stale %s/%s)", e->path, e->dir,
                             e->backup);
        step("begin: stale backup removed", e->path);

        if (fstatat(e->dirfd, e->base, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                if (S_ISDIR(st.st_mode))
                        return fail(ret_error, -EISDIR, e->path, NULL);
                e->had_previous = true;
        } else if (errno != ENOENT)
                return fail(ret_error, -errno, e->path, NULL);

        r = write_temp_file_at(e->dirfd, e->temp, f->data, f->len, f->uid, f->gid, f->mode);
        if (r < 0)
                return fail(ret_error, r, e->path, NULL);
        e->temp_created = true;
        step("begin: temp written", e->path);

        if (e->had_previous) {
                /* Flags 0: a symlink at path is linked itself, not its target. */
                if (linkat(e->dirfd, e->base, e->dirfd, e->backup, 0) < 0)
                        return failf(ret_error, -errno,
                                     "%s: %m (keeping the previous file as %s/%s)", e->path, e->dir,
                                     e->backup);
                e->backup_linked = true;
                step("begin: backup linked", e->path);
        }
        return 0;
}

static char *journal_text(const Install *t, size_t *ret_len) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        fputs(JOURNAL_MAGIC "\n", f);
        for (size_t i = 0; i < t->n; i++)
                fprintf(f, "%c %s\n", t->entries[i].had_previous ? '+' : '-', t->entries[i].path);
        fputs(JOURNAL_END "\n", f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        *ret_len = len;
        return buf;
}

/* Removes what a failed begin created (only names it created itself). */
static void begin_undo(Install *t) {
        for (size_t i = 0; i < t->n; i++) {
                InstallEntry *e = &t->entries[i];

                if (e->temp_created)
                        (void) unlinkat(e->dirfd, e->temp, 0);
                if (e->backup_linked)
                        (void) unlinkat(e->dirfd, e->backup, 0);
        }
        (void) sync_dirs(t, NULL);
}

static int begin_check_journal(const char *journal_path, const Install *t, char **ret_error) {
        _cleanup_(freep) char *dir = NULL, *base = NULL;
        _cleanup_(closep) int dfd = -1;
        struct stat st;
        int r;

        r = path_split(journal_path, &dir, &base);
        if (r < 0)
                return failf(ret_error, r, "%s: not a file name", journal_path);
        dfd = open_directory(dir);
        if (dfd < 0)
                return fail(ret_error, dfd, dir, " (the agent's state directory)");
        if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                return failf(ret_error, -EBUSY,
                             "%s: an earlier install was not finished (install_recover() first)",
                             journal_path);
        if (errno != ENOENT)
                return fail(ret_error, -errno, journal_path, NULL);
        if (fstat(dfd, &st) < 0)
                return fail(ret_error, -errno, dir, NULL);
        for (size_t i = 0; i < t->n; i++)
                if (t->entries[i].dir_dev == st.st_dev && t->entries[i].dir_ino == st.st_ino &&
                    streq(t->entries[i].base, base))
                        return failf(ret_error, -EINVAL, "%s: the install journal is a target",
                                     t->entries[i].path);
        return 0;
}

int install_begin(const char *journal_path, const InstallFile *files, size_t n, Install **ret,
                  char **ret_error) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *text = NULL;
        size_t text_len = 0;
        int r;

        t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        t->journal_path = strdup(journal_path);
        t->entries = calloc(n ? n : 1, sizeof *t->entries);
        if (!t->journal_path || !t->entries)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                t->entries[i].dirfd = -1;
        t->n = n;

        for (size_t i = 0; i < n; i++) {
                InstallEntry *e = &t->entries[i];

                r = entry_names(e, files[i].path, ret_error);
                if (r < 0)
                        return r;
                if (files[i].mode & ~(mode_t) 07777)
                        return failf(ret_error, -EINVAL, "%s: invalid mode %#o", e->path,
                                     (unsigned) files[i].mode);
                r = entry_open_dir(e, ret_error);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (same_dir(&t->entries[j], e) && streq(t->entries[j].base, e->base))
                                return failf(ret_error, -EINVAL, "%s: listed twice (as %s)",
                                             e->path, t->entries[j].path);
        }
        r = begin_check_journal(journal_path, t, ret_error);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                r = entry_stage(&t->entries[i], &files[i], ret_error);
                if (r < 0) {
                        begin_undo(t);
                        return r;
                }
        }
        r = sync_dirs(t, ret_error);
        if (r < 0) {
                begin_undo(t);
                return r;
        }
        step("begin: directories synced", NULL);

        text = journal_text(t, &text_len);
        if (!text) {
                begin_undo(t);
                return -ENOMEM;
        }
        r = write_file_atomic(journal_path, text, text_len, (uid_t) -1, (gid_t) -1, 0600);
        if (r < 0) {
                /* Only a failed fsync of its directory leaves it in place. */
                (void) unlink(journal_path);
                begin_undo(t);
                return fail(ret_error, r, journal_path, NULL);
        }
        step("begin: journal written", journal_path);

        t->state = INSTALL_STAGED;
        *ret = TAKE_PTR(t);
        return 0;
}

/* R1, R2 for one file. */
static int entry_undo(InstallEntry *e, char **ret_error) {
        int renamed = e->renamed;
        struct stat st;
        int r;

        if (renamed < 0) {
                if (fstatat(e->dirfd, e->temp, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                        renamed = 0;
                else if (errno == ENOENT)
                        renamed = 1;
                else
                        return failf(ret_error, -errno, "%s: %m (looking for %s/%s)", e->path,
                                     e->dir, e->temp);
        }

        if (renamed && e->had_previous) {
                if (renameat(e->dirfd, e->backup, e->dirfd, e->base) < 0) {
                        if (errno != ENOENT) /* ENOENT: restored by an earlier run */
                                return failf(ret_error, -errno,
                                             "%s: %m (putting the previous file back from %s/%s)",
                                             e->path, e->dir, e->backup);
                } else
                        step("rollback: previous file restored", e->path);
        } else if (renamed) {
                if (unlinkat(e->dirfd, e->base, 0) < 0) {
                        if (errno != ENOENT)
                                return failf(ret_error, -errno, "%s: %m (removing the new file)",
                                             e->path);
                } else
                        step("rollback: new file removed", e->path);
        }
        e->renamed = 0;

        r = unlink_if_exists(e->dirfd, e->backup);
        if (r < 0)
                return failf(ret_error, r, "%s: %m (removing %s/%s)", e->path, e->dir, e->backup);
        step("rollback: backup removed", e->path);
        r = unlink_if_exists(e->dirfd, e->temp);
        if (r < 0)
                return failf(ret_error, r, "%s: %m (removing %s/%s)", e->path, e->dir, e->temp);
        step("rollback: temp removed", e->path);
        return 0;
}

/* R1-R3 over every file; on any failure the journal stays (recovery retries). */
static int rollback_all(Install *t, char **ret_error) {
        _cleanup_(freep) char *first = NULL;
        int r, ret = 0;

        for (size_t i = 0; i < t->n; i++) {
                char *err = NULL;

                if (t->entries[i].dirfd < 0)
                        continue; /* its directory is gone, and the files with it */
                r = entry_undo(&t->entries[i], &err);
                if (r < 0 && ret == 0) {
                        ret = r;
                        first = err;
                } else
                        free(err);
        }
        if (ret < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(first);
                return ret;
        }
        r = sync_dirs(t, ret_error);
        if (r < 0)
                return r;
        step("rollback: directories synced", NULL);
        if (unlink(t->journal_path) < 0 && errno != ENOENT)
                return fail(ret_error, -errno, t->journal_path, NULL);
        step("rollback: journal removed", t->journal_path);
        r = fsync_directory_of(t->journal_path);
        if (r < 0)
                return fail(ret_error, r, t->journal_path, NULL);
        t->state = INSTALL_ROLLED_BACK;
        return 0;
}

int install_commit(Install *t, char **ret_error) {
        _cleanup_(freep) char *error = NULL, *rb_error = NULL;
        int r = 0;

        if (t->state != INSTALL_STAGED)
                return failf(ret_error, -EINVAL, "%s: the install is not staged", t->journal_path);

        for (size_t i = 0; i < t->n && r == 0; i++) {
                InstallEntry *e = &t->entries[i];

                if (renameat(e->dirfd, e->temp, e->dirfd, e->base) < 0) {
                        r = fail(&error, -errno, e->path, NULL);
                        break;
                }
                e->renamed = 1;
                step("commit: renamed", e->path);
        }
        if (r == 0) {
                r = sync_dirs(t, &error);
                if (r == 0) {
                        step("commit: directories synced", NULL);
                        t->state = INSTALL_COMMITTED;
                        return 0;
                }
        }

        if (rollback_all(t, &rb_error) < 0)
                return failf(ret_error, r,
                             "%s; rolling back failed too: %s (%s is kept: the agent rolls back "
                             "at its next start)",
                             strna(error), strna(rb_error), t->journal_path);
        if (ret_error)
                *ret_error = TAKE_PTR(error);
        return r;
}

int install_rollback(Install *t, char **ret_error) {
        if (t->state == INSTALL_ROLLED_BACK)
                return 0;
        if (t->state == INSTALL_FINISHED)
                return failf(ret_error, -ESTALE,
                             "%s: the install is finished: nothing to roll back", t->journal_path);
        return rollback_all(t, ret_error);
}

int install_finish(Install *t, char **ret_error) {
        int r;

        if (t->state == INSTALL_FINISHED)
                return 0;
        if (t->state == INSTALL_ROLLED_BACK)
                return failf(ret_error, -ESTALE, "%s: the install was rolled back",
                             t->journal_path);
        if (t->state != INSTALL_COMMITTED)
                return failf(ret_error, -EINVAL, "%s: the install is not committed",
                             t->journal_path);

        if (unlink(t->journal_path) < 0 && errno != ENOENT)
                return fail(ret_error, -errno, t->journal_path, NULL);
        step("finish: journal removed", t->journal_path);
        r = fsync_directory_of(t->journal_path);
        if (r < 0)
                return fail(ret_error, r, t->journal_path, NULL);
        step("finish: journal directory synced", t->journal_path);
        t->state = INSTALL_FINISHED;

        for (size_t i = 0; i < t->n; i++) {
                InstallEntry *e = &t->entries[i];

                if (!e->had_previous)
                        continue;
                (void) unlinkat(e->dirfd, e->backup, 0);
                step("finish: backup removed", e->path);
        }
        (void) sync_dirs(t, NULL);
        return 0;
}

static int journal_damaged(char **ret_error, const char *journal_path, unsigned line,
                           const char *what) {
        return failf(ret_error, -EBADMSG,
                     "%s: line %u: %s: a damaged install journal; compare each file it lists "
                     "with its ." INSTALL_OLD_SUFFIX " backup, then remove it",
                     journal_path, line, what);
}

/* Parses the journal into t's entries (names only). */
static int journal_parse(Install *t, char *text, size_t len, char **ret_error) {
        char *p = text, *end = text + len;
        unsigned line = 0;
        bool ended = false;

        if (memchr(text, 0, len))
                return journal_damaged(ret_error, t->journal_path, 1, "a NUL byte");
        while (p < end) {
                char *nl = memchr(p, '\n', (size_t) (end - p));
                InstallEntry *e;
                int r;

                line++;
                if (!nl)
                        return journal_damaged(ret_error, t->journal_path, line,
                                               "the last line is cut off");
                *nl = 0;
                if (ended)
                        return journal_damaged(ret_error, t->journal_path, line,
                                               "text after \"" JOURNAL_END "\"");
                if (line == 1) {
                        if (!streq(p, JOURNAL_MAGIC))
                                return journal_damaged(ret_error, t->journal_path, line,
                                                       "not \"" JOURNAL_MAGIC "\"");
                } else if (streq(p, JOURNAL_END))
                        ended = true;
                else {
                        if ((p[0] != '+' && p[0] != '-') || p[1] != ' ' || p[2] != '/')
                                return journal_damaged(ret_error, t->journal_path, line,
                                                       "not \"+ /path\" or \"- /path\"");
                        e = &t->entries[t->n];
                        r = entry_names(e, p + 2, NULL);
                        if (r < 0)
                                entry_done(e); /* not counted in t->n: free it here */
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return journal_damaged(ret_error, t->journal_path, line,
                                                       "not a target path");
                        e->had_previous = p[0] == '+';
                        e->renamed = -1;
                        t->n++;
                }
                p = nl + 1;
        }
        if (line == 0)
                return journal_damaged(ret_error, t->journal_path, 1, "empty");
        if (!ended)
                return journal_damaged(ret_error, t->journal_path, line,
                                       "no \"" JOURNAL_END "\" line: cut off");
        return 0;
}

int install_recover(const char *journal_path, char **ret_error) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *text = NULL;
        size_t len = 0, lines = 0;
        int r;

        r = read_file_at(AT_FDCWD, journal_path, JOURNAL_MAX_BYTES, &text, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return fail(ret_error, r, journal_path, NULL);

        t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        t->journal_path = strdup(journal_path);
        for (size_t i = 0; i < len; i++)
                lines += text[i] == '\n';
        t->entries = calloc(lines + 1, sizeof *t->entries);
        if (!t->journal_path || !t->entries)
                return -ENOMEM;
        for (size_t i = 0; i <= lines; i++)
                t->entries[i].dirfd = -1;
        r = journal_parse(t, text, len, ret_error);
        if (r < 0)
                return r;

        for (size_t i = 0; i < t->n; i++) {
                _cleanup_(freep) char *err = NULL;

                r = entry_open_dir(&t->entries[i], &err);
                if (r == -ENOENT)
                        continue; /* the directory is gone, and every file in it */
                if (r < 0) {
                        if (ret_error)
                                *ret_error = TAKE_PTR(err);
                        return r;
                }
        }
        t->state = INSTALL_COMMITTED;
        r = rollback_all(t, ret_error);
        if (r < 0)
                return r;
        return 1;
}
