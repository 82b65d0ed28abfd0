#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "names.h"
#include "policy.h"
#include "timeutil.h"

DEFINE_PTR_CLEANUP(NAME_CONSTRAINTS, NAME_CONSTRAINTS_free)

typedef struct Ctx {
        const PolicyInput *in;
        Findings *f;
} Ctx;

static int add(Ctx *c, FindingCode code, Severity sev, X509 *x, const char *hint, const char *fmt,
               ...) _printf_(6, 7);

static int add(Ctx *c, FindingCode code, Severity sev, X509 *x, const char *hint, const char *fmt,
               ...) {
        _cleanup_(freep) char *subject = NULL, *msg = NULL;
        int idx = -1, r;
        va_list ap;

        if (x) {
                idx = chain_bundle_index(c->in->bundle, x);
                subject = x509_subject_string(x);
                if (!subject)
                        return -ENOMEM;
        }
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return findings_add(c->f, code, sev, c->in->bundle->path, idx, subject, hint, "%s", msg);
}

static bool is_anchor(const PolicyInput *in, X509 *x) {
        for (int i = 0; i < sk_X509_num(in->anchors); i++)
                if (X509_cmp(sk_X509_value(in->anchors, i), x) == 0)
                        return true;
        return false;
}

static bool is_root(X509 *x) {
        return X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
}

/* 1 if x carries the extension nid marked critical, 0 if not critical, -1
 * if it does not carry it. */
static int ext_critical(X509 *x, int nid) {
        int i = X509_get_ext_by_NID(x, nid, -1);

        if (i < 0)
                return -1;
        return X509_EXTENSION_get_critical(X509_get_ext(x, i)) ? 1 : 0;
}

/* Frees a value X509V3_EXT_d2i() returned for an extension of method m. */
static void ext_value_free(const X509V3_EXT_METHOD *m, void *v) {
        if (!v)
                return;
        if (m->it)
                ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
        else if (m->ext_free)
                m->ext_free(v);
}

/* Whether x carries the extension nid in a form OpenSSL cannot use: it does
 * not decode, or it is there more than once. */
static bool ext_unusable(X509 *x, int nid) {
        const X509V3_EXT_METHOD *m = X509V3_EXT_get_nid(nid);
        int crit = -1;
        void *v;

        if (!m)
                return false;
        v = X509_get_ext_d2i(x, nid, &crit, NULL);
        ERR_clear_error();
        ext_value_free(m, v);
        return !v && crit != -1;
}

/* The authorityKeyIdentifier and subjectKeyIdentifier of x, decoded here:
 * X509_get0_authority_key_id() and X509_get0_subject_key_id() answer NULL for
 * every certificate OpenSSL flags EXFLAG_INVALID, whatever is wrong with it.
 * NULL when absent, repeated or not decoding (see ext_unusable()). */
static AUTHORITY_KEYID *get_aki(X509 *x) {
        AUTHORITY_KEYID *a = X509_get_ext_d2i(x, NID_authority_key_identifier, NULL, NULL);

        ERR_clear_error();
        return a;
}

static ASN1_OCTET_STRING *get_ski(X509 *x) {
        ASN1_OCTET_STRING *s = X509_get_ext_d2i(x, NID_subject_key_identifier, NULL, NULL);

        ERR_clear_error();
        return s;
}

/* OpenSSL flags a certificate EXFLAG_INVALID when an extension it relies on
 * does not decode or is repeated, or basicConstraints has a negative path
 * length. It then refuses the certificate, and X509_get_key_usage() and
 * X509_get_extended_key_usage() answer as if no usage were allowed. */
static bool cert_invalid(X509 *x) {
        return X509_get_extension_flags(x) & EXFLAG_INVALID;
}

/* ---- validity ----------------------------------------------------------- */

/* "in 3 days", "less than a day ago" ... into buf. */
static const char *days_text(time_t delta, bool past, char *buf, size_t size) {
        long long d = (long long) (delta / 86400);

        if (d == 0)
                snprintf(buf, size, past ? "less than a day ago" : "in less than a day");
        else
                snprintf(buf, size, past ? "%lld day%s ago" : "in %lld day%s", d,
                         d == 1 ? "" : "s");
        return buf;
}

/* anchor: x is the root taken from the trust anchors, not from the file. */
static int check_validity(Ctx *c, X509 *x, bool anchor) {
        const PolicyInput *in = c->in;
        time_t nb, na;
        char buf[32], days[48];
        const char *what = anchor ? "the trust anchor " : "";
        int r;

        if (time_from_asn1(X509_get0_notBefore(x), &nb) < 0 ||
            time_from_asn1(X509_get0_notAfter(x), &na) < 0)
                return add(c, FINDING_CERT_INVALID, SEVERITY_ERROR, x, NULL,
                           "the validity dates of this certificate cannot be read");

        if (nb > in->now) {
                r = add(c, FINDING_CERT_NOT_YET_VALID, SEVERITY_ERROR, x,
                        anchor ? "Check the node's clock, and the trust anchors given with --trust."
                               : NULL,
                        "%snot valid before %s (%s)", anchor ? "the trust anchor is " : "",
                        time_format_rfc3339(nb, buf, sizeof buf),
                        days_text(nb - in->now + 86399, false, days, sizeof days));
                if (r < 0)
                        return r;
        }
        if (na < in->now)
                return add(c, FINDING_CERT_EXPIRING, SEVERITY_ERROR, x,
                           anchor ? "Replace the expired root in the trust anchors with the CA's "
                                    "current root certificate."
                                  : NULL,
                           "%sexpired on %s (%s)", what, time_format_rfc3339(na, buf, sizeof buf),
                           days_text(in->now - na, true, days, sizeof days));
        if (na - in->now < (time_t) in->min_valid_days * 86400)
                return add(c, FINDING_CERT_EXPIRING, SEVERITY_ERROR, x,
                           anchor ? "The chain depends on this root from the trust anchors: ask "
                                    "the CA for its successor and a chain that leads to it."
                                  : NULL,
                           "%sexpires on %s, %s; at least %d days of validity are required", what,
                           time_format_rfc3339(na, buf, sizeof buf),
                           days_text(na - in->now, false, days, sizeof days), in->min_valid_days);
        return 0;
}

/* ---- keys and signatures ------------------------------------------------- */

/* The sizes and types every profile requires, and innovaphone's limits for a
 * server certificate's key. */
