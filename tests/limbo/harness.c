/* limbo-harness: runs `certconfd check --profile strict` over the SERVER
 * testcases of x509-limbo and counts how often its verdict agrees with the
 * suite's expected result. tests/limbo/run.sh turns the JSON into the TSV
 * read on stdin (its header names the columns).
 *
 * Per case: the trust anchors are the case's trusted_certs; the chain bundle
 * is the peer certificate followed by the untrusted intermediates, exactly as
 * an operator would upload them; the name to cover is the expected peer name
 * (if any); the time is the case's validation_time floored to the second, or
 * LIMBO_DEFAULT_NOW when the case has none (the certificates of those cases
 * are valid from 1970 to 2969, so any fixed time in between gives the same
 * result); min_valid_days is 0. check_bundles() runs with service "generic"
 * and no key.
 *
 * Verdict: SUCCESS when no error-severity finding is raised, except for codes
 * that say nothing about whether a TLS client would accept the chain:
 *   CHAIN_ORDER, CHAIN_UNRELATED  TLS clients build the path themselves, take
 *                                 intermediates in any order and ignore extras
 *                                 (limbo's untrusted_intermediates is a pool,
 *                                 not an ordered chain);
 *   KEY_*, PAIR_INCOMPLETE        no private key is given.
 * (KEY_USAGE is about the keyUsage extension and does count.)
 *
 * The trusted_certs are the only anchors: the bundle's own self-signed root
 * is not one (CheckOptions.distrust_bundle_root; the product trusts the
 * operator's own root). max_chain_depth counts intermediates; CheckOptions'
 * max_chain_depth counts the leaf too, so it gets one more.
 *
 * The case's CRLs (if any) are CheckOptions.crls, as `certconfd check --crl`
 * passes them; CRLs that do not parse are a CRL_INVALID finding (the command
 * would refuse them with exit status 2).
 *
 * Not passed to the check, because CheckOptions has no place for them:
 * extended_key_usage, key_usage and signature_algorithms (the SERVER cases
 * that set them ask for serverAuth and digitalSignature, which the strict
 * profile asks for anyway). They are shown in the verbose output of a
 * disagreeing case.
 *
 * For reference the harness also runs OpenSSL's own X509_verify_cert() on each
 * case (X509_V_FLAG_X509_STRICT, TLS server purpose, host or IP check, the
 * case's time and max_chain_depth, and X509_V_FLAG_CRL_CHECK with the case's
 * CRLs when it has any), on certificates and CRLs it parses itself, and
 * prints that agreement next to certconf's.
 *
 * Usage: limbo-harness [-v] [--set NAME] [--disagree FILE] < cases.tsv
 * -v or LIMBO_VERBOSE=1 prints each disagreement. Exit 0 when it ran, 2 on
 * bad input, 1 on a system error. */

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "bundle.h"
#include "check.h"
#include "findings.h"
#include "macro.h"
#include "profile.h"

/* 2025-01-01T00:00:00Z: "now" for cases without a validation_time. */
#define LIMBO_DEFAULT_NOW ((time_t) 1735689600)

enum {
        COL_ID,
        COL_EXPECTED,
        COL_NAME_KIND,
        COL_NAME,
        COL_TIME,
        COL_TRUSTED,
        COL_PEER,
        COL_INTERMEDIATES,
        COL_MAX_DEPTH,
        COL_EKU,
        COL_KU,
        COL_SIGALGS,
        COL_FEATURES,
        COL_N_CRLS,
        COL_CRLS,
        _COL_MAX,
};

typedef struct Namespace {
        char *name;
        unsigned total;
        unsigned agreed;
        unsigned openssl_agreed;
} Namespace;

typedef struct Tally {
        Namespace *ns;
        size_t n_ns;
        unsigned total;
        unsigned agreed;
        unsigned openssl_agreed;
        unsigned errors; /* cases where check_bundles() itself failed */
} Tally;

typedef struct Options {
        const char *set;
        bool verbose;
        FILE *disagree;
} Options;

static void tally_done(Tally *t) {
        for (size_t i = 0; i < t->n_ns; i++)
                free(t->ns[i].name);
        free(t->ns);
        *t = (Tally){};
}

