#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "macro.h"
#include "names.h"

/* Internally every name is a span (pointer, length), so that a dNSName from a
 * certificate is matched as the bytes it holds, never read past its end. All
 * comparisons are ASCII-only and independent of the locale. */

#define NAMES_HOST_MAX  253 /* without the trailing dot */
#define NAMES_LABEL_MAX 63

static char ascii_lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

static bool ascii_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool ascii_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool span_eq_ci(const char *a, size_t an, const char *b, size_t bn) {
        if (an != bn)
                return false;
        for (size_t i = 0; i < an; i++)
                if (ascii_lower(a[i]) != ascii_lower(b[i]))
                        return false;
        return true;
}

/* One trailing dot is ignored everywhere. */
static size_t strip_dot(const char *s, size_t n) {
        return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

/* The offset of the first '.' in s[0..n), or n. */
static size_t first_dot(const char *s, size_t n) {
        const char *d = memchr(s, '.', n);
        return d ? (size_t) (d - s) : n;
}

bool names_parse_ip(const char *s, unsigned char out[16], size_t *ret_len) {
        unsigned char buf[16];
        size_t len;

        if (!s)
                return false;
        /* inet_pton() takes only the full forms: dotted quad with four decimal
         * parts and no leading zeros, or RFC 4291 text without a zone id. */
        if (inet_pton(AF_INET, s, buf) == 1)
                len = 4;
        else if (inet_pton(AF_INET6, s, buf) == 1)
                len = 16;
        else
                return false;

        if (out)
                memcpy(out, buf, len);
        if (ret_len)
                *ret_len = len;
        return true;
}

/* Decimal digits only, or "0x" followed by hex digits: a label the WHATWG URL
 * parser reads as a number, turning the whole name into an IPv4 address. */
static bool label_is_number(const char *s, size_t n) {
        size_t i = 0;
        bool hex = false;

        if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                hex = true;
                i = 2;
        }
        for (; i < n; i++) {
                char c = ascii_lower(s[i]);
                if (!(ascii_digit(c) || (hex && c >= 'a' && c <= 'f')))
                        return false;
        }
        return n > 0;
}

static bool hostname_span(const char *s, size_t n) {
        size_t last_label = 0;

        n = strip_dot(s, n);
        if (n == 0 || n > NAMES_HOST_MAX)
                return false;

        for (size_t start = 0;;) {
                size_t len = first_dot(s + start, n - start);

                if (len == 0 || len > NAMES_LABEL_MAX)
                        return false;
                if (s[start] == '-' || s[start + len - 1] == '-')
                        return false;
                for (size_t i = start; i < start + len; i++)
                        if (!ascii_alnum(s[i]) && s[i] != '-')
                                return false;

                last_label = start;
                if (start + len == n)
                        break;
                start += len + 1;
                if (start == n) /* "a..": the dot left after strip_dot() */
                        return false;
        }

        /* An all-numeric last label would make "192.0.2.1", "10.1" or
         * "a.0x7f" an IPv4 address to a browser: not a host name. */
        return !label_is_number(s + last_label, n - last_label);
}

bool names_is_hostname(const char *s) {
        if (!s)
                return false;
        return hostname_span(s, strlen(s));
}

/* This is a compact table, not the Public Suffix List: every single label is
 * treated as a public suffix (which covers every gTLD and ccTLD, known or not,
 * and makes "*.intranet" as unacceptable as "*.com"), plus the two-level
 * suffixes of the ICANN section that certificates in the wild run into, plus
 * the 3GPP zones. Private-section entries (github.io, ...) are in a table of
 * their own (private_suffixes below): browsers accept a wildcard over them
 * (their owners hold such certificates), only the strict profile does not. */