_printf_(4, 5) static int verdict(PolicyKeyVerdict *v, Severity sev, const char *hint,
                                  const char *fmt, ...) {
        va_list ap;

        v->severity = sev;
        v->hint = hint;
        va_start(ap, fmt);
        (void) vsnprintf(v->message, sizeof v->message, fmt, ap);
        va_end(ap);
        return 1;
}

static int key_base(const EVP_PKEY *k, Profile profile, bool leaf, PolicyKeyVerdict *v) {
        int bits;

        if (!k)
                return verdict(v, SEVERITY_ERROR, NULL,
                               "the public key cannot be read (unsupported type?)");
        bits = EVP_PKEY_get_bits(k);
        if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS")) {
                if (bits < 2048)
                        return verdict(v, SEVERITY_ERROR, NULL,
                                       "RSA key of %d bits; at least 2048 are required", bits);
                if (leaf && profile == PROFILE_INNOVAPHONE && bits > 2048)
                        return verdict(v, SEVERITY_ERROR,
                                       "Create a 2048-bit RSA key and request the certificate again (innovaphone devices limit the key length to save CPU).",
                                       "RSA key of %d bits; the innovaphone profile allows at most 2048",
                                       bits);
                if (bits > 8192)
                        return verdict(v, SEVERITY_ERROR, NULL,
                                       "RSA key of %d bits; at most 8192 are supported", bits);
        } else if (EVP_PKEY_is_a(k, "EC")) {
                if (bits < 256)
                        return verdict(v, SEVERITY_ERROR, NULL,
                                       "EC key of %d bits; at least 256 (P-256) are required",
                                       bits);
                if (leaf && profile == PROFILE_INNOVAPHONE)
                        return verdict(v, SEVERITY_ERROR,
                                       "Create a 2048-bit RSA key and request the certificate again.",
                                       "EC key; the innovaphone profile requires RSA (sha256WithRSAEncryption)");
        } else if (EVP_PKEY_is_a(k, "DSA")) {
                return verdict(v, SEVERITY_ERROR, NULL,
                               "DSA key: TLS clients no longer accept DSA certificates");
        } else if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448")) {
                const char *name = EVP_PKEY_is_a(k, "ED25519") ? "Ed25519" : "Ed448";

                /* Valid, but few clients take it: the default profile warns. */
                return verdict(v, profile == PROFILE_DEFAULT ? SEVERITY_WARNING : SEVERITY_ERROR,
                               "Create an RSA 2048-bit or EC P-256 key and request the certificate again.",
                               "%s key: %s certificates are not supported by browsers and most phones (UEs); use RSA 2048 or EC P-256",
                               name, name);
        } else {
                return verdict(v, SEVERITY_ERROR, NULL, "unsupported key type %s",
                               strna(EVP_PKEY_get0_type_name(k)));
        }
        return 0;
}

/* strict: the key forms browsers accept (CABF BR 6.1.5): an RSA modulus of
 * whole bytes, EC only on P-256, P-384 and P-521. Sizes below the minimum are
 * key_base()'s. */
static int key_strict(const EVP_PKEY *k, PolicyKeyVerdict *v) {
        int bits;

        if (!k)
                return 0;
        bits = EVP_PKEY_get_bits(k);
        if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS")) {
                if (bits >= 2048 && bits <= 8192 && bits % 8 != 0)
                        return verdict(v, SEVERITY_ERROR,
                                       "Create a new key of 2048, 3072 or 4096 bits and request the certificate again.",
                                       "RSA key of %d bits, not a multiple of 8; strict validators accept only whole-byte sizes such as 2048, 3072 or 4096 (CABF BR 6.1.5)",
                                       bits);
        } else if (EVP_PKEY_is_a(k, "EC") && bits >= 256) {
                char group[64] = "";
                int nid = NID_undef;

                if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                   sizeof group, NULL))
                        nid = OBJ_sn2nid(group);
                ERR_clear_error();
                if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 && nid != NID_secp521r1)
                        return verdict(v, SEVERITY_ERROR,
                                       "Create a new EC key on P-256 (prime256v1) or P-384 and request the certificate again.",
                                       "EC key on %s; browsers and strict validators accept only the curves P-256, P-384 and P-521",
                                       group[0] ? group : "explicitly given curve parameters");
        }
        return 0;
}

int policy_key_verdict(const EVP_PKEY *k, Profile profile, bool leaf, PolicyKeyVerdict *ret) {
        PolicyKeyVerdict v = {};

        if (!ret)
                return -EINVAL;
        if (key_base(k, profile, leaf, &v) || (profile == PROFILE_STRICT && key_strict(k, &v))) {
                *ret = v;
                return 1;
        }
        ERR_clear_error();
        return 0;
}

/* For a finding about a root from the trust anchors: the fix is there. */
#define ANCHOR_HINT                                                                                \
        "The chain leads to this root from the trust anchors: ask the CA for a chain to its "      \
        "current root and trust that one instead."

static int add_key_verdict(Ctx *c, X509 *x, bool anchor, const PolicyKeyVerdict *v) {
        return add(c, FINDING_WEAK_KEY, v->severity, x, anchor ? ANCHOR_HINT : v->hint, "%s%s",
                   anchor ? "trust anchor: " : "", v->message);
}

/* anchor: x comes from the trust anchors (judged only by the strict profile). */
static int check_key_strength(Ctx *c, X509 *x, bool leaf, bool anchor) {
        EVP_PKEY *k = X509_get0_pubkey(x);
        PolicyKeyVerdict v;

        ERR_clear_error();
        if (!k)
                return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x, anchor ? ANCHOR_HINT : NULL,
                           "%sthe public key of this certificate cannot be read (unsupported type?)",
                           anchor ? "trust anchor: " : "");
        if (!key_base(k, c->in->profile, leaf, &v))
                return 0;
        return add_key_verdict(c, x, anchor, &v);
}

/* strict: see key_strict(). */
static int check_strict_key(Ctx *c, X509 *x, bool anchor) {
        PolicyKeyVerdict v;

        if (!key_strict(X509_get0_pubkey(x), &v))
                return 0;
        return add_key_verdict(c, x, anchor, &v);
}