static Namespace *tally_namespace(Tally *t, const char *id) {
        const char *sep = strstr(id, "::");
        size_t len = sep ? (size_t) (sep - id) : strlen(id);
        Namespace *ns;

        for (size_t i = 0; i < t->n_ns; i++)
                if (strlen(t->ns[i].name) == len && strncmp(t->ns[i].name, id, len) == 0)
                        return &t->ns[i];

        ns = reallocarray(t->ns, t->n_ns + 1, sizeof(Namespace));
        if (!ns)
                return NULL;
        t->ns = ns;
        ns = &t->ns[t->n_ns];
        *ns = (Namespace){.name = strndup(id, len)};
        if (!ns->name)
                return NULL;
        t->n_ns++;
        return ns;
}

static int namespace_compare(const void *a, const void *b) {
        return strcmp(((const Namespace *) a)->name, ((const Namespace *) b)->name);
}

/* Undoes jq's @tsv escaping (\\, \t, \n, \r) in place. */
static int tsv_unescape(char *s) {
        char *w = s;

        for (const char *r = s; *r; r++) {
                if (*r != '\\') {
                        *w++ = *r;
                        continue;
                }
                switch (*++r) {
                case '\\':
                        *w++ = '\\';
                        break;
                case 't':
                        *w++ = '\t';
                        break;
                case 'n':
                        *w++ = '\n';
                        break;
                case 'r':
                        *w++ = '\r';
                        break;
                default:
                        return -EINVAL;
                }
        }
        *w = '\0';
        return 0;
}

/* Decodes unwrapped base64 (as jq's @base64 writes it). The result is
 * NUL-terminated (not counted in *ret_len). */
static int base64_decode(const char *in, char **ret, size_t *ret_len) {
        _cleanup_(freep) unsigned char *buf = NULL;
        size_t n = strlen(in), len;
        int k;

        if (n % 4 != 0 || n / 4 * 3 > INT_MAX)
                return -EINVAL;
        buf = malloc(n / 4 * 3 + 1);
        if (!buf)
                return -ENOMEM;
        if (n == 0)
                len = 0;
        else {
                /* EVP_DecodeBlock() counts the bytes '=' padding stands for. */
                k = EVP_DecodeBlock(buf, (const unsigned char *) in, (int) n);
                if (k < 0)
                        return -EINVAL;
                len = (size_t) k - (in[n - 1] == '=') - (in[n - 2] == '=');
        }
        buf[len] = '\0';
        *ret = (char *) TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int parse_digits(const char **p, int n, int *ret) {
        int v = 0;

        for (int i = 0; i < n; i++, (*p)++) {
                if (**p < '0' || **p > '9')
                        return -EINVAL;
                v = v * 10 + (**p - '0');
        }
        *ret = v;
        return 0;
}

static int expect_char(const char **p, const char *any) {
        if (**p == '\0' || !strchr(any, **p))
                return -EINVAL;
        (*p)++;
        return 0;
}

/* RFC 3339 date-time; fractions of a second are dropped (limbo's
 * notbefore-fractional and notafter-fractional cases ask for floor()). */
static int parse_rfc3339(const char *s, time_t *ret) {
        int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
        const char *p = s;
        struct tm tm;
        time_t t;

        if (parse_digits(&p, 4, &year) < 0 || expect_char(&p, "-") < 0 ||
            parse_digits(&p, 2, &mon) < 0 || expect_char(&p, "-") < 0 ||
            parse_digits(&p, 2, &day) < 0 || expect_char(&p, "Tt ") < 0 ||
            parse_digits(&p, 2, &hour) < 0 || expect_char(&p, ":") < 0 ||
            parse_digits(&p, 2, &min) < 0 || expect_char(&p, ":") < 0 ||
            parse_digits(&p, 2, &sec) < 0)
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (*p == 'Z' || *p == 'z')
                p++;
        else if (*p == '+' || *p == '-') {
                sign = *p++ == '+' ? 1 : -1;
                if (parse_digits(&p, 2, &oh) < 0 || expect_char(&p, ":") < 0 ||
                    parse_digits(&p, 2, &om) < 0)
                        return -EINVAL;
        } else
                return -EINVAL;
        if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
            sec > 60 || oh > 23 || om > 59)
                return -EINVAL;

        tm = (struct tm){
                .tm_year = year - 1900,
                .tm_mon = mon - 1,
                .tm_mday = day,
                .tm_hour = hour,
                .tm_min = min,
                .tm_sec = sec,
        };
        t = timegm(&tm);
        *ret = t - sign * (oh * 3600 + om * 60);
        return 0;
}

