/* ca: the toolkit's private CA. Certificates are made of the pieces in
 * x509build.c; names are judged with names.c as the agent's checks judge
 * them. */

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/err.h>

#include "bundle.h"
#include "ca.h"
#include "csr.h"
#include "fileio.h"
#include "names.h"
#include "policy.h"
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

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Removes the escapes of s in place: a backslash and two hex digits is that
 * byte (RFC 4514 "\2C"), a backslash and another character is that
 * character. -EINVAL for "\00". */
static int unescape(char *s) {
        char *w = s;

        for (char *p = s; *p; p++) {
                if (*p == '\\' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
                        int b = hex_value(p[1]) * 16 + hex_value(p[2]);

                        if (b == 0)
                                return -EINVAL;
                        *w++ = (char) b;
                        p += 2;
                        continue;
                }
                if (*p == '\\' && p[1])
                        p++;
                *w++ = *p;
        }
        *w = '\0';
        return 0;
}

/* Characters of UTF-8 text (its bytes that do not continue a character). */
static size_t utf8_chars(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        n++;
        return n;
}

/* An attribute name as OpenSSL knows it (C, CN, emailAddress, commonName,
 * 2.5.4.3), letter case aside ("cn", "EMAILADDRESS"). */
static int attribute_nid(const char *key) {
        static const int nids[] = {
                NID_countryName,
                NID_stateOrProvinceName,
                NID_localityName,
                NID_organizationName,
                NID_organizationalUnitName,
                NID_commonName,
                NID_pkcs9_emailAddress,
                NID_domainComponent,
                NID_serialNumber,
                NID_streetAddress,
                NID_title,
                NID_surname,
                NID_givenName,
                NID_initials,
                NID_userId,
                NID_postalCode,
                NID_businessCategory,
                NID_dnQualifier,
                NID_pseudonym,
                NID_generationQualifier,
        };
        int nid;

        if (!*key)
                return NID_undef;
        nid = OBJ_txt2nid(key);
        if (nid != NID_undef)
                return nid;
        for (size_t i = 0; i < ELEMENTSOF(nids); i++)
                if (strcasecmp(key, OBJ_nid2sn(nids[i])) == 0 ||
                    strcasecmp(key, OBJ_nid2ln(nids[i])) == 0)
                        return nids[i];
        return NID_undef;
}

/* Adds key=value (escapes still in value) to name: a new RDN, or with
 * same_rdn to the previous one (a multi-valued RDN, "O=a+OU=b"). */
