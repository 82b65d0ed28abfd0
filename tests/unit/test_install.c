/* test_install: replacing a set of files all-or-nothing (common/install.c):
 * begin/commit/finish, rollback, failures in begin and in commit, a
 * simulated SIGKILL after every step (of the install, of a rollback and of
 * the recovery itself), damaged journals, and ENOSPC/EROFS on a small tmpfs
 * (root only, in a private mount namespace). */

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fileio.h"
#include "install.h"
#include "macro.h"
#include "testutil.h"

#define CRASH_EXIT 42

static char *D;       /* the test's directory */
static char *JOURNAL; /* D/state/install.journal */
static bool is_root;

/* ---- the scenario: an old set and a new set of four targets -------------
 *
 *   a/rem.p12   regular 0600 (owner 4242:4243 as root)  -> 0640, new content
 *   a/rem.pem   regular 0644                            -> 0644, new content
 *   b/rem.key   a symlink to ../victim.key              -> a regular file 0600
 *   b/new.pem   absent                                  -> 0444
 *
 * victim.key never changes (the symlink is replaced, not written through). */

typedef enum Kind { ABSENT, REGULAR, SYMLINK } Kind;

typedef struct Want {
        const char *name; /* under D */
        Kind kind;
        const char *data; /* REGULAR: content; SYMLINK: target */
        size_t len;
        mode_t mode;
        bool owned; /* as root: 4242:4243 */
} Want;

#define BIN(s) s, sizeof(s) - 1

static const Want OLD_SET[] = {
        {"a/rem.p12", REGULAR, BIN("OLD-P12\0\x01\x02"), 0600, true},
        {"a/rem.pem", REGULAR, BIN("-----OLD PEM-----\n"), 0644, false},
        {"b/rem.key", SYMLINK, BIN("../victim.key"), 0, false},
        {"b/new.pem", ABSENT, NULL, 0, 0, false},
};

static const Want NEW_SET[] = {
        {"a/rem.p12", REGULAR, BIN("NEW-P12\0\x03"), 0640, true},
        {"a/rem.pem", REGULAR, BIN("-----NEW PEM-----\n"), 0644, false},
        {"b/rem.key", REGULAR, BIN("-----NEW KEY-----\n"), 0600, false},
        {"b/new.pem", REGULAR, BIN("fresh"), 0444, false},
};

#define N_FILES ELEMENTSOF(NEW_SET)

static const Want VICTIM = {"victim.key", REGULAR, BIN("victim, never written"), 0600, false};

/* Inodes of the old regular files: a rollback puts back the same files. */
static ino_t old_ino[N_FILES];

static char *path_of(const char *name) {
        return tu_path(D, name);
}

static void make_file(const Want *w) {
        _cleanup_(freep) char *p = path_of(w->name);
        _cleanup_(closep) int fd = -1;

        if (w->kind == ABSENT)
                return;
        if (w->kind == SYMLINK) {
                ck_assert_int_eq(symlink(w->data, p), 0);
                return;
        }
        fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, w->data, w->len), (ssize_t) w->len);
        if (w->owned && is_root)
                ck_assert_int_eq(fchown(fd, 4242, 4243), 0);
        ck_assert_int_eq(fchmod(fd, w->mode), 0);
}

/* A fresh D with the old set in place (and nothing else). */
static void make_old_set(void) {
        static const char *const dirs[] = {"a", "b", "state"};

        if (D) {
                tu_rmdir_r(D);
                free(D);
        }
        D = tu_tmpdir();
        free(JOURNAL);
        JOURNAL = tu_path(D, "state/install.journal");
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_(freep) char *p = path_of(dirs[i]);
                ck_assert_int_eq(mkdir(p, 0755), 0);
        }
        make_file(&VICTIM);
        for (size_t i = 0; i < N_FILES; i++) {
                _cleanup_(freep) char *p = path_of(OLD_SET[i].name);
                struct stat st;

                make_file(&OLD_SET[i]);
                old_ino[i] = lstat(p, &st) == 0 ? st.st_ino : 0;
        }
}

static void setup(void) {
        is_root = geteuid() == 0;
        D = NULL;
        JOURNAL = NULL;
        make_old_set();
        install_set_step_hook(NULL, NULL);
}

static void teardown(void) {
        install_set_step_hook(NULL, NULL);
        tu_rmdir_r(D);
        free(D);
        free(JOURNAL);
        D = JOURNAL = NULL;
}