static bool code_ignored(FindingCode c) {
        switch (c) {
        case FINDING_CHAIN_ORDER:
        case FINDING_CHAIN_UNRELATED:
        case FINDING_KEY_MISSING:
        case FINDING_KEY_MULTIPLE:
        case FINDING_KEY_ENCRYPTED:
        case FINDING_KEY_MISMATCH:
        case FINDING_KEY_INVALID:
        case FINDING_PAIR_INCOMPLETE:
                return true;
        default:
                return false;
        }
}

static const Finding *first_counted_error(const Findings *f) {
        for (size_t i = 0; i < f->n; i++)
                if (f->items[i].severity == SEVERITY_ERROR && !code_ignored(f->items[i].code))
                        return &f->items[i];
        return NULL;
}

/* "PATH_INVALID SAN_NOT_COVERED CHAIN_ORDER(ignored) PEM_LAYOUT(warning)",
 * each code once. */
static void fprint_codes(FILE *out, const Findings *f) {
        bool any = false;

        for (size_t i = 0; i < f->n; i++) {
                const Finding *x = &f->items[i];
                bool seen = false;

                for (size_t j = 0; j < i && !seen; j++)
                        seen = f->items[j].code == x->code && f->items[j].severity == x->severity;
                if (seen)
                        continue;
                fprintf(out, "%s%s%s", any ? " " : "", strna(finding_code_to_string(x->code)),
                        x->severity != SEVERITY_ERROR ? "(warning)"
                        : code_ignored(x->code)       ? "(ignored)"
                                                      : "");
                any = true;
        }
        if (!any)
                fputs("-", out);
}

/* The certificates of PEM text, parsed by OpenSSL alone (for the reference
 * verdict; independent of bundle.c). */
static int pem_certs(const char *pem, size_t len, STACK_OF(X509) * *ret) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *sk = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = NULL;

        sk = sk_X509_new_null();
        if (!sk || len > INT_MAX)
                return -ENOMEM;
        bio = BIO_new_mem_buf(pem, (int) len);
        if (!bio)
                return -ENOMEM;
        for (;;) {
                _cleanup_(X509_freep) X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
                if (!x)
                        break;
                if (!sk_X509_push(sk, x))
                        return -ENOMEM;
                TAKE_PTR(x);
        }
        ERR_clear_error();
        *ret = TAKE_PTR(sk);
        return 0;
}

/* The CRLs of PEM text, parsed by OpenSSL alone (for the reference verdict). */
static int pem_crls(const char *pem, size_t len, STACK_OF(X509_CRL) * *ret) {
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *sk = NULL;
        _cleanup_(BIO_free_allp) BIO *bio = NULL;

        sk = sk_X509_CRL_new_null();
        if (!sk || len > INT_MAX)
                return -ENOMEM;
        bio = BIO_new_mem_buf(pem, (int) len);
        if (!bio)
                return -ENOMEM;
        for (;;) {
                _cleanup_(X509_CRL_freep) X509_CRL *x = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
                if (!x)
                        break;
                if (!sk_X509_CRL_push(sk, x))
                        return -ENOMEM;
                TAKE_PTR(x);
        }
        ERR_clear_error();
        *ret = TAKE_PTR(sk);
        return 0;
}

