#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pem.h>

#include "chain.h"
#include "check.h"
#include "fileio.h"
#include "names.h"
#include "policy.h"
#include "strv.h"

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

int check_bundles(const char *service, const Bundle *chain, const Bundle *key,
                  const CheckOptions *o, Findings *f) {
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        const Bundle *keysrc = key ? key : chain;
        const char *key_path = key ? key->path : chain->path;
        bool key_unmatched = false;
        int leaf = -1, r;

        if (chain->n_certs == 0)
                return 0; /* the reader said why (NOT_PEM, FILE_TOO_LARGE, ...) */

        /* The key decides which certificate is the server's. */
        if (!key && chain->n_keys > 1) {
                r = findings_add(f, FINDING_KEY_MULTIPLE, SEVERITY_ERROR, chain->path, -1, NULL,
                                 "Keep only the server certificate's private key in the file.",
                                 "the file holds %zu private keys; only the server certificate's may be present",
                                 chain->n_keys);
                if (r < 0)
                        return r;
        }
        if (keysrc->n_keys >= 1) {
                EVP_PKEY *k = keysrc->keys[0];
                leaf = find_key_leaf(chain, k);
                key_unmatched = leaf < 0; /* reported below, once the server certificate is known */
                if (leaf > 0) {
                        _cleanup_(freep) char *s = x509_subject_string(chain->certs[leaf]);
                        if (!s)
                                return -ENOMEM;
                        r = findings_add(f, FINDING_KEY_MISMATCH, SEVERITY_ERROR, key_path, leaf, s,
                                         "Put the server certificate, the one the key belongs to, first in the chain file.",
                                         "the private key belongs to certificate %d ('%s'), not to the first certificate of %s",
                                         leaf, s, chain->path);
                        if (r < 0)
                                return r;
                }
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

        return chain_verify(chain, c, &co, f);
}

int check_files(const char *service, const char *chain_path, const char *key_path,
                const CheckOptions *o, Findings *f) {
        _cleanup_(bundle_freep) Bundle *chain = NULL, *key = NULL;
        int r;

        r = bundle_load(chain_path, BUNDLE_EXPECT_CERTS, &chain, f);
        if (r < 0)
                return r;
        if (key_path) {
                r = bundle_load(key_path, BUNDLE_EXPECT_KEY, &key, f);
                if (r < 0)
                        return r;
        }
        return check_bundles(service, chain, key, o, f);
}

static int no_password(char *buf, int size, int rwflag, void *u) {
        return -1; /* a trust file is read, never decrypted: never prompt */
}

static void sk_X509_INFO_pop_freep(STACK_OF(X509_INFO) **p) {
        if (*p) {
                sk_X509_INFO_pop_free(*p, X509_INFO_free);
                *p = NULL;
        }
}

int check_load_anchors(const char *path, STACK_OF(X509) **ret, Findings *f) {
        _cleanup_(freep) char *data = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = NULL;
        _cleanup_(sk_X509_INFO_pop_freep) STACK_OF(X509_INFO) *infos = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *s = NULL;
        size_t len = 0;
        int r;

        /* A trust store is the operator's own file, not an upload: no limit
         * of 16 certificates (the system bundle holds well over 100), PEM as
         * OpenSSL reads it, or one DER certificate. */
        r = read_file_path(path, CHECK_ANCHORS_MAX_BYTES, &data, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return findings_add(f, FINDING_FILE_UNREADABLE, SEVERITY_ERROR, path, -1, NULL,
                                    NULL, "cannot read the trust anchors in %s: %s", path,
                                    strerror(-r)) < 0 ? -ENOMEM : -EINVAL;

        s = sk_X509_new_null();
        bio = BIO_new_mem_buf(data, (int) len);
        if (!s || !bio)
                return -ENOMEM;
        infos = PEM_X509_INFO_read_bio_ex(bio, NULL, no_password, NULL, NULL, NULL);
        for (int i = 0; infos && i < sk_X509_INFO_num(infos); i++) {
                X509_INFO *info = sk_X509_INFO_value(infos, i);
                if (!info->x509)
                        continue;
                if (!sk_X509_push(s, info->x509))
                        return -ENOMEM;
                info->x509 = NULL; /* now owned by s */
        }
        if (sk_X509_num(s) == 0) {
                const unsigned char *q = (const unsigned char *) data;
                X509 *x = d2i_X509(NULL, &q, (long) len);
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
                return findings_add(f, FINDING_NOT_PEM, SEVERITY_ERROR, path, -1, NULL,
                                    "Give a file of CA certificates in PEM (-----BEGIN CERTIFICATE-----), or one in DER.",
                                    "%s holds no certificate to use as a trust anchor", path) < 0
                               ? -ENOMEM
                               : -EINVAL;

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
        }
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

static int list_services(int dfd, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        DIR *d;
        int fd, r;

        for (const char *const *s = (const char *const[]) { "rem", "xcap", "bsf", NULL }; *s; s++) {
                r = strv_extend(&l, *s);
                if (r < 0)
                        return r;
        }
        fd = dup(dfd);
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
                size_t len = strlen(de->d_name);
                const char *suffix = NULL;

                if (len > 9 && (streq(de->d_name + len - 9, "-cert.crt") ||
                                streq(de->d_name + len - 9, "-cert.key")))
                        suffix = de->d_name + len - 9;
                if (!suffix || !valid_service_name(de->d_name, (size_t) (suffix - de->d_name)))
                        continue;
                _cleanup_(freep) char *svc = strndup(de->d_name, (size_t) (suffix - de->d_name));
                r = svc ? strv_extend_unique(&l, svc, false) : -ENOMEM;
                if (r < 0) {
                        closedir(d);
                        return r;
                }
        }
        closedir(d);
        qsort(l, strv_length(l), sizeof(char *), cmp_service);
        *ret = TAKE_PTR(l);
        return 0;
}

static bool exists_at(int dfd, const char *name) {
        struct stat st;
        return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int store_check_service(int dfd, const char *dir, const char *service,
                               const CheckOptions *o, const Deployment *deploy,
                               char ***xcap_names, ServiceReport *sr) {
        _cleanup_(freep) char *crt = NULL, *key = NULL, *crt_path = NULL, *key_path = NULL;
        _cleanup_(bundle_freep) Bundle *chain = NULL, *kb = NULL;
        bool has_crt, has_key;
        CheckOptions so = *o;
        int r;

        if (asprintf(&crt, "%s-cert.crt", service) < 0 || asprintf(&key, "%s-cert.key", service) < 0 ||
            asprintf(&crt_path, "%s/%s", dir, crt) < 0 || asprintf(&key_path, "%s/%s", dir, key) < 0)
                return -ENOMEM;
        has_crt = exists_at(dfd, crt);
        has_key = exists_at(dfd, key);
        sr->uploaded = has_crt || has_key;
        if (!sr->uploaded)
                return 0;

        if (has_crt != has_key) {
                r = findings_add(&sr->findings, FINDING_PAIR_INCOMPLETE, SEVERITY_ERROR,
                                 has_crt ? crt_path : key_path, -1, NULL, NULL,
                                 "%s is there but %s is not: upload both files of the pair, or neither",
                                 has_crt ? crt : key, has_crt ? key : crt);
                if (r < 0)
                        return r;
        }
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
        if (!chain)
                return 0;

        so.deploy = deploy;
        so.xcap_names = streq(service, "bsf") ? *xcap_names : NULL;
        r = check_bundles(service, chain, kb, &so, &sr->findings);
        if (r < 0)
                return r;

        if (streq(service, "xcap") && chain->n_certs > 0) {
                int leaf = kb && kb->n_keys > 0 ? find_key_leaf(chain, kb->keys[0]) : -1;
                r = names_cert_sans(chain->certs[leaf >= 0 ? leaf : 0], xcap_names, NULL, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

int check_store(const char *dir, const CheckOptions *o, StoreReport **ret) {
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

        r = list_services(dfd, &services);
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
                rep->n_services++;
                r = store_check_service(dfd, dir, services[i], o, deploy, &xcap_names, sr);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(rep);
        return 0;
}