/* clang-format off */
static const char *const public_suffixes[] = {
        /* 3GPP TS 23.003: the operator's zone is mncNNN.mccNNN.[pub.]3gppnetwork.org;
         * the country-wide mccNNN zones in between: is_3gpp_mcc_zone(). */
        "3gppnetwork.org",
        "pub.3gppnetwork.org",

        "ac.uk", "co.uk", "gov.uk", "ltd.uk", "me.uk", "net.uk", "nhs.uk", "org.uk",
        "plc.uk", "police.uk", "sch.uk",
        "asn.au", "com.au", "edu.au", "gov.au", "id.au", "net.au", "org.au",
        "ac.nz", "co.nz", "geek.nz", "gen.nz", "govt.nz", "iwi.nz", "kiwi.nz", "maori.nz",
        "net.nz", "org.nz", "school.nz",
        "ac.jp", "ad.jp", "co.jp", "ed.jp", "go.jp", "gr.jp", "lg.jp", "ne.jp", "or.jp",
        "com.br", "edu.br", "gov.br", "net.br", "org.br",
        "ac.cn", "com.cn", "edu.cn", "gov.cn", "net.cn", "org.cn",
        "ac.za", "co.za", "gov.za", "net.za", "org.za", "web.za",
        "ac.in", "co.in", "edu.in", "firm.in", "gen.in", "gov.in", "ind.in", "net.in",
        "org.in", "res.in",
        "ac.kr", "co.kr", "go.kr", "ne.kr", "or.kr", "re.kr",
        "com.tw", "edu.tw", "gov.tw", "idv.tw", "net.tw", "org.tw",
        "com.hk", "edu.hk", "gov.hk", "idv.hk", "net.hk", "org.hk",
        "com.sg", "edu.sg", "gov.sg", "net.sg", "org.sg", "per.sg",
        "com.my", "edu.my", "gov.my", "net.my", "org.my",
        "ac.id", "co.id", "go.id", "net.id", "or.id", "web.id",
        "com.ph", "edu.ph", "gov.ph", "net.ph", "org.ph",
        "ac.th", "co.th", "go.th", "in.th", "net.th", "or.th",
        "com.vn", "edu.vn", "gov.vn", "net.vn", "org.vn",
        "com.pk", "edu.pk", "gov.pk", "net.pk", "org.pk",
        "com.mx", "edu.mx", "gob.mx", "net.mx", "org.mx",
        "com.ar", "edu.ar", "gob.ar", "net.ar", "org.ar",
        "com.co", "edu.co", "gov.co", "net.co", "org.co",
        "com.pe", "edu.pe", "gob.pe", "net.pe", "org.pe",
        "cl.cl", "gob.cl",
        "com.tr", "edu.tr", "gen.tr", "gov.tr", "net.tr", "org.tr", "web.tr",
        "ac.il", "co.il", "gov.il", "muni.il", "net.il", "org.il",
        "com.sa", "edu.sa", "gov.sa", "net.sa", "org.sa",
        "ac.ae", "co.ae", "gov.ae", "net.ae", "org.ae",
        "com.eg", "edu.eg", "gov.eg", "net.eg", "org.eg",
        "co.ke", "ac.ke", "go.ke", "or.ke", "ne.ke",
        "com.ng", "edu.ng", "gov.ng", "net.ng", "org.ng",
        "com.ua", "edu.ua", "gov.ua", "net.ua", "org.ua",
        "com.pl", "net.pl", "org.pl", "gov.pl",
        "ac.at", "co.at", "gv.at", "or.at",
        "com.es", "edu.es", "gob.es", "nom.es", "org.es",
        "com.pt", "edu.pt", "gov.pt", "org.pt",
        "com.gr", "edu.gr", "gov.gr", "net.gr", "org.gr",
        "ac.be",
        "gouv.fr",
        "com.ru", "net.ru", "org.ru",
};
/* clang-format on */

/* "mccNNN.pub.3gppnetwork.org" and "mccNNN.3gppnetwork.org": shared by every
 * operator of a country, so as public as the zones above them. */
static bool is_3gpp_mcc_zone(const char *s, size_t n) {
        static const char pub[] = ".pub.3gppnetwork.org", bare[] = ".3gppnetwork.org";
        const size_t head = 6; /* "mccNNN" */

        if (n < head || !span_eq_ci(s, 3, "mcc", 3) || !ascii_digit(s[3]) || !ascii_digit(s[4]) ||
            !ascii_digit(s[5]))
                return false;
        return span_eq_ci(s + head, n - head, pub, sizeof pub - 1) ||
               span_eq_ci(s + head, n - head, bare, sizeof bare - 1);
}