static int openssl_verify(const char *trusted, size_t trusted_len, const char *peer,
                          size_t peer_len, const char *inter, size_t inter_len,
                          const char *crl_pem, size_t crl_len, const char *name_kind,
                          const char *name, time_t now, int max_depth, bool *ret_ok) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL, *leaf = NULL,
                                                    *untrusted = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
        X509_VERIFY_PARAM *param;
        int r;

        if ((r = pem_certs(trusted, trusted_len, &anchors)) < 0 ||
            (r = pem_certs(peer, peer_len, &leaf)) < 0 ||
            (r = pem_certs(inter, inter_len, &untrusted)) < 0 ||
            (r = pem_crls(crl_pem, crl_len, &crls)) < 0)
                return r;
        if (sk_X509_num(leaf) < 1) {
                *ret_ok = false;
                return 0;
        }

        store = X509_STORE_new();
        ctx = X509_STORE_CTX_new();
        if (!store || !ctx)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(anchors); i++)
                if (X509_STORE_add_cert(store, sk_X509_value(anchors, i)) != 1)
                        ERR_clear_error(); /* a duplicate anchor */
        for (int i = 0; i < sk_X509_CRL_num(crls); i++)
                if (X509_STORE_add_crl(store, sk_X509_CRL_value(crls, i)) != 1)
                        ERR_clear_error();
        if (X509_STORE_CTX_init(ctx, store, sk_X509_value(leaf, 0), untrusted) != 1)
                return -ENOMEM;

        param = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_time(param, now);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT |
                                                   (sk_X509_CRL_num(crls) > 0 ? X509_V_FLAG_CRL_CHECK
                                                                              : 0));
        if (X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER) != 1)
                return -EINVAL;
        if (max_depth >= 0)
                X509_VERIFY_PARAM_set_depth(param, max_depth);
        if (streq(name_kind, "DNS"))
                r = X509_VERIFY_PARAM_set1_host(param, name, 0);
        else if (streq(name_kind, "IP"))
                r = X509_VERIFY_PARAM_set1_ip_asc(param, name);
        else
                r = 1;
        if (r != 1) {
                /* OpenSSL refuses the name itself: it would not connect. */
                ERR_clear_error();
                *ret_ok = false;
                return 0;
        }

        *ret_ok = X509_verify_cert(ctx) == 1;
        ERR_clear_error();
        return 0;
}

