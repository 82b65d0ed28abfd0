#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

/* The buffer being filled: it may hold a private key, so every copy is wiped
 * before it is freed, on every path. */
typedef struct ReadBuf {
        char *p;
        size_t size;
} ReadBuf;

static void read_buf_erase(ReadBuf *b) {
        erase_and_free(b->p, b->size);
        *b = (ReadBuf){};
}

/* Grows b to size bytes: a new buffer, the first len bytes copied, the old
 * one wiped and freed (realloc() would free it without wiping). */
static int read_buf_grow(ReadBuf *b, size_t len, size_t size) {
        char *n = malloc(size);

        if (!n)
                return -ENOMEM;
        memcpy(n, b->p, len);
        erase_and_free(b->p, b->size);
        b->p = n;
        b->size = size;
        return 0;
}

static int read_fd(int fd, size_t max, char **ret, size_t *ret_len) {
        _cleanup_(read_buf_erase) ReadBuf buf = {};
        struct stat st;
        size_t len = 0, allocated;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((size_t) st.st_size > max)
                return -EFBIG;

        /* The size may change under us (and is 0 for files in /proc): read
         * until EOF, never past max. allocated bytes are read into, one more
         * holds the NUL. */
        allocated = (size_t) st.st_size + 1;
        buf.p = malloc(allocated + 1);
        if (!buf.p)
                return -ENOMEM;
        buf.size = allocated + 1;
        for (;;) {
                ssize_t k;

                if (len >= allocated) {
                        if (len > max)
                                return -EFBIG;
                        size_t a = allocated * 2 > max + 1 ? max + 1 : allocated * 2;
                        if (a <= allocated)
                                a = allocated + 1;
                        r = read_buf_grow(&buf, len, a + 1);
                        if (r < 0)
                                return r;
                        allocated = a;
                }
                k = read(fd, buf.p + len, allocated - len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        if (len > max)
                return -EFBIG;
        buf.p[len] = 0;
        *ret = TAKE_PTR(buf.p);
        *ret_len = len;
        return 0;
}

int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len) {
        _cleanup_(closep) int fd = -1;

        fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        return read_fd(fd, max, ret, ret_len);
}

int read_file_path(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_(closep) int fd = -1;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        return read_fd(fd, max, ret, ret_len);
}

int path_split(const char *path, char **ret_dir, char **ret_base) {
        _cleanup_(freep) char *dir = NULL, *base = NULL;
        const char *slash = strrchr(path, '/');
        const char *b = slash ? slash + 1 : path;

        if (!*b || streq(b, ".") || streq(b, ".."))
                return -EINVAL;
        if (!slash)
                dir = strdup(".");
        else if (slash == path)
                dir = strdup("/");
        else
                dir = strndup(path, (size_t) (slash - path));
        base = strdup(b);
        if (!dir || !base)
                return -ENOMEM;
        *ret_dir = TAKE_PTR(dir);
        *ret_base = TAKE_PTR(base);
        return 0;
}

int hidden_name(const char *base, const char *suffix, char **ret) {
        char *n;

        if (1 + strlen(base) + strlen(suffix) > NAME_MAX)
                return -ENAMETOOLONG;
        if (asprintf(&n, ".%s%s", base, suffix) < 0)
                return -ENOMEM;
        *ret = n;
        return 0;
}

int open_directory(const char *dir) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        return fd < 0 ? -errno : fd;
}

static int write_all(int fd, const void *data, size_t len) {
        const char *p = data;

        while (len > 0) {
                ssize_t k = write(fd, p, len);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                len -= (size_t) k;
        }
        return 0;
}

/* Owner and group first: fchown() clears set-id bits, and the content must
 * never be readable under the wrong owner; the mode is 0600 until then. */
static int fill_temp(int fd, const void *data, size_t len, uid_t uid, gid_t gid, mode_t mode) {
        int r;

        if ((uid != (uid_t) -1 || gid != (gid_t) -1) && fchown(fd, uid, gid) < 0)
                return -errno;
        if (fchmod(fd, mode) < 0)
                return -errno;
        r = write_all(fd, data, len);
        if (r < 0)
                return r;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

int write_temp_file_at(int dirfd, const char *name, const void *data, size_t len, uid_t uid,
                       gid_t gid, mode_t mode) {
        _cleanup_(closep) int fd = -1;
        int r;

        if (mode & ~(mode_t) 07777)
                return -EINVAL;
        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
                    0600);
        if (fd < 0)
                return -errno;
        r = fill_temp(fd, data, len, uid, gid, mode);
        if (r < 0) {
                (void) unlinkat(dirfd, name, 0);
                return r;
        }
        return 0;
}

int fsync_directory_of(const char *path) {
        _cleanup_(freep) char *dir = NULL, *base = NULL;
        _cleanup_(closep) int dfd = -1;
        int r;

        r = path_split(path, &dir, &base);
        if (r < 0)
                return r;
        dfd = open_directory(dir);
        if (dfd < 0)
                return dfd;
        if (fsync(dfd) < 0)
                return -errno;
        return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, uid_t uid, gid_t gid,
                      mode_t mode) {
        _cleanup_(freep) char *dir = NULL, *base = NULL, *tmp = NULL;
        _cleanup_(closep) int dfd = -1;
        int r;

        r = path_split(path, &dir, &base);
        if (r < 0)
                return r;
        r = hidden_name(base, FILEIO_TEMP_SUFFIX, &tmp);
        if (r < 0)
                return r;
        dfd = open_directory(dir);
        if (dfd < 0)
                return dfd;
        /* A leftover of a run that died here; unlink() removes a symlink
         * planted there, it does not follow it. */
        if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT)
                return -errno;
        r = write_temp_file_at(dfd, tmp, data, len, uid, gid, mode);
        if (r < 0)
                return r;
        if (renameat(dfd, tmp, dfd, base) < 0) {
                r = -errno;
                (void) unlinkat(dfd, tmp, 0);
                return r;
        }
        if (fsync(dfd) < 0)
                return -errno;
        return 0;
}
