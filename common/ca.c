/* ca: the toolkit's private CA. Certificates are made of the pieces in
 * x509build.c; names are judged with names.c as the agent's checks judge
 * them. */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <strings.h>

#include <openssl/err.h>

#include "bundle.h"
#include "ca.h"
#include "csr.h"
#include "fileio.h"
#include "names.h"
#include "strv.h"
#include "timeutil.h"

/* ---- subject -------------------------------------------------------------------------- */

_printf_(2, 3) static int subject_error(char **ret_error, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                char *m = NULL;

                va_start(ap, fmt);
                if (vasprintf(&m, fmt, ap) < 0)
                        m = NULL;
                va_end(ap);
                if (!m)
                        return -ENOMEM;
                free(*ret_error);
                *ret_error = m;
        }
        return -EINVAL;
}

static char *trim(char *s) {
        char *e;

        while (*s == ' ')
                s++;
        e = s + strlen(s);
        while (e > s && e[-1] == ' ')
                *--e = '\0';
        return s;
}

/* Splits s at each unescaped sep into *ret (escapes kept). */
static int split_escaped(const char *s, char sep, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        const char *start = s;
        int r;

        for (const char *p = s;; p++) {
                if (*p == '\\' && p[1]) {
                        p++;
                        continue;
                }
                if (*p == sep || *p == '\0') {
                        r = strv_extend_n(&l, start, (size_t) (p - start));
                        if (r < 0)
                                return r;
                        if (*p == '\0')
                                break;
                        start = p + 1;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Removes the escaping backslashes of s in place. */
static void unescape(char *s) {
        char *w = s;

        for (char *p = s; *p; p++) {
                if (*p == '\\' && p[1])
                        p++;
                *w++ = *p;
        }
        *w = '\0';
}

static int subject_parse(const char *s, X509_NAME **ret, char **ret_error) {
        _cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
        _cleanup_(strv_freep) char **parts = NULL;
        bool openssl_form, has_cn = false;
        size_t n;
        int r;

        if (!s || !ret)
                return -EINVAL;
        while (*s == ' ')
                s++;
        if (!*s)
                return subject_error(ret_error, "the subject is empty");
        openssl_form = s[0] == '/';
        r = split_escaped(openssl_form ? s + 1 : s, openssl_form ? '/' : ',', &parts);
        if (r < 0)
                return r;
        n = strv_length(parts);
        /* "/C=SE/O=x/" ends with an empty part: harmless. */
        if (openssl_form && n > 0 && !*trim(parts[n - 1])) {
                free(parts[n - 1]);
                parts[--n] = NULL;
        }

        name = X509_NAME_new();
        if (!name)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++) {
                /* RFC 4514 lists the last RDN first. */
                char *part = parts[openssl_form ? k : n - 1 - k], *eq, *key, *value;
                int nid;

                eq = strchr(part, '=');
                if (!eq)
                        return subject_error(ret_error, "'%s' is not ATTRIBUTE=VALUE", trim(part));
                *eq = '\0';
                key = trim(part);
                value = trim(eq + 1);
                unescape(value);
                nid = OBJ_txt2nid(key);
                if (nid == NID_undef || !*key)
                        return subject_error(ret_error,
                                             "'%s' is not an attribute OpenSSL knows (C, ST, L, O, "
                                             "OU, CN, emailAddress, DC, ...)",
                                             key);
                if (!*value)
                        return subject_error(ret_error, "%s has no value", key);
                ERR_set_mark();
                r = X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                               (const unsigned char *) value, -1, -1, 0);
                ERR_pop_to_mark();
                if (r <= 0)
                        return subject_error(
                                ret_error, "%s=%s is not a valid value for %s%s", key, value, key,
                                nid == NID_countryName ? " (a two-letter country code)" : "");
                if (nid == NID_commonName)
                        has_cn = true;
        }
        if (!has_cn)
                return subject_error(ret_error, "the subject has no CN (the name clients show for "
                                                "the CA)");
        *ret = TAKE_PTR(name);
        return 0;
}

int ca_subject_parse(const char *s, X509_NAME **ret, char **ret_error) {
        return subject_parse(s, ret, ret_error);
}

/* ---- root ----------------------------------------------------------------------------- */

static int make_root(const CaRootSpec *s, X509 **ret_cert, EVP_PKEY **ret_key) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        int r;

        if (!s || !s->subject || !ret_cert || !ret_key || s->days == 0 || s->days > CA_MAX_DAYS)
                return -EINVAL;
        if (s->key != X509BUILD_KEY_RSA3072 && s->key != X509BUILD_KEY_EC_P256)
                return -EINVAL;
        r = x509build_new_key(s->key, &key);
        if (r < 0)
                return r;

        x = X509_new();
        if (!x)
                return -ENOMEM;
        if (X509_set_version(x, X509_VERSION_3) <= 0)
                return -ENOMEM;
        r = x509build_set_serial(x);
        if (r < 0)
                return r;
        r = x509build_set_validity(x, s->now - X509BUILD_BACKDATE_S,
                                   s->now + (time_t) s->days * 86400);
        if (r < 0)
                return r;
        if (X509_set_subject_name(x, s->subject) <= 0 || X509_set_issuer_name(x, s->subject) <= 0)
                return -ENOMEM;
        if (X509_set_pubkey(x, key) <= 0)
                return -ENOMEM;
        r = x509build_add_ca_extensions(x);
        if (r < 0)
                return r;
        if (X509_sign(x, key, EVP_sha256()) <= 0)
                return -EIO;

        *ret_cert = TAKE_PTR(x);
        *ret_key = TAKE_PTR(key);
        return 0;
}