/* Runs one case; -EBADMSG means the line is malformed. */
static int run_case(char **col, const Options *opt, Tally *t) {
        _cleanup_(freep) char *trusted = NULL, *peer = NULL, *inter = NULL, *chain = NULL,
                              *crl_pem = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *anchors = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(bundle_freep) Bundle *trust_bundle = NULL, *chain_bundle = NULL;
        _cleanup_(findings_clear) Findings f = {}, trust_findings = {};
        size_t trusted_len, peer_len, inter_len, chain_len, crl_len;
        bool expect_success, got_success, openssl_success = false, agree;
        const char *name = NULL;
        char *names[2] = {};
        int max_depth = -1, r, rc;
        time_t now = LIMBO_DEFAULT_NOW;
        Namespace *ns;

        if (streq(col[COL_EXPECTED], "SUCCESS"))
                expect_success = true;
        else if (streq(col[COL_EXPECTED], "FAILURE"))
                expect_success = false;
        else
                return -EBADMSG;

        if (tsv_unescape(col[COL_NAME]) < 0)
                return -EBADMSG;
        if (streq(col[COL_NAME_KIND], "DNS") || streq(col[COL_NAME_KIND], "IP"))
                name = col[COL_NAME];
        else if (!streq(col[COL_NAME_KIND], "none"))
                return -EBADMSG;
        names[0] = (char *) name;

        if (!streq(col[COL_TIME], "") && parse_rfc3339(col[COL_TIME], &now) < 0)
                return -EBADMSG;
        if (!streq(col[COL_MAX_DEPTH], "")) {
                char *end;
                long v;

                errno = 0;
                v = strtol(col[COL_MAX_DEPTH], &end, 10);
                if (errno != 0 || *end != '\0' || v < 0 || v >= INT_MAX)
                        return -EBADMSG;
                max_depth = (int) v;
        }

        if ((r = base64_decode(col[COL_TRUSTED], &trusted, &trusted_len)) < 0 ||
            (r = base64_decode(col[COL_PEER], &peer, &peer_len)) < 0 ||
            (r = base64_decode(col[COL_INTERMEDIATES], &inter, &inter_len)) < 0 ||
            (r = base64_decode(col[COL_CRLS], &crl_pem, &crl_len)) < 0)
                return r == -EINVAL ? -EBADMSG : r;

        /* The chain file: the peer certificate, then the intermediates. */
        chain = malloc(peer_len + inter_len + 2);
        if (!chain)
                return -ENOMEM;
        memcpy(chain, peer, peer_len);
        chain_len = peer_len;
        if (chain_len > 0 && chain[chain_len - 1] != '\n')
                chain[chain_len++] = '\n';
        memcpy(chain + chain_len, inter, inter_len);
        chain_len += inter_len;
        chain[chain_len] = '\0';

        r = bundle_parse("trusted.pem", trusted, trusted_len, BUNDLE_EXPECT_CERTS, &trust_bundle,
                         &trust_findings);
        if (r < 0)
                return r;
        anchors = sk_X509_new_null();
        if (!anchors)
                return -ENOMEM;
        for (size_t i = 0; i < trust_bundle->n_certs; i++) {
                if (X509_up_ref(trust_bundle->certs[i]) != 1)
                        return -ENOMEM;
                if (!sk_X509_push(anchors, trust_bundle->certs[i])) {
                        X509_free(trust_bundle->certs[i]);
                        return -ENOMEM;
                }
        }

        /* CRLs that do not parse stay out; their CRL_INVALID finding counts. */
        if (crl_len > 0) {
                r = check_parse_crls("crls.pem", crl_pem, crl_len, &crls, &f);
                if (r < 0 && r != -EINVAL)
                        return r;
        }

        rc = bundle_parse("chain.pem", chain, chain_len, BUNDLE_EXPECT_CERTS, &chain_bundle, &f);
        if (rc >= 0) {
                CheckOptions o = {
                        .now = now,
                        .min_valid_days = 0,
                        .profile = PROFILE_STRICT,
                        .trust = anchors,
                        .names = name ? names : NULL,
                        .distrust_bundle_root = true,
                        .max_chain_depth = max_depth >= 0 ? max_depth + 1 : 0,
                        .crls = crls,
                };
                rc = check_bundles("generic", chain_bundle, NULL, &o, &f);
        }
        got_success = rc >= 0 && !first_counted_error(&f);

        r = openssl_verify(trusted, trusted_len, peer, peer_len, inter, inter_len, crl_pem, crl_len,
                           col[COL_NAME_KIND], col[COL_NAME], now, max_depth, &openssl_success);
        if (r < 0)
                return r;

        agree = rc >= 0 && got_success == expect_success;
        ns = tally_namespace(t, col[COL_ID]);
        if (!ns)
                return -ENOMEM;
        ns->total++;
        t->total++;
        if (agree) {
                ns->agreed++;
                t->agreed++;
        }
        if (openssl_success == expect_success) {
                ns->openssl_agreed++;
                t->openssl_agreed++;
        }
        if (rc < 0)
                t->errors++;
        if (agree)
                return 0;

        const char *got = rc < 0 ? "ERROR" : got_success ? "SUCCESS" : "FAILURE";
        if (opt->disagree) {
                fprintf(opt->disagree, "%s\texpected %s\tgot %s\t", col[COL_ID], col[COL_EXPECTED],
                        got);
                fprint_codes(opt->disagree, &f);
                fputc('\n', opt->disagree);
        }
        if (opt->verbose) {
                const Finding *e = first_counted_error(&f);

                printf("DISAGREE %s: expected %s, got %s", col[COL_ID], col[COL_EXPECTED], got);
                if (rc < 0)
                        printf(" (%s)", strerror(-rc));
                printf("; openssl %s\n  codes: ", openssl_success ? "SUCCESS" : "FAILURE");
                fprint_codes(stdout, &f);
                putchar('\n');
                if (e)
                        printf("  first: %s: %s\n", strna(finding_code_to_string(e->code)),
                               strna(e->message));
                if (col[COL_MAX_DEPTH][0])
                        printf("  max_chain_depth=%s\n", col[COL_MAX_DEPTH]);
                if (col[COL_EKU][0] || col[COL_KU][0] || col[COL_SIGALGS][0])
                        printf("  not passed: eku=%s ku=%s sigalgs=%s\n", col[COL_EKU],
                               col[COL_KU], col[COL_SIGALGS]);
                if (!streq(col[COL_N_CRLS], "0"))
                        printf("  crls: %s\n", col[COL_N_CRLS]);
                if (col[COL_FEATURES][0])
                        printf("  features: %s\n", col[COL_FEATURES]);
        }
        return 0;
}

