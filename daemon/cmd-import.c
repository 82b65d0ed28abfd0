/* certconfd import: see cmd-import.h. This file parses the command line,
 * renders the files in memory, runs the checks on exactly those bytes and
 * writes them as one transaction (common/install.h, with a journal of its
 * own: STATE_DIR/import.journal, or STORE_DIR/.certconf-import.journal when
 * the state directory is not writable; a journal an interrupted import left
 * is rolled back at the next one). Reading the inputs and assembling the
 * chain is common/loader.c's business. */

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "agentconf.h"
#include "bundle.h"
#include "check.h"
#include "cmd-import.h"
#include "deploy.h"
#include "fileio.h"
#include "inspect.h"
#include "install.h"
#include "loader.h"
#include "report.h"
#include "strv.h"
#include "timeutil.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE   2

#define CHAIN_MODE                                                                                 \
        0644 /* certificates are public; the store directory (root's, 0700) guards them */
#define KEY_MODE 0600

#define IMPORT_JOURNAL_NAME       "import.journal"           /* in the state directory */
#define IMPORT_STORE_JOURNAL_NAME ".certconf-import.journal" /* else in the store */

static int import_usage(const char *fmt, ...) _printf_(1, 2);

static int import_usage(const char *fmt, ...) {
        va_list ap;

        fputs("certconfd import: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'certconfd import --help'.\n", stderr);
        return EXIT_USAGE;
}

static void import_help(FILE *out) {
        fputs("Usage:\n"
              "  certconfd import --service NAME [--out STORE_DIR] [--password-file F]\n"
              "                   [--config FILE] [--state-dir DIR] [--trust FILE]...\n"
              "                   [--system-trust] [--now TIME] [--force] FILE...\n"
              "\n"
              "Reads what the CA sent, in any mix and order: PEM (text around blocks, CR LF,\n"
              "markers sharing a line, \"X509 CERTIFICATE\"), DER certificates and keys, PKCS#7\n"
              "(.p7b, .p7c; DER or PEM), PKCS#12 (.pfx, .p12; modern or legacy encryption;\n"
              "without --password-file no password and the empty one are tried), keys\n"
              "(PKCS#1, SEC1, PKCS#8; encrypted ones with --password-file). Orders the chain\n"
              "server certificate first, completes a missing root from the trust anchors,\n"
              "finds the key (among the inputs, else in STATE_DIR/csr/: NAME.key first, then\n"
              "every other *.key), runs the checks of `certconfd check --service NAME` (with\n"
              "STORE_DIR/deployment.yaml when there) and only then writes\n"
              "STORE_DIR/NAME-cert.key (0600, unencrypted) and STORE_DIR/NAME-cert.crt (0644:\n"
              "the server certificate, its issuers, the root) together: both or neither\n"
              "(journal STATE_DIR/import.journal; an interrupted import is undone by the next).\n"
              "  --service NAME       the service: rem, xcap, bsf or another configured one\n"
              "  --out STORE_DIR      the store (default: the configuration's store_dir)\n"
              "  --password-file F    the password of the PKCS#12 or encrypted key: F's first\n"
              "                       line (a file, a pipe such as <(pass show x), /dev/stdin)\n"
              "  --config FILE        agent configuration for store_dir, state_dir, trust,\n"
              "                       system_trust, policy, min_valid_days (default\n"
              "                       " AGENTCONF_DEFAULT_PATH "; built-in defaults without it)\n"
              "  --state-dir DIR      the agent's state directory (keys of requests in DIR/csr/,\n"
              "                       the journal DIR/import.journal)\n"
              "  --trust FILE         trust anchors to complete the chain from (repeatable)\n"
              "  --system-trust       also the system's CA bundle\n"
              "  --now TIME           judge validity at TIME (RFC 3339) instead of the clock\n"
              "  --force              replace existing NAME-cert.crt and NAME-cert.key\n"
              "exit status: 0 written, 1 refused (the input is wrong; nothing written),\n"
              "2 bad usage, an unreadable/unwritable file, or existing files without --force\n",
              out);
}

/* The agent's service names: lower-case letters, digits and hyphens, at most 64. */
static bool service_name_ok(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 64 || s[0] == '-')
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
                        return false;
        return true;
}