/* Whether path is as w says; the reason in why (static) when not. */
static bool file_is(const Want *w, const char **why) {
        _cleanup_(freep) char *p = path_of(w->name);
        static char buf[512];
        char content[4096];
        struct stat st;
        ssize_t k;

        *why = buf;
        if (lstat(p, &st) < 0) {
                snprintf(buf, sizeof buf, "%s: %m", w->name);
                return w->kind == ABSENT && errno == ENOENT;
        }
        if (w->kind == ABSENT) {
                snprintf(buf, sizeof buf, "%s: exists, should not", w->name);
                return false;
        }
        if (w->kind == SYMLINK) {
                k = readlink(p, content, sizeof content);
                snprintf(buf, sizeof buf, "%s: not the symlink to %s", w->name, w->data);
                return S_ISLNK(st.st_mode) && k == (ssize_t) w->len &&
                       memcmp(content, w->data, w->len) == 0;
        }
        snprintf(buf, sizeof buf, "%s: not a regular file", w->name);
        if (!S_ISREG(st.st_mode))
                return false;
        snprintf(buf, sizeof buf, "%s: mode %04o, want %04o", w->name,
                 (unsigned) (st.st_mode & 07777), (unsigned) w->mode);
        if ((st.st_mode & 07777) != w->mode)
                return false;
        snprintf(buf, sizeof buf, "%s: owner %u:%u", w->name, (unsigned) st.st_uid,
                 (unsigned) st.st_gid);
        if (w->owned && is_root ? st.st_uid != 4242 || st.st_gid != 4243 : st.st_uid != geteuid())
                return false;
        {
                _cleanup_(closep) int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                k = fd < 0 ? -1 : read(fd, content, sizeof content);
        }
        snprintf(buf, sizeof buf, "%s: content differs (%zd bytes, want %zu)", w->name, k, w->len);
        return k == (ssize_t) w->len && memcmp(content, w->data, w->len) == 0;
}

/* The names in D/a and D/b that are the transaction's own: temps, backups. */
static int count_leftovers(void) {
        static const char *const dirs[] = {"a", "b"};
        int n = 0;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_(freep) char *p = path_of(dirs[i]);
                DIR *dh = opendir(p);
                struct dirent *de;

                ck_assert_ptr_nonnull(dh);
                while ((de = readdir(dh)))
                        if (strstr(de->d_name, INSTALL_NEW_SUFFIX) ||
                            strstr(de->d_name, INSTALL_OLD_SUFFIX))
                                n++;
                closedir(dh);
        }
        return n;
}

static bool journal_exists(void) {
        struct stat st;
        return lstat(JOURNAL, &st) == 0;
}

#define assert_set(set, src_line)                                                                  \
        do {                                                                                       \
                const char *why_;                                                                  \
                for (size_t i_ = 0; i_ < N_FILES; i_++)                                            \
                        ck_assert_msg(file_is(&(set)[i_], &why_), "line %d: %s", src_line, why_);  \
                ck_assert_msg(file_is(&VICTIM, &why_), "line %d: %s", src_line, why_);             \
        } while (0)

/* The old set, and the very same files (inodes) as before. */
#define assert_old_set()                                                                           \
        do {                                                                                       \
                assert_set(OLD_SET, __LINE__);                                                     \
                for (size_t j_ = 0; j_ < N_FILES; j_++) {                                          \
                        _cleanup_(freep) char *p_ = path_of(OLD_SET[j_].name);                     \
                        struct stat st_;                                                           \
                        if (OLD_SET[j_].kind == ABSENT)                                            \
                                continue;                                                          \
                        ck_assert_int_eq(lstat(p_, &st_), 0);                                      \
                        ck_assert_msg(st_.st_ino == old_ino[j_], "%s: not the same file",          \
                                      OLD_SET[j_].name);                                           \
                }                                                                                  \
        } while (0)
#define assert_new_set() assert_set(NEW_SET, __LINE__)

/* The new set as InstallFiles (paths live until the next call). */
static const InstallFile *new_files(void) {
        static InstallFile f[N_FILES];
        static char *paths[N_FILES];

        for (size_t i = 0; i < N_FILES; i++) {
                free(paths[i]);
                paths[i] = path_of(NEW_SET[i].name);
                f[i] = (InstallFile){
                        .path = paths[i],
                        .data = NEW_SET[i].data,
                        .len = NEW_SET[i].len,
                        .uid = NEW_SET[i].owned && is_root ? 4242 : (uid_t) -1,
                        .gid = NEW_SET[i].owned && is_root ? 4243 : (gid_t) -1,
                        .mode = NEW_SET[i].mode,
                };
        }
        return f;
}

/* ---- the plain paths ------------------------------------------------------ */

START_TEST(test_begin_commit_finish) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *err = NULL;
        _cleanup_(freep) char *tmp = path_of("a/.rem.p12" INSTALL_NEW_SUFFIX);
        _cleanup_(freep) char *bak = path_of("a/.rem.p12" INSTALL_OLD_SUFFIX);
        struct stat st;

        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, &err), 0);
        ck_assert_ptr_null(err);
        /* Nothing in place has changed; staged, backed up, journaled. */
        assert_old_set();
        ck_assert(journal_exists());
        ck_assert_int_eq(lstat(tmp, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0640);
        ck_assert_int_eq(lstat(bak, &st), 0);
        ck_assert_uint_eq(st.st_ino, old_ino[0]);
        /* 4 temps, 3 backups (b/new.pem had no previous file). */
        ck_assert_int_eq(count_leftovers(), 7);

        ck_assert_int_eq(install_commit(t, &err), 0);
        assert_new_set();
        ck_assert(journal_exists());
        ck_assert_int_eq(count_leftovers(), 3); /* the backups */

        ck_assert_int_eq(install_finish(t, &err), 0);
        assert_new_set();
        ck_assert(!journal_exists());
        ck_assert_int_eq(count_leftovers(), 0);
        /* finish twice is harmless; rollback after finish is refused. */
        ck_assert_int_eq(install_finish(t, &err), 0);
        ck_assert_int_eq(install_rollback(t, &err), -ESTALE);
        ck_assert_ptr_nonnull(strstr(err, JOURNAL));
        assert_new_set();
        ck_assert_int_eq(install_recover(JOURNAL, NULL), 0);
}
END_TEST