static bool public_suffix_span(const char *s, size_t n) {
        n = strip_dot(s, n);
        if (n == 0)
                return false;
        if (!memchr(s, '.', n))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(public_suffixes); i++)
                if (span_eq_ci(s, n, public_suffixes[i], strlen(public_suffixes[i])))
                        return true;
        return is_3gpp_mcc_zone(s, n);
}

bool names_is_public_suffix(const char *domain) {
        if (!domain)
                return false;
        return public_suffix_span(domain, strlen(domain));
}

/* Common entries of the Public Suffix List's private section: cloud and
 * hosting domains whose customers get names below them. A wildcard directly
 * over one of them covers many owners' names; CAs must not issue it without
 * proof that the applicant controls the whole namespace (CABF BR 3.2.2.6). */
/* clang-format off */
static const char *const private_suffixes[] = {
        "s3.amazonaws.com", "compute.amazonaws.com", "compute-1.amazonaws.com",
        "elasticbeanstalk.com", "elb.amazonaws.com", "cloudfront.net",
        "appspot.com", "blogspot.com", "firebaseapp.com", "web.app", "run.app",
        "googleapis.com", "googleusercontent.com",
        "azurewebsites.net", "cloudapp.net", "azurestaticapps.net", "blob.core.windows.net",
        "trafficmanager.net",
        "github.io", "githubusercontent.com", "gitlab.io",
        "herokuapp.com", "herokussl.com", "netlify.app", "vercel.app", "pages.dev",
        "workers.dev", "fly.dev", "onrender.com", "glitch.me", "repl.co",
        "fastly.net", "global.ssl.fastly.net", "akamaized.net", "edgekey.net",
        "dyndns.org", "no-ip.org", "duckdns.org", "ddns.net",
        "myshopify.com", "wordpress.com", "wixsite.com", "squarespace.com",
        "ngrok.io", "ngrok-free.app",
};
/* clang-format on */

static bool private_suffix_span(const char *s, size_t n) {
        n = strip_dot(s, n);
        for (size_t i = 0; i < ELEMENTSOF(private_suffixes); i++)
                if (span_eq_ci(s, n, private_suffixes[i], strlen(private_suffixes[i])))
                        return true;
        return false;
}

bool names_is_private_suffix(const char *domain) {
        if (!domain)
                return false;
        return private_suffix_span(domain, strlen(domain));
}

/* Where the '*' stands, what it stands over, and whether that is a host
 * name at all. */
static NamesWildcard classify_span(const char *p, size_t n0) {
        size_t first, n;

        if (!memchr(p, '*', n0))
                return NAMES_WILDCARD_NONE;

        n = strip_dot(p, n0);
        first = first_dot(p, n);
        if (first < n && memchr(p + first, '*', n - first))
                return NAMES_WILDCARD_NOT_LEFTMOST;
        if (first != 1) /* "w*", "*w", "xn--*", "**" */
                return NAMES_WILDCARD_PARTIAL;
        if (first + 1 >= n) /* "*", "*.", "*.." */
                return NAMES_WILDCARD_TOO_SHORT;
        /* With its trailing dot, if any: hostname_span() allows one. */
        if (!hostname_span(p + first + 1, n0 - first - 1))
                return NAMES_WILDCARD_INVALID;
        if (public_suffix_span(p + first + 1, n - first - 1))
                return NAMES_WILDCARD_PUBLIC;
        if (private_suffix_span(p + first + 1, n - first - 1))
                return NAMES_WILDCARD_PRIVATE;
        return NAMES_WILDCARD_OK;
}

NamesWildcard names_classify_wildcard(const char *pattern) {
        if (!pattern)
                return NAMES_WILDCARD_NONE;
        return classify_span(pattern, strlen(pattern));
}

bool names_is_valid_dns_san(const char *s) {
        if (!s)
                return false;
        switch (names_classify_wildcard(s)) {
        case NAMES_WILDCARD_NONE:
                return names_is_hostname(s);
        case NAMES_WILDCARD_OK:
        case NAMES_WILDCARD_PUBLIC:
        case NAMES_WILDCARD_PRIVATE:
                return true;
        default:
                return false;
        }
}