typedef struct Anchors {
        LoaderAnchors *files;
        size_t n;
        STACK_OF(X509) * all;
} Anchors;

static void anchors_done(Anchors *a) {
        for (size_t i = 0; i < a->n; i++)
                sk_X509_pop_free(a->files[i].certs, X509_free);
        free(a->files);
        sk_X509_pop_free(a->all, X509_free);
        *a = (Anchors){};
}

static int load_anchors(Anchors *a, char **paths) {
        for (char **p = paths; p && *p; p++) {
                _cleanup_(findings_clear) Findings f = {};
                _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *certs = NULL;
                LoaderAnchors *n;
                int r;

                r = check_load_anchors(*p, &certs, &f);
                if (r < 0 || findings_has_errors(&f)) {
                        if (f.n > 0)
                                fprintf(stderr, "certconfd: --trust %s: %s\n  fix: %s\n", *p,
                                        f.items[0].message, f.items[0].hint);
                        else
                                fprintf(stderr, "certconfd: --trust %s: %s\n", *p, strerror(-r));
                        return -EINVAL;
                }
                if (!a->all && !(a->all = sk_X509_new_null()))
                        return -ENOMEM;
                for (int i = 0; i < sk_X509_num(certs); i++) {
                        X509 *x = sk_X509_value(certs, i);
                        if (X509_up_ref(x) != 1 || sk_X509_push(a->all, x) <= 0)
                                return -ENOMEM;
                }
                n = reallocarray(a->files, a->n + 1, sizeof(LoaderAnchors));
                if (!n)
                        return -ENOMEM;
                a->files = n;
                a->files[a->n++] = (LoaderAnchors){.path = *p, .certs = TAKE_PTR(certs)};
        }
        return 0;
}

/* The PEM text of the chain (public) or of the key (in secure memory, wiped
 * when the BIO is freed). */
static int render(const STACK_OF(X509) * chain, EVP_PKEY *key, BIO **ret_crt, BIO **ret_key) {
        _cleanup_(BIO_free_allp) BIO *crt = NULL, *k = NULL;

        crt = BIO_new(BIO_s_mem());
        k = BIO_new(BIO_s_secmem());
        if (!crt || !k)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(chain); i++)
                if (PEM_write_bio_X509(crt, sk_X509_value(chain, i)) != 1)
                        return -EIO;
        if (PEM_write_bio_PrivateKey(k, key, NULL, NULL, 0, NULL, NULL) != 1)
                return -EIO;
        *ret_crt = TAKE_PTR(crt);
        *ret_key = TAKE_PTR(k);
        return 0;
}

static void print_chain(const LoaderSet *set, const LoaderResult *res) {
        printf("chain (server certificate first):\n");
        for (int i = 0; i < sk_X509_num(res->chain); i++) {
                X509 *x = sk_X509_value(res->chain, i);
                _cleanup_(freep) char *subject = x509_subject_string(x),
                                      *issuer = x509_issuer_string(x);

                printf("  %d subject: ", i);
                findings_fputs_printable(stdout, strna(subject));
                printf("\n    issuer:  ");
                findings_fputs_printable(stdout, strna(issuer));
                printf("\n    from:    ");
                if (res->origin[i] >= 0) {
                        const LoaderCert *c = &set->certs[res->origin[i]];
                        findings_fputs_printable(stdout, set->files[c->file].path);
                        if (c->bag >= 0)
                                printf(", PKCS#12 bag %d", c->bag);
                        else if (set->files[c->file].format != LOADER_FORMAT_DER_CERT)
                                printf(", certificate %d", c->index);
                } else {
                        fputs("the trust anchors in ", stdout);
                        findings_fputs_printable(stdout, strna(res->anchor_files[i]));
                }
                fputc('\n', stdout);
        }
}

