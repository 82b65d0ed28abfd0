#pragma once
/* plan: what one reconcile does for each configured service — keep what is
 * installed, install a new accepted upload, make or renew the self-signed
 * fallback, render the installed material again for changed targets, or
 * reject — from the agent configuration, the store's check report and the
 * installed state. Pure decisions: reads and writes nothing, never logs. */

#include <stdbool.h>
#include <time.h>

#include <openssl/x509.h>

#include "agentconf.h"
#include "check.h"
#include "selfsign.h"
#include "state.h"

typedef enum PlanAction {
        PLAN_KEEP,          /* what is installed stays, untouched */
        PLAN_INSTALL_UPLOAD,/* a new upload without errors: install it */
        PLAN_SELF_SIGN,     /* nothing installed and no usable upload: make the fallback */
        PLAN_RENEW,         /* the installed self-signed certificate no longer serves */
        PLAN_REINSTALL,     /* the targets changed: render what is installed again */
        PLAN_REJECT,        /* the upload carries errors (its own or the store's): nothing of it */
        PLAN_FAILED_BEFORE, /* the same upload a unit failed with before: not retried */
        _PLAN_ACTION_MAX,
        _PLAN_ACTION_INVALID = -EINVAL,
} PlanAction;

const char *plan_action_to_string(PlanAction a);

typedef struct ServicePlan {
        const AgentService *svc;
        PlanAction action;
        const ServiceReport *report; /* the check of this service's store files; NULL: none there */
        bool same_upload;            /* the store's files are the ones installed */
        SelfSignVerdict verdict;     /* PLAN_RENEW (or fallback_too renewing): why */
        char *upload_crt;            /* hex SHA-256 of the store files (uploads only) */
        char *upload_key;
        char *targets;               /* hex digest of the service's targets now */
        bool fallback_too;           /* an upload not taken (rejected, failed before) while
                                      * nothing is installed, or while the installed
                                      * self-signed certificate must be renewed (verdict):
                                      * a self-signed certificate is made meanwhile */
} ServicePlan;

typedef struct Plan {
        ServicePlan *services;       /* in the configuration's order */
        size_t n_services;
        bool upload;                 /* the store carries new material for some service */
        bool rejected;               /* ... and it is refused (see the reports' findings) */
        char **unconfigured;         /* services with files in the store but not in the
                                      * configuration (ignored) */
} Plan;

typedef struct PlanInput {
        const AgentConfig *config;
        const StoreReport *report;   /* check_store() of the store; NULL when unreadable */
        const State *state;
        X509 *const *installed;      /* per configured service: the installed server
                                      * certificate, or NULL */
        char **fallback_names;       /* names for self-signed certificates of services the
                                      * deployment names nothing for (the host's name) */
        time_t now;
} PlanInput;

int plan_make(const PlanInput *in, Plan **ret);
Plan *plan_free(Plan *p);
DEFINE_PTR_CLEANUP(Plan, plan_free)

/* The names a service's self-signed certificate carries: the deployment's
 * for it (hosts, addresses, 3GPP name), else fallback. */
int plan_self_signed_names(const Deployment *d, const char *service, char **fallback,
                           char ***ret);

/* Hex SHA-256 over the service's target definitions (format, path, owner,
 * group, mode, alias, password file, compat); not the units (a change of
 * units needs nothing rewritten). */
int plan_targets_digest(const AgentService *s, char **ret);

bool plan_changes_anything(const Plan *p);
