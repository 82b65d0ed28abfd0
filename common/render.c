/* render: one switch over the target formats; each format is a sequence of
 * pieces (certificates, the key) written to one memory BIO, so a combined
 * format is a new case listing its pieces. */

#include <stdarg.h>

#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "fileio.h"
#include "keystore.h"
#include "render.h"
#include "state.h"

static void erase_strp(char **p) {
        if (*p)
                erase_and_free(*p, strlen(*p));
        *p = NULL;
}

/* A file's contents, wiped in full (a NUL inside may hide bytes from strlen()). */
typedef struct Secret {
        char *p;
        size_t len;
} Secret;

static void secret_erase(Secret *s) {
        if (s->p)
                erase_and_free(s->p, s->len + 1);
        *s = (Secret){};
}

/* Sets *ret_error (when wanted) to the formatted message and returns r. */
_printf_(3, 4) static int operator_error(int r, char **ret_error, const char *fmt, ...) {
        va_list ap;
        char *m = NULL;

        if (!ret_error)
                return r;
        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0)
                m = NULL;
        va_end(ap);
        if (!m)
                return -ENOMEM;
        *ret_error = m;
        return r;
}

int render_read_password(const char *path, char **ret, char **ret_error) {
        _cleanup_(secret_erase) Secret file = {};
        const char *data;
        size_t len, n;
        char *pw;
        int r;

        if (!path || !ret)
                return -EINVAL;

        r = read_file_path(path, RENDER_PASSWORD_FILE_MAX, &file.p, &file.len);
        if (r == -EFBIG)
                return operator_error(r, ret_error,
                                      "Keystore password file '%s' is larger than %d bytes: put "
                                      "only the keystore password in it, on its first line.",
                                      path, RENDER_PASSWORD_FILE_MAX);
        if (r < 0)
                return operator_error(r, ret_error,
                                      "Cannot read keystore password file '%s': %s; create it "
                                      "(readable by certconfd only) with the keystore password "
                                      "on its first line.",
                                      path, strerror(-r));

        data = file.p;
        len = file.len;
        n = strcspn(data, "\n"); /* stops at a NUL too */
        if (n < len && data[n] == '\0')
                return operator_error(-EINVAL, ret_error,
                                      "Keystore password file '%s' has a NUL byte in its first "
                                      "line: write the keystore password there as text.",
                                      path);
        if (n > 0 && data[n - 1] == '\r')
                n--;
        if (n == 0)
                return operator_error(-EINVAL, ret_error,
                                      "Keystore password file '%s' has an empty first line: "
                                      "write the keystore password on its first line.",
                                      path);

        pw = strndup(data, n);
        if (!pw)
                return -ENOMEM;
        *ret = pw;
        return 0;
}

int render_password_digest(const char *path, char **ret, char **ret_error) {
        _cleanup_(erase_strp) char *password = NULL;
        unsigned char md[SHA256_DIGEST_LENGTH];
        char *hex;
        int r;

        if (!ret)
                return -EINVAL;
        r = render_read_password(path, &password, ret_error);
        if (r < 0)
                return r;
        if (EVP_Digest(password, strlen(password), md, NULL, EVP_sha256(), NULL) != 1)
                return -ENOMEM;
        hex = state_hex(md, sizeof md); /* as the state writes every digest */
        OPENSSL_cleanse(md, sizeof md);
        if (!hex)
                return -ENOMEM;
        *ret = hex;
        return 0;
}

/* ---- pieces ----------------------------------------------------------------------- */

static int pem_certs(BIO *b, const STACK_OF(X509) * chain, int from, int to) {
        for (int i = from; i < to; i++)
                if (PEM_write_bio_X509(b, sk_X509_value(chain, i)) <= 0)
                        return -EIO;
        return 0;
}

static int pem_key(BIO *b, EVP_PKEY *key) {
        if (!key)
                return -EINVAL;
        /* PKCS#8 ("PRIVATE KEY"), no cipher: what Tomcat's PEM support,
         * nginx and OpenSSL all read. */
        if (PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) <= 0)
                return -EIO;
        return 0;
}

/* The BIO's bytes, copied out (NUL-terminated, the NUL not counted). The
 * secure-memory BIO wipes its own buffer when freed. */
static int bio_take(BIO *b, char **ret, size_t *ret_len) {
        BUF_MEM *m = NULL;
        char *p;

        if (BIO_get_mem_ptr(b, &m) <= 0 || !m)
                return -EIO;
        p = malloc(m->length + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p, m->data, m->length);
        p[m->length] = '\0';
        *ret = p;
        *ret_len = m->length;
        return 0;
}

static int render_pkcs12(const Target *t, const STACK_OF(X509) * chain, EVP_PKEY *key, char **ret,
                         size_t *ret_len, char **ret_error) {
        _cleanup_(erase_strp) char *password = NULL;
        int r;

        if (!t->alias || !t->password_file)
                return -EINVAL;
        r = render_read_password(t->password_file, &password, ret_error);
        if (r < 0)
                return r;
        return keystore_pkcs12(chain, key, t->alias, password, t->compat, ret, ret_len);
}

static int render(const Target *t, const STACK_OF(X509) * chain, EVP_PKEY *key, char **ret,
                  size_t *ret_len, char **ret_error) {
        _cleanup_(BIO_free_allp) BIO *b = NULL;
        int n, r;

        if (!t || !chain || !ret || !ret_len)
                return -EINVAL;
        n = sk_X509_num(chain);
        if (n < 1)
                return -EINVAL;

        if (t->format == TARGET_PKCS12)
                return render_pkcs12(t, chain, key, ret, ret_len, ret_error);

        b = BIO_new(BIO_s_secmem());
        if (!b)
                return -ENOMEM;
        switch (t->format) {
        case TARGET_PEM_CHAIN:
                r = pem_certs(b, chain, 0, n);
                break;
        case TARGET_PEM_CERT:
                r = pem_certs(b, chain, 0, 1);
                break;
        case TARGET_PEM_KEY:
                r = pem_key(b, key);
                break;
        case TARGET_PEM_BUNDLE_KEY_FIRST:
                r = pem_key(b, key);
                if (r >= 0)
                        r = pem_certs(b, chain, 0, n);
                break;
        case TARGET_PEM_BUNDLE_KEY_LAST:
                r = pem_certs(b, chain, 0, n);
                if (r >= 0)
                        r = pem_key(b, key);
                break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        return bio_take(b, ret, ret_len);
}

int render_target(const Target *t, const STACK_OF(X509) * chain, EVP_PKEY *key, char **ret,
                  size_t *ret_len, char **ret_error) {
        int r;

        /* Leave the OpenSSL error queue as it was found. */
        ERR_set_mark();
        r = render(t, chain, key, ret, ret_len, ret_error);
        ERR_pop_to_mark();
        return r;
}
