/* loader: see loader.h.
 *
 * PEM text is normalised first (CR LF and lone CR become LF, a BOM goes,
 * every BEGIN/END marker is put on a line of its own with five hyphens), then
 * read line by line: text outside blocks is skipped, each block's RFC 1421
 * headers are kept (traditional encrypted keys need them) and its base64
 * decoded; only DER reaches OpenSSL. Binary files are tried as a DER
 * certificate, PKCS#12, PKCS#7, private key and encrypted private key, in
 * that order, each of which must take the whole file.
 *
 * Decryption runs in the default library context first. When OpenSSL says
 * the algorithm is not available there (RC2, DES, ... live in the "legacy"
 * provider), it runs again in a library context of the set's own with the
 * "legacy" and "default" providers loaded, made the first time it is
 * needed; the process-wide default context is never changed. PKCS12_parse()
 * cannot be given a library context in OpenSSL 3.0 (its encrypted safes use
 * the context of the d2i'd structure, the default one), so the safes and
 * bags are walked here: PKCS12_item_decrypt_d2i_ex() and
 * PKCS12_decrypt_skey_ex() take one. Keys decrypted in the legacy context
 * are turned into EVP_PKEYs in the default one. What went wrong is read from
 * the newest OpenSSL error: "unsupported"/"fetch failed" means a missing
 * algorithm, "bad decrypt"/"cipherfinal error" a wrong password. */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>

#include <openssl/core_dispatch.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>

#include "bundle.h"
#include "chain.h"
#include "fileio.h"
#include "loader.h"

DEFINE_PTR_CLEANUP(OSSL_DECODER_CTX, OSSL_DECODER_CTX_free)
DEFINE_PTR_CLEANUP(PKCS12, PKCS12_free)
DEFINE_PTR_CLEANUP(PKCS7, PKCS7_free)
DEFINE_PTR_CLEANUP(X509_SIG, X509_SIG_free)
DEFINE_PTR_CLEANUP(PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free)
DEFINE_PTR_CLEANUP(EVP_CIPHER, EVP_CIPHER_free)
DEFINE_PTR_CLEANUP(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)
DEFINE_PTR_CLEANUP(DIR, closedir)

static void sk_PKCS7_pop_freep(STACK_OF(PKCS7) * *p) {
        if (*p) {
                sk_PKCS7_pop_free(*p, PKCS7_free);
                *p = NULL;
        }
}

static void sk_PKCS12_SAFEBAG_pop_freep(STACK_OF(PKCS12_SAFEBAG) * *p) {
        if (*p) {
                sk_PKCS12_SAFEBAG_pop_free(*p, PKCS12_SAFEBAG_free);
                *p = NULL;
        }
}

#define LABEL_MAX         64
#define LOADER_MAX_BLOCKS 256 /* PEM blocks of any kind in one file */
#define BAG_DEPTH_MAX     4   /* nested safeContents bags */
/* Certificates in an assembled chain: what the agent reads from NAME-cert.crt. */
#define CHAIN_MAX         BUNDLE_MAX_CERTS
#define KEY_DIR_MAX_FILES 256

/* ---- small helpers --------------------------------------------------------- */

/* A buffer that may hold key material: wiped before it is freed. */
typedef struct SecretBuf {
        unsigned char *p;
        size_t n; /* bytes allocated */
} SecretBuf;

static void secret_buf_done(SecretBuf *b) {
        erase_and_free(b->p, b->n);
        *b = (SecretBuf){};
}

static int secret_buf_alloc(SecretBuf *b, size_t n) {
        b->p = malloc(n ? n : 1);
        if (!b->p)
                return -ENOMEM;
        b->n = n ? n : 1;
        return 0;
}

static char *strf(const char *fmt, ...) _printf_(1, 2);

static char *strf(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* A name for messages: control characters replaced. */
static char *display_name(const char *path) {
        char *s = strdup(path ? path : "(unnamed)");

        if (!s)
                return NULL;
        for (char *c = s; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        *c = '?';
        return s;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* ---- enums ------------------------------------------------------------------- */

static const char *const format_table[_LOADER_FORMAT_MAX] = {
        [LOADER_FORMAT_PEM] = "PEM",
        [LOADER_FORMAT_DER_CERT] = "DER certificate",
        [LOADER_FORMAT_DER_KEY] = "DER private key",
        [LOADER_FORMAT_DER_ENCRYPTED_KEY] = "DER encrypted private key",
        [LOADER_FORMAT_PKCS7] = "PKCS#7",
        [LOADER_FORMAT_PKCS12] = "PKCS#12",
        [LOADER_FORMAT_EMPTY] = "empty",
        [LOADER_FORMAT_UNKNOWN] = "unknown",
        [LOADER_FORMAT_UNREADABLE] = "unreadable",
};

const char *loader_format_to_string(LoaderFormat f) {
        if (f < 0 || f >= _LOADER_FORMAT_MAX)
                return NULL;
        return format_table[f];
}

LoaderFormat loader_format_from_string(const char *s) {
        if (!s)
                return _LOADER_FORMAT_INVALID;
        for (int i = 0; i < _LOADER_FORMAT_MAX; i++)
                if (streq(format_table[i], s))
                        return (LoaderFormat) i;
        return _LOADER_FORMAT_INVALID;
}

static const char *const password_table[_LOADER_PASSWORD_MAX] = {
        [LOADER_PASSWORD_NONE_NEEDED] = "none needed",
        [LOADER_PASSWORD_GIVEN] = "given",
        [LOADER_PASSWORD_ABSENT] = "absent",
        [LOADER_PASSWORD_EMPTY] = "empty",
        [LOADER_PASSWORD_WRONG] = "wrong",
        [LOADER_PASSWORD_NEEDED] = "needed",
};

const char *loader_password_to_string(LoaderPassword p) {
        if (p < 0 || p >= _LOADER_PASSWORD_MAX)
                return NULL;
        return password_table[p];
}

LoaderPassword loader_password_from_string(const char *s) {
        if (!s)
                return _LOADER_PASSWORD_INVALID;
        for (int i = 0; i < _LOADER_PASSWORD_MAX; i++)
                if (streq(password_table[i], s))
                        return (LoaderPassword) i;
        return _LOADER_PASSWORD_INVALID;
}

/* ---- the set ------------------------------------------------------------------ */

struct LoaderContext {
        OSSL_LIB_CTX *lib;
        OSSL_PROVIDER *legacy;
        OSSL_PROVIDER *deflt;
        int state; /* 0 not tried, 1 loaded, -1 the legacy provider cannot be loaded */
};

LoaderSet *loader_set_new(void) {
        return calloc(1, sizeof(LoaderSet));
}

LoaderSet *loader_set_free(LoaderSet *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_files; i++)
                free(s->files[i].path);
        free(s->files);
        for (size_t i = 0; i < s->n_certs; i++)
                X509_free(s->certs[i].x509);
        free(s->certs);
        /* EVP_PKEY_free() clears the private components (BN_clear_free). */
        for (size_t i = 0; i < s->n_keys; i++)
                EVP_PKEY_free(s->keys[i].pkey);
        free(s->keys);
        if (s->ctx) {
                if (s->ctx->legacy)
                        (void) OSSL_PROVIDER_unload(s->ctx->legacy);
                if (s->ctx->deflt)
                        (void) OSSL_PROVIDER_unload(s->ctx->deflt);
                OSSL_LIB_CTX_free(s->ctx->lib);
                free(s->ctx);
        }
        free(s);
        return NULL;
}

/* The legacy library context, made on first use; NULL when the legacy
 * provider cannot be loaded (or memory is short). */
static OSSL_LIB_CTX *legacy_context(LoaderSet *s) {
        if (!s->ctx) {
                s->ctx = calloc(1, sizeof(LoaderContext));
                if (!s->ctx)
                        return NULL;
        }
        if (s->ctx->state == 0) {
                s->ctx->state = -1;
                s->ctx->lib = OSSL_LIB_CTX_new();
                if (!s->ctx->lib)
                        return NULL;
                s->ctx->legacy = OSSL_PROVIDER_load(s->ctx->lib, "legacy");
                s->ctx->deflt = OSSL_PROVIDER_load(s->ctx->lib, "default");
                if (s->ctx->legacy && s->ctx->deflt)
                        s->ctx->state = 1;
        }
        return s->ctx->state > 0 ? s->ctx->lib : NULL;
}

/* ---- reading one file ------------------------------------------------------------ */

typedef struct Reader {
        LoaderSet *s;
        size_t file;      /* index into s->files */
        const char *path; /* Finding.file */
        char *name;       /* path for messages: control characters replaced */
        char *qname;      /* name quoted for a shell command in a hint */
        const LoaderOptions *o;
        Findings *f;
        int n_cert_blocks; /* PEM certificate blocks seen, valid or not */
        int n_key_blocks;  /* PEM private key blocks seen */
        int bag;           /* PKCS#12 safe bags seen */
        bool too_many;     /* FILE_TOO_LARGE raised for the number of certificates or keys */
} Reader;

static void reader_done(Reader *r) {
        free(r->name);
        free(r->qname);
}

static LoaderFile *rfile(Reader *r) {
        return &r->s->files[r->file];
}

static int fail(Reader *r, FindingCode code, const char *hint, const char *fmt, ...) _printf_(4, 5);

/* An error about this file. */
static int fail(Reader *r, FindingCode code, const char *hint, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0) {
                msg = NULL;
                return -ENOMEM;
        }
        rfile(r)->failed = true;
        return findings_add(r->f, code, SEVERITY_ERROR, r->path, -1, NULL, hint, "%s", msg);
}

static int too_many(Reader *r, const char *what, size_t max) {
        if (r->too_many)
                return 0;
        r->too_many = true;
        return fail(r, FINDING_FILE_TOO_LARGE,
                    "Give only the server certificate, its issuers and its key; trust anchors go "
                    "with --trust.",
                    "%s brings the inputs to more than %zu %s: it is not a server certificate's "
                    "chain or key (a CA bundle?)",
                    r->name, max, what);
}

/* Takes x (freed on failure too). */
static int add_cert(Reader *r, X509 *x, int bag) {
        LoaderSet *s = r->s;
        LoaderCert *a;

        if (s->n_certs >= LOADER_MAX_CERTS) {
                X509_free(x);
                return too_many(r, "certificates", (size_t) LOADER_MAX_CERTS);
        }
        a = reallocarray(s->certs, s->n_certs + 1, sizeof(LoaderCert));
        if (!a) {
                X509_free(x);
                return -ENOMEM;
        }
        s->certs = a;
        s->certs[s->n_certs++] = (LoaderCert){
                .x509 = x,
                .file = r->file,
                .index = (int) rfile(r)->n_certs,
                .bag = bag,
        };
        rfile(r)->n_certs++;
        return 0;
}

/* Takes k (freed on failure too). */
static int add_key(Reader *r, EVP_PKEY *k, int bag, bool encrypted) {
        LoaderSet *s = r->s;
        LoaderKey *a;

        if (s->n_keys >= LOADER_MAX_KEYS) {
                EVP_PKEY_free(k);
                return too_many(r, "private keys", (size_t) LOADER_MAX_KEYS);
        }
        a = reallocarray(s->keys, s->n_keys + 1, sizeof(LoaderKey));
        if (!a) {
                EVP_PKEY_free(k);
                return -ENOMEM;
        }
        s->keys = a;
        s->keys[s->n_keys++] = (LoaderKey){
                .pkey = k,
                .file = r->file,
                .index = (int) rfile(r)->n_keys,
                .bag = bag,
                .encrypted = encrypted,
        };
        rfile(r)->n_keys++;
        if (encrypted)
                rfile(r)->n_encrypted_keys++;
        return 0;
}

/* ---- decryption, with the legacy provider when needed --------------------------- */

typedef enum Failure {
        FAIL_DAMAGED,     /* the structure does not decode (or a wrong password made garbage) */
        FAIL_DECRYPT,     /* bad decrypt: the wrong password */
        FAIL_UNSUPPORTED, /* the algorithm is not in this library context */
        FAIL_NO_LEGACY,   /* ... and the legacy provider cannot be loaded */
        FAIL_ALGORITHM,   /* an algorithm OpenSSL does not have at all */
} Failure;

/* The error err_mark() puts after its mark: classify_error() reads only
 * what was raised after it, never an older error of the caller's. */
#define ERR_SENTINEL_REASON 0x10ade

static void err_mark(void) {
        ERR_set_mark();
        ERR_raise(ERR_LIB_USER, ERR_SENTINEL_REASON);
}

/* What the newest OpenSSL error raised since err_mark() says about a failed
 * decryption (nothing raised: damaged). ERR_pop_to_mark() afterwards. */
static Failure classify_error(void) {
        unsigned long e = ERR_peek_last_error();
        int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);

        if (e == 0 || (lib == ERR_LIB_USER && reason == ERR_SENTINEL_REASON))
                return FAIL_DAMAGED;
        if (reason == ERR_R_UNSUPPORTED || reason == ERR_R_FETCH_FAILED)
                return FAIL_UNSUPPORTED;
        if (lib == ERR_LIB_EVP &&
            (reason == EVP_R_UNKNOWN_PBE_ALGORITHM || reason == EVP_R_UNSUPPORTED_CIPHER ||
             reason == EVP_R_UNSUPPORTED_ALGORITHM || reason == EVP_R_UNKNOWN_CIPHER ||
             reason == EVP_R_UNSUPPORTED_PRF ||
             reason == EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION ||
             reason == EVP_R_UNSUPPORTED_KEYLENGTH))
                return FAIL_ALGORITHM;
        if ((lib == ERR_LIB_PKCS12 && reason == PKCS12_R_PKCS12_CIPHERFINAL_ERROR) ||
            (lib == ERR_LIB_EVP && reason == EVP_R_BAD_DECRYPT) ||
            (lib == ERR_LIB_PEM && reason == PEM_R_BAD_DECRYPT))
                return FAIL_DECRYPT;
        return FAIL_DAMAGED;
}

