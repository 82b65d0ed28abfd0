#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <strings.h>

#include "deploy.h"
#include "fileio.h"
#include "names.h"
#include "strv.h"
#include "yamlutil.h"

/* The whole file is read into memory first; a deployment is a few hundred
 * bytes, so these limits only stop abuse (the reader's are in yamlutil.h). */
#define DEPLOY_MAX_BYTES   (1024 * 1024)
#define DEPLOY_SUBJECT_MAX 64 /* X.520 upper bound for O and OU, in characters */
#define DEPLOY_SERVICE_MAX 63

/* ---------------------------------------------------------------------------
 * The tree (read by yamlutil) against the schema, every problem reported. */

static const char *const top_keys[] = {"subject", "mcc", "mnc", "services"};
static const char *const subject_keys[] = {"country", "organization", "organizational_unit"};
static const char *const service_keys[] = {"hosts", "addresses"};

typedef enum Level {
        LEVEL_TOP,
        LEVEL_SUBJECT,
        LEVEL_SERVICE,
} Level;

/* "unknown key 'x'" with the best hint we have: the key belongs at another
 * level; or the nearest known key here; or the list of known keys. */
static int unknown_key(YamlParser *p, const YamlNode *k, Level level) {
        static const struct {
                const char *const *keys;
                size_t n;
        } levels[] = {
                [LEVEL_TOP] = {top_keys, ELEMENTSOF(top_keys)},
                [LEVEL_SUBJECT] = {subject_keys, ELEMENTSOF(subject_keys)},
                [LEVEL_SERVICE] = {service_keys, ELEMENTSOF(service_keys)},
        };
        _cleanup_(freep) char *hint = NULL;
        int r = 0;

        if (level != LEVEL_SUBJECT &&
            yamlutil_in_list(k->value, subject_keys, ELEMENTSOF(subject_keys)))
                r = asprintf(&hint, "'%s' belongs under 'subject:'", YSHOW(k));
        else if (level != LEVEL_TOP && yamlutil_in_list(k->value, top_keys, ELEMENTSOF(top_keys)))
                r = asprintf(&hint, "'%s' belongs at the top level, not indented", YSHOW(k));
        else if (level != LEVEL_SERVICE &&
                 yamlutil_in_list(k->value, service_keys, ELEMENTSOF(service_keys)))
                r = asprintf(&hint, "'%s' belongs under a service: services: {<name>: {%s: [...]}}",
                             YSHOW(k), YSHOW(k));
        else if (level == LEVEL_TOP &&
                 (streq(k->value, "rem") || streq(k->value, "xcap") || streq(k->value, "bsf")))
                r = asprintf(&hint, "put the service '%s' under 'services:'", k->value);
        if (r < 0) {
                hint = NULL;
                return -ENOMEM;
        }

        return yamlutil_unknown_key(p, k, levels[level].keys, levels[level].n, hint);
}

static bool ascii_letter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t utf8_chars(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        n++;
        return n;
}

