/* bundle: see bundle.h.
 *
 * The PEM scanner is our own: OpenSSL's reader rejects several of the layouts
 * operators upload (markers sharing a line, odd hyphen counts, a BOM), so the
 * bytes are scanned here, each block's base64 is decoded with EVP_DecodeBlock
 * and only the DER is handed to OpenSSL. Nothing here can prompt for a
 * passphrase: encrypted keys are recognised by their label or RFC 1421
 * headers and never decoded, and the key decoder gets a passphrase callback
 * that always fails. */

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>

#include <openssl/core_dispatch.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>

#include "bundle.h"
#include "fileio.h"

DEFINE_PTR_CLEANUP(OSSL_DECODER_CTX, OSSL_DECODER_CTX_free)
DEFINE_PTR_CLEANUP(PKCS12, PKCS12_free)
DEFINE_PTR_CLEANUP(PKCS7, PKCS7_free)

/* The longest label we recognise; real ones are at most ~25 characters. */
#define LABEL_MAX 64
/* More PEM blocks than this (of any kind) is not a chain or key file, and
 * bounds the work a hostile file can cause. */
#define BUNDLE_MAX_BLOCKS 256

/* A buffer that may hold key material: wiped before it is freed. */
typedef struct SecretBuf {
        unsigned char *p;
        size_t n; /* bytes allocated */
} SecretBuf;

static void secret_buf_done(SecretBuf *b) {
        erase_and_free(b->p, b->n);
        *b = (SecretBuf) {};
}

/* ---- what a block's label says it holds -------------------------------- */

typedef enum BlockKind {
        BLOCK_CERT,          /* CERTIFICATE, X509 CERTIFICATE */
        BLOCK_CERT_AUX,      /* TRUSTED CERTIFICATE */
        BLOCK_KEY_PKCS8,     /* PRIVATE KEY */
        BLOCK_KEY_RSA,       /* RSA PRIVATE KEY */
        BLOCK_KEY_EC,        /* EC PRIVATE KEY */
        BLOCK_KEY_DSA,       /* DSA PRIVATE KEY: unsupported */
        BLOCK_KEY_ENCRYPTED, /* ENCRYPTED PRIVATE KEY */
        BLOCK_KEY_OTHER,     /* any other "... PRIVATE KEY": unsupported */
        BLOCK_CSR,
        BLOCK_PKCS7,
        BLOCK_CRL,
        BLOCK_PUBKEY,
        BLOCK_PARAMS, /* EC/DH parameters: ignored silently (ecparam -genkey, dhparam) */
        BLOCK_OTHER,
} BlockKind;

static const struct {
        const char *label;
        BlockKind kind;
} label_table[] = {
        { "CERTIFICATE", BLOCK_CERT },
        { "X509 CERTIFICATE", BLOCK_CERT },
        { "TRUSTED CERTIFICATE", BLOCK_CERT_AUX },
        { "PRIVATE KEY", BLOCK_KEY_PKCS8 },
        { "RSA PRIVATE KEY", BLOCK_KEY_RSA },
        { "EC PRIVATE KEY", BLOCK_KEY_EC },
        { "DSA PRIVATE KEY", BLOCK_KEY_DSA },
        { "ENCRYPTED PRIVATE KEY", BLOCK_KEY_ENCRYPTED },
        { "CERTIFICATE REQUEST", BLOCK_CSR },
        { "NEW CERTIFICATE REQUEST", BLOCK_CSR },
        { "PKCS7", BLOCK_PKCS7 },
        { "PKCS #7 SIGNED DATA", BLOCK_PKCS7 },
        { "CMS", BLOCK_PKCS7 },
        { "X509 CRL", BLOCK_CRL },
        { "PUBLIC KEY", BLOCK_PUBKEY },
        { "RSA PUBLIC KEY", BLOCK_PUBKEY },
        { "EC PARAMETERS", BLOCK_PARAMS },
        { "DH PARAMETERS", BLOCK_PARAMS },
        { "X9.42 DH PARAMETERS", BLOCK_PARAMS },
};

static BlockKind block_kind(const char *label) {
        size_t n = strlen(label);

        for (size_t i = 0; i < ELEMENTSOF(label_table); i++)
                if (streq(label_table[i].label, label))
                        return label_table[i].kind;
        if (n >= 12 && streq(label + n - 12, " PRIVATE KEY"))
                return BLOCK_KEY_OTHER;
        return BLOCK_OTHER;
}

static bool block_is_cert(BlockKind k) {
        return k == BLOCK_CERT || k == BLOCK_CERT_AUX;
}

static bool block_is_key(BlockKind k) {
        return k >= BLOCK_KEY_PKCS8 && k <= BLOCK_KEY_OTHER;
}

/* ---- markers ------------------------------------------------------------ */

typedef enum MarkerKind {
        MARKER_BEGIN,
        MARKER_END,
} MarkerKind;

/* -----BEGIN LABEL----- and its variants: any number (>= 1) of hyphens on
 * either side, blanks between the hyphens, keyword and label. */
typedef struct Marker {
        MarkerKind kind;
        size_t start;     /* first hyphen of the leading run */
        size_t lead;      /* hyphens in the leading run */
        size_t label_end; /* just past the label's last character */
        size_t trail;     /* hyphens in the trailing run */
        size_t end;       /* just past the trailing run */
        bool spaced;      /* blanks other than the single space after BEGIN/END */
        char label[LABEL_MAX + 1]; /* blank runs collapsed to one space */
} Marker;

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Labels are upper case (RFC 7468 and every label in use); restricting them
 * keeps prose such as "-- end of chain --" from being taken for a marker. */
static bool is_label_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' || c == '.' ||
               c == '_' || c == '/' || c == ',' || c == '+';
}

