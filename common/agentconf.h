#pragma once
/* agentconf: the agent's own configuration (/etc/certconf/certconf.yaml):
 * where the store and the state live, the self-signed settings, and the
 * services with their install targets and the systemd units to signal.
 * Problems are CONFIG_INVALID findings with file, line and column; the
 * caller refuses to start (or keeps its old configuration). Never logs. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "findings.h"
#include "profile.h"

#define AGENTCONF_DEFAULT_PATH "/etc/certconf/certconf.yaml"
#define AGENTCONF_DEFAULT_STORE_DIR "/var/lib/certconf/store"
#define AGENTCONF_DEFAULT_STATE_DIR "/var/lib/certconf/state"
#define AGENTCONF_DEFAULT_MIN_VALID_DAYS 30
#define AGENTCONF_DEFAULT_SETTLE_MS 2000
#define AGENTCONF_DEFAULT_SELF_SIGNED_DAYS 1826
#define AGENTCONF_DEFAULT_UNIT_TIMEOUT_S 90
#define AGENTCONF_MAX_BYTES (256 * 1024)

typedef enum TargetFormat {
        TARGET_PKCS12,    /* Tomcat keystore: key, leaf and chain under one alias */
        TARGET_PEM_CHAIN, /* leaf then its issuers, as uploaded */
        TARGET_PEM_CERT,  /* the leaf alone */
        TARGET_PEM_KEY,   /* the private key alone (PKCS#8, unencrypted) */
        TARGET_PEM_BUNDLE_KEY_FIRST, /* key, leaf, its issuers up to the root (MX-ONE) */
        TARGET_PEM_BUNDLE_KEY_LAST,  /* leaf, its issuers, then the key (innovaphone) */
        _TARGET_FORMAT_MAX,
        _TARGET_FORMAT_INVALID = -EINVAL,
} TargetFormat;

const char *target_format_to_string(TargetFormat f);
TargetFormat target_format_from_string(const char *s);
/* Whether a target of this format holds the private key (default mode 0600). */
bool target_format_has_key(TargetFormat f);

typedef enum Pkcs12Compat {
        PKCS12_COMPAT_MODERN, /* AES-256-CBC, PBKDF2, HMAC-SHA-256 MAC (OpenSSL 3 default) */
        PKCS12_COMPAT_LEGACY, /* 3DES (pbeWithSHA1And3-KeyTripleDES-CBC), SHA-1 MAC: Java
                               * older than 11.0.12 and 8u301 */
        _PKCS12_COMPAT_MAX,
        _PKCS12_COMPAT_INVALID = -EINVAL,
} Pkcs12Compat;

const char *pkcs12_compat_to_string(Pkcs12Compat c);
Pkcs12Compat pkcs12_compat_from_string(const char *s);

typedef enum UnitAction {
        UNIT_ACTION_TRY_RELOAD_OR_RESTART, /* default: a stopped service is not started */
        UNIT_ACTION_RELOAD_OR_RESTART,
        UNIT_ACTION_RESTART,
        UNIT_ACTION_TRY_RESTART,
        UNIT_ACTION_RELOAD,
        UNIT_ACTION_NONE,
        _UNIT_ACTION_MAX,
        _UNIT_ACTION_INVALID = -EINVAL,
} UnitAction;

const char *unit_action_to_string(UnitAction a);   /* "try-reload-or-restart", ... */
UnitAction unit_action_from_string(const char *s);
/* The org.freedesktop.systemd1.Manager method: "ReloadOrTryRestartUnit",
 * "ReloadOrRestartUnit", "RestartUnit", "TryRestartUnit", "ReloadUnit";
 * NULL for UNIT_ACTION_NONE. */
const char *unit_action_to_method(UnitAction a);

typedef enum ServiceKind {
        SERVICE_KIND_REM,
        SERVICE_KIND_XCAP,
        SERVICE_KIND_BSF,
        SERVICE_KIND_GENERIC,
        _SERVICE_KIND_MAX,
        _SERVICE_KIND_INVALID = -EINVAL,
} ServiceKind;

const char *service_kind_to_string(ServiceKind k); /* "rem", "xcap", "bsf", "generic" */
ServiceKind service_kind_from_string(const char *s);