static int subject_add_ava(X509_NAME *name, char *ava, bool same_rdn, bool *has_cn,
                           char **ret_error) {
        char *eq, *key, *value;
        const ASN1_STRING_TABLE *t;
        int nid, r;

        eq = strchr(ava, '=');
        if (!eq)
                return subject_error(ret_error,
                                     "'%s' is not ATTRIBUTE=VALUE (write \\/, \\, or \\+ for a "
                                     "'/', ',' or '+' inside a value)",
                                     trim(ava));
        *eq = '\0';
        key = trim(ava);
        value = trim(eq + 1);
        nid = attribute_nid(key);
        if (nid == NID_undef)
                return subject_error(ret_error,
                                     "'%s' is not an attribute OpenSSL knows (C, ST, L, O, "
                                     "OU, CN, emailAddress, DC, ...)",
                                     key);
        if (unescape(value) < 0)
                return subject_error(ret_error, "%s: a value cannot hold \\00", key);
        if (!*value)
                return subject_error(ret_error, "%s has no value", key);
        t = ASN1_STRING_TABLE_get(nid);
        if (nid != NID_countryName && t && t->maxsize > 0 &&
            utf8_chars(value) > (size_t) t->maxsize)
                return subject_error(ret_error,
                                     "%s=%s is longer than %ld characters, the most a %s may have "
                                     "(RFC 5280)",
                                     key, value, t->maxsize, key);
        ERR_set_mark();
        r = X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, (const unsigned char *) value, -1,
                                       -1, same_rdn ? -1 : 0);
        ERR_pop_to_mark();
        if (r <= 0)
                return subject_error(
                        ret_error, "%s=%s is not a valid value for %s%s", key, value, key,
                        nid == NID_countryName ? " (a two-letter country code)" : " (UTF-8 text)");
        if (nid == NID_commonName)
                *has_cn = true;
        return 0;
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
                /* RFC 4514 lists the last RDN first. An unescaped '+' joins
                 * attributes into one RDN, in both forms (OpenSSL 3's -subj
                 * reads it so too). */
                _cleanup_(strv_freep) char **avas = NULL;

                r = split_escaped(parts[openssl_form ? k : n - 1 - k], '+', &avas);
                if (r < 0)
                        return r;
                for (size_t j = 0; avas[j]; j++) {
                        r = subject_add_ava(name, avas[j], j > 0, &has_cn, ret_error);
                        if (r < 0)
                                return r;
                }
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
        if (X509_sign(x, key, EVP_sha256()) /* rsa:3072 or ec:p256 */ <= 0)
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
        const char *hint;

        if (r == -ENOMEM)
                return r;
        switch (r) {
        case -ENOENT:
        case -ENOTDIR:
                hint = "is DIR the directory 'certconfd ca init DIR' made? Give that directory";
                break;
        case -ELOOP:
                hint = "put the file itself there, not a symbolic link: the CA's files are read "
                       "without following links";
                break;
        case -EISDIR:
        case -EBADFD:
                hint = "the CA's files are regular files, as 'certconfd ca init DIR' wrote them";
                break;
        default:
                hint = "run as a user that can read the CA's directory";
        }
        if (findings_add(f, FINDING_FILE_UNREADABLE, SEVERITY_ERROR, path, -1, NULL, hint,
                         "cannot read %s (the CA in %s): %s", path, dir,
                         r == -ELOOP    ? "it is a symbolic link"
                         : r == -EBADFD ? "not a regular file"
                                        : strerror(-r)) < 0)
                return -ENOMEM;
        return r;
}

/* Reads name in the CA's directory dfd (a symbolic link is refused) and
 * parses it; path names it in findings. */
static int read_bundle(int dfd, const char *name, const char *path, const char *dir,
                       unsigned expect, Bundle **ret, Findings *f) {
        char *data = NULL;
        size_t len = 0;
        int r;

        r = read_file_at(dfd, name, BUNDLE_MAX_BYTES, &data, &len);
        if (r < 0)
                return unreadable(f, path, r, dir);
        r = bundle_parse(path, data, len, expect, ret, f);
        erase_and_free(data, len);
        return r;
}

