#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "chain.h"
#include "check.h"
#include "fileio.h"
#include "names.h"
#include "policy.h"
#include "strv.h"

/* The key belongs to certificate i: is that a CA's key? Only when the
 * certificate is a CA and really acts as one here: it issues another
 * certificate of the file, or a server certificate is there beside it. A
 * badly made server certificate (CA:TRUE, keyCertSign) alone, or at the
 * bottom of its chain, is still the server's, and gets CHAIN_CA_FLAGS. */
static bool key_is_a_cas(const Bundle *b, size_t i) {
        uint32_t ku = X509_get_key_usage(b->certs[i]);

        if (!chain_is_ca(b, i))
                return false;
        if (chain_issues_another(b, i))
                return true;
        /* Usages of a CA only (keyCertSign, cRLSign): no server's. */
        if (ku != UINT32_MAX && (ku & KU_KEY_CERT_SIGN) &&
            !(ku & (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT)))
                return true;
        for (size_t j = 0; j < b->n_certs; j++)
                if (j != i && !chain_is_ca(b, j) && !chain_issues_another(b, j))
                        return true;
        return false;
}

static int find_key_leaf(const Bundle *chain, EVP_PKEY *key) {
        for (size_t i = 0; i < chain->n_certs; i++) {
                EVP_PKEY *pub = X509_get0_pubkey(chain->certs[i]);
                int eq = pub ? EVP_PKEY_eq(pub, key) : 0;
                ERR_clear_error();
                if (eq == 1)
                        return (int) i;
        }
        return -1;
}

/* "0 ('CN=…'), 1 ('CN=…')": the certificates of a file of CAs. */
static char *cert_list_text(const Bundle *b) {
        _cleanup_(freep) char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);

        if (!m)
                return NULL;
        for (size_t i = 0; i < b->n_certs; i++) {
                _cleanup_(freep) char *s = x509_subject_string(b->certs[i]);
                fprintf(m, "%s%zu '%s'", i ? ", " : "", i, strna(s));
        }
        if (fclose(m) != 0)
                return NULL;
        return TAKE_PTR(text);
}

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* check_bundles(); *ret_leaf is the certificate taken as the server's (the
 * key's, else the chain's guess), -1 when the file has none. */
