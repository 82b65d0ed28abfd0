/* certconfd status: what the agent has installed, read from its state
 * directory (the agent need not be running): per service its source,
 * subject, SANs, notAfter and days left, fingerprint, and the last upload's
 * result and findings. */

#include <fcntl.h>

#include "agentconf.h"
#include "bundle.h"
#include "fileio.h"
#include "names.h"
#include "report.h"
#include "state.h"
#include "strv.h"
#include "status.h"
#include "timeutil.h"

#define DAY 86400

static int leaf_of(const char *state_dir, const char *service, X509 **ret) {
        _cleanup_(freep) char *path = NULL;
        _cleanup_(bundle_freep) Bundle *b = NULL;
        Findings f = {};
        int r;

        if (asprintf(&path, "%s/%s/%s.crt", state_dir, STATE_MATERIAL_DIR, service) < 0)
                return -ENOMEM;
        r = bundle_load_at(AT_FDCWD, path, path, BUNDLE_EXPECT_CERTS, &b, &f);
        findings_clear(&f);
        if (r < 0)
                return r;
        if (b->n_certs == 0)
                return -ENOENT;
        X509_up_ref(b->certs[0]);
        *ret = b->certs[0];
        return 0;
}

static void print_names(FILE *out, char **names, bool json) {
        for (char **n = names; n && *n; n++) {
                if (json) {
                        fputs(n == names ? "" : ",", out);
                        report_json_string(out, *n);
                } else {
                        fputs(n == names ? "" : ", ", out);
                        findings_fputs_printable(out, *n);
                }
        }
}

int status_print(const char *config_path, bool json, FILE *out) {
        _cleanup_(agentconf_freep) AgentConfig *c = NULL;
        _cleanup_(state_freep) State *st = NULL;
        _cleanup_(freep) char *last = NULL, *last_path = NULL;
        size_t last_len = 0;
        time_t now = time(NULL);
        Findings f = {};
        int r;

        r = agentconf_load(config_path, NULL, &c, &f);
        if (r < 0) {
                for (size_t i = 0; i < f.n; i++)
                        fprintf(stderr, "%s:%d:%d: %s\n", strna(f.items[i].file), f.items[i].line,
                                f.items[i].column, f.items[i].message);
                findings_clear(&f);
                return 2;
        }
        findings_clear(&f);
        r = state_load(c->state_dir, &st);
        if (r < 0) {
                fprintf(stderr, "certconfd: cannot read the state in %s: %s\n", c->state_dir, strerror(-r));
                return 2;
        }
        if (asprintf(&last_path, "%s/%s", c->state_dir, STATE_LAST_UPLOAD_NAME) < 0)
                return 2;
        (void) read_file_at(AT_FDCWD, last_path, 4 * 1024 * 1024, &last, &last_len);

        if (json)
                fputs("{\"services\":[", out);
        for (size_t i = 0; i < c->n_services; i++) {
                const char *name = c->services[i].name;
                const ServiceState *ss = state_service(st, name);
                _cleanup_(X509_freep) X509 *leaf = NULL;
                _cleanup_(strv_freep) char **sans = NULL, **ips = NULL;
                char na[32] = "";
                long long days = 0;

                if (ss && ss->installed) {
                        if (leaf_of(c->state_dir, name, &leaf) >= 0)
                                if (names_cert_sans(leaf, &sans, &ips, NULL) >= 0)
                                        for (char **ip = ips; ip && *ip; ip++)
                                                (void) strv_extend(&sans, *ip);
                        time_format_rfc3339(ss->not_after, na, sizeof na);
                        days = (long long) ((ss->not_after - now) / DAY);
                }
                if (json) {
                        fputs(i ? ",{\"service\":" : "{\"service\":", out);
                        report_json_string(out, name);
                        fprintf(out, ",\"installed\":%s", ss && ss->installed ? "true" : "false");
                        if (ss && ss->installed) {
                                fputs(",\"source\":", out);
                                report_json_string(out, material_source_to_string(ss->source));
                                fputs(",\"subject\":", out);
                                report_json_string(out, ss->subject);
                                fputs(",\"sans\":[", out);
                                print_names(out, sans, true);
                                fputs("],\"not_after\":", out);
                                report_json_string(out, na);
                                fprintf(out, ",\"days_left\":%lld,\"sha256\":", days);
                                report_json_string(out, ss->fingerprint);
                        }
                        fputs(",\"failed_upload\":", out);
                        fputs(ss && ss->failed_crt ? "true" : "false", out);
                        fputc('}', out);
                        continue;
                }
                fprintf(out, "%s:\n", name);
                if (!ss || !ss->installed) {
                        fputs("  nothing installed yet\n", out);
                        continue;
                }
                fprintf(out, "  source:      %s\n  subject:     ", material_source_to_string(ss->source));
                findings_fputs_printable(out, strna(ss->subject));
                fputs("\n  names:       ", out);
                print_names(out, sans, false);
                fprintf(out, "\n  not after:   %s (%lld days left)%s\n  sha256:      %s\n", na, days,
                        days < c->min_valid_days ? " — renew it now" : "", strna(ss->fingerprint));
                if (ss->failed_crt)
                        fputs("  an upload a unit failed to start with is in the store; it is not retried until it changes\n",
                              out);
        }
        if (json) {
                fputs("],\"last_upload\":", out);
                if (last && last_len > 0 && last[0] == '{') {
                        while (last_len > 0 && (last[last_len - 1] == '\n'))
                                last[--last_len] = '\0';
                        fputs(last, out);
                } else
                        fputs("null", out);
                fputs("}\n", out);
        } else {
                fputs("\nlast upload: ", out);
                fputs(last ? "" : "none since the state was created\n", out);
                if (last)
                        fprintf(out, "see %s (JSON), or run: certconfd check %s\n", last_path, c->store_dir);
        }
        return ferror(out) ? 2 : 0;
}
