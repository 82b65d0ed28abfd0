#include <stdarg.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "chain.h"

ChainResult *chain_result_free(ChainResult *c) {
        if (!c)
                return NULL;
        sk_X509_pop_free(c->path, X509_free);
        free(c);
        return NULL;
}

int chain_bundle_index(const Bundle *b, const X509 *x) {
        for (size_t i = 0; i < b->n_certs; i++)
                if (b->certs[i] == x)
                        return (int) i;
        return -1;
}

/* Name and key-identifier match, without the signature: whether `issuer`
 * plausibly issued `subject`. Stricter than nothing, looser than
 * X509_check_issued(), which also requires keyCertSign: a CA without it must
 * still be found, so that the finding says CHAIN_CA_FLAGS, not "missing". */
static bool likely_issued(X509 *issuer, X509 *subject) {
        const ASN1_OCTET_STRING *ski, *akid;

        if (X509_NAME_cmp(X509_get_issuer_name(subject), X509_get_subject_name(issuer)) != 0)
                return false;
        akid = X509_get0_authority_key_id(subject);
        ski = X509_get0_subject_key_id(issuer);
        if (akid && ski && ASN1_OCTET_STRING_cmp(akid, ski) != 0)
                return false;
        return true;
}

static bool self_issued(X509 *x) {
        return likely_issued(x, x);
}

/* RFC 5280 6.1: "self-issued" means the subject and issuer names are the
 * same, whatever the keys (a CA's key rollover certificate). Such
 * certificates do not count against a pathLenConstraint. */
static bool names_self_issued(X509 *x) {
        return X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
}

static bool signed_by(X509 *subject, X509 *issuer) {
        EVP_PKEY *k = X509_get0_pubkey(issuer);
        bool ok;

        if (!k)
                return false;
        ok = X509_verify(subject, k) == 1;
        ERR_clear_error();
        return ok;
}

static bool in_stack(STACK_OF(X509) *s, const X509 *x) {
        for (int i = 0; i < sk_X509_num(s); i++)
                if (X509_cmp(sk_X509_value(s, i), x) == 0)
                        return true;
        return false;
}

/* Among candidates not yet used, the issuer of cur: one whose signature
 * verifies is preferred over a name-only match. */
static int find_issuer(const Bundle *b, const bool *used, X509 *cur, bool *ret_verified) {
        int name_only = -1;

        for (size_t i = 0; i < b->n_certs; i++) {
                if (used[i] || b->certs[i] == cur)
                        continue;
                if (!likely_issued(b->certs[i], cur))
                        continue;
                if (signed_by(cur, b->certs[i])) {
                        *ret_verified = true;
                        return (int) i;
                }
                if (name_only < 0)
                        name_only = (int) i;
        }
        *ret_verified = false;
        return name_only;
}

static X509 *find_anchor(STACK_OF(X509) *anchors, X509 *cur) {
        X509 *name_only = NULL;

        for (int i = 0; i < sk_X509_num(anchors); i++) {
                X509 *a = sk_X509_value(anchors, i);
                if (!likely_issued(a, cur))
                        continue;
                if (signed_by(cur, a))
                        return a;
                if (!name_only)
                        name_only = a;
        }
        return name_only;
}

static int guess_leaf(const Bundle *b) {
        /* The leaf issues no other certificate of the bundle. Prefer the
         * first such one that is not a CA. */
        int fallback = -1;

        for (size_t i = 0; i < b->n_certs; i++) {
                bool issues = false;

                for (size_t j = 0; j < b->n_certs && !issues; j++)
                        if (i != j && X509_cmp(b->certs[i], b->certs[j]) != 0 &&
                            likely_issued(b->certs[i], b->certs[j]) && !self_issued(b->certs[j]))
                                issues = true;
                if (issues)
                        continue;
                if (!(X509_get_extension_flags(b->certs[i]) & EXFLAG_CA))
                        return (int) i;
                if (fallback < 0)
                        fallback = (int) i;
        }
        return fallback >= 0 ? fallback : 0;
}

/* A certificate of the bundle not on the path that is a CA (and not a copy
 * of one on the path): when the path breaks off, it may belong above the gap. */
