/* cmd-ca: the command lines of the private CA and of CSRs. Every decision is
 * in common/ca.c and common/csr.c; this file reads the operator's files,
 * refuses to overwrite anything without --force, writes with
 * write_file_atomic() and prints what happened, each error naming the file
 * and what to do. */

#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "agentconf.h"
#include "bundle.h"
#include "ca.h"
#include "cmd-ca.h"
#include "cmd-import.h"
#include "csr.h"
#include "deploy.h"
#include "fileio.h"
#include "findings.h"
#include "install.h"
#include "names.h"
#include "policy.h"
#include "strv.h"
#include "timeutil.h"
#include "x509build.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE   2

#define MODE_PUBLIC  0644
#define MODE_PRIVATE 0600

static void ca_help(FILE *out) {
        fputs("Usage:\n"
              "  certconfd ca init DIR --subject SUBJECT [--days N] [--key rsa:3072|ec:p256] "
              "[--force]\n"
              "  certconfd ca sign DIR CSR_FILE [--days N] [--name HOST|IP]... [--wildcard "
              "DOMAIN]\n"
              "                    [--client] [--out FILE] [--force]\n"
              "  certconfd ca renew DIR CERT_FILE [--days N] [--out FILE] [--force]\n"
              "  certconfd ca export DIR [--out FILE] [--der] [--force]\n"
              "  certconfd ca issue DIR --service NAME [--wildcard DOMAIN] [--name HOST|IP]...\n"
              "                    [--client] [--days N] [--key new|existing] [--key-type T]\n"
              "                    [--store STORE_DIR]"
              " [--config FILE] [--state-dir DIR] [--force]\n"
              "\n"
              "A private CA kept in DIR: ca.crt and its key ca.key (0600, DIR 0700; the key\n"
              "never leaves DIR).\n"
              "init: a root CA. SUBJECT is \"/C=SE/O=Example/CN=Example Root CA\" or\n"
              "  \"CN=Example Root CA,O=Example,C=SE\"; --days 3650 and --key rsa:3072 by "
              "default.\n"
              "sign: a server certificate for the request CSR_FILE, written with the CA\n"
              "  certificate after it (a chain `certconfd import` takes as it is) to --out or\n"
              "  stdout; valid --days 730 by default. Its names: those the request asks for,\n"
              "  each --name, and with --wildcard mx.corp.net the CN and name *.mx.corp.net.\n"
              "  A wildcard covers one label: a --name two labels below it is reported and\n"
              "  issued as a name of its own. --client adds clientAuth (802.1x, mutual TLS).\n"
              "renew: CERT_FILE, a server certificate this CA issued, again: the same key,\n"
              "  subject and names, the extensions of sign (clientAuth kept), a new serial\n"
              "  and validity (--days 730); written as sign writes its chain.\n"
              "export: the CA certificate for phones, browsers and group policy, PEM (or\n"
              "  DER with --der), to --out (default ./ca.pem, ./ca.der with --der).\n"
              "issue: csr, sign and import in one, for an operator without a CA of their\n"
              "  own: a key and a request for NAME from the store's deployment.yaml (the key\n"
              "  stays in <state_dir>/csr/), a certificate from DIR's CA (the sign options),\n"
              "  then NAME-cert.crt/.key in the store, checked as the agent checks them.\n"
              "  Each step is that command, with its messages; a failing step stops it.\n"
              "  Again a year later: --key existing --force (the same key, a new certificate).\n"
              "Nothing existing is overwritten without --force.\n"
              "exit status: 0 done, 1 refused (the input is wrong; nothing was written),\n"
              "2 bad usage or a file that cannot be read or written\n",
              out);
}

static void csr_help(FILE *out) {
        fputs("Usage:\n"
              "  certconfd csr --service NAME [--store STORE_DIR] [--key new|existing]\n"
              "                [--key-type rsa:2048|rsa:3072|ec:p256] [--config FILE]\n"
              "                [--state-dir DIR] [--out FILE] [--force]\n"
              "\n"
              "A certificate signing request for service NAME, with the subject and names of\n"
              "STORE_DIR/deployment.yaml (those the agent's self-signed certificate gets, the\n"
              "3GPP XCAP/BSF names from MCC/MNC included). The key stays in\n"
              "<state_dir>/csr/NAME.key (0600), the request goes to <state_dir>/csr/NAME.csr\n"
              "and to --out (default stdout); `certconfd import` later pairs the signed\n"
              "certificate with the key.\n"
              "  --key new         a new key (the default; refused if NAME.key exists,\n"
              "                    unless --force)\n"
              "  --key existing    the key of <state_dir>/csr/NAME.key, else of\n"
              "                    STORE_DIR/NAME-cert.key (a renewal with the same key)\n"
              "  --key-type T      the new key's type (default: self_signed.key of the\n"
              "                    configuration, rsa:2048)\n"
              "  --config FILE     store_dir and state_dir (default " AGENTCONF_DEFAULT_PATH ";\n"
              "                    without it " AGENTCONF_DEFAULT_STORE_DIR " and\n"
              "                    " AGENTCONF_DEFAULT_STATE_DIR ")\n"
              "exit status: 0 done, 1 refused (the input is wrong; nothing was written),\n"
              "2 bad usage or a file that cannot be read or written\n",
              out);
}

_printf_(1, 2) static int usage(const char *fmt, ...) {
        va_list ap;

        fputs("certconfd: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'certconfd ca --help' or 'certconfd csr --help'.\n", stderr);
        return EXIT_USAGE;
}