static int split_columns(char *line, char **col) {
        size_t n = 0;

        for (char *p = line;; p++) {
                if (n >= _COL_MAX)
                        return -EINVAL;
                col[n++] = p;
                p = strchr(p, '\t');
                if (!p)
                        break;
                *p = '\0';
        }
        return n == _COL_MAX ? 0 : -EINVAL;
}

static void print_report(const Options *opt, Tally *t) {
        qsort(t->ns, t->n_ns, sizeof(Namespace), namespace_compare);
        for (size_t i = 0; i < t->n_ns; i++)
                printf("  %-14s %5u/%-5u (openssl %u/%u)\n", t->ns[i].name, t->ns[i].agreed,
                       t->ns[i].total, t->ns[i].openssl_agreed, t->ns[i].total);
        if (t->errors > 0)
                printf("limbo %s: check_bundles() failed on %u cases (counted as disagreeing)\n",
                       opt->set, t->errors);
        printf("limbo %s: %u/%u SERVER cases agree (OpenSSL %s itself, X509_STRICT: %u/%u)\n",
               opt->set, t->agreed, t->total, OpenSSL_version(OPENSSL_VERSION_STRING),
               t->openssl_agreed, t->total);
}

static void help(void) {
        fputs("usage: limbo-harness [-v] [--set NAME] [--disagree FILE] < cases.tsv\n"
              "(tests/limbo/run.sh writes cases.tsv from an x509-limbo JSON file)\n",
              stderr);
}

int main(int argc, char *argv[]) {
        static const struct option long_options[] = {
                {"verbose", no_argument, NULL, 'v'},
                {"set", required_argument, NULL, 's'},
                {"disagree", required_argument, NULL, 'd'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        _cleanup_(fclosep) FILE *disagree = NULL;
        _cleanup_(tally_done) Tally t = {};
        _cleanup_(freep) char *line = NULL;
        const char *disagree_path = NULL, *env;
        Options opt = {.set = "cases"};
        unsigned lineno = 0;
        size_t allocated = 0;
        ssize_t k;
        int c, r;

        env = getenv("LIMBO_VERBOSE");
        opt.verbose = env && !streq(env, "") && !streq(env, "0");
        while ((c = getopt_long(argc, argv, "vh", long_options, NULL)) >= 0)
                switch (c) {
                case 'v':
                        opt.verbose = true;
                        break;
                case 's':
                        opt.set = optarg;
                        break;
                case 'd':
                        disagree_path = optarg;
                        break;
                case 'h':
                        help();
                        return 0;
                default:
                        help();
                        return 2;
                }
        if (optind != argc) {
                help();
                return 2;
        }

        if (disagree_path) {
                disagree = fopen(disagree_path, "we");
                if (!disagree) {
                        fprintf(stderr, "limbo-harness: %s: %m\n", disagree_path);
                        return 1;
                }
        }
        opt.disagree = disagree;

        while ((k = getline(&line, &allocated, stdin)) >= 0) {
                char *col[_COL_MAX];

                lineno++;
                if (k > 0 && line[k - 1] == '\n')
                        line[--k] = '\0';
                if (line[0] == '#' || line[0] == '\0')
                        continue;
                if (split_columns(line, col) < 0) {
                        fprintf(stderr,
                                "limbo-harness: line %u: expected %d tab-separated columns\n",
                                lineno, _COL_MAX);
                        return 2;
                }
                r = run_case(col, &opt, &t);
                if (r == -EBADMSG) {
                        fprintf(stderr, "limbo-harness: line %u (%s): malformed case\n", lineno,
                                col[COL_ID]);
                        return 2;
                }
                if (r < 0) {
                        errno = -r;
                        fprintf(stderr, "limbo-harness: line %u (%s): %m\n", lineno, col[COL_ID]);
                        return 1;
                }
        }
        if (ferror(stdin)) {
                fprintf(stderr, "limbo-harness: reading stdin: %m\n");
                return 1;
        }
        if (t.total == 0) {
                fprintf(stderr, "limbo-harness: no cases on stdin\n");
                return 2;
        }

        print_report(&opt, &t);
        if (disagree && (fflush(disagree) != 0 || ferror(disagree))) {
                fprintf(stderr, "limbo-harness: %s: write error\n", disagree_path);
                return 1;
        }
        return 0;
}
