#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "inspect.h"
#include "names.h"
#include "timeutil.h"

int inspect_fingerprint(X509 *x, char *buf, size_t size) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        size_t pos = 0;

        if (size < 96 || X509_digest(x, EVP_sha256(), md, &n) != 1)
                return -EINVAL;
        for (unsigned int i = 0; i < n; i++)
                pos += (size_t) snprintf(buf + pos, size - pos, "%s%02X", i ? ":" : "", md[i]);
        return 0;
}

void inspect_key_description(EVP_PKEY *k, char *buf, size_t size) {
        char group[64] = "";

        if (!k) {
                snprintf(buf, size, "unreadable");
                return;
        }
        if (EVP_PKEY_is_a(k, "EC") &&
            EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof group, NULL) == 1) {
                /* "P-256" rather than OpenSSL's "prime256v1", where NIST has a name. */
                const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
                snprintf(buf, size, "EC %s (%d bits)", nist ? nist : group, EVP_PKEY_get_bits(k));
        } else
                snprintf(buf, size, "%s %d bits", strna(EVP_PKEY_get0_type_name(k)),
                         EVP_PKEY_get_bits(k));
        ERR_clear_error();
}

/* Whether x has a subjectAltName extension that does not decode (or several). */
static bool san_unreadable(X509 *x) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
        int crit = -1;

        gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
        ERR_clear_error();
        return !gens && crit != -1;
}

/* "  label:  value\n", the value made printable: a file name, a subject or a
 * SAN can hold anything a hostile certificate or upload puts there. */
static void field(FILE *out, const char *label, const char *value) {
        fputs(label, out);
        findings_fputs_printable(out, value);
        fputc('\n', out);
}

/* The certificates and keys, in order; bags (may be NULL) gives each
 * certificate's PKCS#12 bag number (-1: none). */
static int print_items(FILE *out, X509 *const *certs, const int *bags, size_t n_certs,
                       EVP_PKEY *const *keys, size_t n_keys, time_t now) {
        int r;

        for (size_t i = 0; i < n_certs; i++) {
                X509 *x = certs[i];
                _cleanup_(freep) char *subject = x509_subject_string(x),
                                      *issuer = x509_issuer_string(x);
                _cleanup_(strv_freep) char **dns = NULL, **ip = NULL;
                char fp[128] = "(unavailable)", key[96], nb_s[32], na_s[32];
                time_t nb = 0, na = 0;
                bool has_san = false;
                int md = NID_undef, pk = NID_undef;

                r = names_cert_sans(x, &dns, &ip, &has_san);
                if (r < 0)
                        return r;
                (void) time_from_asn1(X509_get0_notBefore(x), &nb);
                (void) time_from_asn1(X509_get0_notAfter(x), &na);
                (void) inspect_fingerprint(x, fp, sizeof fp);
                inspect_key_description(X509_get0_pubkey(x), key, sizeof key);
                (void) OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, &pk);

                fprintf(out, "\ncertificate %zu\n", i);
                if (bags && bags[i] >= 0)
                        fprintf(out, "  PKCS#12 bag: %d\n", bags[i]);
                field(out, "  subject:     ", strna(subject));
                field(out, "  issuer:      ", strna(issuer));
                fputs("  SANs:        ", out);
                if (!has_san)
                        fputs("none (no subjectAltName extension)", out);
                else if (!(dns && dns[0]) && !(ip && ip[0]))
                        fputs(san_unreadable(x) ? "unreadable (the subjectAltName extension is "
                                                  "malformed or repeated)"
                                                : "none (no DNS or IP entry)",
                              out);
                for (char **d = dns; d && *d; d++) {
                        fputs(d == dns ? "DNS:" : ", DNS:", out);
                        findings_fputs_printable(out, *d);
                }
                for (char **p = ip; p && *p; p++)
                        fprintf(out, "%sIP:%s", (p == ip && !(dns && dns[0])) ? "" : ", ", *p);
                fputc('\n', out);
                fprintf(out, "  validity:    %s to %s", time_format_rfc3339(nb, nb_s, sizeof nb_s),
                        time_format_rfc3339(na, na_s, sizeof na_s));
                if (na < now)
                        fprintf(out, " (expired %lld days ago)\n",
                                (long long) ((now - na) / 86400));
                else if (nb > now)
                        fprintf(out, " (not yet valid)\n");
                else
                        fprintf(out, " (%lld days left)\n", (long long) ((na - now) / 86400));
                field(out, "  key:         ", key);
                field(out, "  signature:   ", strna(OBJ_nid2ln(X509_get_signature_nid(x))));
                fprintf(out, "  SHA-256:     %s\n", fp);
                if (i + 1 < n_certs) {
                        EVP_PKEY *next = X509_get0_pubkey(certs[i + 1]);
                        bool signed_next = next && X509_verify(x, next) == 1;
                        ERR_clear_error();
                        fprintf(out, "  signed by next: %s\n", signed_next ? "yes" : "NO");
                } else {
                        EVP_PKEY *self = X509_get0_pubkey(x);
                        bool self_signed = X509_NAME_cmp(X509_get_subject_name(x),
                                                         X509_get_issuer_name(x)) == 0 &&
                                           self && X509_verify(x, self) == 1;
                        ERR_clear_error();
                        fprintf(out, "  signed by next: (last)%s\n",
                                self_signed ? ", self-signed root" : ", not self-signed");
                }
        }
        for (size_t i = 0; i < n_keys; i++) {
                char key[96];
                int match = -1;

                inspect_key_description(keys[i], key, sizeof key);
                for (size_t j = 0; j < n_certs && match < 0; j++) {
                        EVP_PKEY *pub = X509_get0_pubkey(certs[j]);
                        if (pub && EVP_PKEY_eq(pub, keys[i]) == 1)
                                match = (int) j;
                        ERR_clear_error();
                }
                fprintf(out, "\nprivate key %zu: ", i);
                findings_fputs_printable(out, key);
                fputs(", ", out);
                if (match >= 0)
                        fprintf(out, "belongs to certificate %d\n", match);
                else
                        fprintf(out, "belongs to no certificate in this file\n");
        }
        return ferror(out) ? -EIO : 0;
}