static bool stranded_ca(const Bundle *b, const bool *used, size_t i) {
        if (used[i] || !(X509_get_extension_flags(b->certs[i]) & EXFLAG_CA))
                return false;
        for (size_t j = 0; j < b->n_certs; j++)
                if (used[j] && X509_cmp(b->certs[i], b->certs[j]) == 0)
                        return false;
        return true;
}

/* "; the file's other CA certificate 1 ('CN=…') does not issue it" (or
 * "certificates 1 (…), 2 (…) do not"), or NULL when there are none. */
static int stranded_cas_text(const Bundle *b, const bool *used, char **ret) {
        _cleanup_(freep) char *s = NULL;
        size_t len = 0, n = 0;
        FILE *m;

        m = open_memstream(&s, &len);
        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < b->n_certs; i++) {
                _cleanup_(freep) char *subject = NULL;

                if (!stranded_ca(b, used, i))
                        continue;
                subject = x509_subject_string(b->certs[i]);
                fprintf(m, "%s%zu ('%s')", n++ ? ", " : "", i, strna(subject));
        }
        if (fclose(m) != 0 || !s)
                return -ENOMEM;
        if (n == 0) {
                *ret = NULL;
                return 0;
        }
        if (asprintf(ret, "; the file's other CA certificate%s %s do%s not issue it",
                     n == 1 ? "" : "s", s, n == 1 ? "es" : "") < 0)
                return -ENOMEM;
        return 0;
}

static int add_cert_finding(Findings *f, FindingCode code, Severity sev, const Bundle *b, int idx,
                            const char *hint, const char *fmt, ...) _printf_(7, 8);

static int add_cert_finding(Findings *f, FindingCode code, Severity sev, const Bundle *b, int idx,
                            const char *hint, const char *fmt, ...) {
        _cleanup_(freep) char *subject = NULL, *msg = NULL;
        va_list ap;
        int r;

        if (idx >= 0 && (size_t) idx < b->n_certs) {
                subject = x509_subject_string(b->certs[idx]);
                if (!subject)
                        return -ENOMEM;
        }
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return findings_add(f, code, sev, b->path, idx, subject, hint, "%s", msg);
}