/* Decrypts something: returns it, or NULL with what went wrong. */
typedef void *(*DecryptFn)(void *arg, const char *pass, OSSL_LIB_CTX *lib);

static void *decrypt_with(Reader *r, DecryptFn fn, void *arg, const char *pass, Failure *ret_fail) {
        OSSL_LIB_CTX *lib;
        Failure fl = FAIL_DAMAGED;
        void *obj;

        err_mark();
        obj = fn(arg, pass, NULL);
        if (!obj)
                fl = classify_error();
        ERR_pop_to_mark();
        if (obj)
                return obj;
        if (fl != FAIL_UNSUPPORTED) {
                *ret_fail = fl;
                return NULL;
        }

        lib = legacy_context(r->s);
        if (!lib) {
                *ret_fail = FAIL_NO_LEGACY;
                return NULL;
        }
        err_mark();
        obj = fn(arg, pass, lib);
        if (!obj)
                fl = classify_error();
        ERR_pop_to_mark();
        if (obj) {
                rfile(r)->legacy = true;
                return obj;
        }
        *ret_fail = fl == FAIL_UNSUPPORTED ? FAIL_ALGORITHM : fl;
        return NULL;
}

/* The password candidates for a PKCS#12: the given one, then none, then the
 * empty one. */
typedef struct Candidate {
        const char *pass;
        LoaderPassword kind;
} Candidate;

static size_t p12_candidates(const LoaderOptions *o, Candidate c[static 3]) {
        size_t n = 0;

        if (o && o->password)
                c[n++] = (Candidate){o->password, LOADER_PASSWORD_GIVEN};
        c[n++] = (Candidate){NULL, LOADER_PASSWORD_ABSENT};
        c[n++] = (Candidate){"", LOADER_PASSWORD_EMPTY};
        return n;
}

/* The name of an encryption algorithm for messages: OpenSSL's long name, or
 * the OID in dotted form when OpenSSL does not know it. */
static const char *algorithm_name(const X509_ALGOR *a, char buf[static 128]) {
        const ASN1_OBJECT *obj = NULL;
        int nid;

        if (!a)
                return "an unknown algorithm";
        X509_ALGOR_get0(&obj, NULL, NULL, a);
        nid = OBJ_obj2nid(obj);
        if (nid != NID_undef)
                return OBJ_nid2ln(nid);
        memcpy(buf, "the unknown algorithm ", 22);
        if (!obj || OBJ_obj2txt(buf + 22, 128 - 22, obj, 1) <= 0)
                return "an unknown algorithm";
        return buf;
}

/* The error for a decryption that failed for want of an algorithm. */
static int fail_algorithm(Reader *r, Failure fl, const char *what, const char *alg) {
        if (fl == FAIL_NO_LEGACY)
                return fail(
                        r, FINDING_ALGORITHM_UNAVAILABLE,
                        "Install OpenSSL's legacy provider (ossl-modules/legacy.so, in Debian's "
                        "libssl3), or have the file exported again with AES-256 (openssl "
                        "pkcs12 -export without -legacy).",
                        "%s of %s is encrypted with %s, a legacy algorithm, and OpenSSL's "
                        "legacy provider cannot be loaded",
                        what, r->name, alg);
        return fail(r, FINDING_ALGORITHM_UNAVAILABLE,
                    "Have the file exported again with AES-256 (PBES2), which every OpenSSL reads.",
                    "%s of %s is encrypted with %s, which OpenSSL cannot decrypt (not even with "
                    "its legacy provider)",
                    what, r->name, alg);
}

/* ---- the cost of a key derivation ---------------------------------------------------- */

DEFINE_PTR_CLEANUP(PBEPARAM, PBEPARAM_free)
DEFINE_PTR_CLEANUP(PBE2PARAM, PBE2PARAM_free)
DEFINE_PTR_CLEANUP(PBKDF2PARAM, PBKDF2PARAM_free)
DEFINE_PTR_CLEANUP(SCRYPT_PARAMS, SCRYPT_PARAMS_free)

static bool uint_of(const ASN1_INTEGER *a, uint64_t *ret) {
        bool ok;

        if (!a)
                return false;
        ERR_set_mark();
        ok = ASN1_INTEGER_get_uint64(ret, a) == 1;
        ERR_pop_to_mark();
        return ok;
}

/* a * b, saturating. */
static uint64_t mul_sat(uint64_t a, uint64_t b) {
        return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* How many iterations the key derivation of a password-based encryption
 * asks for: PBKDF2's count (PBES2), the PKCS#12 or PKCS#5 v1 PBE's count,
 * scrypt's N * r * p. false when alg is none of these (or its parameters do
 * not decode: the decryption then says so). */
static bool pbe_iterations(const X509_ALGOR *alg, uint64_t *ret) {
        const ASN1_OBJECT *obj = NULL;
        bool ok = false;

        if (!alg || !alg->parameter || alg->parameter->type != V_ASN1_SEQUENCE)
                return false;
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
        ERR_set_mark();
        if (OBJ_obj2nid(obj) == NID_pbes2) {
                _cleanup_(PBE2PARAM_freep) PBE2PARAM *p2 =
                        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
                const X509_ALGOR *kdf = p2 ? p2->keyfunc : NULL;
                int kdf_nid = kdf ? OBJ_obj2nid(kdf->algorithm) : NID_undef;

                if (kdf_nid == NID_id_pbkdf2 && kdf->parameter &&
                    kdf->parameter->type == V_ASN1_SEQUENCE) {
                        _cleanup_(PBKDF2PARAM_freep) PBKDF2PARAM *k = ASN1_TYPE_unpack_sequence(
                                ASN1_ITEM_rptr(PBKDF2PARAM), kdf->parameter);
                        ok = k && uint_of(k->iter, ret);
                } else if (kdf_nid == NID_id_scrypt && kdf->parameter &&
                           kdf->parameter->type == V_ASN1_SEQUENCE) {
                        _cleanup_(SCRYPT_PARAMS_freep) SCRYPT_PARAMS *k = ASN1_TYPE_unpack_sequence(
                                ASN1_ITEM_rptr(SCRYPT_PARAMS), kdf->parameter);
                        uint64_t n, rr, pp;

                        ok = k && uint_of(k->costParameter, &n) && uint_of(k->blockSize, &rr) &&
                             uint_of(k->parallelizationParameter, &pp);
                        if (ok)
                                *ret = mul_sat(mul_sat(n, rr), pp);
                }
        } else {
                _cleanup_(PBEPARAM_freep) PBEPARAM *p1 =
                        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter);
                ok = p1 && uint_of(p1->iter, ret);
        }
        ERR_pop_to_mark();
        return ok;
}

/* Refuses a key derivation of more than LOADER_MAX_ITERATIONS iterations
 * (a file made to keep certconfd busy, or a mistake): 1 and an error
 * finding, 0 when it is within the limit (or unknown), -ENOMEM. */
static int too_many_iterations(Reader *r, uint64_t n, const char *what) {
        char count[32] = "an unreadable number of";
        int q;

        if (n <= LOADER_MAX_ITERATIONS)
                return 0;
        if (n != UINT64_MAX)
                snprintf(count, sizeof count, "%" PRIu64, n);
        q = fail(r, FINDING_INPUT_FORMAT,
                 "Have the file exported again with the usual settings (openssl pkcs12 -export and "
                 "openssl pkcs8 -topk8 use 2048 iterations).",
                 "%s of %s asks for %s iterations of its password's key derivation, more than "
                 "certconf runs (%d)",
                 what, r->name, count, LOADER_MAX_ITERATIONS);
        return q < 0 ? q : 1;
}

static int check_pbe(Reader *r, const X509_ALGOR *alg, const char *what) {
        uint64_t n;

        if (!pbe_iterations(alg, &n))
                return 0;
        return too_many_iterations(r, n, what);
}

/* No more keys once LOADER_MAX_KEYS are read: 1 (FILE_TOO_LARGE raised
 * once), 0 when there is room, -ENOMEM. Checked before a key is decrypted. */
static int keys_full(Reader *r) {
        int q;

        if (r->s->n_keys < LOADER_MAX_KEYS)
                return 0;
        q = too_many(r, "private keys", (size_t) LOADER_MAX_KEYS);
        return q < 0 ? q : 1;
}

/* ---- keys -------------------------------------------------------------------------- */

/* Never supply a passphrase, and never let OpenSSL ask for one. */
static int no_passphrase(char *pass, size_t pass_size, size_t *pass_len, const OSSL_PARAM params[],
                         void *arg) {
        return 0;
}

/* A private key (not a public one) from DER. structure and keytype as for
 * OSSL_DECODER_CTX_new_for_pkey (NULL: any). 1 and the key, 0 when it is
 * not one (or bytes are left over), -ENOMEM. */
static int key_from_der(const unsigned char *der, size_t n, const char *structure,
                        const char *keytype, EVP_PKEY **ret) {
        _cleanup_(OSSL_DECODER_CTX_freep) OSSL_DECODER_CTX *ctx = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        const unsigned char *q = der;
        size_t left = n;
        int ok;

        ctx = OSSL_DECODER_CTX_new_for_pkey(&k, "DER", structure, keytype,
                                            OSSL_KEYMGMT_SELECT_PRIVATE_KEY, NULL, NULL);
        if (!ctx)
                return -ENOMEM;
        if (OSSL_DECODER_CTX_set_passphrase_cb(ctx, no_passphrase, NULL) != 1)
                return -ENOMEM;
        ERR_set_mark();
        ok = OSSL_DECODER_from_data(ctx, &q, &left) == 1 && k && left == 0;
        ERR_pop_to_mark();
        if (!ok)
                return 0;
        *ret = TAKE_PTR(k);
        return 1;
}

typedef struct Pkcs8Arg {
        const X509_SIG *sig;
} Pkcs8Arg;

static void *pkcs8_decrypt(void *arg, const char *pass, OSSL_LIB_CTX *lib) {
        Pkcs8Arg *a = arg;

        return PKCS8_decrypt_ex(a->sig, pass, pass ? -1 : 0, lib, NULL);
}

/* An EVP_PKEY in the default library context from a decrypted PKCS#8. */
static int key_from_p8(Reader *r, const PKCS8_PRIV_KEY_INFO *p8, int bag, bool encrypted,
                       const char *what) {
        EVP_PKEY *k;

        ERR_set_mark();
        k = p8 ? EVP_PKCS82PKEY_ex(p8, NULL, NULL) : NULL;
        ERR_pop_to_mark();
        if (!k)
                return fail(r, FINDING_KEY_INVALID, NULL,
                            "%s of %s is not a private key OpenSSL can use (damaged, or an "
                            "unsupported key type)",
                            what, r->name);
        return add_key(r, k, bag, encrypted);
}

/* An encrypted PKCS#8 key (DER EncryptedPrivateKeyInfo). */
static int read_encrypted_pkcs8(Reader *r, const X509_SIG *sig, const char *what) {
        _cleanup_(PKCS8_PRIV_KEY_INFO_freep) PKCS8_PRIV_KEY_INFO *p8 = NULL;
        const X509_ALGOR *alg = NULL;
        const char *pass = r->o && r->o->password ? r->o->password : "";
        Failure fl = FAIL_DAMAGED;
        Pkcs8Arg a = {.sig = sig};
        char abuf[128];
        int q;

        X509_SIG_get0(sig, &alg, NULL);
        q = keys_full(r);
        if (q == 0)
                q = check_pbe(r, alg, what);
        if (q != 0)
                return q < 0 ? q : 0;
        p8 = decrypt_with(r, pkcs8_decrypt, &a, pass, &fl);
        if (p8)
                return key_from_p8(r, p8, -1, true, what);
        if (fl == FAIL_NO_LEGACY || fl == FAIL_ALGORITHM)
                return fail_algorithm(r, fl, what, algorithm_name(alg, abuf));
        if (!(r->o && r->o->password))
                return fail(r, FINDING_PASSWORD, NULL,
                            "%s of %s is encrypted: give its password with --password-file", what,
                            r->name);
        return fail(r, FINDING_PASSWORD, NULL,
                    "wrong password for %s (%s does not decrypt with it): give the right one "
                    "with --password-file",
                    r->name, what);
}

/* A traditional encrypted PEM key ("Proc-Type: 4,ENCRYPTED", "DEK-Info:
 * CIPHER,IV"): the key is EVP_BytesToKey(MD5, salt = the IV's first 8
 * bytes, one round), as OpenSSL's PEM_do_header() makes it, but with the
 * cipher fetched from the library context given. */
typedef struct TradArg {
        const char *dek; /* the DEK-Info value */
        size_t dek_len;
        const unsigned char *in;
        size_t len;
        SecretBuf *out;
        size_t out_len;
} TradArg;

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* The cipher name of a DEK-Info value ("AES-128-CBC,0123..."): 0, or
 * -EINVAL when there is no comma or the name is empty or too long. */
