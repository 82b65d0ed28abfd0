#pragma once
/* macro: ownership helpers shared by every module.
 * _cleanup_ frees on scope exit; TAKE_PTR hands ownership over; every
 * destructor used here accepts NULL. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define _cleanup_(f) __attribute__((__cleanup__(f)))
#define _printf_(a, b) __attribute__((__format__(printf, a, b)))
#define _unused_ __attribute__((__unused__))

#define TAKE_PTR(p)                           \
        ({                                    \
                __typeof__(p) _p_ = (p);      \
                (p) = NULL;                   \
                _p_;                          \
        })

#define TAKE_FD(fd)                           \
        ({                                    \
                int _fd_ = (fd);              \
                (fd) = -1;                    \
                _fd_;                         \
        })

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define DEFINE_PTR_CLEANUP(T, fn)                    \
        static inline void fn##p(T **p) {            \
                if (*p) {                            \
                        fn(*p);                      \
                        *p = NULL;                   \
                }                                    \
        }

static inline void freep(void *p) {
        free(*(void **) p);
        *(void **) p = NULL;
}

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                (void) close(*fd);
                errno = saved;
        }
        *fd = -1;
}

static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
        *f = NULL;
}

/* A NULL-terminated array of strings. */
static inline void strv_free(char **l) {
        if (!l)
                return;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
}
DEFINE_PTR_CLEANUP(char *, strv_free)

DEFINE_PTR_CLEANUP(X509, X509_free)
DEFINE_PTR_CLEANUP(EVP_PKEY, EVP_PKEY_free)
DEFINE_PTR_CLEANUP(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
DEFINE_PTR_CLEANUP(EVP_MD_CTX, EVP_MD_CTX_free)
DEFINE_PTR_CLEANUP(BIO, BIO_free_all)
DEFINE_PTR_CLEANUP(X509_STORE, X509_STORE_free)
DEFINE_PTR_CLEANUP(X509_STORE_CTX, X509_STORE_CTX_free)
DEFINE_PTR_CLEANUP(X509_NAME, X509_NAME_free)
DEFINE_PTR_CLEANUP(X509_EXTENSION, X509_EXTENSION_free)
DEFINE_PTR_CLEANUP(ASN1_TIME, ASN1_TIME_free)
DEFINE_PTR_CLEANUP(ASN1_INTEGER, ASN1_INTEGER_free)
DEFINE_PTR_CLEANUP(BIGNUM, BN_free)
DEFINE_PTR_CLEANUP(GENERAL_NAMES, GENERAL_NAMES_free)
DEFINE_PTR_CLEANUP(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free)
DEFINE_PTR_CLEANUP(ASN1_BIT_STRING, ASN1_BIT_STRING_free)
DEFINE_PTR_CLEANUP(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free)
DEFINE_PTR_CLEANUP(AUTHORITY_KEYID, AUTHORITY_KEYID_free)
DEFINE_PTR_CLEANUP(ASN1_OCTET_STRING, ASN1_OCTET_STRING_free)

static inline void sk_X509_pop_freep(STACK_OF(X509) **p) {
        if (*p) {
                sk_X509_pop_free(*p, X509_free);
                *p = NULL;
        }
}

DEFINE_PTR_CLEANUP(X509_CRL, X509_CRL_free)

static inline void sk_X509_CRL_pop_freep(STACK_OF(X509_CRL) **p) {
        if (*p) {
                sk_X509_CRL_pop_free(*p, X509_CRL_free);
                *p = NULL;
        }
}

/* Wipe a buffer that held key material, then free it. */
static inline void erase_and_free(void *p, size_t n) {
        if (p) {
                OPENSSL_cleanse(p, n);
                free(p);
        }
}

static inline const char *strna(const char *s) {
        return s ? s : "n/a";
}

static inline int streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
