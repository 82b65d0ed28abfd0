/* libFuzzer target: the deployment YAML parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "deploy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(deploy_freep) Deployment *d = NULL;
        Findings f = {};

        (void) deploy_parse("deployment.yaml", (const char *) data, size, &d, &f);
        findings_clear(&f);
        return 0;
}