int chain_build(const Bundle *b, int leaf_hint, STACK_OF(X509) *anchors, ChainResult **ret,
                Findings *f) {
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(freep) bool *used = NULL;
        _cleanup_(freep) int *order = NULL;
        _cleanup_(freep) char *order_text = NULL;
        size_t n_order = 0;
        X509 *cur;
        int r;

        if (b->n_certs == 0)
                return -EINVAL;

        c = calloc(1, sizeof *c);
        used = calloc(b->n_certs, sizeof *used);
        order = calloc(b->n_certs, sizeof *order);
        if (!c || !used || !order)
                return -ENOMEM;
        c->path = sk_X509_new_null();
        if (!c->path)
                return -ENOMEM;

        c->leaf = leaf_hint >= 0 && (size_t) leaf_hint < b->n_certs ? leaf_hint : guess_leaf(b);
        cur = b->certs[c->leaf];
        used[c->leaf] = true;
        order[n_order++] = c->leaf;
        if (!X509_up_ref(cur))
                return -ENOMEM;
        if (!sk_X509_push(c->path, cur)) {
                X509_free(cur);
                return -ENOMEM;
        }

        for (;;) {
                bool verified;
                int next;

                if (self_issued(cur)) {
                        c->complete = true;
                        break;
                }
                next = find_issuer(b, used, cur, &verified);
                if (next < 0) {
                        X509 *a = anchors ? find_anchor(anchors, cur) : NULL;
                        if (a) {
                                _cleanup_(freep) char *as = x509_subject_string(a);
                                if (!as)
                                        return -ENOMEM;
                                if (!X509_up_ref(a))
                                        return -ENOMEM;
                                if (!sk_X509_push(c->path, a)) {
                                        X509_free(a);
                                        return -ENOMEM;
                                }
                                c->root_from_trust = true;
                                c->complete = true;
                                r = findings_add(f, FINDING_CHAIN_ROOT_ADDED, SEVERITY_WARNING,
                                                 b->path, -1, as, NULL,
                                                 "the chain ends below '%s', which was taken from the trust anchors",
                                                 as);
                                if (r < 0)
                                        return r;
                        } else {
                                _cleanup_(freep) char *issuer = x509_issuer_string(cur);
                                _cleanup_(freep) char *others = NULL;
                                int idx = chain_bundle_index(b, cur);
                                if (!issuer)
                                        return -ENOMEM;
                                r = stranded_cas_text(b, used, &others);
                                if (r < 0)
                                        return r;
                                r = add_cert_finding(
                                        f, FINDING_CHAIN_INCOMPLETE, SEVERITY_ERROR, b, idx, NULL,
                                        "the chain is incomplete: the issuer '%s' of the last certificate is in neither the file nor the trust anchors%s",
                                        issuer, others ? others : "");
                                if (r < 0)
                                        return r;
                        }
                        break;
                }
                used[next] = true;
                order[n_order++] = next;
                if (!X509_up_ref(b->certs[next]))
                        return -ENOMEM;
                if (!sk_X509_push(c->path, b->certs[next])) {
                        X509_free(b->certs[next]);
                        return -ENOMEM;
                }
                cur = b->certs[next];
        }

        /* Order: the chain's certificates must come first in the file, in
         * chain order. Extra certificates are CHAIN_UNRELATED, below. */
        {
                bool in_order = order[0] == 0;
                for (size_t i = 1; i < n_order; i++)
                        if (order[i] < order[i - 1])
                                in_order = false;
                if (!in_order) {
                        size_t len = 0;
                        FILE *m = open_memstream(&order_text, &len);
                        if (!m)
                                return -ENOMEM;
                        for (size_t i = 0; i < n_order; i++) {
                                _cleanup_(freep) char *s = x509_subject_string(b->certs[order[i]]);
                                fprintf(m, "%s%d (%s)", i ? ", " : "", order[i], strna(s));
                        }
                        if (c->root_from_trust)
                                fputs(", then the root from the trust anchors", m);
                        if (fclose(m) != 0 || !order_text)
                                return -ENOMEM;
                        r = add_cert_finding(f, FINDING_CHAIN_ORDER, SEVERITY_ERROR, b, order[0],
                                             NULL,
                                             "the certificates are not in chain order (server certificate first, each followed by its issuer); the correct order of the certificates in the file is: %s",
                                             order_text);
                        if (r < 0)
                                return r;
                }
        }

        /* Signatures along the path (the root's own is not checked, as by TLS clients). */
        for (int i = 0; i + 1 < sk_X509_num(c->path); i++) {
                X509 *s = sk_X509_value(c->path, i), *is = sk_X509_value(c->path, i + 1);
                if (!signed_by(s, is)) {
                        _cleanup_(freep) char *iss = x509_subject_string(is);
                        if (!iss)
                                return -ENOMEM;
                        r = add_cert_finding(f, FINDING_CHAIN_SIGNATURE, SEVERITY_ERROR, b,
                                             chain_bundle_index(b, s), NULL,
                                             "the signature of this certificate does not verify with the key of its issuer '%s'",
                                             iss);
                        if (r < 0)
                                return r;
                }
        }

        /* Whatever is left is not part of the leaf's chain. When the chain
         * breaks off at a missing issuer, a CA certificate left over may
         * belong above it: CHAIN_INCOMPLETE has named it, and calling it
         * unrelated (hint: remove it) could be wrong. */
        for (size_t i = 0; i < b->n_certs; i++) {
                if (used[i])
                        continue;
                if (!c->complete && stranded_ca(b, used, i))
                        continue;
                if (in_stack(c->path, b->certs[i])) {
                        r = add_cert_finding(f, FINDING_CHAIN_UNRELATED, SEVERITY_ERROR, b,
                                             (int) i, "Remove the duplicate certificate.",
                                             "this certificate appears in the file more than once");
                } else {
                        _cleanup_(freep) char *leaf = x509_subject_string(b->certs[c->leaf]);
                        if (!leaf)
                                return -ENOMEM;
                        r = add_cert_finding(f, FINDING_CHAIN_UNRELATED, SEVERITY_ERROR, b,
                                             (int) i, NULL,
                                             "this certificate is not part of the chain of the server certificate '%s'",
                                             leaf);
                }
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(c);
        return 0;
}

int chain_check_ca_flags(const Bundle *b, const ChainResult *c, Findings *f) {
        int n = sk_X509_num(c->path);
        int r;

        for (int i = 0; i < n; i++) {
                X509 *x = sk_X509_value(c->path, i);
                uint32_t flags = X509_get_extension_flags(x);
                uint32_t ku = X509_get_key_usage(x);
                int idx = chain_bundle_index(b, x);
                _cleanup_(freep) char *subject = NULL;

                if (idx < 0) /* a trust anchor: trusted as it is */
                        continue;
                subject = x509_subject_string(x);
                if (!subject)
                        return -ENOMEM;

                if (i == 0) {
                        if ((flags & EXFLAG_BCONS) && (flags & EXFLAG_CA)) {
                                bool alone = n == 1;
                                r = findings_add(
                                        f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR, b->path, idx,
                                        subject,
                                        alone ? "Make the self-signed certificate again with -addext basicConstraints=critical,CA:FALSE (TLS clients refuse a CA certificate as a server certificate)."
                                              : NULL,
                                        "the server certificate is marked as a CA (basicConstraints CA:TRUE)");
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }

                if (!(flags & EXFLAG_BCONS) || !(flags & EXFLAG_CA)) {
                        r = findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR, b->path, idx,
                                         subject, NULL,
                                         "this certificate issues the one before it but is not a CA (%s)",
                                         (flags & EXFLAG_BCONS) ? "basicConstraints CA:FALSE"
                                                                : "no basicConstraints CA:TRUE");
                        if (r < 0)
                                return r;
                } else if (ku != UINT32_MAX && !(ku & KU_KEY_CERT_SIGN)) {
                        r = findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR, b->path, idx,
                                         subject, NULL,
                                         "this CA certificate's keyUsage does not allow signing certificates (keyCertSign missing)");
                        if (r < 0)
                                return r;
                }

                /* pathlen: the number of non-self-issued intermediates below this CA. */
                long pathlen = X509_get_pathlen(x);
                if (pathlen >= 0) {
                        long below = 0;
                        for (int j = 1; j < i; j++)
                                if (!names_self_issued(sk_X509_value(c->path, j)))
                                        below++;
                        if (below > pathlen) {
                                r = findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR,
                                                 b->path, idx, subject, NULL,
                                                 "path length exceeded: this CA allows %ld intermediate CA certificate(s) below it (pathlen:%ld), the chain has %ld",
                                                 pathlen, pathlen, below);
                                if (r < 0)
                                        return r;
                        }
                }
        }
        return 0;
}