static bool dns_matches_span(const char *p, size_t pn, const char *h, size_t hn,
                             NamesMatchFlags flags) {
        NamesWildcard w;
        size_t hfirst;

        /* Also refuses IP literals, and a host holding '*'. */
        if (!hostname_span(h, hn))
                return false;
        hn = strip_dot(h, hn);

        w = classify_span(p, pn);
        if (w == NAMES_WILDCARD_PRIVATE && !(flags & NAMES_MATCH_STRICT))
                w = NAMES_WILDCARD_OK;
        switch (w) {
        case NAMES_WILDCARD_NONE:
                return span_eq_ci(p, strip_dot(p, pn), h, hn);
        case NAMES_WILDCARD_OK:
                pn = strip_dot(p, pn);
                hfirst = first_dot(h, hn);
                /* "*.example.com" against "a.example.com": compare ".example.com"
                 * (p + 1) with the host after its (non-empty) first label. */
                return hfirst > 0 && hfirst < hn &&
                       span_eq_ci(p + 1, pn - 1, h + hfirst, hn - hfirst);
        default:
                return false;
        }
}

bool names_dns_matches_flags(const char *pattern, const char *host, NamesMatchFlags flags) {
        if (!pattern || !host)
                return false;
        return dns_matches_span(pattern, strlen(pattern), host, strlen(host), flags);
}

bool names_dns_matches(const char *pattern, const char *host) {
        return names_dns_matches_flags(pattern, host, NAMES_MATCH_DEFAULT);
}

/* The text of a dNSName, unless it holds a NUL (a name that means one thing
 * to us and another to a C string consumer). */
static bool gn_dns(const GENERAL_NAME *gn, const char **ret, size_t *ret_len) {
        const ASN1_IA5STRING *s;
        int len;

        if (gn->type != GEN_DNS)
                return false;
        s = gn->d.dNSName;
        if (!s)
                return false;
        len = ASN1_STRING_length(s);
        if (len <= 0 || !ASN1_STRING_get0_data(s)) {
                if (len != 0)
                        return false;
                *ret = ""; /* an empty dNSName: kept, matches nothing */
                *ret_len = 0;
                return true;
        }
        if (memchr(ASN1_STRING_get0_data(s), 0, (size_t) len))
                return false;
        *ret = (const char *) ASN1_STRING_get0_data(s);
        *ret_len = (size_t) len;
        return true;
}

/* The bytes of an iPAddress SAN: 4 or 16 of them, nothing else. */
static bool gn_ip(const GENERAL_NAME *gn, const unsigned char **ret, size_t *ret_len) {
        const ASN1_OCTET_STRING *s;
        const unsigned char *b;
        int len;

        if (gn->type != GEN_IPADD)
                return false;
        s = gn->d.iPAddress;
        if (!s)
                return false;
        len = ASN1_STRING_length(s);
        b = ASN1_STRING_get0_data(s);
        if ((len != 4 && len != 16) || !b)
                return false;
        *ret = b;
        *ret_len = (size_t) len;
        return true;
}

bool names_cert_covers(X509 *cert, const char *name) {
        return names_cert_covers_flags(cert, name, NAMES_MATCH_DEFAULT);
}

bool names_cert_covers_flags(X509 *cert, const char *name, NamesMatchFlags flags) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
        unsigned char ip[16];
        size_t ip_len = 0, name_len;
        bool is_ip;

        if (!cert || !name)
                return false;
        is_ip = names_parse_ip(name, ip, &ip_len);
        name_len = strlen(name);
        if (!is_ip && !hostname_span(name, name_len))
                return false;

        gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
        if (!gens)
                return false;

        for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
                const unsigned char *b;
                const char *s;
                size_t n;

                if (is_ip) {
                        if (gn_ip(gn, &b, &n) && n == ip_len && memcmp(b, ip, n) == 0)
                                return true;
                } else if (gn_dns(gn, &s, &n) && dns_matches_span(s, n, name, name_len, flags))
                        return true;
        }
        return false;
}

/* RFC 3492 Punycode of the code points cp[0..n), appended to out (size
 * bytes, NUL-terminated). */
