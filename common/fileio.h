#pragma once
/* fileio: read regular files safely (O_NOFOLLOW|O_CLOEXEC, size-limited).
 * Returns >= 0 or negative errno; never logs; ret_ set only on success. */

#include <stddef.h>

/* Reads the regular file `name` relative to dirfd (AT_FDCWD for a plain path).
 * Refuses a symlink as the last component (-ELOOP), a directory (-EISDIR),
 * anything else not a regular file (-EBADFD), and a file larger than max
 * (-EFBIG). The buffer is NUL-terminated (not counted in *ret_len). */
int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len);

/* read_file_at(AT_FDCWD, …), following symlinks: for paths an operator names
 * on the command line. */
int read_file_path(const char *path, size_t max, char **ret, size_t *ret_len);
