#pragma once
/* deploy: the deployment YAML uploaded beside the certificates
 * (deployment.yaml in the store): subject fields, MCC/MNC and per-service
 * host names and addresses. Errors (syntax, unknown keys with the nearest
 * known one suggested, bad values) become CONFIG_INVALID findings with file,
 * line and column. Never logs. */

#include <stdbool.h>
#include <stddef.h>

#include "findings.h"

#define DEPLOY_FILE_NAME "deployment.yaml"

typedef struct DeployService {
        char *name;        /* "rem", "xcap", "bsf" or any other service name */
        char **hosts;      /* NULL-terminated; DNS names the certificate must cover */
        char **addresses;  /* NULL-terminated; IP literals the certificate must cover */
} DeployService;

typedef struct Deployment {
        char *path;
        char *country;             /* subject.country (C), two letters */
        char *organization;        /* subject.organization (O) */
        char *organizational_unit; /* subject.organizational_unit (OU) */
        int mcc;                   /* 0..999, -1 when not set */
        int mnc;                   /* 0..999, -1 when not set */
        DeployService *services;
        size_t n_services;
} Deployment;

/* Parses YAML text (len bytes) read from path. On a problem, adds findings
 * and returns -EINVAL (no deployment); negative errno for other failures. */
int deploy_parse(const char *path, const char *data, size_t len, Deployment **ret, Findings *f);

/* Reads and parses a file (links followed only when dirfd is AT_FDCWD). A
 * missing file is -ENOENT with no finding. */
int deploy_load_at(int dirfd, const char *name, const char *display_path, Deployment **ret,
                   Findings *f);

Deployment *deploy_free(Deployment *d);
DEFINE_PTR_CLEANUP(Deployment, deploy_free)

const DeployService *deploy_service(const Deployment *d, const char *name);

/* Every name the certificate of `service` must cover: its hosts and addresses
 * and, for xcap and bsf when MCC and MNC are set, the 3GPP name
 * (<service>.ims.mncNNN.mccNNN.pub.3gppnetwork.org). d may be NULL (empty
 * list). Returns a NULL-terminated list in *ret, or -ENOMEM. */
int deploy_service_names(const Deployment *d, const char *service, char ***ret);
