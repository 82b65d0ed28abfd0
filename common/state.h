#pragma once
/* state: what the agent has installed for each service — where it came from
 * (an upload or the agent's own self-signed certificate), its fingerprint,
 * subject and expiry, the digests of the store files it came from, and an
 * upload a unit failed with. A small versioned text file in the state
 * directory, parsed strictly. Returns >= 0 or negative errno; never logs. */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "macro.h"

#define STATE_FILE_NAME "installed"
#define STATE_MATERIAL_DIR "material"
#define STATE_JOURNAL_NAME "install.journal"
#define STATE_LAST_UPLOAD_NAME "last-upload"

typedef enum MaterialSource {
        SOURCE_UPLOADED,
        SOURCE_SELF_SIGNED,
        _SOURCE_MAX,
        _SOURCE_INVALID = -EINVAL,
} MaterialSource;

const char *material_source_to_string(MaterialSource s); /* "uploaded", "self-signed" */
MaterialSource material_source_from_string(const char *s);

typedef struct ServiceState {
        char *service;
        bool installed;       /* false: only failed_* is known */
        MaterialSource source;
        char *fingerprint;    /* SHA-256 of the server certificate, "AB:CD:..." */
        char *subject;        /* RFC 2253, printable */
        time_t not_after;
        char *upload_crt;     /* hex SHA-256 of <svc>-cert.crt as installed from; NULL if self-signed */
        char *upload_key;
        char *failed_crt;     /* an upload a unit failed to start with: not retried until it changes */
        char *failed_key;
        char *targets;        /* hex digest of the service's target configuration when installed */
        time_t installed_at;
} ServiceState;

typedef struct State {
        ServiceState *services;
        size_t n_services;
} State;

State *state_new(void);
State *state_free(State *s);
DEFINE_PTR_CLEANUP(State, state_free)
State *state_copy(const State *s);

/* Parses the text of the state file; -EBADMSG when it is damaged. */
int state_parse(const char *data, size_t len, State **ret);
/* Formats s (services sorted by name) as the state file's text (malloc'd). */
int state_format(const State *s, char **ret, size_t *ret_len);
/* Reads <state_dir>/installed; a missing file is an empty state. */
int state_load(const char *state_dir, State **ret);

ServiceState *state_service(const State *s, const char *service);
/* The entry for service, made (empty, not installed) when missing. */
int state_service_get(State *s, const char *service, ServiceState **ret);
void service_state_clear(ServiceState *ss);
/* Replaces *dst by a deep copy of src. */
int service_state_copy(ServiceState *dst, const ServiceState *src);

/* Lowercase hex of 32 bytes into a malloc'd string. */
char *state_hex(const unsigned char *d, size_t n);