static bool parse_marker(const char *d, size_t len, size_t i, Marker *ret) {
        Marker m = { .start = i };
        size_t k = i, n, l = 0;

        while (k < len && d[k] == '-')
                k++;
        m.lead = k - i;
        if (m.lead == 0)
                return false;

        n = k;
        while (k < len && is_blank(d[k]))
                k++;
        if (k != n)
                m.spaced = true;

        if (len - k >= 5 && memcmp(d + k, "BEGIN", 5) == 0) {
                m.kind = MARKER_BEGIN;
                k += 5;
        } else if (len - k >= 3 && memcmp(d + k, "END", 3) == 0) {
                m.kind = MARKER_END;
                k += 3;
        } else
                return false;

        n = k;
        while (k < len && is_blank(d[k]))
                k++;
        if (k == n)
                return false; /* "BEGINX": not a marker */
        if (k - n != 1 || d[n] != ' ')
                m.spaced = true;

        for (;;) {
                while (k < len && is_label_char(d[k])) {
                        if (l >= LABEL_MAX)
                                return false;
                        m.label[l++] = d[k++];
                }
                m.label_end = k;
                n = k;
                while (k < len && is_blank(d[k]))
                        k++;
                if (k >= len || !is_label_char(d[k]))
                        break;
                /* a blank run inside the label */
                if (k - n != 1 || d[n] != ' ')
                        m.spaced = true;
                if (l >= LABEL_MAX)
                        return false;
                m.label[l++] = ' ';
        }
        if (l == 0)
                return false;
        m.label[l] = 0;
        if (k != m.label_end)
                m.spaced = true; /* blanks before the trailing hyphens */

        n = k;
        while (k < len && d[k] == '-')
                k++;
        m.trail = k - n;
        if (m.trail == 0)
                return false;
        m.end = k;

        *ret = m;
        return true;
}

/* The next marker starting at or after `from`. */
static bool find_marker(const char *d, size_t len, size_t from, Marker *ret) {
        size_t i = from;

        while (i < len) {
                const char *h = memchr(d + i, '-', len - i);
                if (!h)
                        return false;
                i = (size_t) (h - d);
                if (parse_marker(d, len, i, ret))
                        return true;
                while (i < len && d[i] == '-')
                        i++;
        }
        return false;
}

/* ---- the parser's state ------------------------------------------------- */

typedef enum OtherKind {
        OTHER_CSR = 1 << 0,
        OTHER_PKCS7 = 1 << 1,
        OTHER_CRL = 1 << 2,
        OTHER_PUBKEY = 1 << 3,
        OTHER_UNKNOWN = 1 << 4,
} OtherKind;

#define OTHER_LABELS_MAX 4

typedef struct Parser {
        Bundle *b;
        Findings found;     /* this file's findings, moved to the caller's list at the end */
        const char *path;   /* for Finding.file */
        char *name;         /* path for messages: control characters replaced */
        char *qname;        /* name quoted for a shell command in a hint */
        const char *d;      /* after the BOM */
        size_t len;
        size_t n_blocks;
        size_t n_cert_blocks; /* every certificate block, valid or not */
        size_t n_key_blocks;  /* every private key block, valid or not */
        size_t n_bad_keys;
        size_t key_alloc;
        unsigned other;     /* OtherKind */
        char other_labels[OTHER_LABELS_MAX][LABEL_MAX + 1];
        size_t n_other_labels;
        bool too_many_certs;
        bool too_many_blocks;
        size_t max_certs;   /* BUNDLE_MAX_CERTS, or more for a trust file */
        size_t max_blocks;
        size_t max_bytes;
} Parser;

static void parser_done(Parser *p) {
        findings_clear(&p->found);
        free(p->name);
        free(p->qname);
}

