#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

static int read_fd(int fd, size_t max, char **ret, size_t *ret_len) {
        _cleanup_(freep) char *buf = NULL;
        struct stat st;
        size_t len = 0, allocated;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((size_t) st.st_size > max)
                return -EFBIG;

        /* The size may change under us: read until EOF, never past max. */
        allocated = (size_t) st.st_size + 1;
        buf = malloc(allocated + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k;

                if (len >= allocated) {
                        if (len > max)
                                return -EFBIG;
                        size_t a = allocated * 2 > max + 1 ? max + 1 : allocated * 2;
                        if (a <= allocated)
                                a = allocated + 1;
                        char *n = realloc(buf, a + 1);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                        allocated = a;
                }
                k = read(fd, buf + len, allocated - len);
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
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
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
