/* The agent's event loop and what one reconcile does.
 *
 * Everything the agent knows lives in one Agent struct. The loop reacts to:
 * inotify on the store (re-arms the settle timer), the settle timer (a
 * reconcile), the expiry timer (warnings, self-signed renewal), SIGHUP (new
 * configuration), SIGTERM/SIGINT (exit), and the units' job outcomes. A
 * reconcile that signals units stays "busy" until every job has finished;
 * uploads that settle meanwhile are handled right after. Idle, the loop
 * sleeps in epoll_wait: no timer fires unless a certificate nears expiry or
 * WatchdogSec= asks for pings. */

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <openssl/pem.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "agent.h"
#include "agentconf.h"
#include "bundle.h"
#include "check.h"
#include "fileio.h"
#include "inspect.h"
#include "install.h"
#include "log.h"
#include "plan.h"
#include "render.h"
#include "report.h"
#include "selfsign.h"
#include "state.h"
#include "strv.h"
#include "timeutil.h"
#include "units.h"

#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MSEC 1000ULL
#define DAY 86400

/* The material a service gets in this reconcile. */
typedef struct Material {
        STACK_OF(X509) *chain; /* leaf first */
        EVP_PKEY *key;
        MaterialSource source;
} Material;

static void material_done(Material *m) {
        sk_X509_pop_free(m->chain, X509_free);
        EVP_PKEY_free(m->key);
        *m = (Material) {};
}

typedef struct Agent {
        AgentOptions opts;
        AgentConfig *config;
        STACK_OF(X509) *trust;
        char *store_dir;
        char *journal_path;

        sd_event *event;
        sd_event_source *inotify;
        sd_event_source *settle;
        sd_event_source *expiry;
        sd_event_source *defer;
        Units *units;

        State *state;          /* what is installed (as on disk) */
        time_t last_warned;    /* expiry warnings: once a day */

        /* A transaction waiting for its units. */
        bool busy;
        bool pending;          /* a reconcile is due once the current one is done */
        bool ready_sent;
        Install *txn;
        State *next_state;     /* the state the transaction installs */
        char **units_pending_names;
        unsigned units_outstanding;
        bool units_failed;
        bool rolling_back;
        bool retry;            /* the rollback recorded a failed upload: the next plan differs */
        bool reload_pending;   /* SIGHUP came while units were being signalled */
        char *failed_units;    /* for the rollback message */
        char **changed;        /* services of the transaction, for the log */

        int lock_fd;           /* flock on the state directory: one agent at a time */
        int exit_status;
} Agent;

static Agent *agent_free(Agent *a) {
        if (!a)
                return NULL;
        sd_event_source_unref(a->inotify);
        sd_event_source_unref(a->settle);
        sd_event_source_unref(a->expiry);
        sd_event_source_unref(a->defer);
        units_free(a->units);
        sd_event_unref(a->event);
        agentconf_free(a->config);
        sk_X509_pop_free(a->trust, X509_free);
        free(a->store_dir);
        free(a->journal_path);
        state_free(a->state);
        install_free(a->txn);
        state_free(a->next_state);
        strv_free(a->units_pending_names);
        strv_free(a->changed);
        free(a->failed_units);
        if (a->lock_fd >= 0)
                close(a->lock_fd);
        free(a);
        return NULL;
}
DEFINE_PTR_CLEANUP(Agent, agent_free)

/* One agent per state directory: a second one (an `apply` while the agent
 * runs) would interleave installs. */
static int lock_state(Agent *a) {
        _cleanup_(freep) char *path = NULL;

        if (asprintf(&path, "%s/lock", a->config->state_dir) < 0)
                return -ENOMEM;
        a->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (a->lock_fd < 0)
                return log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = path },
                                 "cannot open %s: %s", path, strerror(errno)),
                       -errno;
        if (flock(a->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                int r = -errno;
                if (r == -EWOULDBLOCK)
                        log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = path },
                                  "another certconfd already works on %s (it holds %s); it applies uploads itself, or stop it first",
                                  a->config->state_dir, path);
                else
                        log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = path },
                                  "cannot lock %s: %s", path, strerror(-r));
                return r;
        }
        return 0;
}

static void agent_schedule(Agent *a);
static void agent_finish_reconcile(Agent *a);
static void reload_config(Agent *a);

/* ---- configuration ------------------------------------------------------ */

static void log_findings(const Findings *f, const char *service, LogEvent ev) {
        for (size_t i = 0; i < f->n; i++) {
                const Finding *x = &f->items[i];
                char where[64] = "";

                if (x->line > 0)
                        snprintf(where, sizeof where, ":%d:%d", x->line, x->column);
                LogFields fl = {
                        .service = service,
                        .code = finding_code_to_string(x->code),
                        .file = x->file,
                        .subject = x->subject,
                };
                /* A file of the store the agent would not read (a link, a
                 * device, too large) has its own event. */
                bool refused = x->code == FINDING_FILE_UNREADABLE || x->code == FINDING_FILE_TOO_LARGE;
                log_event(refused && ev == LOG_EVENT_FINDING ? LOG_EVENT_FILE_REFUSED : ev,
                          x->severity == SEVERITY_ERROR ? LOG_ERR : LOG_WARNING, &fl,
                          "%s%s: %s %s: %s%s%s", strna(x->file), where,
                          severity_to_string(x->severity), finding_code_to_string(x->code),
                          x->message, x->hint ? " — " : "", x->hint ? x->hint : "");
        }
}

