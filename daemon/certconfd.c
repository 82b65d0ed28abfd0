/* certconfd: the certconf command: the agent (agent, apply, status) and the
 * offline tools (check, inspect). This file only parses the command line and
 * prints; every decision is in common/, the agent's loop in agent.c. */

#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <sys/stat.h>

#include "agent.h"
#include "agentconf.h"
#include "bundle.h"
#include "check.h"
#include "cmd-ca.h"
#include "cmd-import.h"
#include "fileio.h"
#include "inspect.h"
#include "loader.h"
#include "log.h"
#include "names.h"
#include "report.h"
#include "status.h"
#include "strv.h"
#include "timeutil.h"

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2

static void help(FILE *out) {
        fputs("Usage:\n"
              "  certconfd agent [--config FILE] [--user] [--log-target auto|journal|stderr]\n"
              "  certconfd apply [--config FILE] [--user] [--log-target ...] [STORE_DIR]\n"
              "  certconfd status [--config FILE] [--json]\n"
              "  certconfd check [OPTIONS] STORE_DIR\n"
              "  certconfd check [OPTIONS] --service NAME CHAIN_FILE [KEY_FILE]\n"
              "  certconfd inspect [--now TIME] [--password-file F] FILE...\n"
              "  certconfd import --service NAME [OPTIONS] FILE...  (certconfd import --help)\n"
              "  certconfd ca init|sign|renew|export|issue DIR ...  (certconfd ca --help)\n"
              "  certconfd csr --service NAME [OPTIONS]        (certconfd csr --help)\n"
              "  certconfd --version | --help\n"
              "\n"
              "agent: the long-running agent (what certconfd.service runs): watches the store\n"
              "directory, checks each upload once it has settled, installs it into every\n"
              "target at once (or a 5-year self-signed fallback when nothing was uploaded),\n"
              "signals the services' systemd units and rolls back if one fails; logs every\n"
              "event to the journal. SIGHUP reloads the configuration, SIGTERM stops.\n"
              "  --config FILE        agent configuration (default " AGENTCONF_DEFAULT_PATH ")\n"
              "  --user               signal units through the user manager, not the system's\n"
              "  --log-target T       auto (journal when there is one, else stderr), journal,\n"
              "                       or stderr\n"
              "apply: one reconcile of STORE_DIR (default: the configured store), then exit:\n"
              "0 when everything is installed or unchanged, 1 when an upload was rejected or\n"
              "an install or a unit failed, 2 on bad usage or configuration.\n"
              "status: per service the installed certificate (source, subject, names,\n"
              "notAfter, days left, SHA-256) and the last upload's result; --json for programs.\n"
              "\n"
              "check: validate certificate chains and keys exactly as the agent will before\n"
              "installing them (PEM, chain order, key match, validity, names, strength).\n"
              "  --json               machine-readable report on stdout\n"
              "  --now TIME           judge validity at TIME (RFC 3339) instead of the clock\n"
              "  --min-valid-days N   days of validity required (default 30)\n"
              "  --trust FILE         extra trust anchors (PEM, any number, or one DER); the\n"
              "                       chain may end below them (repeatable)\n"
              "  --system-trust       also trust the system's CA bundle ($SSL_CERT_FILE, else\n"
              "                       OpenSSL's default), e.g. for a public CA's chain sent\n"
              "                       without its root\n"
              "  --name HOST|IP       a name the certificate must cover (repeatable); on a\n"
              "                       STORE_DIR, every service's certificate must cover it\n"
              "  --crl FILE           check revocation against this CRL (PEM or DER; from the\n"
              "                       CA's CRL Distribution Point); repeatable\n"
              "  --profile NAME       default | strict | innovaphone\n"
              "  --service NAME       check CHAIN_FILE [KEY_FILE] as service NAME (rem, xcap,\n"
              "                       bsf or another); without KEY_FILE the key checks are skipped\n"
              "  --deployment FILE    with --service: take names and MCC/MNC from this\n"
              "                       deployment YAML (a store uses its own deployment.yaml)\n"
              "exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or\n"
              "unreadable input\n"
              "\n"
              "import: turn what the CA sent (PEM, DER, PKCS#7 .p7b, PKCS#12 .pfx/.p12,\n"
              "encrypted keys; any order) into STORE_DIR/NAME-cert.crt and NAME-cert.key,\n"
              "written only when they pass the checks of check --service NAME; see\n"
              "certconfd import --help. Exit status 0 written, 1 refused, 2 bad usage or an\n"
              "unreadable/unwritable file.\n"
              "\n"
              "inspect: print each certificate of a file in order (subject, issuer, SANs,\n"
              "validity, key, signature, SHA-256 fingerprint, whether signed by the next),\n"
              "then its private keys; exit status 2 when a file holds nothing usable or is\n"
              "damaged (a key file or a CSR alone is fine). Reads PEM, DER, PKCS#7 and\n"
              "PKCS#12; --password-file F: the password of a PKCS#12 or encrypted key (F's\n"
              "first line; F may be a pipe or /dev/stdin; without it a PKCS#12 is tried with\n"
              "no and with the empty password).\n"
              "\n"
              "ca: a private CA in DIR: init makes the root, sign issues a server certificate\n"
              "from a CSR (--name, --wildcard DOMAIN, --client), renew issues one again with\n"
              "the same key and subject, export writes the root for the clients, issue does\n"
              "csr, sign and import for one service in one command.\n"
              "csr: a certificate signing request for a service, its subject and names from\n"
              "the store's deployment.yaml, its key kept in <state_dir>/csr/.\n",
              out);
}

