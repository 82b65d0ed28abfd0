#include <stdarg.h>

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
                "Nothing to do; to be explicit, append the root certificate to the chain file." },
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
        if (!n.hint || (file && !n.file) || (subject && !n.subject)) {
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