/* Loads and validates the configuration and its trust files. */
static int load_config(const char *path, AgentConfig **ret_config, STACK_OF(X509) **ret_trust) {
        _cleanup_(agentconf_freep) AgentConfig *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *trust = NULL;
        Findings f = {};
        int r;

        r = agentconf_load(path, NULL, &c, &f);
        if (r >= 0)
                r = agentconf_resolve_ids(c, &f);
        for (char **t = c && r >= 0 ? c->trust : NULL; t && *t; t++)
                if (check_load_anchors(*t, &trust, &f) < 0)
                        r = -EINVAL;
        if (r >= 0 && c->system_trust && check_load_anchors(check_system_trust_file(), &trust, &f) < 0)
                r = -EINVAL;
        /* Each keystore password, as a digest: a new password (and a reload)
         * renders the keystore again. One that cannot be read now is said
         * when the keystore is rendered (install-failed, naming the file). */
        for (size_t i = 0; r >= 0 && i < c->n_services; i++)
                for (size_t k = 0; k < c->services[i].n_targets; k++) {
                        Target *t = &c->services[i].targets[k];
                        if (t->format == TARGET_PKCS12 && t->password_file)
                                (void) render_password_digest(t->password_file, &t->password_digest, NULL);
                }
        if (r < 0 || findings_has_errors(&f)) {
                log_findings(&f, NULL, LOG_EVENT_CONFIG_INVALID);
                if (f.n == 0)
                        log_event(LOG_EVENT_CONFIG_INVALID, LOG_ERR, &(LogFields) { .file = path },
                                  "%s: cannot load the agent configuration: %s", path, strerror(-r));
                findings_clear(&f);
                return r < 0 ? r : -EINVAL;
        }
        findings_clear(&f);
        *ret_config = TAKE_PTR(c);
        *ret_trust = TAKE_PTR(trust);
        return 0;
}

static int mkdir_private(const char *path) {
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int make_dirs(Agent *a) {
        _cleanup_(freep) char *material = NULL;
        int r;

        r = mkdir_private(a->config->state_dir);
        if (r < 0)
                return log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = a->config->state_dir },
                                 "cannot create the state directory %s: %s",
                                 a->config->state_dir, strerror(-r)),
                       r;
        if (asprintf(&material, "%s/%s", a->config->state_dir, STATE_MATERIAL_DIR) < 0)
                return -ENOMEM;
        r = mkdir_private(material);
        if (r < 0)
                return log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = material },
                                 "cannot create %s: %s", material, strerror(-r)),
                       r;
        r = mkdir_private(a->store_dir);
        if (r < 0)
                return log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = a->store_dir },
                                 "cannot create the store directory %s: %s", a->store_dir,
                                 strerror(-r)),
                       r;
        return 0;
}

/* ---- material ----------------------------------------------------------- */

static char *material_path(const Agent *a, const char *service, const char *ext) {
        char *p;
        if (asprintf(&p, "%s/%s/%s.%s", a->config->state_dir, STATE_MATERIAL_DIR, service, ext) < 0)
                return NULL;
        return p;
}

/* The installed material of a service, from the state directory. */
static int load_material(const Agent *a, const char *service, bool with_key, Material *ret) {
        _cleanup_(freep) char *crt = material_path(a, service, "crt"),
                              *key = material_path(a, service, "key");
        _cleanup_(bundle_freep) Bundle *cb = NULL, *kb = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = NULL;
        Findings f = {};
        int r;

        if (!crt || !key)
                return -ENOMEM;
        r = bundle_load_at(AT_FDCWD, crt, crt, BUNDLE_EXPECT_CERTS, &cb, &f);
        if (r >= 0 && with_key)
                r = bundle_load_at(AT_FDCWD, key, key, BUNDLE_EXPECT_KEY, &kb, &f);
        findings_clear(&f);
        if (r < 0)
                return r;
        if (cb->n_certs == 0 || (with_key && kb->n_keys != 1))
                return -EBADMSG;
        chain = sk_X509_new_null();
        if (!chain)
                return -ENOMEM;
        for (size_t i = 0; i < cb->n_certs; i++) {
                if (!sk_X509_push(chain, cb->certs[i]))
                        return -ENOMEM;
                X509_up_ref(cb->certs[i]);
        }
        *ret = (Material) { .chain = TAKE_PTR(chain) };
        if (with_key) {
                ret->key = kb->keys[0];
                EVP_PKEY_up_ref(ret->key);
        }
        return 0;
}

static int pem_of(const Material *m, bool key, char **ret, size_t *ret_len) {
        _cleanup_(BIO_free_allp) BIO *b = BIO_new(BIO_s_mem());
        char *data;
        long n;
        int ok = 1;

        if (!b)
                return -ENOMEM;
        if (key)
                ok = PEM_write_bio_PrivateKey(b, m->key, NULL, NULL, 0, NULL, NULL);
        else
                for (int i = 0; ok && i < sk_X509_num(m->chain); i++)
                        ok = PEM_write_bio_X509(b, sk_X509_value(m->chain, i));
        if (ok != 1)
                return -ENOMEM;
        n = BIO_get_mem_data(b, &data);
        *ret = malloc((size_t) n + 1);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, data, (size_t) n);
        (*ret)[n] = '\0';
        OPENSSL_cleanse(data, (size_t) n);
        *ret_len = (size_t) n;
        return 0;
}

static int material_from_upload(const ServiceReport *sr, Material *ret) {
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = sk_X509_new_null();

        if (!chain)
                return -ENOMEM;
        if (!sr->chain || !sr->key || sr->key->n_keys != 1 || sr->chain->n_certs == 0)
                return -EINVAL;
        for (size_t i = 0; i < sr->chain->n_certs; i++) {
                if (!sk_X509_push(chain, sr->chain->certs[i]))
                        return -ENOMEM;
                X509_up_ref(sr->chain->certs[i]);
        }
        EVP_PKEY_up_ref(sr->key->keys[0]);
        *ret = (Material) { .chain = TAKE_PTR(chain), .key = sr->key->keys[0], .source = SOURCE_UPLOADED };
        return 0;
}