typedef enum KeySpec {
        KEY_SPEC_RSA2048,
        KEY_SPEC_EC_P256,
        _KEY_SPEC_MAX,
        _KEY_SPEC_INVALID = -EINVAL,
} KeySpec;

const char *key_spec_to_string(KeySpec k); /* "rsa:2048", "ec:p256" */
KeySpec key_spec_from_string(const char *s);

typedef struct Target {
        TargetFormat format;
        char *path;           /* absolute, normalised (no "//", no trailing "/", no "." or "..") */
        char *owner;          /* as written (user name or number), NULL: the agent's own user */
        char *group;          /* as written, NULL: the agent's own group */
        uid_t uid;            /* resolved by agentconf_resolve_ids(); (uid_t) -1 = unchanged */
        gid_t gid;            /* likewise */
        mode_t mode;          /* default 0600 when the format holds a key, else 0644 */
        char *alias;          /* pkcs12: the keystore alias (default: the service's name) */
        char *password_file;  /* pkcs12: absolute path of a file whose first line is the
                               * keystore password; required for pkcs12 */
        Pkcs12Compat compat;  /* pkcs12 only (default modern) */
        /* pkcs12: SHA-256 (hex) of the password in password_file as the
         * agent last read it (render_password_digest()), so that a new
         * password renders the keystore again; NULL: not read. Not parsed. */
        char *password_digest;
        int line, column;     /* where the target is defined, for messages */
        int path_line, path_column; /* where its path is written, for messages */
} Target;

typedef struct AgentService {
        char *name;           /* the store's file prefix: <name>-cert.crt/.key */
        ServiceKind kind;     /* naming rules; default: rem/xcap/bsf by name, else generic */
        Target *targets;
        size_t n_targets;
        char **units;         /* NULL-terminated, may be empty: systemd units to signal */
        UnitAction action;    /* default try-reload-or-restart */
        int line, column;
} AgentService;

typedef struct AgentConfig {
        char *path;               /* the file it was read from */
        char *store_dir;          /* absolute */
        char *state_dir;          /* absolute */
        int min_valid_days;       /* default 30, 0..3650 */
        unsigned settle_ms;       /* quiet time before an upload is read; default 2000, 0..600000 */
        unsigned unit_timeout_s;  /* how long to wait for a unit's job; default 90, 1..3600 */
        unsigned self_signed_days;/* default 1826, 1..36500 */
        KeySpec self_signed_key;  /* default rsa:2048 */
        Profile policy;           /* check profile: default | strict | innovaphone */
        char **trust;             /* NULL-terminated trust files (absolute), may be empty */
        bool system_trust;        /* also trust the system CA bundle; default false */
        AgentService *services;
        size_t n_services;
} AgentConfig;

/* Parses YAML text (len bytes) read from path. Relative paths in it are
 * resolved against base_dir (NULL: the directory of path; a relative one is
 * taken from the working directory). An empty file has no services, which
 * is an error like any other. On a problem adds
 * CONFIG_INVALID findings (file, line, column, what is wrong and how to fix
 * it) and returns -EINVAL; negative errno for other failures. Owners and
 * groups are not looked up here (see agentconf_resolve_ids()). */
int agentconf_parse(const char *path, const char *data, size_t len, const char *base_dir,
                    AgentConfig **ret, Findings *f);

/* Reads path (links followed: it is the administrator's file, at most
 * AGENTCONF_MAX_BYTES) and parses it. An unreadable file is a CONFIG_INVALID
 * finding naming it and why, and its negative errno is returned (-ENOENT,
 * -EACCES, -EFBIG, -EISDIR, -EBADFD, ...); only -ENOMEM comes without a
 * finding. */
int agentconf_load(const char *path, const char *base_dir, AgentConfig **ret, Findings *f);

/* Looks up every target's owner and group (getpwnam_r/getgrnam_r, or a
 * number); an unknown one is a CONFIG_INVALID finding at the target's line
 * and -EINVAL. */
int agentconf_resolve_ids(AgentConfig *c, Findings *f);

AgentConfig *agentconf_free(AgentConfig *c);
DEFINE_PTR_CLEANUP(AgentConfig, agentconf_free)

const AgentService *agentconf_service(const AgentConfig *c, const char *name);