START_TEST(test_journal_format) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *text = NULL, *want = NULL;
        _cleanup_(freep) char *p0 = path_of("a/rem.p12"), *p3 = path_of("b/new.pem");
        struct stat st;
        size_t len = 0;

        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, NULL), 0);
        ck_assert_int_eq(read_file_path(JOURNAL, 4096, &text, &len), 0);
        ck_assert_int_eq(lstat(JOURNAL, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0600);
        ck_assert_int_gt(asprintf(&want, "certconf-install-journal 1\n+ %s\n", p0), 0);
        ck_assert_int_eq(strncmp(text, want, strlen(want)), 0);
        free(want);
        ck_assert_int_gt(asprintf(&want, "- %s\nend\n", p3), 0);
        ck_assert_str_eq(text + len - strlen(want), want);
        ck_assert_int_eq(install_rollback(t, NULL), 0);
}
END_TEST

START_TEST(test_rollback_restores_old_set) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *err = NULL;

        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, &err), 0);
        ck_assert_int_eq(install_commit(t, &err), 0);
        assert_new_set();
        /* A unit failed with the new files. */
        ck_assert_int_eq(install_rollback(t, &err), 0);
        assert_old_set(); /* b/new.pem, which had no previous file, is gone */
        ck_assert(!journal_exists());
        ck_assert_int_eq(count_leftovers(), 0);
        ck_assert_int_eq(install_rollback(t, &err), 0);
        ck_assert_int_eq(install_finish(t, &err), -ESTALE);
        free(err);
        err = NULL;
        ck_assert_int_eq(install_commit(t, &err), -EINVAL);
        assert_old_set();
        ck_assert_int_eq(install_recover(JOURNAL, NULL), 0);
}
END_TEST

/* A staged transaction abandoned before commit. */
START_TEST(test_rollback_before_commit) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *err = NULL;

        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, &err), 0);
        ck_assert_int_eq(install_finish(t, &err), -EINVAL);
        free(err);
        err = NULL;
        ck_assert_int_eq(install_rollback(t, &err), 0);
        assert_old_set();
        ck_assert(!journal_exists());
        ck_assert_int_eq(count_leftovers(), 0);
}
END_TEST

/* Only paths with no previous file (a first install). */
START_TEST(test_no_previous_file) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *p = path_of("b/first.pem");
        InstallFile f = {p, "first", 5, (uid_t) -1, (gid_t) -1, 0640};
        struct stat st;

        ck_assert_int_eq(install_begin(JOURNAL, &f, 1, &t, NULL), 0);
        ck_assert_int_eq(lstat(p, &st), -1);
        ck_assert_int_eq(install_commit(t, NULL), 0);
        ck_assert_int_eq(lstat(p, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0640);
        ck_assert_int_eq(install_finish(t, NULL), 0);
        ck_assert_int_eq(count_leftovers(), 0);
        t = install_free(t);

        /* And rolled back: the path is gone again. */
        ck_assert_int_eq(unlink(p), 0);
        ck_assert_int_eq(install_begin(JOURNAL, &f, 1, &t, NULL), 0);
        ck_assert_int_eq(install_commit(t, NULL), 0);
        ck_assert_int_eq(install_rollback(t, NULL), 0);
        ck_assert_int_eq(lstat(p, &st), -1);
        ck_assert_int_eq(errno, ENOENT);
        ck_assert_int_eq(count_leftovers(), 0);
        assert_old_set();
}
END_TEST

/* Temps and backups of a crashed run (a temp even planted as a symlink) are
 * removed, never followed. */
START_TEST(test_stale_leftovers_removed) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *tmp = path_of("a/.rem.pem" INSTALL_NEW_SUFFIX);
        _cleanup_(freep) char *bak = path_of("a/.rem.pem" INSTALL_OLD_SUFFIX);
        _cleanup_(freep) char *bak2 = NULL;

        ck_assert_int_eq(symlink("../victim.key", tmp), 0);
        bak2 = tu_write_file(D, "b/.new.pem" INSTALL_OLD_SUFFIX, "stale", 5);
        ck_assert_int_eq(link(bak2, bak), 0);
        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, NULL), 0);
        ck_assert_int_eq(install_commit(t, NULL), 0);
        ck_assert_int_eq(install_finish(t, NULL), 0);
        assert_new_set(); /* the victim too */
        ck_assert_int_eq(count_leftovers(), 0);
}
END_TEST