static int host_names(char ***ret) {
        char host[HOST_NAME_MAX + 1] = "";
        _cleanup_(strv_freep) char **l = NULL;
        int r;

        if (gethostname(host, sizeof host - 1) == 0 && host[0] && strcmp(host, "(none)") != 0) {
                r = strv_extend(&l, host);
                if (r < 0)
                        return r;
        }
        r = strv_extend(&l, "localhost");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static int make_self_signed(const Agent *a, const Deployment *d, const char *service,
                            Material *ret) {
        _cleanup_(strv_freep) char **names = NULL, **fallback = NULL;
        _cleanup_(X509_freep) X509 *cert = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *chain = NULL;
        int r;

        r = host_names(&fallback);
        if (r < 0)
                return r;
        r = plan_self_signed_names(d, service, fallback, &names);
        if (r < 0)
                return r;
        SelfSignSpec spec = {
                .service = service,
                .names = names,
                .country = d ? d->country : NULL,
                .organization = d ? d->organization : NULL,
                .organizational_unit = d ? d->organizational_unit : NULL,
                .key = a->config->self_signed_key,
                .days = a->config->self_signed_days,
                .now = time(NULL),
        };
        r = selfsign_make(&spec, &cert, &key);
        if (r < 0)
                return r;
        chain = sk_X509_new_null();
        if (!chain || !sk_X509_push(chain, cert))
                return -ENOMEM;
        TAKE_PTR(cert);
        *ret = (Material) { .chain = TAKE_PTR(chain), .key = TAKE_PTR(key), .source = SOURCE_SELF_SIGNED };
        return 0;
}

/* ---- transaction -------------------------------------------------------- */

typedef struct FileList {
        InstallFile *files;
        char **datas;    /* owned buffers, wiped on free */
        size_t *lens;
        char **paths;
        size_t n;
} FileList;

static void file_list_done(FileList *l) {
        for (size_t i = 0; i < l->n; i++) {
                erase_and_free(l->datas[i], l->lens[i]);
                free(l->paths[i]);
        }
        free(l->files);
        free(l->datas);
        free(l->lens);
        free(l->paths);
        *l = (FileList) {};
}

/* Adds a file; takes data and path. */
static int file_list_add(FileList *l, char *path, char *data, size_t len, uid_t uid, gid_t gid,
                         mode_t mode) {
        size_t n = l->n + 1;
        InstallFile *f = realloc(l->files, n * sizeof *f);
        if (f)
                l->files = f;
        char **d = realloc(l->datas, n * sizeof *d);
        if (d)
                l->datas = d;
        size_t *ln = realloc(l->lens, n * sizeof *ln);
        if (ln)
                l->lens = ln;
        char **p = realloc(l->paths, n * sizeof *p);
        if (p)
                l->paths = p;
        if (!f || !d || !ln || !p) {
                erase_and_free(data, len);
                free(path);
                return -ENOMEM;
        }
        l->datas[l->n] = data;
        l->lens[l->n] = len;
        l->paths[l->n] = path;
        l->files[l->n] = (InstallFile) {
                .path = path, .data = data, .len = len, .uid = uid, .gid = gid, .mode = mode,
        };
        l->n = n;
        return 0;
}

static void fill_state(ServiceState *ss, const Material *m, const ServicePlan *sp) {
        char fp[128] = "";
        X509 *leaf = sk_X509_value(m->chain, 0);
        time_t na = 0;

        (void) inspect_fingerprint(leaf, fp, sizeof fp);
        (void) time_from_asn1(X509_get0_notAfter(leaf), &na);
        free(ss->fingerprint);
        ss->fingerprint = strdup(fp);
        free(ss->subject);
        ss->subject = x509_subject_string(leaf);
        ss->not_after = na;
        ss->installed = true;
        ss->source = m->source;
        ss->installed_at = time(NULL);
        /* A re-render keeps the record of the upload it came from. */
        if (sp->action != PLAN_REINSTALL) {
                free(ss->upload_crt);
                free(ss->upload_key);
                ss->upload_crt = m->source == SOURCE_UPLOADED && sp->upload_crt ? strdup(sp->upload_crt) : NULL;
                ss->upload_key = m->source == SOURCE_UPLOADED && sp->upload_key ? strdup(sp->upload_key) : NULL;
        }
        free(ss->targets);
        ss->targets = sp->targets ? strdup(sp->targets) : NULL;
        if (m->source == SOURCE_UPLOADED && sp->action == PLAN_INSTALL_UPLOAD) {
                free(ss->failed_crt);
                free(ss->failed_key);
                ss->failed_crt = ss->failed_key = NULL;
        }
}

static void fields_of(LogFields *fl, const char *service, X509 *leaf, char *fp, size_t fpsize,
                      char *na, size_t nasize, char **subject) {
        time_t t = 0;

        *fl = (LogFields) { .service = service };
        if (!leaf)
                return;
        if (inspect_fingerprint(leaf, fp, fpsize) >= 0)
                fl->sha256 = fp;
        if (time_from_asn1(X509_get0_notAfter(leaf), &t) >= 0)
                fl->not_after = time_format_rfc3339(t, na, nasize);
        *subject = x509_subject_string(leaf);
        fl->subject = *subject;
}

/* ---- units -------------------------------------------------------------- */

static void units_signalled(const UnitOutcome *o, void *userdata);

static int signal_units(Agent *a) {
        a->units_outstanding = 0;
        for (char **u = a->units_pending_names; u && *u; u += 2) {
                UnitAction act = unit_action_from_string(u[1]);
                int r = units_signal(a->units, u[0], act,
                                     (uint64_t) a->config->unit_timeout_s * USEC_PER_SEC,
                                     units_signalled, a);
                if (r < 0) {
                        log_event(LOG_EVENT_UNIT_FAILED, LOG_ERR, &(LogFields) { .unit = u[0] },
                                  "cannot signal %s: %s", u[0], strerror(-r));
                        a->units_failed = true;
                        continue;
                }
                a->units_outstanding++;
        }
        return 0;
}

static void transaction_done(Agent *a) {
        install_free(a->txn);
        a->txn = NULL;
        state_free(a->next_state);
        a->next_state = NULL;
        strv_free(a->units_pending_names);
        a->units_pending_names = NULL;
        strv_free(a->changed);
        a->changed = NULL;
        free(a->failed_units);
        a->failed_units = NULL;
        a->units_failed = false;
        a->rolling_back = false;
        a->retry = false;
        a->busy = false;
        if (a->reload_pending) {
                a->reload_pending = false;
                reload_config(a);
        }
        agent_finish_reconcile(a);
}

static void log_installed(Agent *a) {
        for (char **s = a->changed; s && *s; s++) {
                ServiceState *ss = state_service(a->state, *s);
                char na[32] = "";
                if (!ss)
                        continue;
                LogFields fl = {
                        .service = *s,
                        .subject = ss->subject,
                        .sha256 = ss->fingerprint,
                        .not_after = time_format_rfc3339(ss->not_after, na, sizeof na),
                };
                log_event(LOG_EVENT_INSTALLED, LOG_NOTICE, &fl,
                          "%s: installed the %s certificate '%s' (SHA-256 %s, valid until %s)", *s,
                          material_source_to_string(ss->source), strna(ss->subject),
                          strna(ss->fingerprint), na);
        }
}

static int commit_state(Agent *a) {
        char *err = NULL;
        int r = install_finish(a->txn, &err);

        if (r < 0) {
                /* The files are in place; only the journal or a backup is left. */
                log_event(LOG_EVENT_ERROR, LOG_WARNING, NULL, "finishing the install: %s",
                          err ? err : strerror(-r));
                free(err);
        }
        state_free(a->state);
        a->state = TAKE_PTR(a->next_state);
        return 0;
}

/* After a unit failed: the previous files are back; remember the upload so
 * that it is not tried again until it changes. */
static void remember_failed(Agent *a) {
        _cleanup_(freep) char *text = NULL, *path = NULL;
        size_t len;

        for (char **s = a->changed; s && *s; s++) {
                ServiceState *next = state_service(a->next_state, *s), *cur = NULL;
                const ServiceState *old = state_service(a->state, *s);
                if (!next || next->source != SOURCE_UPLOADED || !next->upload_crt)
                        continue;
                /* Material installed before (a re-render for new targets)
                 * is no failed upload. */
                if (old && old->installed && old->upload_crt && streq(old->upload_crt, next->upload_crt) &&
                    old->upload_key && next->upload_key && streq(old->upload_key, next->upload_key))
                        continue;
                if (state_service_get(a->state, *s, &cur) < 0)
                        return;
                free(cur->failed_crt);
                free(cur->failed_key);
                cur->failed_crt = next->upload_crt ? strdup(next->upload_crt) : NULL;
                cur->failed_key = next->upload_key ? strdup(next->upload_key) : NULL;
                a->retry = true;
        }
        if (state_format(a->state, &text, &len) < 0 ||
            asprintf(&path, "%s/%s", a->config->state_dir, STATE_FILE_NAME) < 0)
                return;
        if (write_file_atomic(path, text, len, (uid_t) -1, (gid_t) -1, 0600) < 0)
                log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = path },
                          "cannot record the failed upload in %s", path);
}

