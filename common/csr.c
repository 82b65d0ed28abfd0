/* csr: requests made from the same pieces as the agent's self-signed
 * certificate (x509build.c), so a CA-issued certificate for one carries what
 * the agent would have put in its own. */

#include <limits.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "csr.h"
#include "fileio.h"
#include "macro.h"

static void extensions_freep(STACK_OF(X509_EXTENSION) * *p) {
        if (*p) {
                sk_X509_EXTENSION_pop_free(*p, X509_EXTENSION_free);
                *p = NULL;
        }
}

static int make(const CsrSpec *s, EVP_PKEY *key, X509_REQ **ret) {
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
        _cleanup_(X509_NAME_freep) X509_NAME *subject = NULL;
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
        _cleanup_(extensions_freep) STACK_OF(X509_EXTENSION) *exts = NULL;
        _cleanup_(freep) X509BuildName *names = NULL;
        _cleanup_(freep) char *cn = NULL;
        size_t n = 0;
        int r;

        if (!s || !key || !ret)
                return -EINVAL;
        r = x509build_names_parse(s->names, false, &names, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return -EINVAL;
        r = x509build_pick_cn(names, n, s->service, &cn);
        if (r < 0)
                return r;
        r = x509build_subject(s->country, s->organization, s->organizational_unit, cn, &subject);
        if (r < 0)
                return r;
        r = x509build_san(names, n, &gens);
        if (r < 0)
                return r;

        req = X509_REQ_new();
        if (!req)
                return -ENOMEM;
        if (X509_REQ_set_version(req, X509_REQ_VERSION_1) <= 0 ||
            X509_REQ_set_subject_name(req, subject) <= 0 || X509_REQ_set_pubkey(req, key) <= 0)
                return -ENOMEM;
        if (X509V3_add1_i2d(&exts, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) <= 0)
                return -ENOMEM;
        if (X509_REQ_add_extensions(req, exts) <= 0)
                return -ENOMEM;
        if (X509_REQ_sign(req, key, EVP_sha256()) <= 0)
                return -EIO;
        *ret = TAKE_PTR(req);
        return 0;
}

int csr_make(const CsrSpec *s, EVP_PKEY *key, X509_REQ **ret) {
        int r;

        ERR_set_mark();
        r = make(s, key, ret);
        ERR_pop_to_mark();
        return r;
}

static int parse(const char *name, const void *data, size_t len, X509_REQ **ret, Findings *f) {
        _cleanup_(BIO_free_allp) BIO *b = NULL;
        X509_REQ *req = NULL;

        if (!data || !ret || !f || len > INT_MAX)
                return -EINVAL;
        if (memmem(data, len, "-----BEGIN ", 11)) {
                b = BIO_new_mem_buf(data, (int) len);
                if (!b)
                        return -ENOMEM;
                /* Never prompts: a request holds nothing encrypted. */
                req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
        } else {
                const unsigned char *p = data;

                req = d2i_X509_REQ(NULL, &p, (long) len);
                if (req && p != (const unsigned char *) data + len) {
                        X509_REQ_free(req);
                        req = NULL;
                }
        }
        if (!req)
                return findings_add(f, FINDING_CERT_INVALID, SEVERITY_ERROR, name, -1, NULL,
                                    "give the certificate signing request as written by "
                                    "'certconfd csr' or 'openssl req -new' (PEM \"-----BEGIN "
                                    "CERTIFICATE REQUEST-----\", or DER)",
                                    "%s holds no certificate signing request (or a damaged one)",
                                    name) < 0
                               ? -ENOMEM
                               : -EINVAL;
        *ret = req;
        return 0;
}

int csr_parse(const char *name, const void *data, size_t len, X509_REQ **ret, Findings *f) {
        int r;

        ERR_set_mark();
        r = parse(name, data, len, ret, f);
        ERR_pop_to_mark();
        return r;
}

int csr_load(const char *path, X509_REQ **ret, Findings *f) {
        _cleanup_(freep) char *data = NULL;
        size_t len = 0;
        int r;

        if (!path || !ret || !f)
                return -EINVAL;
        r = read_file_path(path, CSR_MAX_BYTES, &data, &len);
        if (r < 0) {
                if (r == -ENOMEM)
                        return r;
                if (findings_add(f, FINDING_FILE_UNREADABLE, SEVERITY_ERROR, path, -1, NULL,
                                 r == -ENOENT  ? "check the path of the request"
                                 : r == -EFBIG ? "a request is a few kilobytes: give the .csr file"
                                               : "give a regular file this user can read",
                                 "cannot read %s: %s", path, strerror(-r)) < 0)
                        return -ENOMEM;
                return r;
        }
        return csr_parse(path, data, len, ret, f);
}

int csr_check_signature(X509_REQ *req, const char *name, Findings *f) {
        EVP_PKEY *pub;
        int ok;

        if (!req || !f)
                return -EINVAL;
        ERR_set_mark();
        pub = X509_REQ_get0_pubkey(req);
        ok = pub ? X509_REQ_verify(req, pub) : -1;
        ERR_pop_to_mark();
        if (ok == 1)
                return 0;
        if (findings_add(f, FINDING_CHAIN_SIGNATURE, SEVERITY_ERROR, name, -1, NULL,
                         "the request was damaged or altered after it was signed: make it "
                         "again ('certconfd csr --service NAME', or 'openssl req -new') and "
                         "send it unchanged",
                         pub ? "the signature of the certificate signing request %s does not "
                               "verify with its own public key"
                             : "the certificate signing request %s holds a public key that "
                               "cannot be read, so its signature cannot be verified",
                         name ? name : "(request)") < 0)
                return -ENOMEM;
        return -EBADMSG;
}

int csr_requested_san(X509_REQ *req, GENERAL_NAMES **ret) {
        _cleanup_(extensions_freep) STACK_OF(X509_EXTENSION) *exts = NULL;
        GENERAL_NAMES *gens;
        int crit = -1;

        if (!req || !ret)
                return -EINVAL;
        ERR_set_mark();
        exts = X509_REQ_get_extensions(req);
        ERR_pop_to_mark();
        if (!exts) {
                /* None asked for, or an extensionRequest that does not
                 * decode. */
                if (X509_REQ_get_attr_by_NID(req, NID_ext_req, -1) >= 0 ||
                    X509_REQ_get_attr_by_NID(req, NID_ms_ext_req, -1) >= 0)
                        return -EBADMSG;
                *ret = NULL;
                return 0;
        }
        ERR_set_mark();
        gens = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
        ERR_pop_to_mark();
        if (!gens && crit != -1)
                return -EBADMSG; /* repeated (-2) or not decodable */
        *ret = gens;
        return 0;
}