static int dek_cipher_name(const char *dek, size_t dek_len, char name[static 64],
                           const char **ret_iv, size_t *ret_iv_len) {
        const char *comma = memchr(dek, ',', dek_len), *h;
        size_t nlen, hlen;

        if (!comma)
                return -EINVAL;
        nlen = (size_t) (comma - dek);
        while (nlen > 0 && is_blank(dek[nlen - 1]))
                nlen--;
        if (nlen == 0 || nlen >= 64)
                return -EINVAL;
        memcpy(name, dek, nlen);
        name[nlen] = 0;
        h = comma + 1;
        hlen = dek_len - (size_t) (h - dek);
        while (hlen > 0 && is_space(h[hlen - 1]))
                hlen--;
        while (hlen > 0 && is_blank(*h)) {
                h++;
                hlen--;
        }
        *ret_iv = h;
        *ret_iv_len = hlen;
        return 0;
}

static void *trad_decrypt(void *arg, const char *pass, OSSL_LIB_CTX *lib) {
        TradArg *a = arg;
        _cleanup_(EVP_CIPHER_freep) EVP_CIPHER *cipher = NULL;
        _cleanup_(EVP_CIPHER_CTX_freep) EVP_CIPHER_CTX *c = NULL;
        unsigned char key[EVP_MAX_KEY_LENGTH] = {}, iv[EVP_MAX_IV_LENGTH] = {};
        char name[64];
        const char *h;
        size_t hlen;
        int ivlen, outl = 0, fin = 0;
        bool ok = false;

        if (a->len > INT_MAX || dek_cipher_name(a->dek, a->dek_len, name, &h, &hlen) < 0) {
                ERR_raise(ERR_LIB_PEM, PEM_R_BAD_DECRYPT);
                goto out;
        }
        cipher = EVP_CIPHER_fetch(lib, name, NULL);
        if (!cipher)
                goto out; /* "unsupported": tried again with the legacy provider */

        ivlen = EVP_CIPHER_get_iv_length(cipher);
        if (ivlen < 8 || (size_t) ivlen > sizeof iv || hlen != (size_t) ivlen * 2) {
                ERR_raise(ERR_LIB_PEM, PEM_R_BAD_IV_CHARS);
                goto out;
        }
        for (int i = 0; i < ivlen; i++) {
                int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
                if (hi < 0 || lo < 0) {
                        ERR_raise(ERR_LIB_PEM, PEM_R_BAD_IV_CHARS);
                        goto out;
                }
                iv[i] = (unsigned char) (hi << 4 | lo);
        }
        if (EVP_BytesToKey(cipher, EVP_md5(), iv, (const unsigned char *) pass,
                           pass ? (int) strlen(pass) : 0, 1, key, NULL) <= 0) {
                if (ERR_peek_last_error() == 0)
                        ERR_raise(ERR_LIB_EVP, EVP_R_BAD_DECRYPT);
                goto out;
        }

        if (secret_buf_alloc(a->out, a->len + (size_t) EVP_CIPHER_get_block_size(cipher) + 1) < 0)
                goto out;
        c = EVP_CIPHER_CTX_new();
        if (!c || EVP_DecryptInit_ex2(c, cipher, key, iv, NULL) != 1 ||
            EVP_DecryptUpdate(c, a->out->p, &outl, a->in, (int) a->len) != 1 ||
            EVP_DecryptFinal_ex(c, a->out->p + outl, &fin) != 1) {
                ERR_raise(ERR_LIB_EVP, EVP_R_BAD_DECRYPT);
                goto out;
        }
        a->out_len = (size_t) outl + (size_t) fin;
        ok = true;
out:
        /* The derived key, on every path; the cipher context's copy goes with
         * EVP_CIPHER_CTX_free(), which cleanses it. */
        OPENSSL_cleanse(key, sizeof key);
        if (!ok) {
                secret_buf_done(a->out);
                return NULL;
        }
        return a->out->p;
}

/* ---- PEM -------------------------------------------------------------------------- */

typedef enum BlockKind {
        BLOCK_CERT,          /* CERTIFICATE, X509 CERTIFICATE */
        BLOCK_CERT_AUX,      /* TRUSTED CERTIFICATE */
        BLOCK_KEY_PKCS8,     /* PRIVATE KEY */
        BLOCK_KEY_RSA,       /* RSA PRIVATE KEY */
        BLOCK_KEY_EC,        /* EC PRIVATE KEY */
        BLOCK_KEY_ENCRYPTED, /* ENCRYPTED PRIVATE KEY */
        BLOCK_KEY_OTHER,     /* DSA PRIVATE KEY, any other "... PRIVATE KEY" */
        BLOCK_PKCS7,
        BLOCK_IGNORED, /* CSR, CRL, public key, parameters, anything else */
} BlockKind;

static const struct {
        const char *label;
        BlockKind kind;
} label_table[] = {
        {"CERTIFICATE", BLOCK_CERT},
        {"X509 CERTIFICATE", BLOCK_CERT},
        {"TRUSTED CERTIFICATE", BLOCK_CERT_AUX},
        {"PRIVATE KEY", BLOCK_KEY_PKCS8},
        {"RSA PRIVATE KEY", BLOCK_KEY_RSA},
        {"EC PRIVATE KEY", BLOCK_KEY_EC},
        {"ENCRYPTED PRIVATE KEY", BLOCK_KEY_ENCRYPTED},
        {"PKCS7", BLOCK_PKCS7},
        {"PKCS #7 SIGNED DATA", BLOCK_PKCS7},
        {"CMS", BLOCK_PKCS7},
};

static BlockKind block_kind(const char *label) {
        size_t n = strlen(label);

        for (size_t i = 0; i < ELEMENTSOF(label_table); i++)
                if (streq(label_table[i].label, label))
                        return label_table[i].kind;
        if (n >= 12 && streq(label + n - 12, " PRIVATE KEY"))
                return BLOCK_KEY_OTHER;
        return BLOCK_IGNORED;
}

/* Labels are upper case (RFC 7468 and every label in use); restricting them
 * keeps prose such as "-- end of chain --" from being taken for a marker. */
static bool is_label_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' || c == '.' ||
               c == '_' || c == '/' || c == ',' || c == '+';
}

static bool keyword_at(const char *d, size_t n, size_t k) {
        return (n - k >= 5 && memcmp(d + k, "BEGIN", 5) == 0) ||
               (n - k >= 3 && memcmp(d + k, "END", 3) == 0);
}

/* A BEGIN or END marker starting at d[i], a hyphen: hyphens (any number),
 * blanks, BEGIN or END, blanks, the label (blank runs inside it collapse to
 * one space), blanks, hyphens. A hyphen run shared with a following marker
 * ("-----END X----------BEGIN Y-----") is split between the two. */
static bool marker_at(const char *d, size_t n, size_t i, bool *ret_begin,
                      char label[static LABEL_MAX + 1], size_t *ret_end) {
        size_t k = i, l = 0, t;
        bool begin;

        while (k < n && d[k] == '-')
                k++;
        if (k == i)
                return false;
        while (k < n && is_blank(d[k]))
                k++;
        if (n - k >= 5 && memcmp(d + k, "BEGIN", 5) == 0) {
                begin = true;
                k += 5;
        } else if (n - k >= 3 && memcmp(d + k, "END", 3) == 0) {
                begin = false;
                k += 3;
        } else
                return false;
        if (k >= n || !is_blank(d[k]))
                return false;
        while (k < n && is_blank(d[k]))
                k++;
        for (;;) {
                size_t w = k;

                while (k < n && is_label_char(d[k])) {
                        if (l >= LABEL_MAX)
                                return false;
                        label[l++] = d[k++];
                }
                if (k == w)
                        return false;
                while (k < n && is_blank(d[k]))
                        k++;
                if (k >= n || !is_label_char(d[k]))
                        break;
                if (l >= LABEL_MAX)
                        return false;
                label[l++] = ' ';
        }
        t = k;
        while (k < n && d[k] == '-')
                k++;
        if (k == t)
                return false;
        if (k - t > 1) {
                size_t j = k;

                while (j < n && is_blank(d[j]))
                        j++;
                if (keyword_at(d, n, j)) {
                        size_t keep = (k - t) / 2;
                        k = t + (keep > 5 ? 5 : keep);
                }
        }
        label[l] = 0;
        *ret_begin = begin;
        *ret_end = k;
        return true;
}

/* Copies d to out with LF line ends, without a BOM, and every marker in its
 * canonical form on a line of its own. *ret_markers counts them (up to a
 * limit: more is too many blocks); *ret_changed says whether anything was
 * changed. */
static int normalise(const char *d, size_t n, SecretBuf *out, size_t *ret_len, size_t *ret_markers,
                     bool *ret_changed) {
        size_t o = 0, markers = 0, cap;
        bool changed = false;
        int r;

        if (n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0) {
                d += 3;
                n -= 3;
                changed = true;
        }
        /* A canonical marker is at most 10 bytes (and two line ends) longer
         * than the shortest original ("-BEGIN X-"), which is 9 bytes. */
        cap = 3 * n + 64;
        r = secret_buf_alloc(out, cap);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n;) {
                char label[LABEL_MAX + 1];
                size_t end;
                bool begin;

                if (d[i] == '\r') {
                        if (i + 1 >= n || d[i + 1] != '\n')
                                out->p[o++] = '\n';
                        changed = true;
                        i++;
                        continue;
                }
                if (d[i] != '-' || markers > 2 * LOADER_MAX_BLOCKS ||
                    !marker_at(d, n, i, &begin, label, &end)) {
                        out->p[o++] = (unsigned char) d[i++];
                        continue;
                }
                markers++;
                if (o > 0 && out->p[o - 1] != '\n') {
                        out->p[o++] = '\n';
                        changed = true;
                }
                {
                        char canon[LABEL_MAX + 32];
                        int k = snprintf(canon, sizeof canon, "-----%s %s-----",
                                         begin ? "BEGIN" : "END", label);
                        if (k < 0 || (size_t) k >= sizeof canon)
                                return -EINVAL;
                        if ((size_t) k != end - i || memcmp(canon, d + i, (size_t) k) != 0)
                                changed = true;
                        memcpy(out->p + o, canon, (size_t) k);
                        o += (size_t) k;
                }
                i = end;
                {
                        size_t j = i;
                        while (j < n && is_blank(d[j]))
                                j++;
                        if (j < n && d[j] != '\n' && d[j] != '\r') {
                                out->p[o++] = '\n';
                                changed = true;
                        }
                }
        }
        if (o >= cap)
                return -EINVAL; /* cannot happen: see cap */
        out->p[o] = 0;
        *ret_len = o;
        *ret_markers = markers;
        *ret_changed = changed;
        return 0;
}

/* Splits a block body into RFC 1421 headers and base64: headers are lines
 * with a colon (continuation lines start with a blank) up to a blank line.
 * Sets *ret_encrypted for "Proc-Type: 4,ENCRYPTED" and the DEK-Info value.
 * Returns the offset of the base64. */
static size_t split_headers(const char *s, size_t n, bool *ret_encrypted, const char **ret_dek,
                            size_t *ret_dek_len) {
        size_t i = 0;

        *ret_encrypted = false;
        *ret_dek = NULL;
        *ret_dek_len = 0;
        while (i < n && is_space(s[i]))
                i++;
        while (i < n) {
                const char *nl = memchr(s + i, '\n', n - i);
                size_t e = nl ? (size_t) (nl - s) : n, t = i;

                while (t < e && is_space(s[t]))
                        t++;
                if (t == e) { /* the blank line that ends the headers */
                        i = e < n ? e + 1 : n;
                        break;
                }
                if (!memchr(s + i, ':', e - i) && !is_blank(s[i]))
                        break; /* base64 already */
                if (e - i >= 10 && strncasecmp(s + i, "Proc-Type:", 10) == 0 &&
                    memmem(s + i, e - i, "ENCRYPTED", 9))
                        *ret_encrypted = true;
                if (e - i >= 9 && strncasecmp(s + i, "DEK-Info:", 9) == 0) {
                        size_t v = i + 9;
                        while (v < e && is_blank(s[v]))
                                v++;
                        *ret_dek = s + v;
                        *ret_dek_len = e - v;
                }
                i = e < n ? e + 1 : n;
        }
        return i;
}

static bool is_b64_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '/';
}

/* Decodes base64, ignoring white space: 1 and the bytes, 0 when it is not
 * valid base64, -ENOMEM. */
static int b64_decode(const char *s, size_t n, SecretBuf *ret, size_t *ret_len) {
        _cleanup_(secret_buf_done) SecretBuf text = {}, der = {};
        size_t k = 0, pad = 0;
        int r;

        if (n > INT_MAX / 2)
                return 0;
        r = secret_buf_alloc(&text, n + 1);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (is_space(c))
                        continue;
                if (c == '=')
                        pad++;
                else if (!is_b64_char(c) || pad > 0)
                        return 0;
                text.p[k++] = (unsigned char) c;
        }
        if (k == 0 || k % 4 != 0 || pad > 2)
                return 0;
        r = secret_buf_alloc(&der, k / 4 * 3 + 1);
        if (r < 0)
                return r;
        r = EVP_DecodeBlock(der.p, text.p, (int) k);
        if (r < 0 || (size_t) r < pad)
                return 0;
        *ret_len = (size_t) r - pad;
        *ret = der;
        der = (SecretBuf){};
        return 1;
}

static int read_pkcs7(Reader *r, PKCS7 *p7);

static int pem_cert(Reader *r, BlockKind kind, const unsigned char *der, size_t len) {
        const unsigned char *q = der;
        X509 *x;
        int index = r->n_cert_blocks++;

        ERR_set_mark();
        x = len <= LONG_MAX ? (kind == BLOCK_CERT_AUX ? d2i_X509_AUX(NULL, &q, (long) len)
                                                      : d2i_X509(NULL, &q, (long) len))
                            : NULL;
        ERR_pop_to_mark();
        if (!x || (size_t) (q - der) != len) {
                X509_free(x);
                return fail(r, FINDING_CERT_INVALID, NULL,
                            "certificate block %d of %s is damaged: its contents are not a "
                            "certificate (truncated or edited); copy it again from the CA's file",
                            index, r->name);
        }
        return add_cert(r, x, -1);
}