static void units_signalled(const UnitOutcome *o, void *userdata) {
        Agent *a = userdata;

        if (o->ok)
                log_event(LOG_EVENT_UNIT_SIGNALLED, LOG_NOTICE, &(LogFields) { .unit = o->unit },
                          "%s: %s (job %s, now %s)", o->unit,
                          a->rolling_back ? "signalled again with the previous certificates" : "signalled",
                          strna(o->job_result), strna(o->active_state));
        else {
                a->units_failed = true;
                if (!a->rolling_back) {
                        char *n = NULL;
                        if (asprintf(&n, "%s%s%s", a->failed_units ? a->failed_units : "",
                                     a->failed_units ? ", " : "", o->unit) >= 0) {
                                free(a->failed_units);
                                a->failed_units = n;
                        }
                }
                log_event(LOG_EVENT_UNIT_FAILED, LOG_ERR, &(LogFields) { .unit = o->unit },
                          "%s: %s failed: job %s, state %s%s%s", o->unit,
                          a->rolling_back ? "signalling with the previous certificates" : "signalling with the new certificates",
                          strna(o->job_result), strna(o->active_state),
                          o->error < 0 ? ": " : "", o->error < 0 ? strerror(-o->error) : "");
        }

        if (a->units_outstanding > 0)
                a->units_outstanding--;
        if (a->units_outstanding > 0)
                return;

        if (a->rolling_back) {
                log_event(LOG_EVENT_ROLLED_BACK, a->units_failed ? LOG_CRIT : LOG_ERR, NULL,
                          "rolled back: the previous certificates are installed again%s",
                          a->units_failed ? ", but a unit still fails with them: see its own log" : "");
                a->exit_status = 1;
                /* What else the store holds (self-signed fallbacks) comes
                 * next, but only when the failed upload is now set aside:
                 * otherwise the same plan would fail again at once. */
                a->pending = a->retry;
                transaction_done(a);
                return;
        }
        if (!a->units_failed) {
                commit_state(a);
                log_installed(a);
                transaction_done(a);
                return;
        }

        /* A unit failed with the new certificates: put the old ones back
         * and signal again. */
        _cleanup_(freep) char *err = NULL;
        int r = install_rollback(a->txn, &err);
        if (r < 0)
                log_event(LOG_EVENT_ERROR, LOG_CRIT, NULL, "rolling back failed: %s",
                          err ? err : strerror(-r));
        log_event(LOG_EVENT_UNIT_FAILED, LOG_ERR, NULL,
                  "%s did not come up with the new certificates; restoring the previous ones and signalling again",
                  strna(a->failed_units));
        remember_failed(a);
        a->rolling_back = true;
        a->units_failed = false;
        signal_units(a);
        if (a->units_outstanding == 0) {
                a->exit_status = 1;
                transaction_done(a);
        }
}

/* ---- reconcile ---------------------------------------------------------- */

