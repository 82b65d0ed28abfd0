/* libFuzzer target: the agent configuration parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "agentconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(agentconf_freep) AgentConfig *c = NULL;
        Findings f = {};

        (void) agentconf_parse("/etc/certconf/certconf.yaml", (const char *) data, size, "/", &c, &f);
        findings_clear(&f);
        return 0;
}