_printf_(3, 4) static int fail(int status, const char *hint, const char *fmt, ...) {
        va_list ap;

        fputs("certconfd: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        if (hint)
                fprintf(stderr, "  fix: %s\n", hint);
        return status;
}

/* Every finding: severity, code, message (prefixed with the file when the
 * message does not name it) and the fix. */
static void print_findings(const Findings *f) {
        for (size_t i = 0; i < f->n; i++) {
                const Finding *x = &f->items[i];
                bool named = !x->file || strstr(x->message, x->file);

                fprintf(stderr, "certconfd: %s%s%s %s: %s\n", named ? "" : x->file,
                        named ? "" : ": ", severity_to_string(x->severity),
                        finding_code_to_string(x->code), x->message);
                if (x->hint)
                        fprintf(stderr, "  fix: %s\n", x->hint);
        }
}

/* The exit status for a library failure r that came with findings f. When
 * no error finding explains it (none, or warnings only), the failure itself
 * is printed: what failed (fmt) and why. */
_printf_(3, 4) static int status_of(int r, const Findings *f, const char *fmt, ...) {
        va_list ap;

        print_findings(f);
        if (r == -EINVAL && findings_has_errors(f) &&
            !findings_has_code(f, FINDING_FILE_UNREADABLE))
                return EXIT_REFUSED;
        if (r < 0 && !findings_has_errors(f)) {
                fputs("certconfd: ", stderr);
                va_start(ap, fmt);
                vfprintf(stderr, fmt, ap);
                va_end(ap);
                fprintf(stderr, ": %s\n", strerror(-r));
        }
        return EXIT_USAGE;
}

static int parse_days(const char *s, unsigned *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || end == s || v < 1 || v > CA_MAX_DAYS)
                return usage("--days: '%s' is not a number of days (1..%d)", s, CA_MAX_DAYS);
        *ret = (unsigned) v;
        return 0;
}

static bool exists(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0;
}

static const char *write_hint(int r) {
        switch (r) {
        case -ENOENT:
                return "make the directory first, or give a path in one that exists";
        case -EACCES:
        case -EPERM:
        case -EROFS:
                return "run as a user that may write there (root for the agent's directories)";
        case -ENOSPC:
        case -EDQUOT:
                return "free some space";
        default:
                return NULL;
        }
}

/* Whether a and b name the same directory entry (whether or not it exists):
 * the same name in the same directory, however the paths write it. */