static void print_key(const LoaderSet *set, const LoaderResult *res) {
        char desc[96];

        if (!res->key)
                return;
        inspect_key_description(res->key, desc, sizeof desc);
        printf("key: %s, from ", desc);
        if (res->key_index >= 0) {
                const LoaderKey *k = &set->keys[res->key_index];
                findings_fputs_printable(stdout, set->files[k->file].path);
                if (k->bag >= 0)
                        printf(", PKCS#12 bag %d", k->bag);
                else if (set->files[k->file].format == LOADER_FORMAT_PEM)
                        printf(", private key %d", k->index);
                if (k->encrypted)
                        fputs(" (decrypted)", stdout);
        } else
                findings_fputs_printable(stdout, strna(res->key_path));
        fputc('\n', stdout);
}

/* The findings, as `certconfd check --service NAME` prints them. */
static int print_findings(const char *service, Findings *f) {
        _cleanup_(store_report_freep) StoreReport *rep = NULL;
        int r;

        rep = calloc(1, sizeof *rep);
        if (!rep)
                return -ENOMEM;
        rep->services = calloc(1, sizeof(ServiceReport));
        if (!rep->services || !(rep->services[0].service = strdup(service)))
                return -ENOMEM;
        rep->n_services = 1;
        rep->services[0].uploaded = true;
        rep->services[0].leaf = -1;
        r = findings_move(&rep->services[0].findings, f);
        if (r < 0)
                return r;
        r = report_print_human(stdout, rep);
        /* Back to the caller, who decides on them. */
        (void) findings_move(f, &rep->services[0].findings);
        return r;
}

static bool exists(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0;
}

/* --config, or the default file when it exists. 0, or EXIT_USAGE (printed). */
static int load_config(const char *path, AgentConfig **ret) {
        _cleanup_(findings_clear) Findings f = {};
        const char *p = path ? path : AGENTCONF_DEFAULT_PATH;
        int r;

        *ret = NULL;
        if (!path && access(p, F_OK) < 0 && errno == ENOENT)
                return 0;
        r = agentconf_load(p, NULL, ret, &f);
        if (r < 0) {
                for (size_t i = 0; i < f.n; i++)
                        fprintf(stderr, "%s:%d:%d: %s\n", strna(f.items[i].file), f.items[i].line,
                                f.items[i].column, f.items[i].message);
                if (f.n == 0)
                        fprintf(stderr, "certconfd: %s: %s\n", p, strerror(-r));
                return EXIT_USAGE;
        }
        return 0;
}

/* Where this import's journal goes: the state directory when it is a
 * directory this process can write, else the store itself (a hidden name,
 * which the agent and check ignore). */
static bool state_dir_usable(const char *state_dir) {
        struct stat st;

        return stat(state_dir, &st) == 0 && S_ISDIR(st.st_mode) &&
               access(state_dir, W_OK | X_OK) == 0;
}

/* One import at a time per journal directory (two would take each other's
 * journal for an interrupted one): a flock on the directory, held until
 * exit. The agent's own lock is a file in the state directory, not the
 * directory, so an import runs beside the agent. A directory this process
 * cannot open holds no journal of its own: skipped. 0, or EXIT_USAGE
 * (printed) when another import holds it. */
static int lock_dir(const char *dir, const struct stat *skip, int *ret_fd, struct stat *ret_st) {
        _cleanup_(closep) int fd = -1;
        struct stat st;

        *ret_fd = -1;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return 0;
        if (skip && skip->st_dev == st.st_dev && skip->st_ino == st.st_ino)
                return 0; /* locked already */
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK) {
                        fprintf(stderr,
                                "certconfd: nothing written: another import is writing through %s; "
                                "run this one when it is done\n",
                                dir);
                        return EXIT_USAGE;
                }
                return 0;
        }
        if (ret_st)
                *ret_st = st;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* An import interrupted between its journal and its end (a SIGKILL, a
 * power cut) is rolled back: the previous pair comes back, owner and mode
 * included. 0, or EXIT_USAGE (printed) when a journal cannot be recovered. */
static int recover(const char *path) {
        _cleanup_(freep) char *err = NULL;
        int r;

        r = install_recover(path, &err);
        if (r == -EACCES || r == -EPERM || r == -ENOTDIR)
                return 0; /* not a journal this user could have written */
        if (r < 0) {
                fprintf(stderr,
                        "certconfd: nothing written: an interrupted import cannot be rolled back: "
                        "%s\n",
                        err ? err : strerror(-r));
                return EXIT_USAGE;
        }
        if (r > 0)
                fprintf(stderr,
                        "certconfd: an earlier import was interrupted; the files it was writing "
                        "were put back as they were before it (%s)\n",
                        path);
        return 0;
}

