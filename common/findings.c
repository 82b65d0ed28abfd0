#include <stdarg.h>
#include <stdint.h>

#include "findings.h"

static const struct {
        const char *name;
        Severity severity;
        const char *hint;
} code_table[_FINDING_CODE_MAX] = {
        [FINDING_PAIR_INCOMPLETE] = { "PAIR_INCOMPLETE", SEVERITY_ERROR,
                "Upload both <svc>-cert.crt and <svc>-cert.key, or neither (then a self-signed certificate is used)." },
        [FINDING_NOT_PEM] = { "NOT_PEM", SEVERITY_ERROR,
                "Provide the certificate chain in PEM format (text blocks starting with -----BEGIN CERTIFICATE-----)." },
        [FINDING_FILE_TOO_LARGE] = { "FILE_TOO_LARGE", SEVERITY_ERROR,
                "A chain file holds at most 16 certificates in at most 1 MiB: keep only the server certificate and its issuers." },
        [FINDING_PEM_LAYOUT] = { "PEM_LAYOUT", SEVERITY_WARNING,
                "Accepted as is; to tidy it, put each -----BEGIN/-----END marker on its own line, use LF line ends and no text between blocks." },
        [FINDING_KEY_MISSING] = { "KEY_MISSING", SEVERITY_ERROR,
                "Put the unencrypted private key of the server certificate in PEM format into the key file." },
        [FINDING_KEY_MULTIPLE] = { "KEY_MULTIPLE", SEVERITY_ERROR,
                "Keep only the private key that belongs to the server certificate in the key file." },
        [FINDING_KEY_ENCRYPTED] = { "KEY_ENCRYPTED", SEVERITY_ERROR,
                "Remove the passphrase: openssl pkey -in KEY -out KEY.plain (then upload KEY.plain, and keep it safe)." },
        [FINDING_KEY_MISMATCH] = { "KEY_MISMATCH", SEVERITY_ERROR,
                "Upload the private key that was used to create the certificate request for this certificate." },
        [FINDING_CERT_EXPIRING] = { "CERT_EXPIRING", SEVERITY_ERROR,
                "Ask the CA for a certificate (and chain) valid for longer, then upload it again." },
        [FINDING_CERT_NOT_YET_VALID] = { "CERT_NOT_YET_VALID", SEVERITY_ERROR,
                "Check the node's clock, or wait until the certificate's notBefore date before uploading it." },
        [FINDING_CHAIN_ORDER] = { "CHAIN_ORDER", SEVERITY_ERROR,
                "Concatenate the certificates in the order given: server certificate first, each one followed by its issuer." },
        [FINDING_CHAIN_INCOMPLETE] = { "CHAIN_INCOMPLETE", SEVERITY_ERROR,
                "Append the missing issuer certificate (ask the CA for the full chain), or pass it with --trust." },
        [FINDING_CHAIN_UNRELATED] = { "CHAIN_UNRELATED", SEVERITY_ERROR,
                "Remove the certificate: it is not an issuer of the server certificate." },
        [FINDING_CHAIN_SIGNATURE] = { "CHAIN_SIGNATURE", SEVERITY_ERROR,
                "The certificate is corrupt or was replaced: get it again from the CA." },
        [FINDING_CHAIN_CA_FLAGS] = { "CHAIN_CA_FLAGS", SEVERITY_ERROR,
                "Ask the CA for a chain whose issuers are marked CA:TRUE with keyCertSign and whose server certificate is CA:FALSE." },
        [FINDING_CHAIN_ROOT_ADDED] = { "CHAIN_ROOT_ADDED", SEVERITY_WARNING,
                "Make sure the clients trust this root; to be explicit, append it to the chain file." },
        [FINDING_SAN_MISSING] = { "SAN_MISSING", SEVERITY_ERROR,
                "Request the certificate again with every host name as a DNS subjectAltName and every address as an IP subjectAltName (RFC 2818)." },
        [FINDING_SAN_IP_AS_DNS] = { "SAN_IP_AS_DNS", SEVERITY_ERROR,
                "Request the certificate again with the address as an IP subjectAltName (IP:192.0.2.1), not DNS:192.0.2.1." },
        [FINDING_SAN_NOT_COVERED] = { "SAN_NOT_COVERED", SEVERITY_ERROR,
                "Request a certificate whose subjectAltNames include this name, or correct the name in the deployment YAML." },
        [FINDING_XCAP_NAME] = { "XCAP_NAME", SEVERITY_ERROR,
                "Every DNS name in the XCAP certificate must start with 'xcap.', e.g. xcap.ims.mnc001.mcc001.pub.3gppnetwork.org." },
        [FINDING_BSF_NAME] = { "BSF_NAME", SEVERITY_ERROR,
                "The BSF certificate's DNS names must be the XCAP certificate's names with 'xcap' replaced by 'bsf'." },
        [FINDING_NAME_3GPP_FORM] = { "NAME_3GPP_FORM", SEVERITY_WARNING,
                "Use the 3GPP form xcap.ims.mncNNN.mccNNN.pub.3gppnetwork.org, MNC and MCC padded to three digits." },
        [FINDING_SUBJECT_FIELDS] = { "SUBJECT_FIELDS", SEVERITY_WARNING,
                "Request the certificate with C, O, OU and CN in the subject, matching the deployment." },
        [FINDING_WEAK_KEY] = { "WEAK_KEY", SEVERITY_ERROR,
                "Create a new key (RSA 2048 bits or EC P-256) and request the certificate again." },
        [FINDING_WEAK_SIGNATURE] = { "WEAK_SIGNATURE", SEVERITY_ERROR,
                "Ask the CA to issue the certificate with a SHA-256 (or stronger) signature." },
        [FINDING_KEY_USAGE] = { "KEY_USAGE", SEVERITY_ERROR,
                "Request the certificate with keyUsage digitalSignature (and keyEncipherment for RSA)." },
        [FINDING_EKU] = { "EKU", SEVERITY_ERROR,
                "Request the certificate with extendedKeyUsage serverAuth (TLS Web Server Authentication)." },
        [FINDING_PATH_INVALID] = { "PATH_INVALID", SEVERITY_ERROR,
                "Ask the CA for a chain that validates; the message gives OpenSSL's reason." },
        [FINDING_FILE_UNREADABLE] = { "FILE_UNREADABLE", SEVERITY_ERROR,
                "Upload the file as a regular file (not a link, directory or device) that the agent can read." },
        [FINDING_CERT_INVALID] = { "CERT_INVALID", SEVERITY_ERROR,
                "The certificate block is damaged (truncated or edited): copy it again from the CA's file." },
        [FINDING_KEY_INVALID] = { "KEY_INVALID", SEVERITY_ERROR,
                "The key block is damaged or of an unsupported type: export the RSA or EC key again in PEM format." },
        [FINDING_CERT_FORMAT] = { "CERT_FORMAT", SEVERITY_ERROR,
                "The certificate breaks an encoding rule strict TLS clients enforce: ask the CA to issue it again." },
        [FINDING_CONFIG_INVALID] = { "CONFIG_INVALID", SEVERITY_ERROR,
                "Correct the YAML at the line and column given." },
        [FINDING_NAME_INVALID] = { "NAME_INVALID", SEVERITY_ERROR,
                "Give a host name (letters, digits, hyphens, dots) or an IPv4/IPv6 address." },
        [FINDING_CERT_REVOKED] = { "CERT_REVOKED", SEVERITY_ERROR,
                "Get a new certificate from the CA (new key, new request): clients that check revocation refuse a revoked one." },
        [FINDING_CRL_INVALID] = { "CRL_INVALID", SEVERITY_ERROR,
                "Download the current CRL again from the CA (the URL is in the certificate's CRL Distribution Points); if it still fails, ask the CA for a CRL that follows RFC 5280." },
        [FINDING_FILE_IGNORED] = { "FILE_IGNORED", SEVERITY_WARNING,
                "The agent reads only <service>-cert.crt (the chain) and <service>-cert.key (the key), e.g. rem-cert.crt; rename an upload accordingly, or remove files the agent is not to read." },
        [FINDING_PASSWORD] = { "PASSWORD", SEVERITY_ERROR,
                "Give the password with --password-file FILE (a file whose first line is the password)." },
        [FINDING_ALGORITHM_UNAVAILABLE] = { "ALGORITHM_UNAVAILABLE", SEVERITY_ERROR,
                "Have the file exported again with AES-256 (PBES2), or install OpenSSL's legacy provider for RC2/DES." },
        [FINDING_INPUT_FORMAT] = { "INPUT_FORMAT", SEVERITY_ERROR,
                "Give the certificate, chain and key as PEM, DER, PKCS#7 (.p7b) or PKCS#12 (.pfx, .p12)." },
        [FINDING_LEAF_AMBIGUOUS] = { "LEAF_AMBIGUOUS", SEVERITY_ERROR,
                "Give the files of one server certificate only, with its chain and key." },
        [FINDING_CERT_MISSING] = { "CERT_MISSING", SEVERITY_ERROR,
                "Give the server certificate the CA sent (PEM, DER, .p7b or a .pfx holding it)." },
};