static bool punycode(const uint32_t *cp, size_t n, char *out, size_t size) {
        enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700 };
        uint32_t m, q, t, delta = 0, bias = 72, code = 128;
        size_t o = strlen(out), h, b = 0;

#define EMIT(ch)                                                                                   \
        do {                                                                                       \
                if (o + 1 >= size)                                                                 \
                        return false;                                                              \
                out[o++] = (char) (ch);                                                            \
                out[o] = 0;                                                                        \
        } while (0)
#define DIGIT(d) ((d) < 26 ? 'a' + (d) : '0' + (d) - 26)

        for (size_t i = 0; i < n; i++)
                if (cp[i] < 0x80) {
                        EMIT(cp[i]);
                        b++;
                }
        if (b > 0)
                EMIT('-');
        for (h = b; h < n;) {
                m = UINT32_MAX;
                for (size_t i = 0; i < n; i++)
                        if (cp[i] >= code && cp[i] < m)
                                m = cp[i];
                if ((uint64_t) (m - code) * (h + 1) + delta > UINT32_MAX)
                        return false;
                delta += (m - code) * (uint32_t) (h + 1);
                code = m;
                for (size_t i = 0; i < n; i++) {
                        if (cp[i] < code && ++delta == 0)
                                return false;
                        if (cp[i] != code)
                                continue;
                        q = delta;
                        for (uint32_t k = BASE;; k += BASE) {
                                t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
                                if (q < t)
                                        break;
                                EMIT(DIGIT(t + (q - t) % (BASE - t)));
                                q = (q - t) / (BASE - t);
                        }
                        EMIT(DIGIT(q));
                        /* adapt() */
                        delta = h == b ? delta / DAMP : delta / 2;
                        delta += delta / (uint32_t) (h + 1);
                        for (t = 0; delta > ((BASE - TMIN) * TMAX) / 2; t += BASE)
                                delta /= BASE - TMIN;
                        bias = t + (BASE - TMIN + 1) * delta / (delta + SKEW);
                        delta = 0;
                        h++;
                }
                delta++;
                code++;
        }
        return true;
#undef EMIT
#undef DIGIT
}