static int parse_subject_field(YamlParser *p, const YamlNode *k, const YamlNode *v, char **ret) {
        _cleanup_(freep) char *s = NULL;
        int r;

        r = yamlutil_check_type(p, k, v, YNODE_SCALAR,
                                streq(k->value, "country") ? "country: NZ"
                                                           : "organization: SomeTelco");
        if (r <= 0)
                return r;
        r = yamlutil_check_text(p, k, v);
        if (r <= 0)
                return r;

        if (streq(k->value, "country")) {
                if (v->len != 2 || !ascii_letter(v->value[0]) || !ascii_letter(v->value[1])) {
                        r = yamlutil_error_at(
                                p, v->line, v->column,
                                "Give the two-letter ISO 3166 country code, e.g. NZ, GB, "
                                "US.",
                                "country '%s' is not a two-letter country code", YSHOW(v));
                        return r < 0 ? r : 0;
                }
                s = strdup(v->value);
                if (!s)
                        return -ENOMEM;
                s[0] = (char) toupper((unsigned char) s[0]);
                s[1] = (char) toupper((unsigned char) s[1]);
        } else {
                if (v->value[0] == ' ' || v->value[v->len - 1] == ' ') {
                        r = yamlutil_error_at(
                                p, v->line, v->column,
                                "Remove the spaces inside the quotes: the certificate's "
                                "subject must match exactly.",
                                "the value of '%s' starts or ends with a space", YSHOW(k));
                        return r < 0 ? r : 0;
                }
                if (utf8_chars(v->value) > DEPLOY_SUBJECT_MAX) {
                        r = yamlutil_error_at(p, v->line, v->column,
                                              "Shorten it: a certificate subject allows at most 64 "
                                              "characters here.",
                                              "'%s' is longer than %d characters", YSHOW(k),
                                              DEPLOY_SUBJECT_MAX);
                        return r < 0 ? r : 0;
                }
                s = strdup(v->value);
                if (!s)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(s);
        return 1;
}

static int parse_subject(YamlParser *p, const YamlNode *k, const YamlNode *v, Deployment *d) {
        int r;

        r = yamlutil_check_type(p, k, v, YNODE_MAPPING,
                                "subject: {country: NZ, organization: SomeTelco}");
        if (r <= 0)
                return r;

        for (size_t i = 0; i + 1 < v->n_items; i += 2) {
                const YamlNode *fk = v->items[i], *fv = v->items[i + 1];
                char **field;

                r = yamlutil_check_key(p, v, i);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (streq(fk->value, "country"))
                        field = &d->country;
                else if (streq(fk->value, "organization"))
                        field = &d->organization;
                else if (streq(fk->value, "organizational_unit"))
                        field = &d->organizational_unit;
                else {
                        r = unknown_key(p, fk, LEVEL_SUBJECT);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = parse_subject_field(p, fk, fv, field);
                if (r < 0)
                        return r;
        }
        return 1;
}

/* An MCC or MNC: 1 to 3 decimal digits, plain (1) or quoted ("001"). */
static int parse_code(YamlParser *p, const YamlNode *k, const YamlNode *v, int *ret) {
        int r, n = 0;

        r = yamlutil_check_type(p, k, v, YNODE_SCALAR,
                                streq(k->value, "mcc") ? "mcc: 1" : "mnc: 1");
        if (r <= 0)
                return r;

        if (v->len < 1 || v->len > 3 || strspn(v->value, "0123456789") != v->len) {
                r = yamlutil_error_at(p, v->line, v->column,
                                      "Give a number from 0 to 999, e.g. 1 or \"001\" (no sign, no "
                                      "spaces).",
                                      "%s '%s' is not a number from 0 to 999", k->value, YSHOW(v));
                return r < 0 ? r : 0;
        }
        for (size_t i = 0; i < v->len; i++)
                n = n * 10 + (v->value[i] - '0');
        *ret = n;
        return 1;
}

static bool service_name_valid(const char *s, size_t len) {
        if (len < 1 || len > DEPLOY_SERVICE_MAX || strlen(s) != len || s[0] == '-')
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* The hint for a host name that is not one. */
static const char *host_hint(const char *s) {
        if (strchr(s, '*'))
                return "List the names users actually reach the service by; a wildcard "
                       "certificate covers them.";
        if (strstr(s, "://") || strchr(s, '/') || strchr(s, ':'))
                return "Give the bare host name, without scheme, port or path.";
        if (strchr(s, '_'))
                return "Host names use letters, digits and hyphens only (no underscores).";
        return "A host name is labels of letters, digits and hyphens separated by dots, e.g. "
               "rem.sometelco.com.";
}

static const char *address_hint(const char *s) {
        if (names_is_hostname(s))
                return "put host names under 'hosts:'";
        if (s[0] == '[')
                return "Give the IPv6 address without brackets, e.g. 2001:db8::10.";
        if (strchr(s, '/'))
                return "Give a single address, not a network.";
        return "Give an IPv4 address (192.168.10.10) or an IPv6 address (2001:db8::10).";
}

/* hosts: or addresses: of a service. */
static int parse_names(YamlParser *p, const YamlNode *k, const YamlNode *v, bool addresses,
                       char ***list) {
        _cleanup_(freep) char *example = NULL;
        int r;

        /* One name where a list belongs: show it as a list. */
        if (v->type == YNODE_SCALAR && !yamlutil_node_is_empty(v))
                r = asprintf(&example, "%s: [%s]", k->value, YSHOW(v));
        else
                r = asprintf(&example, "%s",
                             addresses ? "addresses: [192.168.10.10]"
                                       : "hosts: [rem.sometelco.com]");
        if (r < 0)
                return -ENOMEM;
        r = yamlutil_check_type(p, k, v, YNODE_SEQUENCE, example);
        if (r <= 0)
                return r;

        for (size_t i = 0; i < v->n_items; i++) {
                const YamlNode *e = v->items[i];
                unsigned char ip[16];
                size_t ip_len;

                if (e->type == YNODE_REFUSED)
                        continue;
                if (yamlutil_node_is_empty(e)) {
                        r = yamlutil_error_at(p, e->line, e->column, "Remove the empty entry.",
                                              "empty entry in '%s'", k->value);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (e->type != YNODE_SCALAR) {
                        r = yamlutil_error_at(p, e->line, e->column,
                                              addresses ? "Write it as: addresses: [192.168.10.10, "
                                                          "2001:db8::10]"
                                                        : "Write it as: hosts: [rem.sometelco.com, "
                                                          "rem2.sometelco.com]",
                                              "an entry of '%s' must be a single value, not %s",
                                              k->value, yamlutil_node_kind(e));
                        if (r < 0)
                                return r;
                        continue;
                }
                r = yamlutil_check_text(p, k, e);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (addresses) {
                        if (!names_parse_ip(e->value, ip, &ip_len)) {
                                r = yamlutil_error_at(p, e->line, e->column, address_hint(e->value),
                                                      "'%s' is not an IP address", YSHOW(e));
                                if (r < 0)
                                        return r;
                                continue;
                        }
                } else if (names_parse_ip(e->value, ip, &ip_len)) {
                        r = yamlutil_error_at(p, e->line, e->column,
                                              "put addresses under 'addresses:'",
                                              "'%s' is an IP address, not a host name", YSHOW(e));
                        if (r < 0)
                                return r;
                        continue;
                } else if (!names_is_hostname(e->value)) {
                        r = yamlutil_error_at(p, e->line, e->column, host_hint(e->value),
                                              "'%s' is not a valid host name", YSHOW(e));
                        if (r < 0)
                                return r;
                        continue;
                }

                r = strv_extend(list, e->value);
                if (r < 0)
                        return r;
        }
        return 1;
}

static void service_done(DeployService *s) {
        free(s->name);
        strv_free(s->hosts);
        strv_free(s->addresses);
        *s = (DeployService){};
}

static int parse_service(YamlParser *p, const YamlNode *k, const YamlNode *v, Deployment *d) {
        _cleanup_(freep) char *example = NULL;
        DeployService s = {}, *a;
        bool valid_name;
        int r;

        valid_name = service_name_valid(k->value, k->len);
        if (!valid_name) {
                _cleanup_(freep) char *hint = NULL, *lower = NULL;

                lower = strndup(k->value, k->len);
                if (!lower)
                        return -ENOMEM;
                for (char *c = lower; *c; c++)
                        *c = (char) tolower((unsigned char) *c);
                if (service_name_valid(lower, strlen(lower))) {
                        if (asprintf(&hint,
                                     "Service names are lower case: '%s' (its files are "
                                     "%s-cert.crt and %s-cert.key).",
                                     lower, lower, lower) < 0)
                                return -ENOMEM;
                } else if (!(hint = strdup(
                                     "Use lower-case letters, digits and hyphens (not first): "
                                     "the name is used in the file names <svc>-cert.crt and "
                                     "<svc>-cert.key.")))
                        return -ENOMEM;
                r = yamlutil_error_at(p, k->line, k->column, hint, "invalid service name '%s'",
                                      YSHOW(k));
                if (r < 0)
                        return r;
        }

        if (asprintf(&example, "%s: {hosts: [%s.sometelco.com]}", valid_name ? k->value : "rem",
                     valid_name ? k->value : "rem") < 0)
                return -ENOMEM;
        r = yamlutil_check_type(p, k, v, YNODE_MAPPING, example);
        if (r <= 0)
                return r;

        for (size_t i = 0; i + 1 < v->n_items; i += 2) {
                const YamlNode *fk = v->items[i], *fv = v->items[i + 1];

                r = yamlutil_check_key(p, v, i);
                if (r < 0)
                        goto fail;
                if (r == 0)
                        continue;

                if (streq(fk->value, "hosts"))
                        r = parse_names(p, fk, fv, false, &s.hosts);
                else if (streq(fk->value, "addresses"))
                        r = parse_names(p, fk, fv, true, &s.addresses);
                else
                        r = unknown_key(p, fk, LEVEL_SERVICE);
                if (r < 0)
                        goto fail;
        }

        if (!valid_name) {
                service_done(&s);
                return 0;
        }

        /* Empty lists are allowed: the service is named but needs no names. */
        if (!s.hosts && !(s.hosts = calloc(1, sizeof(char *)))) {
                r = -ENOMEM;
                goto fail;
        }
        if (!s.addresses && !(s.addresses = calloc(1, sizeof(char *)))) {
                r = -ENOMEM;
                goto fail;
        }
        s.name = strdup(k->value);
        if (!s.name) {
                r = -ENOMEM;
                goto fail;
        }

        a = reallocarray(d->services, d->n_services + 1, sizeof(DeployService));
        if (!a) {
                r = -ENOMEM;
                goto fail;
        }
        d->services = a;
        d->services[d->n_services++] = s;
        return 1;

fail:
        service_done(&s);
        return r;
}

static int parse_services(YamlParser *p, const YamlNode *k, const YamlNode *v, Deployment *d) {
        int r;

        r = yamlutil_check_type(p, k, v, YNODE_MAPPING,
                                "services: {rem: {hosts: [rem.sometelco.com]}}");
        if (r <= 0)
                return r;

        for (size_t i = 0; i + 1 < v->n_items; i += 2) {
                r = yamlutil_check_key(p, v, i);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = parse_service(p, v->items[i], v->items[i + 1], d);
                if (r < 0)
                        return r;
        }
        return 1;
}

static int parse_root(YamlParser *p, const YamlNode *root, Deployment *d) {
        const YamlNode *mcc_key = NULL, *mnc_key = NULL;
        int r;

        if (!root || yamlutil_node_is_null(root))
                return 0;
        if (root->type == YNODE_REFUSED)
                return 0;
        if (root->type != YNODE_MAPPING) {
                r = yamlutil_error_at(p, root->line, root->column,
                                      "Start with keys such as 'subject:', 'mcc:', 'mnc:' and "
                                      "'services:'.",
                                      "the deployment must be a mapping of keys, not %s",
                                      yamlutil_node_kind(root));
                return r < 0 ? r : 0;
        }

        for (size_t i = 0; i + 1 < root->n_items; i += 2) {
                const YamlNode *k = root->items[i], *v = root->items[i + 1];

                r = yamlutil_check_key(p, root, i);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (streq(k->value, "subject"))
                        r = parse_subject(p, k, v, d);
                else if (streq(k->value, "mcc")) {
                        mcc_key = k;
                        r = parse_code(p, k, v, &d->mcc);
                } else if (streq(k->value, "mnc")) {
                        mnc_key = k;
                        r = parse_code(p, k, v, &d->mnc);
                } else if (streq(k->value, "services"))
                        r = parse_services(p, k, v, d);
                else
                        r = unknown_key(p, k, LEVEL_TOP);
                if (r < 0)
                        return r;
        }

        /* The 3GPP names need both codes; one alone is a mistake. */
        if (mcc_key && !mnc_key)
                return yamlutil_error_at(p, mcc_key->line, mcc_key->column,
                                         "Give both 'mcc:' and 'mnc:', or neither.",
                                         "'mcc' is set but 'mnc' is not");
        if (mnc_key && !mcc_key)
                return yamlutil_error_at(p, mnc_key->line, mnc_key->column,
                                         "Give both 'mcc:' and 'mnc:', or neither.",
                                         "'mnc' is set but 'mcc' is not");
        return 0;
}

/* ---------------------------------------------------------------------------
 * The interface. */

Deployment *deploy_free(Deployment *d) {
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_services; i++)
                service_done(&d->services[i]);
        free(d->services);
        free(d->path);
        free(d->country);
        free(d->organization);
        free(d->organizational_unit);
        free(d);
        return NULL;
}

int deploy_parse(const char *path, const char *data, size_t len, Deployment **ret, Findings *f) {
        _cleanup_(deploy_freep) Deployment *d = NULL;
        _cleanup_(yamlutil_node_freep) YamlNode *root = NULL;
        YamlParser p = {
                .path = path,
                .findings = f,
                .what = "deployment",
                .key_example = "hosts",
                .nodes_hint = "A deployment lists a few dozen names: remove what does not "
                              "belong in it.",
        };
        int r;

        if (!f || !ret || (!data && len > 0))
                return -EINVAL;

        if (len > DEPLOY_MAX_BYTES) {
                r = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, path, 0, 0,
                                    "A deployment file is a few kilobytes: remove what does "
                                    "not belong in it.",
                                    "the file is larger than %d bytes", DEPLOY_MAX_BYTES);
                return r < 0 ? r : -EINVAL;
        }

        d = calloc(1, sizeof(Deployment));
        if (!d)
                return -ENOMEM;
        d->mcc = d->mnc = -1;
        if (path) {
                d->path = strdup(path);
                if (!d->path)
                        return -ENOMEM;
        }

        r = yamlutil_read(&p, data, len, &root);
        if (r < 0)
                return r;

        r = parse_root(&p, root, d);
        if (r < 0)
                return r;
        if (p.n_errors > 0)
                return -EINVAL;

        *ret = TAKE_PTR(d);
        return 0;
}

static const char *read_error_reason(int r) {
        switch (r) {
        case -ELOOP:
                return "it is a symbolic link";
        case -EFBIG:
                return "it is larger than 1 MiB";
        case -EISDIR:
                return "it is a directory";
        case -EBADFD:
                return "it is not a regular file";
        default:
                return NULL;
        }
}

int deploy_load_at(int dirfd, const char *name, const char *display_path, Deployment **ret,
                   Findings *f) {
        _cleanup_(freep) char *data = NULL;
        const char *shown = display_path ? display_path : name;
        const char *reason;
        size_t len;
        int r;

        if (!name || !ret || !f)
                return -EINVAL;

        if (dirfd == AT_FDCWD)
                r = read_file_path(name, DEPLOY_MAX_BYTES, &data, &len);
        else
                r = read_file_at(dirfd, name, DEPLOY_MAX_BYTES, &data, &len);
        if (r == -ENOENT || r == -ENOMEM)
                return r;
        if (r < 0) {
                reason = read_error_reason(r);
                if (reason)
                        r = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, shown, 0, 0,
                                            "Upload the deployment YAML as a regular file of at "
                                            "most 1 MiB.",
                                            "cannot read %s: %s", shown, reason);
                else
                        r = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, shown, 0, 0,
                                            "Make the file readable by the agent.",
                                            "cannot read %s: %s", shown, strerror(-r));
                return r < 0 ? r : -EINVAL;
        }

        return deploy_parse(shown, data, len, ret, f);
}

