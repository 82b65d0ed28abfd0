/* libFuzzer target: `certconfd import`'s reader on arbitrary bytes (PEM with
 * any text around it, DER, PKCS#7, PKCS#12 with the hand-walked safes and
 * bags, encrypted keys), then the chain assembly. The first byte picks the
 * password given: none, empty, or "pass". The input is split at the first
 * "\n--8<--\n" into two files, so assembly sees more than one input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char cut[] = "\n--8<--\n";
        _cleanup_(loader_set_freep) LoaderSet *s = NULL;
        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
        LoaderOptions o = {};
        LoaderAssembleOptions ao = {};
        Findings f = {};
        const uint8_t *second = NULL;
        size_t first_len;

        if (size < 1)
                return 0;
        o.password = data[0] % 3 == 0 ? NULL : data[0] % 3 == 1 ? "" : "pass";
        data++;
        size--;
        first_len = size;
        second = memmem(data, size, cut, sizeof cut - 1);
        if (second) {
                first_len = (size_t) (second - data);
                second += sizeof cut - 1;
        }

        s = loader_set_new();
        if (!s)
                return 0;
        (void) loader_parse(s, "fuzz-1.pem", data, first_len, &o, &f);
        if (second)
                (void) loader_parse(s, "fuzz-2.p12", second, size - (size_t) (second - data), &o, &f);
        (void) loader_assemble(s, &ao, &res, &f);
        findings_clear(&f);
        return 0;
}
