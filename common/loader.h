#pragma once
/* loader: read what CAs send, in any format and any order, into one set of
 * certificates and keys that remember the file (and position or PKCS#12 bag)
 * each came from; then pick the server certificate, order its chain leaf
 * first, complete the root from trust anchors and find its key. Problems are
 * findings naming the file and saying what to do. Never logs; keys are
 * freed wiped (OpenSSL's own cleansing free), passwords wiped by the caller. */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "findings.h"

#define LOADER_MAX_BYTES      (1024 * 1024) /* per input file */
#define LOADER_MAX_CERTS      64            /* in all the inputs together */
#define LOADER_MAX_KEYS       16            /* likewise */
#define LOADER_PASSWORD_MAX   4096          /* bytes of a password file's first line */
#define LOADER_MAX_ITERATIONS 10000000      /* of a PKCS#12 MAC's or a PBE's key derivation */

/* What one input file turned out to be. */
typedef enum LoaderFormat {
        LOADER_FORMAT_PEM,               /* PEM blocks, maybe with text around them */
        LOADER_FORMAT_DER_CERT,          /* one DER certificate (.der, .cer) */
        LOADER_FORMAT_DER_KEY,           /* one DER private key: PKCS#1, SEC1 or PKCS#8 */
        LOADER_FORMAT_DER_ENCRYPTED_KEY, /* one DER encrypted PKCS#8 key */
        LOADER_FORMAT_PKCS7,             /* DER (or BER) PKCS#7 (.p7b, .p7c) */
        LOADER_FORMAT_PKCS12,            /* .pfx, .p12 */
        LOADER_FORMAT_EMPTY,             /* nothing but white space */
        LOADER_FORMAT_UNKNOWN,           /* none of the above (or damaged beyond recognition) */
        LOADER_FORMAT_UNREADABLE,        /* missing, not a regular file, too large */
        _LOADER_FORMAT_MAX,
        _LOADER_FORMAT_INVALID = -EINVAL,
} LoaderFormat;

/* "PEM", "DER certificate", "DER private key", "DER encrypted private key",
 * "PKCS#7", "PKCS#12", "empty", "unknown", "unreadable". */
const char *loader_format_to_string(LoaderFormat f);
LoaderFormat loader_format_from_string(const char *s);

/* What a PEM file held besides certificates and plain keys (LoaderFile.pem). */
typedef enum LoaderPemContent {
        LOADER_PEM_PKCS7 = 1 << 0,         /* a PKCS7 / PKCS #7 SIGNED DATA / CMS block */
        LOADER_PEM_ENCRYPTED_KEY = 1 << 1, /* an encrypted key (PKCS#8 or Proc-Type) */
        LOADER_PEM_IGNORED = 1 << 2,       /* CSRs, CRLs, public keys, parameters: ignored */
        LOADER_PEM_NORMALISED = 1 << 3,    /* CR LF, a BOM, text around blocks, markers
                                            * sharing a line or not five hyphens */
} LoaderPemContent;

/* How a PKCS#12 file was opened (LoaderFile.password). */
typedef enum LoaderPassword {
        LOADER_PASSWORD_NONE_NEEDED, /* not a PKCS#12, or nothing was encrypted */
        LOADER_PASSWORD_GIVEN,       /* the --password-file password */
        LOADER_PASSWORD_ABSENT,      /* no password at all (NULL) */
        LOADER_PASSWORD_EMPTY,       /* the empty password */
        LOADER_PASSWORD_WRONG,       /* not opened: the given password is wrong */
        LOADER_PASSWORD_NEEDED,      /* not opened: none was given, and neither no password
                                      * nor the empty one opens it */
        _LOADER_PASSWORD_MAX,
        _LOADER_PASSWORD_INVALID = -EINVAL,
} LoaderPassword;

/* "none needed", "given", "absent", "empty", "wrong", "needed" */
const char *loader_password_to_string(LoaderPassword p);
LoaderPassword loader_password_from_string(const char *s);

