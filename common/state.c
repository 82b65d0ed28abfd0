/* The state file:
 *
 *   certconf-state 1
 *   [rem]
 *   installed=1
 *   source=uploaded
 *   fingerprint=AB:CD:...
 *   ...
 *
 * One section per service, "key=value" lines, values without newlines. An
 * unknown key, a line outside a section or a bad number is -EBADMSG: the
 * file is only ever written by the agent, so damage must not be guessed
 * around. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>

#include "fileio.h"
#include "state.h"

#define STATE_MAX_BYTES (1024 * 1024)
#define STATE_MAGIC "certconf-state 1"

static const char *const source_names[_SOURCE_MAX] = {
        [SOURCE_UPLOADED] = "uploaded",
        [SOURCE_SELF_SIGNED] = "self-signed",
};

const char *material_source_to_string(MaterialSource s) {
        return s >= 0 && s < _SOURCE_MAX ? source_names[s] : NULL;
}

MaterialSource material_source_from_string(const char *s) {
        for (int i = 0; s && i < _SOURCE_MAX; i++)
                if (streq(s, source_names[i]))
                        return (MaterialSource) i;
        return _SOURCE_INVALID;
}

void service_state_clear(ServiceState *ss) {
        if (!ss)
                return;
        free(ss->service);
        free(ss->fingerprint);
        free(ss->subject);
        free(ss->upload_crt);
        free(ss->upload_key);
        free(ss->failed_crt);
        free(ss->failed_key);
        free(ss->targets);
        *ss = (ServiceState) {};
}

State *state_new(void) {
        return calloc(1, sizeof(State));
}

State *state_free(State *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_services; i++)
                service_state_clear(&s->services[i]);
        free(s->services);
        free(s);
        return NULL;
}

static int dup_or_null(char **dst, const char *src) {
        if (!src) {
                *dst = NULL;
                return 0;
        }
        *dst = strdup(src);
        return *dst ? 0 : -ENOMEM;
}

int service_state_copy(ServiceState *dst, const ServiceState *src) {
        ServiceState n = {
                .installed = src->installed,
                .source = src->source,
                .not_after = src->not_after,
                .installed_at = src->installed_at,
        };

        if (dup_or_null(&n.service, src->service) < 0 ||
            dup_or_null(&n.fingerprint, src->fingerprint) < 0 ||
            dup_or_null(&n.subject, src->subject) < 0 ||
            dup_or_null(&n.upload_crt, src->upload_crt) < 0 ||
            dup_or_null(&n.upload_key, src->upload_key) < 0 ||
            dup_or_null(&n.failed_crt, src->failed_crt) < 0 ||
            dup_or_null(&n.failed_key, src->failed_key) < 0 ||
            dup_or_null(&n.targets, src->targets) < 0) {
                service_state_clear(&n);
                return -ENOMEM;
        }
        service_state_clear(dst);
        *dst = n;
        return 0;
}

State *state_copy(const State *s) {
        _cleanup_(state_freep) State *c = state_new();

        if (!c)
                return NULL;
        if (s->n_services > 0) {
                c->services = calloc(s->n_services, sizeof(ServiceState));
                if (!c->services)
                        return NULL;
        }
        for (size_t i = 0; i < s->n_services; i++) {
                if (service_state_copy(&c->services[i], &s->services[i]) < 0)
                        return NULL;
                c->n_services++;
        }
        return TAKE_PTR(c);
}

ServiceState *state_service(const State *s, const char *service) {
        for (size_t i = 0; s && i < s->n_services; i++)
                if (streq(s->services[i].service, service))
                        return &s->services[i];
        return NULL;
}

int state_service_get(State *s, const char *service, ServiceState **ret) {
        ServiceState *ss = state_service(s, service), *n;

        if (!ss) {
                n = realloc(s->services, (s->n_services + 1) * sizeof(ServiceState));
                if (!n)
                        return -ENOMEM;
                s->services = n;
                ss = &s->services[s->n_services];
                *ss = (ServiceState) {};
                ss->service = strdup(service);
                if (!ss->service)
                        return -ENOMEM;
                s->n_services++;
        }
        *ret = ss;
        return 0;
}

char *state_hex(const unsigned char *d, size_t n) {
        char *s = malloc(2 * n + 1);

        if (!s)
                return NULL;
        for (size_t i = 0; i < n; i++)
                snprintf(s + 2 * i, 3, "%02x", d[i]);
        s[2 * n] = '\0';
        return s;
}

static bool valid_value(const char *v) {
        return !v || (!strchr(v, '\n') && !strchr(v, '\r'));
}

static int cmp_service(const void *a, const void *b) {
        return strcmp(((const ServiceState *) a)->service, ((const ServiceState *) b)->service);
}

int state_format(const State *s, char **ret, size_t *ret_len) {
        _cleanup_(freep) char *text = NULL;
        _cleanup_(freep) ServiceState *sorted = NULL;
        _cleanup_(fclosep) FILE *m = NULL;
        size_t len = 0;

        if (s->n_services > 0) {
                sorted = calloc(s->n_services, sizeof(ServiceState));
                if (!sorted)
                        return -ENOMEM;
                memcpy(sorted, s->services, s->n_services * sizeof(ServiceState));
                qsort(sorted, s->n_services, sizeof(ServiceState), cmp_service);
        }
        m = open_memstream(&text, &len);
        if (!m)
                return -ENOMEM;
        fputs(STATE_MAGIC "\n", m);
        for (size_t i = 0; i < s->n_services; i++) {
                const ServiceState *ss = &sorted[i];
                const struct {
                        const char *k, *v;
                } kv[] = {
                        { "fingerprint", ss->fingerprint }, { "subject", ss->subject },
                        { "upload_crt", ss->upload_crt },   { "upload_key", ss->upload_key },
                        { "failed_crt", ss->failed_crt },   { "failed_key", ss->failed_key },
                        { "targets", ss->targets },
                };

                if (!valid_value(ss->service) || strchr(ss->service, ']'))
                        return -EINVAL;
                fprintf(m, "[%s]\ninstalled=%d\n", ss->service, ss->installed ? 1 : 0);
                if (ss->installed)
                        fprintf(m, "source=%s\nnot_after=%lld\ninstalled_at=%lld\n",
                                material_source_to_string(ss->source), (long long) ss->not_after,
                                (long long) ss->installed_at);
                for (size_t j = 0; j < ELEMENTSOF(kv); j++) {
                        if (!kv[j].v)
                                continue;
                        if (!valid_value(kv[j].v))
                                return -EINVAL;
                        fprintf(m, "%s=%s\n", kv[j].k, kv[j].v);
                }
        }
        if (fflush(m) != 0 || ferror(m))
                return -ENOMEM;
        fclosep(&m);
        *ret_len = len;
        *ret = TAKE_PTR(text);
        return 0;
}

static int parse_time(const char *v, time_t *ret) {
        char *end;
        long long x;

        errno = 0;
        x = strtoll(v, &end, 10);
        if (errno || end == v || *end)
                return -EBADMSG;
        *ret = (time_t) x;
        return 0;
}

static int set_string(char **dst, const char *v) {
        if (*dst)
                return -EBADMSG; /* a key given twice */
        *dst = strdup(v);
        return *dst ? 0 : -ENOMEM;
}