static int check_signature(Ctx *c, X509 *x, bool trusted_root) {
        int sig = X509_get_signature_nid(x), md = NID_undef, pk = NID_undef;
        const char *name;

        if (trusted_root)
                return 0; /* nobody verifies a root's own signature */
        if (!OBJ_find_sigid_algs(sig, &md, &pk))
                return add(c, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, x, NULL,
                           "unknown signature algorithm %s", OBJ_nid2ln(sig));
        name = OBJ_nid2ln(sig);
        if (md == NID_md5 || md == NID_md4 || md == NID_md2 || md == NID_sha1 || md == NID_mdc2)
                return add(c, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, x, NULL,
                           "signed with %s, which is broken; SHA-256 or stronger is required",
                           strna(name));
        if (pk == NID_dsa)
                return add(c, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, x, NULL,
                           "signed with DSA (%s), which TLS clients no longer accept", strna(name));
        if (c->in->profile == PROFILE_INNOVAPHONE && md != NID_sha256 && md != NID_sha224)
                return add(c, FINDING_WEAK_SIGNATURE, SEVERITY_ERROR, x,
                           "Ask the CA to sign with sha256WithRSAEncryption (innovaphone devices expect SHA-256).",
                           "signed with %s; the innovaphone profile requires SHA-256 (or SHA-224)",
                           strna(name));
        return 0;
}

/* ---- extensions that do not decode ------------------------------------------- */

/* The extension's name as openssl.cnf writes it ("subjectAltName"), else its
 * OID in dotted form. */
static const char *ext_name(X509_EXTENSION *e, char *buf, size_t size) {
        ASN1_OBJECT *o = X509_EXTENSION_get_object(e);
        int nid = OBJ_obj2nid(o);
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;

        if (sn)
                return sn;
        if (OBJ_obj2txt(buf, (int) size, o, 1) <= 0)
                snprintf(buf, size, "unknown");
        return buf;
}

/* Appends "its A, B and C extension(s) <one>/<many>" to m when names (n of
 * them, each NUL-terminated in turn) is not empty. */
static void list_exts(FILE *m, bool *first, const char *names, size_t n, const char *one,
                      const char *many) {
        const char *p = names;

        if (n == 0)
                return;
        fputs(*first ? "its " : "; its ", m);
        for (size_t i = 0; i < n; i++, p += strlen(p) + 1)
                fprintf(m, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", p);
        fprintf(m, " extension%s %s", n == 1 ? "" : "s", n == 1 ? one : many);
        *first = false;
}

/* One CERT_INVALID for a certificate OpenSSL flags EXFLAG_INVALID
 * (cert_invalid()), naming what it cannot use: each extension that does not
 * decode, each one repeated, a negative path length. anchor: x comes from the
 * trust anchors. */
static int check_decoding(Ctx *c, X509 *x, bool anchor) {
        _cleanup_(freep) char *bad = NULL, *dup = NULL, *msg = NULL;
        _cleanup_(fclosep) FILE *mb = NULL, *md = NULL, *mm = NULL;
        _cleanup_(BASIC_CONSTRAINTS_freep) BASIC_CONSTRAINTS *bc = NULL;
        size_t bad_len = 0, dup_len = 0, msg_len = 0, n_bad = 0, n_dup = 0;
        int n = X509_get_ext_count(x);
        bool first = true, neg_pathlen = false;
        char buf[80];

        mb = open_memstream(&bad, &bad_len);
        md = open_memstream(&dup, &dup_len);
        if (!mb || !md)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                X509_EXTENSION *e = X509_get_ext(x, i);
                const X509V3_EXT_METHOD *m = X509V3_EXT_get(e);
                int seen = 0;

                for (int j = 0; j < i; j++)
                        if (OBJ_cmp(X509_EXTENSION_get_object(X509_get_ext(x, j)),
                                    X509_EXTENSION_get_object(e)) == 0)
                                seen++;
                if (seen == 1) { /* its second appearance: named once */
                        fprintf(md, "%s%c", ext_name(e, buf, sizeof buf), 0);
                        n_dup++;
                }
                if (m && seen == 0) {
                        void *v = X509V3_EXT_d2i(e);

                        ERR_clear_error();
                        if (!v) {
                                fprintf(mb, "%s%c", ext_name(e, buf, sizeof buf), 0);
                                n_bad++;
                        }
                        ext_value_free(m, v);
                }
        }
        bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
        ERR_clear_error();
        neg_pathlen = bc && bc->pathlen && ASN1_STRING_type(bc->pathlen) == V_ASN1_NEG_INTEGER;
        if (fflush(mb) != 0 || fflush(md) != 0)
                return -ENOMEM;

        mm = open_memstream(&msg, &msg_len);
        if (!mm)
                return -ENOMEM;
        if (anchor)
                fputs("trust anchor: ", mm);
        list_exts(mm, &first, bad, n_bad, "is malformed (does not decode)",
                  "are malformed (do not decode)");
        list_exts(mm, &first, dup, n_dup, "appears more than once", "appear more than once");
        if (neg_pathlen) {
                fputs(first ? "its " : "; its ", mm);
                fputs("basicConstraints extension has a negative path length", mm);
                first = false;
        }
        if (first)
                fputs("one of its extensions is malformed", mm);
        fputs("; OpenSSL and TLS clients refuse the certificate", mm);
        if (fclose(TAKE_PTR(mm)) != 0)
                return -ENOMEM;
        return add(c, FINDING_CERT_INVALID, SEVERITY_ERROR, x,
                   anchor ? ANCHOR_HINT
                          : "The certificate is damaged or was issued wrongly: get it issued again.",
                   "%s", msg);
}

/* ---- names ---------------------------------------------------------------- */

