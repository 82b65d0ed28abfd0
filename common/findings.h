#pragma once
/* findings: the list of problems a check found, each with a stable code.
 * The codes and their names are a contract (JSON reports, journal fields).
 * Returns >= 0 or negative errno; never logs. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "macro.h"

typedef enum FindingCode {
        FINDING_PAIR_INCOMPLETE,
        FINDING_NOT_PEM,
        FINDING_FILE_TOO_LARGE,
        FINDING_PEM_LAYOUT,
        FINDING_KEY_MISSING,
        FINDING_KEY_MULTIPLE,
        FINDING_KEY_ENCRYPTED,
        FINDING_KEY_MISMATCH,
        FINDING_CERT_EXPIRING,
        FINDING_CERT_NOT_YET_VALID,
        FINDING_CHAIN_ORDER,
        FINDING_CHAIN_INCOMPLETE,
        FINDING_CHAIN_UNRELATED,
        FINDING_CHAIN_SIGNATURE,
        FINDING_CHAIN_CA_FLAGS,
        FINDING_CHAIN_ROOT_ADDED,
        FINDING_SAN_MISSING,
        FINDING_SAN_IP_AS_DNS,
        FINDING_SAN_NOT_COVERED,
        FINDING_XCAP_NAME,
        FINDING_BSF_NAME,
        FINDING_NAME_3GPP_FORM,
        FINDING_SUBJECT_FIELDS,
        FINDING_WEAK_KEY,
        FINDING_WEAK_SIGNATURE,
        FINDING_KEY_USAGE,
        FINDING_EKU,
        FINDING_PATH_INVALID,
        /* Beyond the contract table: */
        FINDING_FILE_UNREADABLE, /* missing, not a regular file, a symlink in the store, I/O error */
        FINDING_CERT_INVALID,    /* a CERTIFICATE block whose contents do not parse, or a
                                  * certificate with an extension OpenSSL cannot use
                                  * (does not decode, repeated) */
        FINDING_KEY_INVALID,     /* a key block whose contents do not parse, or an unsupported key type */
        FINDING_CERT_FORMAT,     /* strict: serial number, version, AKI/SKI, DSA, other encoding rules */
        FINDING_CONFIG_INVALID,  /* deployment YAML: syntax error, unknown key, bad value */
        FINDING_NAME_INVALID,    /* a configured or --name name that is neither a host name nor an address */
        FINDING_CERT_REVOKED,    /* a certificate of the path is on its issuer's CRL (--crl) */
        FINDING_CRL_INVALID,     /* a CRL that cannot be used: signature, issuer without cRLSign,
                                  * CRLNumber missing or critical, unparsable; as a warning: stale,
                                  * or no CRL from the server certificate's issuer */
        FINDING_FILE_IGNORED,    /* a store file that looks like an upload but is not named
                                  * <svc>-cert.crt/.key: error when meant as one, else warning */
        /* certconfd import and inspect (common/loader.c): */
        FINDING_PASSWORD,        /* a PKCS#12 or encrypted key the password given (or none)
                                  * does not open */
        FINDING_ALGORITHM_UNAVAILABLE, /* encrypted with an algorithm OpenSSL cannot use here
                                        * (the legacy provider missing, or unknown) */
        FINDING_INPUT_FORMAT,    /* an input that is none of the formats read, damaged, or
                                  * holds nothing usable (a PKCS#7 without certificates) */
        FINDING_LEAF_AMBIGUOUS,  /* two certificates could be the server certificate */
        FINDING_CERT_MISSING,    /* the inputs hold no certificate (a PKCS#12 with a key only) */
        _FINDING_CODE_MAX,
        _FINDING_CODE_INVALID = -EINVAL,
} FindingCode;

typedef enum Severity {
        SEVERITY_WARNING,
        SEVERITY_ERROR,
        _SEVERITY_MAX,
        _SEVERITY_INVALID = -EINVAL,
} Severity;

typedef struct Finding {
        FindingCode code;
        Severity severity;
        char *file;    /* the file it is about, or NULL */
        int line;      /* 1-based line in file, 0 when not applicable */
        int column;    /* 1-based column, 0 when not applicable */
        int cert;      /* position of the certificate in the file (0 = first), -1 when not about one */
        char *subject; /* that certificate's subject (RFC 2253), or NULL */
        char *message; /* one line: what is wrong */
        char *hint;    /* one line: how to fix it */
} Finding;

typedef struct Findings {
        Finding *items;
        size_t n;
        size_t allocated;
} Findings;

const char *finding_code_to_string(FindingCode c);
FindingCode finding_code_from_string(const char *s);
const char *severity_to_string(Severity s);
Severity severity_from_string(const char *s);

/* The severity the contract gives a code (EKU and a few others vary by profile). */
Severity finding_code_default_severity(FindingCode c);
/* The generic hint for a code, used when the caller gives none. */
const char *finding_code_default_hint(FindingCode c);

/* Adds a finding. file, subject and hint may be NULL (hint NULL = the code's
 * default hint). cert is -1 when the finding is not about one certificate.
 * The message, subject and hint are stored made printable (see
 * findings_printable()): text quoted from a certificate or an upload cannot
 * start a line or steer a terminal. Returns 0 or -ENOMEM. */
int findings_add(Findings *f, FindingCode code, Severity sev, const char *file, int cert,
                 const char *subject, const char *hint, const char *fmt, ...) _printf_(8, 9);

/* Same, with a line and column (YAML errors). */
int findings_add_at(Findings *f, FindingCode code, Severity sev, const char *file, int line,
                    int column, const char *hint, const char *fmt, ...) _printf_(8, 9);

/* Text from a certificate or an upload made safe to show: every C0 or C1
 * control character, DEL, Unicode line separator or bidirectional control,
 * and every byte that is not part of well-formed UTF-8 becomes \xNN (one per
 * byte); the rest, valid UTF-8 included, is kept. A backslash is kept too, so
 * the result passed through again comes out unchanged. s holds n bytes (NUL
 * bytes among them are escaped). Returns a malloc'd string, or NULL on OOM. */
char *findings_printable(const char *s, size_t n);
/* Writes the NUL-terminated s to out as findings_printable() would make it. */
void findings_fputs_printable(FILE *out, const char *s);

size_t findings_count(const Findings *f, Severity sev);
bool findings_has_errors(const Findings *f);
bool findings_has_code(const Findings *f, FindingCode code);
/* Moves every finding of src to the end of dst; src is left empty. */
int findings_move(Findings *dst, Findings *src);
void findings_clear(Findings *f);

/* s quoted for a shell command line in a hint (unchanged when it needs no
 * quoting); malloc'd, NULL on OOM. */
char *findings_shell_quote(const char *s);