static int pem_key(Reader *r, BlockKind kind, const char *label, const unsigned char *der,
                   size_t len, bool encrypted, const char *dek, size_t dek_len) {
        _cleanup_(secret_buf_done) SecretBuf plain = {};
        _cleanup_(freep) char *what = NULL;
        EVP_PKEY *k = NULL;
        const char *structure = NULL, *keytype = NULL;
        int index = r->n_key_blocks++, q;

        what = strf("private key %d (%s)", index, label);
        if (!what)
                return -ENOMEM;

        if (kind == BLOCK_KEY_ENCRYPTED) {
                _cleanup_(X509_SIG_freep) X509_SIG *sig = NULL;
                const unsigned char *p = der;

                ERR_set_mark();
                sig = len <= LONG_MAX ? d2i_X509_SIG(NULL, &p, (long) len) : NULL;
                ERR_pop_to_mark();
                if (!sig || (size_t) (p - der) != len)
                        return fail(r, FINDING_KEY_INVALID, NULL,
                                    "%s of %s is damaged: not an encrypted PKCS#8 key", what,
                                    r->name);
                rfile(r)->pem |= LOADER_PEM_ENCRYPTED_KEY;
                return read_encrypted_pkcs8(r, sig, what);
        }
        if (kind == BLOCK_KEY_OTHER)
                return fail(r, FINDING_KEY_INVALID, NULL,
                            "%s of %s is of a kind certconf does not use: give the server "
                            "certificate's RSA or EC key",
                            what, r->name);

        if (encrypted) {
                TradArg a = {.dek = dek, .dek_len = dek_len, .in = der, .len = len, .out = &plain};
                Failure fl = FAIL_DAMAGED;
                const char *pass = r->o && r->o->password ? r->o->password : "", *iv;
                char cname[64];
                size_t iv_len;

                rfile(r)->pem |= LOADER_PEM_ENCRYPTED_KEY;
                if (!dek || dek_cipher_name(dek, dek_len, cname, &iv, &iv_len) < 0)
                        return fail(r, FINDING_KEY_INVALID, NULL,
                                    "%s of %s says it is encrypted but has no DEK-Info header "
                                    "naming the cipher and IV (\"DEK-Info: AES-128-CBC,hex\"): "
                                    "export the key again",
                                    what, r->name);
                q = keys_full(r);
                if (q != 0)
                        return q < 0 ? q : 0;
                if (!decrypt_with(r, trad_decrypt, &a, pass, &fl)) {
                        _cleanup_(freep) char *alg = strndup(dek, dek_len);
                        char *comma;

                        if (!alg)
                                return -ENOMEM;
                        comma = strchr(alg, ',');
                        if (comma)
                                *comma = 0;
                        if (fl == FAIL_NO_LEGACY || fl == FAIL_ALGORITHM)
                                return fail_algorithm(r, fl, what, alg);
                        if (!(r->o && r->o->password))
                                return fail(r, FINDING_PASSWORD, NULL,
                                            "%s of %s is encrypted: give its password with "
                                            "--password-file",
                                            what, r->name);
                        return fail(r, FINDING_PASSWORD, NULL,
                                    "wrong password for %s (%s does not decrypt with it): give "
                                    "the right one with --password-file",
                                    r->name, what);
                }
                der = plain.p;
                len = a.out_len;
        }

        if (kind == BLOCK_KEY_PKCS8)
                structure = "PrivateKeyInfo";
        else {
                structure = "type-specific";
                keytype = kind == BLOCK_KEY_RSA ? "RSA" : "EC";
        }
        q = key_from_der(der, len, structure, keytype, &k);
        if (q < 0)
                return q;
        if (q == 0) {
                if (encrypted)
                        return fail(r, FINDING_PASSWORD, NULL,
                                    "wrong password for %s (%s decrypts to garbage with it): "
                                    "give the right one with --password-file",
                                    r->name, what);
                return fail(r, FINDING_KEY_INVALID, NULL,
                            "%s of %s is damaged: its contents are not a private key (truncated "
                            "or edited)",
                            what, r->name);
        }
        return add_key(r, k, -1, encrypted);
}

static int pem_pkcs7(Reader *r, const unsigned char *der, size_t len) {
        _cleanup_(PKCS7_freep) PKCS7 *p7 = NULL;
        const unsigned char *q = der;

        rfile(r)->pem |= LOADER_PEM_PKCS7;
        ERR_set_mark();
        p7 = len <= LONG_MAX ? d2i_PKCS7(NULL, &q, (long) len) : NULL;
        ERR_pop_to_mark();
        if (!p7 || (size_t) (q - der) != len)
                return fail(r, FINDING_INPUT_FORMAT, NULL,
                            "the PKCS#7 block of %s is damaged: get the file again from the CA",
                            r->name);
        return read_pkcs7(r, p7);
}

static int pem_block(Reader *r, const char *label, const char *body, size_t n) {
        _cleanup_(secret_buf_done) SecretBuf der = {};
        BlockKind kind = block_kind(label);
        const char *dek = NULL;
        size_t skip, der_len = 0, dek_len = 0;
        bool encrypted = false;
        int q;

        if (kind == BLOCK_IGNORED) {
                rfile(r)->pem |= LOADER_PEM_IGNORED;
                return 0;
        }
        skip = split_headers(body, n, &encrypted, &dek, &dek_len);
        q = b64_decode(body + skip, n - skip, &der, &der_len);
        if (q < 0)
                return q;
        if (q == 0) {
                if (kind == BLOCK_CERT || kind == BLOCK_CERT_AUX)
                        return fail(r, FINDING_CERT_INVALID, NULL,
                                    "certificate block %d of %s is damaged: its base64 is "
                                    "truncated or holds other characters",
                                    r->n_cert_blocks++, r->name);
                if (kind == BLOCK_PKCS7)
                        return fail(r, FINDING_INPUT_FORMAT, NULL,
                                    "the PKCS#7 block of %s is damaged: its base64 is "
                                    "truncated or holds other characters",
                                    r->name);
                return fail(r, FINDING_KEY_INVALID, NULL,
                            "private key %d of %s is damaged: its base64 is truncated or holds "
                            "other characters",
                            r->n_key_blocks++, r->name);
        }
        switch (kind) {
        case BLOCK_CERT:
        case BLOCK_CERT_AUX:
                return pem_cert(r, kind, der.p, der_len);
        case BLOCK_PKCS7:
                return pem_pkcs7(r, der.p, der_len);
        default:
                return pem_key(r, kind, label, der.p, der_len, encrypted, dek, dek_len);
        }
}

/* A line that is a canonical marker (as normalise() writes them). */
static bool line_marker(const char *l, size_t n, bool *ret_begin,
                        char label[static LABEL_MAX + 1]) {
        size_t p;

        if (n > 16 && memcmp(l, "-----BEGIN ", 11) == 0) {
                *ret_begin = true;
                p = 11;
        } else if (n > 14 && memcmp(l, "-----END ", 9) == 0) {
                *ret_begin = false;
                p = 9;
        } else
                return false;
        if (memcmp(l + n - 5, "-----", 5) != 0 || n - 5 - p > LABEL_MAX || n - 5 <= p)
                return false;
        memcpy(label, l + p, n - 5 - p);
        label[n - 5 - p] = 0;
        return true;
}

static int broken_block(Reader *r, const char *label, const char *why) {
        BlockKind kind = block_kind(label);

        if (kind == BLOCK_IGNORED) {
                rfile(r)->pem |= LOADER_PEM_IGNORED;
                return 0;
        }
        if (kind == BLOCK_CERT || kind == BLOCK_CERT_AUX)
                return fail(r, FINDING_CERT_INVALID, NULL,
                            "certificate block %d of %s %s (is the file truncated?)",
                            r->n_cert_blocks++, r->name, why);
        if (kind == BLOCK_PKCS7)
                return fail(r, FINDING_INPUT_FORMAT, NULL,
                            "the PKCS#7 block of %s %s (is the file truncated?)", r->name, why);
        return fail(r, FINDING_KEY_INVALID, NULL,
                    "private key %d of %s %s (is the file truncated?)", r->n_key_blocks++, r->name,
                    why);
}

/* Reads the blocks of normalised PEM text. */
static int read_pem(Reader *r, const char *t, size_t n) {
        char label[LABEL_MAX + 1] = "", l2[LABEL_MAX + 1];
        size_t pos = 0, body = 0, blocks = 0;
        bool in = false, begin;
        int q;

        while (pos < n) {
                const char *nl = memchr(t + pos, '\n', n - pos);
                size_t e = nl ? (size_t) (nl - t) : n, le = e;

                while (le > pos && is_blank(t[le - 1]))
                        le--;
                if (line_marker(t + pos, le - pos, &begin, l2)) {
                        if (begin) {
                                if (in) {
                                        q = broken_block(r, label, "has no END marker");
                                        if (q < 0)
                                                return q;
                                }
                                if (++blocks > LOADER_MAX_BLOCKS)
                                        return fail(r, FINDING_FILE_TOO_LARGE, NULL,
                                                    "%s holds more than %d PEM blocks: it is "
                                                    "not a server certificate's chain or key",
                                                    r->name, LOADER_MAX_BLOCKS);
                                in = true;
                                strcpy(label, l2);
                                body = e < n ? e + 1 : n;
                        } else if (in && streq(label, l2)) {
                                q = pem_block(r, label, t + body, pos - body);
                                if (q < 0)
                                        return q;
                                in = false;
                        } else if (in) {
                                _cleanup_(freep) char *why = strf("ends with END %s", l2);
                                if (!why)
                                        return -ENOMEM;
                                q = broken_block(r, label, why);
                                if (q < 0)
                                        return q;
                                in = false;
                        } else
                                rfile(r)->pem |= LOADER_PEM_NORMALISED; /* a stray END */
                } else if (!in && le > pos) {
                        for (size_t i = pos; i < le; i++)
                                if (!is_space(t[i])) {
                                        rfile(r)->pem |= LOADER_PEM_NORMALISED; /* text */
                                        break;
                                }
                }
                pos = e < n ? e + 1 : n;
        }
        if (in) {
                q = broken_block(r, label, "has no END marker");
                if (q < 0)
                        return q;
        }
        return 0;
}

/* ---- PKCS#7 ------------------------------------------------------------------------ */

static int read_pkcs7(Reader *r, PKCS7 *p7) {
        STACK_OF(X509) *certs = NULL;
        int nid = OBJ_obj2nid(p7->type), q;

        if (nid == NID_pkcs7_signed && p7->d.sign)
                certs = p7->d.sign->cert;
        else if (nid == NID_pkcs7_signedAndEnveloped && p7->d.signed_and_enveloped)
                certs = p7->d.signed_and_enveloped->cert;
        if (sk_X509_num(certs) <= 0)
                return fail(r, FINDING_INPUT_FORMAT,
                            "Ask the CA for the certificate and its chain as a .p7b (PKCS#7 signed "
                            "data with certificates) or as PEM.",
                            "%s is a PKCS#7 file (%s) without certificates", r->name,
                            nid != NID_undef ? OBJ_nid2ln(nid) : "of an unknown type");
        for (int i = 0; i < sk_X509_num(certs); i++) {
                X509 *x = sk_X509_value(certs, i);
                if (X509_up_ref(x) != 1)
                        return -ENOMEM;
                q = add_cert(r, x, -1);
                if (q < 0)
                        return q;
        }
        return 0;
}

/* ---- PKCS#12 ----------------------------------------------------------------------- */

typedef struct SafeArg {
        PKCS7 *p7;
} SafeArg;

static void *safe_decrypt(void *arg, const char *pass, OSSL_LIB_CTX *lib) {
        SafeArg *a = arg;
        PKCS7_ENC_CONTENT *ec;

        if (!a->p7->d.encrypted || !(ec = a->p7->d.encrypted->enc_data) || !ec->enc_data)
                return NULL;
        return PKCS12_item_decrypt_d2i_ex(ec->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS), pass,
                                          pass ? -1 : 0, ec->enc_data, 1, lib, NULL);
}

typedef struct BagArg {
        const PKCS12_SAFEBAG *bag;
} BagArg;

static void *bag_decrypt(void *arg, const char *pass, OSSL_LIB_CTX *lib) {
        BagArg *a = arg;

        return PKCS12_decrypt_skey_ex(a->bag, pass, pass ? -1 : 0, lib, NULL);
}

typedef struct P12 {
        Candidate cand[3];
        size_t n_cand;
        ssize_t chosen; /* index into cand once known (the MAC, or a first decryption) */
} P12;