static char *sans_text(char **dns, char **ip) {
        char *s = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&s, &len);
        bool first = true;

        if (!m)
                return NULL;
        for (char **i = dns; i && *i; i++, first = false)
                fprintf(m, "%sDNS:%s", first ? "" : ", ", *i);
        for (char **i = ip; i && *i; i++, first = false)
                fprintf(m, "%sIP:%s", first ? "" : ", ", *i);
        if (first)
                fputs("none", m);
        if (fclose(m) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static const char *wildcard_problem(NamesWildcard w) {
        switch (w) {
        case NAMES_WILDCARD_PARTIAL:
                return "a partial wildcard, which clients do not accept";
        case NAMES_WILDCARD_NOT_LEFTMOST:
                return "a wildcard not in the left-most label, which clients do not accept";
        case NAMES_WILDCARD_PUBLIC:
                return "a wildcard directly over a public suffix, which clients do not accept";
        case NAMES_WILDCARD_TOO_SHORT:
                return "a bare wildcard, which clients do not accept";
        case NAMES_WILDCARD_INVALID:
                return "not followed by a valid domain name, so it matches nothing";
        case NAMES_WILDCARD_PRIVATE:
                return "directly over a domain shared by many owners (Public Suffix List, private section), which CAs must not issue and the strict profile does not accept";
        default:
                return NULL;
        }
}

static bool starts_with_label(const char *name, const char *label) {
        size_t n = strlen(label);
        return strncasecmp(name, label, n) == 0 && name[n] == '.';
}

static bool ends_with_ci(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        while (n > 0 && s[n - 1] == '.') /* a trailing dot changes nothing */
                n--;
        return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

static const char *loose_code(const char *p, int *ret) {
        int v = 0, n = 0;

        while (*p >= '0' && *p <= '9' && n < 4) {
                v = v * 10 + (*p++ - '0');
                n++;
        }
        if (n == 0 || n > 3)
                return NULL;
        *ret = v;
        return p;
}

/* "<prefix>.ims.mnc1.mcc1.pub.3gppnetwork.org", the codes padded or not:
 * the codes meant, to suggest the padded form. */
static bool loose_3gpp(const char *name, const char *prefix, int *ret_mcc, int *ret_mnc) {
        size_t pn = strlen(prefix);
        const char *p = name;
        int mcc, mnc;

        if (strncasecmp(p, prefix, pn) != 0 || strncasecmp(p + pn, ".ims.mnc", 8) != 0)
                return false;
        p = loose_code(p + pn + 8, &mnc);
        if (!p || strncasecmp(p, ".mcc", 4) != 0)
                return false;
        p = loose_code(p + 4, &mcc);
        if (!p || (strcasecmp(p, ".pub.3gppnetwork.org") != 0 &&
                   strcasecmp(p, ".pub.3gppnetwork.org.") != 0))
                return false;
        *ret_mcc = mcc;
        *ret_mnc = mnc;
        return true;
}

static bool name_valid(const char *name) {
        unsigned char buf[16];
        size_t len;

        return names_parse_ip(name, buf, &len) || names_is_hostname(name);
}

static int add_name_invalid(Ctx *c, const char *name) {
        return add(c, FINDING_NAME_INVALID, SEVERITY_ERROR, NULL, NULL,
                   "'%s' is neither a host name nor an IP address", name);
}

/* Only the names to cover, for a server certificate check_decoding()
 * reported: what it covers cannot be told. */
static int check_configured_names(Ctx *c) {
        int r;

        for (char **n = c->in->names; n && *n; n++) {
                if (name_valid(*n))
                        continue;
                r = add_name_invalid(c, *n);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_names(Ctx *c, X509 *leaf) {
        const PolicyInput *in = c->in;
        _cleanup_(strv_freep) char **dns = NULL, **ip = NULL;
        _cleanup_(freep) char *have = NULL;
        bool has_san, strict = in->profile == PROFILE_STRICT;
        int r;

        r = names_cert_sans(leaf, &dns, &ip, &has_san);
        if (r < 0)
                return r;
        have = sans_text(dns, ip);
        if (!have)
                return -ENOMEM;

        if (!has_san || ((!dns || !dns[0]) && (!ip || !ip[0]))) {
                r = add(c, FINDING_SAN_MISSING, SEVERITY_ERROR, leaf, NULL,
                        "the server certificate has no subjectAltName %s; clients do not use the CN (RFC 2818)",
                        has_san ? "DNS or IP entry" : "extension");
                if (r < 0)
                        return r;
        }

        for (char **i = dns; i && *i; i++) {
                unsigned char buf[16];
                size_t len;

                if (names_parse_ip(*i, buf, &len)) {
                        r = add(c, FINDING_SAN_IP_AS_DNS, SEVERITY_ERROR, leaf, NULL,
                                "the address %s is written as a DNS name (DNS:%s); clients only match addresses against IP entries (IP:%s)",
                                *i, *i, *i);
                        if (r < 0)
                                return r;
                }
        }

        for (char **n = in->names; n && *n; n++) {
                const char *why = NULL;

                if (!name_valid(*n)) {
                        r = add_name_invalid(c, *n);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (names_cert_covers_flags(leaf, *n,
                                            strict ? NAMES_MATCH_STRICT : NAMES_MATCH_DEFAULT))
                        continue;
                /* Explain a near miss: a wildcard that would match but is not allowed. */
                for (char **i = dns; i && *i && !why; i++) {
                        NamesWildcard w = names_classify_wildcard(*i);
                        const char *dot = strchr(*n, '.');
                        const char *pdot = strchr(*i, '.');

                        if (w == NAMES_WILDCARD_PRIVATE && !strict)
                                w = NAMES_WILDCARD_OK;
                        if (w != NAMES_WILDCARD_OK && w != NAMES_WILDCARD_NONE && dot && pdot &&
                            strcasecmp(dot, pdot) == 0)
                                why = wildcard_problem(w);
                        else if (w == NAMES_WILDCARD_OK && pdot && strlen(*n) > strlen(pdot) &&
                                 strcasecmp(*n + strlen(*n) - strlen(pdot), pdot) == 0 &&
                                 dot && strcasecmp(dot, pdot) != 0)
                                why = "a wildcard covers one label only (*.example.com does not cover a.b.example.com)";
                }
                r = add(c, FINDING_SAN_NOT_COVERED, SEVERITY_ERROR, leaf, NULL,
                        "the server certificate does not cover '%s' (its names: %s)%s%s%s", *n, have,
                        why ? "; " : "", why ? "its wildcard is " : "", why ? why : "");
                if (r < 0)
                        return r;
        }

        /* XCAP and BSF naming rules (MAG). */
        if (in->service && (streq(in->service, "xcap") || streq(in->service, "bsf"))) {
                bool xcap = streq(in->service, "xcap");
                const char *prefix = xcap ? "xcap" : "bsf";
                bool any_3gpp = false, any_bad_3gpp = false;

                for (char **i = dns; i && *i; i++) {
                        int mcc, mnc;

                        if (!starts_with_label(*i, prefix)) {
                                r = add(c, xcap ? FINDING_XCAP_NAME : FINDING_BSF_NAME,
                                        SEVERITY_ERROR, leaf, NULL,
                                        "the DNS name '%s' does not start with '%s.'", *i, prefix);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        if (names_is_3gpp_form(*i, prefix, &mcc, &mnc)) {
                                any_3gpp = true;
                                if (in->mcc >= 0 && in->mnc >= 0 &&
                                    (mcc != in->mcc || mnc != in->mnc)) {
                                        r = add(c, FINDING_NAME_3GPP_FORM, SEVERITY_WARNING, leaf,
                                                NULL,
                                                "'%s' names MCC %03d MNC %03d, but the deployment is MCC %03d MNC %03d",
                                                *i, mcc, mnc, in->mcc, in->mnc);
                                        if (r < 0)
                                                return r;
                                }
                        } else if (ends_with_ci(*i, ".3gppnetwork.org")) {
                                /* Meant as a 3GPP name, but not in the form UEs use. */
                                _cleanup_(freep) char *want = NULL;
                                bool loose = loose_3gpp(*i, prefix, &mcc, &mnc);

                                any_bad_3gpp = true;
                                want = loose ? names_3gpp(prefix, mcc, mnc)
                                             : names_3gpp(prefix, in->mcc >= 0 ? in->mcc : 1,
                                                          in->mnc >= 0 ? in->mnc : 1);
                                r = add(c, FINDING_NAME_3GPP_FORM, SEVERITY_WARNING, leaf, NULL,
                                        "'%s' is not in the 3GPP form%s %s (MNC and MCC padded to three digits)",
                                        *i,
                                        loose || (in->mcc >= 0 && in->mnc >= 0) ? ""
                                                                                : ", for example",
                                        strna(want));
                                if (r < 0)
                                        return r;
                        }
                }
                if (!any_3gpp && !any_bad_3gpp && dns && dns[0]) {
                        _cleanup_(freep) char *want =
                                names_3gpp(prefix, in->mcc >= 0 ? in->mcc : 1, in->mnc >= 0 ? in->mnc : 1);
                        r = add(c, FINDING_NAME_3GPP_FORM, SEVERITY_WARNING, leaf, NULL,
                                "no DNS name has the 3GPP form %s%s (MNC and MCC padded to three digits)",
                                in->mcc >= 0 && in->mnc >= 0 ? "" : "of, for example, ",
                                strna(want));
                        if (r < 0)
                                return r;
                }

                if (!xcap && in->xcap_names) {
                        /* BSF names = XCAP names with the leading xcap replaced by bsf. */
                        for (char **x = in->xcap_names; *x; x++) {
                                _cleanup_(freep) char *want = NULL;
                                bool found = false;

                                if (!starts_with_label(*x, "xcap"))
                                        continue;
                                if (asprintf(&want, "bsf%s", *x + 4) < 0)
                                        return -ENOMEM;
                                for (char **i = dns; i && *i && !found; i++)
                                        found = strcasecmp(*i, want) == 0;
                                if (!found) {
                                        r = add(c, FINDING_BSF_NAME, SEVERITY_ERROR, leaf, NULL,
                                                "the XCAP certificate has '%s', so the BSF certificate needs '%s', which it lacks",
                                                *x, want);
                                        if (r < 0)
                                                return r;
                                }
                        }
                        for (char **i = dns; i && *i; i++) {
                                bool found = false;
                                if (!starts_with_label(*i, "bsf"))
                                        continue; /* reported above */
                                for (char **x = in->xcap_names; *x && !found; x++)
                                        found = starts_with_label(*x, "xcap") &&
                                                strcasecmp(*x + 4, *i + 3) == 0;
                                if (!found) {
                                        r = add(c, FINDING_BSF_NAME, SEVERITY_ERROR, leaf, NULL,
                                                "'%s' has no XCAP counterpart 'xcap%s' in the XCAP certificate",
                                                *i, *i + 3);
                                        if (r < 0)
                                                return r;
                                }
                        }
                }
        }
        return 0;
}

/* ---- subject ---------------------------------------------------------------- */

/* The first value of the subject field nid, made printable (an embedded NUL
 * or a control character is escaped, so it can neither shorten the value nor
 * reach a report raw). NULL when the field is absent or is not text; -ENOMEM
 * in *ret_r. */
static char *subject_field(X509 *x, int nid, int *ret_r) {
        X509_NAME *n = X509_get_subject_name(x);
        int i = X509_NAME_get_index_by_NID(n, nid, -1);
        unsigned char *utf8 = NULL;
        char *s;
        int len;

        *ret_r = 0;
        if (i < 0)
                return NULL;
        len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
        if (len < 0) {
                ERR_clear_error();
                return NULL;
        }
        s = findings_printable((const char *) utf8, (size_t) len);
        OPENSSL_free(utf8);
        if (!s)
                *ret_r = -ENOMEM;
        return s;
}

static int check_subject(Ctx *c, X509 *leaf) {
        static const struct {
                int nid;
                const char *label;
                size_t deploy_offset;
        } fields[] = {
                { NID_countryName, "C", offsetof(Deployment, country) },
                { NID_organizationName, "O", offsetof(Deployment, organization) },
                { NID_organizationalUnitName, "OU", offsetof(Deployment, organizational_unit) },
                { NID_commonName, "CN", 0 },
        };
        char missing[32] = "";
        int r;

        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                _cleanup_(freep) char *v = NULL;
                const char *want = NULL;

                v = subject_field(leaf, fields[i].nid, &r);
                if (r < 0)
                        return r;
                if (!v) {
                        strcat(missing, missing[0] ? ", " : "");
                        strcat(missing, fields[i].label);
                        continue;
                }
                if (c->in->deploy && fields[i].deploy_offset)
                        want = *(char *const *) ((const char *) c->in->deploy +
                                                 fields[i].deploy_offset);
                if (want && !streq(want, v)) {
                        r = add(c, FINDING_SUBJECT_FIELDS, SEVERITY_WARNING, leaf, NULL,
                                "subject %s is '%s' but the deployment says '%s'", fields[i].label,
                                v, want);
                        if (r < 0)
                                return r;
                }
        }
        if (missing[0])
                return add(c, FINDING_SUBJECT_FIELDS, SEVERITY_WARNING, leaf, NULL,
                           "the subject lacks %s (C, O, OU and CN should describe the deployment)",
                           missing);
        return 0;
}

/* ---- usages ----------------------------------------------------------------- */

static int check_usage(Ctx *c, X509 *leaf) {
        const PolicyInput *in = c->in;
        uint32_t ku = X509_get_key_usage(leaf), xku = X509_get_extended_key_usage(leaf);
        EVP_PKEY *k = X509_get0_pubkey(leaf);
        bool rsa = k && EVP_PKEY_is_a(k, "RSA");
        int r;

        if (in->profile == PROFILE_INNOVAPHONE) {
                if (ku == UINT32_MAX || !(ku & KU_DIGITAL_SIGNATURE) || !(ku & KU_KEY_ENCIPHERMENT)) {
                        r = add(c, FINDING_KEY_USAGE, SEVERITY_ERROR, leaf,
                                "Request the certificate again with keyUsage digitalSignature and keyEncipherment.",
                                "the innovaphone profile requires keyUsage digitalSignature and keyEncipherment");
                        if (r < 0)
                                return r;
                }
                if (xku == UINT32_MAX || !(xku & XKU_SSL_SERVER) || !(xku & XKU_SSL_CLIENT))
                        return add(c, FINDING_EKU, SEVERITY_ERROR, leaf,
                                   "Request the certificate again with extendedKeyUsage serverAuth and clientAuth (innovaphone devices use it as TLS server and client).",
                                   "the innovaphone profile requires extendedKeyUsage serverAuth and clientAuth");
                return 0;
        }

        if (ku != UINT32_MAX && !(ku & KU_DIGITAL_SIGNATURE)) {
                if (rsa && (ku & KU_KEY_ENCIPHERMENT)) {
                        r = add(c, FINDING_KEY_USAGE, SEVERITY_WARNING, leaf, NULL,
                                "keyUsage has keyEncipherment but not digitalSignature: only RSA key exchange works (no TLS 1.3, no ECDHE)");
                } else
                        r = add(c, FINDING_KEY_USAGE, SEVERITY_ERROR, leaf, NULL,
                                "keyUsage lacks digitalSignature%s, so TLS servers cannot use the key",
                                rsa ? " and keyEncipherment" : "");
                if (r < 0)
                        return r;
        }

        if (xku == UINT32_MAX)
                return add(c, FINDING_EKU, in->profile == PROFILE_STRICT ? SEVERITY_ERROR : SEVERITY_WARNING,
                           leaf, NULL,
                           "no extendedKeyUsage; strict TLS clients require serverAuth");
        if (!(xku & XKU_SSL_SERVER) && !(in->profile == PROFILE_DEFAULT && (xku & XKU_ANYEKU))) {
                r = add(c, FINDING_EKU, SEVERITY_ERROR, leaf, NULL,
                        "extendedKeyUsage does not include serverAuth (TLS Web Server Authentication)");
                if (r < 0)
                        return r;
        }
        if (in->profile != PROFILE_STRICT)
                return 0;
        if (xku & XKU_ANYEKU) {
                r = add(c, FINDING_EKU, SEVERITY_ERROR, leaf,
                        "Request the certificate with extendedKeyUsage serverAuth (and clientAuth if the service also acts as a client), without anyExtendedKeyUsage.",
                        "extendedKeyUsage includes anyExtendedKeyUsage, which server certificates must not carry (CABF BR 7.1.2.7.10); strict validators refuse it");
                if (r < 0)
                        return r;
        }
        if (ext_critical(leaf, NID_ext_key_usage) > 0)
                return add(c, FINDING_EKU, SEVERITY_ERROR, leaf,
                           "Request the certificate again with a non-critical extendedKeyUsage serverAuth (the default of CAs and of openssl).",
                           "the extendedKeyUsage extension is marked critical; server certificates must carry it non-critical (CABF BR 7.1.2.7.6) and strict validators refuse it");
        return 0;
}

/* ---- strict encoding rules ------------------------------------------------------- */

/* Printable copy of n bytes from a certificate, for messages. */
static char *printable(const unsigned char *b, size_t n) {
        return findings_printable((const char *) b, n);
}

/* Extensions a strict client decodes and rejects when they do not: every one
 * OpenSSL knows must decode, and an authorityInfoAccess must hold at least one
 * AccessDescription (RFC 5280 4.2.2.1). On a certificate check_decoding()
 * reported (cert_invalid()), only the second rule: the first is its. */
static int check_strict_extensions(Ctx *c, X509 *x) {
        bool invalid = cert_invalid(x);
        int r;

        for (int i = 0; i < X509_get_ext_count(x); i++) {
                X509_EXTENSION *e = X509_get_ext(x, i);
                const X509V3_EXT_METHOD *m = X509V3_EXT_get(e);
                int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
                bool empty = false;
                void *v;

                if (!m)
                        continue; /* unknown to OpenSSL: its verification judges a critical one */
                v = X509V3_EXT_d2i(e);
                ERR_clear_error();
                if (v && nid == NID_info_access)
                        empty = sk_ACCESS_DESCRIPTION_num(v) <= 0;
                ext_value_free(m, v);
                if ((v && !empty) || (!v && invalid))
                        continue;
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        empty ? "the %s extension holds no entry; it must list at least one (RFC 5280), and strict TLS clients reject the certificate"
                              : "the %s extension is malformed (it does not decode); strict TLS clients reject the certificate",
                        OBJ_nid2ln(nid));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A self-signed root: an authorityKeyIdentifier, if any, only repeats the
 * subjectKeyIdentifier (CABF BR 7.1.2.1.3); no extendedKeyUsage (7.1.2.1.2). */
static int check_strict_root(Ctx *c, X509 *x, bool anchor) {
        _cleanup_(AUTHORITY_KEYID_freep) AUTHORITY_KEYID *aki = get_aki(x);
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *skid = get_ski(x);
        const char *hint = anchor ? ANCHOR_HINT
                                  : "Ask the CA for its current root certificate; if the CA is your own, create the root again with only basicConstraints, keyUsage and subjectKeyIdentifier.";
        const char *who = anchor ? "the trust anchor" : "this root certificate";
        int r;

        /* An AKI or SKI that does not decode is check_decoding()'s. */
        if (aki && !ext_unusable(x, NID_subject_key_identifier)) {
                const char *why = NULL;

                if (aki->issuer || aki->serial)
                        why = "names an issuer and serial number (authorityCertIssuer, authorityCertSerialNumber), which a root's must not";
                else if (!aki->keyid)
                        why = "has no keyIdentifier";
                else if (!skid || ASN1_OCTET_STRING_cmp(aki->keyid, skid) != 0)
                        why = "has a keyIdentifier that differs from its subjectKeyIdentifier";
                if (why) {
                        r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, hint,
                                "the authorityKeyIdentifier of %s %s (CABF BR 7.1.2.1.3); strict validators refuse chains to it",
                                who, why);
                        if (r < 0)
                                return r;
                }
        }
        if (X509_get_ext_by_NID(x, NID_ext_key_usage, -1) >= 0)
                return add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, hint,
                           "%s carries an extendedKeyUsage extension, which a root must not (CABF BR 7.1.2.1.2); strict validators refuse chains to it",
                           who);
        return 0;
}

/* nameConstraints: only in a CA certificate, not empty, critical (a warning:
 * CABF allows it non-critical and browsers accept that), and dNSName
 * constraints without a leading period. */
static int check_strict_name_constraints(Ctx *c, X509 *x, bool anchor) {
        _cleanup_(NAME_CONSTRAINTS_freep) NAME_CONSTRAINTS *nc = NULL;
        const char *hint = anchor ? ANCHOR_HINT : NULL;
        int crit = ext_critical(x, NID_name_constraints), r;

        if (crit < 0)
                return 0;
        if (!(X509_get_extension_flags(x) & EXFLAG_CA))
                return add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, hint,
                           "this certificate is not a CA but carries a nameConstraints extension, which only CA certificates may (RFC 5280 4.2.1.10)");
        if (crit == 0) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_WARNING, x,
                        "Nothing to do for browsers; clients that follow RFC 5280 to the letter may refuse the chain: ask the CA whether a chain with a critical nameConstraints exists.",
                        "the nameConstraints extension of this CA is not marked critical; RFC 5280 requires it critical (browsers accept it, CABF BR 7.1.2.5.2 allows it)");
                if (r < 0)
                        return r;
        }

        nc = X509_get_ext_d2i(x, NID_name_constraints, NULL, NULL);
        if (!nc)
                return 0; /* does not decode: check_strict_extensions() or OpenSSL says so */
        if (sk_GENERAL_SUBTREE_num(nc->permittedSubtrees) <= 0 &&
            sk_GENERAL_SUBTREE_num(nc->excludedSubtrees) <= 0)
                return add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, hint,
                           "the nameConstraints extension of this CA lists neither permitted nor excluded names; it must list at least one (RFC 5280 4.2.1.10, CABF BR 7.1.2.5.2)");

        for (int pass = 0; pass < 2; pass++) {
                STACK_OF(GENERAL_SUBTREE) *t = pass == 0 ? nc->permittedSubtrees
                                                         : nc->excludedSubtrees;

                for (int i = 0; i < sk_GENERAL_SUBTREE_num(t); i++) {
                        const GENERAL_NAME *gn = sk_GENERAL_SUBTREE_value(t, i)->base;
                        const ASN1_IA5STRING *d;
                        _cleanup_(freep) char *text = NULL;

                        if (gn->type != GEN_DNS)
                                continue;
                        d = gn->d.dNSName;
                        if (!d || ASN1_STRING_length(d) <= 0 || ASN1_STRING_get0_data(d)[0] != '.')
                                continue;
                        text = printable(ASN1_STRING_get0_data(d), (size_t) ASN1_STRING_length(d));
                        if (!text)
                                return -ENOMEM;
                        r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, hint,
                                "the %s name constraint DNS:%s starts with a period; a dNSName constraint is written without it (DNS:%s covers that domain and every name below it, RFC 5280 4.2.1.10)",
                                pass == 0 ? "permitted" : "excluded", text, text + 1);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* Encoding rules for the certificates of the file (a trust anchor is
 * exempt: browsers do not judge a root's serial number or version). */
static int check_strict_encoding(Ctx *c, X509 *x, bool leaf) {
        const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
        _cleanup_(BN_freep) BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
        _cleanup_(AUTHORITY_KEYID_freep) AUTHORITY_KEYID *aki = get_aki(x);
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *skid = get_ski(x);
        int r;

        if (!bn)
                return -ENOMEM;
        if (BN_is_zero(bn) || BN_is_negative(bn)) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        "the serial number is %s; it must be a positive integer (RFC 5280)",
                        BN_is_zero(bn) ? "zero" : "negative");
                if (r < 0)
                        return r;
        } else if (BN_num_bytes(bn) > 20) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        "the serial number is %d bytes long; at most 20 are allowed (RFC 5280)",
                        BN_num_bytes(bn));
                if (r < 0)
                        return r;
        }
        if (X509_get_version(x) != X509_VERSION_3) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        "this is an X.509 version %ld certificate; version 3 is required",
                        X509_get_version(x) + 1);
                if (r < 0)
                        return r;
        }
        /* Not asked of an anchor: x509-limbo expects a cross-signed anchor
         * without one both accepted (cve::cve-2024-0567) and refused
         * (rfc5280::aki::cross-signed-root-missing-aki); browsers accept it. */
        if (!is_root(x) && !(aki && aki->keyid) && !ext_unusable(x, NID_authority_key_identifier)) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        "no authorityKeyIdentifier (required on every certificate but a self-signed root, RFC 5280 4.2.1.1)");
                if (r < 0)
                        return r;
        }
        if (!leaf && !skid && !ext_unusable(x, NID_subject_key_identifier)) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        "this CA certificate has no subjectKeyIdentifier (RFC 5280 4.2.1.2)");
                if (r < 0)
                        return r;
        }
        return check_strict_extensions(c, x);
}