typedef struct LoaderFile {
        char *path; /* as given */
        LoaderFormat format;
        unsigned pem; /* LoaderPemContent flags (PEM and PEM PKCS#7) */
        LoaderPassword password;
        bool legacy;    /* needed OpenSSL's legacy provider (RC2, DES, ...) */
        bool failed;    /* an error finding was raised about this file */
        size_t n_certs; /* certificates and keys read from it */
        size_t n_keys;
        size_t n_encrypted_keys; /* of n_keys, those that were encrypted */
} LoaderFile;

typedef struct LoaderCert {
        X509 *x509;
        size_t file; /* index into LoaderSet.files */
        int index;   /* position among the certificates read from that file (0 = first) */
        int bag;     /* PKCS#12: the safe bag's number in the file (0 = first); else -1 */
} LoaderCert;

typedef struct LoaderKey {
        EVP_PKEY *pkey;
        size_t file;
        int index;      /* position among the keys read from that file */
        int bag;        /* PKCS#12 bag number, else -1 */
        bool encrypted; /* it was encrypted in the file (decrypted with the password) */
} LoaderKey;

typedef struct LoaderContext LoaderContext; /* the legacy library context, made when needed */

typedef struct LoaderSet {
        LoaderFile *files;
        size_t n_files;
        LoaderCert *certs; /* in the order read: file by file, each in file order */
        size_t n_certs;
        LoaderKey *keys;
        size_t n_keys;
        LoaderContext *ctx;
} LoaderSet;

LoaderSet *loader_set_new(void);
LoaderSet *loader_set_free(LoaderSet *s);
DEFINE_PTR_CLEANUP(LoaderSet, loader_set_free)

typedef struct LoaderOptions {
        /* The password of encrypted keys and PKCS#12 files (--password-file),
         * NULL when none was given. A PKCS#12 is also tried without a
         * password and with the empty one; an encrypted key needs this. */
        const char *password;
} LoaderOptions;

/* Adds what data (len bytes, read from path: used to name the file) holds
 * to s, as a new LoaderFile. The format is recognised from the contents, not
 * the name. Every problem (wrong password, damaged or truncated, unknown
 * format, too many certificates or keys, a PKCS#7 without certificates, a
 * file holding nothing usable, a key derivation of more than
 * LOADER_MAX_ITERATIONS iterations) is an error finding naming the file
 * (LoaderFile.failed); what could be read is kept. Once LOADER_MAX_KEYS keys
 * are read, no further key is decrypted. Returns 0, or negative errno on
 * system failures (-ENOMEM). Leaves the OpenSSL error queue as it found it. */
int loader_parse(LoaderSet *s, const char *path, const void *data, size_t len,
                 const LoaderOptions *o, Findings *f);

/* Reads path (links followed: the operator names it; at most
 * LOADER_MAX_BYTES) and parses it. A missing, unreadable or too large file is
 * a FILE_UNREADABLE or FILE_TOO_LARGE finding and a LoaderFile of format
 * LOADER_FORMAT_UNREADABLE. */
int loader_load(LoaderSet *s, const char *path, const LoaderOptions *o, Findings *f);

/* One line saying what file i held: "PKCS#12 (legacy encryption, through
 * OpenSSL's legacy provider; no password): 1 certificate (bag 0), 1 private
 * key (bag 1)". malloc'd, NULL on OOM. */
char *loader_describe_file(const LoaderSet *s, size_t i);

/* The first line of a password file (links followed), without its line end
 * (LF, CR LF or CR); an empty first line is the empty password. The file may
 * be a regular file, a FIFO or pipe (--password-file <(...)) or a character
 * device (/dev/stdin on a terminal): at most LOADER_PASSWORD_MAX bytes and a
 * line end are read, so a device that never ends is no problem. A UTF-8 byte
 * order mark before the password is dropped (editors add it; no password
 * starts with U+FEFF). Errors: -EFBIG when the line is longer than
 * LOADER_PASSWORD_MAX, -EILSEQ when it holds a NUL byte (a UTF-16 file),
 * -EISDIR, -EBADFD for a socket or a block device, else the error of
 * stat/open/read. loader_password_file_error() says each in words. The
 * caller wipes the password (loader_password_erasep()). */
int loader_read_password_file(const char *path, char **ret);

/* What loader_read_password_file()'s error r means and what to give instead
 * ("does not exist: give ..."), or NULL for errors without advice (then
 * strerror()). */
const char *loader_password_file_error(int r);