/* Decrypts with the chosen password, or finds it among the candidates. */
static void *p12_decrypt(Reader *r, P12 *p, DecryptFn fn, void *arg, const char *what,
                         const X509_ALGOR *alg, int *ret_err) {
        Failure fl = FAIL_DAMAGED;
        char abuf[128];
        void *obj;

        *ret_err = 0;
        for (size_t i = p->chosen >= 0 ? (size_t) p->chosen : 0; i < p->n_cand; i++) {
                obj = decrypt_with(r, fn, arg, p->cand[i].pass, &fl);
                if (obj) {
                        p->chosen = (ssize_t) i;
                        rfile(r)->password = p->cand[i].kind;
                        return obj;
                }
                if (fl == FAIL_NO_LEGACY || fl == FAIL_ALGORITHM) {
                        *ret_err = fail_algorithm(r, fl, what, algorithm_name(alg, abuf));
                        return NULL;
                }
                if (p->chosen >= 0)
                        break; /* the MAC said which password it is */
        }
        if (p->chosen >= 0)
                *ret_err = fail(r, FINDING_PASSWORD,
                                "Give the password the file was exported with (for a file made "
                                "with two passwords, the encryption one) with --password-file.",
                                "%s of %s does not decrypt with the password its MAC verifies "
                                "with (or it is damaged)",
                                what, r->name);
        else if (r->o && r->o->password) {
                rfile(r)->password = LOADER_PASSWORD_WRONG;
                *ret_err = fail(r, FINDING_PASSWORD, NULL,
                                "wrong password for %s (%s does not decrypt with it): give the "
                                "right one with --password-file",
                                r->name, what);
        } else {
                rfile(r)->password = LOADER_PASSWORD_NEEDED;
                *ret_err = fail(r, FINDING_PASSWORD, NULL,
                                "%s needs a password (%s does not decrypt without one): give it "
                                "with --password-file",
                                r->name, what);
        }
        return NULL;
}

static int p12_bags(Reader *r, P12 *p, const STACK_OF(PKCS12_SAFEBAG) * bags, int depth) {
        int q;

        for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
                const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
                int nid = PKCS12_SAFEBAG_get_nid(bag), index;

                if (nid == NID_safeContentsBag) {
                        if (depth >= BAG_DEPTH_MAX)
                                return fail(r, FINDING_INPUT_FORMAT, NULL,
                                            "%s nests safe contents more than %d deep", r->name,
                                            BAG_DEPTH_MAX);
                        q = p12_bags(r, p, PKCS12_SAFEBAG_get0_safes(bag), depth + 1);
                        if (q < 0)
                                return q;
                        continue;
                }
                index = r->bag++;
                if (nid == NID_certBag) {
                        X509 *x;

                        if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
                                continue; /* an SDSI certificate: not ours */
                        ERR_set_mark();
                        x = PKCS12_SAFEBAG_get1_cert(bag);
                        ERR_pop_to_mark();
                        if (!x)
                                return fail(r, FINDING_CERT_INVALID, NULL,
                                            "the certificate in bag %d of %s is damaged", index,
                                            r->name);
                        q = add_cert(r, x, index);
                } else if (nid == NID_keyBag) {
                        _cleanup_(freep) char *what = strf("the key in bag %d", index);
                        if (!what)
                                return -ENOMEM;
                        q = key_from_p8(r, PKCS12_SAFEBAG_get0_p8inf(bag), index, false, what);
                } else if (nid == NID_pkcs8ShroudedKeyBag) {
                        _cleanup_(PKCS8_PRIV_KEY_INFO_freep) PKCS8_PRIV_KEY_INFO *p8 = NULL;
                        _cleanup_(freep) char *what = strf("the key in bag %d", index);
                        const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
                        const X509_ALGOR *alg = NULL;
                        BagArg a = {.bag = bag};
                        int err = 0;

                        if (!what)
                                return -ENOMEM;
                        if (sig)
                                X509_SIG_get0(sig, &alg, NULL);
                        /* Decrypting costs; a key that would be refused is not decrypted. */
                        q = keys_full(r);
                        if (q == 0)
                                q = check_pbe(r, alg, what);
                        if (q < 0)
                                return q;
                        if (q > 0)
                                continue;
                        p8 = p12_decrypt(r, p, bag_decrypt, &a, what, alg, &err);
                        if (!p8) {
                                if (err < 0)
                                        return err;
                                continue;
                        }
                        q = key_from_p8(r, p8, index, true, what);
                } else
                        continue; /* CRL and secret bags: not ours */
                if (q < 0)
                        return q;
        }
        return 0;
}

static int read_pkcs12(Reader *r, PKCS12 *p12) {
        _cleanup_(sk_PKCS7_pop_freep) STACK_OF(PKCS7) *safes = NULL;
        P12 p = {.chosen = -1};
        int q;

        p.n_cand = p12_candidates(r->o, p.cand);
        if (PKCS12_mac_present(p12)) {
                const ASN1_INTEGER *iter = NULL;
                bool unsupported = false;
                uint64_t n = 1; /* the default when the count is left out */

                PKCS12_get0_mac(NULL, NULL, NULL, &iter, p12);
                if (iter && !uint_of(iter, &n))
                        n = UINT64_MAX;
                q = too_many_iterations(r, n, "the MAC");
                if (q != 0)
                        return q < 0 ? q : 0;

                for (size_t i = 0; i < p.n_cand && p.chosen < 0; i++) {
                        int ok;

                        err_mark();
                        ok = PKCS12_verify_mac(p12, p.cand[i].pass, p.cand[i].pass ? -1 : 0);
                        if (!ok && classify_error() == FAIL_UNSUPPORTED)
                                unsupported = true;
                        ERR_pop_to_mark();
                        if (ok == 1) {
                                p.chosen = (ssize_t) i;
                                rfile(r)->password = p.cand[i].kind;
                        }
                }
                if (p.chosen < 0 && unsupported) {
                        const X509_ALGOR *alg = NULL;
                        char abuf[128];

                        PKCS12_get0_mac(NULL, &alg, NULL, NULL, p12);
                        return fail(r, FINDING_ALGORITHM_UNAVAILABLE, NULL,
                                    "the MAC of %s uses %s, which OpenSSL cannot compute: have "
                                    "the file exported again (openssl pkcs12 -export)",
                                    r->name, algorithm_name(alg, abuf));
                }
                if (p.chosen < 0) {
                        rfile(r)->password = r->o && r->o->password ? LOADER_PASSWORD_WRONG
                                                                    : LOADER_PASSWORD_NEEDED;
                        if (r->o && r->o->password)
                                return fail(r, FINDING_PASSWORD, NULL,
                                            "wrong password for %s (the PKCS#12 MAC does not "
                                            "verify): give the right one with --password-file",
                                            r->name);
                        return fail(r, FINDING_PASSWORD, NULL,
                                    "%s needs a password (the PKCS#12 MAC does not verify "
                                    "without one): give it with --password-file",
                                    r->name);
                }
        }

        ERR_set_mark();
        safes = PKCS12_unpack_authsafes(p12);
        ERR_pop_to_mark();
        if (!safes)
                return fail(r, FINDING_INPUT_FORMAT, NULL,
                            "%s is a damaged PKCS#12 file (its contents do not decode): get it "
                            "again",
                            r->name);

        for (int i = 0; i < sk_PKCS7_num(safes); i++) {
                _cleanup_(sk_PKCS12_SAFEBAG_pop_freep) STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
                PKCS7 *p7 = sk_PKCS7_value(safes, i);
                int nid = OBJ_obj2nid(p7->type);

                if (nid == NID_pkcs7_data) {
                        ERR_set_mark();
                        bags = PKCS12_unpack_p7data(p7);
                        ERR_pop_to_mark();
                } else if (nid == NID_pkcs7_encrypted) {
                        const X509_ALGOR *alg = p7->d.encrypted && p7->d.encrypted->enc_data
                                                        ? p7->d.encrypted->enc_data->algorithm
                                                        : NULL;
                        SafeArg a = {.p7 = p7};
                        _cleanup_(freep) char *what = strf("the encrypted part %d", i);
                        int err = 0;

                        if (!what)
                                return -ENOMEM;
                        q = check_pbe(r, alg, what);
                        if (q < 0)
                                return q;
                        if (q > 0)
                                continue;
                        bags = p12_decrypt(r, &p, safe_decrypt, &a, what, alg, &err);
                        if (!bags)
                                return err;
                } else
                        return fail(r, FINDING_INPUT_FORMAT,
                                    "Have it exported again protected by a password (openssl "
                                    "pkcs12 -export).",
                                    "%s protects part %d with public-key encryption (%s), which "
                                    "certconf does not read",
                                    r->name, i, nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
                if (!bags)
                        return fail(r, FINDING_INPUT_FORMAT, NULL,
                                    "part %d of %s is damaged (it does not decode): get the file "
                                    "again",
                                    i, r->name);
                q = p12_bags(r, &p, bags, 0);
                if (q < 0)
                        return q;
        }
        if (rfile(r)->n_certs == 0 && rfile(r)->n_keys == 0 && !rfile(r)->failed)
                return fail(r, FINDING_INPUT_FORMAT, NULL,
                            "%s is a PKCS#12 file holding neither certificates nor private keys",
                            r->name);
        return 0;
}

/* ---- DER ---------------------------------------------------------------------------- */

static bool is_binary(const char *d, size_t len) {
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) d[i];
                if ((c < 0x20 && !is_space((char) c) && c != 0x1a && c != 0x1b) || c == 0x7f)
                        return true;
        }
        return false;
}

/* The length a DER SEQUENCE at the start of d says it has, header
 * included; 0 when d does not start with one (or its length is indefinite
 * or absurd). */
static size_t der_outer_length(const unsigned char *d, size_t len) {
        size_t n, v = 0;

        if (len < 2 || d[0] != 0x30)
                return 0;
        if (d[1] < 0x80)
                return 2 + (size_t) d[1];
        n = d[1] & 0x7f;
        if (n == 0 || n > 4 || len < 2 + n)
                return 0;
        for (size_t i = 0; i < n; i++)
                v = v << 8 | d[2 + i];
        return 2 + n + v;
}

/* What a DER structure cut short probably was, from its first bytes. */
static const char *der_kind(const unsigned char *d, size_t len) {
        static const unsigned char p7_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48,
                                               0x86, 0xf7, 0x0d, 0x01, 0x07};
        size_t h = len > 1 && d[1] >= 0x80 ? 2 + (size_t) (d[1] & 0x7f) : 2;

        if (len >= h + 3 && d[h] == 0x02 && d[h + 1] == 0x01 && d[h + 2] == 0x03)
                return "a PKCS#12 file";
        if (len >= h + sizeof p7_oid && memcmp(d + h, p7_oid, sizeof p7_oid) == 0)
                return "a PKCS#7 file";
        if (len >= h + 3 && d[h] == 0x02 && d[h + 1] == 0x01 && d[h + 2] <= 0x01)
                return "a DER private key";
        if (len > h && d[h] == 0x30)
                return "a DER certificate (or key)";
        return "a DER file";
}

/* Tries the DER forms; 1 when one took the whole file, 0 when none did. */
static int read_der(Reader *r, const unsigned char *d, size_t len) {
        const unsigned char *q;
        int k;

        if (len == 0 || d[0] != 0x30 || len > LONG_MAX)
                return 0;

        {
                _cleanup_(X509_freep) X509 *x = NULL;
                q = d;
                ERR_set_mark();
                x = d2i_X509(NULL, &q, (long) len);
                ERR_pop_to_mark();
                if (x && q == d + len) {
                        rfile(r)->format = LOADER_FORMAT_DER_CERT;
                        k = add_cert(r, TAKE_PTR(x), -1);
                        return k < 0 ? k : 1;
                }
        }
        {
                _cleanup_(PKCS12_freep) PKCS12 *p12 = NULL;
                q = d;
                ERR_set_mark();
                p12 = d2i_PKCS12(NULL, &q, (long) len);
                ERR_pop_to_mark();
                if (p12 && q == d + len) {
                        rfile(r)->format = LOADER_FORMAT_PKCS12;
                        k = read_pkcs12(r, p12);
                        return k < 0 ? k : 1;
                }
        }
        {
                _cleanup_(PKCS7_freep) PKCS7 *p7 = NULL;
                q = d;
                ERR_set_mark();
                p7 = d2i_PKCS7(NULL, &q, (long) len);
                ERR_pop_to_mark();
                if (p7 && q == d + len) {
                        rfile(r)->format = LOADER_FORMAT_PKCS7;
                        k = read_pkcs7(r, p7);
                        return k < 0 ? k : 1;
                }
        }
        {
                EVP_PKEY *key = NULL;
                k = key_from_der(d, len, NULL, NULL, &key);
                if (k < 0)
                        return k;
                if (k > 0) {
                        rfile(r)->format = LOADER_FORMAT_DER_KEY;
                        k = add_key(r, key, -1, false);
                        return k < 0 ? k : 1;
                }
        }
        {
                _cleanup_(X509_SIG_freep) X509_SIG *sig = NULL;
                q = d;
                ERR_set_mark();
                sig = d2i_X509_SIG(NULL, &q, (long) len);
                ERR_pop_to_mark();
                if (sig && q == d + len) {
                        rfile(r)->format = LOADER_FORMAT_DER_ENCRYPTED_KEY;
                        k = read_encrypted_pkcs8(r, sig, "the encrypted PKCS#8 key");
                        return k < 0 ? k : 1;
                }
        }
        {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL;
                q = d;
                ERR_set_mark();
                pub = d2i_PUBKEY(NULL, &q, (long) len);
                ERR_pop_to_mark();
                if (pub && q == d + len) {
                        k = fail(r, FINDING_INPUT_FORMAT, NULL,
                                 "%s holds a public key (DER), not a certificate or a private key",
                                 r->name);
                        return k < 0 ? k : 1;
                }
        }
        return 0;
}

/* ---- entry points -------------------------------------------------------------------- */

static int add_file(LoaderSet *s, const char *path, size_t *ret) {
        LoaderFile *a;
        char *p = strdup(path ? path : "(unnamed)");

        if (!p)
                return -ENOMEM;
        a = reallocarray(s->files, s->n_files + 1, sizeof(LoaderFile));
        if (!a) {
                free(p);
                return -ENOMEM;
        }
        s->files = a;
        s->files[s->n_files] = (LoaderFile){.path = p, .format = LOADER_FORMAT_UNKNOWN};
        *ret = s->n_files++;
        return 0;
}