static int usage_error(const char *fmt, ...) _printf_(1, 2);

static int usage_error(const char *fmt, ...) {
        va_list ap;

        fputs("certconfd: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'certconfd --help'.\n", stderr);
        return EXIT_USAGE;
}

static int parse_now(const char *s, time_t *ret) {
        if (time_parse_rfc3339(s, ret) < 0)
                return usage_error("--now: '%s' is not an RFC 3339 time (e.g. 2026-11-23T12:00:00Z)", s);
        return 0;
}

/* --name takes what a certificate's subjectAltName can carry: a host name
 * or an IP address, as written in a URL's host but without brackets. */
static int parse_name(const char *s) {
        unsigned char ip[16];
        size_t len = strlen(s), n;

        if (names_parse_ip(s, ip, &n) || names_is_hostname(s))
                return 0;
        if (len > 2 && s[0] == '[' && s[len - 1] == ']') {
                _cleanup_(freep) char *inner = strndup(s + 1, len - 2);

                if (!inner)
                        return -ENOMEM;
                if (names_parse_ip(inner, ip, &n))
                        return usage_error("--name: '%s' is not a host name or an IP address; "
                                           "give the address without brackets: %s",
                                           s, inner);
        }
        return usage_error("--name: '%s' is not a host name (letters, digits, hyphens, dots) "
                           "or an IPv4/IPv6 address",
                           s);
}

static bool has_code(const StoreReport *r, FindingCode c) {
        if (findings_has_code(&r->findings, c))
                return true;
        for (size_t i = 0; i < r->n_services; i++)
                if (findings_has_code(&r->services[i].findings, c))
                        return true;
        return false;
}

