#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <strings.h>

#include "agentconf.h"
#include "fileio.h"
#include "strv.h"
#include "yamlutil.h"

#define AGENTCONF_SERVICE_MAX 64  /* as the store's <svc>-cert.crt names allow */
#define AGENTCONF_UNIT_MAX    255 /* systemd's UNIT_NAME_MAX less the NUL */
#define AGENTCONF_ID_MAX      256 /* user and group names */

/* ---------------------------------------------------------------------------
 * Enums. */

static const char *const target_format_table[_TARGET_FORMAT_MAX] = {
        [TARGET_PKCS12] = "pkcs12",
        [TARGET_PEM_CHAIN] = "pem-chain",
        [TARGET_PEM_CERT] = "pem-cert",
        [TARGET_PEM_KEY] = "pem-key",
        [TARGET_PEM_BUNDLE_KEY_FIRST] = "pem-bundle-key-first",
        [TARGET_PEM_BUNDLE_KEY_LAST] = "pem-bundle-key-last",
};

static const char *const pkcs12_compat_table[_PKCS12_COMPAT_MAX] = {
        [PKCS12_COMPAT_MODERN] = "modern",
        [PKCS12_COMPAT_LEGACY] = "legacy",
};

static const char *const unit_action_table[_UNIT_ACTION_MAX] = {
        [UNIT_ACTION_TRY_RELOAD_OR_RESTART] = "try-reload-or-restart",
        [UNIT_ACTION_RELOAD_OR_RESTART] = "reload-or-restart",
        [UNIT_ACTION_RESTART] = "restart",
        [UNIT_ACTION_TRY_RESTART] = "try-restart",
        [UNIT_ACTION_RELOAD] = "reload",
        [UNIT_ACTION_NONE] = "none",
};

static const char *const unit_action_method_table[_UNIT_ACTION_MAX] = {
        [UNIT_ACTION_TRY_RELOAD_OR_RESTART] = "ReloadOrTryRestartUnit",
        [UNIT_ACTION_RELOAD_OR_RESTART] = "ReloadOrRestartUnit",
        [UNIT_ACTION_RESTART] = "RestartUnit",
        [UNIT_ACTION_TRY_RESTART] = "TryRestartUnit",
        [UNIT_ACTION_RELOAD] = "ReloadUnit",
        [UNIT_ACTION_NONE] = NULL,
};

static const char *const service_kind_table[_SERVICE_KIND_MAX] = {
        [SERVICE_KIND_REM] = "rem",
        [SERVICE_KIND_XCAP] = "xcap",
        [SERVICE_KIND_BSF] = "bsf",
        [SERVICE_KIND_GENERIC] = "generic",
};

static const char *const key_spec_table[_KEY_SPEC_MAX] = {
        [KEY_SPEC_RSA2048] = "rsa:2048",
        [KEY_SPEC_EC_P256] = "ec:p256",
};

static int table_lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

static const char *table_name(const char *const *table, size_t n, int i) {
        return i >= 0 && (size_t) i < n ? table[i] : NULL;
}

const char *target_format_to_string(TargetFormat f) {
        return table_name(target_format_table, _TARGET_FORMAT_MAX, f);
}

TargetFormat target_format_from_string(const char *s) {
        return (TargetFormat) table_lookup(target_format_table, _TARGET_FORMAT_MAX, s);
}

bool target_format_has_key(TargetFormat f) {
        return f == TARGET_PKCS12 || f == TARGET_PEM_KEY || f == TARGET_PEM_BUNDLE_KEY_FIRST ||
               f == TARGET_PEM_BUNDLE_KEY_LAST;
}

const char *pkcs12_compat_to_string(Pkcs12Compat c) {
        return table_name(pkcs12_compat_table, _PKCS12_COMPAT_MAX, c);
}

Pkcs12Compat pkcs12_compat_from_string(const char *s) {
        return (Pkcs12Compat) table_lookup(pkcs12_compat_table, _PKCS12_COMPAT_MAX, s);
}

const char *unit_action_to_string(UnitAction a) {
        return table_name(unit_action_table, _UNIT_ACTION_MAX, a);
}

UnitAction unit_action_from_string(const char *s) {
        return (UnitAction) table_lookup(unit_action_table, _UNIT_ACTION_MAX, s);
}

const char *unit_action_to_method(UnitAction a) {
        return table_name(unit_action_method_table, _UNIT_ACTION_MAX, a);
}

const char *service_kind_to_string(ServiceKind k) {
        return table_name(service_kind_table, _SERVICE_KIND_MAX, k);
}

ServiceKind service_kind_from_string(const char *s) {
        return (ServiceKind) table_lookup(service_kind_table, _SERVICE_KIND_MAX, s);
}

const char *key_spec_to_string(KeySpec k) {
        return table_name(key_spec_table, _KEY_SPEC_MAX, k);
}

KeySpec key_spec_from_string(const char *s) {
        return (KeySpec) table_lookup(key_spec_table, _KEY_SPEC_MAX, s);
}

/* ---------------------------------------------------------------------------
 * Freeing. */

static void target_done(Target *t) {
        free(t->path);
        free(t->owner);
        free(t->group);
        free(t->alias);
        free(t->password_file);
        free(t->password_digest);
        *t = (Target){};
}

static void service_done(AgentService *s) {
        for (size_t i = 0; i < s->n_targets; i++)
                target_done(&s->targets[i]);
        free(s->targets);
        free(s->name);
        strv_free(s->units);
        *s = (AgentService){};
}

AgentConfig *agentconf_free(AgentConfig *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_services; i++)
                service_done(&c->services[i]);
        free(c->services);
        free(c->path);
        free(c->store_dir);
        free(c->state_dir);
        strv_free(c->trust);
        free(c);
        return NULL;
}

const AgentService *agentconf_service(const AgentConfig *c, const char *name) {
        if (!c || !name)
                return NULL;
        for (size_t i = 0; i < c->n_services; i++)
                if (streq(c->services[i].name, name))
                        return &c->services[i];
        return NULL;
}

/* ---------------------------------------------------------------------------
 * Paths. */

/* s (absolute, or relative to the absolute base) without "//", "." and ".."
 * components and without a trailing "/" ("/" stays "/"). ".." is resolved
 * by name: "/a/b/../c" is "/a/c", and ".." of "/" is "/". NULL on OOM. */