static int check_service(const char *service, const Bundle *chain, const Bundle *key,
                         const CheckOptions *o, int *ret_leaf, Findings *f) {
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        const Bundle *keysrc = key ? key : chain;
        const char *key_path = key ? key->path : chain->path;
        bool key_unmatched = false;
        int leaf = -1, key_leaf = -1, r;

        *ret_leaf = -1;
        if (chain->n_certs == 0)
                return 0; /* the reader said why (NOT_PEM, FILE_TOO_LARGE, ...) */

        if (key && chain->n_keys + chain->n_encrypted_keys > 0) {
                /* The chain file is served to clients and often readable by
                 * all; a second copy of a key there is a leak, even when it
                 * is the right one. */
                _cleanup_(freep) char *hint = NULL;

                if (asprintf(&hint,
                             "Remove the private key from %s: the chain file holds certificates only, the key is in %s.",
                             chain->path, key->path) < 0)
                        return -ENOMEM;
                r = findings_add(f, FINDING_KEY_MULTIPLE, SEVERITY_ERROR, chain->path, -1, NULL,
                                 hint, "%s holds a private key; keys belong only in %s",
                                 chain->path, key->path);
                if (r < 0)
                        return r;
        }
        if (!key && chain->n_keys > 1) {
                r = findings_add(f, FINDING_KEY_MULTIPLE, SEVERITY_ERROR, chain->path, -1, NULL,
                                 "Keep only the server certificate's private key in the file.",
                                 "the file holds %zu private keys; only the server certificate's may be present",
                                 chain->n_keys);
                if (r < 0)
                        return r;
        }

        /* The key decides which certificate is the server's, unless it is a
         * CA's: a CA certificate is never the server's while the file holds
         * another. */
        if (keysrc->n_keys >= 1) {
                key_leaf = find_key_leaf(chain, keysrc->keys[0]);
                if (key_leaf >= 0 && key_is_a_cas(chain, (size_t) key_leaf)) {
                        _cleanup_(freep) char *s = x509_subject_string(chain->certs[key_leaf]);
                        if (!s)
                                return -ENOMEM;
                        r = findings_add(f, FINDING_KEY_MISMATCH, SEVERITY_ERROR, key_path, -1, s,
                                         "Upload the private key made with the server certificate's request; a CA's key stays with the CA (if it has been copied around, ask whether the CA must be replaced).",
                                         "the key in %s is the private key of the CA '%s' (certificate %d of %s; it must never leave the CA); upload the server certificate's key",
                                         key_path, s, key_leaf, chain->path);
                        if (r < 0)
                                return r;
                        key_leaf = -1;
                } else
                        key_unmatched = key_leaf < 0; /* reported below, once the server
                                                        * certificate is known */
        }
        leaf = key_leaf >= 0 ? key_leaf : chain_guess_leaf(chain);

        if (leaf < 0) {
                /* Only CAs: the server certificate was left out. Its own
                 * checks (names, usages, CA flags) would all be about a CA
                 * and say nothing useful. */
                _cleanup_(freep) char *list = cert_list_text(chain), *hint = NULL;
                if (!list)
                        return -ENOMEM;
                if (asprintf(&hint,
                             "Put the server certificate (the one issued for this service's names, CA:FALSE) first in %s, followed by its issuers: cat server.crt intermediate.crt root.crt > %s",
                             chain->path, base_name(chain->path)) < 0)
                        return -ENOMEM;
                return findings_add(f, FINDING_CHAIN_INCOMPLETE, SEVERITY_ERROR, chain->path, -1,
                                    NULL, hint,
                                    "%s has no server certificate: it holds only CA certificates (%s); put the server certificate first",
                                    chain->path, list);
        }

        if (key_leaf > 0) {
                _cleanup_(freep) char *s = x509_subject_string(chain->certs[key_leaf]);
                if (!s)
                        return -ENOMEM;
                r = findings_add(f, FINDING_KEY_MISMATCH, SEVERITY_ERROR, key_path, -1, s,
                                 "Put the server certificate, the one the key belongs to, first in the chain file.",
                                 "the private key in %s belongs to certificate %d ('%s') of %s, not to the first certificate",
                                 key_path, key_leaf, s, chain->path);
                if (r < 0)
                        return r;
        }

        ChainOptions co = {
                .anchors = o->trust,
                .now = o->now,
                .profile = o->profile,
                .distrust_bundle_root = o->distrust_bundle_root,
                .max_chain_depth = o->max_chain_depth,
                .crls = o->crls,
        };
        r = chain_build(chain, leaf, &co, &c, f);
        if (r < 0)
                return r;
        if (key_unmatched) {
                /* Name the certificate the chain says is the server's, which
                 * need not be the first when the order is wrong too. */
                _cleanup_(freep) char *s = x509_subject_string(chain->certs[c->leaf]);
                if (!s)
                        return -ENOMEM;
                r = findings_add(f, FINDING_KEY_MISMATCH, SEVERITY_ERROR, key_path, -1, s, NULL,
                                 "the private key in %s does not belong to the server certificate '%s' (certificate %d of %s), nor to any other certificate of that file",
                                 key_path, s, c->leaf, chain->path);
                if (r < 0)
                        return r;
        }
        r = chain_check_ca_flags(chain, c, f);
        if (r < 0)
                return r;

        r = deploy_service_names(o->deploy, service, &names);
        if (r < 0)
                return r;
        for (char **i = o->names; i && *i; i++) {
                r = strv_extend_unique(&names, *i, true);
                if (r < 0)
                        return r;
        }

        PolicyInput in = {
                .service = service,
                .bundle = chain,
                .chain = c,
                .now = o->now,
                .min_valid_days = o->min_valid_days,
                .profile = o->profile,
                .names = names,
                .xcap_names = o->xcap_names,
                .mcc = o->deploy ? o->deploy->mcc : -1,
                .mnc = o->deploy ? o->deploy->mnc : -1,
                .anchors = o->trust,
                .deploy = o->deploy,
        };
        r = policy_check(&in, f);
        if (r < 0)
                return r;

        r = chain_verify(chain, c, &co, f);
        if (r < 0)
                return r;
        *ret_leaf = c->leaf;
        return 0;
}