/* Rules for every certificate of the path, a trust anchor included (anchor):
 * the constraints a CA passes down are well formed and marked as RFC 5280
 * requires, and a self-signed root (root) has the form root programs ask. */
static int check_strict_path_cert(Ctx *c, X509 *x, bool root, bool anchor) {
        static const struct {
                int nid;
                const char *name;
        } must_be_critical[] = {
                { NID_policy_constraints, "policyConstraints (RFC 5280 4.2.1.11)" },
                { NID_inhibit_any_policy, "inhibitAnyPolicy (RFC 5280 4.2.1.14)" },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(must_be_critical); i++) {
                if (ext_critical(x, must_be_critical[i].nid) != 0)
                        continue;
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, anchor ? ANCHOR_HINT : NULL,
                        "%sthe %s extension is not marked critical, as it must be; strict validators refuse the chain",
                        anchor ? "trust anchor: " : "", must_be_critical[i].name);
                if (r < 0)
                        return r;
        }
        r = check_strict_name_constraints(c, x, anchor);
        if (r < 0)
                return r;
        if (root)
                return check_strict_root(c, x, anchor);
        return 0;
}

/* A subject CN that spells one of the subjectAltNames differently (CABF BR
 * 7.1.4.3 wants an exact copy): "Example.COM" for example.com, 2001:DB8::1
 * or 192.168.001.001 for an address, the Unicode form of an xn-- name. A CN
 * naming something else entirely is left alone: browsers never read the CN,
 * and certificates with a descriptive or stale CN beside correct SANs are
 * accepted everywhere (x509-limbo's BetterTLS cases expect that too). */
