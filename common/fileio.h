#pragma once
/* fileio: read regular files safely (O_NOFOLLOW|O_CLOEXEC, size-limited) and
 * write them atomically (temp in the same directory, fsync, rename, fsync of
 * the directory). Returns >= 0 or negative errno; never logs; ret_ set only
 * on success. */

#include <stddef.h>
#include <sys/types.h>

/* Reads the regular file `name` relative to dirfd (AT_FDCWD for a plain path).
 * Refuses a symlink as the last component (-ELOOP), a directory (-EISDIR),
 * anything else not a regular file (-EBADFD), and a file larger than max
 * (-EFBIG). The buffer is NUL-terminated (not counted in *ret_len). */
int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len);

/* read_file_at(AT_FDCWD, …), following symlinks: for paths an operator names
 * on the command line. */
int read_file_path(const char *path, size_t max, char **ret, size_t *ret_len);

/* Writing. Every file the agent writes goes through write_file_atomic(), or,
 * for a set of files that must change together, through common/install.h,
 * which is built from the pieces below. One writer per path (the agent holds
 * its lock): the temp names are fixed so that a crashed run's leftovers are
 * found and removed, never accumulated. */

/* The temp of dir/base is dir/.<base>.certconf-new. */
#define FILEIO_TEMP_SUFFIX ".certconf-new"

/* Splits path into its directory ("." for a bare name, "/" for "/x") and its
 * last component. -EINVAL for a path whose last component is empty, "." or
 * ".." ("", "/", "/etc/x/"). */
int path_split(const char *path, char **ret_dir, char **ret_base);

/* ".<base><suffix>": the hidden name of a temp or backup of base in its own
 * directory. -ENAMETOOLONG when it would not fit in NAME_MAX. */
int hidden_name(const char *base, const char *suffix, char **ret);

/* Opens dir O_RDONLY|O_DIRECTORY|O_CLOEXEC (following symlinks: the operator
 * names it). Returns the fd or negative errno (-ENOENT, -ENOTDIR, ...). */
int open_directory(const char *dir);

/* Creates name in dirfd with O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC|O_NOFOLLOW and
 * mode 0600, fchown(uid, gid) when either is not (uid_t/gid_t) -1, fchmod(mode)
 * (exactly: the umask does not apply), writes all of data, fsyncs. An
 * existing name (a stale temp, a symlink planted there) is -EEXIST: the
 * caller removes stale temps first. On failure name is removed. mode must fit
 * in 07777 (-EINVAL). */
int write_temp_file_at(int dirfd, const char *name, const void *data, size_t len, uid_t uid,
                       gid_t gid, mode_t mode);

/* fsync()s the directory that holds path (its entries: creations, renames,
 * unlinks in it become durable). */
int fsync_directory_of(const char *path);

/* Writes data to path atomically: removes a stale temp of an earlier crashed
 * run, writes the temp (write_temp_file_at()), renameat()s it over path,
 * fsyncs the directory. A symlink at path is replaced, never written
 * through. On failure before the rename the temp is removed and path is
 * untouched; only a failing fsync of the directory after the rename (EIO)
 * returns an error with the new file already in place. A missing directory
 * is -ENOENT: nothing creates directories. */
int write_file_atomic(const char *path, const void *data, size_t len, uid_t uid, gid_t gid,
                      mode_t mode);
