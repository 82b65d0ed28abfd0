#pragma once
/* install: replace a set of files all-or-nothing, surviving a SIGKILL (or a
 * power cut) at any point: after install_recover() the files are exactly the
 * old set, or, once install_finish() has removed the journal, the new set.
 * Returns >= 0 or negative errno; never logs; ret_ set only on success.
 * ret_error may be NULL; else initialise it to NULL: on failure it gets a
 * malloc'd message naming the path (it stays NULL on -ENOMEM). */

#include <stddef.h>
#include <sys/types.h>

/* In the target's own directory: the staged new file and the previous one. */
#define INSTALL_NEW_SUFFIX ".certconf-new" /* the same as fileio.h's temps */
#define INSTALL_OLD_SUFFIX ".certconf-old"

typedef struct InstallFile {
        const char *path; /* absolute, no newline; its directory must exist */
        const void *data;
        size_t len;
        uid_t uid;   /* (uid_t) -1: the agent's own */
        gid_t gid;   /* (gid_t) -1: the agent's own */
        mode_t mode; /* exactly this (07777 at most); keys 0600 or 0640 */
} InstallFile;

typedef struct Install Install;

/* Stages every file: for each, removes a stale temp/backup of an earlier
 * crashed run, writes <dir>/.<base>.certconf-new (owner, group, mode exact,
 * fsynced), and keeps the current file (if any) as <dir>/.<base>.certconf-old
 * (a hard link to it); fsyncs every directory involved; then records the
 * transaction in journal_path (write_file_atomic(), 0600). Nothing in place
 * has changed when this returns. On failure everything staged is removed and
 * *ret_error names the path and the reason ("/etc/x/rem.p12: No space left on
 * device"). -EBUSY if journal_path exists (install_recover() first), -EINVAL
 * for a path that is relative, holds a newline, ends in a temp/backup suffix,
 * is listed twice or is the journal, -ENOENT/-ENOTDIR for a missing target
 * directory, -EISDIR for a target that is a directory. */
int install_begin(const char *journal_path, const InstallFile *files, size_t n, Install **ret,
                  char **ret_error);

/* Renames every staged file into place and fsyncs each directory. If a rename
 * (or an fsync) fails, every file already renamed is put back and the journal
 * is removed (as install_rollback() does) before the error is returned;
 * install_rollback() afterwards is a no-op. */
int install_commit(Install *t, char **ret_error);

/* Puts the previous files back (a path that had none is removed), removes the
 * temps, fsyncs, removes the journal: after a unit failed with the new files,
 * or to abandon a staged transaction. 0 also when already rolled back. On
 * failure the journal is kept, so install_recover() finishes the job. */
int install_rollback(Install *t, char **ret_error);

/* The new set is final: removes the journal (the commit point) and fsyncs its
 * directory, then removes the backups. Fails only if the journal could not be
 * removed durably; the transaction is then still committed (finish again, or
 * roll back). A backup that cannot be removed is left for the next
 * install_begin() of that path. -EINVAL before install_commit(), -ESTALE after
 * a rollback. */
int install_finish(Install *t, char **ret_error);

/* Does not roll back; removes nothing (a journal left behind is found by
 * install_recover() at the next start). Returns NULL. */
Install *install_free(Install *t);
static inline void install_freep(Install **t) {
        *t = install_free(*t);
}

/* At startup, before any install_begin(): if journal_path exists, an earlier
 * run died between install_begin() and install_finish()/install_rollback():
 * puts the previous set back as install_rollback() does, then removes the
 * journal. Idempotent (a crash during recovery is recovered by the next
 * call). Returns 1 if it rolled back, 0 if there was nothing to do. A damaged
 * journal is -EBADMSG with *ret_error naming it and the line; it is left in
 * place for the operator. */
int install_recover(const char *journal_path, char **ret_error);

/* TEST ONLY: a callback pointer set through this test-only setter (not a
 * global the agent could set by accident). When set, it is called after every
 * step of a transaction or a recovery that changes the file system, with the
 * step's name ("begin: backup linked") and the target path (or the journal),
 * so a test can _exit() there to simulate a SIGKILL. Process-global, not
 * thread-safe; NULL (the default) in the agent. */
typedef void (*InstallStepHook)(const char *step, const char *path, void *userdata);
void install_set_step_hook(InstallStepHook hook, void *userdata);