int ca_make_root(const CaRootSpec *s, X509 **ret_cert, EVP_PKEY **ret_key) {
        int r;

        ERR_set_mark();
        r = make_root(s, ret_cert, ret_key);
        ERR_pop_to_mark();
        return r;
}

/* ---- loading -------------------------------------------------------------------------- */

Ca *ca_free(Ca *ca) {
        if (!ca)
                return NULL;
        free(ca->cert_path);
        free(ca->key_path);
        X509_free(ca->cert);
        EVP_PKEY_free(ca->key);
        free(ca);
        return NULL;
}

static int unreadable(Findings *f, const char *path, int r, const char *dir) {
        if (r == -ENOMEM)
                return r;
        if (findings_add(f, FINDING_FILE_UNREADABLE, SEVERITY_ERROR, path, -1, NULL,
                         r == -ENOENT ? "is DIR the directory 'certconfd ca init DIR' made? "
                                        "Give that directory"
                                      : "run as a user that can read the CA's directory",
                         "cannot read %s (the CA in %s): %s", path, dir, strerror(-r)) < 0)
                return -ENOMEM;
        return r;
}

static int read_bundle(const char *path, const char *dir, unsigned expect, Bundle **ret,
                       Findings *f) {
        char *data = NULL;
        size_t len = 0;
        int r;

        r = read_file_path(path, BUNDLE_MAX_BYTES, &data, &len);
        if (r < 0)
                return unreadable(f, path, r, dir);
        r = bundle_parse(path, data, len, expect, ret, f);
        erase_and_free(data, len);
        return r;
}