static const char *const severity_table[_SEVERITY_MAX] = {
        [SEVERITY_WARNING] = "warning",
        [SEVERITY_ERROR] = "error",
};

const char *finding_code_to_string(FindingCode c) {
        if (c < 0 || c >= _FINDING_CODE_MAX)
                return NULL;
        return code_table[c].name;
}

FindingCode finding_code_from_string(const char *s) {
        if (!s)
                return _FINDING_CODE_INVALID;
        for (int i = 0; i < _FINDING_CODE_MAX; i++)
                if (streq(code_table[i].name, s))
                        return (FindingCode) i;
        return _FINDING_CODE_INVALID;
}

const char *severity_to_string(Severity s) {
        if (s < 0 || s >= _SEVERITY_MAX)
                return NULL;
        return severity_table[s];
}

Severity severity_from_string(const char *s) {
        if (!s)
                return _SEVERITY_INVALID;
        for (int i = 0; i < _SEVERITY_MAX; i++)
                if (streq(severity_table[i], s))
                        return (Severity) i;
        return _SEVERITY_INVALID;
}

Severity finding_code_default_severity(FindingCode c) {
        if (c < 0 || c >= _FINDING_CODE_MAX)
                return SEVERITY_ERROR;
        return code_table[c].severity;
}

const char *finding_code_default_hint(FindingCode c) {
        if (c < 0 || c >= _FINDING_CODE_MAX)
                return NULL;
        return code_table[c].hint;
}

