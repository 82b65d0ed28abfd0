#pragma once
/* agent: the long-running certconfd. Watches the store with inotify, waits
 * for an upload to settle, checks it, installs it (or a self-signed
 * fallback) into every target in one transaction, signals the units and
 * rolls back when one fails; logs every event to the journal. */

#include <stdbool.h>

typedef struct AgentOptions {
        const char *config_path;   /* the agent configuration */
        bool user_bus;             /* signal units through the user manager (--user) */
        const char *store_dir;     /* apply STORE_DIR: instead of the configuration's */
        bool oneshot;              /* apply: one reconcile, then exit */
} AgentOptions;

/* Runs the agent (or one reconcile); returns the process exit status: 2
 * when the configuration is missing or invalid, 1 when the agent cannot
 * start otherwise (or, oneshot, an upload or install failed), else 0. */
int agent_run(const AgentOptions *o);