typedef struct VerifyErrors {
        int err[32];
        int depth[32];
        size_t n;
} VerifyErrors;

static int verify_errors_index = -1;

static int verify_cb(int ok, X509_STORE_CTX *ctx) {
        VerifyErrors *e;
        int err, depth;

        if (ok)
                return ok;
        e = X509_STORE_CTX_get_ex_data(ctx, verify_errors_index);
        err = X509_STORE_CTX_get_error(ctx);
        depth = X509_STORE_CTX_get_error_depth(ctx);
        if (e && e->n < ELEMENTSOF(e->err)) {
                bool seen = false;
                for (size_t i = 0; i < e->n; i++)
                        if (e->err[i] == err && e->depth[i] == depth)
                                seen = true;
                if (!seen) {
                        e->err[e->n] = err;
                        e->depth[e->n] = depth;
                        e->n++;
                }
        }
        /* Keep going, to collect every reason, except where OpenSSL cannot. */
        return 1;
}

/* Whether an OpenSSL verification error is already reported by a more
 * specific finding. */
static bool explained(int err, const Findings *f) {
        switch (err) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
        case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
                return findings_has_code(f, FINDING_CERT_EXPIRING) ||
                       findings_has_code(f, FINDING_CERT_NOT_YET_VALID);
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
                return findings_has_code(f, FINDING_CHAIN_SIGNATURE);
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
                return findings_has_code(f, FINDING_CHAIN_INCOMPLETE) ||
                       findings_has_code(f, FINDING_CHAIN_SIGNATURE);
        case X509_V_ERR_INVALID_CA:
        case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        case X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA:
        case X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN:
        case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
                return findings_has_code(f, FINDING_CHAIN_CA_FLAGS);
        case X509_V_ERR_INVALID_PURPOSE:
                return findings_has_code(f, FINDING_EKU) ||
                       findings_has_code(f, FINDING_CHAIN_CA_FLAGS) ||
                       findings_has_code(f, FINDING_KEY_USAGE);
        case X509_V_ERR_EE_KEY_TOO_SMALL:
        case X509_V_ERR_CA_KEY_TOO_SMALL:
        case X509_V_ERR_CA_MD_TOO_WEAK:
                return findings_has_code(f, FINDING_WEAK_KEY) ||
                       findings_has_code(f, FINDING_WEAK_SIGNATURE);
        default:
                return false;
        }
}