static int reader_init(Reader *r, LoaderSet *s, const char *path, const LoaderOptions *o,
                       Findings *f) {
        int q;

        *r = (Reader){.s = s, .o = o, .f = f};
        q = add_file(s, path, &r->file);
        if (q < 0)
                return q;
        r->path = s->files[r->file].path;
        r->name = display_name(path);
        if (!r->name)
                return -ENOMEM;
        r->qname = findings_shell_quote(r->name);
        if (!r->qname)
                return -ENOMEM;
        return 0;
}

static int parse_data(Reader *r, const char *data, size_t len) {
        _cleanup_(secret_buf_done) SecretBuf norm = {};
        size_t norm_len = 0, markers = 0, i = 0;
        bool changed = false;
        int q;

        if (len > LOADER_MAX_BYTES) {
                rfile(r)->format = LOADER_FORMAT_UNREADABLE;
                return fail(r, FINDING_FILE_TOO_LARGE, NULL,
                            "%s is larger than %d MiB: it is not a certificate, key or keystore "
                            "file",
                            r->name, LOADER_MAX_BYTES >> 20);
        }
        while (i < len && is_space(data[i]))
                i++;
        if (i == len) {
                rfile(r)->format = LOADER_FORMAT_EMPTY;
                return fail(r, FINDING_INPUT_FORMAT, NULL, "%s is empty", r->name);
        }

        /* Binary first: DER data may hold "-----" by chance, PEM never starts with 0x30. */
        q = read_der(r, (const unsigned char *) data, len);
        if (q != 0)
                return q < 0 ? q : 0;

        /* A binary file that says it is longer than it is: cut short in a
         * download or a copy (FTP in text mode damages it too). */
        if (is_binary(data, len)) {
                size_t want = der_outer_length((const unsigned char *) data, len);

                if (want > len) {
                        rfile(r)->format = LOADER_FORMAT_UNKNOWN;
                        return fail(
                                r, FINDING_INPUT_FORMAT,
                                "Download or copy the file again, in binary mode, and check "
                                "its size against the original's.",
                                "%s is truncated or damaged: it looks like %s of %zu bytes, but "
                                "holds only %zu: get the file again",
                                r->name, der_kind((const unsigned char *) data, len), want, len);
                }
        }

        q = normalise(data, len, &norm, &norm_len, &markers, &changed);
        if (q < 0)
                return q;
        if (markers == 0) {
                rfile(r)->format = LOADER_FORMAT_UNKNOWN;
                if (is_binary(data, len))
                        return fail(r, FINDING_INPUT_FORMAT,
                                    "Give the certificate, chain or key as PEM, DER, PKCS#7 "
                                    "(.p7b) or PKCS#12 (.pfx, .p12).",
                                    "%s is a binary file that is not a DER certificate, private "
                                    "key, PKCS#7 or PKCS#12 file",
                                    r->name);
                return fail(r, FINDING_INPUT_FORMAT,
                            "Give the certificate, chain or key as PEM (text between -----BEGIN "
                            "and -----END lines), DER, PKCS#7 or PKCS#12.",
                            "%s is text without any -----BEGIN ...----- line: not PEM", r->name);
        }
        rfile(r)->format = LOADER_FORMAT_PEM;
        if (changed)
                rfile(r)->pem |= LOADER_PEM_NORMALISED;
        q = read_pem(r, (const char *) norm.p, norm_len);
        if (q < 0)
                return q;
        if (rfile(r)->n_certs == 0 && rfile(r)->n_keys == 0 && !rfile(r)->failed)
                return fail(r, FINDING_INPUT_FORMAT,
                            "Give the certificate files the CA sent (and the key); a request, a "
                            "CRL or a public key is not one.",
                            "%s holds no certificate and no private key (only %s)", r->name,
                            (rfile(r)->pem & LOADER_PEM_IGNORED)
                                    ? "blocks of other kinds: a request, CRL or public key"
                                    : "PEM markers without usable blocks");
        return 0;
}

int loader_parse(LoaderSet *s, const char *path, const void *data, size_t len,
                 const LoaderOptions *o, Findings *f) {
        _cleanup_(reader_done) Reader r = {};
        int q;

        if (!s || (!data && len > 0))
                return -EINVAL;
        q = reader_init(&r, s, path, o, f);
        if (q < 0)
                return q;
        /* OpenSSL's complaints about the input are ours to drop. */
        ERR_set_mark();
        q = parse_data(&r, data ? data : "", len);
        ERR_pop_to_mark();
        return q;
}

typedef struct FileBuf {
        char *p;
        size_t n;
} FileBuf;

static void file_buf_done(FileBuf *b) {
        if (b->p)
                erase_and_free(b->p, b->n + 1);
        *b = (FileBuf){};
}

static const char *unreadable_reason(int r) {
        switch (r) {
        case -ENOENT:
                return "does not exist";
        case -ELOOP:
                return "is a loop of symbolic links";
        case -EISDIR:
                return "is a directory, not a file";
        case -EBADFD:
        case -ENXIO:
                return "is not a regular file (a device, FIFO or socket)";
        case -EACCES:
        case -EPERM:
                return "cannot be read (permission denied)";
        case -ENOTDIR:
                return "cannot be opened: a component of its path is not a directory";
        case -ENAMETOOLONG:
                return "cannot be opened: its name is too long";
        default:
                return NULL;
        }
}

int loader_load(LoaderSet *s, const char *path, const LoaderOptions *o, Findings *f) {
        _cleanup_(file_buf_done) FileBuf buf = {};
        _cleanup_(reader_done) Reader r = {};
        const char *why;
        int q;

        if (!s || !path)
                return -EINVAL;
        q = read_file_path(path, LOADER_MAX_BYTES, &buf.p, &buf.n);
        if (q >= 0)
                return loader_parse(s, path, buf.p, buf.n, o, f);

        why = unreadable_reason(q);
        if (q != -EFBIG && !why)
                return q;
        q = reader_init(&r, s, path, o, f);
        if (q < 0)
                return q;
        rfile(&r)->format = LOADER_FORMAT_UNREADABLE;
        if (!why)
                return fail(&r, FINDING_FILE_TOO_LARGE, NULL,
                            "%s is larger than %d MiB: it is not a certificate, key or keystore "
                            "file",
                            r.name, LOADER_MAX_BYTES >> 20);
        return fail(&r, FINDING_FILE_UNREADABLE, "Give the path of a regular file you can read.",
                    "%s %s", r.name, why);
}

int loader_read_password_file(const char *path, char **ret) {
        _cleanup_(secret_buf_done) SecretBuf buf = {};
        _cleanup_(closep) int fd = -1;
        struct stat st;
        size_t len = 0, start = 0, n = 0;
        char *p;
        int q;

        if (!path || !ret)
                return -EINVAL;
        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
                return -EBADFD;
        /* A FIFO's open() waits for its writer, as cat's does; nothing else
         * may block in open(). */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (S_ISFIFO(st.st_mode) ? 0 : O_NONBLOCK));
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
                return -EBADFD;
        if (!S_ISREG(st.st_mode)) {
                /* A terminal or a pipe: wait for the line. */
                int fl = fcntl(fd, F_GETFL);
                if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
                        return -errno;
        }

        /* A BOM, the longest password, and one byte more to tell a longer line. */
        q = secret_buf_alloc(&buf, 3 + LOADER_PASSWORD_MAX + 1);
        if (q < 0)
                return q;
        while (len < buf.n) {
                ssize_t k = read(fd, buf.p + len, buf.n - len);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
                if (memchr(buf.p, '\n', len) || memchr(buf.p, '\r', len))
                        break;
        }
        if (len >= 3 && memcmp(buf.p, "\xef\xbb\xbf", 3) == 0)
                start = 3;
        while (start + n < len && buf.p[start + n] != '\n' && buf.p[start + n] != '\r')
                n++;
        if (n > LOADER_PASSWORD_MAX)
                return -EFBIG;
        if (memchr(buf.p + start, 0, n))
                return -EILSEQ;
        p = malloc(n + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p, buf.p + start, n);
        p[n] = 0;
        *ret = p;
        return 0;
}

const char *loader_password_file_error(int r) {
        switch (r) {
        case -ENOENT:
                return "does not exist: give a file whose first line is the password";
        case -EISDIR:
                return "is a directory: give a file whose first line is the password";
        case -EBADFD:
                return "is a socket or a block device: give a file, a pipe (--password-file "
                       "<(command)) or /dev/stdin whose first line is the password";
        case -EFBIG:
                return "its first line is longer than 4096 bytes: put the password alone on the "
                       "first line";
        case -EILSEQ:
                return "its first line holds a NUL byte (a UTF-16 file?): save it as plain text "
                       "(UTF-8), the password alone on the first line";
        case -EACCES:
        case -EPERM:
                return "cannot be read (permission denied): give a file you can read";
        case -ELOOP:
                return "is a loop of symbolic links: give the file itself";
        case -ENOTDIR:
                return "cannot be opened: a component of its path is not a directory";
        case -ENAMETOOLONG:
                return "cannot be opened: its name is too long";
        default:
                return NULL;
        }
}

/* ---- descriptions ---------------------------------------------------------------------- */

static const char *plural(size_t n) {
        return n == 1 ? "" : "s";
}

/* " (bags 0, 2)" for the items of file fi with bag numbers. */
static void bag_list(FILE *m, const LoaderSet *s, size_t fi, bool keys) {
        size_t n = keys ? s->n_keys : s->n_certs, shown = 0, total = 0;

        for (size_t i = 0; i < n; i++)
                if ((keys ? s->keys[i].file : s->certs[i].file) == fi &&
                    (keys ? s->keys[i].bag : s->certs[i].bag) >= 0)
                        total++;
        for (size_t i = 0; i < n; i++) {
                int bag = keys ? s->keys[i].bag : s->certs[i].bag;
                size_t file = keys ? s->keys[i].file : s->certs[i].file;

                if (file != fi || bag < 0)
                        continue;
                fprintf(m, "%s%d", shown ? ", " : total > 1 ? " (bags " : " (bag ", bag);
                shown++;
        }
        if (shown > 0)
                fputc(')', m);
}

char *loader_describe_file(const LoaderSet *s, size_t i) {
        const LoaderFile *lf;
        char *text = NULL;
        size_t len = 0;
        FILE *m;

        if (!s || i >= s->n_files)
                return NULL;
        lf = &s->files[i];
        m = open_memstream(&text, &len);
        if (!m)
                return NULL;
        fputs(loader_format_to_string(lf->format), m);
        if (lf->format == LOADER_FORMAT_PEM) {
                if (lf->pem & LOADER_PEM_PKCS7)
                        fputs(" (PKCS#7)", m);
                if (lf->pem & LOADER_PEM_NORMALISED)
                        fputs(", layout normalised (line ends, text around blocks or markers)", m);
                if (lf->pem & LOADER_PEM_IGNORED)
                        fputs(", other blocks ignored", m);
        }
        if (lf->format == LOADER_FORMAT_PKCS12) {
                fputs(lf->legacy ? " (legacy encryption, through OpenSSL's legacy provider; "
                                 : " (",
                      m);
                switch (lf->password) {
                case LOADER_PASSWORD_GIVEN:
                        fputs("the password from --password-file)", m);
                        break;
                case LOADER_PASSWORD_ABSENT:
                        fputs("no password)", m);
                        break;
                case LOADER_PASSWORD_EMPTY:
                        fputs("the empty password)", m);
                        break;
                case LOADER_PASSWORD_WRONG:
                        fputs("not opened: the password from --password-file is wrong)", m);
                        break;
                case LOADER_PASSWORD_NEEDED:
                        fputs("not opened: it needs a password, give it with --password-file)", m);
                        break;
                default:
                        fputs("not protected)", m);
                        break;
                }
        } else if (lf->legacy)
                fputs(" (legacy encryption, through OpenSSL's legacy provider)", m);
        fprintf(m, ": %zu certificate%s", lf->n_certs, plural(lf->n_certs));
        bag_list(m, s, i, false);
        fprintf(m, ", %zu private key%s", lf->n_keys, plural(lf->n_keys));
        bag_list(m, s, i, true);
        if (lf->n_encrypted_keys > 0 && lf->format != LOADER_FORMAT_PKCS12)
                fprintf(m, " (%zu decrypted with the password)", lf->n_encrypted_keys);
        if (lf->failed)
                fputs("; not fully read (see the errors)", m);
        if (fclose(m) != 0)
                return NULL;
        return text;
}

char *loader_describe_cert(const LoaderSet *s, size_t i) {
        _cleanup_(freep) char *subject = NULL, *name = NULL;
        const LoaderCert *c;
        const LoaderFile *lf;

        if (!s || i >= s->n_certs)
                return NULL;
        c = &s->certs[i];
        lf = &s->files[c->file];
        subject = x509_subject_string(c->x509);
        name = display_name(lf->path);
        if (!subject || !name)
                return NULL;
        if (c->bag >= 0)
                return strf("'%s' (bag %d of %s)", subject, c->bag, name);
        if (lf->format == LOADER_FORMAT_DER_CERT)
                return strf("'%s' (%s)", subject, name);
        return strf("'%s' (certificate %d of %s)", subject, c->index, name);
}

/* ---- assembling ------------------------------------------------------------------------ */

