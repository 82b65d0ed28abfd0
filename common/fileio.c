#include <fcntl.h>
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