static char *path_normalise(const char *base, const char *s) {
        _cleanup_(freep) char *in = NULL, *out = NULL;
        size_t o = 0;

        if (s[0] == '/' || !base)
                in = strdup(s);
        else if (asprintf(&in, "%s/%s", base, s) < 0)
                in = NULL;
        if (!in)
                return NULL;
        out = malloc(strlen(in) + 2);
        if (!out)
                return NULL;

        for (const char *c = in; *c;) {
                const char *e;
                size_t n;

                while (*c == '/')
                        c++;
                if (!*c)
                        break;
                e = strchrnul(c, '/');
                n = (size_t) (e - c);
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else if (!(n == 1 && c[0] == '.')) {
                        out[o++] = '/';
                        memcpy(out + o, c, n);
                        o += n;
                }
                c = e;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = 0;
        return TAKE_PTR(out);
}

/* Whether s names a directory rather than a file: it ends in "/", or its
 * last component is "." or "..". */
static bool path_is_dir_name(const char *s) {
        const char *last = strrchr(s, '/');

        last = last ? last + 1 : s;
        return *last == 0 || streq(last, ".") || streq(last, "..");
}

/* Whether the normalised path p is dir or below it. */
static bool path_below(const char *p, const char *dir) {
        size_t n = strlen(dir);

        if (streq(dir, "/"))
                return true;
        return strncmp(p, dir, n) == 0 && (p[n] == 0 || p[n] == '/');
}

/* The directory the relative paths of a configuration read from path are
 * resolved against: base_dir or path's directory, made absolute. */
static int base_directory(const char *path, const char *base_dir, char **ret) {
        _cleanup_(freep) char *cwd = NULL, *dir = NULL;
        const char *b = base_dir;
        char *n;

        if (!b) {
                const char *slash = path ? strrchr(path, '/') : NULL;

                if (slash) {
                        dir = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
                        if (!dir)
                                return -ENOMEM;
                        b = dir;
                } else
                        b = ".";
        }
        if (b[0] != '/') {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return errno == ENOMEM ? -ENOMEM : -errno;
        }
        n = path_normalise(cwd, b);
        if (!n)
                return -ENOMEM;
        *ret = n;
        return 0;
}

/* ---------------------------------------------------------------------------
 * The schema. */

static const char *const top_keys[] = {
        "store_dir", "state_dir", "min_valid_days", "settle_ms",   "unit_timeout_s",
        "policy",    "trust",     "system_trust",   "self_signed", "services",
};
static const char *const self_signed_keys[] = {"days", "key"};
static const char *const service_keys[] = {"profile", "action", "units", "targets"};
static const char *const target_keys[] = {
        "format", "path", "alias", "password_file", "compat", "owner", "group", "mode",
};

typedef enum Level {
        LEVEL_TOP,
        LEVEL_SELF_SIGNED,
        LEVEL_SERVICE,
        LEVEL_TARGET,
} Level;

typedef struct Ctx {
        YamlParser p;
        AgentConfig *c;
        const char *base_dir;                    /* absolute */
        const YamlNode *store_node, *state_node; /* the values, when valid */
        bool services_seen;
} Ctx;

static char *strf(const char *fmt, ...) _printf_(1, 2);

/* asprintf() that returns the string, NULL on OOM. */
static char *strf(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

static int error_at(Ctx *x, const YamlNode *n, const char *hint, const char *fmt, ...)
        _printf_(4, 5);

/* A CONFIG_INVALID error at node n. Returns 0 (reported: skip the value) or
 * -ENOMEM. */
static int error_at(Ctx *x, const YamlNode *n, const char *hint, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0) {
                msg = NULL;
                return -ENOMEM;
        }
        r = yamlutil_error_at(&x->p, n->line, n->column, hint, "%s", msg);
        return r < 0 ? r : 0;
}

static int unknown_key(Ctx *x, const YamlNode *k, Level level) {
        static const struct {
                const char *const *keys;
                size_t n;
        } levels[] = {
                [LEVEL_TOP] = {top_keys, ELEMENTSOF(top_keys)},
                [LEVEL_SELF_SIGNED] = {self_signed_keys, ELEMENTSOF(self_signed_keys)},
                [LEVEL_SERVICE] = {service_keys, ELEMENTSOF(service_keys)},
                [LEVEL_TARGET] = {target_keys, ELEMENTSOF(target_keys)},
        };
        _cleanup_(freep) char *hint = NULL;
        const char *v = k->value;
        bool oom = false;

        /* A key of another level: say where it belongs. */
        if (level != LEVEL_TARGET && yamlutil_in_list(v, target_keys, ELEMENTSOF(target_keys)))
                oom = !(hint = strf("'%s' belongs to a target: services: {<name>: {targets: "
                                    "[{format: ..., path: ..., %s: ...}]}}",
                                    YSHOW(k), YSHOW(k)));
        else if (level != LEVEL_SERVICE &&
                 yamlutil_in_list(v, service_keys, ELEMENTSOF(service_keys)))
                oom = !(hint = strf("'%s' belongs under a service: services: {<name>: {%s: "
                                    "...}}",
                                    YSHOW(k), YSHOW(k)));
        else if (level != LEVEL_SELF_SIGNED &&
                 yamlutil_in_list(v, self_signed_keys, ELEMENTSOF(self_signed_keys)))
                oom = !(hint = strf("'%s' belongs under 'self_signed:'", YSHOW(k)));
        else if (level != LEVEL_TOP && yamlutil_in_list(v, top_keys, ELEMENTSOF(top_keys)))
                oom = !(hint = strf("'%s' belongs at the top level, not indented", YSHOW(k)));
        else if (level == LEVEL_TOP && (streq(v, "rem") || streq(v, "xcap") || streq(v, "bsf")))
                oom = !(hint = strf("put the service '%s' under 'services:'", v));
        if (oom)
                return -ENOMEM;

        return yamlutil_unknown_key(&x->p, k, levels[level].keys, levels[level].n, hint);
}

/* A single value without control characters. Returns 1, 0 (reported) or
 * -ENOMEM. */
static int check_scalar(Ctx *x, const YamlNode *k, const YamlNode *v, const char *example) {
        int r;

        r = yamlutil_check_type(&x->p, k, v, YNODE_SCALAR, example);
        if (r <= 0)
                return r;
        return yamlutil_check_text(&x->p, k, v);
}

/* A whole number from min to max, plain or quoted, decimal. */
static int parse_number(Ctx *x, const YamlNode *k, const YamlNode *v, unsigned min, unsigned max,
                        const char *example, unsigned *ret) {
        _cleanup_(freep) char *hint = NULL, *line = NULL;
        unsigned long n = 0;
        int r;

        line = strf("%s: %s", k->value, example);
        if (!line)
                return -ENOMEM;
        r = check_scalar(x, k, v, line);
        if (r <= 0)
                return r;

        if (v->len == 0 || strspn(v->value, "0123456789") != v->len) {
                hint = strf("Give a whole number from %u to %u, e.g. %s (no sign, unit or "
                            "spaces).",
                            min, max, example);
                if (!hint)
                        return -ENOMEM;
                return error_at(x, v, hint, "%s '%s' is not a whole number", k->value, YSHOW(v));
        }
        for (size_t i = 0; i < v->len && n <= max; i++)
                n = n * 10 + (unsigned long) (v->value[i] - '0');
        if (n < min || n > max) {
                hint = strf("Give a number from %u to %u.", min, max);
                if (!hint)
                        return -ENOMEM;
                return error_at(x, v, hint, "%s %s is out of range", k->value, YSHOW(v));
        }
        *ret = (unsigned) n;
        return 1;
}

static int parse_bool(Ctx *x, const YamlNode *k, const YamlNode *v, bool *ret) {
        _cleanup_(freep) char *example = NULL;
        int r;

        example = strf("%s: false", k->value);
        if (!example)
                return -ENOMEM;
        r = check_scalar(x, k, v, example);
        if (r <= 0)
                return r;
        if (streq(v->value, "true") || streq(v->value, "True") || streq(v->value, "TRUE")) {
                *ret = true;
                return 1;
        }
        if (streq(v->value, "false") || streq(v->value, "False") || streq(v->value, "FALSE")) {
                *ret = false;
                return 1;
        }
        return error_at(x, v, "Write true or false.", "%s '%s' is not true or false", k->value,
                        YSHOW(v));
}

/* One of table's names (exact). The hint lists them, and the nearest when
 * the value looks like a misspelling of it. */
static int parse_enum(Ctx *x, const YamlNode *k, const YamlNode *v, const char *what,
                      const char *const *table, size_t n, int *ret) {
        _cleanup_(freep) char *example = NULL, *list = NULL, *hint = NULL;
        const char *nearest;
        int i, r;

        example = strf("%s: %s", k->value, table[0]);
        if (!example)
                return -ENOMEM;
        r = check_scalar(x, k, v, example);
        if (r <= 0)
                return r;

        i = table_lookup(table, n, v->value);
        if (i >= 0) {
                *ret = i;
                return 1;
        }
        list = yamlutil_join(table, n);
        if (!list)
                return -ENOMEM;
        nearest = yamlutil_nearest(v->value, table, n);
        if (nearest)
                hint = strf("did you mean '%s'? (one of: %s)", nearest, list);
        else
                hint = strf("Use one of: %s.", list);
        if (!hint)
                return -ENOMEM;
        return error_at(x, v, hint, "unknown %s '%s'", what, YSHOW(v));
}

/* A path, made absolute and normalised. file: it must name a file, not a
 * directory. example: a path for the hints. */
static int parse_path(Ctx *x, const YamlNode *k, const YamlNode *v, bool file, const char *example,
                      char **ret) {
        _cleanup_(freep) char *hint = NULL, *line = NULL;
        char *s;
        int r;

        line = strf("%s: %s", k->value, example);
        if (!line)
                return -ENOMEM;
        r = check_scalar(x, k, v, line);
        if (r <= 0)
                return r;
        if (v->len >= PATH_MAX)
                return error_at(x, v, "Use a shorter path.", "'%s' is longer than %d bytes",
                                k->value, PATH_MAX - 1);
        if (file && path_is_dir_name(v->value)) {
                hint = strf("Give the file's full name, e.g. %s", example);
                if (!hint)
                        return -ENOMEM;
                return error_at(x, v, hint, "%s '%s' names a directory, not a file", k->value,
                                YSHOW(v));
        }
        s = path_normalise(x->base_dir, v->value);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 1;
}

/* One string or a list of them; each checked by parse_one, which returns
 * the string to keep (malloc'd) in *ret, or 0 when it reported a problem. */
typedef int (*ParseOne)(Ctx *x, const YamlNode *k, const YamlNode *e, char **ret);

static int parse_list(Ctx *x, const YamlNode *k, const YamlNode *v, const char *example,
                      ParseOne parse_one, char ***list) {
        const YamlNode *const *items = &v;
        size_t n = 1;
        int r;

        if (v->type == YNODE_REFUSED)
                return 0;
        if (v->type == YNODE_SEQUENCE) {
                items = (const YamlNode *const *) v->items;
                n = v->n_items;
        } else if (v->type == YNODE_MAPPING || yamlutil_node_is_empty(v)) {
                r = yamlutil_check_type(&x->p, k, v, YNODE_SEQUENCE, example);
                if (r <= 0)
                        return r;
        }

        for (size_t i = 0; i < n; i++) {
                const YamlNode *e = items[i];
                _cleanup_(freep) char *s = NULL;

                if (e->type == YNODE_REFUSED)
                        continue;
                if (yamlutil_node_is_empty(e)) {
                        r = error_at(x, e, "Remove the empty entry.", "empty entry in '%s'",
                                     k->value);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (e->type != YNODE_SCALAR) {
                        _cleanup_(freep) char *hint = strf("Write it as: %s", example);

                        if (!hint)
                                return -ENOMEM;
                        r = error_at(x, e, hint, "an entry of '%s' must be a single value, not %s",
                                     k->value, yamlutil_node_kind(e));
                        if (r < 0)
                                return r;
                        continue;
                }
                r = yamlutil_check_text(&x->p, k, e);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = parse_one(x, k, e, &s);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                if (strv_contains(*list, s, false)) {
                        r = error_at(x, e, "Remove one of them.", "'%s' is listed twice in '%s'",
                                     YSHOW(e), k->value);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = strv_extend(list, s);
                if (r < 0)
                        return r;
        }
        return 1;
}

static int parse_trust_file(Ctx *x, const YamlNode *k, const YamlNode *e, char **ret) {
        return parse_path(x, k, e, true, "/etc/certconf/trust.pem", ret);
}

static const char *const unit_types[] = {
        "service",   "socket", "target", "path",  "timer",  "mount",
        "automount", "swap",   "slice",  "scope", "device",
};

typedef enum UnitNameProblem {
        UNIT_NAME_OK,
        UNIT_NAME_TOO_LONG,
        UNIT_NAME_NO_TYPE,  /* no suffix, or not a unit type */
        UNIT_NAME_CHARS,    /* a character systemd does not allow */
        UNIT_NAME_TEMPLATE, /* foo@.service: needs an instance */
} UnitNameProblem;

/* systemd's rules (unit_name_is_valid() with UNIT_NAME_PLAIN|INSTANCE):
 * at most 255 bytes, [A-Za-z0-9:_.\\-] and '@', a unit type suffix, a
 * non-empty prefix and, after an '@', a non-empty instance. */
static UnitNameProblem unit_name_check(const char *s) {
        const char *dot = strrchr(s, '.'), *at = NULL;
        bool typed = false;

        if (strlen(s) > AGENTCONF_UNIT_MAX)
                return UNIT_NAME_TOO_LONG;
        for (size_t i = 0; dot && dot != s && i < ELEMENTSOF(unit_types); i++)
                if (streq(dot + 1, unit_types[i]))
                        typed = true;
        if (!typed)
                return UNIT_NAME_NO_TYPE;
        for (const char *c = s; c < dot; c++) {
                if (*c == '@' && !at)
                        at = c;
                if (!isascii((unsigned char) *c) ||
                    !(isalnum((unsigned char) *c) || strchr(":-_.\\@", *c)))
                        return UNIT_NAME_CHARS;
        }
        if (at == s)
                return UNIT_NAME_CHARS;
        if (at && at + 1 == dot)
                return UNIT_NAME_TEMPLATE;
        return UNIT_NAME_OK;
}

static int parse_unit(Ctx *x, const YamlNode *k, const YamlNode *e, char **ret) {
        _cleanup_(freep) char *hint = NULL, *with_suffix = NULL;
        char *s;

        switch (unit_name_check(e->value)) {
        case UNIT_NAME_OK:
                s = strdup(e->value);
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 1;
        case UNIT_NAME_TOO_LONG:
                return error_at(x, e, "A unit name has at most 255 characters.",
                                "unit name '%s' is too long", YSHOW(e));
        case UNIT_NAME_NO_TYPE:
                with_suffix = strf("%s.service", e->value);
                if (!with_suffix)
                        return -ENOMEM;
                if (unit_name_check(with_suffix) == UNIT_NAME_OK)
                        hint = strf("did you mean '%s'? (systemctl list-units shows the names)",
                                    with_suffix);
                else
                        hint = strf("Give the full unit name with its type, e.g. "
                                    "tomcat10.service (systemctl list-units shows them).");
                if (!hint)
                        return -ENOMEM;
                return error_at(x, e, hint, "'%s' is not a unit name: it lacks a unit type",
                                YSHOW(e));
        case UNIT_NAME_TEMPLATE:
                return error_at(x, e,
                                "A template cannot be restarted: name an instance, e.g. "
                                "foo@main.service.",
                                "'%s' is a template unit", YSHOW(e));
        case UNIT_NAME_CHARS:
        default:
                return error_at(x, e,
                                "A unit name is letters, digits and : - _ . \\ @ with a type "
                                "such as .service, e.g. tomcat10.service.",
                                "'%s' is not a valid unit name", YSHOW(e));
        }
}

/* A user or group: a number or a name such as useradd accepts. */
static bool id_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > AGENTCONF_ID_MAX || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                if (!(isascii((unsigned char) c) &&
                      (isalnum((unsigned char) c) || c == '_' || c == '-' || c == '.')) &&
                    !(c == '$' && i == n - 1))
                        return false;
        }
        return true;
}

/* The decimal id in s, when s is one: 1, not a number: 0, too big: -ERANGE.
 * (id_t) -1 and the 16-bit -1 are not ids. */
static int parse_id_number(const char *s, uint32_t *ret) {
        uint64_t n = 0;

        if (!*s || strspn(s, "0123456789") != strlen(s))
                return 0;
        for (; *s; s++) {
                n = n * 10 + (uint64_t) (*s - '0');
                if (n >= UINT32_MAX)
                        return -ERANGE;
        }
        if (n == 65535)
                return -ERANGE;
        *ret = (uint32_t) n;
        return 1;
}

static int parse_id(Ctx *x, const YamlNode *k, const YamlNode *v, char **ret) {
        bool user = streq(k->value, "owner");
        uint32_t id;
        char *s;
        int r;

        r = check_scalar(x, k, v, user ? "owner: root" : "group: tomcat");
        if (r <= 0)
                return r;
        r = parse_id_number(v->value, &id);
        if (r == -ERANGE)
                return error_at(x, v, "Give a number from 0 to 4294967294 (but 65535).",
                                "%s %s is not a valid %s id", k->value, YSHOW(v),
                                user ? "user" : "group");
        if (r == 0 && !id_valid(v->value))
                return error_at(x, v,
                                user ? "Give a user name (letters, digits, '_', '-', '.') or "
                                       "number, e.g. root or 0."
                                     : "Give a group name (letters, digits, '_', '-', '.') or "
                                       "number, e.g. tomcat.",
                                "%s '%s' is not a valid %s name", k->value, YSHOW(v),
                                user ? "user" : "group");
        s = strdup(v->value);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 1;
}

/* A file mode, always octal: 640, 0640, "0640" or 0o640. */
static int parse_mode(Ctx *x, const YamlNode *k, const YamlNode *v, mode_t *ret) {
        const char *s = v->value;
        unsigned long m = 0;
        int r;

        r = check_scalar(x, k, v, "mode: \"0640\"");
        if (r <= 0)
                return r;
        if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
                s += 2;
        if (!*s || strspn(s, "01234567") != strlen(s))
                return error_at(x, v, "Give the mode as octal digits, e.g. \"0640\" or \"0600\".",
                                "mode '%s' is not an octal file mode", YSHOW(v));
        for (; *s && m <= 07777; s++)
                m = m * 8 + (unsigned long) (*s - '0');
        if (m > 07777)
                return error_at(x, v,
                                "A file mode is at most four octal digits, e.g. \"0640\" or "
                                "\"0600\".",
                                "mode %s is larger than 07777", YSHOW(v));
        *ret = (mode_t) m;
        return 1;
}

static const char *target_example(TargetFormat f) {
        switch (f) {
        case TARGET_PKCS12:
                return "/etc/tomcat10/certconf/rem.p12";
        case TARGET_PEM_KEY:
                return "/etc/certconf/xcap/xcap.key";
        case TARGET_PEM_BUNDLE_KEY_FIRST:
                return "/etc/opt/eri_sn/certs/eri_sn_cert.pem";
        case TARGET_PEM_BUNDLE_KEY_LAST:
                return "/etc/certconf/pbx/pbx.pem";
        default:
                return "/etc/certconf/xcap/xcap-chain.pem";
        }
}

/* The keys of a target, in the order of target_keys[]. */
enum {
        T_FORMAT,
        T_PATH,
        T_ALIAS,
        T_PASSWORD_FILE,
        T_COMPAT,
        T_OWNER,
        T_GROUP,
        T_MODE,
        _T_MAX,
};

/* A target of service `service` (the mapping t). Returns 1 with *ret set
 * when it is valid, 0 when a problem was reported, or -ENOMEM. */
static int parse_target(Ctx *x, const char *service, const YamlNode *t, Target *ret) {
        const YamlNode *key[_T_MAX] = {}, *val[_T_MAX] = {};
        _cleanup_(target_done) Target tg = {
                .format = _TARGET_FORMAT_INVALID,
                .uid = (uid_t) -1,
                .gid = (gid_t) -1,
                .mode = (mode_t) -1,
                .compat = PKCS12_COMPAT_MODERN,
                .line = t->line,
                .column = t->column,
        };
        unsigned errors = x->p.n_errors;
        const char *example;
        bool pkcs12;
        int r, i;

        if (t->type == YNODE_REFUSED)
                return 0;
        if (yamlutil_node_is_empty(t))
                return error_at(x, t, "Remove the empty entry.", "empty entry in 'targets'");
        if (t->type != YNODE_MAPPING)
                return error_at(x, t,
                                "Write a target as a mapping: - {format: pem-chain, path: "
                                "/etc/certconf/xcap/xcap-chain.pem}",
                                "a target must be a mapping, not %s", yamlutil_node_kind(t));

        for (size_t j = 0; j + 1 < t->n_items; j += 2) {
                const YamlNode *k = t->items[j];
                size_t w;

                r = yamlutil_check_key(&x->p, t, j);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                for (w = 0; w < _T_MAX; w++)
                        if (streq(k->value, target_keys[w]))
                                break;
                if (w == _T_MAX) {
                        r = unknown_key(x, k, LEVEL_TARGET);
                        if (r < 0)
                                return r;
                        continue;
                }
                key[w] = k;
                val[w] = t->items[j + 1];
        }

        /* The format first: what else is allowed depends on it. */
        if (!key[T_FORMAT]) {
                r = error_at(x, t,
                             "Add format: pkcs12, pem-chain, pem-cert, pem-key, "
                             "pem-bundle-key-first or pem-bundle-key-last (what to write at "
                             "the path).",
                             "target without 'format'");
                if (r < 0)
                        return r;
        } else {
                r = parse_enum(x, key[T_FORMAT], val[T_FORMAT], "format", target_format_table,
                               _TARGET_FORMAT_MAX, &i);
                if (r < 0)
                        return r;
                if (r > 0)
                        tg.format = (TargetFormat) i;
        }
        pkcs12 = tg.format == TARGET_PKCS12;
        example = target_example(tg.format);

        if (!key[T_PATH]) {
                _cleanup_(freep) char *hint = strf("Add path: %s (where to install it).", example);

                if (!hint)
                        return -ENOMEM;
                r = error_at(x, t, hint, "target without 'path'");
        } else {
                tg.path_line = val[T_PATH]->line;
                tg.path_column = val[T_PATH]->column;
                r = parse_path(x, key[T_PATH], val[T_PATH], true, example, &tg.path);
        }
        if (r < 0)
                return r;

        /* What only a keystore has. */
        for (size_t w = T_ALIAS; w <= T_COMPAT; w++) {
                _cleanup_(freep) char *hint = NULL;

                if (!key[w] || pkcs12 || tg.format < 0)
                        continue;
                hint = strf("Remove it: a %s file is not a keystore (or write format: pkcs12).",
                            target_format_to_string(tg.format));
                if (!hint)
                        return -ENOMEM;
                r = error_at(x, key[w], hint, "'%s' applies to pkcs12 targets only",
                             target_keys[w]);
                if (r < 0)
                        return r;
                key[w] = NULL;
        }
        if (key[T_ALIAS]) {
                r = check_scalar(x, key[T_ALIAS], val[T_ALIAS], "alias: rem");
                if (r > 0 && (val[T_ALIAS]->value[0] == ' ' ||
                              val[T_ALIAS]->value[val[T_ALIAS]->len - 1] == ' '))
                        r = error_at(x, val[T_ALIAS],
                                     "Remove the spaces: Tomcat's certificateKeyAlias must match "
                                     "exactly.",
                                     "the alias starts or ends with a space");
                if (r > 0 && !(tg.alias = strdup(val[T_ALIAS]->value)))
                        return -ENOMEM;
                if (r < 0)
                        return r;
        }
        if (key[T_PASSWORD_FILE]) {
                r = parse_path(x, key[T_PASSWORD_FILE], val[T_PASSWORD_FILE], true,
                               "/etc/certconf/rem-keystore.pass", &tg.password_file);
                if (r < 0)
                        return r;
        } else if (pkcs12) {
                _cleanup_(freep) char *hint = strf(
                        "Add password_file: /etc/certconf/%s-keystore.pass, a file (mode 0600) "
                        "whose first line is the keystore password, as in Tomcat's "
                        "certificateKeystorePassword.",
                        service);

                if (!hint)
                        return -ENOMEM;
                r = error_at(x, t, hint, "pkcs12 target without 'password_file'");
                if (r < 0)
                        return r;
        }
        if (key[T_COMPAT]) {
                r = parse_enum(x, key[T_COMPAT], val[T_COMPAT], "compat", pkcs12_compat_table,
                               _PKCS12_COMPAT_MAX, &i);
                if (r < 0)
                        return r;
                if (r > 0)
                        tg.compat = (Pkcs12Compat) i;
        }
        if (pkcs12 && !tg.alias && !(tg.alias = strdup(service)))
                return -ENOMEM;

        if (key[T_OWNER]) {
                r = parse_id(x, key[T_OWNER], val[T_OWNER], &tg.owner);
                if (r < 0)
                        return r;
        }
        if (key[T_GROUP]) {
                r = parse_id(x, key[T_GROUP], val[T_GROUP], &tg.group);
                if (r < 0)
                        return r;
        }

        if (key[T_MODE]) {
                r = parse_mode(x, key[T_MODE], val[T_MODE], &tg.mode);
                if (r < 0)
                        return r;
                if (r > 0 && tg.format >= 0 && target_format_has_key(tg.format) &&
                    (tg.mode & 0007)) {
                        r = error_at(x, val[T_MODE],
                                     "Use \"0600\", or \"0640\" with group: set to the group of "
                                     "the service that reads it.",
                                     "mode %04o gives other users access to the private key in "
                                     "this %s target",
                                     (unsigned) tg.mode, target_format_to_string(tg.format));
                        if (r < 0)
                                return r;
                } else if (r > 0 && (tg.mode & 0002)) {
                        r = error_at(x, val[T_MODE], "Use \"0644\" or stricter.",
                                     "mode %04o lets other users replace the certificate",
                                     (unsigned) tg.mode);
                        if (r < 0)
                                return r;
                }
        } else if (tg.format >= 0)
                tg.mode = target_format_has_key(tg.format) ? 0600 : 0644;

        if (x->p.n_errors != errors)
                return 0;
        *ret = tg;
        tg = (Target){};
        return 1;
}

static int parse_targets(Ctx *x, const YamlNode *k, const YamlNode *v, AgentService *s) {
        _cleanup_(freep) char *example = NULL;
        int r;

        example = strf("targets: [{format: pem-chain, path: /etc/certconf/%s/%s-chain.pem}]",
                       s->name, s->name);
        if (!example)
                return -ENOMEM;
        r = yamlutil_check_type(&x->p, k, v, YNODE_SEQUENCE, example);
        if (r <= 0)
                return r;
        if (v->n_items == 0) {
                _cleanup_(freep) char *hint = strf("List at least one: %s", example);

                if (!hint)
                        return -ENOMEM;
                return error_at(x, v, hint, "no targets in 'targets'");
        }

        for (size_t i = 0; i < v->n_items; i++) {
                Target t, *a;

                r = parse_target(x, s->name, v->items[i], &t);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                a = reallocarray(s->targets, s->n_targets + 1, sizeof(Target));
                if (!a) {
                        target_done(&t);
                        return -ENOMEM;
                }
                s->targets = a;
                s->targets[s->n_targets++] = t;
        }
        return 1;
}

static bool service_name_valid(const char *s, size_t len) {
        if (len < 1 || len > AGENTCONF_SERVICE_MAX || strlen(s) != len)
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

static int service_name_error(Ctx *x, const YamlNode *k) {
        _cleanup_(freep) char *hint = NULL, *lower = NULL;

        lower = strndup(k->value, k->len);
        if (!lower)
                return -ENOMEM;
        for (char *c = lower; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        if (service_name_valid(lower, strlen(lower)))
                hint = strf("Service names are lower case: '%s' (its uploads are %s-cert.crt and "
                            "%s-cert.key).",
                            lower, lower, lower);
        else
                hint = strf("Use 1 to %d lower-case letters, digits and hyphens: the name is the "
                            "prefix of the store's files <name>-cert.crt and <name>-cert.key.",
                            AGENTCONF_SERVICE_MAX);
        if (!hint)
                return -ENOMEM;
        return error_at(x, k, hint, "invalid service name '%s'", YSHOW(k));
}

static int parse_service(Ctx *x, const YamlNode *k, const YamlNode *v) {
        _cleanup_(service_done) AgentService s = {
                .kind = _SERVICE_KIND_INVALID,
                .action = UNIT_ACTION_TRY_RELOAD_OR_RESTART,
                .line = k->line,
                .column = k->column,
        };
        _cleanup_(freep) char *example = NULL;
        const YamlNode *targets = NULL;
        AgentService *a;
        bool valid_name;
        int r, i;

        valid_name = service_name_valid(k->value, k->len);
        if (!valid_name) {
                r = service_name_error(x, k);
                if (r < 0)
                        return r;
        }
        /* The body of a badly named service is still checked, as "svc". */
        s.name = strdup(valid_name ? k->value : "svc");
        if (!s.name)
                return -ENOMEM;

        example = strf("%s: {units: [%s.service], targets: [{format: pem-chain, path: "
                       "/etc/certconf/%s/%s-chain.pem}]}",
                       s.name, s.name, s.name, s.name);
        if (!example)
                return -ENOMEM;
        r = yamlutil_check_type(&x->p, k, v, YNODE_MAPPING, example);
        if (r <= 0)
                return r;

        for (size_t j = 0; j + 1 < v->n_items; j += 2) {
                const YamlNode *fk = v->items[j], *fv = v->items[j + 1];

                r = yamlutil_check_key(&x->p, v, j);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (streq(fk->value, "profile")) {
                        r = parse_enum(x, fk, fv, "profile", service_kind_table, _SERVICE_KIND_MAX,
                                       &i);
                        if (r > 0)
                                s.kind = (ServiceKind) i;
                } else if (streq(fk->value, "action")) {
                        r = parse_enum(x, fk, fv, "action", unit_action_table, _UNIT_ACTION_MAX,
                                       &i);
                        if (r > 0)
                                s.action = (UnitAction) i;
                } else if (streq(fk->value, "units"))
                        r = parse_list(x, fk, fv, "units: [tomcat10.service]", parse_unit,
                                       &s.units);
                else if (streq(fk->value, "targets")) {
                        targets = fk;
                        r = parse_targets(x, fk, fv, &s);
                } else
                        r = unknown_key(x, fk, LEVEL_SERVICE);
                if (r < 0)
                        return r;
        }

        if (!targets) {
                _cleanup_(freep) char *hint =
                        strf("Add targets: [{format: ..., path: ...}]: where to install the "
                             "certificate of '%s'.",
                             s.name);

                if (!hint)
                        return -ENOMEM;
                r = error_at(x, k, hint, "service '%s' has no targets", YSHOW(k));
                if (r < 0)
                        return r;
        }
        if (!valid_name)
                return 0;

        if (s.kind < 0) {
                i = table_lookup(service_kind_table, _SERVICE_KIND_MAX, s.name);
                s.kind = i >= 0 ? (ServiceKind) i : SERVICE_KIND_GENERIC;
        }
        if (!s.units && !(s.units = calloc(1, sizeof(char *))))
                return -ENOMEM;

        a = reallocarray(x->c->services, x->c->n_services + 1, sizeof(AgentService));
        if (!a)
                return -ENOMEM;
        x->c->services = a;
        x->c->services[x->c->n_services++] = s;
        s = (AgentService){};
        return 1;
}

static int parse_services(Ctx *x, const YamlNode *k, const YamlNode *v) {
        int r;

        x->services_seen = true;
        r = yamlutil_check_type(&x->p, k, v, YNODE_MAPPING,
                                "services: {rem: {targets: [{format: pkcs12, path: ...}]}}");
        if (r <= 0)
                return r;

        for (size_t i = 0; i + 1 < v->n_items; i += 2) {
                r = yamlutil_check_key(&x->p, v, i);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = parse_service(x, v->items[i], v->items[i + 1]);
                if (r < 0)
                        return r;
        }
        if (v->n_items == 0)
                return error_at(x, v,
                                "List the services whose certificates the agent installs, e.g. "
                                "services: {rem: {targets: [...]}}.",
                                "no services configured");
        return 1;
}

static int parse_self_signed(Ctx *x, const YamlNode *k, const YamlNode *v) {
        int r, i;

        r = yamlutil_check_type(&x->p, k, v, YNODE_MAPPING,
                                "self_signed: {days: 1826, key: rsa:2048}");
        if (r <= 0)
                return r;

        for (size_t j = 0; j + 1 < v->n_items; j += 2) {
                const YamlNode *fk = v->items[j], *fv = v->items[j + 1];

                r = yamlutil_check_key(&x->p, v, j);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                if (streq(fk->value, "days"))
                        r = parse_number(x, fk, fv, 1, 36500, "1826", &x->c->self_signed_days);
                else if (streq(fk->value, "key")) {
                        r = parse_enum(x, fk, fv, "key type", key_spec_table, _KEY_SPEC_MAX, &i);
                        if (r > 0)
                                x->c->self_signed_key = (KeySpec) i;
                } else
                        r = unknown_key(x, fk, LEVEL_SELF_SIGNED);
                if (r < 0)
                        return r;
        }
        return 1;
}

static int parse_dir(Ctx *x, const YamlNode *k, const YamlNode *v, const char *example, char **dir,
                     const YamlNode **node) {
        _cleanup_(freep) char *s = NULL;
        int r;

        r = parse_path(x, k, v, false, example, &s);
        if (r <= 0)
                return r;
        free(*dir);
        *dir = TAKE_PTR(s);
        *node = v;
        return 1;
}

static int parse_root(Ctx *x, const YamlNode *root) {
        AgentConfig *c = x->c;
        const char *profiles[_PROFILE_MAX];
        unsigned u;
        int r, i;

        if (!root || yamlutil_node_is_null(root) || root->type == YNODE_REFUSED)
                return 0;
        if (root->type != YNODE_MAPPING)
                return error_at(x, root,
                                "Start with keys such as 'store_dir:' and 'services:' (see the "
                                "certconf.yaml the package installs).",
                                "the configuration must be a mapping of keys, not %s",
                                yamlutil_node_kind(root));

        for (i = 0; i < _PROFILE_MAX; i++)
                profiles[i] = profile_to_string((Profile) i);

        for (size_t j = 0; j + 1 < root->n_items; j += 2) {
                const YamlNode *k = root->items[j], *v = root->items[j + 1];

                r = yamlutil_check_key(&x->p, root, j);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (streq(k->value, "store_dir"))
                        r = parse_dir(x, k, v, AGENTCONF_DEFAULT_STORE_DIR, &c->store_dir,
                                      &x->store_node);
                else if (streq(k->value, "state_dir"))
                        r = parse_dir(x, k, v, AGENTCONF_DEFAULT_STATE_DIR, &c->state_dir,
                                      &x->state_node);
                else if (streq(k->value, "min_valid_days")) {
                        r = parse_number(x, k, v, 0, 3650, "30", &u);
                        if (r > 0)
                                c->min_valid_days = (int) u;
                } else if (streq(k->value, "settle_ms"))
                        r = parse_number(x, k, v, 0, 600000, "2000", &c->settle_ms);
                else if (streq(k->value, "unit_timeout_s"))
                        r = parse_number(x, k, v, 1, 3600, "90", &c->unit_timeout_s);
                else if (streq(k->value, "policy")) {
                        r = parse_enum(x, k, v, "policy", profiles, _PROFILE_MAX, &i);
                        if (r > 0)
                                c->policy = (Profile) i;
                } else if (streq(k->value, "trust"))
                        r = parse_list(x, k, v, "trust: [/etc/certconf/trust.pem]",
                                       parse_trust_file, &c->trust);
                else if (streq(k->value, "system_trust"))
                        r = parse_bool(x, k, v, &c->system_trust);
                else if (streq(k->value, "self_signed"))
                        r = parse_self_signed(x, k, v);
                else if (streq(k->value, "services"))
                        r = parse_services(x, k, v);
                else
                        r = unknown_key(x, k, LEVEL_TOP);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* What can only be seen in the whole: the store apart from what the agent
 * writes, and no file written twice. */
static int check_paths(Ctx *x, const YamlNode *root) {
        const AgentConfig *c = x->c;
        int r;

        if (path_below(c->state_dir, c->store_dir) || path_below(c->store_dir, c->state_dir)) {
                const YamlNode *n = x->state_node ? x->state_node : x->store_node;

                r = error_at(x, n,
                             "Keep the state directory apart from the store, e.g. "
                             "/var/lib/certconf/state beside /var/lib/certconf/store.",
                             "state_dir %s and store_dir %s overlap", c->state_dir, c->store_dir);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < c->n_services; i++)
                for (size_t j = 0; j < c->services[i].n_targets; j++) {
                        const Target *t = &c->services[i].targets[j];
                        const YamlNode at = {.line = t->path_line, .column = t->path_column};
                        bool reported = false;

                        if (path_below(t->path, c->store_dir)) {
                                r = error_at(x, &at,
                                             "The agent never writes into the operator's store: "
                                             "install to a path outside it, e.g. under "
                                             "/etc/certconf/.",
                                             "target %s is inside the store directory %s", t->path,
                                             c->store_dir);
                                if (r < 0)
                                        return r;
                                continue;
                        }

                        /* Another target, or a keystore's password, at the same path. */
                        for (size_t i2 = 0; i2 <= i && !reported; i2++) {
                                const AgentService *s2 = &c->services[i2];

                                for (size_t j2 = 0; j2 < s2->n_targets && !reported; j2++) {
                                        const Target *t2 = &s2->targets[j2];

                                        if (i2 == i && j2 >= j)
                                                break;
                                        if (!streq(t->path, t2->path))
                                                continue;
                                        r = error_at(x, &at, "Give every target its own file.",
                                                     "target %s is also a target of '%s' (line "
                                                     "%d, column %d)",
                                                     t->path, s2->name, t2->path_line,
                                                     t2->path_column);
                                        if (r < 0)
                                                return r;
                                        reported = true;
                                }
                        }
                        for (size_t i2 = 0; i2 < c->n_services && !reported; i2++)
                                for (size_t j2 = 0; j2 < c->services[i2].n_targets; j2++) {
                                        const char *pw = c->services[i2].targets[j2].password_file;

                                        if (!pw || !streq(t->path, pw))
                                                continue;
                                        r = error_at(x, &at,
                                                     "Install the target somewhere else: it "
                                                     "would overwrite the password.",
                                                     "target %s is the password_file of a '%s' "
                                                     "target",
                                                     t->path, c->services[i2].name);
                                        if (r < 0)
                                                return r;
                                        reported = true;
                                        break;
                                }
                }

        /* Nothing to do is an error (a file not a mapping was reported). */
        if (c->n_services == 0 && !x->services_seen &&
            (!root || root->type == YNODE_MAPPING || yamlutil_node_is_null(root))) {
                bool mapping = root && root->type == YNODE_MAPPING;
                const YamlNode at = {.line = mapping ? root->line : 1,
                                     .column = mapping ? root->column : 1};

                r = error_at(x, &at,
                             "Add 'services:' with the services whose certificates the agent "
                             "installs, e.g. services: {rem: {targets: [...]}}.",
                             "no services configured");
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---------------------------------------------------------------------------
 * The interface. */

int agentconf_parse(const char *path, const char *data, size_t len, const char *base_dir,
                    AgentConfig **ret, Findings *f) {
        _cleanup_(agentconf_freep) AgentConfig *c = NULL;
        _cleanup_(yamlutil_node_freep) YamlNode *root = NULL;
        _cleanup_(freep) char *base = NULL;
        Ctx x = {
                .p =
                        {
                                .path = path,
                                .findings = f,
                                .what = "configuration",
                                .key_example = "services",
                                .nodes_hint = "The agent's configuration lists a few services: "
                                              "remove what does not belong in it.",
                        },
        };
        int r;

        if (!f || !ret || (!data && len > 0))
                return -EINVAL;

        if (len > AGENTCONF_MAX_BYTES) {
                r = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, path, 0, 0,
                                    "The agent's configuration is a few kilobytes: remove what "
                                    "does not belong in it.",
                                    "the file is larger than %d bytes", AGENTCONF_MAX_BYTES);
                return r < 0 ? r : -EINVAL;
        }

        r = base_directory(path, base_dir, &base);
        if (r < 0)
                return r;
        x.base_dir = base;

        c = calloc(1, sizeof(AgentConfig));
        if (!c)
                return -ENOMEM;
        *c = (AgentConfig){
                .min_valid_days = AGENTCONF_DEFAULT_MIN_VALID_DAYS,
                .settle_ms = AGENTCONF_DEFAULT_SETTLE_MS,
                .unit_timeout_s = AGENTCONF_DEFAULT_UNIT_TIMEOUT_S,
                .self_signed_days = AGENTCONF_DEFAULT_SELF_SIGNED_DAYS,
                .self_signed_key = KEY_SPEC_RSA2048,
                .policy = PROFILE_DEFAULT,
        };
        if (path && !(c->path = strdup(path)))
                return -ENOMEM;
        c->store_dir = strdup(AGENTCONF_DEFAULT_STORE_DIR);
        c->state_dir = strdup(AGENTCONF_DEFAULT_STATE_DIR);
        c->trust = calloc(1, sizeof(char *));
        if (!c->store_dir || !c->state_dir || !c->trust)
                return -ENOMEM;
        x.c = c;

        r = yamlutil_read(&x.p, data, len, &root);
        if (r < 0)
                return r;
        r = parse_root(&x, root);
        if (r < 0)
                return r;
        r = check_paths(&x, root);
        if (r < 0)
                return r;
        if (x.p.n_errors > 0)
                return -EINVAL;

        *ret = TAKE_PTR(c);
        return 0;
}

static const char *read_error_reason(int r) {
        switch (r) {
        case -EFBIG:
                return "it is larger than 256 KiB";
        case -EISDIR:
                return "it is a directory";
        case -EBADFD:
                return "it is not a regular file";
        default:
                return NULL;
        }
}

int agentconf_load(const char *path, const char *base_dir, AgentConfig **ret, Findings *f) {
        _cleanup_(freep) char *data = NULL;
        const char *reason;
        size_t len;
        int r, q;

        if (!path || !ret || !f)
                return -EINVAL;

        r = read_file_path(path, AGENTCONF_MAX_BYTES, &data, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                reason = read_error_reason(r);
                if (reason)
                        q = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, path, 0, 0,
                                            "Make it a regular file of at most 256 KiB.",
                                            "cannot read %s: %s", path, reason);
                else
                        q = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, path, 0, 0,
                                            r == -ENOENT ? "Create it (the package installs one "
                                                           "to start from), or name another file."
                                                         : "Make the file readable by the agent.",
                                            "cannot read %s: %s", path, strerror(-r));
                return q < 0 ? q : r;
        }

        return agentconf_parse(path, data, len, base_dir, ret, f);
}

/* ---------------------------------------------------------------------------
 * Owners and groups. */

/* Looks up a user (group false) or group name: 1 and *ret, 0 when there is
 * none, negative errno when the lookup failed. */
static int lookup_id(const char *name, bool group, uint32_t *ret) {
        _cleanup_(freep) char *buf = NULL;
        long m = sysconf(group ? _SC_GETGR_R_SIZE_MAX : _SC_GETPW_R_SIZE_MAX);
        size_t size = m > 0 ? (size_t) m : 1024;

        for (;;) {
                struct passwd pw, *pwr = NULL;
                struct group gr, *grr = NULL;
                int e;

                free(buf);
                buf = malloc(size);
                if (!buf)
                        return -ENOMEM;
                if (group)
                        e = getgrnam_r(name, &gr, buf, size, &grr);
                else
                        e = getpwnam_r(name, &pw, buf, size, &pwr);
                if (e == ERANGE && size < 1024 * 1024) {
                        size *= 2;
                        continue;
                }
                /* "Not found" is 0 with no result, or one of these. */
                if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM) {
                        if (group ? !grr : !pwr)
                                return 0;
                        *ret = group ? (uint32_t) grr->gr_gid : (uint32_t) pwr->pw_uid;
                        return 1;
                }
                return -e;
        }
}

static int resolve_one(const Target *t, const char *service, const char *config_path,
                       const char *name, bool group, uint32_t *ret, Findings *f) {
        uint32_t id;
        int r;

        r = parse_id_number(name, &id);
        if (r > 0) {
                *ret = id;
                return 1;
        }
        r = lookup_id(name, group, &id);
        if (r < 0)
                return r;
        if (r > 0) {
                *ret = id;
                return 1;
        }
        r = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, config_path, t->line,
                            t->column,
                            group ? "Create the group, or give an existing group name or number "
                                    "(getent group lists them)."
                                  : "Create the user, or give an existing user name or number "
                                    "(getent passwd lists them).",
                            "unknown %s '%s' for %s (service '%s')", group ? "group" : "user", name,
                            t->path, service);
        return r < 0 ? r : 0;
}

int agentconf_resolve_ids(AgentConfig *c, Findings *f) {
        bool unknown = false;
        int r;

        if (!c || !f)
                return -EINVAL;

        for (size_t i = 0; i < c->n_services; i++)
                for (size_t j = 0; j < c->services[i].n_targets; j++) {
                        Target *t = &c->services[i].targets[j];
                        uint32_t id;

                        if (t->owner) {
                                r = resolve_one(t, c->services[i].name, c->path, t->owner, false,
                                                &id, f);
                                if (r < 0)
                                        return r;
                                if (r > 0)
                                        t->uid = (uid_t) id;
                                else
                                        unknown = true;
                        }
                        if (t->group) {
                                r = resolve_one(t, c->services[i].name, c->path, t->group, true,
                                                &id, f);
                                if (r < 0)
                                        return r;
                                if (r > 0)
                                        t->gid = (gid_t) id;
                                else
                                        unknown = true;
                        }
                }
        return unknown ? -EINVAL : 0;
}