static int collect_units(Agent *a, const Plan *p, const bool *changed) {
        for (size_t i = 0; i < p->n_services; i++) {
                const AgentService *s = p->services[i].svc;
                if (!changed[i] || s->action == UNIT_ACTION_NONE)
                        continue;
                for (char **u = s->units; u && *u; u++) {
                        bool seen = false;
                        for (char **x = a->units_pending_names; x && *x; x += 2)
                                if (streq(*x, *u))
                                        seen = true;
                        if (seen)
                                continue; /* once per unit, even when services share it */
                        if (strv_extend(&a->units_pending_names, *u) < 0 ||
                            strv_extend(&a->units_pending_names, unit_action_to_string(s->action)) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static int write_last_upload(Agent *a, const StoreReport *rep, const char *result) {
        _cleanup_(freep) char *text = NULL, *path = NULL;
        _cleanup_(fclosep) FILE *m = NULL;
        char now[32];
        size_t len = 0;

        m = open_memstream(&text, &len);
        if (!m)
                return -ENOMEM;
        fprintf(m, "{\"time\":\"%s\",\"result\":\"%s\",\"report\":",
                time_format_rfc3339(time(NULL), now, sizeof now), result);
        report_print_json(m, rep);
        fputs("}\n", m);
        if (fflush(m) != 0)
                return -ENOMEM;
        fclosep(&m);
        if (asprintf(&path, "%s/%s", a->config->state_dir, STATE_LAST_UPLOAD_NAME) < 0)
                return -ENOMEM;
        return write_file_atomic(path, text, len, (uid_t) -1, (gid_t) -1, 0600);
}

static void log_failed_before(const ServicePlan *sp) {
        log_event(LOG_EVENT_UPLOAD_REJECTED, LOG_WARNING, &(LogFields) { .service = sp->svc->name },
                  "%s: this upload is the one a unit failed to start with; it is not tried again until it changes",
                  sp->svc->name);
}

static void log_upload(Agent *a, const Plan *p, const StoreReport *rep) {
        bool any = p->upload || findings_has_errors(&rep->findings);

        if (!any) {
                /* Nothing new: still say why a failed upload left in the store is not installed. */
                for (size_t i = 0; i < p->n_services; i++)
                        if (p->services[i].action == PLAN_FAILED_BEFORE)
                                log_failed_before(&p->services[i]);
                return;
        }
        log_event(LOG_EVENT_UPLOAD_SEEN, LOG_INFO, &(LogFields) { .file = a->store_dir },
                  "upload seen in %s", a->store_dir);
        log_findings(&rep->findings, NULL, LOG_EVENT_FINDING);
        for (size_t i = 0; i < p->n_services; i++) {
                const ServicePlan *sp = &p->services[i];
                if (!sp->report || sp->same_upload)
                        continue;
                if (sp->action == PLAN_FAILED_BEFORE) {
                        log_failed_before(sp);
                        continue;
                }
                log_findings(&sp->report->findings, sp->svc->name, LOG_EVENT_FINDING);
        }
        for (char **u = p->unconfigured; u && *u; u++)
                log_event(LOG_EVENT_FINDING, LOG_WARNING,
                          &(LogFields) { .service = *u, .code = finding_code_to_string(FINDING_FILE_IGNORED) },
                          "%s: the store holds %s-cert.crt/.key, but the agent configuration (%s) has no service '%s': ignored",
                          *u, *u, a->config->path, *u);
        for (size_t i = 0; i < p->n_services; i++) {
                const ServicePlan *sp = &p->services[i];
                if (sp->action == PLAN_INSTALL_UPLOAD)
                        log_event(LOG_EVENT_UPLOAD_ACCEPTED, LOG_NOTICE, &(LogFields) { .service = sp->svc->name },
                                  "%s: upload accepted", sp->svc->name);
                else if (sp->action == PLAN_REJECT) {
                        size_t ne = sp->report ? findings_count(&sp->report->findings, SEVERITY_ERROR) : 0;
                        LogFields fl = { .service = sp->svc->name };
                        for (size_t k = 0; ne > 0 && k < sp->report->findings.n; k++)
                                if (sp->report->findings.items[k].severity == SEVERITY_ERROR) {
                                        fl.code = finding_code_to_string(sp->report->findings.items[k].code);
                                        break;
                                }
                        log_event(LOG_EVENT_UPLOAD_REJECTED, LOG_ERR, &fl,
                                  "%s: upload rejected (%zu error(s) of its own%s); nothing of this upload is installed, the current certificates stay in service",
                                  sp->svc->name, ne, ne == 0 ? ", but another part of the upload has errors" : "");
                }
        }
        (void) write_last_upload(a, rep, p->rejected ? "rejected" : "accepted");
}

/* The file a message of install_begin()/install_commit() is about: they
 * start with its path (NULL when the message names a directory). */
static const char *install_error_path(const FileList *l, const char *err) {
        for (size_t i = 0; err && i < l->n; i++) {
                size_t n = strlen(l->paths[i]);
                if (strncmp(err, l->paths[i], n) == 0 && err[n] == ':')
                        return l->paths[i];
        }
        return NULL;
}

/* The service that has path among its targets, or NULL. */
static const char *service_of_target(const Plan *p, const char *path) {
        for (size_t i = 0; path && i < p->n_services; i++)
                for (size_t t = 0; t < p->services[i].svc->n_targets; t++)
                        if (streq(p->services[i].svc->targets[t].path, path))
                                return p->services[i].svc->name;
        return NULL;
}

/* Runs one reconcile: check, plan, render, install, signal. */
static int reconcile(Agent *a) {
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(plan_freep) Plan *p = NULL;
        _cleanup_(strv_freep) char **fallback = NULL;
        _cleanup_(file_list_done) FileList files = {};
        _cleanup_(freep) X509 **installed = NULL;
        _cleanup_(freep) Material *mat = NULL;
        _cleanup_(freep) bool *changed = NULL;
        _cleanup_(state_freep) State *next = NULL;
        _cleanup_(freep) char *err = NULL, *state_text = NULL, *state_path = NULL;
        size_t n = a->config->n_services, state_len = 0;
        Install *txn = NULL;
        int r;

        if (a->busy) {
                a->pending = true;
                return 0;
        }
        a->pending = false;

        CheckOptions co = {
                .now = time(NULL),
                .min_valid_days = a->config->min_valid_days,
                .profile = a->config->policy,
                .trust = a->trust,
        };
        r = check_store(a->store_dir, &co, &rep);
        if (r < 0)
                return log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = a->store_dir },
                                 "cannot read the store %s: %s", a->store_dir, strerror(-r)),
                       r;

        installed = calloc(n ? n : 1, sizeof(X509 *));
        mat = calloc(n ? n : 1, sizeof(Material));
        changed = calloc(n ? n : 1, sizeof(bool));
        if (!installed || !mat || !changed)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const ServiceState *ss = state_service(a->state, a->config->services[i].name);
                if (ss && ss->installed && load_material(a, ss->service, false, &mat[i]) >= 0)
                        installed[i] = sk_X509_value(mat[i].chain, 0);
        }
        r = host_names(&fallback);
        if (r < 0)
                goto out;

        PlanInput in = {
                .config = a->config,
                .report = rep,
                .state = a->state,
                .installed = installed,
                .fallback_names = fallback,
                .now = co.now,
        };
        r = plan_make(&in, &p);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < n; i++)
                material_done(&mat[i]);

        log_upload(a, p, rep);
        if (p->rejected)
                a->exit_status = 1;

        if (!plan_changes_anything(p)) {
                r = 0;
                goto out;
        }

        next = state_copy(a->state);
        if (!next) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                const ServicePlan *sp = &p->services[i];
                const char *name = sp->svc->name;
                ServiceState *ss;

                switch (sp->action) {
                case PLAN_INSTALL_UPLOAD:
                        r = material_from_upload(sp->report, &mat[i]);
                        break;
                case PLAN_SELF_SIGN:
                case PLAN_RENEW:
                        r = make_self_signed(a, rep->deploy, name, &mat[i]);
                        break;
                case PLAN_REINSTALL: {
                        const ServiceState *cur = state_service(a->state, name);
                        r = load_material(a, name, true, &mat[i]);
                        if (r >= 0)
                                mat[i].source = cur->source;
                        break;
                }
                default:
                        if (sp->fallback_too) {
                                r = make_self_signed(a, rep->deploy, name, &mat[i]);
                                break;
                        }
                        continue;
                }
                if (r < 0) {
                        log_event(LOG_EVENT_INSTALL_FAILED, LOG_ERR, &(LogFields) { .service = name },
                                  "%s: cannot prepare the certificate to install: %s", name, strerror(-r));
                        goto out;
                }
                changed[i] = true;

                /* The targets. */
                for (size_t t = 0; t < sp->svc->n_targets; t++) {
                        const Target *tg = &sp->svc->targets[t];
                        char *data = NULL, *path = strdup(tg->path);
                        size_t len = 0;
                        _cleanup_(freep) char *why = NULL;

                        if (!path) {
                                r = -ENOMEM;
                                goto out;
                        }
                        r = render_target(tg, mat[i].chain, mat[i].key, &data, &len, &why);
                        if (r < 0) {
                                free(path);
                                log_event(LOG_EVENT_INSTALL_FAILED, LOG_ERR,
                                          &(LogFields) { .service = name, .file = tg->path },
                                          "%s: cannot make %s: %s; nothing of this change is installed",
                                          name, tg->path, why ? why : strerror(-r));
                                goto out;
                        }
                        r = file_list_add(&files, path, data, len, tg->uid, tg->gid, tg->mode);
                        if (r < 0)
                                goto out;
                }
                /* The agent's own copy, to render again and to roll back to. */
                for (int k = 0; k < 2; k++) {
                        char *data = NULL, *path = material_path(a, name, k ? "key" : "crt");
                        size_t len = 0;
                        if (!path) {
                                r = -ENOMEM;
                                goto out;
                        }
                        r = pem_of(&mat[i], k == 1, &data, &len);
                        if (r < 0) {
                                free(path);
                                goto out;
                        }
                        r = file_list_add(&files, path, data, len, (uid_t) -1, (gid_t) -1, 0600);
                        if (r < 0)
                                goto out;
                }
                r = state_service_get(next, name, &ss);
                if (r < 0)
                        goto out;
                fill_state(ss, &mat[i], sp);
                r = strv_extend(&a->changed, name);
                if (r < 0)
                        goto out;

                /* Say what is made before it is installed. */
                if (mat[i].source == SOURCE_SELF_SIGNED && sp->action != PLAN_REINSTALL) {
                        char fp[128], na[32];
                        _cleanup_(freep) char *subject = NULL;
                        LogFields fl;
                        fields_of(&fl, name, sk_X509_value(mat[i].chain, 0), fp, sizeof fp, na,
                                  sizeof na, &subject);
                        if (sp->action == PLAN_RENEW || sp->verdict != SELFSIGN_FITS)
                                log_event(LOG_EVENT_SELF_SIGNED_RENEWED, LOG_NOTICE, &fl,
                                          "%s: renewing the self-signed certificate (%s): new one '%s', valid until %s",
                                          name, selfsign_verdict_to_string(sp->verdict), strna(subject), strna(fl.not_after));
                        else
                                log_event(LOG_EVENT_SELF_SIGNED, LOG_NOTICE, &fl,
                                          "%s: %s: made a self-signed certificate '%s', valid until %s (upload %s-cert.crt and %s-cert.key to replace it)",
                                          name, sp->action == PLAN_SELF_SIGN ? "no certificate uploaded" : "the upload was rejected and nothing is installed yet",
                                          strna(subject), strna(fl.not_after), name, name);
                }
        }

        r = state_format(next, &state_text, &state_len);
        if (r < 0)
                goto out;
        if (asprintf(&state_path, "%s/%s", a->config->state_dir, STATE_FILE_NAME) < 0) {
                r = -ENOMEM;
                goto out;
        }
        r = file_list_add(&files, TAKE_PTR(state_path), TAKE_PTR(state_text), state_len, (uid_t) -1,
                          (gid_t) -1, 0600);
        if (r < 0)
                goto out;

        r = install_begin(a->journal_path, files.files, files.n, &txn, &err);
        if (r >= 0) {
                r = install_commit(txn, &err);
                if (r < 0) {
                        install_free(txn);
                        txn = NULL;
                }
        }
        if (r < 0) {
                const char *path = install_error_path(&files, err);
                log_event(LOG_EVENT_INSTALL_FAILED, LOG_ERR,
                          &(LogFields) { .file = path, .service = service_of_target(p, path), .error = r },
                          "install failed: %s; every target is as it was before",
                          err ? err : strerror(-r));
                a->exit_status = 1;
                goto out;
        }
        a->txn = txn;
        a->next_state = TAKE_PTR(next);

        r = collect_units(a, p, changed);
        if (r < 0) {
                (void) install_rollback(a->txn, NULL);
                transaction_done(a);
                goto out;
        }
        if (!a->units_pending_names) {
                commit_state(a);
                log_installed(a);
                transaction_done(a);
                r = 0;
                goto out;
        }
        if (!a->units) {
                r = units_new(a->event, a->opts.user_bus, &a->units);
                if (r < 0) {
                        log_event(LOG_EVENT_ERROR, LOG_ERR, NULL,
                                  "cannot connect to the %s manager to signal units: %s; rolling back",
                                  a->opts.user_bus ? "user" : "system", strerror(-r));
                        (void) install_rollback(a->txn, NULL);
                        a->exit_status = 1;
                        transaction_done(a);
                        goto out;
                }
        }
        a->busy = true;
        signal_units(a);
        if (a->units_outstanding == 0) {
                /* Nothing could be signalled: treat as failed. */
                a->units_outstanding = 1;
                units_signalled(&(UnitOutcome) { .unit = "(none)", .error = -EIO }, a);
        }
        r = 0;