/* A cleanup for a password: wiped, then freed. */
static inline void loader_password_erasep(char **p) {
        if (*p) {
                erase_and_free(*p, strlen(*p));
                *p = NULL;
        }
}

/* A file of trust anchors, as check_load_anchors() read it. */
typedef struct LoaderAnchors {
        const char *path;
        STACK_OF(X509) * certs;
} LoaderAnchors;

typedef struct LoaderAssembleOptions {
        const LoaderAnchors *anchors; /* a missing root (or issuer) is taken from these */
        size_t n_anchors;
        /* Where keys made for certificate requests wait (<state_dir>/csr):
         * searched when no input holds the server certificate's key, key_name
         * first (e.g. "rem.key"), then every other *.key there. NULL: none. */
        const char *key_dir;
        const char *key_name;
        /* Among paths that are otherwise as good, one whose issuers are valid
         * at this time is preferred (0: validity does not count). */
        time_t now;
} LoaderAssembleOptions;

typedef struct LoaderResult {
        STACK_OF(X509) * chain; /* the server certificate, then its issuer, that one's issuer,
                                 * ... as far as known (a root from the anchors included) */
        int *origin;            /* per chain element: its index in LoaderSet.certs, or -1
                                 * when it came from the anchors */
        char **anchor_files;    /* per chain element: the anchor file it came from, or NULL */
        EVP_PKEY *key;          /* the server certificate's key; NULL when none was found */
        int key_index;          /* its index in LoaderSet.keys, -1 when from key_dir or none */
        char *key_path;         /* the key_dir file it came from, else NULL */
        int *unrelated;         /* LoaderSet.certs indices left out of the chain */
        size_t n_unrelated;
        char **notes; /* NULL-terminated: a root completed from an anchor file, a
                       * duplicate taken once, the key taken from key_dir */
} LoaderResult;

LoaderResult *loader_result_free(LoaderResult *r);
DEFINE_PTR_CLEANUP(LoaderResult, loader_result_free)

/* Assembles what s holds. The server certificate (the leaf) is the one no
 * other given certificate was issued by (name and signature; exact
 * duplicates taken once); a CA certificate (basicConstraints CA:TRUE) is the
 * leaf only when no other certificate can be. Two candidates are
 * LEAF_AMBIGUOUS naming both, unless exactly one of them has a key among the
 * inputs. The chain is the path chain_build() (the check's own search, with
 * backtracking) finds over the given certificates and the anchors, whatever
 * the input order: verified signatures first, then a path ending in a
 * self-signed certificate or an anchor (an anchor is preferred to a given
 * certificate of the same subject and key, such as a cross-certificate of
 * that root), then CA flags, limits, validity at o->now, the shorter. Above
 * an anchor that is not self-signed, the given certificates, then the
 * anchors, that issue it are added up to a root. Each certificate taken from
 * the anchors is a note. Certificates not on it are CHAIN_UNRELATED warnings
 * (left out; a cross-certificate whose own issuer is unavailable is said to
 * be one). A chain longer than BUNDLE_MAX_CERTS (16, what the agent reads
 * from NAME-cert.crt) is one FILE_TOO_LARGE error naming the inputs, and
 * -EINVAL.
 *
 * Keys: the input key matching the leaf is taken (several copies of it are
 * fine). A key belonging to another given certificate is a KEY_MULTIPLE
 * warning (left out). A key matching no certificate is a KEY_MISMATCH
 * warning when the leaf's key was found, else an error naming its file. When
 * no input holds the leaf's key, key_dir is searched; still none is
 * KEY_MISSING (naming a PKCS#12 given without its key, if any). No
 * certificate at all is CERT_MISSING (naming a PKCS#12 given without one).
 *
 * Returns 0 and *ret when a leaf was found (check f for errors: the key may
 * be missing); -EINVAL with error findings when none could be; other
 * negative errno on system failures. */
int loader_assemble(const LoaderSet *s, const LoaderAssembleOptions *o, LoaderResult **ret,
                    Findings *f);

/* "subject (certificate 2 of chain.pem)", "subject (bag 1 of rem.pfx)" for
 * certificate i of s; malloc'd, NULL on OOM. */
char *loader_describe_cert(const LoaderSet *s, size_t i);