static int parse_line(State *s, ServiceState **cur, char *line) {
        char *eq;
        ServiceState *ss = *cur;

        if (line[0] == '[') {
                size_t n = strlen(line);
                if (n < 3 || line[n - 1] != ']')
                        return -EBADMSG;
                line[n - 1] = '\0';
                if (state_service(s, line + 1))
                        return -EBADMSG;
                return state_service_get(s, line + 1, cur);
        }
        eq = strchr(line, '=');
        if (!ss || !eq)
                return -EBADMSG;
        *eq = '\0';
        const char *k = line, *v = eq + 1;

        if (streq(k, "installed")) {
                if (!streq(v, "0") && !streq(v, "1"))
                        return -EBADMSG;
                ss->installed = streq(v, "1");
                return 0;
        }
        if (streq(k, "source")) {
                MaterialSource src = material_source_from_string(v);
                if (src < 0)
                        return -EBADMSG;
                ss->source = src;
                return 0;
        }
        if (streq(k, "not_after"))
                return parse_time(v, &ss->not_after);
        if (streq(k, "installed_at"))
                return parse_time(v, &ss->installed_at);
        if (streq(k, "fingerprint"))
                return set_string(&ss->fingerprint, v);
        if (streq(k, "subject"))
                return set_string(&ss->subject, v);
        if (streq(k, "upload_crt"))
                return set_string(&ss->upload_crt, v);
        if (streq(k, "upload_key"))
                return set_string(&ss->upload_key, v);
        if (streq(k, "failed_crt"))
                return set_string(&ss->failed_crt, v);
        if (streq(k, "failed_key"))
                return set_string(&ss->failed_key, v);
        if (streq(k, "targets"))
                return set_string(&ss->targets, v);
        return -EBADMSG;
}

int state_parse(const char *data, size_t len, State **ret) {
        _cleanup_(state_freep) State *s = state_new();
        _cleanup_(freep) char *copy = NULL;
        ServiceState *cur = NULL;
        char *line, *save = NULL;
        int r;

        if (!s)
                return -ENOMEM;
        if (memchr(data, '\0', len))
                return -EBADMSG;
        copy = strndup(data, len);
        if (!copy)
                return -ENOMEM;
        line = strtok_r(copy, "\n", &save);
        if (!line || !streq(line, STATE_MAGIC))
                return -EBADMSG;
        while ((line = strtok_r(NULL, "\n", &save))) {
                r = parse_line(s, &cur, line);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < s->n_services; i++) {
                const ServiceState *ss = &s->services[i];
                if (ss->installed && (!ss->fingerprint || ss->not_after == 0))
                        return -EBADMSG;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int state_load(const char *state_dir, State **ret) {
        _cleanup_(freep) char *path = NULL, *data = NULL;
        size_t len;
        int r;

        if (asprintf(&path, "%s/%s", state_dir, STATE_FILE_NAME) < 0)
                return -ENOMEM;
        r = read_file_at(AT_FDCWD, path, STATE_MAX_BYTES, &data, &len);
        if (r == -ENOENT) {
                State *s = state_new();
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 0;
        }
        if (r < 0)
                return r;
        return state_parse(data, len, ret);
}
