#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "testutil.h"

#define TU_ASSERT(x)                                                                   \
        do {                                                                           \
                if (!(x)) {                                                            \
                        fprintf(stderr, "%s:%d: test helper failed: %s\n", __FILE__, \
                                __LINE__, #x);                                         \
                        abort();                                                       \
                }                                                                      \
        } while (0)

EVP_PKEY *tu_key_rsa(unsigned bits) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) bits);
        TU_ASSERT(k);
        return k;
}

EVP_PKEY *tu_key_ec(const char *curve) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
        TU_ASSERT(k);
        return k;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value) {
        X509V3_CTX ctx;
        X509_EXTENSION *e;

        X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
        e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
        TU_ASSERT(e);
        TU_ASSERT(X509_add_ext(x, e, -1) == 1);
        X509_EXTENSION_free(e);
}

static X509_NAME *parse_name(const char *s) {
        X509_NAME *n = X509_NAME_new();
        char *copy, *save = NULL;

        TU_ASSERT(n);
        TU_ASSERT(s[0] == '/');
        copy = strdup(s + 1);
        TU_ASSERT(copy);
        for (char *tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
                char *eq = strchr(tok, '=');
                TU_ASSERT(eq);
                *eq = 0;
                TU_ASSERT(X509_NAME_add_entry_by_txt(n, tok, MBSTRING_UTF8,
                                                     (unsigned char *) eq + 1, -1, -1, 0) == 1);
        }
        free(copy);
        return n;
}

X509 *tu_cert(const TuCertSpec *s) {
        X509 *x = X509_new();
        X509_NAME *name;
        EVP_PKEY *signer = s->issuer_key ? s->issuer_key : s->key;
        X509 *issuer = s->issuer ? s->issuer : x;
        time_t nb = s->not_before ? s->not_before : TU_NOW - TU_DAY;
        time_t na = s->not_after ? s->not_after : TU_NOW + 365 * TU_DAY;
        const char *md = s->md ? s->md : "SHA256";

        TU_ASSERT(x && s->key);
        TU_ASSERT(X509_set_version(x, X509_VERSION_3) == 1);
        if (s->serial) {
                TU_ASSERT(ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial) == 1);
        } else {
                unsigned char b[8];
                BIGNUM *bn;
                TU_ASSERT(RAND_bytes(b, sizeof b) == 1);
                b[0] &= 0x7f;
                b[0] |= 0x10;
                bn = BN_bin2bn(b, sizeof b, NULL);
                TU_ASSERT(bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
                BN_free(bn);
        }
        name = parse_name(s->subject ? s->subject : "/CN=test");
        TU_ASSERT(X509_set_subject_name(x, name) == 1);
        X509_NAME_free(name);
        TU_ASSERT(X509_set_issuer_name(x, X509_get_subject_name(issuer)) == 1);
        TU_ASSERT(ASN1_TIME_set(X509_getm_notBefore(x), nb));
        TU_ASSERT(ASN1_TIME_set(X509_getm_notAfter(x), na));
        TU_ASSERT(X509_set_pubkey(x, s->key) == 1);

        if (!s->no_bc) {
                char bc[64];
                if (s->ca && s->pathlen >= 0)
                        snprintf(bc, sizeof bc, "critical,CA:TRUE,pathlen:%d", s->pathlen);
                else
                        snprintf(bc, sizeof bc, "critical,CA:%s", s->ca ? "TRUE" : "FALSE");
                add_ext(x, issuer, NID_basic_constraints, bc);
        }
        {
                const char *ku = s->ku ? s->ku
                                       : s->ca ? "critical,keyCertSign,cRLSign"
                                               : "critical,digitalSignature,keyEncipherment";
                if (ku[0])
                        add_ext(x, issuer, NID_key_usage, ku);
        }
        if (!s->ca) {
                const char *eku = s->eku ? s->eku : "serverAuth";
                if (eku[0])
                        add_ext(x, issuer, NID_ext_key_usage, eku);
        } else if (s->eku && s->eku[0])
                add_ext(x, issuer, NID_ext_key_usage, s->eku);
        if (s->san && s->san[0])
                add_ext(x, issuer, NID_subject_alt_name, s->san);
        if (!s->no_ski_aki) {
                add_ext(x, issuer, NID_subject_key_identifier, "hash");
                if (s->issuer)
                        add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
                else
                        add_ext(x, x, NID_authority_key_identifier, "keyid:always");
        }
        TU_ASSERT(X509_sign(x, signer, EVP_get_digestbyname(md)) > 0);
        return x;
}