static int load(const char *dir, bool with_key, Ca **ret, Findings *f) {
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(bundle_freep) Bundle *cb = NULL, *kb = NULL;
        _cleanup_(findings_clear) Findings tmp = {};
        uint32_t ku;
        int r;

        if (!dir || !ret || !f)
                return -EINVAL;
        ca = calloc(1, sizeof *ca);
        if (!ca)
                return -ENOMEM;
        if (asprintf(&ca->cert_path, "%s/%s", dir, CA_CERT_FILE) < 0) {
                ca->cert_path = NULL;
                return -ENOMEM;
        }
        if (asprintf(&ca->key_path, "%s/%s", dir, CA_KEY_FILE) < 0) {
                ca->key_path = NULL;
                return -ENOMEM;
        }

        r = read_bundle(ca->cert_path, dir, BUNDLE_EXPECT_CERTS, &cb, &tmp);
        if (r < 0) {
                (void) findings_move(f, &tmp);
                return r;
        }
        if (cb->n_certs != 1) {
                if (cb->n_certs == 0)
                        return findings_move(f, &tmp) < 0 ? -ENOMEM : -EINVAL;
                return findings_add(f, FINDING_CERT_INVALID, SEVERITY_ERROR, ca->cert_path, -1,
                                    NULL,
                                    "keep the CA certificate alone in ca.crt, as 'certconfd ca "
                                    "init' wrote it",
                                    "%s holds %zu certificates, not the CA certificate alone",
                                    ca->cert_path, cb->n_certs) < 0
                               ? -ENOMEM
                               : -EINVAL;
        }
        findings_clear(&tmp);
        ca->cert = cb->certs[0];
        if (X509_up_ref(ca->cert) <= 0) {
                ca->cert = NULL;
                return -ENOMEM;
        }

        ku = X509_get_key_usage(ca->cert);
        if (!(X509_get_extension_flags(ca->cert) & EXFLAG_CA) ||
            (ku != UINT32_MAX && !(ku & KU_KEY_CERT_SIGN))) {
                _cleanup_(freep) char *subject = x509_subject_string(ca->cert);

                if (findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR, ca->cert_path, 0,
                                 subject,
                                 "give the directory 'certconfd ca init DIR' made, whose ca.crt "
                                 "is a root CA",
                                 "%s is not a CA certificate (it needs basicConstraints CA:TRUE "
                                 "and keyUsage keyCertSign)",
                                 ca->cert_path) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        if (!with_key) {
                *ret = TAKE_PTR(ca);
                return 0;
        }
        r = read_bundle(ca->key_path, dir, BUNDLE_EXPECT_KEY, &kb, &tmp);
        if (r < 0) {
                (void) findings_move(f, &tmp);
                return r;
        }
        if (kb->n_keys != 1 || kb->n_certs > 0) {
                if (findings_has_errors(&tmp))
                        return findings_move(f, &tmp) < 0 ? -ENOMEM : -EINVAL;
                return findings_add(f, FINDING_KEY_INVALID, SEVERITY_ERROR, ca->key_path, -1, NULL,
                                    "keep the CA's private key alone in ca.key, unencrypted, as "
                                    "'certconfd ca init' wrote it",
                                    "%s should hold the CA's private key alone", ca->key_path) < 0
                               ? -ENOMEM
                               : -EINVAL;
        }
        findings_clear(&tmp);
        ca->key = kb->keys[0];
        if (EVP_PKEY_up_ref(ca->key) <= 0) {
                ca->key = NULL;
                return -ENOMEM;
        }

        if (EVP_PKEY_eq(X509_get0_pubkey(ca->cert), ca->key) != 1) {
                _cleanup_(freep) char *subject = x509_subject_string(ca->cert);

                if (findings_add(f, FINDING_KEY_MISMATCH, SEVERITY_ERROR, ca->key_path, 0, subject,
                                 "put back the ca.key made together with this ca.crt (from a "
                                 "backup), or make a new CA with 'certconfd ca init DIR --force' "
                                 "and issue its certificates again",
                                 "the CA key %s does not match the CA certificate %s", ca->key_path,
                                 ca->cert_path) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        *ret = TAKE_PTR(ca);
        return 0;
}

int ca_load(const char *dir, bool with_key, Ca **ret, Findings *f) {
        int r;

        ERR_set_mark();
        r = load(dir, with_key, ret, f);
        ERR_pop_to_mark();
        return r;
}

/* ---- issuing -------------------------------------------------------------------------- */

/* Sets x's validity: now - 5 minutes (not before the CA's notBefore) to
 * now + days (not after the CA's notAfter, with a warning). */
static int set_validity(const Ca *ca, X509 *x, time_t now, unsigned days, const char *name,
                        Findings *f) {
        time_t ca_nb, ca_na, nb, na;
        char when[32];

        if (days == 0 || days > CA_MAX_DAYS)
                return -EINVAL;
        if (time_from_asn1(X509_get0_notBefore(ca->cert), &ca_nb) < 0 ||
            time_from_asn1(X509_get0_notAfter(ca->cert), &ca_na) < 0)
                return findings_add(f, FINDING_CERT_INVALID, SEVERITY_ERROR, ca->cert_path, 0, NULL,
                                    "make a new CA with 'certconfd ca init DIR --force'",
                                    "the validity dates of the CA certificate %s cannot be read",
                                    ca->cert_path) < 0
                               ? -ENOMEM
                               : -EINVAL;
        if (now >= ca_na) {
                if (findings_add(f, FINDING_CERT_EXPIRING, SEVERITY_ERROR, ca->cert_path, 0, NULL,
                                 "make a new CA with 'certconfd ca init DIR --force', give its "
                                 "ca.pem to the clients and issue the certificates again",
                                 "the CA certificate %s expired on %s", ca->cert_path,
                                 time_format_rfc3339(ca_na, when, sizeof when)) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        if (now < ca_nb) {
                if (findings_add(f, FINDING_CERT_NOT_YET_VALID, SEVERITY_ERROR, ca->cert_path, 0,
                                 NULL, "check this machine's clock",
                                 "the CA certificate %s is not valid before %s", ca->cert_path,
                                 time_format_rfc3339(ca_nb, when, sizeof when)) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        nb = now - X509BUILD_BACKDATE_S;
        if (nb < ca_nb)
                nb = ca_nb;
        na = now + (time_t) days * 86400;
        if (na > ca_na) {
                na = ca_na;
                if (findings_add(f, FINDING_CERT_EXPIRING, SEVERITY_WARNING, name, -1, NULL,
                                 "renew the CA in time: make a new one and issue its "
                                 "certificates again",
                                 "valid until %s only, %u days asked for: the CA certificate %s "
                                 "expires then",
                                 time_format_rfc3339(ca_na, when, sizeof when), days,
                                 ca->cert_path) < 0)
                        return -ENOMEM;
        }
        return x509build_set_validity(x, nb, na);
}

/* The CA's key identifier: its subjectKeyIdentifier, else computed. */
static int ca_key_id(const Ca *ca, ASN1_OCTET_STRING **ret) {
        const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ca->cert);

        if (ski) {
                *ret = ASN1_OCTET_STRING_dup(ski);
                return *ret ? 0 : -ENOMEM;
        }
        return x509build_key_id(ca->cert, ret);
}

/* The request's subjectAltNames as text, checked: *ret gets the usable ones. */
static int requested_names(X509_REQ *req, const char *req_name, char ***ret, Findings *f) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
        _cleanup_(strv_freep) char **l = NULL;
        int r;

        r = csr_requested_san(req, &gens);
        if (r == -EBADMSG)
                return findings_add(f, FINDING_CERT_INVALID, SEVERITY_ERROR, req_name, -1, NULL,
                                    "make the request again ('certconfd csr', or 'openssl req "
                                    "-new' with -addext subjectAltName=...)",
                                    "the extensions requested by %s do not decode", req_name) < 0
                               ? -ENOMEM
                               : -EINVAL;
        if (r < 0)
                return r;
        for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
                GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
                int type;
                void *v = GENERAL_NAME_get0_value(gn, &type);

                if (type == GEN_DNS) {
                        ASN1_IA5STRING *s = v;
                        const char *d = (const char *) ASN1_STRING_get0_data(s);
                        size_t len = (size_t) ASN1_STRING_length(s);
                        _cleanup_(freep) char *text = strndup(d, len);

                        if (!text)
                                return -ENOMEM;
                        if (strlen(text) != len ||
                            (!names_is_hostname(text) &&
                             names_classify_wildcard(text) != NAMES_WILDCARD_OK)) {
                                _cleanup_(freep) char *p = findings_printable(d, len);

                                if (!p || findings_add(f, FINDING_NAME_INVALID, SEVERITY_ERROR,
                                                       req_name, -1, NULL,
                                                       "make the request again with host names "
                                                       "(letters, digits, hyphens, dots) and "
                                                       "addresses only",
                                                       "%s requests the name '%s', which is "
                                                       "neither a host name nor an address",
                                                       req_name, p) < 0)
                                        return -ENOMEM;
                                continue;
                        }
                        r = strv_extend(&l, text);
                } else if (type == GEN_IPADD) {
                        ASN1_OCTET_STRING *s = v;
                        int len = ASN1_STRING_length(s);
                        char text[INET6_ADDRSTRLEN];

                        if ((len != 4 && len != 16) ||
                            !inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s),
                                       text, sizeof text)) {
                                r = findings_add(
                                        f, FINDING_NAME_INVALID, SEVERITY_ERROR, req_name, -1, NULL,
                                        "make the request again with IPv4 or IPv6 "
                                        "addresses",
                                        "%s requests an IP address of %d bytes", req_name, len);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        r = strv_extend(&l, text);
                } else
                        r = findings_add(f, FINDING_NAME_INVALID, SEVERITY_WARNING, req_name, -1,
                                         NULL,
                                         "nothing to do for a server certificate; a client "
                                         "certificate for a person is not made here",
                                         "%s requests a subjectAltName of another type than DNS "
                                         "or IP (an e-mail address, a URI, ...): left out",
                                         req_name);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* The last CN of a name as UTF-8, or NULL. */
static int name_cn(const X509_NAME *n, char **ret) {
        int i = -1, last = -1;
        unsigned char *utf8 = NULL;
        int len;
        char *s;

        while ((i = X509_NAME_get_index_by_NID(n, NID_commonName, i)) >= 0)
                last = i;
        if (last < 0) {
                *ret = NULL;
                return 0;
        }
        len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, last)));
        if (len < 0) {
                *ret = NULL;
                return 0;
        }
        s = strndup((const char *) utf8, (size_t) len);
        OPENSSL_free(utf8);
        if (!s)
                return -ENOMEM;
        if (strlen(s) != (size_t) len) { /* a NUL inside: not usable */
                free(s);
                s = NULL;
        }
        *ret = s;
        return 0;
}

/* n without its CNs, then CN cn. */
static int subject_with_cn(const X509_NAME *n, const char *cn, X509_NAME **ret) {
        _cleanup_(X509_NAME_freep) X509_NAME *out = X509_NAME_new();

        if (!out)
                return -ENOMEM;
        for (int i = 0; i < X509_NAME_entry_count(n); i++) {
                const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);

                if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == NID_commonName)
                        continue;
                if (X509_NAME_add_entry(out, e, -1, 0) <= 0)
                        return -ENOMEM;
        }
        if (X509_NAME_add_entry_by_NID(out, NID_commonName, MBSTRING_UTF8,
                                       (const unsigned char *) cn, -1, -1, 0) <= 0)
                return -EINVAL;
        *ret = TAKE_PTR(out);
        return 0;
}

