#pragma once
/* status: print what the agent has installed and the last upload's result,
 * from the agent configuration and its state directory. */

#include <stdbool.h>
#include <stdio.h>

/* Returns the exit status (0, or 2 when the configuration or state cannot
 * be read). */
int status_print(const char *config_path, bool json, FILE *out);