/* Replaces the key and the chain as one: both temps are written first, then
 * both renamed in, the previous files kept as hard links (owner, mode and
 * content) until the end; any failure puts both back. Returns 0 or
 * EXIT_USAGE (printed). */
static int write_pair(const char *journal, const char *crt_abs, const char *key_abs, BIO *crt,
                      BIO *key) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *err = NULL, *err2 = NULL;
        char *crt_data = NULL, *key_data = NULL;
        long crt_len = BIO_get_mem_data(crt, &crt_data), key_len = BIO_get_mem_data(key, &key_data);
        int r;

        if (crt_len <= 0 || key_len <= 0)
                return EXIT_USAGE;
        InstallFile files[] = {
                {.path = key_abs,
                 .data = key_data,
                 .len = (size_t) key_len,
                 .uid = (uid_t) -1,
                 .gid = (gid_t) -1,
                 .mode = KEY_MODE},
                {.path = crt_abs,
                 .data = crt_data,
                 .len = (size_t) crt_len,
                 .uid = (uid_t) -1,
                 .gid = (gid_t) -1,
                 .mode = CHAIN_MODE},
        };

        r = install_begin(journal, files, ELEMENTSOF(files), &t, &err);
        if (r == -EBUSY) {
                fprintf(stderr,
                        "certconfd: nothing written: %s exists: another import is running, or one "
                        "was interrupted; run this one again\n",
                        journal);
                return EXIT_USAGE;
        }
        if (r < 0) {
                fprintf(stderr, "certconfd: nothing written: %s\n", err ? err : strerror(-r));
                return EXIT_USAGE;
        }
        r = install_commit(t, &err);
        if (r < 0) {
                fprintf(stderr, "certconfd: nothing written (the previous files are back): %s\n",
                        err ? err : strerror(-r));
                return EXIT_USAGE;
        }
        r = install_finish(t, &err);
        if (r < 0) {
                if (install_rollback(t, &err2) < 0)
                        fprintf(stderr,
                                "certconfd: %s; rolling back failed too: %s (the next import "
                                "rolls back from %s)\n",
                                err ? err : strerror(-r), strna(err2), journal);
                else
                        fprintf(stderr,
                                "certconfd: nothing written (the previous files are back): %s\n",
                                err ? err : strerror(-r));
                return EXIT_USAGE;
        }
        return 0;
}

/* The check ran on the bytes import would write, so its findings name
 * STORE_DIR/NAME-cert.crt, which may still hold the previous chain: one
 * about a certificate names the input it came from (and its position
 * there), the others say which file import would write. */
static int attribute_findings(Findings *f, const LoaderSet *set, const LoaderResult *res,
                              const char *crt_path, const char *key_path) {
        for (size_t i = 0; i < f->n; i++) {
                Finding *x = &f->items[i];
                _cleanup_(freep) char *msg = NULL, *file = NULL;
                int cert = x->cert, k;

                if (!x->file)
                        continue;
                if (streq(x->file, crt_path) && x->cert >= 0 && x->cert < sk_X509_num(res->chain)) {
                        int o = res->origin[x->cert];

                        if (o >= 0) {
                                const LoaderCert *c = &set->certs[o];
                                file = strdup(set->files[c->file].path);
                                cert = c->index;
                                k = c->bag >= 0 ? asprintf(&msg,
                                                           "%s (PKCS#12 bag %d; certificate %d "
                                                           "of the chain import would write to %s)",
                                                           x->message, c->bag, x->cert, crt_path)
                                                : asprintf(&msg,
                                                           "%s (certificate %d of the chain import "
                                                           "would write to %s)",
                                                           x->message, x->cert, crt_path);
                        } else {
                                file = strdup(strna(res->anchor_files[x->cert]));
                                cert = -1;
                                k = asprintf(&msg,
                                             "%s (certificate %d of the chain import would write "
                                             "to %s, taken from the trust anchors)",
                                             x->message, x->cert, crt_path);
                        }
                } else if (streq(x->file, crt_path)) {
                        file = strdup(x->file);
                        k = asprintf(&msg, "%s (in the chain import would write to %s)", x->message,
                                     crt_path);
                } else if (streq(x->file, key_path)) {
                        file = strdup(res->key_index >= 0
                                              ? set->files[set->keys[res->key_index].file].path
                                              : strna(res->key_path));
                        k = asprintf(&msg, "%s (the key import would write to %s)", x->message,
                                     key_path);
                } else
                        continue;
                if (k < 0) {
                        msg = NULL;
                        return -ENOMEM;
                }
                if (!file)
                        return -ENOMEM;
                free(x->message);
                x->message = findings_printable(msg, strlen(msg));
                if (!x->message)
                        return -ENOMEM;
                free(x->file);
                x->file = TAKE_PTR(file);
                x->cert = cert;
        }
        return 0;
}