START_TEST(test_begin_refuses_bad_targets) {
        _cleanup_(freep) char *a = path_of("a/x.pem"), *a2 = path_of("a//x.pem");
        _cleanup_(freep) char *nl = path_of("a/x\n.pem"), *sfx = path_of("a/x" INSTALL_OLD_SUFFIX);
        _cleanup_(freep) char *dot = path_of("a/.");
        static const char *const rel = "a/x.pem";
        struct {
                InstallFile f[2];
                size_t n;
                const char *msg;
        } cases[] = {
                {{{nl, "x", 1, -1, -1, 0600}}, 1, "absolute path without newlines"},
                {{{rel, "x", 1, -1, -1, 0600}}, 1, "absolute path"},
                {{{a, "x", 1, -1, -1, 0600}, {a2, "y", 1, -1, -1, 0600}}, 2, "listed twice"},
                {{{sfx, "x", 1, -1, -1, 0600}}, 1, "temporary files"},
                {{{dot, "x", 1, -1, -1, 0600}}, 1, "not a file name"},
                {{{JOURNAL, "x", 1, -1, -1, 0600}}, 1, "the install journal is a target"},
                {{{a, "x", 1, -1, -1, 010600}}, 1, "invalid mode"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Install *t = NULL;
                char *err = NULL;

                ck_assert_int_eq(install_begin(JOURNAL, cases[i].f, cases[i].n, &t, &err), -EINVAL);
                ck_assert_ptr_null(t);
                ck_assert_msg(err && strstr(err, cases[i].msg), "case %zu: %s", i, strna(err));
                free(err);
        }
        ck_assert(!journal_exists());
        ck_assert_int_eq(count_leftovers(), 0);
        assert_old_set();
}
END_TEST

/* An unfinished transaction's journal blocks the next one. */
START_TEST(test_begin_busy) {
        _cleanup_(install_freep) Install *t = NULL, *t2 = NULL;
        _cleanup_(freep) char *err = NULL;

        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, NULL), 0);
        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t2, &err), -EBUSY);
        ck_assert_ptr_null(t2);
        ck_assert_ptr_nonnull(strstr(err, JOURNAL));
        /* The first transaction's staging was left alone. */
        ck_assert_int_eq(count_leftovers(), 7);
        ck_assert_int_eq(install_commit(t, NULL), 0);
        ck_assert_int_eq(install_finish(t, NULL), 0);
        assert_new_set();
}
END_TEST

/* A failure in the middle of begin (the last target's directory): nothing
 * changed, nothing left behind, the error names the directory. */
static void expect_begin_fails(const char *last_path, int want_r, const char *want_err) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *err = NULL;
        InstallFile f[N_FILES + 1];

        memcpy(f, new_files(), sizeof(InstallFile) * N_FILES);
        f[N_FILES] = (InstallFile){last_path, "z", 1, (uid_t) -1, (gid_t) -1, 0600};
        ck_assert_int_eq(install_begin(JOURNAL, f, N_FILES + 1, &t, &err), want_r);
        ck_assert_ptr_null(t);
        ck_assert_ptr_nonnull(err);
        ck_assert_str_eq(err, want_err);
        assert_old_set();
        ck_assert(!journal_exists());
        ck_assert_int_eq(count_leftovers(), 0);
}

START_TEST(test_begin_fails_missing_directory) {
        _cleanup_(freep) char *p = path_of("nodir/x.pem"), *d = path_of("nodir");
        _cleanup_(freep) char *want = NULL;

        ck_assert_int_gt(asprintf(&want,
                                  "%s: No such file or directory (create it or fix the target "
                                  "path in the agent configuration)",
                                  d),
                         0);
        expect_begin_fails(p, -ENOENT, want);
}
END_TEST

START_TEST(test_begin_fails_parent_is_file) {
        _cleanup_(freep) char *p = path_of("a/rem.pem/x.pem"), *d = path_of("a/rem.pem");
        _cleanup_(freep) char *want = NULL;

        ck_assert_int_gt(asprintf(&want,
                                  "%s: Not a directory (create it or fix the target path in the "
                                  "agent configuration)",
                                  d),
                         0);
        expect_begin_fails(p, -ENOTDIR, want);
}
END_TEST

START_TEST(test_begin_fails_target_is_directory) {
        _cleanup_(freep) char *p = path_of("b/sub"), *want = NULL;

        ck_assert_int_eq(mkdir(p, 0755), 0);
        ck_assert_int_gt(asprintf(&want, "%s: Is a directory", p), 0);
        expect_begin_fails(p, -EISDIR, want);
}
END_TEST

START_TEST(test_begin_fails_read_only_directory) {
        _cleanup_(freep) char *d = path_of("ro"), *p = path_of("ro/x.pem");

        if (is_root) {
                fprintf(stderr, "test_begin_fails_read_only_directory: SKIPPED (root: chmod 0500 "
                                "does not stop root; test_enospc_erofs_on_tmpfs covers it)\n");
                return;
        }
        ck_assert_int_eq(mkdir(d, 0500), 0);
        {
                _cleanup_(install_freep) Install *t = NULL;
                _cleanup_(freep) char *err = NULL;
                InstallFile f[N_FILES + 1];

                memcpy(f, new_files(), sizeof(InstallFile) * N_FILES);
                f[N_FILES] = (InstallFile){p, "z", 1, (uid_t) -1, (gid_t) -1, 0600};
                ck_assert_int_eq(install_begin(JOURNAL, f, N_FILES + 1, &t, &err), -EACCES);
                ck_assert_ptr_nonnull(err);
                ck_assert_msg(strncmp(err, p, strlen(p)) == 0, "%s", err);
                ck_assert_ptr_nonnull(strstr(err, "Permission denied"));
        }
        assert_old_set();
        ck_assert(!journal_exists());
        ck_assert_int_eq(count_leftovers(), 0);
        ck_assert_int_eq(chmod(d, 0700), 0);
}
END_TEST