/* One UTF-8 sequence at s[0..n): its code point and length, or false. */
static bool utf8_next(const unsigned char *s, size_t n, uint32_t *ret, size_t *ret_len) {
        uint32_t c;
        size_t len;

        if (s[0] < 0x80) {
                *ret = s[0];
                *ret_len = 1;
                return true;
        }
        if ((s[0] & 0xe0) == 0xc0) {
                c = s[0] & 0x1f;
                len = 2;
        } else if ((s[0] & 0xf0) == 0xe0) {
                c = s[0] & 0x0f;
                len = 3;
        } else if ((s[0] & 0xf8) == 0xf0) {
                c = s[0] & 0x07;
                len = 4;
        } else
                return false;
        if (len > n)
                return false;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return false;
                c = (c << 6) | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates, beyond Unicode. */
        if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
            (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
                return false;
        *ret = c;
        *ret_len = len;
        return true;
}

/* Appends s[0..n) to the NUL-terminated out of size bytes, if it fits. */
static bool append(char *out, size_t size, const char *s, size_t n) {
        size_t o = strlen(out);

        if (o + n >= size)
                return false;
        memcpy(out + o, s, n);
        out[o + n] = 0;
        return true;
}

char *names_to_alabel(const char *s, size_t len) {
        _cleanup_(freep) char *out = NULL;
        size_t size = 4 * len + 16;

        if (!s) {
                errno = EINVAL;
                return NULL;
        }
        out = calloc(1, size);
        if (!out)
                return NULL;
        for (size_t start = 0; start <= len;) {
                size_t l = first_dot(s + start, len - start), n = 0;
                uint32_t cp[NAMES_HOST_MAX + 1];
                bool ascii = true;

                for (size_t i = start; i < start + l;) {
                        size_t k;
                        if (n >= ELEMENTSOF(cp) ||
                            !utf8_next((const unsigned char *) s + i, start + l - i, &cp[n], &k)) {
                                errno = EINVAL;
                                return NULL;
                        }
                        ascii = ascii && cp[n] < 0x80;
                        n++;
                        i += k;
                }
                if (!(ascii ? append(out, size, s + start, l)
                            : append(out, size, "xn--", 4) && punycode(cp, n, out, size)) ||
                    (start + l < len && !append(out, size, ".", 1))) {
                        errno = EINVAL;
                        return NULL;
                }
                start += l + 1;
        }
        return TAKE_PTR(out);
}

/* "192.168.001.001": four decimal parts, leading zeros allowed. */
static bool ipv4_leading_zeros(const char *s, unsigned char out[4]) {
        for (int part = 0; part < 4; part++) {
                unsigned v = 0;
                int digits = 0;

                while (ascii_digit(*s) && digits < 8) {
                        v = v * 10 + (unsigned) (*s++ - '0');
                        digits++;
                }
                if (digits == 0 || v > 255 || *s != (part < 3 ? '.' : 0))
                        return false;
                out[part] = (unsigned char) v;
                s++;
        }
        return true;
}

/* The addresses a CN could be meant to spell, in any form: inet_pton()'s,
 * inet_aton()'s (hex, octal, fewer parts) and decimal with leading zeros. */
static size_t cn_addresses(const char *cn, unsigned char out[3][16], size_t lens[3]) {
        struct in_addr a;
        size_t n = 0;

        if (inet_pton(AF_INET6, cn, out[n]) == 1)
                lens[n++] = 16;
        if (inet_aton(cn, &a) != 0) {
                memcpy(out[n], &a, 4);
                lens[n++] = 4;
        }
        if (ipv4_leading_zeros(cn, out[n]))
                lens[n++] = 4;
        return n;
}

int names_cert_cn_match(X509 *cert, const char *cn, size_t cn_len, NamesCn *ret, char **ret_form) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
        _cleanup_(freep) char *z = NULL, *alabel = NULL, *meant = NULL;
        unsigned char addr[3][16];
        size_t addr_len[3], n_addr = 0;

        if (!cert || !cn || !ret)
                return -EINVAL;
        gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);

        /* A NUL-terminated copy, unless the CN holds a NUL: then it is no name. */
        if (!memchr(cn, 0, cn_len)) {
                z = strndup(cn, cn_len);
                if (!z)
                        return -ENOMEM;
                n_addr = cn_addresses(z, addr, addr_len);
                alabel = names_to_alabel(z, cn_len);
                if (!alabel && errno == ENOMEM)
                        return -ENOMEM;
        }

        for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
                const unsigned char *b;
                const char *s;
                size_t n;

                if (gn_dns(gn, &s, &n)) {
                        if (n == cn_len && memcmp(s, cn, n) == 0)
                                goto copy;
                        if (!meant && z && alabel && span_eq_ci(s, n, alabel, strlen(alabel))) {
                                _cleanup_(freep) char *text = findings_printable(s, n);

                                if (!text || asprintf(&meant, "DNS:%s", text) < 0)
                                        return -ENOMEM;
                        }
                } else if (gn_ip(gn, &b, &n)) {
                        char text[INET6_ADDRSTRLEN];

                        if (!inet_ntop(n == 4 ? AF_INET : AF_INET6, b, text, sizeof text))
                                continue;
                        if (strlen(text) == cn_len && memcmp(text, cn, cn_len) == 0)
                                goto copy;
                        for (size_t k = 0; k < n_addr && !meant; k++)
                                if (addr_len[k] == n && memcmp(addr[k], b, n) == 0 &&
                                    asprintf(&meant, "IP:%s", text) < 0)
                                        return -ENOMEM;
                }
        }

        if (meant)
                *ret = NAMES_CN_MISSPELT;
        else if (alabel && strcmp(alabel, z) != 0 && names_is_hostname(alabel)) {
                *ret = NAMES_CN_UNICODE;
                meant = TAKE_PTR(alabel);
        } else
                *ret = NAMES_CN_OTHER;
        if (ret_form)
                *ret_form = TAKE_PTR(meant);
        return 0;

copy:
        *ret = NAMES_CN_COPY;
        if (ret_form)
                *ret_form = NULL;
        return 0;
}