static int check_strict_cn(Ctx *c, X509 *leaf) {
        X509_NAME *n = X509_get_subject_name(leaf);
        int r;

        for (int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1); i >= 0;
             i = X509_NAME_get_index_by_NID(n, NID_commonName, i)) {
                _cleanup_(freep) char *text = NULL, *meant = NULL;
                unsigned char *utf8 = NULL;
                NamesCn m;
                int len;

                len = ASN1_STRING_to_UTF8(&utf8,
                                          X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
                if (len < 0) {
                        ERR_clear_error();
                        continue; /* not text: nothing it could spell */
                }
                r = names_cert_cn_match(leaf, (const char *) utf8, (size_t) len, &m, &meant);
                if (r >= 0) {
                        text = printable(utf8, (size_t) len);
                        if (!text)
                                r = -ENOMEM;
                }
                OPENSSL_free(utf8);
                if (r < 0)
                        return r;
                if (m == NAMES_CN_MISSPELT)
                        r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, leaf,
                                "Ask the CA to issue the certificate again with the CN copied exactly from the subjectAltName (same letter case, an address in its standard form), or with no CN.",
                                "the subject CN '%s' is the subjectAltName %s written differently; a CN must be an exact copy of a subjectAltName (CABF BR 7.1.4.3), and strict validators refuse the certificate",
                                text, meant);
                else if (m == NAMES_CN_UNICODE)
                        r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, leaf,
                                "Ask the CA to issue the certificate again with the CN in the xn-- form, copied exactly from a DNS subjectAltName, or with no CN.",
                                "the subject CN '%s' is a host name in Unicode; a CN must be an exact copy of a subjectAltName, and DNS names are written in their ASCII form (%s) (CABF BR 7.1.4.3), so strict validators refuse the certificate",
                                text, meant);
                else
                        continue;
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Each dNSName of the server certificate is a host name or a wildcard in the
 * form CAs issue (CABF BR 7.1.2.7.12). */