LoaderResult *loader_result_free(LoaderResult *r) {
        if (!r)
                return NULL;
        if (r->anchor_files) {
                for (int i = 0; i < sk_X509_num(r->chain); i++)
                        free(r->anchor_files[i]);
                free(r->anchor_files);
        }
        sk_X509_pop_free(r->chain, X509_free);
        free(r->origin);
        EVP_PKEY_free(r->key);
        free(r->key_path);
        free(r->unrelated);
        strv_free(r->notes);
        free(r);
        return NULL;
}

static int add_note(LoaderResult *res, char *note) {
        size_t n = 0;
        char **a;

        if (!note)
                return -ENOMEM;
        while (res->notes && res->notes[n])
                n++;
        a = reallocarray(res->notes, n + 2, sizeof(char *));
        if (!a) {
                free(note);
                return -ENOMEM;
        }
        a[n] = note;
        a[n + 1] = NULL;
        res->notes = a;
        return 0;
}

static bool self_signed(X509 *x) {
        EVP_PKEY *pub = X509_get0_pubkey(x);
        bool r;

        if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) != 0 || !pub)
                return false;
        ERR_set_mark();
        r = X509_verify(x, pub) == 1;
        ERR_pop_to_mark();
        return r;
}

/* How surely parent issued child: 2 the name matches and the signature
 * verifies, 1 the name and the key identifiers match but the signature does
 * not verify (a damaged certificate: the check says so), 0 not at all. */
static int issued_by(X509 *child, X509 *parent) {
        EVP_PKEY *pub = X509_get0_pubkey(parent);
        const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(child), *skid;
        bool ok;

        if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(parent)) != 0)
                return 0;
        ERR_set_mark();
        ok = pub && X509_verify(child, pub) == 1;
        ERR_pop_to_mark();
        if (ok)
                return 2;
        skid = X509_get0_subject_key_id(parent);
        return akid && skid && ASN1_OCTET_STRING_cmp(akid, skid) == 0 ? 1 : 0;
}