/* The state directory (the journal's) missing: staged files removed. */
START_TEST(test_begin_fails_journal_directory) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *err = NULL, *j = path_of("nostate/install.journal");

        ck_assert_int_eq(install_begin(j, new_files(), N_FILES, &t, &err), -ENOENT);
        ck_assert_ptr_nonnull(strstr(err, "nostate"));
        assert_old_set();
        ck_assert_int_eq(count_leftovers(), 0);
}
END_TEST

/* The third rename fails (its target became a non-empty directory after
 * begin): the two renamed files are put back, the rest never moved. */
START_TEST(test_commit_failure_rolls_back) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *err = NULL, *p = path_of("b/rem.key"), *inner = NULL;
        struct stat st;

        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, &err), 0);
        ck_assert_int_eq(unlink(p), 0);
        ck_assert_int_eq(mkdir(p, 0755), 0);
        inner = tu_write_file(p, "inner", "i", 1);

        ck_assert_int_eq(install_commit(t, &err), -EISDIR);
        ck_assert_ptr_nonnull(err);
        ck_assert_int_eq(strncmp(err, p, strlen(p)), 0);
        ck_assert_ptr_nonnull(strstr(err, "Is a directory"));

        for (size_t i = 0; i < N_FILES; i++) {
                const char *why;
                if (i == 2)
                        continue;
                ck_assert_msg(file_is(&OLD_SET[i], &why), "%s", why);
        }
        ck_assert_int_eq(lstat(inner, &st), 0); /* not ours: left alone */
        ck_assert(!journal_exists());
        ck_assert_int_eq(count_leftovers(), 0);
        /* Already rolled back. */
        ck_assert_int_eq(install_rollback(t, NULL), 0);
        ck_assert_int_eq(install_finish(t, NULL), -ESTALE);
}
END_TEST

/* ---- recovery and damaged journals ------------------------------------------ */

START_TEST(test_recover_nothing) {
        _cleanup_(freep) char *err = NULL;

        ck_assert_int_eq(install_recover(JOURNAL, &err), 0);
        ck_assert_ptr_null(err);
        assert_old_set();
}
END_TEST

/* The agent died after commit (units were being restarted). */
START_TEST(test_recover_after_commit_twice) {
        Install *t = NULL;

        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, NULL), 0);
        ck_assert_int_eq(install_commit(t, NULL), 0);
        t = install_free(t); /* frees, removes nothing */
        assert_new_set();
        ck_assert(journal_exists());
        ck_assert_int_eq(install_recover(JOURNAL, NULL), 1);
        assert_old_set();
        ck_assert(!journal_exists());
        ck_assert_int_eq(count_leftovers(), 0);
        ck_assert_int_eq(install_recover(JOURNAL, NULL), 0);
        assert_old_set();
}
END_TEST

/* tmpl (len bytes, NULs allowed) with every '@' replaced by path. */
static char *fill(const char *tmpl, size_t len, const char *path, size_t *ret_len) {
        char *out = malloc(len * (strlen(path) + 1) + 1), *o = out;

        ck_assert_ptr_nonnull(out);
        for (size_t i = 0; i < len; i++)
                if (tmpl[i] == '@')
                        o = stpcpy(o, path);
                else
                        *o++ = tmpl[i];
        *ret_len = (size_t) (o - out);
        return out;
}

START_TEST(test_recover_damaged_journal) {
        _cleanup_(freep) char *p0 = path_of("a/rem.p12"), *good = NULL;
        static const struct {
                const char *tmpl;
                size_t len;
                const char *where;
        } cases[] = {
                {BIN("garbage\n"), "line 1"},
                {BIN("certconf-install-journal 2\n+ @\nend\n"), "line 1"},
                {BIN("certconf-install-journal 1\n+ @\n"), "line 2: no \"end\""},
                {BIN("certconf-install-journal 1\n+ @\nend"), "line 3: the last line is cut"},
                {BIN("certconf-install-journal 1\n* @\nend\n"), "line 2"},
                {BIN("certconf-install-journal 1\n+ relative/x\nend\n"), "line 2"},
                {BIN("certconf-install-journal 1\n+ /etc/\nend\n"), "line 2: not a target"},
                {BIN("certconf-install-journal 1\nend\n+ @\n"), "line 3: text after"},
                {BIN("certconf-install-journal 1\n+ @\0\nend\n"), "a NUL byte"},
                {BIN(""), "empty"},
        };
        size_t len;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *err = NULL, *j = NULL;
                _cleanup_(freep) char *text = fill(cases[i].tmpl, cases[i].len, p0, &len);

                j = tu_write_file(D, "state/install.journal", text, len);
                ck_assert_int_eq(install_recover(JOURNAL, &err), -EBADMSG);
                ck_assert_msg(err && strncmp(err, JOURNAL, strlen(JOURNAL)) == 0 &&
                                      strstr(err, cases[i].where),
                              "case %zu: %s", i, strna(err));
                /* Left for the operator; nothing touched. */
                ck_assert(journal_exists());
                assert_old_set();
                ck_assert_int_eq(unlink(j), 0);
        }

        /* Near miss: the same journal, whole, is recovered. */
        good = fill(BIN("certconf-install-journal 1\n+ @\nend\n"), p0, &len);
        free(tu_write_file(D, "state/install.journal", good, len));
        ck_assert_int_eq(install_recover(JOURNAL, NULL), 1);
        ck_assert(!journal_exists());
        assert_old_set();
}
END_TEST