static char *display_name(const char *path) {
        char *s = strdup(path ? path : "(unnamed)");

        if (!s)
                return NULL;
        for (char *c = s; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        *c = '?';
        return s;
}


/* "1 (the 2nd)" for block i (0-based): the 0-based number every finding
 * uses, with the 1-based position people count in. */
static const char *ordinal(size_t i, char buf[static 32]) {
        size_t n = i + 1;
        const char *suffix = "th";

        if (n % 100 < 11 || n % 100 > 13) {
                if (n % 10 == 1)
                        suffix = "st";
                else if (n % 10 == 2)
                        suffix = "nd";
                else if (n % 10 == 3)
                        suffix = "rd";
        }
        snprintf(buf, 32, "%zu (the %zu%s)", i, n, suffix);
        return buf;
}

static char *strf(const char *fmt, ...) _printf_(1, 2);

/* asprintf() that returns NULL on failure. */
static char *strf(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* A hint naming the file: every "{}" in text becomes the quoted name. */
static char *hint_for(const Parser *p, const char *text) {
        size_t n = 0, k = strlen(p->qname);
        char *s, *o;

        for (const char *c = text; *c; c++)
                n += c[0] == '{' && c[1] == '}' ? k : 1;
        s = malloc(n + 1);
        if (!s)
                return NULL;
        o = s;
        for (const char *c = text; *c; c++) {
                if (c[0] == '{' && c[1] == '}') {
                        memcpy(o, p->qname, k);
                        o += k;
                        c++;
                } else
                        *o++ = *c;
        }
        *o = 0;
        return s;
}

static int add_finding(Parser *p, FindingCode code, int cert, const char *subject,
                       const char *hint, const char *fmt, ...) _printf_(6, 7);

static int add_finding(Parser *p, FindingCode code, int cert, const char *subject,
                       const char *hint, const char *fmt, ...) {
        va_list ap;
        char *msg;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM; /* msg is undefined */
        r = findings_add(&p->found, code, finding_code_default_severity(code), p->path, cert,
                         subject, hint, "%s", msg);
        free(msg);
        return r;
}

static void note_other(Parser *p, BlockKind k, const char *label) {
        switch (k) {
        case BLOCK_CSR:
                p->other |= OTHER_CSR;
                break;
        case BLOCK_PKCS7:
                p->other |= OTHER_PKCS7;
                break;
        case BLOCK_CRL:
                p->other |= OTHER_CRL;
                break;
        case BLOCK_PUBKEY:
                p->other |= OTHER_PUBKEY;
                break;
        case BLOCK_OTHER:
                p->other |= OTHER_UNKNOWN;
                break;
        default:
                return;
        }
        for (size_t i = 0; i < p->n_other_labels; i++)
                if (streq(p->other_labels[i], label))
                        return;
        if (p->n_other_labels < OTHER_LABELS_MAX)
                strcpy(p->other_labels[p->n_other_labels++], label);
}

/* ---- layout ------------------------------------------------------------- */

static void note_text(Parser *p, size_t from, size_t to) {
        for (size_t i = from; i < to && i < p->len; i++)
                if (!is_space(p->d[i])) {
                        p->b->layout |= BUNDLE_LAYOUT_TEXT;
                        return;
                }
}

/* Is the marker alone on its line, with five hyphens on each side? A hyphen
 * run shared with a neighbouring marker on the same line is already an inline
 * marker, so its length is not judged as well. Spaces and hyphen counts other
 * than five are accepted (the Metaswitch documentation warns that the number
 * of hyphens varies) but reported as BUNDLE_LAYOUT_MARKER_FORM, because
 * OpenSSL's own PEM reader, and so most servers, reject such markers. */
static void note_marker(Parser *p, const Marker *m) {
        const char *d = p->d;
        size_t k = m->start;
        bool inline_before = false, inline_after = false, indented = false;

        while (k > 0 && is_blank(d[k - 1])) {
                k--;
                indented = true;
        }
        if (k > 0 && d[k - 1] != '\n' && d[k - 1] != '\r')
                inline_before = true;

        k = m->end;
        while (k < p->len && (is_blank(d[k]) || d[k] == '\r'))
                k++;
        if (k < p->len && d[k] != '\n')
                inline_after = true;

        if (inline_before || inline_after)
                p->b->layout |= BUNDLE_LAYOUT_INLINE_MARKER;
        if ((indented && !inline_before) || m->spaced || (!inline_before && m->lead != 5) ||
            (!inline_after && m->trail != 5))
                p->b->layout |= BUNDLE_LAYOUT_MARKER_FORM;
}

/* ---- block bodies ------------------------------------------------------- */

static bool has_prefix_ci(const char *s, size_t n, const char *prefix) {
        size_t k = strlen(prefix);
        return n >= k && strncasecmp(s, prefix, k) == 0;
}

static bool contains(const char *s, size_t n, const char *needle) {
        return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* Skips RFC 1421 headers (lines with a colon, continuation lines starting
 * with a blank, up to a blank line) at the start of a body. Base64 has no
 * colon, so a colon on the first line means headers. A missing blank line
 * after them is tolerated. Returns the offset of the base64. */
static size_t skip_headers(const char *s, size_t n, bool *ret_encrypted) {
        size_t i = 0;
        bool encrypted = false;

        while (i < n && is_space(s[i]))
                i++;
        while (i < n) {
                const char *nl = memchr(s + i, '\n', n - i);
                size_t e = nl ? (size_t) (nl - s) : n, t = i;

                while (t < e && is_space(s[t]))
                        t++;
                if (t == e) { /* the blank line that ends the headers */
                        i = e < n ? e + 1 : n;
                        break;
                }
                if (!memchr(s + i, ':', e - i) && !is_blank(s[i]))
                        break; /* base64 already */
                if ((has_prefix_ci(s + i, e - i, "Proc-Type:") &&
                     contains(s + i, e - i, "ENCRYPTED")) ||
                    has_prefix_ci(s + i, e - i, "DEK-Info:"))
                        encrypted = true;
                i = e < n ? e + 1 : n;
        }
        *ret_encrypted = encrypted;
        return i;
}

static bool is_b64_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '/';
}

/* Decodes base64, ignoring whitespace. Returns 1 and the DER, 0 with a reason
 * when the body is not valid base64, or -ENOMEM. */
static int b64_decode(const char *s, size_t n, SecretBuf *ret, size_t *ret_len,
                      const char **ret_why) {
        _cleanup_(secret_buf_done) SecretBuf text = {}, der = {};
        size_t k = 0, pad = 0;
        int r;

        if (n > INT_MAX / 2)
                return -EFBIG; /* cannot happen below BUNDLE_MAX_BYTES */

        text.n = n + 1;
        text.p = malloc(text.n);
        if (!text.p)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (is_space(c))
                        continue;
                if (c == '=') {
                        pad++;
                } else if (!is_b64_char(c) || pad > 0) {
                        *ret_why = pad > 0 ? "it has data after the base64 padding"
                                           : "it holds characters that are not base64";
                        return 0;
                }
                text.p[k++] = (unsigned char) c;
        }
        if (k == 0) {
                *ret_why = "it is empty";
                return 0;
        }
        if (k % 4 != 0 || pad > 2) {
                *ret_why = "its base64 is truncated (a line is missing or cut short)";
                return 0;
        }

        der.n = k / 4 * 3 + 1;
        der.p = malloc(der.n);
        if (!der.p)
                return -ENOMEM;
        r = EVP_DecodeBlock(der.p, text.p, (int) k);
        if (r < 0 || (size_t) r < pad) {
                *ret_why = "its base64 does not decode";
                return 0;
        }
        *ret_len = (size_t) r - pad;
        *ret = der;
        der = (SecretBuf) {};
        return 1;
}

/* ---- certificates ------------------------------------------------------- */

static int bundle_add_cert(Bundle *b, X509 *x) {
        X509 **a = reallocarray(b->certs, b->n_certs + 1, sizeof(X509 *));

        if (!a)
                return -ENOMEM;
        b->certs = a;
        b->certs[b->n_certs++] = x;
        return 0;
}

static int handle_cert(Parser *p, BlockKind kind, const char *body, size_t n) {
        _cleanup_(secret_buf_done) SecretBuf der = {};
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(freep) char *subject = NULL;
        const unsigned char *q;
        const char *why = NULL;
        size_t der_len = 0, index = p->n_cert_blocks++, skip;
        bool encrypted;
        char ord[32];
        int r;

        if (p->n_cert_blocks > p->max_certs) {
                p->too_many_certs = true;
                return 0;
        }

        /* RFC 1421 headers on a certificate mean nothing: skip them. */
        skip = skip_headers(body, n, &encrypted);
        body += skip;
        n -= skip;
        r = b64_decode(body, n, &der, &der_len, &why);
        if (r < 0)
                return r;
        if (r == 0)
                return add_finding(p, FINDING_CERT_INVALID, (int) index, NULL, NULL,
                                   "Certificate %s in %s is damaged: %s",
                                   ordinal(index, ord), p->name, why);
        if (der_len > LONG_MAX)
                return -EFBIG;

        q = der.p;
        x = kind == BLOCK_CERT_AUX ? d2i_X509_AUX(NULL, &q, (long) der_len)
                                   : d2i_X509(NULL, &q, (long) der_len);
        if (!x)
                return add_finding(p, FINDING_CERT_INVALID, (int) index, NULL, NULL,
                                   "Certificate %s in %s is damaged: its contents are not a "
                                   "certificate (truncated or edited)",
                                   ordinal(index, ord), p->name);
        if ((size_t) (q - der.p) != der_len) {
                subject = x509_subject_string(x);
                if (!subject)
                        return -ENOMEM;
                return add_finding(p, FINDING_CERT_INVALID, (int) index, subject, NULL,
                                   "Certificate %s in %s is damaged: %zu extra bytes follow "
                                   "the certificate inside its block",
                                   ordinal(index, ord), p->name,
                                   der_len - (size_t) (q - der.p));
        }

        r = bundle_add_cert(p->b, x);
        if (r < 0)
                return r;
        TAKE_PTR(x);
        return 0;
}

/* ---- private keys ------------------------------------------------------- */

/* Never supply a passphrase, and never let OpenSSL ask for one. */
static int no_passphrase(char *pass, size_t pass_size, size_t *pass_len, const OSSL_PARAM params[],
                         void *arg) {
        return 0;
}

/* Decodes a private key from DER. structure and keytype as for
 * OSSL_DECODER_CTX_new_for_pkey (NULL: any). Returns 1 and the key, 0 if it
 * does not decode or bytes are left over, -ENOMEM. */
static int key_from_der(const unsigned char *der, size_t n, const char *structure,
                        const char *keytype, EVP_PKEY **ret) {
        _cleanup_(OSSL_DECODER_CTX_freep) OSSL_DECODER_CTX *ctx = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        const unsigned char *q = der;
        size_t left = n;

        ctx = OSSL_DECODER_CTX_new_for_pkey(&k, "DER", structure, keytype,
                                            OSSL_KEYMGMT_SELECT_KEYPAIR, NULL, NULL);
        if (!ctx)
                return -ENOMEM;
        if (OSSL_DECODER_CTX_set_passphrase_cb(ctx, no_passphrase, NULL) != 1)
                return -ENOMEM;
        if (OSSL_DECODER_from_data(ctx, &q, &left) != 1 || !k || left != 0)
                return 0;
        *ret = TAKE_PTR(k);
        return 1;
}

static int bundle_add_key(Parser *p, EVP_PKEY *k) {
        Bundle *b = p->b;

        if (b->n_keys >= p->key_alloc) {
                size_t a = p->key_alloc ? p->key_alloc * 2 : 2;
                EVP_PKEY **n = reallocarray(b->keys, a, sizeof(EVP_PKEY *));
                if (!n)
                        return -ENOMEM;
                b->keys = n;
                p->key_alloc = a;
        }
        b->keys[b->n_keys++] = k;
        return 0;
}

static int key_invalid(Parser *p, size_t index, const char *hint, const char *why) {
        char ord[32];

        p->n_bad_keys++;
        return add_finding(p, FINDING_KEY_INVALID, -1, NULL, hint, "Private key %s in %s %s",
                           ordinal(index, ord), p->name, why);
}

static int handle_key(Parser *p, BlockKind kind, const char *label, const char *body, size_t n) {
        _cleanup_(secret_buf_done) SecretBuf der = {};
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        _cleanup_(freep) char *hint = NULL, *why_msg = NULL;
        size_t der_len = 0, index = p->n_key_blocks++, skip;
        const char *why = NULL, *structure = NULL, *keytype = NULL;
        bool encrypted = false;
        char ord[32];
        int r;

        skip = skip_headers(body, n, &encrypted);
        if (kind == BLOCK_KEY_ENCRYPTED || encrypted) {
                p->b->n_encrypted_keys++;
                hint = hint_for(p, "Remove the passphrase: openssl pkey -in {} -out {}.plain, "
                                   "then upload {}.plain in its place (and keep it safe).");
                if (!hint)
                        return -ENOMEM;
                return add_finding(p, FINDING_KEY_ENCRYPTED, -1, NULL, hint,
                                   "Private key %s in %s is encrypted (protected by a "
                                   "passphrase); the agent cannot use it",
                                   ordinal(index, ord), p->name);
        }

        switch (kind) {
        case BLOCK_KEY_DSA:
                return key_invalid(p, index, NULL,
                                   "is a DSA key: DSA keys are not supported, use RSA or EC");
        case BLOCK_KEY_OTHER:
                why_msg = strf("is in a format the agent does not read (%s)", label);
                if (!why_msg)
                        return -ENOMEM;
                return key_invalid(p, index, NULL, why_msg);
        case BLOCK_KEY_PKCS8:
                structure = "PrivateKeyInfo";
                break;
        case BLOCK_KEY_RSA:
                structure = "type-specific";
                keytype = "RSA";
                break;
        case BLOCK_KEY_EC:
                structure = "type-specific";
                keytype = "EC";
                break;
        default:
                return -EINVAL;
        }

        r = b64_decode(body + skip, n - skip, &der, &der_len, &why);
        if (r < 0)
                return r;
        if (r == 0) {
                why_msg = strf("is damaged: %s", why);
                if (!why_msg)
                        return -ENOMEM;
                return key_invalid(p, index, NULL, why_msg);
        }
        r = key_from_der(der.p, der_len, structure, keytype, &k);
        if (r < 0)
                return r;
        if (r == 0)
                return key_invalid(p, index, NULL,
                                   "is damaged: its contents are not a private key (truncated or "
                                   "edited)");
        if (EVP_PKEY_is_a(k, "DSA"))
                return key_invalid(p, index, NULL,
                                   "is a DSA key: DSA keys are not supported, use RSA or EC");

        r = bundle_add_key(p, k);
        if (r < 0)
                return r;
        TAKE_PTR(k);
        return 0;
}

/* ---- blocks ------------------------------------------------------------- */

static int handle_block(Parser *p, const Marker *begin, const char *body, size_t n) {
        BlockKind kind = block_kind(begin->label);

        if (block_is_cert(kind))
                return handle_cert(p, kind, body, n);
        if (block_is_key(kind))
                return handle_key(p, kind, begin->label, body, n);
        note_other(p, kind, begin->label);
        return 0;
}

/* A BEGIN without its END: truncated, or the END was mistyped. */
static int handle_broken(Parser *p, const Marker *begin, const Marker *other) {
        BlockKind kind = block_kind(begin->label);
        _cleanup_(freep) char *why = NULL;
        char ord[32];

        if (!other)
                why = strf("has no END %s marker (is the file truncated?)", begin->label);
        else if (other->kind == MARKER_BEGIN)
                why = strf("has no END %s marker before the next BEGIN %s", begin->label,
                           other->label);
        else
                why = strf("ends with END %s instead of END %s", other->label, begin->label);
        if (!why)
                return -ENOMEM;

        if (block_is_cert(kind)) {
                size_t index = p->n_cert_blocks++;
                if (p->n_cert_blocks > p->max_certs) {
                        p->too_many_certs = true;
                        return 0;
                }
                return add_finding(p, FINDING_CERT_INVALID, (int) index, NULL, NULL,
                                   "Certificate %s in %s %s", ordinal(index, ord), p->name,
                                   why);
        }
        if (block_is_key(kind))
                return key_invalid(p, p->n_key_blocks++, NULL, why);
        note_other(p, kind, begin->label);
        return 0;
}

/* An END with no BEGIN before it: the BEGIN line was lost. */
static int handle_stray_end(Parser *p, const Marker *end) {
        BlockKind kind = block_kind(end->label);
        char ord[32];

        if (block_is_cert(kind)) {
                size_t index = p->n_cert_blocks++;
                if (p->n_cert_blocks > p->max_certs) {
                        p->too_many_certs = true;
                        return 0;
                }
                return add_finding(p, FINDING_CERT_INVALID, (int) index, NULL, NULL,
                                   "Certificate %s in %s has an END %s marker without a BEGIN "
                                   "%s before it",
                                   ordinal(index, ord), p->name, end->label, end->label);
        }
        if (block_is_key(kind)) {
                _cleanup_(freep) char *why = NULL;

                why = strf("has an END %s marker without a BEGIN %s before it", end->label,
                           end->label);
                if (!why)
                        return -ENOMEM;
                return key_invalid(p, p->n_key_blocks++, NULL, why);
        }
        p->b->layout |= BUNDLE_LAYOUT_TEXT;
        return 0;
}

static int count_block(Parser *p) {
        if (++p->n_blocks > p->max_blocks) {
                p->too_many_blocks = true;
                return 1;
        }
        return 0;
}

/* Walks the markers. Returns whether any marker was seen, or -ENOMEM. */
static int scan(Parser *p) {
        const char *d = p->d;
        size_t pos = 0, from = 0;
        bool any = false;
        Marker m, e;
        int r;

        while (!p->too_many_certs && find_marker(d, p->len, from, &m)) {
                any = true;
                if (count_block(p))
                        break;
                if (m.start > pos)
                        note_text(p, pos, m.start);
                note_marker(p, &m);

                if (m.kind == MARKER_END) {
                        r = handle_stray_end(p, &m);
                        if (r < 0)
                                return r;
                        pos = m.end > pos ? m.end : pos;
                        from = m.label_end;
                        continue;
                }

                /* From the label: a hyphen run may be shared, as in
                 * "-----BEGIN X----------END X-----". */
                if (!find_marker(d, p->len, m.label_end, &e)) {
                        r = handle_broken(p, &m, NULL);
                        if (r < 0)
                                return r;
                        pos = p->len;
                        break;
                }
                if (e.kind == MARKER_BEGIN) {
                        r = handle_broken(p, &m, &e);
                        if (r < 0)
                                return r;
                        pos = e.start;
                        from = e.start;
                        continue;
                }
                note_marker(p, &e);
                if (!streq(m.label, e.label))
                        r = handle_broken(p, &m, &e);
                else
                        r = handle_block(p, &m, d + m.end,
                                         e.start > m.end ? e.start - m.end : 0);
                if (r < 0)
                        return r;
                pos = e.end;
                from = e.label_end;
        }
        if (pos < p->len && !p->too_many_certs && !p->too_many_blocks)
                note_text(p, pos, p->len);
        return any;
}

/* ---- files that are not PEM -------------------------------------------- */

typedef enum NotPem {
        NOT_PEM_EMPTY,
        NOT_PEM_DER_CERT,
        NOT_PEM_DER_KEY,
        NOT_PEM_PKCS12,
        NOT_PEM_DER_PKCS7,
        NOT_PEM_BINARY,
        NOT_PEM_TEXT,
} NotPem;

/* Text is printable ASCII, UTF-8 (any byte >= 0x80), whitespace, and the
 * SUB and ESC that old editors and terminals leave behind. */
static bool is_binary(const char *d, size_t len) {
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) d[i];
                if ((c < 0x20 && !is_space((char) c) && c != 0x1a && c != 0x1b) || c == 0x7f)
                        return true;
        }
        return false;
}

