#include "report.h"

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. Stops at a NUL. */
static size_t utf8_sequence_len(const unsigned char *p) {
        unsigned char c = p[0], lo, hi;

        if (c >= 0xc2 && c <= 0xdf)
                return (p[1] & 0xc0) == 0x80 ? 2 : 0;
        if (c >= 0xe0 && c <= 0xef) {
                lo = c == 0xe0 ? 0xa0 : 0x80;
                hi = c == 0xed ? 0x9f : 0xbf;
                return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
        }
        if (c >= 0xf0 && c <= 0xf4) {
                lo = c == 0xf0 ? 0x90 : 0x80;
                hi = c == 0xf4 ? 0x8f : 0xbf;
                if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
                        return 0;
                return (p[3] & 0xc0) == 0x80 ? 4 : 0;
        }
        return 0;
}

void report_json_string(FILE *out, const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        if (!s) {
                fputs("null", out);
                return;
        }
        fputc('"', out);
        while (*p) {
                unsigned char ch = *p;
                if (ch == '"' || ch == '\\') {
                        fputc('\\', out);
                        fputc(ch, out);
                        p++;
                } else if (ch < 0x20 || ch == 0x7f) {
                        fprintf(out, "\\u%04x", ch);
                        p++;
                } else if (ch < 0x80) {
                        fputc(ch, out);
                        p++;
                } else {
                        /* Pass valid UTF-8 through; anything else becomes U+FFFD. */
                        size_t n = utf8_sequence_len(p);
                        if (n > 0) {
                                fwrite(p, 1, n, out);
                                p += n;
                        } else {
                                fputs("\\ufffd", out);
                                p++;
                        }
                }
        }
        fputc('"', out);
}

static void json_findings(FILE *out, const Findings *f) {
        fputc('[', out);
        for (size_t i = 0; i < f->n; i++) {
                const Finding *x = &f->items[i];
                fputs(i ? ",{" : "{", out);
                fputs("\"code\":", out);
                report_json_string(out, finding_code_to_string(x->code));
                fputs(",\"severity\":", out);
                report_json_string(out, severity_to_string(x->severity));
                fputs(",\"file\":", out);
                report_json_string(out, x->file);
                if (x->cert >= 0)
                        fprintf(out, ",\"cert\":%d", x->cert);
                else
                        fputs(",\"cert\":null", out);
                fputs(",\"subject\":", out);
                report_json_string(out, x->subject);
                fputs(",\"message\":", out);
                report_json_string(out, x->message);
                fputs(",\"hint\":", out);
                report_json_string(out, x->hint);
                if (x->line > 0)
                        fprintf(out, ",\"line\":%d,\"column\":%d", x->line, x->column);
                fputc('}', out);
        }
        fputc(']', out);
}

int report_print_json(FILE *out, const StoreReport *r) {
        fprintf(out, "{\"result\":\"%s\",\"services\":[",
                store_report_has_errors(r) ? "error" : "ok");
        for (size_t i = 0; i < r->n_services; i++) {
                const ServiceReport *s = &r->services[i];
                fputs(i ? ",{" : "{", out);
                fputs("\"service\":", out);
                report_json_string(out, s->service);
                fprintf(out, ",\"uploaded\":%s,\"result\":\"%s\",\"findings\":",
                        s->uploaded ? "true" : "false",
                        findings_has_errors(&s->findings) ? "error" : "ok");
                json_findings(out, &s->findings);
                fputc('}', out);
        }
        fputs("]", out);
        if (r->is_store)
                fprintf(out, ",\"deployment\":%s", r->has_deployment ? "true" : "false");
        fputs(",\"findings\":", out);
        json_findings(out, &r->findings);
        fputs("}\n", out);
        return ferror(out) ? -EIO : 0;
}

/* The human report prints every string through findings_fputs_printable():
 * findings_add() already made messages, subjects and hints printable, but a
 * file or service name comes from the store's directory listing, and a
 * Finding may have been filled in by other means. Only the report's own line
 * ends reach the terminal. */
static void human_findings(FILE *out, const Findings *f) {
        for (size_t i = 0; i < f->n; i++) {
                const Finding *x = &f->items[i];
                fprintf(out, "  %-7s ", severity_to_string(x->severity));
                findings_fputs_printable(out, finding_code_to_string(x->code));
                if (x->file) {
                        fputs("  ", out);
                        findings_fputs_printable(out, x->file);
                        if (x->line > 0)
                                fprintf(out, ":%d:%d", x->line, x->column);
                }
                if (x->cert >= 0)
                        fprintf(out, ", certificate %d", x->cert);
                if (x->subject) {
                        fputs(" (", out);
                        findings_fputs_printable(out, x->subject);
                        fputc(')', out);
                }
                fputs("\n          ", out);
                findings_fputs_printable(out, x->message);
                fputc('\n', out);
                if (x->hint) {
                        fputs("          fix: ", out);
                        findings_fputs_printable(out, x->hint);
                        fputc('\n', out);
                }
        }
}

static void counts(FILE *out, const Findings *f) {
        size_t e = findings_count(f, SEVERITY_ERROR), w = findings_count(f, SEVERITY_WARNING);

        if (e)
                fprintf(out, ", %zu error%s", e, e == 1 ? "" : "s");
        if (w)
                fprintf(out, ", %zu warning%s", w, w == 1 ? "" : "s");
}

/* Whether the store's deployment YAML was refused (so none of its names were used). */
static bool deployment_has_errors(const StoreReport *r) {
        for (size_t i = 0; i < r->findings.n; i++)
                if (r->findings.items[i].code == FINDING_CONFIG_INVALID &&
                    r->findings.items[i].severity == SEVERITY_ERROR)
                        return true;
        return false;
}

int report_print_human(FILE *out, const StoreReport *r) {
        if (r->is_store && !r->has_deployment)
                fprintf(out, "note: no %s in the store: host names, addresses and MCC/MNC are not checked (only --name values)\n",
                        DEPLOY_FILE_NAME);
        else if (r->is_store && deployment_has_errors(r))
                fprintf(out, "note: %s has errors: host names, addresses and MCC/MNC were not checked (only --name values)\n",
                        DEPLOY_FILE_NAME);
        if (r->findings.n > 0) {
                fprintf(out, "store: %s", findings_has_errors(&r->findings) ? "ERROR" : "OK");
                counts(out, &r->findings);
                fputc('\n', out);
                human_findings(out, &r->findings);
        }
        for (size_t i = 0; i < r->n_services; i++) {
                const ServiceReport *s = &r->services[i];
                findings_fputs_printable(out, s->service);
                if (!s->uploaded) {
                        fputs(": not uploaded (the agent uses a self-signed certificate)\n", out);
                        continue;
                }
                fprintf(out, ": %s", findings_has_errors(&s->findings) ? "ERROR" : "OK");
                counts(out, &s->findings);
                fputc('\n', out);
                human_findings(out, &s->findings);
        }
        return ferror(out) ? -EIO : 0;
}