/* Whether host (no trailing dot) lies two or more labels below domain. */
static bool deeper_than_one_label(const char *host, size_t host_len, const char *domain) {
        size_t dl = strlen(domain);

        if (host_len <= dl + 1 || host[host_len - dl - 1] != '.' ||
            strncasecmp(host + host_len - dl, domain, dl) != 0)
                return false;
        return memchr(host, '.', host_len - dl - 1) != NULL;
}

static int sign(const Ca *ca, X509_REQ *req, const char *req_name, const CaSignSpec *s, X509 **ret,
                Findings *f) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(X509_NAME_freep) X509_NAME *subject = NULL;
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *keyid = NULL;
        _cleanup_(strv_freep) char **all = NULL;
        _cleanup_(freep) X509BuildName *names = NULL;
        _cleanup_(freep) char *domain = NULL, *pattern = NULL, *cn = NULL;
        size_t n = 0, errors_before = findings_count(f, SEVERITY_ERROR);
        bool wildcard_ok = false;
        EVP_PKEY *pub;
        int r;

        if (!ca || !ca->key || !req || !s || !ret || !f)
                return -EINVAL;
        if (!req_name)
                req_name = "(request)";

        r = csr_check_signature(req, req_name, f);
        if (r == -EBADMSG)
                return -EINVAL;
        if (r < 0)
                return r;
        pub = X509_REQ_get0_pubkey(req);
        if (EVP_PKEY_is_a(pub, "RSA") && EVP_PKEY_get_bits(pub) < 2048) {
                if (findings_add(f, FINDING_WEAK_KEY, SEVERITY_ERROR, req_name, -1, NULL,
                                 "make a new request with a key of 2048 bits or more "
                                 "('certconfd csr --key-type rsa:3072')",
                                 "%s is for an RSA key of %d bits: the agent refuses keys under "
                                 "2048 bits",
                                 req_name, EVP_PKEY_get_bits(pub)) < 0)
                        return -ENOMEM;
        }

        r = requested_names(req, req_name, &all, f);
        if (r < 0)
                return r;

        for (char **i = s->names; i && *i; i++) {
                X509BuildName t;

                if (x509build_name_parse(*i, false, &t) < 0) {
                        if (findings_add(f, FINDING_NAME_INVALID, SEVERITY_ERROR, NULL, -1, NULL,
                                         strchr(*i, '*') ? "for a wildcard give --wildcard DOMAIN"
                                                         : "give a host name (letters, digits, "
                                                           "hyphens, dots) or an IPv4/IPv6 "
                                                           "address",
                                         "--name '%s' is neither a host name nor an address",
                                         *i) < 0)
                                return -ENOMEM;
                        continue;
                }
                r = strv_extend(&all, *i);
                if (r < 0)
                        return r;
        }

        if (s->wildcard) {
                const char *w = s->wildcard;
                size_t len;

                if (strncmp(w, "*.", 2) == 0)
                        w += 2;
                len = strlen(w);
                if (len > 0 && w[len - 1] == '.')
                        len--;
                domain = strndup(w, len);
                if (!domain)
                        return -ENOMEM;
                if (asprintf(&pattern, "*.%s", domain) < 0) {
                        pattern = NULL;
                        return -ENOMEM;
                }
                if (!names_is_hostname(domain) ||
                    names_classify_wildcard(pattern) != NAMES_WILDCARD_OK) {
                        bool pub_suffix =
                                names_is_hostname(domain) &&
                                (names_is_public_suffix(domain) || names_is_private_suffix(domain));

                        if (findings_add(f, FINDING_NAME_INVALID, SEVERITY_ERROR, NULL, -1, NULL,
                                         pub_suffix ? "give your own domain: a wildcard directly "
                                                      "under a public suffix covers other "
                                                      "people's names and clients refuse it"
                                                    : "give the domain the wildcard is for, e.g. "
                                                      "--wildcard mx.corp.net for *.mx.corp.net",
                                         "--wildcard '%s' is not a domain a wildcard can be "
                                         "issued for",
                                         s->wildcard) < 0)
                                return -ENOMEM;
                } else {
                        wildcard_ok = true;
                        r = strv_extend(&all, pattern);
                        if (r < 0)
                                return r;
                }
        }

        /* The request's CN is a name of the certificate when it is a host
         * name or an address; the certificate's CN is the wildcard, else
         * the request's, else the first name. */
        {
                X509BuildName t;

                r = name_cn(X509_REQ_get_subject_name(req), &cn);
                if (r < 0)
                        return r;
                if (cn && x509build_name_parse(cn, true, &t) >= 0) {
                        r = strv_extend(&all, cn);
                        if (r < 0)
                                return r;
                }
        }
        if (wildcard_ok) {
                free(cn);
                cn = strdup(pattern);
                if (!cn)
                        return -ENOMEM;
        }

        if (findings_count(f, SEVERITY_ERROR) > errors_before)
                return -EINVAL;

        r = x509build_names_parse(all, true, &names, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return findings_add(f, FINDING_SAN_MISSING, SEVERITY_ERROR, req_name, -1, NULL,
                                    "give --name HOST|IP for each name clients use, or "
                                    "--wildcard DOMAIN",
                                    "nothing to name: %s requests no host names or addresses and "
                                    "none was given",
                                    req_name) < 0
                               ? -ENOMEM
                               : -EINVAL;
        if (!cn) {
                r = x509build_pick_cn(names, n, NULL, &cn);
                if (r < 0)
                        return r;
        }

        /* A wildcard covers one label (RFC 6125 6.4.3): say which names it
         * does not cover; they are issued as names of their own. */
        for (size_t i = 0; wildcard_ok && i < n; i++) {
                if (names[i].ip || names[i].wildcard ||
                    !deeper_than_one_label(names[i].text, names[i].len, domain))
                        continue;
                if (findings_add(f, FINDING_SAN_NOT_COVERED, SEVERITY_WARNING, NULL, -1, NULL,
                                 "it was added as its own subjectAltName; for many hosts of that "
                                 "sub-domain, issue a wildcard for it (--wildcard with the "
                                 "sub-domain)",
                                 "'%.*s' is two or more labels below %s: the wildcard %s covers "
                                 "one label only",
                                 (int) names[i].len, names[i].text, domain, pattern) < 0)
                        return -ENOMEM;
        }

        r = subject_with_cn(X509_REQ_get_subject_name(req), cn, &subject);
        if (r < 0)
                return r;
        r = ca_key_id(ca, &keyid);
        if (r < 0)
                return r;

        x = X509_new();
        if (!x)
                return -ENOMEM;
        if (X509_set_version(x, X509_VERSION_3) <= 0)
                return -ENOMEM;
        r = x509build_set_serial(x);
        if (r < 0)
                return r;
        r = set_validity(ca, x, s->now, s->days, req_name, f);
        if (r < 0)
                return r;
        if (X509_set_subject_name(x, subject) <= 0 ||
            X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) <= 0 ||
            X509_set_pubkey(x, pub) <= 0)
                return -ENOMEM;
        r = x509build_add_server_extensions(x, names, n, s->client, keyid);
        if (r < 0)
                return r;
        if (X509_sign(x, ca->key, EVP_sha256()) <= 0)
                return -EIO;
        *ret = TAKE_PTR(x);
        return 0;
}