static int classify(const char *d, size_t len, NotPem *ret) {
        const unsigned char *u = (const unsigned char *) d;
        size_t i = 0;

        while (i < len && is_space(d[i]))
                i++;
        if (i == len) {
                *ret = NOT_PEM_EMPTY;
                return 0;
        }

        if (u[0] == 0x30 && len <= LONG_MAX) {
                const unsigned char *q = u;
                _cleanup_(X509_freep) X509 *x = d2i_X509(NULL, &q, (long) len);
                if (x && q == u + len) {
                        *ret = NOT_PEM_DER_CERT;
                        return 0;
                }

                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
                int r = key_from_der(u, len, NULL, NULL, &k);
                if (r < 0)
                        return r;
                if (r > 0) {
                        *ret = NOT_PEM_DER_KEY;
                        return 0;
                }

                q = u;
                _cleanup_(PKCS12_freep) PKCS12 *p12 = d2i_PKCS12(NULL, &q, (long) len);
                if (p12 && q == u + len) {
                        *ret = NOT_PEM_PKCS12;
                        return 0;
                }

                q = u;
                _cleanup_(PKCS7_freep) PKCS7 *p7 = d2i_PKCS7(NULL, &q, (long) len);
                if (p7 && q == u + len) {
                        *ret = NOT_PEM_DER_PKCS7;
                        return 0;
                }
        }

        *ret = is_binary(d, len) ? NOT_PEM_BINARY : NOT_PEM_TEXT;
        return 0;
}