static int check_strict_dns_sans(Ctx *c, X509 *leaf) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens =
                X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
        int r;

        for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
                const unsigned char *b;
                _cleanup_(freep) char *text = NULL;
                size_t n;
                unsigned char ip[16];
                size_t ip_len;

                if (gn->type != GEN_DNS || !gn->d.dNSName)
                        continue;
                b = ASN1_STRING_get0_data(gn->d.dNSName);
                n = b && ASN1_STRING_length(gn->d.dNSName) > 0
                            ? (size_t) ASN1_STRING_length(gn->d.dNSName)
                            : 0;
                text = printable(n > 0 ? b : (const unsigned char *) "", n);
                if (!text)
                        return -ENOMEM;
                if (strlen(text) == n &&
                    (names_is_valid_dns_san(text) || names_parse_ip(text, ip, &ip_len)))
                        continue; /* an address: SAN_IP_AS_DNS */
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, leaf,
                        "Ask the CA to issue the certificate again with only host names (rem.example.com) and wildcards (*.example.com) as DNS names.",
                        "the subjectAltName DNS:%s is neither a host name nor a wildcard of the form *.example.com (CABF BR 7.1.2.7.12); strict validators refuse the certificate",
                        text);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Rules for the server certificate alone. */
static int check_strict_leaf(Ctx *c, X509 *leaf) {
        bool empty_subject = X509_NAME_entry_count(X509_get_subject_name(leaf)) == 0;
        int crit = ext_critical(leaf, NID_subject_alt_name), r;

        r = check_strict_cn(c, leaf);
        if (r < 0)
                return r;
        r = check_strict_dns_sans(c, leaf);
        if (r < 0)
                return r;
        if (crit >= 0 && (crit == 1) != empty_subject)
                return add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, leaf,
                           "Ask the CA to issue the certificate again with the subjectAltName extension non-critical (the usual form, with a subject).",
                           empty_subject ? "the subject is empty but the subjectAltName extension is not marked critical, as it then must be (RFC 5280 4.2.1.6)"
                                         : "the subjectAltName extension is marked critical although the subject is not empty; it must be critical only with an empty subject (RFC 5280 4.2.1.6, CABF BR 7.1.2.7.12)");
        return 0;
}