/* ---- printable text ---------------------------------------------------------- */

/* The length of the character at p[0..n) when it may be shown as it is, or 0
 * when its first byte is to be escaped: ASCII but C0 controls and DEL;
 * well-formed UTF-8 (RFC 3629: shortest form, no surrogates, at most
 * U+10FFFF) but C1 controls, the line and paragraph separators and the
 * bidirectional marks, embeddings, overrides and isolates, which reorder or
 * break what a terminal shows. */
static size_t printable_len(const unsigned char *p, size_t n) {
        uint32_t cp;
        size_t len;

        if (p[0] < 0x20 || p[0] == 0x7f)
                return 0;
        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xc2 && p[0] <= 0xdf) {
                cp = p[0] & 0x1f;
                len = 2;
        } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
                cp = p[0] & 0x0f;
                len = 3;
        } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
                cp = p[0] & 0x07;
                len = 4;
        } else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        if (cp <= 0x9f || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
            (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
                return 0;
        return len;
}

static bool needs_escaping(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;

        for (size_t i = 0, k; i < n; i += k) {
                k = printable_len(p + i, n - i);
                if (k == 0)
                        return true;
        }
        return false;
}

char *findings_printable(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;
        char *out, *o;

        if (!s) {
                s = "";
                n = 0;
        }
        if (n > (SIZE_MAX - 1) / 4) {
                errno = ENOMEM;
                return NULL;
        }
        out = o = malloc(4 * n + 1);
        if (!out)
                return NULL;
        for (size_t i = 0; i < n;) {
                size_t k = printable_len(p + i, n - i);

                if (k == 0) {
                        o += snprintf(o, 5, "\\x%02x", p[i]);
                        i++;
                        continue;
                }
                memcpy(o, p + i, k);
                o += k;
                i += k;
        }
        *o = 0;
        return out;
}

void findings_fputs_printable(FILE *out, const char *s) {
        const unsigned char *p = (const unsigned char *) s;
        size_t n;

        if (!s)
                return;
        n = strlen(s);
        for (size_t i = 0; i < n;) {
                size_t k = printable_len(p + i, n - i);

                if (k == 0) {
                        fprintf(out, "\\x%02x", p[i]);
                        i++;
                        continue;
                }
                fwrite(p + i, 1, k, out);
                i += k;
        }
}

/* Replaces *s (NUL-terminated, may be NULL) with its printable form, if it
 * needs one. */
static int make_printable(char **s) {
        char *n;

        if (!*s || !needs_escaping(*s, strlen(*s)))
                return 0;
        n = findings_printable(*s, strlen(*s));
        if (!n)
                return -ENOMEM;
        free(*s);
        *s = n;
        return 0;
}

/* ---- the list ------------------------------------------------------------------ */

static void finding_done(Finding *i) {
        free(i->file);
        free(i->subject);
        free(i->message);
        free(i->hint);
}

static int findings_addv(Findings *f, FindingCode code, Severity sev, const char *file, int line,
                         int column, int cert, const char *subject, const char *hint,
                         const char *fmt, va_list ap) _printf_(10, 0);

static int findings_addv(Findings *f, FindingCode code, Severity sev, const char *file, int line,
                         int column, int cert, const char *subject, const char *hint,
                         const char *fmt, va_list ap) {
        Finding n = {
                .code = code,
                .severity = sev,
                .line = line,
                .column = column,
                .cert = cert,
        };

        if (code < 0 || code >= _FINDING_CODE_MAX || sev < 0 || sev >= _SEVERITY_MAX)
                return -EINVAL;

        if (f->n >= f->allocated) {
                size_t a = f->allocated ? f->allocated * 2 : 8;
                Finding *items = reallocarray(f->items, a, sizeof(Finding));
                if (!items)
                        return -ENOMEM;
                f->items = items;
                f->allocated = a;
        }

        if (vasprintf(&n.message, fmt, ap) < 0) {
                n.message = NULL;
                return -ENOMEM;
        }
        if (!hint)
                hint = code_table[code].hint;
        n.hint = strdup(hint);
        n.file = file ? strdup(file) : NULL;
        n.subject = subject ? strdup(subject) : NULL;
        if (!n.hint || (file && !n.file) || (subject && !n.subject) ||
            make_printable(&n.message) < 0 || make_printable(&n.subject) < 0 ||
            make_printable(&n.hint) < 0) {
                finding_done(&n);
                return -ENOMEM;
        }

        f->items[f->n++] = n;
        return 0;
}

int findings_add(Findings *f, FindingCode code, Severity sev, const char *file, int cert,
                 const char *subject, const char *hint, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = findings_addv(f, code, sev, file, 0, 0, cert, subject, hint, fmt, ap);
        va_end(ap);
        return r;
}

int findings_add_at(Findings *f, FindingCode code, Severity sev, const char *file, int line,
                    int column, const char *hint, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = findings_addv(f, code, sev, file, line, column, -1, NULL, hint, fmt, ap);
        va_end(ap);
        return r;
}

size_t findings_count(const Findings *f, Severity sev) {
        size_t n = 0;

        for (size_t i = 0; i < f->n; i++)
                if (f->items[i].severity == sev)
                        n++;
        return n;
}

bool findings_has_errors(const Findings *f) {
        return findings_count(f, SEVERITY_ERROR) > 0;
}

bool findings_has_code(const Findings *f, FindingCode code) {
        for (size_t i = 0; i < f->n; i++)
                if (f->items[i].code == code)
                        return true;
        return false;
}

int findings_move(Findings *dst, Findings *src) {
        if (src->n == 0)
                return 0;
        if (dst->n + src->n > dst->allocated) {
                size_t a = dst->n + src->n;
                Finding *items = reallocarray(dst->items, a, sizeof(Finding));
                if (!items)
                        return -ENOMEM;
                dst->items = items;
                dst->allocated = a;
        }
        memcpy(dst->items + dst->n, src->items, src->n * sizeof(Finding));
        dst->n += src->n;
        free(src->items);
        *src = (Findings) {};
        return 0;
}

void findings_clear(Findings *f) {
        if (!f)
                return;
        for (size_t i = 0; i < f->n; i++)
                finding_done(&f->items[i]);
        free(f->items);
        *f = (Findings) {};
}

/* Single-quotes s for a shell command line unless it needs no quoting. */
char *findings_shell_quote(const char *s) {
        static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789_-.,/+:@%=";
        size_t n = 2;
        char *q, *o;

        if (s[0] && strspn(s, safe) == strlen(s))
                return strdup(s);
        for (const char *c = s; *c; c++)
                n += *c == '\'' ? 4 : 1;
        q = malloc(n + 1);
        if (!q)
                return NULL;
        o = q;
        *o++ = '\'';
        for (const char *c = s; *c; c++) {
                if (*c == '\'') {
                        memcpy(o, "'\\''", 4);
                        o += 4;
                } else
                        *o++ = *c;
        }
        *o++ = '\'';
        *o = 0;
        return q;
}