static int report_not_pem(Parser *p, unsigned expect, NotPem what) {
        _cleanup_(freep) char *hint = NULL;
        const char *name = p->name;
        int r;

        switch (what) {
        case NOT_PEM_DER_CERT:
                hint = hint_for(p, "Convert it: openssl x509 -inform der -in {} -out {}.pem, "
                                   "then upload {}.pem in its place.");
                break;
        case NOT_PEM_DER_KEY:
                hint = hint_for(p, "Convert it: openssl pkey -inform der -in {} -out {}.pem, "
                                   "then upload {}.pem in its place.");
                break;
        case NOT_PEM_PKCS12:
                hint = hint_for(p, "Convert it: openssl pkcs12 -in {} -nodes -out {}.pem, "
                                   "then upload the certificates and the key from {}.pem.");
                break;
        case NOT_PEM_DER_PKCS7:
                hint = hint_for(p, "Extract the certificates: openssl pkcs7 -inform der "
                                   "-print_certs -in {} -out {}.pem, then upload {}.pem.");
                break;
        default:
                break;
        }
        if (what >= NOT_PEM_DER_CERT && what <= NOT_PEM_DER_PKCS7 && !hint)
                return -ENOMEM;

        if (expect & BUNDLE_EXPECT_CERTS) {
                switch (what) {
                case NOT_PEM_EMPTY:
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, NULL, "%s is empty", name);
                        break;
                case NOT_PEM_DER_CERT:
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, hint,
                                        "%s holds a certificate in DER (binary) form, not PEM",
                                        name);
                        break;
                case NOT_PEM_DER_KEY:
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, hint,
                                        "%s holds a private key in DER (binary) form, not a PEM "
                                        "certificate",
                                        name);
                        break;
                case NOT_PEM_PKCS12:
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, hint,
                                        "%s is a PKCS#12 (.p12/.pfx) keystore, not PEM", name);
                        break;
                case NOT_PEM_DER_PKCS7:
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, hint,
                                        "%s is a PKCS#7 (.p7b) file in DER form, not PEM", name);
                        break;
                case NOT_PEM_BINARY:
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, NULL,
                                        "%s is a binary file, not PEM text", name);
                        break;
                default:
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, NULL,
                                        "%s holds no PEM block (no -----BEGIN CERTIFICATE----- "
                                        "line)",
                                        name);
                        break;
                }
                if (r < 0)
                        return r;
        }

        if (expect & BUNDLE_EXPECT_KEY) {
                switch (what) {
                case NOT_PEM_EMPTY:
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL, "%s is empty",
                                        name);
                        break;
                case NOT_PEM_DER_CERT:
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL,
                                        "%s holds a certificate in DER form, not a private key",
                                        name);
                        break;
                case NOT_PEM_DER_KEY:
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, hint,
                                        "%s holds a private key in DER (binary) form, not PEM",
                                        name);
                        break;
                case NOT_PEM_PKCS12:
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, hint,
                                        "%s is a PKCS#12 (.p12/.pfx) keystore, not a PEM private "
                                        "key",
                                        name);
                        break;
                case NOT_PEM_DER_PKCS7:
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL,
                                        "%s is a PKCS#7 (.p7b) file, not a private key", name);
                        break;
                case NOT_PEM_BINARY:
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL,
                                        "%s is a binary file, not a PEM private key", name);
                        break;
                default:
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL,
                                        "%s holds no PEM block (no \"BEGIN PRIVATE KEY\" line "
                                        "between rows of hyphens)",
                                        name);
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* PEM, but without what the caller expects. Other blocks explain why. */
static int report_missing(Parser *p, unsigned expect) {
        _cleanup_(freep) char *hint = NULL;
        const char *name = p->name;
        int r;

        if ((expect & BUNDLE_EXPECT_CERTS) && p->n_cert_blocks == 0) {
                if (p->other & OTHER_CSR)
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL,
                                        "Send the request to the CA and upload the certificate "
                                        "(and chain) it returns.",
                                        "%s holds a certificate signing request, not a "
                                        "certificate",
                                        name);
                else if (p->other & OTHER_PKCS7) {
                        hint = hint_for(p, "Extract the certificates: openssl pkcs7 -print_certs "
                                           "-in {} -out {}.pem, then upload {}.pem.");
                        if (!hint)
                                return -ENOMEM;
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, hint,
                                        "%s holds a PKCS#7 structure, not PEM certificates", name);
                } else if (p->other & OTHER_CRL)
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, NULL,
                                        "%s holds a certificate revocation list, not a "
                                        "certificate",
                                        name);
                else if (p->other & OTHER_PUBKEY)
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, NULL,
                                        "%s holds a public key, not a certificate", name);
                else if (p->n_key_blocks > 0)
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, NULL,
                                        "%s holds a private key but no certificate", name);
                else
                        r = add_finding(p, FINDING_NOT_PEM, -1, NULL, NULL,
                                        "%s holds no CERTIFICATE block", name);
                if (r < 0)
                        return r;
        }

        /* An encrypted or damaged key has its own finding already. */
        if ((expect & BUNDLE_EXPECT_KEY) && p->n_key_blocks == 0) {
                if (p->other & OTHER_CSR)
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL,
                                        "%s holds a certificate signing request, not a private "
                                        "key",
                                        name);
                else if (p->other & OTHER_PUBKEY)
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL,
                                        "%s holds a public key, not the private key", name);
                else if (p->n_cert_blocks > 0)
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL,
                                        "%s holds certificates but no private key", name);
                else
                        r = add_finding(p, FINDING_KEY_MISSING, -1, NULL, NULL,
                                        "%s holds no private key block", name);
                if (r < 0)
                        return r;
        }

        if ((expect & BUNDLE_EXPECT_KEY) && p->b->n_keys > 1) {
                r = add_finding(p, FINDING_KEY_MULTIPLE, -1, NULL, NULL,
                                "%s holds %zu private keys; it must hold exactly one", name,
                                p->b->n_keys);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* One PEM_LAYOUT warning naming every quirk, added to f ahead of the rest. */
static int report_layout(Parser *p, Findings *f) {
        _cleanup_(freep) char *list = NULL;
        unsigned l = p->b->layout;
        size_t n = 0;
        FILE *s;

        if (l == 0)
                return 0;

        s = open_memstream(&list, &n);
        if (!s)
                return -ENOMEM;
#define ITEM(flag, text)                                             \
        if (l & (flag))                                              \
                fprintf(s, "%s%s", ftell(s) > 0 ? ", " : "", (text));
        ITEM(BUNDLE_LAYOUT_CRLF, "CR LF line ends");
        ITEM(BUNDLE_LAYOUT_BOM, "a UTF-8 byte-order mark");
        ITEM(BUNDLE_LAYOUT_TEXT, "text outside the PEM blocks");
        ITEM(BUNDLE_LAYOUT_INLINE_MARKER, "a BEGIN or END marker sharing its line");
        ITEM(BUNDLE_LAYOUT_MARKER_FORM, "markers with extra spaces or not five hyphens");
#undef ITEM
        if (l & BUNDLE_LAYOUT_OTHER_BLOCK) {
                fprintf(s, "%signored ", ftell(s) > 0 ? ", " : "");
                for (size_t i = 0; i < p->n_other_labels; i++)
                        fprintf(s, "%s%s", i > 0 ? "/" : "", p->other_labels[i]);
                fputs(" blocks", s);
        }
        if (fclose(s) != 0 || !list)
                return -ENOMEM;

        return findings_add(f, FINDING_PEM_LAYOUT, SEVERITY_WARNING, p->path, -1, NULL, NULL,
                            "%s was accepted, but its PEM layout is unusual: %s", p->name, list);
}

/* ---- entry points ------------------------------------------------------- */

static Bundle *bundle_new(const char *path) {
        Bundle *b = calloc(1, sizeof(Bundle));

        if (!b)
                return NULL;
        if (path) {
                b->path = strdup(path);
                if (!b->path)
                        return bundle_free(b);
        }
        return b;
}

static void bundle_empty(Bundle *b) {
        for (size_t i = 0; i < b->n_certs; i++)
                X509_free(b->certs[i]);
        free(b->certs);
        b->certs = NULL;
        b->n_certs = 0;
        for (size_t i = 0; i < b->n_keys; i++)
                EVP_PKEY_free(b->keys[i]);
        free(b->keys);
        b->keys = NULL;
        b->n_keys = 0;
        b->n_encrypted_keys = 0;
        b->layout = 0;
}

Bundle *bundle_free(Bundle *b) {
        if (!b)
                return NULL;
        bundle_empty(b);
        free(b->path);
        free(b);
        return NULL;
}

int bundle_parse(const char *path, const void *data, size_t len, unsigned expect, Bundle **ret,
                 Findings *f) {
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(parser_done) Parser p = { .path = path };
        int r;

        if (!data && len > 0)
                return -EINVAL;

        b = bundle_new(path);
        if (!b)
                return -ENOMEM;
        if (EVP_Digest(data ? data : "", len, b->sha256, NULL, EVP_sha256(), NULL) != 1)
                return -ENOMEM;
        b->has_sha256 = true;
        p.b = b;
        p.name = display_name(path);
        if (!p.name)
                return -ENOMEM;
        p.qname = findings_shell_quote(p.name);
        if (!p.qname)
                return -ENOMEM;

        if (expect & BUNDLE_TRUST_FILE) {
                p.max_certs = BUNDLE_TRUST_MAX_CERTS;
                p.max_blocks = 2 * BUNDLE_TRUST_MAX_CERTS;
                p.max_bytes = BUNDLE_TRUST_MAX_BYTES;
        } else {
                p.max_certs = BUNDLE_MAX_CERTS;
                p.max_blocks = BUNDLE_MAX_BLOCKS;
                p.max_bytes = BUNDLE_MAX_BYTES;
        }
        if (len > p.max_bytes) {
                r = findings_add(f, FINDING_FILE_TOO_LARGE, SEVERITY_ERROR, path, -1, NULL, NULL,
                                 "%s is larger than %zu MiB (%zu bytes)", p.name,
                                 p.max_bytes >> 20, len);
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(b);
                return 0;
        }

        p.d = data ? data : "";
        p.len = len;
        if (len >= 3 && memcmp(p.d, "\xef\xbb\xbf", 3) == 0) {
                b->layout |= BUNDLE_LAYOUT_BOM;
                p.d += 3;
                p.len -= 3;
        }

        /* OpenSSL's errors about the uploaded bytes are ours to drop. */
        ERR_set_mark();
        r = scan(&p);
        ERR_pop_to_mark();
        if (r < 0)
                return r;

        if (p.too_many_certs || p.too_many_blocks) {
                /* Nothing else is checked on a file that is too large. */
                bundle_empty(b);
                r = findings_add(f, FINDING_FILE_TOO_LARGE, SEVERITY_ERROR, path, -1, NULL, NULL,
                                 p.too_many_certs ? "%s holds more than %zu certificates"
                                                  : "%s holds more than %zu PEM blocks",
                                 p.name, p.too_many_certs ? p.max_certs : p.max_blocks);
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(b);
                return 0;
        }

        if (r == 0) {
                NotPem what = NOT_PEM_BINARY;

                /* No marker at all: say what the file is instead. */
                b->layout = 0;
                ERR_set_mark();
                r = classify(p.d, p.len, &what);
                ERR_pop_to_mark();
                if (r < 0)
                        return r;
                r = report_not_pem(&p, expect, what);
                if (r < 0)
                        return r;
        } else {
                if (memchr(p.d, '\r', p.len))
                        b->layout |= BUNDLE_LAYOUT_CRLF;
                /* Other blocks beside a certificate or key are a layout matter;
                 * alone, the missing-part finding explains them. */
                if (p.other && (p.n_cert_blocks > 0 || p.n_key_blocks > 0))
                        b->layout |= BUNDLE_LAYOUT_OTHER_BLOCK;
                r = report_missing(&p, expect);
                if (r < 0)
                        return r;
                r = report_layout(&p, f);
                if (r < 0)
                        return r;
        }

        r = findings_move(f, &p.found);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(b);
        return 0;
}

/* What a read error means for a file the operator uploaded, or NULL when it
 * is a system failure rather than a property of the file. */
static const char *unreadable_reason(int r, bool follow) {
        switch (r) {
        case -ENOENT:
                return "does not exist";
        case -ELOOP:
                return follow ? "is a loop of symbolic links"
                              : "is a symbolic link; the agent does not follow links in the store";
        case -EISDIR:
                return "is a directory, not a file";
        case -EBADFD:
        case -ENXIO:
                return "is not a regular file (a device, FIFO or socket)";
        case -EACCES:
        case -EPERM:
                return "cannot be read by the agent (permission denied)";
        case -ENOTDIR:
                return "cannot be opened: a component of its path is not a directory";
        case -ENAMETOOLONG:
                return "cannot be opened: its name is too long";
        default:
                return NULL;
        }
}

typedef struct FileBuf {
        char *p;
        size_t n;
} FileBuf;

static void file_buf_done(FileBuf *b) {
        /* The file may hold a private key: wipe it, and the terminating NUL. */
        if (b->p)
                erase_and_free(b->p, b->n + 1);
        *b = (FileBuf) {};
}

int bundle_load_at(int dirfd, const char *name, const char *display_path, unsigned expect,
                   Bundle **ret, Findings *f) {
        _cleanup_(file_buf_done) FileBuf buf = {};
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(freep) char *shown_name = NULL;
        const char *shown = display_path ? display_path : name;
        bool follow = dirfd == AT_FDCWD;
        const char *why;
        int r;

        if (!name)
                return -EINVAL;

        if (follow)
                r = read_file_path(name, BUNDLE_MAX_BYTES, &buf.p, &buf.n);
        else
                r = read_file_at(dirfd, name, BUNDLE_MAX_BYTES, &buf.p, &buf.n);
        if (r >= 0)
                return bundle_parse(shown, buf.p, buf.n, expect, ret, f);

        why = unreadable_reason(r, follow);
        if (r != -EFBIG && !why)
                return r;

        b = bundle_new(shown);
        if (!b)
                return -ENOMEM;
        shown_name = display_name(shown);
        if (!shown_name)
                return -ENOMEM;
        if (r == -EFBIG)
                r = findings_add(f, FINDING_FILE_TOO_LARGE, SEVERITY_ERROR, shown, -1, NULL, NULL,
                                 "%s is larger than 1 MiB", shown_name);
        else
                r = findings_add(f, FINDING_FILE_UNREADABLE, SEVERITY_ERROR, shown, -1, NULL, NULL,
                                 "%s %s", shown_name, why);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(b);
        return 0;
}

int bundle_load(const char *path, unsigned expect, Bundle **ret, Findings *f) {
        return bundle_load_at(AT_FDCWD, path, path, expect, ret, f);
}

/* RFC 2253, but UTF-8 kept as UTF-8 (OpenSSL's RFC 2253 flags would print
 * "Société" as "Soci\C3\A9t\C3\A9"); control characters are still escaped,
 * and findings escape what is left (findings_printable). */
static char *name_string(const X509_NAME *n) {
        _cleanup_(BIO_free_allp) BIO *b = NULL;
        char *data = NULL, *s;
        long k;
        int r;

        b = BIO_new(BIO_s_mem());
        if (!b)
                return NULL;
        ERR_set_mark();
        r = n ? X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) : 0;
        ERR_pop_to_mark();
        if (r < 0)
                return strdup("");
        k = BIO_get_mem_data(b, &data);
        if (k <= 0 || !data)
                return strdup("");
        s = malloc((size_t) k + 1);
        if (!s)
                return NULL;
        memcpy(s, data, (size_t) k);
        s[k] = 0;
        return s;
}

char *x509_subject_string(const X509 *x) {
        if (!x)
                return NULL;
        return name_string(X509_get_subject_name(x));
}

char *x509_issuer_string(const X509 *x) {
        if (!x)
                return NULL;
        return name_string(X509_get_issuer_name(x));
}