int inspect_print(FILE *out, const Bundle *b, time_t now) {
        findings_fputs_printable(out, b->path);
        fprintf(out, ": %zu certificate%s, %zu private key%s%s\n", b->n_certs,
                b->n_certs == 1 ? "" : "s", b->n_keys, b->n_keys == 1 ? "" : "s",
                b->n_encrypted_keys ? " (and encrypted keys not read)" : "");
        return print_items(out, b->certs, NULL, b->n_certs, b->keys, b->n_keys, now);
}

int inspect_print_loaded(FILE *out, const LoaderSet *s, size_t file, time_t now) {
        _cleanup_(freep) X509 **certs = NULL;
        _cleanup_(freep) EVP_PKEY **keys = NULL;
        _cleanup_(freep) int *bags = NULL;
        _cleanup_(freep) char *desc = NULL;
        size_t nc = 0, nk = 0;

        if (!s || file >= s->n_files)
                return -EINVAL;
        desc = loader_describe_file(s, file);
        certs = calloc(s->n_certs + 1, sizeof(X509 *));
        bags = calloc(s->n_certs + 1, sizeof(int));
        keys = calloc(s->n_keys + 1, sizeof(EVP_PKEY *));
        if (!desc || !certs || !bags || !keys)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_certs; i++)
                if (s->certs[i].file == file) {
                        bags[nc] = s->certs[i].bag;
                        certs[nc++] = s->certs[i].x509;
                }
        for (size_t i = 0; i < s->n_keys; i++)
                if (s->keys[i].file == file)
                        keys[nk++] = s->keys[i].pkey;
        findings_fputs_printable(out, s->files[file].path);
        fputs(": ", out);
        findings_fputs_printable(out, desc);
        fputc('\n', out);
        return print_items(out, certs, bags, nc, keys, nk, now);
}