out:
        for (size_t i = 0; i < n; i++)
                material_done(&mat[i]);
        if (!a->busy && !a->txn) {
                strv_free(a->changed);
                a->changed = NULL;
        }
        return r;
}

/* ---- status and timers -------------------------------------------------- */

static void update_status(Agent *a) {
        _cleanup_(freep) char *text = NULL;
        _cleanup_(fclosep) FILE *m = NULL;
        size_t len = 0;
        time_t now = time(NULL);

        m = open_memstream(&text, &len);
        if (!m)
                return;
        fputs("STATUS=", m);
        for (size_t i = 0; i < a->config->n_services; i++) {
                const char *name = a->config->services[i].name;
                const ServiceState *ss = state_service(a->state, name);
                if (i)
                        fputs("; ", m);
                if (ss && ss->installed)
                        fprintf(m, "%s: %s, %lld days left", name,
                                material_source_to_string(ss->source),
                                (long long) ((ss->not_after - now) / DAY));
                else
                        fprintf(m, "%s: none", name);
        }
        fclosep(&m);
        (void) sd_notify(0, text);
}

static int on_expiry(sd_event_source *s, uint64_t usec, void *userdata);

/* Warns about uploaded certificates near expiry (once a day) and arms the
 * timer for the next time something is due. */