char *tu_tmpdir(void) {
        const char *base = getenv("TMPDIR");
        char *t;

        TU_ASSERT(asprintf(&t, "%s/certconf-test-XXXXXX", base ? base : "/tmp") > 0);
        TU_ASSERT(mkdtemp(t));
        return t;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(p);
}

void tu_rmdir_r(const char *path) {
        if (path)
                (void) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_path(const char *dir, const char *name) {
        char *p;
        TU_ASSERT(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

char *tu_write_pem(const char *dir, const char *name, X509 *const *certs, size_t n_certs,
                   EVP_PKEY *const *keys, size_t n_keys) {
        char *p = tu_path(dir, name);
        FILE *f = fopen(p, "we");

        TU_ASSERT(f);
        for (size_t i = 0; i < n_certs; i++)
                TU_ASSERT(PEM_write_X509(f, certs[i]) == 1);
        for (size_t i = 0; i < n_keys; i++)
                TU_ASSERT(PEM_write_PrivateKey(f, keys[i], NULL, NULL, 0, NULL, NULL) == 1);
        TU_ASSERT(fclose(f) == 0);
        return p;
}

char *tu_write_file(const char *dir, const char *name, const void *data, size_t len) {
        char *p = tu_path(dir, name);
        FILE *f = fopen(p, "we");

        TU_ASSERT(f);
        TU_ASSERT(fwrite(data, 1, len, f) == len);
        TU_ASSERT(fclose(f) == 0);
        return p;
}

static char *bio_string(BIO *b) {
        char *data, *s;
        long n = BIO_get_mem_data(b, &data);

        /* BIO memory is not NUL-terminated: copy exactly n bytes. */
        TU_ASSERT(n >= 0);
        s = malloc((size_t) n + 1);
        TU_ASSERT(s);
        memcpy(s, data, (size_t) n);
        s[n] = 0;
        return s;
}

char *tu_cert_pem(X509 *x) {
        BIO *b = BIO_new(BIO_s_mem());
        char *s;

        TU_ASSERT(b && PEM_write_bio_X509(b, x) == 1);
        s = bio_string(b);
        BIO_free(b);
        return s;
}

char *tu_key_pem(EVP_PKEY *k) {
        BIO *b = BIO_new(BIO_s_mem());
        char *s;

        TU_ASSERT(b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1);
        s = bio_string(b);
        BIO_free(b);
        return s;
}

void tu_set_dns_sans_raw(X509 *x, EVP_PKEY *signer, const char *const *names, const size_t *lens,
                         size_t n) {
        GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();

        TU_ASSERT(gens);
        for (size_t i = 0; i < n; i++) {
                GENERAL_NAME *gn = GENERAL_NAME_new();
                ASN1_IA5STRING *v = ASN1_IA5STRING_new();

                TU_ASSERT(gn && v);
                TU_ASSERT(ASN1_STRING_set(v, names[i], lens ? (int) lens[i] : -1) == 1);
                GENERAL_NAME_set0_value(gn, GEN_DNS, v);
                TU_ASSERT(sk_GENERAL_NAME_push(gens, gn) > 0);
        }
        TU_ASSERT(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_REPLACE) == 1);
        GENERAL_NAMES_free(gens);
        TU_ASSERT(X509_sign(x, signer, EVP_sha256()) > 0);
}

void tu_add_bad_san_resign(X509 *x, EVP_PKEY *signer) {
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        X509_EXTENSION *e;

        TU_ASSERT(os);
        TU_ASSERT(ASN1_OCTET_STRING_set(os, (const unsigned char *) "\x04\x03\x01\x02\x03", 5) == 1);
        e = X509_EXTENSION_create_by_NID(NULL, NID_subject_alt_name, 0, os);
        TU_ASSERT(e);
        TU_ASSERT(X509_add_ext(x, e, -1) == 1);
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        TU_ASSERT(X509_sign(x, signer, EVP_sha256()) > 0);
}