static int cmd_check(int argc, char **argv) {
        enum { ARG_JSON = 0x100, ARG_NOW, ARG_MIN, ARG_TRUST, ARG_NAME, ARG_PROFILE, ARG_SERVICE, ARG_DEPLOY, ARG_CRL, ARG_SYSTEM_TRUST };
        static const struct option options[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "now", required_argument, NULL, ARG_NOW },
                { "min-valid-days", required_argument, NULL, ARG_MIN },
                { "trust", required_argument, NULL, ARG_TRUST },
                { "name", required_argument, NULL, ARG_NAME },
                { "profile", required_argument, NULL, ARG_PROFILE },
                { "service", required_argument, NULL, ARG_SERVICE },
                { "deployment", required_argument, NULL, ARG_DEPLOY },
                { "crl", required_argument, NULL, ARG_CRL },
                { "system-trust", no_argument, NULL, ARG_SYSTEM_TRUST },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *trust = NULL;
        _cleanup_(sk_X509_CRL_pop_freep) STACK_OF(X509_CRL) *crls = NULL;
        _cleanup_(strv_freep) char **names = NULL, **trust_files = NULL, **crl_files = NULL;
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        _cleanup_(deploy_freep) Deployment *deploy = NULL;
        const char *service = NULL, *deploy_path = NULL;
        CheckOptions o = {
                .now = time(NULL),
                .min_valid_days = CHECK_DEFAULT_MIN_VALID_DAYS,
                .profile = PROFILE_DEFAULT,
        };
        bool json = false;
        Findings pre = {};
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_NOW:
                        if (parse_now(optarg, &o.now) != 0)
                                return EXIT_USAGE;
                        break;
                case ARG_MIN: {
                        char *end;
                        long v;
                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || v < 0 || v > 36500)
                                return usage_error("--min-valid-days: '%s' is not a number of days (0..36500)", optarg);
                        o.min_valid_days = (int) v;
                        break;
                }
                case ARG_TRUST:
                        if (strv_extend(&trust_files, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_SYSTEM_TRUST:
                        if (strv_extend(&trust_files, check_system_trust_file()) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_CRL:
                        if (strv_extend(&crl_files, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_NAME:
                        if (parse_name(optarg) != 0 || strv_extend(&names, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_PROFILE:
                        o.profile = profile_from_string(optarg);
                        if (o.profile < 0)
                                return usage_error("--profile: unknown profile '%s' (default, strict, innovaphone)", optarg);
                        break;
                case ARG_SERVICE:
                        service = optarg;
                        break;
                case ARG_DEPLOY:
                        deploy_path = optarg;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
        }
        argc -= optind;
        argv += optind;

        for (char **t = trust_files; t && *t; t++) {
                r = check_load_anchors(*t, &trust, &pre);
                if (r < 0 || findings_has_errors(&pre)) {
                        if (pre.n > 0)
                                fprintf(stderr, "certconfd: --trust %s: %s\n  fix: %s\n", *t,
                                        pre.items[0].message, pre.items[0].hint);
                        else
                                fprintf(stderr, "certconfd: --trust %s: %s\n", *t, strerror(-r));
                        findings_clear(&pre);
                        return EXIT_USAGE;
                }
                findings_clear(&pre);
        }
        for (char **t = crl_files; t && *t; t++) {
                r = check_load_crls(*t, &crls, &pre);
                if (r < 0 || findings_has_errors(&pre)) {
                        if (pre.n > 0)
                                fprintf(stderr, "certconfd: --crl %s: %s\n  fix: %s\n", *t,
                                        pre.items[0].message, pre.items[0].hint);
                        else
                                fprintf(stderr, "certconfd: --crl %s: %s\n", *t, strerror(-r));
                        findings_clear(&pre);
                        return EXIT_USAGE;
                }
                findings_clear(&pre);
        }
        o.trust = trust;
        o.names = names;
        o.crls = crls;

        if (!service) {
                struct stat st;

                if (argc != 1)
                        return usage_error("%s", "check takes one STORE_DIR, or --service NAME CHAIN_FILE [KEY_FILE]");
                if (deploy_path)
                        return usage_error("%s", "--deployment goes with --service; a store uses its own deployment.yaml");
                if (stat(argv[0], &st) < 0 || !S_ISDIR(st.st_mode))
                        return usage_error("'%s' is not a directory (to check files, use --service NAME CHAIN_FILE [KEY_FILE])", argv[0]);
                r = check_store(argv[0], &o, &rep);
                if (r < 0) {
                        fprintf(stderr, "certconfd: cannot check %s: %s\n", argv[0], strerror(-r));
                        return EXIT_USAGE;
                }
        } else {
                if (argc < 1 || argc > 2)
                        return usage_error("%s", "--service NAME takes CHAIN_FILE and optionally KEY_FILE");
                rep = calloc(1, sizeof *rep);
                if (!rep)
                        return EXIT_USAGE;
                rep->services = calloc(1, sizeof(ServiceReport));
                if (!rep->services || !(rep->services[0].service = strdup(service)))
                        return EXIT_USAGE;
                rep->n_services = 1;
                rep->services[0].uploaded = true;
                if (deploy_path) {
                        r = deploy_load_at(AT_FDCWD, deploy_path, deploy_path, &deploy, &rep->findings);
                        if (r == -ENOENT)
                                return usage_error("--deployment: '%s' does not exist", deploy_path);
                        if (r < 0 && r != -EINVAL) {
                                fprintf(stderr, "certconfd: %s: %s\n", deploy_path, strerror(-r));
                                return EXIT_USAGE;
                        }
                        o.deploy = deploy;
                }
                r = check_files(service, argv[0], argc > 1 ? argv[1] : NULL, &o,
                                &rep->services[0].findings);
                if (r < 0) {
                        fprintf(stderr, "certconfd: check failed: %s\n", strerror(-r));
                        return EXIT_USAGE;
                }
        }

        r = json ? report_print_json(stdout, rep) : report_print_human(stdout, rep);
        if (r < 0 || fflush(stdout) != 0)
                return EXIT_USAGE;
        if (service && has_code(rep, FINDING_FILE_UNREADABLE))
                return EXIT_USAGE;
        return store_report_has_errors(rep) ? EXIT_FINDINGS : 0;
}

/* Whether the file holds a PEM block of any kind (a CSR, a CRL, ...). */
static bool holds_pem_block(const char *path) {
        _cleanup_(freep) char *data = NULL;
        size_t len = 0;

        return read_file_path(path, BUNDLE_MAX_BYTES, &data, &len) >= 0 &&
               memmem(data, len, "-----BEGIN ", 11);
}

static void print_findings(FILE *out, const char *path, const Findings *f, bool as_notes) {
        for (size_t j = 0; j < f->n; j++)
                fprintf(out, "%s: %s %s: %s\n  fix: %s\n", path,
                        as_notes ? "note" : severity_to_string(f->items[j].severity),
                        finding_code_to_string(f->items[j].code), f->items[j].message,
                        f->items[j].hint);
}

/* Prints what one PEM file holds, as the bundle reader sees it; 0, or
 * EXIT_USAGE when it holds nothing to show or the reader found an error. */
static int inspect_pem(const char *path, time_t now) {
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(findings_clear) Findings f = {};
        int r;

        /* Certificates, keys or both: a key file or a combined file is
         * inspected as readily as a chain. */
        r = bundle_load(path, 0, &b, &f);
        if (r < 0) {
                fprintf(stderr, "certconfd: %s: %s\n", path, strerror(-r));
                return EXIT_USAGE;
        }
        if (b->n_certs > 0 || b->n_keys > 0 || b->n_encrypted_keys > 0) {
                (void) inspect_print(stdout, b, now);
                print_findings(stderr, path, &f, false);
                return findings_has_errors(&f) ? EXIT_USAGE : 0;
        }

        /* Nothing to show: the reader, asked for certificates, says what the
         * file is instead. PEM of another kind (a CSR, a CRL) is information;
         * anything else cannot be used. */
        findings_clear(&f);
        b = bundle_free(b);
        r = bundle_load(path, BUNDLE_EXPECT_CERTS, &b, &f);
        if (r < 0) {
                fprintf(stderr, "certconfd: %s: %s\n", path, strerror(-r));
                return EXIT_USAGE;
        }
        if (!findings_has_code(&f, FINDING_FILE_UNREADABLE) &&
            !findings_has_code(&f, FINDING_FILE_TOO_LARGE) && holds_pem_block(path)) {
                printf("%s: no certificates, no private keys\n", path);
                fflush(stdout);
                print_findings(stdout, path, &f, true);
                return 0;
        }
        print_findings(stderr, path, &f, false);
        return EXIT_USAGE;
}

/* Prints what one file holds: PEM as before (the bundle reader, which the
 * agent uses too), DER, PKCS#7 and PKCS#12 through the loader, and PEM with
 * a PKCS#7 block or (given a password) encrypted keys as well. */
static int inspect_one(const char *path, const char *password, time_t now) {
        _cleanup_(loader_set_freep) LoaderSet *s = NULL;
        _cleanup_(findings_clear) Findings f = {};
        LoaderOptions lo = { .password = password };
        const LoaderFile *lf;
        int r;

        s = loader_set_new();
        if (!s)
                return EXIT_USAGE;
        r = loader_load(s, path, &lo, &f);
        if (r < 0) {
                fprintf(stderr, "certconfd: %s: %s\n", path, strerror(-r));
                return EXIT_USAGE;
        }
        lf = &s->files[0];
        /* Nothing the loader recognised: its diagnosis ("truncated or damaged",
         * "not a DER certificate, key, PKCS#7 or PKCS#12"), not the PEM
         * reader's "not PEM", which would be wrong for a damaged .p12. */
        if (lf->format == LOADER_FORMAT_EMPTY || lf->format == LOADER_FORMAT_UNKNOWN) {
                print_findings(stderr, path, &f, false);
                return EXIT_USAGE;
        }
        if (lf->format == LOADER_FORMAT_UNREADABLE ||
            (lf->format == LOADER_FORMAT_PEM && !(lf->pem & LOADER_PEM_PKCS7) &&
             !(password && (lf->pem & LOADER_PEM_ENCRYPTED_KEY))))
                return inspect_pem(path, now);

        if (lf->n_certs > 0 || lf->n_keys > 0)
                (void) inspect_print_loaded(stdout, s, 0, now);
        fflush(stdout);
        print_findings(stderr, path, &f, false);
        return findings_has_errors(&f) || (lf->n_certs == 0 && lf->n_keys == 0) ? EXIT_USAGE : 0;
}

static int cmd_inspect(int argc, char **argv) {
        static const struct option options[] = {
                { "now", required_argument, NULL, 'n' },
                { "password-file", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(loader_password_erasep) char *password = NULL;
        time_t now = time(NULL);
        int c, r, ret = 0;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'n':
                        if (parse_now(optarg, &now) != 0)
                                return EXIT_USAGE;
                        break;
                case 'p':
                        loader_password_erasep(&password);
                        r = loader_read_password_file(optarg, &password);
                        if (r < 0) {
                                const char *why = loader_password_file_error(r);
                                fprintf(stderr, "certconfd: --password-file %s: %s\n", optarg,
                                        why ? why : strerror(-r));
                                return EXIT_USAGE;
                        }
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc)
                return usage_error("%s", "inspect needs at least one FILE");

        for (int i = optind; i < argc; i++) {
                if (i > optind)
                        fputc('\n', stdout);
                if (inspect_one(argv[i], password, now) != 0)
                        ret = EXIT_USAGE;
        }
        return ret;
}

static int cmd_agent(int argc, char **argv, bool apply) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "user", no_argument, NULL, 'u' },
                { "log-target", required_argument, NULL, 'l' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        AgentOptions o = { .config_path = AGENTCONF_DEFAULT_PATH, .oneshot = apply };
        LogTarget target = LOG_TARGET_AUTO;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) >= 0)
                switch (c) {
                case 'c':
                        o.config_path = optarg;
                        break;
                case 'u':
                        o.user_bus = true;
                        break;
                case 'l':
                        if (streq(optarg, "auto"))
                                target = LOG_TARGET_AUTO;
                        else if (streq(optarg, "journal"))
                                target = LOG_TARGET_JOURNAL;
                        else if (streq(optarg, "stderr"))
                                target = LOG_TARGET_STDERR;
                        else
                                return usage_error("--log-target: '%s' is not auto, journal or stderr", optarg);
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return usage_error("%s: bad option", argv[0]);
                }
        argc -= optind;
        argv += optind;
        if (apply && argc > 1)
                return usage_error("apply takes one STORE_DIR");
        if (!apply && argc > 0)
                return usage_error("agent takes no arguments");
        if (apply && argc == 1)
                o.store_dir = argv[0];
        log_setup(target);
        return agent_run(&o);
}

static int cmd_status(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "json", no_argument, NULL, 'j' },
                {},
        };
        const char *config = AGENTCONF_DEFAULT_PATH;
        bool json = false;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) >= 0)
                switch (c) {
                case 'c':
                        config = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return usage_error("status: bad option");
                }
        if (optind < argc)
                return usage_error("status takes no arguments");
        return status_print(config, json, stdout);
}

int main(int argc, char **argv) {
        if (argc < 2) {
                help(stderr);
                return EXIT_USAGE;
        }
        if (streq(argv[1], "--version") || streq(argv[1], "version")) {
                printf("certconfd %s\n", CERTCONF_VERSION);
                return 0;
        }
        if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                help(stdout);
                return 0;
        }
        if (streq(argv[1], "agent") || streq(argv[1], "apply"))
                return cmd_agent(argc - 1, argv + 1, streq(argv[1], "apply"));
        if (streq(argv[1], "status"))
                return cmd_status(argc - 1, argv + 1);
        if (streq(argv[1], "check"))
                return cmd_check(argc - 1, argv + 1);
        if (streq(argv[1], "import"))
                return cmd_import(argc - 1, argv + 1);
        if (streq(argv[1], "inspect"))
                return cmd_inspect(argc - 1, argv + 1);
        if (streq(argv[1], "ca"))
                return cmd_ca(argc - 1, argv + 1);
        if (streq(argv[1], "csr"))
                return cmd_csr(argc - 1, argv + 1);
        return usage_error("unknown command '%s'", argv[1]);
}