const DeployService *deploy_service(const Deployment *d, const char *name) {
        if (!d || !name)
                return NULL;
        for (size_t i = 0; i < d->n_services; i++)
                if (streq(d->services[i].name, name))
                        return &d->services[i];
        return NULL;
}

/* Two names are the same when they are the same address, or the same host
 * name ignoring case and a trailing dot. */
static bool same_name(const char *a, const char *b) {
        unsigned char ia[16], ib[16];
        size_t la, lb;

        if (names_parse_ip(a, ia, &la) && names_parse_ip(b, ib, &lb))
                return la == lb && memcmp(ia, ib, la) == 0;

        la = strlen(a);
        lb = strlen(b);
        if (la > 0 && a[la - 1] == '.')
                la--;
        if (lb > 0 && b[lb - 1] == '.')
                lb--;
        return la == lb && strncasecmp(a, b, la) == 0;
}

static int strv_extend_same(char ***l, const char *s) {
        for (char **i = *l; *i; i++)
                if (same_name(*i, s))
                        return 0;
        return strv_extend(l, s);
}

int deploy_service_names(const Deployment *d, const char *service, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        const DeployService *s;
        int r;

        if (!service || !ret)
                return -EINVAL;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;

        if (d) {
                s = deploy_service(d, service);
                /* Host names first (the first one is the natural CN), then the
                 * 3GPP name, then addresses. */
                for (char **i = s ? s->hosts : NULL; i && *i; i++) {
                        r = strv_extend_same(&l, *i);
                        if (r < 0)
                                return r;
                }
                if (d->mcc >= 0 && d->mnc >= 0 &&
                    (streq(service, "xcap") || streq(service, "bsf"))) {
                        _cleanup_(freep) char *g = names_3gpp(service, d->mcc, d->mnc);

                        if (!g)
                                return -ENOMEM;
                        r = strv_extend_same(&l, g);
                        if (r < 0)
                                return r;
                }
                for (char **i = s ? s->addresses : NULL; i && *i; i++) {
                        r = strv_extend_same(&l, *i);
                        if (r < 0)
                                return r;
                }
        }

        *ret = TAKE_PTR(l);
        return 0;
}