/* A journal naming a directory that has since been removed. */
START_TEST(test_recover_directory_gone) {
        _cleanup_(freep) char *p = path_of("gone/x.pem"), *text = NULL;

        ck_assert_int_gt(asprintf(&text, "certconf-install-journal 1\n+ %s\nend\n", p), 0);
        free(tu_write_file(D, "state/install.journal", text, strlen(text)));
        ck_assert_int_eq(install_recover(JOURNAL, NULL), 1);
        ck_assert(!journal_exists());
}
END_TEST

/* ---- SIGKILL after every step --------------------------------------------------
 *
 * A child process runs the transaction with a step hook that _exit()s at the
 * Kth step (no cleanup handlers, no buffers flushed: what a SIGKILL leaves);
 * the parent then recovers and checks the files. */

typedef enum Scenario { RUN_FINISH, RUN_ROLLBACK } Scenario;

static int crash_at, steps_seen;
static char step_names[128][64];

static void crash_hook(const char *name, const char *path, void *userdata) {
        (void) path, (void) userdata;
        if (steps_seen < (int) ELEMENTSOF(step_names))
                snprintf(step_names[steps_seen], sizeof step_names[0], "%s", name);
        if (++steps_seen == crash_at)
                _exit(CRASH_EXIT);
}

/* Runs in the child: 0 when it ran to the end, 1 on an unexpected error. */
static int run_transaction(Scenario s) {
        Install *t = NULL;

        if (install_begin(JOURNAL, new_files(), N_FILES, &t, NULL) < 0)
                return 1;
        if (install_commit(t, NULL) < 0)
                return 1;
        if ((s == RUN_FINISH ? install_finish(t, NULL) : install_rollback(t, NULL)) < 0)
                return 1;
        install_free(t);
        return 0;
}

/* Forks; in the child sets the hook to crash at step k and runs fn. Returns
 * the child's exit code (CRASH_EXIT: it died at step k). */
static int run_in_child(int k, int (*fn)(Scenario), Scenario s) {
        pid_t pid;
        int status;

        fflush(NULL);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                crash_at = k;
                steps_seen = 0;
                install_set_step_hook(crash_hook, NULL);
                _exit(fn(s));
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        return WEXITSTATUS(status);
}

/* The steps of a whole run, in order (a dry run in this process). */
static int count_steps(Scenario s) {
        crash_at = -1;
        steps_seen = 0;
        install_set_step_hook(crash_hook, NULL);
        ck_assert_int_eq(run_transaction(s), 0);
        install_set_step_hook(NULL, NULL);
        make_old_set();
        return steps_seen;
}

static int index_of_step(int n, const char *name) {
        for (int i = 0; i < n; i++)
                if (streq(step_names[i], name))
                        return i + 1;
        ck_abort_msg("no step %s", name);
        return -1;
}

/* After recovery: exactly the old or the new set, no leftovers once the
 * journal was acted on, and a second recovery and a new install converge. */
static void recover_and_check(int k, bool want_new, const char *step) {
        bool had_journal = journal_exists();
        _cleanup_(freep) char *err = NULL;
        Install *t = NULL;
        int r;

        r = install_recover(JOURNAL, &err);
        ck_assert_msg(r == (had_journal ? 1 : 0), "crash after step %d (%s): recover %d %s", k,
                      step, r, strna(err));
        if (want_new)
                assert_new_set();
        else
                assert_old_set();
        ck_assert(!journal_exists());
        if (had_journal)
                ck_assert_msg(count_leftovers() == 0, "crash after step %d (%s)", k, step);
        ck_assert_int_eq(install_recover(JOURNAL, NULL), 0);

        /* The agent converges: it installs the upload again. */
        ck_assert_int_eq(install_begin(JOURNAL, new_files(), N_FILES, &t, NULL), 0);
        ck_assert_int_eq(install_commit(t, NULL), 0);
        ck_assert_int_eq(install_finish(t, NULL), 0);
        t = install_free(t);
        assert_new_set();
        ck_assert_int_eq(count_leftovers(), 0);
}

START_TEST(test_crash_at_every_step_of_install) {
        int n = count_steps(RUN_FINISH), final;

        /* 4 files: 4x(stale temp, stale backup, temp) + 3 backups + synced
         * + journal (17), 4 renames + synced (5), finish 2 + 3 backups (5). */
        ck_assert_int_eq(n, 27);
        final = index_of_step(n, "finish: journal removed");
        for (int k = 1; k <= n; k++) {
                const char *step = step_names[k - 1]; /* only children step now */

                ck_assert_int_eq(run_in_child(k, run_transaction, RUN_FINISH), CRASH_EXIT);
                recover_and_check(k, k >= final, step);
                make_old_set();
        }
        /* Not killed at all: the new set, nothing to recover. */
        ck_assert_int_eq(run_in_child(n + 1, run_transaction, RUN_FINISH), 0);
        ck_assert_int_eq(install_recover(JOURNAL, NULL), 0);
        assert_new_set();
        ck_assert_int_eq(count_leftovers(), 0);
}
END_TEST