int ca_sign(const Ca *ca, X509_REQ *req, const char *req_name, const CaSignSpec *s, X509 **ret,
            Findings *f) {
        int r;

        ERR_set_mark();
        r = sign(ca, req, req_name, s, ret, f);
        ERR_pop_to_mark();
        return r;
}

static int renew(const Ca *ca, X509 *cert, const char *cert_name, unsigned days, time_t now,
                 X509 **ret, Findings *f) {
        _cleanup_(X509_freep) X509 *x = NULL;
        int r;

        if (!ca || !ca->key || !cert || !ret || !f)
                return -EINVAL;
        if (!cert_name)
                cert_name = "(certificate)";

        if (X509_cmp(cert, ca->cert) == 0 || X509_check_issued(ca->cert, cert) != X509_V_OK ||
            X509_verify(cert, X509_get0_pubkey(ca->cert)) != 1) {
                _cleanup_(freep) char *subject = x509_subject_string(cert),
                                      *issuer = x509_issuer_string(cert),
                                      *ca_subject = x509_subject_string(ca->cert);

                if (!subject || !issuer || !ca_subject)
                        return -ENOMEM;
                if (findings_add(f, FINDING_CHAIN_UNRELATED, SEVERITY_ERROR, cert_name, 0, subject,
                                 X509_cmp(cert, ca->cert) == 0
                                         ? "give a certificate this CA issued, not the CA's own"
                                         : "renew it with the CA that issued it, or sign a new "
                                           "request with this CA ('certconfd ca sign')",
                                 X509_cmp(cert, ca->cert) == 0
                                         ? "%s is the CA certificate itself (%s), not one it "
                                           "issued"
                                         : "%s was not issued by the CA '%s' of %s (its issuer "
                                           "is '%s')",
                                 cert_name, ca_subject, ca->cert_path, issuer) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        x = X509_new();
        if (!x)
                return -ENOMEM;
        if (X509_set_version(x, X509_VERSION_3) <= 0)
                return -ENOMEM;
        r = x509build_set_serial(x);
        if (r < 0)
                return r;
        r = set_validity(ca, x, now, days, cert_name, f);
        if (r < 0)
                return r;
        if (X509_set_subject_name(x, X509_get_subject_name(cert)) <= 0 ||
            X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) <= 0 ||
            X509_set_pubkey(x, X509_get0_pubkey(cert)) <= 0)
                return -ENOMEM;
        for (int i = 0; i < X509_get_ext_count(cert); i++)
                if (X509_add_ext(x, X509_get_ext(cert, i), -1) <= 0)
                        return -ENOMEM;
        if (X509_sign(x, ca->key, EVP_sha256()) <= 0)
                return -EIO;
        *ret = TAKE_PTR(x);
        return 0;
}

int ca_renew(const Ca *ca, X509 *cert, const char *cert_name, unsigned days, time_t now, X509 **ret,
             Findings *f) {
        int r;

        ERR_set_mark();
        r = renew(ca, cert, cert_name, days, now, ret, f);
        ERR_pop_to_mark();
        return r;
}

int ca_export(const Ca *ca, bool der, char **ret, size_t *ret_len) {
        unsigned char *buf = NULL;
        int len;
        char *p;

        if (!ca || !ca->cert || !ret || !ret_len)
                return -EINVAL;
        if (!der)
                return x509build_cert_pem(ca->cert, ret, ret_len);
        len = i2d_X509(ca->cert, &buf);
        if (len <= 0)
                return -EIO;
        p = malloc((size_t) len);
        if (!p) {
                OPENSSL_free(buf);
                return -ENOMEM;
        }
        memcpy(p, buf, (size_t) len);
        OPENSSL_free(buf);
        *ret = p;
        *ret_len = (size_t) len;
        return 0;
}

int ca_chain_pem(const Ca *ca, X509 *leaf, char **ret, size_t *ret_len) {
        _cleanup_(freep) char *a = NULL, *b = NULL;
        size_t al = 0, bl = 0;
        char *p;
        int r;

        if (!ca || !leaf || !ret || !ret_len)
                return -EINVAL;
        r = x509build_cert_pem(leaf, &a, &al);
        if (r < 0)
                return r;
        r = x509build_cert_pem(ca->cert, &b, &bl);
        if (r < 0)
                return r;
        p = malloc(al + bl + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p, a, al);
        memcpy(p + al, b, bl);
        p[al + bl] = '\0';
        *ret = p;
        *ret_len = al + bl;
        return 0;
}