static void check_expiry(Agent *a) {
        time_t now = time(NULL), next = 0;
        time_t margin = (time_t) a->config->min_valid_days * DAY;
        bool warn_now = now - a->last_warned >= DAY;

        for (size_t i = 0; i < a->config->n_services; i++) {
                const ServiceState *ss = state_service(a->state, a->config->services[i].name);
                time_t due;
                if (!ss || !ss->installed)
                        continue;
                due = ss->not_after - margin;
                if (due <= now) {
                        if (warn_now && ss->source == SOURCE_UPLOADED) {
                                char na[32];
                                LogFields fl = {
                                        .service = ss->service,
                                        .subject = ss->subject,
                                        .sha256 = ss->fingerprint,
                                        .not_after = time_format_rfc3339(ss->not_after, na, sizeof na),
                                        .code = "CERT_EXPIRING",
                                };
                                log_event(LOG_EVENT_EXPIRY_WARNING, ss->not_after <= now ? LOG_ERR : LOG_WARNING, &fl,
                                          "%s: the installed certificate '%s' %s %s (%lld days); upload a renewed %s-cert.crt and %s-cert.key",
                                          ss->service, strna(ss->subject),
                                          ss->not_after <= now ? "expired on" : "expires on", na,
                                          (long long) ((ss->not_after - now) / DAY), ss->service, ss->service);
                        }
                        due = now + DAY;
                }
                if (next == 0 || due < next)
                        next = due;
        }
        if (warn_now)
                a->last_warned = now;
        if (next == 0) {
                if (a->expiry)
                        (void) sd_event_source_set_enabled(a->expiry, SD_EVENT_OFF);
                return;
        }
        uint64_t at = (uint64_t) next * USEC_PER_SEC;
        if (!a->expiry)
                (void) sd_event_add_time(a->event, &a->expiry, CLOCK_REALTIME, at, 60 * USEC_PER_SEC,
                                         on_expiry, a);
        else {
                (void) sd_event_source_set_time(a->expiry, at);
                (void) sd_event_source_set_enabled(a->expiry, SD_EVENT_ONESHOT);
        }
}

static void agent_finish_reconcile(Agent *a) {
        if (a->busy)
                return;
        update_status(a);
        check_expiry(a);
        if (!a->ready_sent) {
                (void) sd_notify(0, "READY=1");
                a->ready_sent = true;
        }
        if (a->opts.oneshot) {
                (void) sd_event_exit(a->event, 0);
                return;
        }
        if (a->pending)
                agent_schedule(a);
}

static int on_defer(sd_event_source *s, void *userdata) {
        Agent *a = userdata;

        (void) reconcile(a);
        agent_finish_reconcile(a);
        return 0;
}

static void agent_schedule(Agent *a) {
        if (!a->defer) {
                if (sd_event_add_defer(a->event, &a->defer, on_defer, a) < 0)
                        return;
        }
        (void) sd_event_source_set_enabled(a->defer, SD_EVENT_ONESHOT);
}

static int on_expiry(sd_event_source *s, uint64_t usec, void *userdata) {
        agent_schedule(userdata);
        return 0;
}

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata) {
        agent_schedule(userdata);
        return 0;
}

static int on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata) {
        Agent *a = userdata;

        if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = a->store_dir },
                          "the store directory %s was removed or moved; restart the agent after recreating it",
                          a->store_dir);
                return 0;
        }
        if (ev->len > 0 && ev->name[0] == '.')
                return 0; /* editors' and tools' temporary files */
        /* Wait until the store has been quiet for settle_ms. */
        (void) sd_event_source_set_time_relative(a->settle, (uint64_t) a->config->settle_ms * USEC_PER_MSEC);
        (void) sd_event_source_set_enabled(a->settle, SD_EVENT_ONESHOT);
        return 0;
}