static bool is_ca(X509 *x) {
        return (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
}

static bool key_matches(X509 *x, EVP_PKEY *k) {
        EVP_PKEY *pub = X509_get0_pubkey(x);
        bool r;

        if (!pub || !k)
                return false;
        ERR_set_mark();
        r = EVP_PKEY_eq(pub, k) == 1;
        ERR_pop_to_mark();
        return r;
}

static char *file_name(const LoaderSet *s, size_t file) {
        return display_name(s->files[file].path);
}

/* "private key 0 of key.pem", "the key in bag 1 of rem.pfx". */
static char *describe_key(const LoaderSet *s, size_t k) {
        _cleanup_(freep) char *name = file_name(s, s->keys[k].file);

        if (!name)
                return NULL;
        if (s->keys[k].bag >= 0)
                return strf("the key in bag %d of %s", s->keys[k].bag, name);
        if (s->files[s->keys[k].file].format != LOADER_FORMAT_PEM)
                return strf("the key in %s", name);
        return strf("private key %d of %s", s->keys[k].index, name);
}

/* Looks for leaf's key in the file name of dfd: 1 found, 0 not. */
static int try_key_file(int dfd, const char *dir, const char *name, X509 *leaf, LoaderResult *res) {
        _cleanup_(file_buf_done) FileBuf buf = {};
        _cleanup_(loader_set_freep) LoaderSet *tmp = NULL;
        _cleanup_(findings_clear) Findings scratch = {};
        _cleanup_(freep) char *path = NULL;
        int q;

        q = read_file_at(dfd, name, LOADER_MAX_BYTES, &buf.p, &buf.n);
        if (q == -ENOMEM)
                return q;
        if (q < 0)
                return 0; /* missing, a link, not a regular file: not a key of ours */
        tmp = loader_set_new();
        path = strf("%s/%s", dir, name);
        if (!tmp || !path)
                return -ENOMEM;
        q = loader_parse(tmp, path, buf.p, buf.n, NULL, &scratch);
        if (q < 0)
                return q;
        for (size_t i = 0; i < tmp->n_keys; i++)
                if (key_matches(leaf, tmp->keys[i].pkey)) {
                        res->key = TAKE_PTR(tmp->keys[i].pkey);
                        res->key_path = TAKE_PTR(path);
                        return 1;
                }
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Searches dir (first: the file `first`, then every other *.key, in name
 * order) for the leaf's key. */
static int search_key_dir(const char *dir, const char *first, X509 *leaf, LoaderResult *res) {
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_(closep) int dfd = -1;
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        size_t n = 0;
        int q;

        dfd = open_directory(dir);
        if (dfd < 0)
                return dfd == -ENOMEM ? dfd : 0;
        if (first && !strchr(first, '/')) {
                q = try_key_file(dfd, dir, first, leaf, res);
                if (q != 0)
                        return q;
        }
        d = opendir(dir);
        if (!d)
                return 0;
        names = calloc(1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        while ((de = readdir(d)) && n < KEY_DIR_MAX_FILES) {
                size_t l = strlen(de->d_name);
                char **a;

                if (l < 5 || !streq(de->d_name + l - 4, ".key") || de->d_name[0] == '.' ||
                    (first && streq(de->d_name, first)))
                        continue;
                a = reallocarray(names, n + 2, sizeof(char *));
                if (!a)
                        return -ENOMEM;
                names = a;
                names[n] = strdup(de->d_name);
                if (!names[n])
                        return -ENOMEM;
                names[++n] = NULL;
        }
        qsort(names, n, sizeof(char *), cmp_str);
        for (size_t i = 0; i < n; i++) {
                q = try_key_file(dfd, dir, names[i], leaf, res);
                if (q != 0)
                        return q;
        }
        return 0;
}

static void sk_X509_shallow_freep(STACK_OF(X509) * *p) {
        sk_X509_free(*p); /* the certificates belong to someone else */
        *p = NULL;
}

/* The anchor file x (one of the anchors' own certificates) comes from. */
static const char *anchor_file(const LoaderAssembleOptions *o, const X509 *x) {
        for (size_t a = 0; o && a < o->n_anchors; a++)
                for (int j = 0; j < sk_X509_num(o->anchors[a].certs); j++)
                        if (sk_X509_value(o->anchors[a].certs, j) == x)
                                return o->anchors[a].path;
        return NULL;
}

/* Appends x to the chain (origin: its index in s->certs, or -1 for an
 * anchor). At most CHAIN_MAX + 1 are kept: one more than fits says the
 * chain is too long. */
static int chain_push(LoaderResult *res, const LoaderAssembleOptions *o, X509 *x, int origin) {
        int pos = sk_X509_num(res->chain);

        if (pos > CHAIN_MAX)
                return 0;
        if (X509_up_ref(x) != 1)
                return -ENOMEM;
        if (sk_X509_push(res->chain, x) <= 0) {
                X509_free(x);
                return -ENOMEM;
        }
        res->origin[pos] = origin;
        if (origin < 0) {
                res->anchor_files[pos] = strdup(strna(anchor_file(o, x)));
                if (!res->anchor_files[pos])
                        return -ENOMEM;
        }
        return 1;
}

static bool in_chain(const LoaderResult *res, X509 *x) {
        for (int k = 0; k < sk_X509_num(res->chain); k++)
                if (X509_cmp(x, sk_X509_value(res->chain, k)) == 0)
                        return true;
        return false;
}

/* The chain of certificate `leaf` into res (chain, origin, anchor_files),
 * marking the given certificates it uses. chain_build() picks the path, as
 * the check will: it searches every issuer among the given certificates
 * (duplicates taken once) and the anchors, backtracking, and prefers
 * verified signatures, then a path ending at a self-signed certificate or an
 * anchor (an anchor before a given certificate of the same subject and key), then the
 * other qualities it scores. Above an anchor that is not self-signed, the
 * given certificates and then the anchors that issue it are added, up to a
 * root. *ret_complete: the chain ends at a root or an anchor. */
static int build_chain(const LoaderSet *s, const LoaderAssembleOptions *o, const int *dup, int leaf,
                       LoaderResult *res, bool *used, bool *ret_complete) {
        _cleanup_(sk_X509_shallow_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(findings_clear) Findings scratch = {};
        _cleanup_(freep) X509 **uniq = NULL;
        _cleanup_(freep) int *uniq_idx = NULL;
        size_t n = s->n_certs, nu = 0;
        int leaf_u = 0, q;
        X509 *top;

        uniq = calloc(n, sizeof(X509 *));
        uniq_idx = calloc(n, sizeof(int));
        anchors = sk_X509_new_null();
        res->chain = sk_X509_new_null();
        res->origin = calloc(CHAIN_MAX + 1, sizeof(int));
        res->anchor_files = calloc(CHAIN_MAX + 1, sizeof(char *));
        if (!uniq || !uniq_idx || !anchors || !res->chain || !res->origin || !res->anchor_files)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (dup[i] >= 0)
                        continue;
                if ((int) i == leaf)
                        leaf_u = (int) nu;
                uniq_idx[nu] = (int) i;
                uniq[nu++] = s->certs[i].x509;
        }
        for (size_t a = 0; o && a < o->n_anchors; a++)
                for (int j = 0; j < sk_X509_num(o->anchors[a].certs); j++)
                        if (sk_X509_push(anchors, sk_X509_value(o->anchors[a].certs, j)) <= 0)
                                return -ENOMEM;

        {
                Bundle b = {.path = (char *) "(the inputs)", .certs = uniq, .n_certs = nu};
                ChainOptions co = {
                        .anchors = anchors,
                        .now = o ? o->now : 0,
                        .profile = PROFILE_DEFAULT,
                };

                q = chain_build(&b, leaf_u, &co, &c, &scratch);
                if (q < 0)
                        return q;
        }
        for (int i = 0; i < sk_X509_num(c->path); i++) {
                X509 *x = sk_X509_value(c->path, i);
                int origin = -1;

                for (size_t k = 0; k < nu && origin < 0; k++)
                        if (uniq[k] == x)
                                origin = uniq_idx[k];
                q = chain_push(res, o, x, origin);
                if (q < 0)
                        return q;
                if (origin >= 0)
                        used[origin] = true;
        }

        /* Above an anchor that is not a root: its issuers, given ones first. */
        top = sk_X509_value(res->chain, sk_X509_num(res->chain) - 1);
        while (c->trusted && !self_signed(top) && sk_X509_num(res->chain) <= CHAIN_MAX) {
                X509 *next = NULL;
                int origin = -1;

                for (size_t i = 0; i < n && !next; i++)
                        if (dup[i] < 0 && !used[i] && issued_by(top, s->certs[i].x509) == 2) {
                                next = s->certs[i].x509;
                                origin = (int) i;
                        }
                for (size_t a = 0; o && a < o->n_anchors && !next; a++)
                        for (int j = 0; j < sk_X509_num(o->anchors[a].certs) && !next; j++) {
                                X509 *y = sk_X509_value(o->anchors[a].certs, j);
                                if (!in_chain(res, y) && issued_by(top, y) == 2)
                                        next = y;
                        }
                if (!next)
                        break;
                q = chain_push(res, o, next, origin);
                if (q < 0)
                        return q;
                if (origin >= 0)
                        used[origin] = true;
                top = next;
        }
        *ret_complete = c->complete;
        return 0;
}

/* "a.pem, b.pem and c.pem": the files the chain's certificates come from. */
static char *chain_files(const LoaderSet *s, const LoaderResult *res) {
        _cleanup_(freep) bool *seen = calloc(s->n_files + 1, sizeof(bool));
        size_t total = 0, shown = 0, len = 0;
        char *text = NULL;
        FILE *m;

        if (!seen)
                return NULL;
        for (int i = 0; i < sk_X509_num(res->chain); i++)
                if (res->origin[i] >= 0 && !seen[s->certs[res->origin[i]].file]) {
                        seen[s->certs[res->origin[i]].file] = true;
                        total++;
                }
        m = open_memstream(&text, &len);
        if (!m)
                return NULL;
        for (size_t i = 0; i < s->n_files; i++) {
                _cleanup_(freep) char *name = NULL;

                if (!seen[i])
                        continue;
                name = file_name(s, i);
                fprintf(m, "%s%s",
                        shown == 0           ? ""
                        : shown + 1 == total ? " and "
                                             : ", ",
                        strna(name));
                shown++;
        }
        if (fclose(m) != 0)
                return NULL;
        return text;
}

static int assemble_impl(const LoaderSet *s, const LoaderAssembleOptions *o, LoaderResult **ret,
                         Findings *f) {
        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
        _cleanup_(freep) int *dup = NULL, *cand = NULL;
        _cleanup_(freep) unsigned char *link = NULL;
        _cleanup_(freep) bool *issues = NULL, *used = NULL;
        _cleanup_(freep) char *leaf_desc = NULL, *leaf_subject = NULL;
        size_t n = s->n_certs, n_cand = 0;
        int leaf = -1, key_index = -1, q;
        bool complete = false;
        X509 *leaf_x;

        if (n == 0) {
                bool named = false;

                for (size_t i = 0; i < s->n_files; i++) {
                        _cleanup_(freep) char *name = NULL;

                        if (s->files[i].format != LOADER_FORMAT_PKCS12 || s->files[i].failed ||
                            s->files[i].n_certs > 0)
                                continue;
                        name = file_name(s, i);
                        if (!name)
                                return -ENOMEM;
                        q = findings_add(f, FINDING_CERT_MISSING, SEVERITY_ERROR, s->files[i].path,
                                         -1, NULL, NULL,
                                         "%s is a PKCS#12 file without a certificate (only a "
                                         "private key), and no other input holds one",
                                         name);
                        if (q < 0)
                                return q;
                        named = true;
                }
                if (!named) {
                        q = findings_add(f, FINDING_CERT_MISSING, SEVERITY_ERROR, NULL, -1, NULL,
                                         NULL, "no certificate was read from the inputs");
                        if (q < 0)
                                return q;
                }
                return -EINVAL;
        }

        dup = calloc(n, sizeof(int));
        cand = calloc(n, sizeof(int));
        link = calloc(n * n, 1);
        issues = calloc(n, sizeof(bool));
        used = calloc(n, sizeof(bool));
        res = calloc(1, sizeof(LoaderResult));
        if (!dup || !cand || !link || !issues || !used || !res)
                return -ENOMEM;
        res->key_index = -1;

        /* Exact duplicates are taken once: the first copy stands for them. */
        for (size_t i = 0; i < n; i++) {
                dup[i] = -1;
                for (size_t j = 0; j < i && dup[i] < 0; j++)
                        if (dup[j] < 0 && X509_cmp(s->certs[i].x509, s->certs[j].x509) == 0)
                                dup[i] = (int) j;
                if (dup[i] >= 0) {
                        _cleanup_(freep) char *a = loader_describe_cert(s, i),
                                              *b = loader_describe_cert(s, (size_t) dup[i]);
                        if (!a || !b)
                                return -ENOMEM;
                        q = add_note(res,
                                     strf("%s is the same certificate as %s: taken once", a, b));
                        if (q < 0)
                                return q;
                }
        }
        for (size_t c = 0; c < n; c++)
                for (size_t p = 0; p < n; p++)
                        if (c != p && dup[c] < 0 && dup[p] < 0) {
                                link[c * n + p] = (unsigned char) issued_by(s->certs[c].x509,
                                                                            s->certs[p].x509);
                                if (link[c * n + p])
                                        issues[p] = true;
                        }

        /* The leaf: issues none of the others; a CA only when nothing else can be. */
        for (int pass = 0; pass < 2 && n_cand == 0; pass++)
                for (size_t i = 0; i < n; i++)
                        if (dup[i] < 0 && !issues[i] && is_ca(s->certs[i].x509) == (pass == 1))
                                cand[n_cand++] = (int) i;
        if (n_cand == 1)
                leaf = cand[0];
        else if (n_cand > 1) {
                /* Several: the one whose key was given, if only one has it. */
                size_t n_keyed = 0;
                int keyed = -1;

                for (size_t i = 0; i < n_cand; i++)
                        for (size_t k = 0; k < s->n_keys; k++)
                                if (key_matches(s->certs[cand[i]].x509, s->keys[k].pkey)) {
                                        keyed = cand[i];
                                        n_keyed++;
                                        break;
                                }
                if (n_keyed == 1)
                        leaf = keyed;
        }
        if (n_cand == 0) {
                q = findings_add(f, FINDING_LEAF_AMBIGUOUS, SEVERITY_ERROR, NULL, -1, NULL,
                                 "Give the server certificate (the one issued for this service's "
                                 "names) with its chain.",
                                 "no certificate can be the server certificate: each of them "
                                 "issued another");
                return q < 0 ? q : -EINVAL;
        }
        if (leaf < 0) {
                _cleanup_(freep) char *list = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&list, &len);

                if (!m)
                        return -ENOMEM;
                for (size_t i = 0; i < n_cand; i++) {
                        _cleanup_(freep) char *d = loader_describe_cert(s, (size_t) cand[i]);
                        fprintf(m, "%s%s",
                                i == 0            ? ""
                                : i + 1 == n_cand ? " and "
                                                  : ", ",
                                strna(d));
                }
                if (fclose(m) != 0)
                        return -ENOMEM;
                q = findings_add(f, FINDING_LEAF_AMBIGUOUS, SEVERITY_ERROR,
                                 s->files[s->certs[cand[0]].file].path, -1, NULL,
                                 "Give the files of one server certificate only (with its chain "
                                 "and key), or add the key of the one meant.",
                                 "%zu certificates could be the server certificate: %s", n_cand,
                                 list);
                return q < 0 ? q : -EINVAL;
        }

        leaf_x = s->certs[leaf].x509;
        leaf_desc = loader_describe_cert(s, (size_t) leaf);
        leaf_subject = x509_subject_string(leaf_x);
        if (!leaf_desc || !leaf_subject)
                return -ENOMEM;

        /* The chain, whatever the input order. */
        q = build_chain(s, o, dup, leaf, res, used, &complete);
        if (q < 0)
                return q;
        if (sk_X509_num(res->chain) > CHAIN_MAX) {
                _cleanup_(freep) char *files = chain_files(s, res);
                if (!files)
                        return -ENOMEM;
                q = findings_add(f, FINDING_FILE_TOO_LARGE, SEVERITY_ERROR,
                                 s->files[s->certs[leaf].file].path, -1, leaf_subject,
                                 "Give the server certificate and the issuers of its own chain "
                                 "only; no client accepts a chain this long either.",
                                 "the chain of the server certificate %s in %s is longer than %d "
                                 "certificates, the most the agent reads from a chain file",
                                 leaf_desc, files, CHAIN_MAX);
                return q < 0 ? q : -EINVAL;
        }

        /* Each certificate taken from the anchors, said. */
        for (int i = 0; i < sk_X509_num(res->chain); i++) {
                _cleanup_(freep) char *subject = NULL, *fname = NULL;
                X509 *x = sk_X509_value(res->chain, i);

                if (res->origin[i] >= 0)
                        continue;
                subject = x509_subject_string(x);
                fname = display_name(strna(res->anchor_files[i]));
                if (!subject || !fname)
                        return -ENOMEM;
                q = add_note(res, strf(self_signed(x) ? "the root '%s' was missing: completed from "
                                                        "the trust anchors in %s"
                                                      : "the issuer '%s' was missing: taken from "
                                                        "the trust anchors in %s",
                                       subject, fname));
                if (q < 0)
                        return q;
        }

        /* What was given but is not on the chain. */
        res->unrelated = calloc(n, sizeof(int));
        if (!res->unrelated)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *d = NULL, *issued = NULL;
                X509 *x = s->certs[i].x509;

                if (used[i] || dup[i] >= 0)
                        continue;
                res->unrelated[res->n_unrelated++] = (int) i;
                d = loader_describe_cert(s, i);
                if (!d)
                        return -ENOMEM;
                /* A cross-certificate (or a renewed CA): it issues a certificate
                 * of the chain, which was found complete (or as far as it goes)
                 * without it. */
                for (int k = 0; k < sk_X509_num(res->chain) && !issued; k++) {
                        X509 *y = sk_X509_value(res->chain, k);
                        if (X509_cmp(x, y) != 0 && issued_by(y, x) == 2) {
                                issued = x509_subject_string(y);
                                if (!issued)
                                        return -ENOMEM;
                        }
                }
                if (issued && complete) {
                        _cleanup_(freep) char *own = x509_issuer_string(x);
                        if (!own)
                                return -ENOMEM;
                        q = findings_add(f, FINDING_CHAIN_UNRELATED, SEVERITY_WARNING,
                                         s->files[s->certs[i].file].path, s->certs[i].index, NULL,
                                         "Nothing to do: the chain written ends at its root. A "
                                         "cross-certificate only serves clients that trust its "
                                         "issuer instead.",
                                         "%s also issues '%s', but its own issuer '%s' is not "
                                         "among the inputs or the trust anchors (a "
                                         "cross-certificate?), and the chain of the server "
                                         "certificate is complete without it: left out",
                                         d, issued, own);
                } else if (issued)
                        q = findings_add(f, FINDING_CHAIN_UNRELATED, SEVERITY_WARNING,
                                         s->files[s->certs[i].file].path, s->certs[i].index, NULL,
                                         "Nothing to do if it was sent along by mistake.",
                                         "%s also issues '%s', but another issuer of it was "
                                         "taken for the chain of the server certificate %s: "
                                         "left out",
                                         d, issued, leaf_desc);
                else
                        q = findings_add(f, FINDING_CHAIN_UNRELATED, SEVERITY_WARNING,
                                         s->files[s->certs[i].file].path, s->certs[i].index, NULL,
                                         "Nothing to do if it was sent along by mistake; if it is "
                                         "the certificate meant, import its own files.",
                                         "%s is not part of the chain of the server certificate "
                                         "%s: left out",
                                         d, leaf_desc);
                if (q < 0)
                        return q;
        }

        /* The key. */
        for (size_t k = 0; k < s->n_keys && key_index < 0; k++)
                if (key_matches(leaf_x, s->keys[k].pkey))
                        key_index = (int) k;
        if (key_index >= 0) {
                res->key_index = key_index;
                res->key = s->keys[key_index].pkey;
                if (EVP_PKEY_up_ref(res->key) != 1) {
                        res->key = NULL;
                        return -ENOMEM;
                }
        } else if (o && o->key_dir) {
                q = search_key_dir(o->key_dir, o->key_name, leaf_x, res);
                if (q < 0)
                        return q;
                if (res->key) {
                        _cleanup_(freep) char *p = display_name(res->key_path);
                        if (!p)
                                return -ENOMEM;
                        q = add_note(res, strf("the key of '%s' was taken from %s (kept there "
                                               "since its certificate request was made)",
                                               leaf_subject, p));
                        if (q < 0)
                                return q;
                }
        }

        {
                bool unmatched = false;

                for (size_t k = 0; k < s->n_keys; k++) {
                        _cleanup_(freep) char *kd = NULL;
                        int owner = -1;

                        if (key_matches(leaf_x, s->keys[k].pkey))
                                continue; /* the leaf's key, or another copy of it */
                        for (size_t i = 0; i < n && owner < 0; i++)
                                if (dup[i] < 0 && key_matches(s->certs[i].x509, s->keys[k].pkey))
                                        owner = (int) i;
                        kd = describe_key(s, k);
                        if (!kd)
                                return -ENOMEM;
                        if (owner >= 0) {
                                _cleanup_(freep) char *od = loader_describe_cert(s, (size_t) owner);
                                if (!od)
                                        return -ENOMEM;
                                q = findings_add(f, FINDING_KEY_MULTIPLE, SEVERITY_WARNING,
                                                 s->files[s->keys[k].file].path, -1, NULL,
                                                 is_ca(s->certs[owner].x509)
                                                         ? "A CA's private key stays with the CA: "
                                                           "if it has been sent around, ask "
                                                           "whether the CA must be replaced."
                                                         : "Nothing to do: only the server "
                                                           "certificate's key is written.",
                                                 "%s belongs to %s, not to the server "
                                                 "certificate: left out",
                                                 kd, od);
                        } else if (res->key)
                                q = findings_add(f, FINDING_KEY_MISMATCH, SEVERITY_WARNING,
                                                 s->files[s->keys[k].file].path, -1, NULL,
                                                 "Nothing to do: the server certificate's own key "
                                                 "was found.",
                                                 "%s belongs to no certificate given: left out",
                                                 kd);
                        else {
                                unmatched = true;
                                q = findings_add(f, FINDING_KEY_MISMATCH, SEVERITY_ERROR,
                                                 s->files[s->keys[k].file].path, -1, leaf_subject,
                                                 "Give the key made with the certificate request "
                                                 "of this server certificate (or the .pfx that "
                                                 "holds both).",
                                                 "%s belongs to no certificate given, and the "
                                                 "server certificate %s has no key among the "
                                                 "inputs%s%s",
                                                 kd, leaf_desc, o && o->key_dir ? " nor in " : "",
                                                 o && o->key_dir ? o->key_dir : "");
                        }
                        if (q < 0)
                                return q;
                }

                if (!res->key && !unmatched) {
                        const char *p12 = NULL;
                        _cleanup_(freep) char *name = NULL;

                        for (size_t i = 0; i < s->n_files && !p12; i++)
                                if (s->files[i].format == LOADER_FORMAT_PKCS12 &&
                                    s->files[i].n_keys == 0 && !s->files[i].failed)
                                        p12 = s->files[i].path;
                        if (p12) {
                                name = display_name(p12);
                                if (!name)
                                        return -ENOMEM;
                        }
                        if (p12)
                                q = findings_add(f, FINDING_KEY_MISSING, SEVERITY_ERROR, p12, -1,
                                                 leaf_subject,
                                                 "Export the PKCS#12 again with its private key "
                                                 "(openssl pkcs12 -export -inkey KEY ...), or give "
                                                 "the key file too.",
                                                 "%s is a PKCS#12 file without a private key, and "
                                                 "no other input%s%s holds the key of the server "
                                                 "certificate %s",
                                                 name, o && o->key_dir ? " nor " : "",
                                                 o && o->key_dir ? o->key_dir : "", leaf_desc);
                        else
                                q = findings_add(f, FINDING_KEY_MISSING, SEVERITY_ERROR,
                                                 s->files[s->certs[leaf].file].path, -1,
                                                 leaf_subject,
                                                 "Give the private key file too (the one made "
                                                 "with the certificate request), or the .pfx "
                                                 "that holds certificate and key.",
                                                 "no private key for the server certificate %s "
                                                 "among the inputs%s%s",
                                                 leaf_desc, o && o->key_dir ? " nor in " : "",
                                                 o && o->key_dir ? o->key_dir : "");
                        if (q < 0)
                                return q;
                }
        }

        *ret = TAKE_PTR(res);
        return 0;
}

int loader_assemble(const LoaderSet *s, const LoaderAssembleOptions *o, LoaderResult **ret,
                    Findings *f) {
        int q;

        if (!s || !ret)
                return -EINVAL;
        ERR_set_mark();
        q = assemble_impl(s, o, ret, f);
        ERR_pop_to_mark();
        return q;
}
