#include <openssl/evp.h>

#include "plan.h"
#include "strv.h"

static const char *const action_names[_PLAN_ACTION_MAX] = {
        [PLAN_KEEP] = "keep",
        [PLAN_INSTALL_UPLOAD] = "install-upload",
        [PLAN_SELF_SIGN] = "self-sign",
        [PLAN_RENEW] = "renew-self-signed",
        [PLAN_REINSTALL] = "reinstall",
        [PLAN_REJECT] = "reject",
        [PLAN_FAILED_BEFORE] = "failed-before",
};

const char *plan_action_to_string(PlanAction a) {
        return a >= 0 && a < _PLAN_ACTION_MAX ? action_names[a] : NULL;
}

Plan *plan_free(Plan *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_services; i++) {
                free(p->services[i].upload_crt);
                free(p->services[i].upload_key);
                free(p->services[i].targets);
        }
        free(p->services);
        strv_free(p->unconfigured);
        free(p);
        return NULL;
}

static bool streq_null(const char *a, const char *b) {
        return (!a && !b) || (a && b && streq(a, b));
}

int plan_self_signed_names(const Deployment *d, const char *service, char **fallback,
                           char ***ret) {
        _cleanup_(strv_freep) char **names = NULL;
        int r;

        r = deploy_service_names(d, service, &names);
        if (r < 0)
                return r;
        if (strv_length(names) == 0)
                for (char **f = fallback; f && *f; f++) {
                        r = strv_extend_unique(&names, *f, true);
                        if (r < 0)
                                return r;
                }
        if (!names) {
                names = calloc(1, sizeof(char *));
                if (!names)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(names);
        return 0;
}

int plan_targets_digest(const AgentService *s, char **ret) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        char *hex;

        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_targets; i++) {
                const Target *t = &s->targets[i];
                _cleanup_(freep) char *line = NULL;
                /* The password's digest only when there is one: the digest of
                 * the other targets stays what earlier versions wrote, so an
                 * upgrade renders only keystores again. */
                int len = asprintf(&line, "target\n%d\n%s\n%s\n%s\n%o\n%s\n%s\n%d\n%s%s",
                                   (int) t->format, t->path, strna(t->owner), strna(t->group),
                                   (unsigned) t->mode, strna(t->alias), strna(t->password_file),
                                   (int) t->compat, t->password_digest ? t->password_digest : "",
                                   t->password_digest ? "\n" : "");
                if (len < 0)
                        return -ENOMEM;
                /* The trailing NUL separates one target from the next. */
                if (EVP_DigestUpdate(ctx, line, (size_t) len + 1) != 1)
                        return -ENOMEM;
        }
        if (EVP_DigestFinal_ex(ctx, md, &n) != 1)
                return -ENOMEM;
        hex = state_hex(md, n);
        if (!hex)
                return -ENOMEM;
        *ret = hex;
        return 0;
}

static const ServiceReport *find_report(const StoreReport *rep, const char *name) {
        for (size_t i = 0; rep && i < rep->n_services; i++)
                if (streq(rep->services[i].service, name))
                        return &rep->services[i];
        return NULL;
}

static int digest_of(const Bundle *b, char **ret) {
        if (!b || !b->has_sha256) {
                *ret = NULL;
                return 0;
        }
        *ret = state_hex(b->sha256, sizeof b->sha256);
        return *ret ? 0 : -ENOMEM;
}

/* Whether the installed self-signed certificate of service idx still
 * serves: *ret FITS, or why not. */
static int self_signed_verdict(const PlanInput *in, size_t idx, SelfSignVerdict *ret) {
        const AgentService *svc = &in->config->services[idx];
        _cleanup_(strv_freep) char **names = NULL;
        int r;

        r = plan_self_signed_names(in->report ? in->report->deploy : NULL, svc->name,
                                   in->fallback_names, &names);
        if (r < 0)
                return r;
        return selfsign_verdict(in->installed[idx], names, in->config->self_signed_key, in->now,
                                in->config->min_valid_days, ret);
}