int chain_verify(const Bundle *b, const ChainResult *c, STACK_OF(X509) *anchors, time_t now,
                 Profile profile, Findings *f) {
        _cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *untrusted = NULL;
        X509_VERIFY_PARAM *param;
        VerifyErrors errors = {};
        int n = sk_X509_num(c->path), r;
        X509 *leaf = sk_X509_value(c->path, 0);

        if (verify_errors_index < 0) {
                verify_errors_index = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
                if (verify_errors_index < 0)
                        return -ENOMEM;
        }

        store = X509_STORE_new();
        untrusted = sk_X509_new_null();
        if (!store || !untrusted)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(anchors); i++)
                if (X509_STORE_add_cert(store, sk_X509_value(anchors, i)) != 1)
                        ERR_clear_error(); /* a duplicate anchor */
        /* The chain's own self-signed root is an anchor too (the operator
         * vouches for it by uploading it). */
        if (n > 1 || c->complete) {
                X509 *last = sk_X509_value(c->path, n - 1);
                if (c->complete && !c->root_from_trust && self_issued(last))
                        if (X509_STORE_add_cert(store, last) != 1)
                                ERR_clear_error();
        }
        for (int i = 1; i < n; i++) {
                X509 *x = sk_X509_value(c->path, i);
                if (!X509_up_ref(x))
                        return -ENOMEM;
                if (!sk_X509_push(untrusted, x)) {
                        X509_free(x);
                        return -ENOMEM;
                }
        }

        ctx = X509_STORE_CTX_new();
        if (!ctx)
                return -ENOMEM;
        if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
                return -ENOMEM;
        param = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_time(param, now);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN);
        X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
        X509_VERIFY_PARAM_set_auth_level(param, 0);
        X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
        X509_STORE_CTX_set_ex_data(ctx, verify_errors_index, &errors);

        r = X509_verify_cert(ctx);
        ERR_clear_error();
        if (r == 1 && errors.n == 0)
                return 0;
        if (r < 0 && errors.n == 0) {
                errors.err[0] = X509_STORE_CTX_get_error(ctx);
                errors.depth[0] = X509_STORE_CTX_get_error_depth(ctx);
                errors.n = 1;
        }

        for (size_t i = 0; i < errors.n; i++) {
                X509 *x;
                int idx = -1;
                _cleanup_(freep) char *subject = NULL;

                if (explained(errors.err[i], f))
                        continue;
                /* RFC 5280's key identifier rules are the strict profile's
                 * (CERT_FORMAT says it there); TLS clients do not need them. */
                if ((errors.err[i] == X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER ||
                     errors.err[i] == X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER) &&
                    (profile != PROFILE_STRICT || findings_has_code(f, FINDING_CERT_FORMAT)))
                        continue;
                /* A root made with `openssl req -x509` and the default
                 * configuration has no keyUsage. RFC 5280 does not apply
                 * certificate rules to a trust anchor (6.1.1 d), and neither do
                 * browsers; only X509_STRICT objects. Not a reason to refuse
                 * an operator's private CA. */
                if (errors.err[i] == X509_V_ERR_CA_CERT_MISSING_KEY_USAGE && c->complete &&
                    errors.depth[i] == n - 1)
                        continue;
                x = errors.depth[i] >= 0 && errors.depth[i] < n
                            ? sk_X509_value(c->path, errors.depth[i])
                            : NULL;
                if (x) {
                        idx = chain_bundle_index(b, x);
                        subject = x509_subject_string(x);
                        if (!subject)
                                return -ENOMEM;
                }
                r = findings_add(f, FINDING_PATH_INVALID, SEVERITY_ERROR, b->path, idx, subject,
                                 NULL, "path validation failed at depth %d: %s (OpenSSL error %d)",
                                 errors.depth[i], X509_verify_cert_error_string(errors.err[i]),
                                 errors.err[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