int cmd_import(int argc, char **argv) {
        enum {
                ARG_SERVICE = 0x100,
                ARG_OUT,
                ARG_PASSWORD_FILE,
                ARG_CONFIG,
                ARG_STATE_DIR,
                ARG_TRUST,
                ARG_SYSTEM_TRUST,
                ARG_NOW,
                ARG_FORCE
        };
        static const struct option options[] = {
                {"service", required_argument, NULL, ARG_SERVICE},
                {"out", required_argument, NULL, ARG_OUT},
                {"password-file", required_argument, NULL, ARG_PASSWORD_FILE},
                {"config", required_argument, NULL, ARG_CONFIG},
                {"state-dir", required_argument, NULL, ARG_STATE_DIR},
                {"trust", required_argument, NULL, ARG_TRUST},
                {"system-trust", no_argument, NULL, ARG_SYSTEM_TRUST},
                {"now", required_argument, NULL, ARG_NOW},
                {"force", no_argument, NULL, ARG_FORCE},
                {"help", no_argument, NULL, 'h'},
                {}};
        _cleanup_(agentconf_freep) AgentConfig *config = NULL;
        _cleanup_(loader_set_freep) LoaderSet *set = NULL;
        _cleanup_(loader_result_freep) LoaderResult *res = NULL;
        _cleanup_(deploy_freep) Deployment *deploy = NULL;
        _cleanup_(bundle_freep) Bundle *cb = NULL, *kb = NULL;
        _cleanup_(BIO_free_allp) BIO *crt = NULL, *key = NULL;
        _cleanup_(strv_freep) char **trust_files = NULL;
        _cleanup_(loader_password_erasep) char *password = NULL;
        _cleanup_(freep) char *crt_path = NULL, *key_path = NULL, *deploy_path = NULL,
                              *key_dir = NULL, *key_name = NULL, *store_abs = NULL, *crt_abs = NULL,
                              *key_abs = NULL, *state_journal = NULL, *store_journal = NULL;
        _cleanup_(findings_clear) Findings f = {}, cf = {};
        _cleanup_(closep) int lock_state = -1, lock_store = -1;
        struct stat lock_st = {};
        _cleanup_(anchors_done) Anchors anchors = {};
        const char *service = NULL, *out = NULL, *password_file = NULL, *config_path = NULL,
                   *state_dir = NULL, *journal = NULL;
        bool system_trust = false, force = false;
        time_t now = time(NULL);
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case ARG_SERVICE:
                        service = optarg;
                        break;
                case ARG_OUT:
                        out = optarg;
                        break;
                case ARG_PASSWORD_FILE:
                        password_file = optarg;
                        break;
                case ARG_CONFIG:
                        config_path = optarg;
                        break;
                case ARG_STATE_DIR:
                        state_dir = optarg;
                        break;
                case ARG_TRUST:
                        if (strv_extend(&trust_files, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_SYSTEM_TRUST:
                        system_trust = true;
                        break;
                case ARG_NOW:
                        if (time_parse_rfc3339(optarg, &now) < 0)
                                return import_usage("--now: '%s' is not an RFC 3339 time (e.g. "
                                                    "2026-11-23T12:00:00Z)",
                                                    optarg);
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                case 'h':
                        import_help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
        }
        if (!service)
                return import_usage(
                        "%s", "--service NAME is required (rem, xcap, bsf or another service)");
        if (!service_name_ok(service))
                return import_usage("--service: '%s' is not a service name (lower-case letters, "
                                    "digits and hyphens, at most 64)",
                                    service);
        if (optind >= argc)
                return import_usage(
                        "%s",
                        "give the files the CA sent (certificates, chain, key, .p7b or .pfx)");

        if (password_file) {
                r = loader_read_password_file(password_file, &password);
                if (r < 0) {
                        const char *why = loader_password_file_error(r);
                        fprintf(stderr, "certconfd: --password-file %s: %s\n", password_file,
                                why ? why : strerror(-r));
                        return EXIT_USAGE;
                }
        }
        r = load_config(config_path, &config);
        if (r != 0)
                return r;
        if (!out)
                out = config ? config->store_dir : AGENTCONF_DEFAULT_STORE_DIR;
        if (!state_dir)
                state_dir = config ? config->state_dir : AGENTCONF_DEFAULT_STATE_DIR;
        for (char **t = config ? config->trust : NULL; t && *t; t++)
                if (strv_extend(&trust_files, *t) < 0)
                        return EXIT_USAGE;
        if (system_trust || (config && config->system_trust))
                if (strv_extend(&trust_files, check_system_trust_file()) < 0)
                        return EXIT_USAGE;
        r = load_anchors(&anchors, trust_files);
        if (r < 0)
                return EXIT_USAGE;

        /* An import interrupted earlier is undone before this one looks at the store. */
        {
                struct stat st;
                char buf[PATH_MAX];

                if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
                        if (!realpath(out, buf)) {
                                fprintf(stderr, "certconfd: %s: %s\n", out, strerror(errno));
                                return EXIT_USAGE;
                        }
                        store_abs = strdup(buf);
                        if (!store_abs ||
                            asprintf(&store_journal, "%s/%s", store_abs,
                                     IMPORT_STORE_JOURNAL_NAME) < 0 ||
                            asprintf(&state_journal, "%s/%s", state_dir, IMPORT_JOURNAL_NAME) < 0 ||
                            asprintf(&crt_abs, "%s/%s-cert.crt", store_abs, service) < 0 ||
                            asprintf(&key_abs, "%s/%s-cert.key", store_abs, service) < 0)
                                return EXIT_USAGE;
                        journal = state_dir_usable(state_dir) ? state_journal : store_journal;
                        r = lock_dir(state_dir, NULL, &lock_state, &lock_st);
                        if (r == 0)
                                r = lock_dir(store_abs, lock_state >= 0 ? &lock_st : NULL,
                                             &lock_store, NULL);
                        if (r != 0)
                                return r;
                        /* Both places: the state directory may have become usable since. */
                        r = recover(state_journal);
                        if (r == 0)
                                r = recover(store_journal);
                        if (r != 0)
                                return r;
                }
        }

        /* What each file holds. */
        set = loader_set_new();
        if (!set)
                return EXIT_USAGE;
        LoaderOptions lo = {.password = password};
        for (int i = optind; i < argc; i++) {
                r = loader_load(set, argv[i], &lo, &f);
                if (r < 0) {
                        fprintf(stderr, "certconfd: %s: %s\n", argv[i], strerror(-r));
                        return EXIT_USAGE;
                }
        }
        for (size_t i = 0; i < set->n_files; i++) {
                _cleanup_(freep) char *d = loader_describe_file(set, i);
                findings_fputs_printable(stdout, set->files[i].path);
                printf(": %s\n", strna(d));
        }

        if (asprintf(&key_dir, "%s/csr", state_dir) < 0 ||
            asprintf(&key_name, "%s.key", service) < 0 ||
            asprintf(&crt_path, "%s/%s-cert.crt", out, service) < 0 ||
            asprintf(&key_path, "%s/%s-cert.key", out, service) < 0 ||
            asprintf(&deploy_path, "%s/%s", out, DEPLOY_FILE_NAME) < 0)
                return EXIT_USAGE;

        if (!findings_has_errors(&f)) {
                LoaderAssembleOptions ao = {
                        .anchors = anchors.files,
                        .n_anchors = anchors.n,
                        .key_dir = key_dir,
                        .key_name = key_name,
                        .now = now,
                };
                r = loader_assemble(set, &ao, &res, &f);
                if (r < 0 && r != -EINVAL) {
                        fprintf(stderr, "certconfd: import failed: %s\n", strerror(-r));
                        return EXIT_USAGE;
                }
        }
        if (res) {
                print_chain(set, res);
                print_key(set, res);
                for (char **n = res->notes; n && *n; n++) {
                        fputs("note: ", stdout);
                        findings_fputs_printable(stdout, *n);
                        fputc('\n', stdout);
                }
        }

        /* The same checks as `certconfd check --service NAME`, on the bytes to be written. */
        if (res && res->key && !findings_has_errors(&f)) {
                CheckOptions o = {
                        .now = now,
                        .min_valid_days =
                                config ? config->min_valid_days : CHECK_DEFAULT_MIN_VALID_DAYS,
                        .profile = config ? config->policy : PROFILE_DEFAULT,
                        .trust = anchors.all,
                };
                char *data = NULL;
                long len;

                r = deploy_load_at(AT_FDCWD, deploy_path, deploy_path, &deploy, &f);
                if (r < 0 && r != -ENOENT && r != -EINVAL) {
                        fprintf(stderr, "certconfd: %s: %s\n", deploy_path, strerror(-r));
                        return EXIT_USAGE;
                }
                if (r == -ENOENT)
                        printf("note: no %s: host names, addresses and MCC/MNC are not checked\n",
                               deploy_path);
                o.deploy = deploy;

                r = render(res->chain, res->key, &crt, &key);
                if (r < 0) {
                        fprintf(stderr, "certconfd: cannot render the files: %s\n", strerror(-r));
                        return EXIT_USAGE;
                }
                len = BIO_get_mem_data(crt, &data);
                r = bundle_parse(crt_path, data, len > 0 ? (size_t) len : 0, BUNDLE_EXPECT_CERTS,
                                 &cb, &cf);
                if (r >= 0) {
                        len = BIO_get_mem_data(key, &data);
                        r = bundle_parse(key_path, data, len > 0 ? (size_t) len : 0,
                                         BUNDLE_EXPECT_KEY, &kb, &cf);
                }
                if (r >= 0)
                        r = check_bundles(service, cb, kb, &o, &cf);
                if (r >= 0)
                        r = attribute_findings(&cf, set, res, crt_path, key_path);
                if (r >= 0)
                        r = findings_move(&f, &cf);
                if (r < 0) {
                        fprintf(stderr, "certconfd: check failed: %s\n", strerror(-r));
                        return EXIT_USAGE;
                }
        }

        r = print_findings(service, &f);
        if (r < 0 || fflush(stdout) != 0)
                return EXIT_USAGE;
        if (findings_has_code(&f, FINDING_FILE_UNREADABLE)) {
                fprintf(stderr, "certconfd: nothing written: an input cannot be read\n");
                return EXIT_USAGE;
        }
        if (findings_has_errors(&f) || !res || !res->key) {
                fprintf(stderr, "certconfd: nothing written to %s: fix the errors above\n", out);
                return EXIT_REFUSED;
        }

        if (!force && (exists(crt_path) || exists(key_path))) {
                fprintf(stderr,
                        "certconfd: nothing written: %s exists; give --force to replace %s and "
                        "%s\n",
                        exists(crt_path) ? crt_path : key_path, crt_path, key_path);
                return EXIT_USAGE; /* as for every command of the toolkit */
        }
        if (!store_abs) {
                fprintf(stderr, "certconfd: nothing written: the store %s is not a directory\n",
                        out);
                return EXIT_USAGE;
        }
        r = write_pair(journal, crt_abs, key_abs, crt, key);
        if (r != 0)
                return r;
        printf("wrote %s (%04o) and %s (%04o, %d certificate%s)\n", key_path, KEY_MODE, crt_path,
               CHAIN_MODE, sk_X509_num(res->chain), sk_X509_num(res->chain) == 1 ? "" : "s");
        return 0;
}