int check_bundles(const char *service, const Bundle *chain, const Bundle *key,
                  const CheckOptions *o, Findings *f) {
        int leaf, r;

        /* Whatever OpenSSL leaves in its error queue about the uploaded
         * certificates is no concern of the caller's. */
        ERR_set_mark();
        r = check_service(service, chain, key, o, &leaf, f);
        ERR_pop_to_mark();
        return r;
}

static bool same_file(const char *a, const char *b) {
        struct stat sa, sb;

        if (streq(a, b))
                return true;
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
               sa.st_ino == sb.st_ino;
}

int check_files(const char *service, const char *chain_path, const char *key_path,
                const CheckOptions *o, Findings *f) {
        _cleanup_(bundle_freep) Bundle *chain = NULL, *key = NULL;
        int r;

        r = bundle_load(chain_path, BUNDLE_EXPECT_CERTS, &chain, f);
        if (r < 0)
                return r;
        if (key_path && same_file(chain_path, key_path))
                key_path = NULL; /* one combined file (chain and key): read once, as such */
        if (key_path) {
                r = bundle_load(key_path, BUNDLE_EXPECT_KEY, &key, f);
                if (r < 0)
                        return r;
        }
        return check_bundles(service, chain, key, o, f);
}

static int anchors_problem(Findings *f, FindingCode code, const char *path, int block,
                           const char *hint, const char *fmt, ...) _printf_(6, 7);

static int anchors_problem(Findings *f, FindingCode code, const char *path, int block,
                           const char *hint, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = findings_add(f, code, SEVERITY_ERROR, path, block, NULL, hint, "%s", msg);
        return r < 0 ? r : -EINVAL;
}


