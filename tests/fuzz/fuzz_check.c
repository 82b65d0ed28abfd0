/* libFuzzer target: every check (chain search, OpenSSL verification, policy,
 * names) on hostile certificate contents. The input is a sequence of DER
 * certificates, so mutations reach extensions and names rather than only
 * breaking base64; its first byte picks the profile and the service. */
#include <stddef.h>
#include <stdint.h>

#include <openssl/err.h>

#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const services[] = { "rem", "xcap", "bsf", "generic" };
        static char *names[] = { "xcap.ims.mnc001.mcc001.pub.3gppnetwork.org", "192.0.2.1", NULL };
        X509 *certs[BUNDLE_MAX_CERTS];
        Bundle b = { .path = (char *) "fuzz.crt", .certs = certs };
        const unsigned char *p;
        Findings f = {};
        CheckOptions o = {
                .now = 1893456000, /* 2030-01-01 */
                .min_valid_days = 30,
                .names = names,
        };

        if (size < 2)
                return 0;
        o.profile = (Profile) (data[0] % _PROFILE_MAX);
        p = data + 1;
        while (b.n_certs < BUNDLE_MAX_CERTS && p < data + size) {
                X509 *x = d2i_X509(NULL, &p, (long) (data + size - p));
                if (!x)
                        break;
                certs[b.n_certs++] = x;
        }
        ERR_clear_error();
        if (b.n_certs > 0)
                (void) check_bundles(services[(data[0] >> 2) % 4], &b, NULL, &o, &f);
        findings_clear(&f);
        for (size_t i = 0; i < b.n_certs; i++)
                X509_free(certs[i]);
        ERR_clear_error();
        return 0;
}