static int watch_store(Agent *a) {
        int r;

        a->inotify = sd_event_source_unref(a->inotify);
        r = sd_event_add_inotify(a->event, &a->inotify, a->store_dir,
                                 IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                                         IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |
                                         IN_DONT_FOLLOW,
                                 on_inotify, a);
        if (r < 0)
                return log_event(LOG_EVENT_ERROR, LOG_ERR, &(LogFields) { .file = a->store_dir },
                                 "cannot watch %s: %s", a->store_dir, strerror(-r)),
                       r;
        if (!a->settle) {
                r = sd_event_add_time_relative(a->event, &a->settle, CLOCK_MONOTONIC, UINT64_MAX / 2,
                                               0, on_settle, a);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_enabled(a->settle, SD_EVENT_OFF);
        }
        return 0;
}

static void reload_config(Agent *a) {
        _cleanup_(agentconf_freep) AgentConfig *c = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *trust = NULL;
        int r;

        r = load_config(a->opts.config_path, &c, &trust);
        if (r < 0) {
                log_event(LOG_EVENT_CONFIG_INVALID, LOG_ERR, &(LogFields) { .file = a->opts.config_path },
                          "%s is not valid (see above); keeping the configuration in use",
                          a->opts.config_path);
                (void) sd_notify(0, "READY=1");
                return;
        }
        if (!streq(c->state_dir, a->config->state_dir) ||
            (!a->opts.store_dir && !streq(c->store_dir, a->config->store_dir))) {
                log_event(LOG_EVENT_CONFIG_INVALID, LOG_ERR, &(LogFields) { .file = a->opts.config_path },
                          "%s: store_dir and state_dir take effect only at a restart; keeping the configuration in use (systemctl restart certconfd)",
                          a->opts.config_path);
                (void) sd_notify(0, "READY=1");
                return;
        }
        agentconf_free(a->config);
        a->config = TAKE_PTR(c);
        sk_X509_pop_free(a->trust, X509_free);
        a->trust = TAKE_PTR(trust);
        log_event(LOG_EVENT_CONFIG_RELOADED, LOG_INFO, &(LogFields) { .file = a->opts.config_path },
                  "reloaded %s", a->opts.config_path);
        (void) sd_notify(0, "READY=1");
        agent_schedule(a);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Agent *a = userdata;

        (void) sd_notify(0, "RELOADING=1");
        if (a->busy) {
                /* The transaction in flight refers to the configuration in
                 * use: the new one is read as soon as it is done. */
                a->reload_pending = true;
                return 0;
        }
        reload_config(a);
        return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Agent *a = userdata;

        (void) sd_notify(0, "STOPPING=1");
        log_event(LOG_EVENT_STOPPING, LOG_INFO, NULL, "stopping on %s%s", strsignal((int) si->ssi_signo),
                  a->busy ? " while units are being signalled; the install is rolled back at the next start" : "");
        (void) sd_event_exit(a->event, 0);
        return 0;
}

int agent_run(const AgentOptions *o) {
        _cleanup_(agent_freep) Agent *a = calloc(1, sizeof(Agent));
        _cleanup_(freep) char *err = NULL;
        sigset_t ss;
        int r;

        if (!a)
                return 1;
        a->lock_fd = -1;
        a->opts = *o;
        r = load_config(o->config_path, &a->config, &a->trust);
        if (r < 0) {
                log_event(LOG_EVENT_CONFIG_INVALID, LOG_ERR, &(LogFields) { .file = o->config_path },
                          "refusing to start: fix %s (see above)", o->config_path);
                return 2; /* bad configuration, as for bad usage: restarting does not help */
        }
        a->store_dir = strdup(o->store_dir ? o->store_dir : a->config->store_dir);
        if (!a->store_dir || asprintf(&a->journal_path, "%s/%s", a->config->state_dir, STATE_JOURNAL_NAME) < 0)
                return 1;
        if (make_dirs(a) < 0 || lock_state(a) < 0)
                return 1;

        r = install_recover(a->journal_path, &err);
        if (r < 0) {
                log_event(LOG_EVENT_ERROR, LOG_CRIT, &(LogFields) { .file = a->journal_path },
                          "cannot recover the interrupted install recorded in %s: %s", a->journal_path,
                          err ? err : strerror(-r));
                return 1;
        }
        if (r > 0)
                log_event(LOG_EVENT_RECOVERED, LOG_WARNING, &(LogFields) { .file = a->journal_path },
                          "an install was interrupted (the agent stopped during it): the previous certificates were put back; the upload is applied again now");
        r = state_load(a->config->state_dir, &a->state);
        if (r < 0) {
                log_event(LOG_EVENT_ERROR, LOG_CRIT, &(LogFields) { .file = a->config->state_dir },
                          "the state in %s/%s is damaged (%s); move it aside to start afresh (every service then gets its certificates installed again)",
                          a->config->state_dir, STATE_FILE_NAME, strerror(-r));
                return 1;
        }

        r = sd_event_default(&a->event);
        if (r < 0)
                return 1;
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigaddset(&ss, SIGHUP);
        (void) sigprocmask(SIG_BLOCK, &ss, NULL);
        if (sd_event_add_signal(a->event, NULL, SIGTERM, on_exit_signal, a) < 0 ||
            sd_event_add_signal(a->event, NULL, SIGINT, on_exit_signal, a) < 0 ||
            (!o->oneshot && sd_event_add_signal(a->event, NULL, SIGHUP, on_sighup, a) < 0))
                return 1;
        (void) sd_event_set_watchdog(a->event, true);

        if (!o->oneshot && watch_store(a) < 0)
                return 1;
        log_event(LOG_EVENT_STARTED, LOG_INFO, &(LogFields) { .file = a->store_dir },
                  "%s %s: watching %s (configuration %s, state %s)",
                  o->oneshot ? "applying" : "started", CERTCONF_VERSION, a->store_dir,
                  a->config->path, a->config->state_dir);
        agent_schedule(a);

        r = sd_event_loop(a->event);
        if (r < 0)
                return 1;
        return o->oneshot ? a->exit_status : 0;
}
