#include <stdarg.h>
#include <stddef.h>
#include <strings.h>

#include <openssl/bn.h>

#include <openssl/err.h>
#include <openssl/objects.h>

#include "names.h"
#include "policy.h"
#include "timeutil.h"

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

static int check_key_strength(Ctx *c, X509 *x, bool leaf) {
        EVP_PKEY *k = X509_get0_pubkey(x);
        int bits;

        ERR_clear_error();
        if (!k)
                return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x, NULL,
                           "the public key of this certificate cannot be read (unsupported type?)");
        bits = EVP_PKEY_get_bits(k);
        if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS")) {
                if (bits < 2048)
                        return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x, NULL,
                                   "RSA key of %d bits; at least 2048 are required", bits);
                if (leaf && c->in->profile == PROFILE_INNOVAPHONE && bits > 2048)
                        return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x,
                                   "Create a 2048-bit RSA key and request the certificate again (innovaphone devices limit the key length to save CPU).",
                                   "RSA key of %d bits; the innovaphone profile allows at most 2048",
                                   bits);
                if (bits > 8192)
                        return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x, NULL,
                                   "RSA key of %d bits; at most 8192 are supported", bits);
        } else if (EVP_PKEY_is_a(k, "EC")) {
                if (bits < 256)
                        return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x, NULL,
                                   "EC key of %d bits; at least 256 (P-256) are required", bits);
                if (leaf && c->in->profile == PROFILE_INNOVAPHONE)
                        return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x,
                                   "Create a 2048-bit RSA key and request the certificate again.",
                                   "EC key; the innovaphone profile requires RSA (sha256WithRSAEncryption)");
        } else if (EVP_PKEY_is_a(k, "DSA")) {
                return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x, NULL,
                           "DSA key: TLS clients no longer accept DSA certificates");
        } else if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448")) {
                if (c->in->profile != PROFILE_DEFAULT)
                        return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x, NULL,
                                   "%s key: not accepted by browsers and many TLS clients",
                                   EVP_PKEY_get0_type_name(k));
        } else {
                return add(c, FINDING_WEAK_KEY, SEVERITY_ERROR, x, NULL,
                           "unsupported key type %s", strna(EVP_PKEY_get0_type_name(k)));
        }
        return 0;
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
        if (fclose(m) != 0)
                return NULL;
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

static int check_names(Ctx *c, X509 *leaf) {
        const PolicyInput *in = c->in;
        _cleanup_(strv_freep) char **dns = NULL, **ip = NULL;
        _cleanup_(freep) char *have = NULL;
        bool has_san;
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
                unsigned char buf[16];
                size_t len;
                const char *why = NULL;

                if (!names_parse_ip(*n, buf, &len) && !names_is_hostname(*n)) {
                        r = add(c, FINDING_NAME_INVALID, SEVERITY_ERROR, NULL, NULL,
                                "'%s' is neither a host name nor an IP address", *n);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (names_cert_covers(leaf, *n))
                        continue;
                /* Explain a near miss: a wildcard that would match but is not allowed. */
                for (char **i = dns; i && *i && !why; i++) {
                        NamesWildcard w = names_classify_wildcard(*i);
                        const char *dot = strchr(*n, '.');
                        const char *pdot = strchr(*i, '.');
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

static char *subject_field(X509 *x, int nid) {
        X509_NAME *n = X509_get_subject_name(x);
        int i = X509_NAME_get_index_by_NID(n, nid, -1);
        unsigned char *utf8 = NULL;
        char *s;
        int len;

        if (i < 0)
                return NULL;
        len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
        if (len < 0)
                return NULL;
        s = strndup((char *) utf8, (size_t) len);
        OPENSSL_free(utf8);
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
                _cleanup_(freep) char *v = subject_field(leaf, fields[i].nid);
                const char *want = NULL;

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
                        r = add(c, FINDING_KEY_USAGE, SEVERITY_ERROR, leaf, NULL,
                                "the innovaphone profile requires keyUsage digitalSignature and keyEncipherment");
                        if (r < 0)
                                return r;
                }
                if (xku == UINT32_MAX || !(xku & XKU_SSL_SERVER) || !(xku & XKU_SSL_CLIENT))
                        return add(c, FINDING_EKU, SEVERITY_ERROR, leaf, NULL,
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
        if (!(xku & XKU_SSL_SERVER) && !(in->profile == PROFILE_DEFAULT && (xku & XKU_ANYEKU)))
                return add(c, FINDING_EKU, SEVERITY_ERROR, leaf, NULL,
                           "extendedKeyUsage does not include serverAuth (TLS Web Server Authentication)");
        return 0;
}

/* ---- strict encoding rules ------------------------------------------------------- */

static int check_strict(Ctx *c, X509 *x, bool leaf) {
        const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
        _cleanup_(BN_freep) BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
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
        if (!is_root(x) && !X509_get0_authority_key_id(x)) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        "no authorityKeyIdentifier (required on every certificate but a self-signed root, RFC 5280 4.2.1.1)");
                if (r < 0)
                        return r;
        }
        if (!leaf && !X509_get0_subject_key_id(x)) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        "this CA certificate has no subjectKeyIdentifier (RFC 5280 4.2.1.2)");
                if (r < 0)
                        return r;
        }
        if (X509_get_extension_flags(x) & EXFLAG_INVALID) {
                r = add(c, FINDING_CERT_FORMAT, SEVERITY_ERROR, x, NULL,
                        "an extension of this certificate is malformed or repeated");
                if (r < 0)
                        return r;
        }
        return 0;
}

int policy_check(const PolicyInput *in, Findings *f) {
        Ctx c = { .in = in, .f = f };
        int n = sk_X509_num(in->chain->path), r;
        X509 *leaf = sk_X509_value(in->chain->path, 0);

        /* Validity: every certificate in the file, as the MAG seed asks. */
        for (size_t i = 0; i < in->bundle->n_certs; i++) {
                r = check_validity(&c, in->bundle->certs[i], false);
                if (r < 0)
                        return r;
        }
        /* ... and the root the chain was completed with: the chain stops
         * working when it does. */
        if (in->chain->root_from_trust && n > 0) {
                r = check_validity(&c, sk_X509_value(in->chain->path, n - 1), true);
                if (r < 0)
                        return r;
        }

        for (int i = 0; i < n; i++) {
                X509 *x = sk_X509_value(in->chain->path, i);
                bool from_bundle = chain_bundle_index(in->bundle, x) >= 0;
                bool root = i == n - 1 && in->chain->complete && (is_root(x) || !from_bundle);
                bool trusted_root = root && (!from_bundle || is_anchor(in, x) || is_root(x));

                if (!from_bundle)
                        continue; /* anchors are the operator's own choice */
                r = check_key_strength(&c, x, i == 0);
                if (r < 0)
                        return r;
                r = check_signature(&c, x, trusted_root && i > 0);
                if (r < 0)
                        return r;
                if (in->profile == PROFILE_STRICT) {
                        r = check_strict(&c, x, i == 0);
                        if (r < 0)
                                return r;
                }
        }

        r = check_names(&c, leaf);
        if (r < 0)
                return r;
        r = check_subject(&c, leaf);
        if (r < 0)
                return r;
        return check_usage(&c, leaf);
}