/* Killed while rolling back (a unit failed with the new files). */
START_TEST(test_crash_at_every_step_of_rollback) {
        int n = count_steps(RUN_ROLLBACK), first;

        first = index_of_step(n, "commit: directories synced") + 1;
        ck_assert_int_ge(n - first, 10);
        for (int k = first; k <= n; k++) {
                const char *step = step_names[k - 1]; /* only children step now */

                ck_assert_int_eq(run_in_child(k, run_transaction, RUN_ROLLBACK), CRASH_EXIT);
                recover_and_check(k, false, step);
                make_old_set();
        }
        ck_assert_int_eq(run_in_child(n + 1, run_transaction, RUN_ROLLBACK), 0);
        ck_assert(!journal_exists());
        assert_old_set();
        ck_assert_int_eq(count_leftovers(), 0);
}
END_TEST

static int run_recover(Scenario s) {
        (void) s;
        return install_recover(JOURNAL, NULL) == 1 ? 0 : 1;
}

/* Killed at step K of the install, then killed again at step J of the
 * recovery, for every K that leaves a journal and every J: the next recovery
 * still gives the old set. */
START_TEST(test_crash_during_recovery) {
        int n = count_steps(RUN_FINISH), from, to, pairs = 0;

        from = index_of_step(n, "begin: journal written");
        to = index_of_step(n, "commit: directories synced");
        for (int k = from; k <= to; k++) {
                for (int j = 1;; j++) {
                        int rc;

                        ck_assert_int_eq(run_in_child(k, run_transaction, RUN_FINISH), CRASH_EXIT);
                        ck_assert(journal_exists());
                        rc = run_in_child(j, run_recover, RUN_FINISH);
                        if (rc == 0) { /* the recovery ran to its end before step j */
                                ck_assert_int_gt(j, 8);
                                ck_assert(!journal_exists());
                                assert_old_set();
                                make_old_set();
                                break;
                        }
                        ck_assert_int_eq(rc, CRASH_EXIT);
                        recover_and_check(k * 100 + j, false, "recovery");
                        make_old_set();
                        pairs++;
                }
        }
        ck_assert_int_ge(pairs, (to - from + 1) * 8);
}
END_TEST

/* ---- ENOSPC and EROFS on a 64 KiB tmpfs (root, private mount namespace) ---- */