int check_load_anchors(const char *path, STACK_OF(X509) **ret, Findings *f) {
        _cleanup_(freep) char *data = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *s = NULL;
        size_t len = 0;
        int r;

        /* A trust store is the operator's own file, not an upload: no limit
         * of 16 certificates (the system bundle holds well over 100), PEM as
         * OpenSSL reads it, or one DER certificate. */
        r = read_file_path(path, BUNDLE_TRUST_MAX_BYTES, &data, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return anchors_problem(f, FINDING_FILE_UNREADABLE, path, -1,
                                       "Give the path of a readable file of CA certificates.",
                                       "cannot read the trust anchors in %s: %s", path,
                                       strerror(-r));

        s = sk_X509_new_null();
        if (!s)
                return -ENOMEM;
        if (memmem(data, len, "-----BEGIN ", 11) || memmem(data, len, "----- BEGIN ", 12)) {
                /* The upload reader, with a trust file's limits: the same
                 * tolerance of layout, other blocks (keys, CRLs) skipped, and
                 * only a damaged certificate block is an error. */
                _cleanup_(bundle_freep) Bundle *b = NULL;
                _cleanup_(findings_clear) Findings g = {};

                r = bundle_parse(path, data, len, BUNDLE_EXPECT_CERTS | BUNDLE_TRUST_FILE, &b, &g);
                if (r < 0)
                        return r;
                /* A damaged certificate block, or too large a file, is the
                 * trust file's problem; the rest (keys, no certificate at
                 * all) is answered below in trust-file terms. */
                for (size_t i = 0; i < g.n; i++)
                        if (g.items[i].code == FINDING_CERT_INVALID ||
                            g.items[i].code == FINDING_FILE_TOO_LARGE) {
                                r = findings_move(f, &g);
                                return r < 0 ? r : -EINVAL;
                        }
                for (size_t i = 0; i < b->n_certs; i++) {
                        if (!X509_up_ref(b->certs[i]))
                                return -ENOMEM;
                        if (!sk_X509_push(s, b->certs[i])) {
                                X509_free(b->certs[i]);
                                return -ENOMEM;
                        }
                }
        } else {
                const unsigned char *q = (const unsigned char *) data;
                X509 *x = d2i_X509(NULL, &q, (long) len);

                ERR_clear_error();
                if (x && q == (const unsigned char *) data + len) {
                        if (!sk_X509_push(s, x)) {
                                X509_free(x);
                                return -ENOMEM;
                        }
                } else
                        X509_free(x);
        }
        ERR_clear_error();
        if (sk_X509_num(s) == 0)
                return anchors_problem(
                        f, FINDING_NOT_PEM, path, -1,
                        "Give a file of CA certificates in PEM (-----BEGIN CERTIFICATE-----), or one in DER.",
                        "%s holds no certificate to use as a trust anchor", path);

        /* Success: append to what the caller already has. */
        if (*ret) {
                while (sk_X509_num(s) > 0) {
                        X509 *x = sk_X509_shift(s);
                        if (!sk_X509_push(*ret, x)) {
                                X509_free(x);
                                return -ENOMEM;
                        }
                }
        } else
                *ret = TAKE_PTR(s);
        return 0;
}

const char *check_system_trust_file(void) {
        const char *e = getenv(X509_get_default_cert_file_env());

        return e && e[0] ? e : X509_get_default_cert_file();
}

/* ---- CRLs ------------------------------------------------------------------ */

#define CRL_FILE_HINT \
        "Give the CA's CRL file as downloaded from its CRL Distribution Point: PEM (-----BEGIN X509 CRL-----) or DER."

static int crl_file_invalid(Findings *f, const char *name, const char *hint, const char *fmt, ...)
        _printf_(4, 5);

static int crl_file_invalid(Findings *f, const char *name, const char *hint, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = findings_add(f, FINDING_CRL_INVALID, SEVERITY_ERROR, name, -1, NULL,
                         hint ? hint : CRL_FILE_HINT, "%s", msg);
        return r < 0 ? r : -EINVAL;
}

int check_parse_crls(const char *name, const char *data, size_t len, STACK_OF(X509_CRL) **ret,
                     Findings *f) {
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *s = NULL;
        int n;

        if (len > INT_MAX)
                return -EFBIG;
        s = sk_X509_CRL_new_null();
        if (!s)
                return -ENOMEM;

        if (len == 0)
                return crl_file_invalid(f, name, NULL, "%s is empty: no CRL in it", name);

        if (memmem(data, len, "-----BEGIN ", 11)) {
                _cleanup_(BIO_free_allp) BIO *bio = BIO_new_mem_buf(data, (int) len);

                if (!bio)
                        return -ENOMEM;
                for (;;) {
                        _cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
                        unsigned long e;

                        ERR_clear_error();
                        crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
                        if (!crl) {
                                e = ERR_peek_last_error();
                                ERR_clear_error();
                                if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
                                    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
                                        break;
                                return crl_file_invalid(
                                        f, name,
                                        "The CRL block is damaged (truncated or edited): download the CRL again from the CA.",
                                        "CRL %d of %s does not parse", sk_X509_CRL_num(s), name);
                        }
                        if (!sk_X509_CRL_push(s, crl))
                                return -ENOMEM;
                        TAKE_PTR(crl);
                }
                if (sk_X509_CRL_num(s) == 0)
                        return crl_file_invalid(
                                f, name, NULL, "%s holds no CRL (no -----BEGIN X509 CRL----- block)%s",
                                name,
                                memmem(data, len, "-----BEGIN CERTIFICATE-----", 27)
                                        ? ", only certificates"
                                        : "");
        } else {
                _cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
                const unsigned char *p = (const unsigned char *) data;

                crl = d2i_X509_CRL(NULL, &p, (long) len);
                ERR_clear_error();
                if (!crl || p != (const unsigned char *) data + len)
                        return crl_file_invalid(f, name, NULL,
                                                "%s is not a CRL (neither PEM nor DER)", name);
                if (!sk_X509_CRL_push(s, crl))
                        return -ENOMEM;
                TAKE_PTR(crl);
        }

        n = sk_X509_CRL_num(s);
        if (!*ret) {
                *ret = TAKE_PTR(s);
                return 0;
        }
        for (int i = 0; i < n; i++) {
                if (!sk_X509_CRL_push(*ret, sk_X509_CRL_value(s, i))) {
                        /* Undo: *ret as it was. */
                        while (i-- > 0)
                                (void) sk_X509_CRL_pop(*ret);
                        return -ENOMEM;
                }
        }
        /* The CRLs now belong to *ret. */
        while (sk_X509_CRL_num(s) > 0)
                (void) sk_X509_CRL_pop(s);
        return 0;
}

int check_load_crls(const char *path, STACK_OF(X509_CRL) **ret, Findings *f) {
        _cleanup_(freep) char *buf = NULL;
        size_t len = 0;
        int r;

        r = read_file_path(path, CHECK_CRL_MAX_BYTES, &buf, &len);
        if (r == -EFBIG) {
                r = findings_add(f, FINDING_CRL_INVALID, SEVERITY_ERROR, path, -1, NULL,
                                 "A CRL file is at most 1 MiB: give the CRL of the CA that issued the certificate.",
                                 "%s is larger than 1 MiB", path);
                return r < 0 ? r : -EFBIG;
        }
        if (r < 0) {
                int k = findings_add(f, FINDING_FILE_UNREADABLE, SEVERITY_ERROR, path, -1, NULL,
                                     "Give the path of a readable CRL file.",
                                     "%s cannot be read: %s", path, strerror(-r));
                return k < 0 ? k : r;
        }
        return check_parse_crls(path, buf, len, ret, f);
}

/* ---- store ---------------------------------------------------------------- */

StoreReport *store_report_free(StoreReport *r) {
        if (!r)
                return NULL;
        findings_clear(&r->findings);
        for (size_t i = 0; i < r->n_services; i++) {
                free(r->services[i].service);
                findings_clear(&r->services[i].findings);
                bundle_free(r->services[i].chain);
                bundle_free(r->services[i].key);
        }
        deploy_free(r->deploy);
        free(r->services);
        free(r);
        return NULL;
}

bool store_report_has_errors(const StoreReport *r) {
        if (findings_has_errors(&r->findings))
                return true;
        for (size_t i = 0; i < r->n_services; i++)
                if (findings_has_errors(&r->services[i].findings))
                        return true;
        return false;
}

static bool valid_service_name(const char *s, size_t n) {
        if (n == 0 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
                        return false;
        return true;
}

static int service_rank(const char *s) {
        return streq(s, "rem") ? 0 : streq(s, "xcap") ? 1 : streq(s, "bsf") ? 2 : 3;
}

static int cmp_service(const void *a, const void *b) {
        const char *x = *(const char *const *) a, *y = *(const char *const *) b;
        int ra = service_rank(x), rb = service_rank(y);
        return ra != rb ? ra - rb : strcmp(x, y);
}

static bool exists_at(int dfd, const char *name) {
        struct stat st;
        return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A regular file, or a link (which the check refuses by name later). */
static bool is_file_at(int dfd, const char *name) {
        struct stat st;
        return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
               (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode));
}

static bool strneq(const char *a, const char *b, size_t n) {
        return strncmp(a, b, n) == 0;
}

static int cmp_string(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Whether an entry of the store looks like an upload: a certificate or key
 * file name, or something with "-cert." in it. Hidden files, editor and
 * backup copies, CSRs and serial files are the operator's own business. */
static bool looks_uploaded(const char *name) {
        static const char *const suffixes[] = { ".crt", ".key", ".pem", ".p12",
                                                ".pfx", ".der", ".cer" };
        static const char *const ignored[] = { "~", ".bak", ".old", ".orig", ".swp", ".tmp",
                                               ".csr", ".srl", ".req" };
        size_t len = strlen(name);

        if (name[0] == '.')
                return false;
        for (size_t i = 0; i < ELEMENTSOF(ignored); i++) {
                size_t n = strlen(ignored[i]);
                if (len >= n && strcasecmp(name + len - n, ignored[i]) == 0)
                        return false;
        }
        if (strcasestr(name, "-cert.") || strcasestr(name, "_cert."))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (len > 4 && strcasecmp(name + len - 4, suffixes[i]) == 0)
                        return true;
        return false;
}

/* The service of a name the agent reads, <svc>-cert.crt or <svc>-cert.key
 * (malloc'd), or NULL (errno 0: not such a name; ENOMEM). */
static char *service_of(const char *name) {
        size_t len = strlen(name);

        errno = 0;
        if (len <= 9 || (!streq(name + len - 9, "-cert.crt") && !streq(name + len - 9, "-cert.key")) ||
            !valid_service_name(name, len - 9))
                return NULL;
        return strndup(name, len - 9);
}

/* The name a misnamed upload was meant to have: lower case, '_' as '-',
 * "-cert" added, .pem/.cer/.der as .crt, anything after .crt/.key dropped
 * ("REM-cert.crt", "rem.crt", "rem-cert.pem", "rem-cert.key.txt",
 * "my_svc-cert.crt"). *ret_kind is "crt", "key" or "p12". NULL (errno 0)
 * when no valid name comes out. */
static char *suggest_name(const char *name, const char **ret_kind) {
        _cleanup_(freep) char *s = strdup(name);
        const char *ext, *kind = NULL;
        char *p, *result = NULL;
        size_t stem, el;

        if (!s)
                return NULL;
        errno = 0;
        for (p = s; *p; p++)
                *p = *p == '_' ? '-' : (char) tolower((unsigned char) *p);
        p = strstr(s, "-cert.");
        if (p) {
                stem = (size_t) (p - s);
                ext = p + 6;
        } else {
                p = strrchr(s, '.');
                if (!p)
                        return NULL;
                stem = (size_t) (p - s);
                ext = p + 1;
        }
        el = strcspn(ext, ".");
        if ((el == 3 && (strneq(ext, "crt", 3) || strneq(ext, "pem", 3) || strneq(ext, "cer", 3) ||
                         strneq(ext, "der", 3))))
                kind = "crt";
        else if (el == 3 && strneq(ext, "key", 3))
                kind = "key";
        else if (el == 3 && (strneq(ext, "p12", 3) || strneq(ext, "pfx", 3)))
                kind = "p12";
        if (!kind || !valid_service_name(s, stem))
                return NULL;
        if (asprintf(&result, "%.*s-cert.%s", (int) stem, s, streq(kind, "p12") ? "crt" : kind) < 0) {
                errno = ENOMEM;
                return NULL;
        }
        *ret_kind = kind;
        return result;
}

static bool known_service(const char *svc, const Deployment *deploy) {
        return streq(svc, "rem") || streq(svc, "xcap") || streq(svc, "bsf") ||
               deploy_service(deploy, svc);
}

/* FILE_IGNORED for an entry of the store the agent would not read. An error
 * when it was plainly meant as an upload ("-cert." in its name, or a known
 * service's name in another spelling: REM-cert.crt, rem.crt, rem-cert.pem),
 * so that a typo does not end in a self-signed certificate; a warning for
 * anything else (ca.crt, fullchain.pem), with no rename suggested. */
static int add_misnamed(int dfd, const char *dir, const char *name, const Deployment *deploy,
                        Findings *f) {
        _cleanup_(freep) char *path = NULL, *want = NULL, *hint = NULL, *q = NULL, *svc = NULL;
        size_t len = strlen(name);
        const char *kind = NULL, *ext = len > 4 ? name + len - 4 : "";
        bool meant;
        int r;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        q = findings_shell_quote(name);
        if (!q)
                return -ENOMEM;
        want = suggest_name(name, &kind);
        if (!want && errno == ENOMEM)
                return -ENOMEM;
        if (want) {
                svc = strndup(want, strlen(want) - 9);
                if (!svc)
                        return -ENOMEM;
        }
        meant = want && (strcasestr(name, "-cert.") || strcasestr(name, "_cert.") ||
                         known_service(svc, deploy));

        if (!meant)
                return findings_add(f, FINDING_FILE_IGNORED, SEVERITY_WARNING, path, -1, NULL, NULL,
                                    "%s is not a name the agent reads (it reads <service>-cert.crt and <service>-cert.key only): the agent ignores it",
                                    path);

        if (exists_at(dfd, want))
                r = asprintf(&hint, "Remove it: the agent reads %s, which is there already.", want);
        else if (streq(kind, "p12"))
                r = asprintf(&hint,
                             "The agent reads PEM files: openssl pkcs12 -in %s -nokeys -out %s-cert.crt && openssl pkcs12 -in %s -nocerts -noenc -out %s-cert.key, then remove %s.",
                             q, svc, q, svc, q);
        else if (strcasecmp(ext, ".der") == 0 || strcasecmp(ext, ".cer") == 0)
                r = asprintf(&hint,
                             "The agent reads PEM: openssl x509 -in %s -out %s (this converts DER and keeps PEM as it is), then remove %s.",
                             q, want, q);
        else if (strcasecmp(ext, ".pem") == 0 && streq(kind, "crt"))
                r = asprintf(&hint, "Rename it to %s (%s-cert.key if it holds the private key).",
                             want, svc);
        else
                r = asprintf(&hint, "Rename it to %s.", want);
        if (r < 0)
                return -ENOMEM;
        return findings_add(f, FINDING_FILE_IGNORED, SEVERITY_ERROR, path, -1, NULL, hint,
                            "%s is not a name the agent reads (it reads <service>-cert.crt and <service>-cert.key only), so it would ignore this upload",
                            path);
}

static void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
        *d = NULL;
}

/* The services of the store (rem, xcap, bsf first) in *ret; an entry that
 * looks like an upload but has no name the agent reads is a finding in f. */
static int list_services(int dfd, const char *dir, const Deployment *deploy, char ***ret,
                         Findings *f) {
        _cleanup_(strv_freep) char **l = NULL, **misnamed = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        int fd, r;

        for (const char *const *s = (const char *const[]) { "rem", "xcap", "bsf", NULL }; *s; s++) {
                r = strv_extend(&l, *s);
                if (r < 0)
                        return r;
        }
        fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }
        rewinddir(d);
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_(freep) char *svc = NULL;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                svc = service_of(de->d_name);
                if (svc)
                        r = strv_extend_unique(&l, svc, false);
                else if (errno == ENOMEM)
                        r = -ENOMEM;
                else if (looks_uploaded(de->d_name) && is_file_at(dfd, de->d_name))
                        r = strv_extend(&misnamed, de->d_name);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        qsort(l, strv_length(l), sizeof(char *), cmp_service);
        if (misnamed)
                qsort(misnamed, strv_length(misnamed), sizeof(char *), cmp_string);
        for (char **m = misnamed; m && *m; m++) {
                r = add_misnamed(dfd, dir, *m, deploy, f);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int store_check_service(int dfd, const char *dir, const char *service,
                               const CheckOptions *o, const Deployment *deploy,
                               char ***xcap_names, ServiceReport *sr) {
        _cleanup_(freep) char *crt = NULL, *key = NULL, *crt_path = NULL, *key_path = NULL;
        _cleanup_(bundle_freep) Bundle *chain = NULL, *kb = NULL;
        bool has_crt, has_key;
        CheckOptions so = *o;
        int leaf = -1, r;

        if (asprintf(&crt, "%s-cert.crt", service) < 0 || asprintf(&key, "%s-cert.key", service) < 0 ||
            asprintf(&crt_path, "%s/%s", dir, crt) < 0 || asprintf(&key_path, "%s/%s", dir, key) < 0)
                return -ENOMEM;
        has_crt = exists_at(dfd, crt);
        has_key = exists_at(dfd, key);
        sr->uploaded = has_crt || has_key;
        if (!sr->uploaded)
                return 0;

        if (has_crt) {
                r = bundle_load_at(dfd, crt, crt_path, BUNDLE_EXPECT_CERTS, &chain, &sr->findings);
                if (r < 0)
                        return r;
        }
        if (has_key) {
                r = bundle_load_at(dfd, key, key_path, BUNDLE_EXPECT_KEY, &kb, &sr->findings);
                if (r < 0)
                        return r;
        }
        if (has_crt != has_key) {
                bool key_inside = chain && chain->n_keys + chain->n_encrypted_keys > 0;

                if (key_inside)
                        r = findings_add(&sr->findings, FINDING_PAIR_INCOMPLETE, SEVERITY_ERROR,
                                         crt_path, -1, NULL,
                                         "Move the private key out of the chain file into its own file: the chain file is served to clients.",
                                         "%s is there but %s is not, and %s holds the private key: move the key into %s",
                                         crt, key, crt, key);
                else
                        r = findings_add(&sr->findings, FINDING_PAIR_INCOMPLETE, SEVERITY_ERROR,
                                         has_crt ? crt_path : key_path, -1, NULL, NULL,
                                         "%s is there but %s is not: upload both files of the pair, or neither",
                                         has_crt ? crt : key, has_crt ? key : crt);
                if (r < 0)
                        return r;
        }
        if (!chain) {
                sr->key = TAKE_PTR(kb);
                return 0;
        }

        so.deploy = deploy;
        so.xcap_names = streq(service, "bsf") ? *xcap_names : NULL;
        r = check_service(service, chain, kb, &so, &leaf, &sr->findings);
        if (r < 0)
                return r;

        /* The BSF names mirror the XCAP certificate's: the one the chain
         * took as the server's (the key's, else its guess). */
        if (streq(service, "xcap") && leaf >= 0) {
                r = names_cert_sans(chain->certs[leaf], xcap_names, NULL, NULL);
                if (r < 0)
                        return r;
        }
        sr->leaf = leaf;
        sr->chain = TAKE_PTR(chain);
        sr->key = TAKE_PTR(kb);
        return 0;
}

static int check_store_impl(const char *dir, const CheckOptions *o, StoreReport **ret) {
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(deploy_freep) Deployment *deploy = NULL;
        _cleanup_(strv_freep) char **services = NULL, **xcap_names = NULL;
        _cleanup_(freep) char *deploy_path = NULL;
        _cleanup_(closep) int dfd = -1;
        size_t n = 0;
        int r;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;

        rep = calloc(1, sizeof *rep);
        if (!rep)
                return -ENOMEM;

        if (asprintf(&deploy_path, "%s/%s", dir, DEPLOY_FILE_NAME) < 0)
                return -ENOMEM;
        r = deploy_load_at(dfd, DEPLOY_FILE_NAME, deploy_path, &deploy, &rep->findings);
        if (r < 0 && r != -ENOENT && r != -EINVAL)
                return r;
        rep->is_store = true;
        rep->has_deployment = r != -ENOENT;

        r = list_services(dfd, dir, deploy, &services, &rep->findings);
        if (r < 0)
                return r;
        while (services[n])
                n++;
        rep->services = calloc(n, sizeof(ServiceReport));
        if (!rep->services)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                ServiceReport *sr = &rep->services[rep->n_services];
                sr->service = strdup(services[i]);
                if (!sr->service)
                        return -ENOMEM;
                sr->leaf = -1;
                rep->n_services++;
                r = store_check_service(dfd, dir, services[i], o, deploy, &xcap_names, sr);
                if (r < 0)
                        return r;
        }
        rep->deploy = TAKE_PTR(deploy);

        *ret = TAKE_PTR(rep);
        return 0;
}

int check_store(const char *dir, const CheckOptions *o, StoreReport **ret) {
        int r;

        /* The OpenSSL error queue is left as it was found (see check_bundles()). */
        ERR_set_mark();
        r = check_store_impl(dir, o, ret);
        ERR_pop_to_mark();
        return r;
}