int policy_check(const PolicyInput *in, Findings *f) {
        Ctx c = { .in = in, .f = f };
        int n = sk_X509_num(in->chain->path), r;
        X509 *leaf = sk_X509_value(in->chain->path, 0);
        bool strict = in->profile == PROFILE_STRICT;

        /* Validity: every certificate of the path, as the MAG seed asks, the
         * root taken from the trust anchors too: the chain stops working when
         * it does. Certificates of the file not on the path are
         * CHAIN_UNRELATED; their dates do not matter to a client. Extensions
         * OpenSSL cannot use: every profile, the same path. */
        for (int i = 0; i < n; i++) {
                X509 *x = sk_X509_value(in->chain->path, i);
                bool anchor = chain_bundle_index(in->bundle, x) < 0;

                r = check_validity(&c, x, anchor);
                if (r < 0)
                        return r;
                if (cert_invalid(x)) {
                        r = check_decoding(&c, x, anchor);
                        if (r < 0)
                                return r;
                }
        }

        for (int i = 0; i < n; i++) {
                X509 *x = sk_X509_value(in->chain->path, i);
                bool from_bundle = chain_bundle_index(in->bundle, x) >= 0;
                bool last = i == n - 1 && in->chain->complete;
                bool root = last && (is_root(x) || !from_bundle);
                bool trusted_root = root && (!from_bundle || is_anchor(in, x) || is_root(x));

                /* A root from the trust anchors is the operator's own choice,
                 * but strict clients judge the roots they trust as the
                 * browsers' root programs do. */
                if (!from_bundle && !strict)
                        continue;
                r = check_key_strength(&c, x, i == 0, !from_bundle);
                if (r < 0)
                        return r;
                if (from_bundle) {
                        r = check_signature(&c, x, trusted_root && i > 0);
                        if (r < 0)
                                return r;
                }
                if (!strict)
                        continue;
                r = check_strict_key(&c, x, !from_bundle);
                if (r < 0)
                        return r;
                if (from_bundle) {
                        r = check_strict_encoding(&c, x, i == 0);
                        if (r < 0)
                                return r;
                }
                r = check_strict_path_cert(&c, x, last && is_root(x), !from_bundle);
                if (r < 0)
                        return r;
        }

        /* What a server certificate with extensions OpenSSL cannot use
         * covers and allows is unknown (OpenSSL answers "nothing"): its
         * CERT_INVALID says all there is to say. */
        if (cert_invalid(leaf))
                return check_configured_names(&c);

        r = check_names(&c, leaf);
        if (r < 0)
                return r;
        if (strict) {
                r = check_strict_leaf(&c, leaf);
                if (r < 0)
                        return r;
        }
        r = check_subject(&c, leaf);
        if (r < 0)
                return r;
        return check_usage(&c, leaf);
}