static bool same_entry(const char *a, const char *b) {
        _cleanup_(freep) char *da = NULL, *ba = NULL, *db = NULL, *bb = NULL;
        struct stat sa, sb;

        if (path_split(a, &da, &ba) < 0 || path_split(b, &db, &bb) < 0)
                return false;
        if (!streq(ba, bb) || stat(da, &sa) < 0 || stat(db, &sb) < 0)
                return false;
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Whether the file path (NULL: standard output) can be written, before
 * anything is written: an existing one only with --force (exit 2), never a
 * directory, never one of the files of keep (NULL-terminated: the CA's own,
 * the CSR key store's key); its directory must exist and be writable. */
static int check_out(const char *path, bool force, const char *const *keep) {
        _cleanup_(freep) char *dir = NULL, *base = NULL;
        struct stat st;
        int r;

        if (!path)
                return 0;
        for (const char *const *k = keep; k && *k; k++)
                if (same_entry(path, *k))
                        return fail(EXIT_USAGE, "give another file for --out",
                                    "--out %s is %s: it is never replaced, not even with --force",
                                    path, *k);
        if (lstat(path, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                        return fail(EXIT_USAGE, "give a file name (in that directory, say)",
                                    "--out %s is a directory", path);
                if (!force)
                        return fail(EXIT_USAGE,
                                    "give --force to replace it, or choose another file",
                                    "%s exists: not overwritten", path);
        }
        r = path_split(path, &dir, &base);
        if (r == -ENOMEM)
                return fail(EXIT_USAGE, NULL, "out of memory");
        if (r < 0)
                return fail(EXIT_USAGE, "give a file name", "--out '%s' names no file", path);
        if (stat(dir, &st) < 0)
                return fail(EXIT_USAGE,
                            errno == ENOENT ? "make the directory first, or give a path in one "
                                              "that exists"
                                            : write_hint(-errno),
                            "cannot write %s: its directory %s: %m", path, dir);
        if (!S_ISDIR(st.st_mode))
                return fail(EXIT_USAGE, "give a path in a directory",
                            "cannot write %s: %s is not a directory", path, dir);
        if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0)
                return fail(EXIT_USAGE, write_hint(-errno), "cannot write %s: its directory %s: %m",
                            path, dir);
        return 0;
}

/* Writes data to path (NULL: stdout). */
static int output(const char *path, const void *data, size_t len, mode_t mode) {
        int r;

        if (!path) {
                if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
                        return fail(EXIT_USAGE, NULL, "cannot write to standard output: %m");
                return 0;
        }
        r = write_file_atomic(path, data, len, (uid_t) -1, (gid_t) -1, mode);
        if (r < 0)
                return fail(EXIT_USAGE, write_hint(r), "cannot write %s: %s", path, strerror(-r));
        return 0;
}

/* Makes dir (mode 0700) unless it exists. With own, a directory that holds
 * private keys and is this user's: a symbolic link there is refused (what
 * it points to is not chmod'ed or written into), so is a directory another
 * user owns, and one open to others is closed to them (fchmod through the
 * fd opened with O_NOFOLLOW). Without (the agent's state directory), a link
 * is followed and the directory left as it is. */
static int private_directory(const char *dir, bool own) {
        _cleanup_(closep) int fd = -1;
        struct stat st;

        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return fail(EXIT_USAGE,
                            errno == ENOENT ? "make its parent directory first"
                                            : write_hint(-errno),
                            "cannot make the directory %s: %m", dir);
        if (lstat(dir, &st) < 0)
                return fail(EXIT_USAGE, write_hint(-errno), "cannot use the directory %s: %m", dir);
        if (own && S_ISLNK(st.st_mode)) {
                struct stat target;
                bool dangling = stat(dir, &target) < 0;

                return fail(EXIT_USAGE,
                            "give the directory itself, not a link to it (or remove the link and "
                            "let certconfd make the directory)",
                            "%s is a symbolic link%s: refused, a directory that holds private keys "
                            "is used only as itself",
                            dir, dangling ? " to nothing" : "");
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (own ? O_NOFOLLOW : 0));
        if (fd < 0)
                return fail(EXIT_USAGE,
                            errno == ENOTDIR ? "give a directory"
                            : errno == ENOENT
                                    ? "it is a symbolic link to nothing: make the directory it "
                                      "points to, or give another"
                                    : write_hint(-errno),
                            "cannot use the directory %s: %m", dir);
        if (fstat(fd, &st) < 0)
                return fail(EXIT_USAGE, NULL, "cannot use the directory %s: %m", dir);
        if (!own)
                return 0;
        if (st.st_uid != geteuid())
                return fail(EXIT_USAGE,
                            "give a directory of your own, or make this one yours (chown), or run "
                            "as its owner",
                            "%s belongs to uid %u, not to this user (uid %u): refused, it is to "
                            "hold a private key",
                            dir, (unsigned) st.st_uid, (unsigned) geteuid());
        if ((st.st_mode & 077) != 0) {
                if (fchmod(fd, st.st_mode & 07700) < 0)
                        return fail(EXIT_USAGE, "make it mode 0700 (chmod 700), or use another",
                                    "%s is open to other users (mode %04o) and cannot be closed: "
                                    "%m",
                                    dir, (unsigned) (st.st_mode & 07777));
                fprintf(stderr,
                        "certconfd: note: %s was mode %04o, now %04o: it holds a private "
                        "key\n",
                        dir, (unsigned) (st.st_mode & 07777), (unsigned) (st.st_mode & 07700));
        }
        return 0;
}

static char *path_join(const char *dir, const char *name) {
        char *p = NULL;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return NULL;
        return p;
}

static char *strjoin(const char *a, const char *b) {
        char *p = NULL;

        if (asprintf(&p, "%s%s", a, b) < 0)
                return NULL;
        return p;
}

/* dir/name, name freed. */
static char *path_join_free(const char *dir, char *name) {
        char *p = path_join(dir, name);

        free(name);
        return p;
}

static const char *until(X509 *x, char *buf, size_t size) {
        time_t t;

        if (time_from_asn1(X509_get0_notAfter(x), &t) < 0)
                return "?";
        return time_format_rfc3339(t, buf, size);
}

/* "DNS:a, IP:192.0.2.1" (malloc'd). */
static char *sans_text(X509 *x) {
        _cleanup_(strv_freep) char **dns = NULL, **ip = NULL;
        _cleanup_(freep) char *s = NULL;
        size_t len = 0;
        FILE *m;

        if (names_cert_sans(x, &dns, &ip, NULL) < 0)
                return NULL;
        m = open_memstream(&s, &len);
        if (!m)
                return NULL;
        for (char **i = dns; i && *i; i++)
                fprintf(m, "%sDNS:%s", i == dns ? "" : ", ", *i);
        for (char **i = ip; i && *i; i++)
                fprintf(m, "%sIP:%s", (i == ip && !(dns && *dns)) ? "" : ", ", *i);
        if (fclose(m) != 0)
                return NULL;
        return TAKE_PTR(s);
}

/* A request's subject as one RFC 2253 line (malloc'd), or NULL. */
static char *req_subject(X509_REQ *req) {
        _cleanup_(BIO_free_allp) BIO *b = BIO_new(BIO_s_mem());
        char *data = NULL, *s;
        long k;

        if (!b || X509_NAME_print_ex(b, X509_REQ_get_subject_name(req), 0,
                                     XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
                return NULL;
        k = BIO_get_mem_data(b, &data);
        if (k <= 0 || !data)
                return NULL;
        s = malloc((size_t) k + 1);
        if (!s)
                return NULL;
        memcpy(s, data, (size_t) k); /* not NUL-terminated */
        s[k] = '\0';
        return s;
}

/* ---- the CA's directory -------------------------------------------------------------- */

/* The journal of a `ca init` replacing DIR's pair (common/install.h). */
#define CA_INIT_JOURNAL ".ca-init.certconf-journal"

/* path made absolute against the working directory (not resolved: a link
 * stays a link). */
static char *absolute_path(const char *path) {
        _cleanup_(freep) char *cwd = NULL;

        if (path[0] == '/')
                return strdup(path);
        cwd = getcwd(NULL, 0);
        if (!cwd)
                return NULL;
        return path_join(cwd, path);
}

/* A `ca init` that died while replacing DIR's pair left its journal: the
 * previous pair is put back (or the new one kept, when it had finished). An
 * exit status, 0 when there is nothing (more) to do. */
static int recover_ca(const char *dir) {
        _cleanup_(freep) char *abs = absolute_path(dir), *journal = NULL, *error = NULL;
        int r;

        journal = abs ? path_join(abs, CA_INIT_JOURNAL) : NULL;
        if (!journal)
                return fail(EXIT_USAGE, NULL, "out of memory");
        if (!exists(journal))
                return 0;
        r = install_recover(journal, &error);
        if (r < 0)
                return fail(EXIT_USAGE,
                            "look at the files in the directory: ca.key and ca.crt with their "
                            ".certconf-old and .certconf-new copies",
                            "an interrupted 'ca init' in %s cannot be undone: %s", dir,
                            error ? error : strerror(-r));
        if (r > 0)
                fprintf(stderr,
                        "certconfd: note: an interrupted 'ca init' in %s was undone: its "
                        "previous ca.key and ca.crt are back\n",
                        dir);
        return 0;
}

/* Puts ca.key (0600) and ca.crt (0644) into dir (0700, made) together: both
 * replaced, or neither (a journal in dir, common/install.h). An exit
 * status. */
static int install_ca(const char *dir, const char *key_pem, size_t key_len, const char *pem,
                      size_t pem_len) {
        _cleanup_(install_freep) Install *t = NULL;
        _cleanup_(freep) char *abs = absolute_path(dir), *journal = NULL, *key_abs = NULL,
                              *cert_abs = NULL, *error = NULL;
        int r;

        if (abs) {
                journal = path_join(abs, CA_INIT_JOURNAL);
                key_abs = path_join(abs, CA_KEY_FILE);
                cert_abs = path_join(abs, CA_CERT_FILE);
        }
        if (!journal || !key_abs || !cert_abs)
                return fail(EXIT_USAGE, NULL, "out of memory");
        InstallFile files[] = {
                {.path = key_abs,
                 .data = key_pem,
                 .len = key_len,
                 .uid = (uid_t) -1,
                 .gid = (gid_t) -1,
                 .mode = MODE_PRIVATE},
                {.path = cert_abs,
                 .data = pem,
                 .len = pem_len,
                 .uid = (uid_t) -1,
                 .gid = (gid_t) -1,
                 .mode = MODE_PUBLIC},
        };
        r = install_begin(journal, files, ELEMENTSOF(files), &t, &error);
        if (r >= 0)
                r = install_commit(t, &error);
        if (r >= 0) {
                r = install_finish(t, &error);
                if (r < 0)
                        (void) install_rollback(t, NULL);
        }
        if (r < 0)
                return fail(EXIT_USAGE, write_hint(r),
                            "cannot write the CA into %s (nothing there changed): %s", dir,
                            error ? error : strerror(-r));
        return 0;
}

/* ---- ca init -------------------------------------------------------------------------- */

static int ca_init(int argc, char **argv) {
        enum { ARG_SUBJECT = 0x100, ARG_DAYS, ARG_KEY, ARG_FORCE };
        static const struct option options[] = {
                {"subject", required_argument, NULL, ARG_SUBJECT},
                {"days", required_argument, NULL, ARG_DAYS},
                {"key", required_argument, NULL, ARG_KEY},
                {"force", no_argument, NULL, ARG_FORCE},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        _cleanup_(X509_NAME_freep) X509_NAME *subject = NULL;
        _cleanup_(X509_freep) X509 *cert = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(freep) char *cert_path = NULL, *key_path = NULL, *error = NULL, *pem = NULL,
                              *key_pem = NULL, *subject_text = NULL;
        const char *subject_arg = NULL, *dir;
        CaRootSpec spec = {
                .key = X509BUILD_KEY_RSA3072, .days = CA_DEFAULT_DAYS, .now = time(NULL)};
        size_t pem_len = 0, key_len = 0;
        bool force = false;
        char buf[32];
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_SUBJECT:
                        subject_arg = optarg;
                        break;
                case ARG_DAYS:
                        if (parse_days(optarg, &spec.days) != 0)
                                return EXIT_USAGE;
                        break;
                case ARG_KEY:
                        spec.key = x509build_key_from_string(optarg);
                        if (spec.key != X509BUILD_KEY_RSA3072 && spec.key != X509BUILD_KEY_EC_P256)
                                return usage("--key: '%s' is not rsa:3072 or ec:p256", optarg);
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                case 'h':
                        ca_help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind != 1)
                return usage("ca init takes one DIR");
        dir = argv[optind];
        if (!subject_arg)
                return usage("ca init needs --subject, e.g. --subject '/C=SE/O=Example/CN=Example "
                             "Root CA'");
        r = ca_subject_parse(subject_arg, &subject, &error);
        if (r == -ENOMEM)
                return fail(EXIT_USAGE, NULL, "out of memory");
        if (r < 0)
                return usage("--subject '%s': %s; write it as /C=SE/O=Example/CN=Example Root CA "
                             "or CN=Example Root CA,O=Example,C=SE",
                             subject_arg, error ? error : "not a subject");
        spec.subject = subject;

        cert_path = path_join(dir, CA_CERT_FILE);
        key_path = path_join(dir, CA_KEY_FILE);
        if (!cert_path || !key_path)
                return fail(EXIT_USAGE, NULL, "out of memory");
        if (!force && (exists(cert_path) || exists(key_path)))
                return fail(EXIT_USAGE,
                            "give --force to replace it (every certificate the old CA issued must "
                            "then be issued again), or choose another DIR",
                            "%s already holds a CA (%s): not overwritten", dir,
                            exists(key_path) ? key_path : cert_path);

        r = ca_make_root(&spec, &cert, &key);
        if (r < 0)
                return fail(EXIT_USAGE, NULL, "cannot make the CA for %s: %s", dir, strerror(-r));
        r = x509build_key_pem(key, &key_pem, &key_len);
        if (r >= 0)
                r = x509build_cert_pem(cert, &pem, &pem_len);
        if (r < 0) {
                erase_and_free(TAKE_PTR(key_pem), key_len);
                return fail(EXIT_USAGE, NULL, "cannot encode the CA for %s: %s", dir, strerror(-r));
        }

        r = private_directory(dir, true);
        if (r == 0)
                r = recover_ca(dir);
        if (r == 0)
                r = install_ca(dir, key_pem, key_len, pem, pem_len);
        erase_and_free(TAKE_PTR(key_pem), key_len);
        if (r != 0)
                return r;

        subject_text = x509_subject_string(cert);
        printf("made the CA '%s' (%s), valid until %s:\n"
               "  %s  its certificate\n"
               "  %s  its private key (0600): keep it in %s, back it up\n"
               "next: 'certconfd ca export %s' for the clients' trust stores, then\n"
               "      'certconfd ca sign %s REQUEST.csr ...' for each server\n",
               strna(subject_text), x509build_key_to_string(spec.key), until(cert, buf, sizeof buf),
               cert_path, key_path, dir, dir, dir);
        return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
}

/* ---- ca sign, renew ----------------------------------------------------------------------- */

/* Loads the CA in dir (an interrupted `ca init` undone first); an exit
 * status, 0 when loaded. */
static int load_ca(const char *dir, bool with_key, Ca **ret) {
        _cleanup_(findings_clear) Findings f = {};
        int r;

        r = recover_ca(dir);
        if (r != 0)
                return r;
        r = ca_load(dir, with_key, ret, &f);
        if (r < 0)
                return status_of(r, &f, "cannot use the CA in %s", dir);
        print_findings(&f);
        return 0;
}

/* The checks of check_out() for --out of a `ca` command: DIR's ca.key and
 * ca.crt are never replaced. */
static int check_ca_out(const char *out, bool force, const char *dir) {
        _cleanup_(freep) char *key = path_join(dir, CA_KEY_FILE),
                              *crt = path_join(dir, CA_CERT_FILE);
        const char *keep[] = {key, crt, NULL};

        if (!key || !crt)
                return fail(EXIT_USAGE, NULL, "out of memory");
        return check_out(out, force, keep);
}

static int write_chain(const Ca *ca, X509 *x, const char *out) {
        _cleanup_(freep) char *pem = NULL, *subject = NULL, *sans = NULL;
        size_t len = 0;
        char buf[32];
        int r;

        r = ca_chain_pem(ca, x, &pem, &len);
        if (r < 0)
                return fail(EXIT_USAGE, NULL, "cannot encode the certificate: %s", strerror(-r));
        r = output(out, pem, len, MODE_PUBLIC);
        if (r != 0)
                return r;
        subject = x509_subject_string(x);
        sans = sans_text(x);
        fprintf(stderr,
                "certconfd: issued '%s' (%s), valid until %s, by the CA %s%s%s\n"
                "  next: 'certconfd import --service NAME %s' puts it and its key in the store\n",
                strna(subject), strna(sans), until(x, buf, sizeof buf), ca->cert_path,
                out ? ", to " : "", out ? out : "", out ? out : "CHAIN_FILE");
        return 0;
}

static int ca_sign_cmd(int argc, char **argv) {
        enum { ARG_DAYS = 0x100, ARG_NAME, ARG_WILDCARD, ARG_CLIENT, ARG_OUT, ARG_FORCE };
        static const struct option options[] = {
                {"days", required_argument, NULL, ARG_DAYS},
                {"name", required_argument, NULL, ARG_NAME},
                {"wildcard", required_argument, NULL, ARG_WILDCARD},
                {"client", no_argument, NULL, ARG_CLIENT},
                {"out", required_argument, NULL, ARG_OUT},
                {"force", no_argument, NULL, ARG_FORCE},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(findings_clear) Findings f = {};
        CaSignSpec spec = {.days = CA_SIGN_DEFAULT_DAYS, .now = time(NULL)};
        const char *out = NULL;
        bool force = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_DAYS:
                        if (parse_days(optarg, &spec.days) != 0)
                                return EXIT_USAGE;
                        break;
                case ARG_NAME:
                        if (strv_extend(&names, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_WILDCARD:
                        if (spec.wildcard)
                                return usage("--wildcard: give one domain");
                        spec.wildcard = optarg;
                        break;
                case ARG_CLIENT:
                        spec.client = true;
                        break;
                case ARG_OUT:
                        out = optarg;
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                case 'h':
                        ca_help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind != 2)
                return usage("ca sign takes DIR and CSR_FILE");
        spec.names = names;

        r = check_ca_out(out, force, argv[optind]);
        if (r != 0)
                return r;
        r = load_ca(argv[optind], true, &ca);
        if (r != 0)
                return r;
        r = csr_load(argv[optind + 1], &req, &f);
        if (r < 0)
                return status_of(r, &f, "cannot read the request %s", argv[optind + 1]);
        r = ca_sign(ca, req, argv[optind + 1], &spec, &x, &f);
        if (r < 0)
                return status_of(r, &f, "cannot issue a certificate for %s with the CA in %s",
                                 argv[optind + 1], argv[optind]);
        print_findings(&f);
        return write_chain(ca, x, out);
}

static int ca_renew_cmd(int argc, char **argv) {
        enum { ARG_DAYS = 0x100, ARG_OUT, ARG_FORCE };
        static const struct option options[] = {
                {"days", required_argument, NULL, ARG_DAYS},
                {"out", required_argument, NULL, ARG_OUT},
                {"force", no_argument, NULL, ARG_FORCE},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(freep) char *data = NULL;
        unsigned days = CA_SIGN_DEFAULT_DAYS;
        const char *out = NULL, *cert_path;
        size_t len = 0;
        bool force = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_DAYS:
                        if (parse_days(optarg, &days) != 0)
                                return EXIT_USAGE;
                        break;
                case ARG_OUT:
                        out = optarg;
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                case 'h':
                        ca_help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind != 2)
                return usage("ca renew takes DIR and CERT_FILE");
        cert_path = argv[optind + 1];

        r = check_ca_out(out, force, argv[optind]);
        if (r != 0)
                return r;
        r = load_ca(argv[optind], true, &ca);
        if (r != 0)
                return r;
        r = read_file_path(cert_path, BUNDLE_MAX_BYTES, &data, &len);
        if (r < 0)
                return fail(EXIT_USAGE,
                            r == -ENOENT ? "give the certificate file to renew" : write_hint(r),
                            "cannot read %s: %s", cert_path, strerror(-r));
        r = bundle_parse(cert_path, data, len, BUNDLE_EXPECT_CERTS, &b, &f);
        if (r < 0)
                return fail(EXIT_USAGE, NULL, "cannot read %s: %s", cert_path, strerror(-r));
        if (b->n_certs == 0) {
                print_findings(&f);
                return fail(EXIT_REFUSED, "give the certificate this CA issued (PEM)",
                            "%s holds no certificate to renew", cert_path);
        }
        findings_clear(&f);
        /* The first certificate: the server's, in a chain `ca sign` wrote. */
        r = ca_renew(ca, b->certs[0], cert_path, days, time(NULL), &x, &f);
        if (r < 0)
                return status_of(r, &f, "cannot renew %s with the CA in %s", cert_path,
                                 argv[optind]);
        print_findings(&f);
        return write_chain(ca, x, out);
}

static int ca_export_cmd(int argc, char **argv) {
        enum { ARG_OUT = 0x100, ARG_DER, ARG_FORCE };
        static const struct option options[] = {
                {"out", required_argument, NULL, ARG_OUT},
                {"der", no_argument, NULL, ARG_DER},
                {"force", no_argument, NULL, ARG_FORCE},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        _cleanup_(ca_freep) Ca *ca = NULL;
        _cleanup_(freep) char *data = NULL, *subject = NULL;
        const char *out = NULL;
        bool der = false, force = false;
        size_t len = 0;
        char buf[32];
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_OUT:
                        out = optarg;
                        break;
                case ARG_DER:
                        der = true;
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                case 'h':
                        ca_help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
        if (!out)
                out = der ? "ca.der" : "ca.pem";
        if (argc - optind != 1)
                return usage("ca export takes one DIR");

        r = check_ca_out(out, force, argv[optind]);
        if (r != 0)
                return r;
        /* The certificate alone: exporting needs no access to the key. */
        r = load_ca(argv[optind], false, &ca);
        if (r != 0)
                return r;
        r = ca_export(ca, der, &data, &len);
        if (r < 0)
                return fail(EXIT_USAGE, NULL, "cannot encode %s: %s", ca->cert_path, strerror(-r));
        r = output(out, data, len, MODE_PUBLIC);
        if (r != 0)
                return r;
        subject = x509_subject_string(ca->cert);
        printf("wrote the CA certificate '%s' (%s, valid until %s) to %s: install it as a trusted "
               "root on the phones, browsers and clients (group policy)\n",
               strna(subject), der ? "DER" : "PEM", until(ca->cert, buf, sizeof buf), out);
        return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
}

/* ---- issue: csr, sign and import in one --------------------------------------------- */

/* Runs one step (a whole command, its own messages and checks) and says
 * which step it was when it fails. */
static int issue_step(const char *what, int (*fn)(int, char **), char **argv) {
        int r;

        printf("certconfd ca issue: %s\n", what);
        fflush(stdout);
        r = fn((int) strv_length(argv), argv);
        if (r != 0)
                fprintf(stderr,
                        "certconfd ca issue: %s failed (exit %d): see above; the steps after it "
                        "were not run\n",
                        what, r);
        return r;
}

/* `ca issue DIR --service NAME`: what an operator without a CA of their own
 * does in one command after `ca init`: `csr` (the key stays in the CSR
 * store), `ca sign` into a private temporary file, then `import` of that
 * chain with DIR's root as a trust anchor. Each step is the command itself,
 * with its checks and messages; nothing is written to the store unless the
 * last one passes. */
static int ca_issue_cmd(int argc, char **argv) {
        enum {
                ARG_SERVICE = 0x100,
                ARG_STORE,
                ARG_CONFIG,
                ARG_STATE_DIR,
                ARG_KEY,
                ARG_KEY_TYPE,
                ARG_DAYS,
                ARG_NAME,
                ARG_WILDCARD,
                ARG_CLIENT,
                ARG_FORCE,
        };
        static const struct option options[] = {
                {"service", required_argument, NULL, ARG_SERVICE},
                {"store", required_argument, NULL, ARG_STORE},
                {"config", required_argument, NULL, ARG_CONFIG},
                {"state-dir", required_argument, NULL, ARG_STATE_DIR},
                {"key", required_argument, NULL, ARG_KEY},
                {"key-type", required_argument, NULL, ARG_KEY_TYPE},
                {"days", required_argument, NULL, ARG_DAYS},
                {"name", required_argument, NULL, ARG_NAME},
                {"wildcard", required_argument, NULL, ARG_WILDCARD},
                {"client", no_argument, NULL, ARG_CLIENT},
                {"force", no_argument, NULL, ARG_FORCE},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        _cleanup_(strv_freep) char **csr = NULL, **sign = NULL, **import = NULL;
        _cleanup_(freep) char *tmp = NULL, *csr_path = NULL, *chain_path = NULL, *anchor = NULL;
        const char *service = NULL, *dir;
        bool force = false;
        int c, r;

        if (strv_extend(&csr, "csr") < 0 || strv_extend(&sign, "sign") < 0 ||
            strv_extend(&import, "import") < 0)
                return EXIT_USAGE;
        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                const char *name = NULL;
                char ***to[3] = {};

                switch (c) {
                case ARG_SERVICE:
                        service = optarg;
                        name = "--service";
                        to[0] = &csr;
                        to[1] = &import;
                        break;
                case ARG_STORE: /* csr reads deployment.yaml there, import writes there */
                        if (strv_extend(&csr, "--store") < 0 || strv_extend(&csr, optarg) < 0 ||
                            strv_extend(&import, "--out") < 0 || strv_extend(&import, optarg) < 0)
                                return EXIT_USAGE;
                        continue;
                case ARG_CONFIG:
                        name = "--config";
                        to[0] = &csr;
                        to[1] = &import;
                        break;
                case ARG_STATE_DIR:
                        name = "--state-dir";
                        to[0] = &csr;
                        to[1] = &import;
                        break;
                case ARG_KEY:
                        name = "--key";
                        to[0] = &csr;
                        break;
                case ARG_KEY_TYPE:
                        name = "--key-type";
                        to[0] = &csr;
                        break;
                case ARG_DAYS:
                        name = "--days";
                        to[0] = &sign;
                        break;
                case ARG_NAME:
                        name = "--name";
                        to[0] = &sign;
                        break;
                case ARG_WILDCARD:
                        name = "--wildcard";
                        to[0] = &sign;
                        break;
                case ARG_CLIENT:
                        if (strv_extend(&sign, "--client") < 0)
                                return EXIT_USAGE;
                        continue;
                case ARG_FORCE:
                        force = true;
                        continue;
                case 'h':
                        ca_help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
                for (size_t i = 0; i < ELEMENTSOF(to) && to[i]; i++)
                        if (strv_extend(to[i], name) < 0 || strv_extend(to[i], optarg) < 0)
                                return EXIT_USAGE;
        }
        if (argc - optind != 1)
                return usage("ca issue takes DIR (and --service NAME)");
        if (!service)
                return usage("ca issue needs --service NAME: the service whose pair it writes");
        dir = argv[optind];
        if (force && (strv_extend(&csr, "--force") < 0 || strv_extend(&import, "--force") < 0))
                return EXIT_USAGE;

        /* The request and the chain are public, but they are ours alone:
         * a private directory, removed whatever happens. */
        const char *tmpdir = getenv("TMPDIR");
        if (asprintf(&tmp, "%s/certconf-issue-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") < 0)
                tmp = NULL;
        if (!tmp || !mkdtemp(tmp)) {
                fprintf(stderr, "certconfd: cannot make a temporary directory: %m\n");
                return EXIT_USAGE;
        }
        if (asprintf(&csr_path, "%s/%s.csr", tmp, service) < 0 ||
            asprintf(&chain_path, "%s/%s.chain", tmp, service) < 0 ||
            asprintf(&anchor, "%s/ca.crt", dir) < 0) {
                r = EXIT_USAGE;
                goto out;
        }
        if (strv_extend(&csr, "--out") < 0 || strv_extend(&csr, csr_path) < 0 ||
            strv_extend(&sign, dir) < 0 || strv_extend(&sign, csr_path) < 0 ||
            strv_extend(&sign, "--out") < 0 || strv_extend(&sign, chain_path) < 0 ||
            strv_extend(&import, "--trust") < 0 || strv_extend(&import, anchor) < 0 ||
            strv_extend(&import, chain_path) < 0) {
                r = EXIT_USAGE;
                goto out;
        }

        r = issue_step("1/3 csr: a key and a request from the store's deployment.yaml", cmd_csr,
                       csr);
        if (r == 0)
                r = issue_step("2/3 ca sign: the CA issues the certificate", ca_sign_cmd, sign);
        if (r == 0)
                r = issue_step("3/3 import: checked, then written into the store", cmd_import,
                               import);
out:
        (void) unlink(csr_path ? csr_path : "");
        (void) unlink(chain_path ? chain_path : "");
        (void) rmdir(tmp);
        return r;
}

int cmd_ca(int argc, char **argv) {
        if (argc < 2)
                return usage("ca needs init, sign, renew, export or issue");
        if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                ca_help(stdout);
                return 0;
        }
        if (streq(argv[1], "init"))
                return ca_init(argc - 1, argv + 1);
        if (streq(argv[1], "sign"))
                return ca_sign_cmd(argc - 1, argv + 1);
        if (streq(argv[1], "renew"))
                return ca_renew_cmd(argc - 1, argv + 1);
        if (streq(argv[1], "export"))
                return ca_export_cmd(argc - 1, argv + 1);
        if (streq(argv[1], "issue"))
                return ca_issue_cmd(argc - 1, argv + 1);
        return usage("ca: unknown command '%s' (init, sign, renew, export, issue)", argv[1]);
}

/* ---- csr ------------------------------------------------------------------------------ */

/* A service name that is a file name: letters, digits, '.', '_', '-', not
 * starting with '.'. */
static bool service_name_ok(const char *s) {
        if (!s || !*s || s[0] == '.' || strlen(s) > 64)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
                        return false;
        return true;
}

/* The configuration, or NULL with the built-in defaults when the default
 * file does not exist; an exit status, 0 when usable. */
static int load_config(const char *path, bool given, AgentConfig **ret) {
        _cleanup_(findings_clear) Findings f = {};
        int r;

        if (!given && access(path, F_OK) < 0 && errno == ENOENT) {
                *ret = NULL;
                return 0;
        }
        r = agentconf_load(path, NULL, ret, &f);
        if (r >= 0)
                return 0;
        for (size_t i = 0; i < f.n; i++) {
                const Finding *x = &f.items[i];

                if (x->line > 0)
                        fprintf(stderr, "%s:%d:%d: %s\n", strna(x->file), x->line, x->column,
                                x->message);
                else
                        fprintf(stderr, "certconfd: %s\n", x->message);
                if (x->hint)
                        fprintf(stderr, "  fix: %s\n", x->hint);
        }
        if (f.n == 0)
                fprintf(stderr, "certconfd: cannot read %s: %s\n", path, strerror(-r));
        return EXIT_USAGE;
}

/* The unencrypted key alone in path; an exit status, 0 when loaded. */
static int load_key(const char *path, EVP_PKEY **ret) {
        _cleanup_(bundle_freep) Bundle *b = NULL;
        _cleanup_(findings_clear) Findings f = {};
        char *data = NULL;
        size_t len = 0;
        int r;

        r = read_file_path(path, BUNDLE_MAX_BYTES, &data, &len);
        if (r < 0)
                return fail(EXIT_USAGE, write_hint(r), "cannot read the key %s: %s", path,
                            strerror(-r));
        r = bundle_parse(path, data, len, BUNDLE_EXPECT_KEY, &b, &f);
        erase_and_free(data, len);
        if (r < 0)
                return fail(EXIT_USAGE, NULL, "cannot read the key %s: %s", path, strerror(-r));
        if (b->n_keys != 1) {
                print_findings(&f);
                return fail(EXIT_REFUSED,
                            "give --key new for a new key, or put the unencrypted key alone "
                            "there",
                            "%s does not hold one unencrypted private key", path);
        }
        if (EVP_PKEY_up_ref(b->keys[0]) <= 0)
                return fail(EXIT_USAGE, NULL, "out of memory");
        *ret = b->keys[0];
        return 0;
}

int cmd_csr(int argc, char **argv) {
        enum {
                ARG_SERVICE = 0x100,
                ARG_STORE,
                ARG_KEY,
                ARG_KEY_TYPE,
                ARG_CONFIG,
                ARG_STATE,
                ARG_OUT,
                ARG_FORCE
        };
        static const struct option options[] = {
                {"service", required_argument, NULL, ARG_SERVICE},
                {"store", required_argument, NULL, ARG_STORE},
                {"key", required_argument, NULL, ARG_KEY},
                {"key-type", required_argument, NULL, ARG_KEY_TYPE},
                {"config", required_argument, NULL, ARG_CONFIG},
                {"state-dir", required_argument, NULL, ARG_STATE},
                {"out", required_argument, NULL, ARG_OUT},
                {"force", no_argument, NULL, ARG_FORCE},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        _cleanup_(agentconf_freep) AgentConfig *config = NULL;
        _cleanup_(deploy_freep) Deployment *d = NULL;
        _cleanup_(findings_clear) Findings f = {};
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
        _cleanup_(freep) char *deploy_path = NULL, *csr_dir = NULL, *key_path = NULL,
                              *req_path = NULL, *store_key = NULL, *req_pem = NULL, *key_pem = NULL,
                              *key_name = NULL, *req_name = NULL;
        const char *service = NULL, *store = NULL, *state = NULL, *out = NULL,
                   *config_path = AGENTCONF_DEFAULT_PATH, *key_source = NULL;
        X509BuildKey key_type = _X509BUILD_KEY_INVALID;
        bool existing = false, force = false, config_given = false, write_key;
        size_t req_len = 0, key_len = 0;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_SERVICE:
                        service = optarg;
                        break;
                case ARG_STORE:
                        store = optarg;
                        break;
                case ARG_KEY:
                        if (streq(optarg, "new"))
                                existing = false;
                        else if (streq(optarg, "existing"))
                                existing = true;
                        else
                                return usage("--key: '%s' is not new or existing", optarg);
                        break;
                case ARG_KEY_TYPE:
                        key_type = x509build_key_from_string(optarg);
                        if (key_type < 0)
                                return usage("--key-type: '%s' is not rsa:2048, rsa:3072 or "
                                             "ec:p256",
                                             optarg);
                        break;
                case ARG_CONFIG:
                        config_path = optarg;
                        config_given = true;
                        break;
                case ARG_STATE:
                        state = optarg;
                        break;
                case ARG_OUT:
                        out = optarg;
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                case 'h':
                        csr_help(stdout);
                        return 0;
                default:
                        return EXIT_USAGE;
                }
        if (optind < argc)
                return usage("csr takes no arguments besides its options ('%s')", argv[optind]);
        if (!service)
                return usage("csr needs --service NAME (rem, xcap, bsf or another service)");
        if (!service_name_ok(service))
                return usage("--service: '%s' is not a service name (letters, digits, '.', '_', "
                             "'-')",
                             service);
        if (existing && key_type >= 0)
                return usage("--key-type goes with --key new: --key existing reuses a key as it "
                             "is");

        r = load_config(config_path, config_given, &config);
        if (r != 0)
                return r;
        if (!store)
                store = config ? config->store_dir : AGENTCONF_DEFAULT_STORE_DIR;
        if (!state)
                state = config ? config->state_dir : AGENTCONF_DEFAULT_STATE_DIR;
        if (key_type < 0)
                key_type = x509build_key_from_spec(config ? config->self_signed_key
                                                          : KEY_SPEC_RSA2048);

        key_name = strjoin(service, CSR_KEY_SUFFIX);
        req_name = strjoin(service, CSR_REQ_SUFFIX);
        store_key = strjoin(service, "-cert.key");
        if (!key_name || !req_name || !store_key || !(store_key = path_join_free(store, store_key)))
                return fail(EXIT_USAGE, NULL, "out of memory");
        deploy_path = path_join(store, DEPLOY_FILE_NAME);
        csr_dir = path_join(state, CSR_STORE_DIR);
        key_path = csr_dir ? path_join(csr_dir, key_name) : NULL;
        req_path = csr_dir ? path_join(csr_dir, req_name) : NULL;
        if (!deploy_path || !key_path || !req_path)
                return fail(EXIT_USAGE, NULL, "out of memory");

        /* The subject and the names. */
        r = deploy_load_at(AT_FDCWD, deploy_path, deploy_path, &d, &f);
        if (r == -ENOENT)
                return fail(EXIT_USAGE,
                            "upload the deployment YAML to the store first (see "
                            "docs/deployment-yaml.md), or give --store",
                            "%s does not exist: the request's subject and names come from it",
                            deploy_path);
        if (r < 0) {
                for (size_t i = 0; i < f.n; i++) {
                        const Finding *x = &f.items[i];

                        fprintf(stderr, "%s:%d:%d: %s\n", strna(x->file), x->line, x->column,
                                x->message);
                        if (x->hint)
                                fprintf(stderr, "  fix: %s\n", x->hint);
                }
                if (f.n == 0)
                        fprintf(stderr, "certconfd: cannot read %s: %s\n", deploy_path,
                                strerror(-r));
                return r == -EINVAL && f.n > 0 ? EXIT_REFUSED : EXIT_USAGE;
        }
        /* Where the request goes, checked before anything is made or
         * written: the key store's key is never replaced by it. */
        {
                const char *keep[] = {key_path, NULL};

                r = check_out(out, force, keep);
                if (r != 0)
                        return r;
        }

        r = deploy_service_names(d, service, &names);
        if (r < 0)
                return fail(EXIT_USAGE, NULL, "cannot take the names of '%s' from %s: %s", service,
                            deploy_path, strerror(-r));
        if (strv_length(names) == 0)
                return fail(EXIT_REFUSED,
                            "list the service's hosts and addresses there (services: NAME: "
                            "hosts: [...], addresses: [...])",
                            "%s names no host or address for the service '%s': a request needs "
                            "at least one",
                            deploy_path, service);

        /* The key. */
        if (!existing) {
                if (!force && exists(key_path))
                        return fail(EXIT_USAGE,
                                    "give --key existing to make a request for that key again, "
                                    "or --force to replace it with a new one",
                                    "%s exists: not overwritten", key_path);
                r = x509build_new_key(key_type, &key);
                if (r < 0)
                        return fail(EXIT_USAGE, NULL, "cannot make a %s key: %s",
                                    x509build_key_to_string(key_type), strerror(-r));
                key_source = "new";
                write_key = true;
        } else if (exists(key_path)) {
                r = load_key(key_path, &key);
                if (r != 0)
                        return r;
                key_source = key_path;
                write_key = false;
        } else if (exists(store_key)) {
                r = load_key(store_key, &key);
                if (r != 0)
                        return r;
                key_source = store_key;
                write_key = true; /* kept where `import` looks for it */
        } else
                return fail(EXIT_USAGE, "give --key new to make a new key",
                            "no key to reuse: neither %s nor %s exists", key_path, store_key);

        /* The key as the agent's check will judge the certificate's. */
        {
                Profile profile = config ? config->policy : PROFILE_DEFAULT;
                PolicyKeyVerdict v;

                if (policy_key_verdict(key, profile, true, &v) > 0) {
                        const char *what = existing ? key_source : "the new key";

                        if (v.severity == SEVERITY_ERROR)
                                return fail(EXIT_REFUSED,
                                            existing ? "give --key new (and --force) for a new key"
                                                     : "give another --key-type (rsa:2048 for "
                                                       "the innovaphone profile)",
                                            "%s: %s; the agent (profile %s) would refuse the "
                                            "certificate: no request made",
                                            what, v.message, profile_to_string(profile));
                        fprintf(stderr, "certconfd: %s: warning WEAK_KEY: %s\n", what, v.message);
                        if (v.hint)
                                fprintf(stderr, "  fix: %s\n", v.hint);
                }
        }

        CsrSpec spec = {
                .service = service,
                .names = names,
                .country = d->country,
                .organization = d->organization,
                .organizational_unit = d->organizational_unit,
        };
        r = csr_make(&spec, key, &req);
        if (r == -EINVAL)
                return fail(EXIT_REFUSED,
                            "correct the subject and names of the service in the deployment YAML",
                            "%s: the names or subject of '%s' cannot go into a request",
                            deploy_path, service);
        if (r < 0)
                return fail(EXIT_USAGE, NULL, "cannot make the request: %s", strerror(-r));
        r = x509build_req_pem(req, &req_pem, &req_len);
        if (r < 0)
                return fail(EXIT_USAGE, NULL, "cannot encode the request: %s", strerror(-r));

        /* Written: the key first (a request without its key is useless). */
        r = private_directory(state, false); /* the agent's: made if missing, else left as is */
        if (r == 0)
                r = private_directory(csr_dir, true);
        if (r == 0 && write_key) {
                r = x509build_key_pem(key, &key_pem, &key_len);
                if (r < 0)
                        return fail(EXIT_USAGE, NULL, "cannot encode the key: %s", strerror(-r));
                r = output(key_path, key_pem, key_len, MODE_PRIVATE);
                erase_and_free(TAKE_PTR(key_pem), key_len);
        }
        if (r == 0)
                r = output(req_path, req_pem, req_len, MODE_PUBLIC);
        if (r == 0)
                r = output(out, req_pem, req_len, MODE_PUBLIC);
        if (r != 0)
                return r;

        _cleanup_(freep) char *subject = req_subject(req);
        fprintf(stderr, "certconfd: request for '%s': subject %s, names", service, strna(subject));
        for (char **i = names; *i; i++)
                fprintf(stderr, "%s%s", i == names ? " " : ", ", *i);
        fprintf(stderr,
                "\n  key: %s (%s%s)\n  request: %s%s%s\n"
                "  next: send the request to your CA (or 'certconfd ca sign CA_DIR %s'), then\n"
                "        'certconfd import --service %s SIGNED_FILES...' pairs the certificate "
                "with this key\n",
                key_path, streq(key_source, "new") ? "new, " : "reused from ",
                streq(key_source, "new") ? x509build_key_to_string(key_type) : key_source, req_path,
                out ? " and " : "", out ? out : "", req_path, service);
        return 0;
}