/* ca.key is the CA's own file: not a link, and open to its owner only. */
static int check_key_file(int dfd, const Ca *ca, const char *dir, Findings *f) {
        struct stat st;

        if (fstatat(dfd, CA_KEY_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return unreadable(f, ca->key_path, -errno, dir);
        if (S_ISLNK(st.st_mode))
                return unreadable(f, ca->key_path, -ELOOP, dir);
        if (!S_ISREG(st.st_mode))
                return unreadable(f, ca->key_path, S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD, dir);
        if (st.st_mode & 077) {
                if (findings_add(
                            f, FINDING_KEY_INVALID, SEVERITY_ERROR, ca->key_path, -1, NULL,
                            "close it with 'chmod 600 CA_DIR/ca.key' (and 'chmod 700 CA_DIR'); "
                            "if others could read it, make a new CA ('certconfd ca init DIR "
                            "--force') and issue its certificates again",
                            "the CA key %s is open to other users (mode %04o): it must be "
                            "readable by its owner only (0600)",
                            ca->key_path, (unsigned) (st.st_mode & 07777)) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        return 0;
}

/* The check's key rule applied to the CA's own key: its certificate goes
 * into every chain it issues. */
static int check_ca_key(const Ca *ca, Findings *f) {
        PolicyKeyVerdict v;
        _cleanup_(freep) char *subject = NULL;

        if (policy_key_verdict(X509_get0_pubkey(ca->cert), PROFILE_DEFAULT, false, &v) <= 0)
                return 0;
        subject = x509_subject_string(ca->cert);
        if (findings_add(f, FINDING_WEAK_KEY, v.severity, ca->cert_path, 0, subject,
                         v.severity == SEVERITY_ERROR
                                 ? "make a new CA with 'certconfd ca init DIR --force' (rsa:3072 "
                                   "or ec:p256) and issue its certificates again"
                                 : "for a CA every client accepts, make a new one with "
                                   "'certconfd ca init DIR --force' (rsa:3072 or ec:p256)",
                         "the CA certificate %s: %s%s", ca->cert_path, v.message,
                         v.severity == SEVERITY_ERROR
                                 ? "; the agent would refuse every chain this CA issues"
                                 : "") < 0)
                return -ENOMEM;
        return v.severity == SEVERITY_ERROR ? -EINVAL : 0;
}

static int load(const char *dir, bool with_key, Ca **ret, Findings *f) {
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(bundle_freep) Bundle *cb = NULL, *kb = NULL;
        _cleanup_(findings_clear) Findings tmp = {};
        _cleanup_(closep) int dfd = -1;
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

        /* DIR as the operator names it (a link to it is fine); its files
         * relative to it, never through a link. */
        dfd = open_directory(dir);
        if (dfd < 0)
                return unreadable(f, dfd == -ENOENT ? ca->cert_path : dir, dfd, dir);

        r = read_bundle(dfd, CA_CERT_FILE, ca->cert_path, dir, BUNDLE_EXPECT_CERTS, &cb, &tmp);
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
        r = check_ca_key(ca, f);
        if (r < 0)
                return r;
        r = check_key_file(dfd, ca, dir, f);
        if (r < 0)
                return r;
        r = read_bundle(dfd, CA_KEY_FILE, ca->key_path, dir, BUNDLE_EXPECT_KEY, &kb, &tmp);
        if (r < 0) {
                (void) findings_move(f, &tmp);
                return r;
        }
        if (findings_has_code(&tmp, FINDING_KEY_ENCRYPTED))
                return findings_add(f, FINDING_KEY_ENCRYPTED, SEVERITY_ERROR, ca->key_path, -1,
                                    NULL,
                                    "decrypt it in its directory: (umask 077; openssl pkey -in "
                                    "ca.key -out ca.key.plain) && mv ca.key.plain ca.key",
                                    "the CA key %s is encrypted: ca.key must be unencrypted "
                                    "(certconfd never asks for a password; DIR 0700 and ca.key "
                                    "0600 protect it)",
                                    ca->key_path) < 0
                               ? -ENOMEM
                               : -EINVAL;
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

/* The digest to sign with: none for the keys that hash by themselves
 * (Ed25519, Ed448: X509_sign() refuses one), else SHA-256. */
static const EVP_MD *sign_digest(EVP_PKEY *key) {
        if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
                return NULL;
        return EVP_sha256();
}

/* The check's key rule (policy_key_verdict()) for the key a certificate is
 * issued for, named `name` in findings: what every profile refuses is an
 * error (or the default profile's warning), what only the strict profile
 * refuses a warning. */
static int judge_key(const EVP_PKEY *key, const char *name, const char *hint, Findings *f) {
        PolicyKeyVerdict v;
        bool strict_only = false;

        if (policy_key_verdict(key, PROFILE_DEFAULT, true, &v) == 0) {
                if (policy_key_verdict(key, PROFILE_STRICT, true, &v) == 0)
                        return 0;
                strict_only = true;
                v.severity = SEVERITY_WARNING;
        }
        if (findings_add(f, FINDING_WEAK_KEY, v.severity, name, -1, NULL,
                         v.severity == SEVERITY_ERROR ? hint
                         : v.hint                     ? v.hint
                                                      : hint,
                         "%s is for a key %s: %s", name,
                         strict_only                    ? "a check under the strict profile refuses"
                         : v.severity == SEVERITY_ERROR ? "the agent refuses"
                                                        : "the agent accepts with a warning",
                         v.message) < 0)
                return -ENOMEM;
        return 0;
}

/* Lowercases the ASCII letters of a DNS name and drops one trailing dot, in
 * place (an address is left as it is). */
static void name_normalize(char *s) {
        size_t len = strlen(s);
        unsigned char a[16];
        size_t alen;

        if (names_parse_ip(s, a, &alen))
                return;
        for (char *p = s; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        if (len > 1 && s[len - 1] == '.')
                s[len - 1] = '\0';
}

static int names_add(char ***l, const char *s) {
        size_t n;
        int r;

        r = strv_extend(l, s);
        if (r < 0)
                return r;
        n = strv_length(*l);
        name_normalize((*l)[n - 1]);
        return 0;
}

/* The DNS and IP names of gens as text (normalized) onto *l; each other one
 * a finding naming `name`. from_request: gens is what a request asks for,
 * else a certificate's subjectAltName. */
static int names_from_gens(const GENERAL_NAMES *gens, const char *name, bool from_request,
                           char ***l, Findings *f) {
        const char *remake = from_request
                                     ? "make the request again with host names (letters, digits, "
                                       "hyphens, dots) and addresses only"
                                     : "sign a new request for the names clients use "
                                       "('certconfd ca sign')";
        const char *has = from_request ? "requests" : "has the subjectAltName";
        int r;

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
                                                       name, -1, NULL, remake,
                                                       "%s %s the name '%s', which is neither a "
                                                       "host name nor an address",
                                                       name, has, p) < 0)
                                        return -ENOMEM;
                                continue;
                        }
                        r = names_add(l, text);
                } else if (type == GEN_IPADD) {
                        ASN1_OCTET_STRING *s = v;
                        int len = ASN1_STRING_length(s);
                        char text[INET6_ADDRSTRLEN];

                        if ((len != 4 && len != 16) ||
                            !inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s),
                                       text, sizeof text)) {
                                r = findings_add(f, FINDING_NAME_INVALID, SEVERITY_ERROR, name, -1,
                                                 NULL, remake, "%s %s an IP address of %d bytes",
                                                 name, has, len);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        r = names_add(l, text);
                } else
                        r = findings_add(f, FINDING_NAME_INVALID, SEVERITY_WARNING, name, -1, NULL,
                                         "nothing to do for a server certificate; a client "
                                         "certificate for a person is not made here",
                                         "%s %s of another type than DNS or IP (an e-mail "
                                         "address, a URI, ...): left out",
                                         name, from_request ? "requests a subjectAltName" : has);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The request's subjectAltNames as text, checked: onto *l the usable ones. */
static int requested_names(X509_REQ *req, const char *req_name, char ***l, Findings *f) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
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
        return names_from_gens(gens, req_name, true, l, f);
}

static void extensions_freep(STACK_OF(X509_EXTENSION) * *p) {
        if (*p) {
                sk_X509_EXTENSION_pop_free(*p, X509_EXTENSION_free);
                *p = NULL;
        }
}

/* A request that asks for a CA certificate (basicConstraints CA:TRUE or
 * keyUsage keyCertSign) gets a server certificate: a warning says so. */
static int requested_ca(X509_REQ *req, const char *req_name, Findings *f) {
        _cleanup_(extensions_freep) STACK_OF(X509_EXTENSION) *exts = NULL;
        BASIC_CONSTRAINTS *bc;
        ASN1_BIT_STRING *ku;
        bool ca = false;

        ERR_set_mark();
        exts = X509_REQ_get_extensions(req);
        bc = exts ? X509V3_get_d2i(exts, NID_basic_constraints, NULL, NULL) : NULL;
        ku = exts ? X509V3_get_d2i(exts, NID_key_usage, NULL, NULL) : NULL;
        ERR_pop_to_mark();
        if (bc && bc->ca)
                ca = true;
        if (ku && ASN1_BIT_STRING_get_bit(ku, 5)) /* keyCertSign */
                ca = true;
        BASIC_CONSTRAINTS_free(bc);
        ASN1_BIT_STRING_free(ku);
        if (!ca)
                return 0;
        return findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_WARNING, req_name, -1, NULL,
                            "nothing to do for a server; 'ca sign' issues no sub-CAs (make one "
                            "with openssl if you need it)",
                            "%s asks for a CA certificate (basicConstraints CA:TRUE or keyUsage "
                            "keyCertSign): issued as a server certificate (CA:FALSE, "
                            "digitalSignature)",
                            req_name);
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

/* Whether a request's CN is meant as a name: it has a '*', or it is letters,
 * digits, '-', '_', '.' and ':' with a '.' or a ':' ("rem.corp.net",
 * "exa_mple.com", "*.com"; not "My Server"). */
static bool looks_like_name(const char *s) {
        if (strchr(s, '*'))
                return true;
        if (!strpbrk(s, ".:"))
                return false;
        for (const char *p = s; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("-_.:", *p))
                        return false;
        return true;
}

static bool cn_fits(const char *s) {
        return utf8_chars(s) <= X509BUILD_CN_MAX;
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
static bool deeper_than_one_label(const char *host, size_t host_len, const char *domain,
                                  size_t dl) {
        if (host_len <= dl + 1 || host[host_len - dl - 1] != '.' ||
            strncasecmp(host + host_len - dl, domain, dl) != 0)
                return false;
        return memchr(host, '.', host_len - dl - 1) != NULL;
}

/* A wildcard covers one label (RFC 6125 6.4.3): each host name two or more
 * labels below a wildcard's domain is reported once; it is a name of its
 * own. */
static int report_uncovered(const X509BuildName *names, size_t n, const char *file, Findings *f) {
        for (size_t i = 0; i < n; i++) {
                if (names[i].ip || names[i].wildcard)
                        continue;
                for (size_t w = 0; w < n; w++) {
                        const char *domain = names[w].text + 2;
                        size_t dl = names[w].len - 2;

                        if (!names[w].wildcard ||
                            !deeper_than_one_label(names[i].text, names[i].len, domain, dl))
                                continue;
                        if (findings_add(f, FINDING_SAN_NOT_COVERED, SEVERITY_WARNING, file, -1,
                                         NULL,
                                         "it is a subjectAltName of its own; for many hosts of "
                                         "that sub-domain, issue a wildcard for it (--wildcard "
                                         "with the sub-domain)",
                                         "'%.*s' is two or more labels below %.*s: the wildcard "
                                         "%.*s covers one label only",
                                         (int) names[i].len, names[i].text, (int) dl, domain,
                                         (int) names[w].len, names[w].text) < 0)
                                return -ENOMEM;
                        break;
                }
        }
        return 0;
}

/* The CN: want when it fits, else the first name that does (want, too long,
 * stays a subjectAltName; a warning says so). No name fits: NAME_INVALID. */
static int choose_cn(const char *want, const X509BuildName *names, size_t n, const char *file,
                     char **ret, Findings *f) {
        _cleanup_(freep) char *cn = NULL;
        int r;

        if (want && cn_fits(want)) {
                cn = strdup(want);
                if (!cn)
                        return -ENOMEM;
                *ret = TAKE_PTR(cn);
                return 0;
        }
        r = x509build_pick_cn(names, n, NULL, &cn);
        if (r == -EINVAL)
                return findings_add(f, FINDING_NAME_INVALID, SEVERITY_ERROR, file, -1, NULL,
                                    "add a --name of at most 64 characters (a host name or an "
                                    "address): it becomes the CN",
                                    "no name of the certificate fits in its subject CN, which "
                                    "holds at most %d characters",
                                    X509BUILD_CN_MAX) < 0
                               ? -ENOMEM
                               : -EINVAL;
        if (r < 0)
                return r;
        if (want &&
            findings_add(f, FINDING_SUBJECT_FIELDS, SEVERITY_WARNING, file, -1, NULL,
                         "nothing to do: clients match the subjectAltNames",
                         "the CN would be '%s', longer than %d characters, the most a "
                         "CN holds: the CN is '%s'%s",
                         want, X509BUILD_CN_MAX, cn,
                         looks_like_name(want) ? ", the long name a subjectAltName" : "") < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(cn);
        return 0;
}

#define SIGN_KEY_HINT                                                                              \
        "make a new request with a key of RSA 2048 or 3072 bits or EC P-256 ('certconfd csr "      \
        "--service NAME --key new --force --key-type rsa:3072')"
#define RENEW_KEY_HINT                                                                             \
        "make a new key and request ('certconfd csr --service NAME --key new --force') and sign "  \
        "it ('certconfd ca sign')"

/* A certificate of the CA for pub, subject base with CN cn, names. */
static int issue(const Ca *ca, EVP_PKEY *pub, const X509_NAME *base, const char *cn,
                 const X509BuildName *names, size_t n, bool client, time_t now, unsigned days,
                 const char *name, X509 **ret, Findings *f) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(X509_NAME_freep) X509_NAME *subject = NULL;
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *keyid = NULL;
        int r;

        if (cn) {
                r = subject_with_cn(base, cn, &subject);
                if (r == -EINVAL)
                        return findings_add(f, FINDING_NAME_INVALID, SEVERITY_ERROR, name, -1, NULL,
                                            "give a host name or an address with --name",
                                            "the CN '%s' cannot be written into the subject",
                                            cn) < 0
                                       ? -ENOMEM
                                       : -EINVAL;
                if (r < 0)
                        return r;
        }
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
        r = set_validity(ca, x, now, days, name, f);
        if (r < 0)
                return r;
        if (X509_set_subject_name(x, subject ? subject : base) <= 0 ||
            X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) <= 0 ||
            X509_set_pubkey(x, pub) <= 0)
                return -ENOMEM;
        r = x509build_add_server_extensions(x, names, n, client, keyid);
        if (r < 0)
                return r;
        if (X509_sign(x, ca->key, sign_digest(ca->key)) <= 0)
                return -EIO;
        *ret = TAKE_PTR(x);
        return 0;
}

static int sign(const Ca *ca, X509_REQ *req, const char *req_name, const CaSignSpec *s, X509 **ret,
                Findings *f) {
        _cleanup_(strv_freep) char **all = NULL;
        _cleanup_(freep) X509BuildName *names = NULL;
        _cleanup_(freep) char *domain = NULL, *pattern = NULL, *req_cn = NULL, *cn = NULL;
        const char *want = NULL;
        size_t n = 0, errors_before = findings_count(f, SEVERITY_ERROR);
        bool wildcard_ok = false;
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
        r = judge_key(X509_REQ_get0_pubkey(req), req_name, SIGN_KEY_HINT, f);
        if (r < 0)
                return r;
        r = requested_ca(req, req_name, f);
        if (r < 0)
                return r;

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
                r = names_add(&all, *i);
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
                name_normalize(domain);
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
                        r = names_add(&all, pattern);
                        if (r < 0)
                                return r;
                }
        }

        /* The request's CN: a name of the certificate when it is a host
         * name, a wildcard or an address; refused when it looks like a name
         * but is none ("*.com", "exa_mple.com"); kept as text otherwise
         * ("My Server"). The certificate's CN is the wildcard, else the
         * request's, else the first name, each when it fits in a CN. */
        r = name_cn(X509_REQ_get_subject_name(req), &req_cn);
        if (r < 0)
                return r;
        if (req_cn) {
                X509BuildName t;

                if (x509build_name_parse(req_cn, true, &t) >= 0) {
                        name_normalize(req_cn);
                        r = strv_extend(&all, req_cn);
                        if (r < 0)
                                return r;
                        want = req_cn;
                } else if (looks_like_name(req_cn)) {
                        _cleanup_(freep) char *p = findings_printable(req_cn, strlen(req_cn));

                        if (!p ||
                            findings_add(f, FINDING_NAME_INVALID, SEVERITY_ERROR, req_name, -1,
                                         NULL,
                                         "make the request again with a CN that is a host name "
                                         "(or a wildcard over a domain of your own), or without "
                                         "a CN",
                                         "%s asks for the CN '%s', which is neither a host name "
                                         "nor an address (nor a wildcard a certificate can have)",
                                         req_name, p) < 0)
                                return -ENOMEM;
                } else
                        want = req_cn;
        }
        if (wildcard_ok)
                want = pattern;

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
        r = choose_cn(want, names, n, req_name, &cn, f);
        if (r < 0)
                return r;
        r = report_uncovered(names, n, NULL, f);
        if (r < 0)
                return r;

        return issue(ca, X509_REQ_get0_pubkey(req), X509_REQ_get_subject_name(req), cn, names, n,
                     s->client, s->now, s->days, req_name, ret, f);
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
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
        _cleanup_(strv_freep) char **all = NULL;
        _cleanup_(freep) X509BuildName *names = NULL;
        _cleanup_(freep) char *subject = NULL;
        size_t n = 0, errors_before = findings_count(f, SEVERITY_ERROR);
        uint32_t flags, ku;
        bool client;
        int r;

        if (!ca || !ca->key || !cert || !ret || !f)
                return -EINVAL;
        if (!cert_name)
                cert_name = "(certificate)";
        subject = x509_subject_string(cert);
        if (!subject)
                return -ENOMEM;

        if (X509_cmp(cert, ca->cert) == 0 || X509_check_issued(ca->cert, cert) != X509_V_OK ||
            X509_verify(cert, X509_get0_pubkey(ca->cert)) != 1) {
                _cleanup_(freep) char *issuer = x509_issuer_string(cert),
                                      *ca_subject = x509_subject_string(ca->cert);

                if (!issuer || !ca_subject)
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

        /* A server certificate only: what the CA would issue today. */
        flags = X509_get_extension_flags(cert);
        if (flags & EXFLAG_INVALID)
                return findings_add(f, FINDING_CERT_INVALID, SEVERITY_ERROR, cert_name, 0, subject,
                                    "sign a new request for it ('certconfd ca sign')",
                                    "%s has extensions OpenSSL cannot use (they do not decode, or "
                                    "one is repeated): not renewed",
                                    cert_name) < 0
                               ? -ENOMEM
                               : -EINVAL;
        ku = X509_get_key_usage(cert);
        if ((flags & EXFLAG_CA) || (ku != UINT32_MAX && (ku & KU_KEY_CERT_SIGN)))
                return findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR, cert_name, 0,
                                    subject,
                                    "'ca renew' renews server certificates; a sub-CA is not made "
                                    "here",
                                    "%s is a CA certificate (basicConstraints CA:TRUE or keyUsage "
                                    "keyCertSign): not renewed",
                                    cert_name) < 0
                               ? -ENOMEM
                               : -EINVAL;
        r = judge_key(X509_get0_pubkey(cert), cert_name, RENEW_KEY_HINT, f);
        if (r < 0)
                return r;

        /* Its names, in their order; without a subjectAltName, its CN when
         * that is a name. */
        gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
        if (gens) {
                r = names_from_gens(gens, cert_name, false, &all, f);
                if (r < 0)
                        return r;
        } else {
                _cleanup_(freep) char *cn = NULL;
                X509BuildName t;

                r = name_cn(X509_get_subject_name(cert), &cn);
                if (r < 0)
                        return r;
                if (cn && x509build_name_parse(cn, true, &t) >= 0) {
                        r = names_add(&all, cn);
                        if (r < 0)
                                return r;
                }
        }
        if (findings_count(f, SEVERITY_ERROR) > errors_before)
                return -EINVAL;
        r = x509build_names_parse(all, true, &names, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return findings_add(f, FINDING_SAN_MISSING, SEVERITY_ERROR, cert_name, 0, subject,
                                    "sign a new request for the names clients use ('certconfd ca "
                                    "sign ... --name HOST|IP')",
                                    "%s names no host name or address: nothing to renew it for",
                                    cert_name) < 0
                               ? -ENOMEM
                               : -EINVAL;
        r = report_uncovered(names, n, cert_name, f);
        if (r < 0)
                return r;

        /* The server extensions again, clientAuth kept. */
        client = (flags & EXFLAG_XKUSAGE) && (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT);
        return issue(ca, X509_get0_pubkey(cert), X509_get_subject_name(cert), NULL, names, n,
                     client, now, days, cert_name, ret, f);
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