#define CHILD_CHECK(x)                                                                             \
        do {                                                                                       \
                if (!(x)) {                                                                        \
                        fprintf(stderr, "%s:%d: in the namespaced child: %s\n", __FILE__,          \
                                __LINE__, #x);                                                     \
                        _exit(10);                                                                 \
                }                                                                                  \
        } while (0)

static bool starts_with(const char *s, const char *prefix) {
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* In the child: a, b as before, plus "small" (a 64 KiB tmpfs) holding one
 * more target. Returns 0 when every check held. */
static int tmpfs_child(void) {
        _cleanup_(freep) char *small = path_of("small"), *p = path_of("small/big.p12");
        static char big[128 * 1024];
        InstallFile f[N_FILES + 1];
        char content[16];
        int fd;

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                fprintf(stderr, "unshare/mount --make-rprivate: %m\n");
                _exit(3);
        }
        if (mount("tmpfs", small, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") < 0) {
                fprintf(stderr, "mount tmpfs: %m\n");
                _exit(4);
        }
        fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        CHILD_CHECK(fd >= 0 && write(fd, "old", 3) == 3 && close(fd) == 0);

        memset(big, 'x', sizeof big);
        memcpy(f, new_files(), sizeof(InstallFile) * N_FILES);
        f[N_FILES] = (InstallFile){p, big, sizeof big, (uid_t) -1, (gid_t) -1, 0600};

        /* ENOSPC while writing the temp. */
        {
                Install *t = NULL;
                char *err = NULL;
                char want[512];
                const char *why;

                snprintf(want, sizeof want, "%s: No space left on device", p);
                CHILD_CHECK(install_begin(JOURNAL, f, N_FILES + 1, &t, &err) == -ENOSPC);
                CHILD_CHECK(t == NULL);
                if (!err || !streq(err, want))
                        fprintf(stderr, "error: %s\n", strna(err));
                CHILD_CHECK(err && streq(err, want));
                free(err);
                for (size_t i = 0; i < N_FILES; i++)
                        CHILD_CHECK(file_is(&OLD_SET[i], &why));
                CHILD_CHECK(!journal_exists());
                CHILD_CHECK(count_leftovers() == 0);
                fd = open(p, O_RDONLY | O_CLOEXEC);
                CHILD_CHECK(fd >= 0 && read(fd, content, sizeof content) == 3 && close(fd) == 0);
                CHILD_CHECK(memcmp(content, "old", 3) == 0);
                CHILD_CHECK(access(small, F_OK) == 0);
                {
                        DIR *dh = opendir(small);
                        struct dirent *de;
                        int names = 0;

                        CHILD_CHECK(dh);
                        while ((de = readdir(dh)))
                                names += !streq(de->d_name, ".") && !streq(de->d_name, "..");
                        closedir(dh);
                        CHILD_CHECK(names == 1); /* big.p12 only: no temp left */
                }
        }

        /* EROFS: the file system goes read-only. */
        CHILD_CHECK(mount(NULL, small, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                          "size=64k") == 0);
        f[N_FILES].len = 16;
        {
                Install *t = NULL;
                char *err = NULL;
                const char *why;

                CHILD_CHECK(install_begin(JOURNAL, f, N_FILES + 1, &t, &err) == -EROFS);
                if (!starts_with(err, p) || !strstr(err, "Read-only file system"))
                        fprintf(stderr, "error: %s\n", strna(err));
                CHILD_CHECK(starts_with(err, p) && strstr(err, "Read-only file system"));
                free(err);
                for (size_t i = 0; i < N_FILES; i++)
                        CHILD_CHECK(file_is(&OLD_SET[i], &why));
                CHILD_CHECK(!journal_exists());
                CHILD_CHECK(count_leftovers() == 0);
        }

        /* The journal's file system full: the error names the journal. */
        CHILD_CHECK(mount(NULL, small, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, "size=64k") == 0);
        {
                _cleanup_(freep) char *j = path_of("small/install.journal");
                _cleanup_(freep) char *filler = path_of("small/filler");
                Install *t = NULL;
                char *err = NULL;
                const char *why;

                CHILD_CHECK(unlink(p) == 0);
                fd = open(filler, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                CHILD_CHECK(fd >= 0);
                while (write(fd, big, sizeof big) > 0)
                        ;
                CHILD_CHECK(errno == ENOSPC && close(fd) == 0);
                CHILD_CHECK(install_begin(j, new_files(), N_FILES, &t, &err) == -ENOSPC);
                if (!starts_with(err, j))
                        fprintf(stderr, "error: %s\n", strna(err));
                CHILD_CHECK(starts_with(err, j) && strstr(err, "No space left on device"));
                free(err);
                for (size_t i = 0; i < N_FILES; i++)
                        CHILD_CHECK(file_is(&OLD_SET[i], &why));
                CHILD_CHECK(access(j, F_OK) < 0 && errno == ENOENT);
                CHILD_CHECK(count_leftovers() == 0);
        }
        return 0;
}

START_TEST(test_enospc_erofs_on_tmpfs) {
        _cleanup_(freep) char *small = path_of("small");
        pid_t pid;
        int status;

        if (!is_root) {
                fprintf(stderr, "test_enospc_erofs_on_tmpfs: SKIPPED (not root): mounting a "
                                "64 KiB tmpfs in a private mount namespace needs CAP_SYS_ADMIN; "
                                "ENOSPC, EROFS and a full state directory are NOT tested\n");
                return;
        }
        ck_assert_int_eq(mkdir(small, 0755), 0);
        fflush(NULL);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                _exit(tmpfs_child());
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        /* As root it must really have run: 3/4 are unshare/mount failures. */
        ck_assert_msg(WEXITSTATUS(status) == 0, "namespaced child exited %d (see stderr)",
                      WEXITSTATUS(status));
        /* The mount died with the namespace; this side never saw it. */
        assert_old_set();
        ck_assert_int_eq(rmdir(small), 0);
}
END_TEST

static Suite *install_suite(void) {
        Suite *s = suite_create("install");
        TCase *tc = tcase_create("transaction");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_begin_commit_finish);
        tcase_add_test(tc, test_journal_format);
        tcase_add_test(tc, test_rollback_restores_old_set);
        tcase_add_test(tc, test_rollback_before_commit);
        tcase_add_test(tc, test_no_previous_file);
        tcase_add_test(tc, test_stale_leftovers_removed);
        tcase_add_test(tc, test_begin_refuses_bad_targets);
        tcase_add_test(tc, test_begin_busy);
        tcase_add_test(tc, test_begin_fails_missing_directory);
        tcase_add_test(tc, test_begin_fails_parent_is_file);
        tcase_add_test(tc, test_begin_fails_target_is_directory);
        tcase_add_test(tc, test_begin_fails_read_only_directory);
        tcase_add_test(tc, test_begin_fails_journal_directory);
        tcase_add_test(tc, test_commit_failure_rolls_back);
        tcase_add_test(tc, test_enospc_erofs_on_tmpfs);
        suite_add_tcase(s, tc);

        tc = tcase_create("recovery");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 300);
        tcase_add_test(tc, test_recover_nothing);
        tcase_add_test(tc, test_recover_after_commit_twice);
        tcase_add_test(tc, test_recover_damaged_journal);
        tcase_add_test(tc, test_recover_directory_gone);
        tcase_add_test(tc, test_crash_at_every_step_of_install);
        tcase_add_test(tc, test_crash_at_every_step_of_rollback);
        tcase_add_test(tc, test_crash_during_recovery);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(install_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