static char **strv_new(size_t n) {
        return calloc(n + 1, sizeof(char *));
}

int names_cert_sans(X509 *cert, char ***ret_dns, char ***ret_ip, bool *ret_has_san) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
        _cleanup_(strv_freep) char **dns = NULL;
        _cleanup_(strv_freep) char **ips = NULL;
        size_t n_dns = 0, n_ip = 0, total = 0;
        int crit = -1;

        if (!cert)
                return -EINVAL;

        gens = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
        if (gens)
                total = (size_t) sk_GENERAL_NAME_num(gens);

        /* At most one entry per GeneralName: allocate for all of them. */
        if (ret_dns) {
                dns = strv_new(total);
                if (!dns)
                        return -ENOMEM;
        }
        if (ret_ip) {
                ips = strv_new(total);
                if (!ips)
                        return -ENOMEM;
        }

        for (size_t i = 0; i < total; i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, (int) i);
                const unsigned char *b;
                const char *s;
                size_t n;

                if (dns && gn_dns(gn, &s, &n)) {
                        dns[n_dns] = findings_printable(s, n);
                        if (!dns[n_dns])
                                return -ENOMEM;
                        n_dns++;
                } else if (ips && gn_ip(gn, &b, &n)) {
                        char text[INET6_ADDRSTRLEN];

                        if (!inet_ntop(n == 4 ? AF_INET : AF_INET6, b, text, sizeof text))
                                continue;
                        ips[n_ip] = strdup(text);
                        if (!ips[n_ip])
                                return -ENOMEM;
                        n_ip++;
                }
        }

        if (ret_dns)
                *ret_dns = TAKE_PTR(dns);
        if (ret_ip)
                *ret_ip = TAKE_PTR(ips);
        /* crit is -1 when there is no extension; -2 (several of them) or a
         * failed decode still mean the certificate carries one. */
        if (ret_has_san)
                *ret_has_san = crit != -1;
        return 0;
}

char *names_3gpp(const char *prefix, int mcc, int mnc) {
        char *s;

        if (!prefix || !prefix[0] || mcc < 0 || mcc > 999 || mnc < 0 || mnc > 999) {
                errno = EINVAL;
                return NULL;
        }
        if (asprintf(&s, "%s.ims.mnc%03d.mcc%03d.pub.3gppnetwork.org", prefix, mnc, mcc) < 0)
                return NULL;
        return s;
}

/* Three ASCII digits at s, as a number. */
static bool three_digits(const char *s, int *ret) {
        if (!ascii_digit(s[0]) || !ascii_digit(s[1]) || !ascii_digit(s[2]))
                return false;
        *ret = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
        return true;
}

bool names_is_3gpp_form(const char *name, const char *prefix, int *ret_mcc, int *ret_mnc) {
        static const char ims[] = ".ims.mnc", mcc_label[] = ".mcc", tail[] = ".pub.3gppnetwork.org";
        size_t n, pn, want;
        const char *p;
        int mcc, mnc;

        if (!name || !prefix)
                return false;
        pn = strlen(prefix);
        if (pn == 0)
                return false;
        n = strip_dot(name, strlen(name));
        want = pn + (sizeof ims - 1) + 3 + (sizeof mcc_label - 1) + 3 + (sizeof tail - 1);
        if (n != want)
                return false;

        p = name;
        if (!span_eq_ci(p, pn, prefix, pn))
                return false;
        p += pn;
        if (!span_eq_ci(p, sizeof ims - 1, ims, sizeof ims - 1))
                return false;
        p += sizeof ims - 1;
        if (!three_digits(p, &mnc))
                return false;
        p += 3;
        if (!span_eq_ci(p, sizeof mcc_label - 1, mcc_label, sizeof mcc_label - 1))
                return false;
        p += sizeof mcc_label - 1;
        if (!three_digits(p, &mcc))
                return false;
        p += 3;
        if (!span_eq_ci(p, sizeof tail - 1, tail, sizeof tail - 1))
                return false;

        if (ret_mcc)
                *ret_mcc = mcc;
        if (ret_mnc)
                *ret_mnc = mnc;
        return true;
}
