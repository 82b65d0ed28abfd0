/* libFuzzer target: the PEM bundle reader on arbitrary bytes (what an
 * operator, or an attacker with upload rights, can put in the store). */
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(bundle_freep) Bundle *b = NULL;
        Findings f = {};

        (void) bundle_parse("fuzz.crt", data, size, BUNDLE_EXPECT_CERTS | BUNDLE_EXPECT_KEY, &b, &f);
        findings_clear(&f);
        return 0;
}