static int plan_service(const PlanInput *in, size_t idx, ServicePlan *sp, bool names_known) {
        const AgentService *svc = &in->config->services[idx];
        const ServiceReport *sr = find_report(in->report, svc->name);
        const ServiceState *ss = state_service(in->state, svc->name);
        bool installed = ss && ss->installed;
        int r;

        sp->svc = svc;
        sp->action = PLAN_KEEP;
        r = plan_targets_digest(svc, &sp->targets);
        if (r < 0)
                return r;

        if (sr && sr->uploaded) {
                sp->report = sr;
                r = digest_of(sr->chain, &sp->upload_crt);
                if (r < 0)
                        return r;
                r = digest_of(sr->key, &sp->upload_key);
                if (r < 0)
                        return r;
                sp->same_upload = installed && ss->source == SOURCE_UPLOADED &&
                                  streq_null(ss->upload_crt, sp->upload_crt) &&
                                  streq_null(ss->upload_key, sp->upload_key);
                if (sp->same_upload) {
                        if (!streq_null(ss->targets, sp->targets))
                                sp->action = PLAN_REINSTALL;
                        return 0;
                }
                if (ss && ss->failed_crt && streq_null(ss->failed_crt, sp->upload_crt) &&
                    streq_null(ss->failed_key, sp->upload_key))
                        sp->action = PLAN_FAILED_BEFORE;
                else if (findings_has_errors(&sr->findings))
                        sp->action = PLAN_REJECT;
                else
                        sp->action = PLAN_INSTALL_UPLOAD;
                if (sp->action != PLAN_INSTALL_UPLOAD && !installed && names_known)
                        sp->fallback_too = true;
                /* An upload that is not taken does not stop the installed
                 * self-signed certificate from being renewed. */
                if (sp->action != PLAN_INSTALL_UPLOAD && installed && ss->source == SOURCE_SELF_SIGNED &&
                    names_known && in->installed[idx]) {
                        SelfSignVerdict v;
                        r = self_signed_verdict(in, idx, &v);
                        if (r < 0)
                                return r;
                        if (v != SELFSIGN_FITS) {
                                sp->fallback_too = true;
                                sp->verdict = v;
                        }
                }
                return 0;
        }

        if (!installed) {
                if (names_known)
                        sp->action = PLAN_SELF_SIGN;
                return 0;
        }
        if (ss->source == SOURCE_SELF_SIGNED && names_known && in->installed[idx]) {
                SelfSignVerdict v;

                r = self_signed_verdict(in, idx, &v);
                if (r < 0)
                        return r;
                if (v != SELFSIGN_FITS) {
                        sp->action = PLAN_RENEW;
                        sp->verdict = v;
                        return 0;
                }
        }
        if (!streq_null(ss->targets, sp->targets))
                sp->action = PLAN_REINSTALL;
        return 0;
}

int plan_make(const PlanInput *in, Plan **ret) {
        _cleanup_(plan_freep) Plan *p = calloc(1, sizeof(Plan));
        const StoreReport *rep = in->report;
        /* A deployment.yaml that is there but invalid names nothing reliable:
         * no self-signed certificate is made or renewed from it. */
        bool names_known = !rep || !rep->has_deployment || rep->deploy;
        bool store_errors = rep && findings_has_errors(&rep->findings);
        bool reject = false;
        int r;

        if (!p)
                return -ENOMEM;
        if (in->config->n_services > 0) {
                p->services = calloc(in->config->n_services, sizeof(ServicePlan));
                if (!p->services)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < in->config->n_services; i++) {
                r = plan_service(in, i, &p->services[i], names_known);
                p->n_services++;
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < p->n_services; i++) {
                ServicePlan *sp = &p->services[i];
                if (sp->action == PLAN_INSTALL_UPLOAD || sp->action == PLAN_REJECT)
                        p->upload = true;
                if (sp->action == PLAN_REJECT)
                        reject = true;
        }
        /* All or nothing: one service's errors, or the store's (a misnamed
         * upload, a broken deployment.yaml), refuse the whole upload (as
         * rvtconfig does). Self-signed fallbacks are not part of it. */
        if (reject || store_errors) {
                p->rejected = true;
                for (size_t i = 0; i < p->n_services; i++) {
                        ServicePlan *sp = &p->services[i];
                        const ServiceState *ss = state_service(in->state, sp->svc->name);
                        if (sp->action != PLAN_INSTALL_UPLOAD)
                                continue;
                        sp->action = PLAN_REJECT;
                        if (!(ss && ss->installed) && names_known)
                                sp->fallback_too = true;
                }
        }

        for (size_t i = 0; rep && i < rep->n_services; i++)
                if (rep->services[i].uploaded && !agentconf_service(in->config, rep->services[i].service)) {
                        r = strv_extend(&p->unconfigured, rep->services[i].service);
                        if (r < 0)
                                return r;
                }

        *ret = TAKE_PTR(p);
        return 0;
}

bool plan_changes_anything(const Plan *p) {
        for (size_t i = 0; i < p->n_services; i++) {
                PlanAction a = p->services[i].action;
                if (a == PLAN_INSTALL_UPLOAD || a == PLAN_SELF_SIGN || a == PLAN_RENEW ||
                    a == PLAN_REINSTALL || p->services[i].fallback_too)
                        return true;
        }
        return false;
}
