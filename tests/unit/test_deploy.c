/* test_deploy: the deployment YAML — schema, every error with its line and
 * column, the names each service must cover, and reading the file. */

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "deploy.h"
#include "findings.h"
#include "testutil.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static Findings F;
static Deployment *D;

static void setup(void) {
        F = (Findings){};
        D = NULL;
}

static void teardown(void) {
        findings_clear(&F);
        D = deploy_free(D);
}

static int parse(const char *yaml) {
        findings_clear(&F);
        D = deploy_free(D);
        return deploy_parse("deployment.yaml", yaml, strlen(yaml), &D, &F);
}

/* Every finding, one per line, for a failure message (static: a failing
 * check does not return, so nothing here may need freeing). */
static const char *dump_findings(void) {
        static char buf[16384];
        size_t o = 0;

        buf[0] = 0;
        for (size_t i = 0; i < F.n && o < sizeof buf; i++) {
                int k = snprintf(buf + o, sizeof buf - o, "\n  %d:%d %s [hint: %s]",
                                 F.items[i].line, F.items[i].column, F.items[i].message,
                                 F.items[i].hint);
                if (k < 0)
                        break;
                o += (size_t) k;
        }
        return buf;
}

/* There is a CONFIG_INVALID error at line:column whose message contains msg
 * and (when hint is not NULL) whose hint contains hint. */
static void expect_error_at(int src_line, int line, int column, const char *msg, const char *hint) {
        for (size_t i = 0; i < F.n; i++) {
                const Finding *x = &F.items[i];

                if (x->line != line || x->column != column || !strstr(x->message, msg))
                        continue;
                if (hint && (!x->hint || !strstr(x->hint, hint)))
                        continue;
                ck_assert_int_eq(x->code, FINDING_CONFIG_INVALID);
                ck_assert_int_eq(x->severity, SEVERITY_ERROR);
                ck_assert_str_eq(x->file, "deployment.yaml");
                return;
        }
        ck_abort_msg("line %d: no error at %d:%d with '%s' (hint '%s'); found:%s", src_line, line,
                     column, msg, strna(hint), dump_findings());
}

#define EXPECT_ERROR(line, column, msg, hint) expect_error_at(__LINE__, line, column, msg, hint)

#define EXPECT_OK(yaml)                                                                            \
        do {                                                                                       \
                int _r = parse(yaml);                                                              \
                ck_assert_msg(_r == 0 && F.n == 0 && D, "expected no error, got %d:%s", _r,        \
                              dump_findings());                                                    \
        } while (0)

#define EXPECT_INVALID(yaml, n_errors)                                                             \
        do {                                                                                       \
                int _r = parse(yaml);                                                              \
                ck_assert_msg(_r == -EINVAL && F.n == (n_errors) && !D,                            \
                              "expected -EINVAL with %d errors, got %d:%s", (int) (n_errors), _r,  \
                              dump_findings());                                                    \
        } while (0)

static const char mag_yaml[] = "# deployment.yaml for the MAG\n"
                               "subject:\n"
                               "  country: NZ\n"
                               "  organization: SomeTelco\n"
                               "  organizational_unit: SomeCity Network Operations Center\n"
                               "mcc: 1\n"
                               "mnc: \"001\"\n"
                               "services:\n"
                               "  rem:\n"
                               "    hosts: [rem.sometelco.com]\n"
                               "    addresses:\n"
                               "      - 192.168.10.10\n"
                               "      - \"2001:db8::10\"\n"
                               "  xcap:\n"
                               "    hosts: [xcap.ims.mnc001.mcc001.pub.3gppnetwork.org]\n"
                               "  bsf:\n"
                               "    hosts: [bsf.ims.mnc001.mcc001.pub.3gppnetwork.org]\n"
                               "  provisioning: {hosts: [prov.sometelco.com]}\n";

static void check_mag(const Deployment *d) {
        const DeployService *s;

        ck_assert_str_eq(d->country, "NZ");
        ck_assert_str_eq(d->organization, "SomeTelco");
        ck_assert_str_eq(d->organizational_unit, "SomeCity Network Operations Center");
        ck_assert_int_eq(d->mcc, 1);
        ck_assert_int_eq(d->mnc, 1);

        s = deploy_service(d, "rem");
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s->name, "rem");
        ck_assert_str_eq(s->hosts[0], "rem.sometelco.com");
        ck_assert_ptr_null(s->hosts[1]);
        ck_assert_str_eq(s->addresses[0], "192.168.10.10");

        s = deploy_service(d, "xcap");
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s->hosts[0], "xcap.ims.mnc001.mcc001.pub.3gppnetwork.org");
        ck_assert_ptr_null(s->hosts[1]);
        ck_assert_ptr_nonnull(s->addresses);
        ck_assert_ptr_null(s->addresses[0]);

        s = deploy_service(d, "bsf");
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s->hosts[0], "bsf.ims.mnc001.mcc001.pub.3gppnetwork.org");
        ck_assert_ptr_null(deploy_service(d, "REM"));
        ck_assert_ptr_null(deploy_service(d, "nosuch"));
}

START_TEST(test_mag_example) {
        EXPECT_OK(mag_yaml);
        check_mag(D);
        ck_assert_str_eq(D->path, "deployment.yaml");
        ck_assert_uint_eq(D->n_services, 4);
        ck_assert_str_eq(D->services[0].name, "rem");
        ck_assert_str_eq(D->services[3].name, "provisioning");
        ck_assert_str_eq(D->services[0].addresses[1], "2001:db8::10");
        ck_assert_ptr_null(D->services[0].addresses[2]);
}
END_TEST

START_TEST(test_demo_file) {
        int r = deploy_load_at(AT_FDCWD, TOP_SRCDIR "/etc/demo/deployment.yaml",
                               "etc/demo/deployment.yaml", &D, &F);

        ck_assert_int_eq(r, 0);
        ck_assert_uint_eq(F.n, 0);
        check_mag(D);
        ck_assert_str_eq(D->path, "etc/demo/deployment.yaml");
        ck_assert_uint_eq(D->n_services, 3);
}
END_TEST

START_TEST(test_empty) {
        static const char *const empty[] = {
                "", "\n", "# only\n  # comments\n", "---\n", "--- ~\n", "---\n...\n", "null\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(empty); i++) {
                EXPECT_OK(empty[i]);
                ck_assert_int_eq(D->mcc, -1);
                ck_assert_int_eq(D->mnc, -1);
                ck_assert_ptr_null(D->country);
                ck_assert_uint_eq(D->n_services, 0);
        }
        EXPECT_OK("{}\n");
        EXPECT_OK("subject: {}\nservices: {}\n");

        /* Near misses: text, a list, a quoted empty string. */
        EXPECT_INVALID("just text\n", 1);
        EXPECT_ERROR(1, 1, "must be a mapping of keys, not a single value", "subject:");
        EXPECT_INVALID("\n- rem\n- xcap\n", 1);
        EXPECT_ERROR(2, 1, "not a list", NULL);
        EXPECT_INVALID("\"\"\n", 1);
}
END_TEST

START_TEST(test_unknown_key_suggestions) {
        EXPECT_INVALID("subject:\n"
                       "  country: NZ\n"
                       "  organisation: SomeTelco\n",
                       1);
        EXPECT_ERROR(3, 3, "unknown key 'organisation'", "did you mean 'organization'?");

        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    adresses: [192.0.2.1]\n",
                       1);
        EXPECT_ERROR(3, 5, "unknown key 'adresses'", "did you mean 'addresses'?");

        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    hots: [rem.example.com]\n",
                       1);
        EXPECT_ERROR(3, 5, "unknown key 'hots'", "did you mean 'hosts'?");

        EXPECT_INVALID("subject:\n  organisational_unit: NOC\n", 1);
        EXPECT_ERROR(2, 3, "unknown key", "did you mean 'organizational_unit'?");
        EXPECT_INVALID("Services: {}\n", 1);
        EXPECT_ERROR(1, 1, "unknown key 'Services'", "did you mean 'services'?");

        /* Too far from every key: the hint lists them. */
        EXPECT_INVALID("org: SomeTelco\n", 1);
        EXPECT_ERROR(1, 1, "unknown key 'org'", "known keys here: subject, mcc, mnc, services");
        EXPECT_INVALID("services:\n  rem:\n    ips: [192.0.2.1]\n", 1);
        EXPECT_ERROR(3, 5, "unknown key 'ips'", "known keys here: hosts, addresses");

        /* A known key at the wrong level. */
        EXPECT_INVALID("country: NZ\n", 1);
        EXPECT_ERROR(1, 1, "unknown key 'country'", "belongs under 'subject:'");
        EXPECT_INVALID("rem:\n  hosts: [rem.example.com]\n", 1);
        EXPECT_ERROR(1, 1, "unknown key 'rem'", "put the service 'rem' under 'services:'");
        EXPECT_INVALID("subject:\n  mcc: 1\n", 1);
        EXPECT_ERROR(2, 3, "unknown key 'mcc'", "top level");
        EXPECT_INVALID("hosts: [rem.example.com]\n", 1);
        EXPECT_ERROR(1, 1, "unknown key 'hosts'", "under a service");

        /* Every unknown key in one pass, the known ones still read. */
        EXPECT_INVALID("foo: 1\n"
                       "mcc: 1\n"
                       "bar: 2\n"
                       "mnc: 1\n"
                       "subject:\n"
                       "  organisation: X\n"
                       "  colour: blue\n",
                       4);
        EXPECT_ERROR(1, 1, "unknown key 'foo'", NULL);
        EXPECT_ERROR(3, 1, "unknown key 'bar'", NULL);
        EXPECT_ERROR(6, 3, "unknown key 'organisation'", "organization");
        EXPECT_ERROR(7, 3, "unknown key 'colour'", "known keys here: country, organization");

        /* Near miss: spelled right. */
        EXPECT_OK("subject:\n  organization: SomeTelco\n");
        ck_assert_str_eq(D->organization, "SomeTelco");
}
END_TEST

START_TEST(test_syntax_error) {
        /* A syntax error stops parsing: the unknown key before it is not reported. */
        EXPECT_INVALID("foo: 1\n"
                       "subject:\n"
                       "  country: NZ\n"
                       " organization: X\n",
                       1);
        EXPECT_ERROR(4, 2, "YAML syntax error: did not find expected key", NULL);
        EXPECT_ERROR(4, 2, "while parsing a block mapping at line", NULL);

        EXPECT_INVALID("mcc: [1, 2\nmnc: 1\n", 1);
        EXPECT_ERROR(2, 4, "did not find expected ',' or ']'", NULL);
        EXPECT_ERROR(2, 4, "while parsing a flow sequence at line 1, column 6", NULL);

        EXPECT_INVALID("subject:\n  organization: \"SomeTelco\n", 1);
        EXPECT_ERROR(3, 1, "found unexpected end of stream", NULL);

        EXPECT_INVALID("mcc: 1\nmnc:\t1\n\tservices: {}\n", 1);
        EXPECT_ERROR(3, 1, "tab", "indent with spaces");

        /* A tab indenting a nested key: the hint names the tab. */
        EXPECT_INVALID("subject:\n\tcountry: NZ\n", 1);
        EXPECT_ERROR(2, 1, "YAML syntax error", "YAML does not allow tabs");
        /* The same after non-ASCII text and a byte-order mark (libyaml counts
         * characters, not bytes). */
        EXPECT_INVALID("\xef\xbb\xbfsubject:\n  organization: \"Soci\xc3\xa9t\xc3\xa9\"\n\tcountry: NZ\n", 1);
        EXPECT_ERROR(3, 1, "YAML syntax error", "YAML does not allow tabs");

        /* Not UTF-8: a reader error, placed by its byte offset. */
        EXPECT_INVALID("mcc: 1\nsubject: {organization: \"S\xe9\"}\n", 1);
        EXPECT_ERROR(2, 27, "YAML syntax error", "UTF-8");

        /* Two documents. */
        EXPECT_INVALID("mcc: 1\nmnc: 1\n---\nmcc: 2\n", 1);
        EXPECT_ERROR(3, 1, "more than one YAML document", NULL);

        /* Near miss: the same file indented correctly; "---" at the start. */
        EXPECT_OK("subject:\n  country: NZ\n  organization: X\n");
        EXPECT_OK("---\nsubject:\n  country: NZ\n  organization: X\n...\n");
        ck_assert_str_eq(D->organization, "X");
}
END_TEST

START_TEST(test_mcc_mnc) {
        EXPECT_OK("mcc: \"001\"\nmnc: '01'\n");
        ck_assert_int_eq(D->mcc, 1);
        ck_assert_int_eq(D->mnc, 1);
        EXPECT_OK("mcc: 999\nmnc: 0\n");
        ck_assert_int_eq(D->mcc, 999);
        ck_assert_int_eq(D->mnc, 0);
        EXPECT_OK("mcc: 010\nmnc: 20\n"); /* decimal, never octal */
        ck_assert_int_eq(D->mcc, 10);

        EXPECT_INVALID("mcc: 1000\nmnc: 1\n", 1);
        EXPECT_ERROR(1, 6, "mcc '1000' is not a number from 0 to 999", "\"001\"");
        EXPECT_INVALID("mcc: 1\nmnc: -1\n", 1);
        EXPECT_ERROR(2, 6, "mnc '-1' is not a number from 0 to 999", NULL);
        EXPECT_INVALID("mcc: \"1a\"\nmnc: 1\n", 1);
        EXPECT_ERROR(1, 6, "mcc '1a'", NULL);
        EXPECT_INVALID("mcc: 1.0\nmnc: 0x1\n", 2);
        EXPECT_ERROR(1, 6, "mcc '1.0'", NULL);
        EXPECT_ERROR(2, 6, "mnc '0x1'", NULL);
        EXPECT_INVALID("mcc: \" 1\"\nmnc: 1\n", 1);
        EXPECT_ERROR(1, 6, "mcc ' 1'", NULL);

        EXPECT_INVALID("mcc:\nmnc: 1\n", 1);
        EXPECT_ERROR(1, 5, "empty value for 'mcc'", "mcc: 1");
        EXPECT_INVALID("mcc: ~\nmnc: 1\n", 1);
        EXPECT_ERROR(1, 6, "empty value for 'mcc'", NULL);
        EXPECT_INVALID("mcc: [1]\nmnc: 1\n", 1);
        EXPECT_ERROR(1, 6, "'mcc' must be a single value, not a list", NULL);

        /* One without the other. */
        EXPECT_INVALID("subject: {}\nmcc: 1\n", 1);
        EXPECT_ERROR(2, 1, "'mcc' is set but 'mnc' is not", "both");
        EXPECT_INVALID("mnc: 1\n", 1);
        EXPECT_ERROR(1, 1, "'mnc' is set but 'mcc' is not", NULL);
}
END_TEST

START_TEST(test_subject) {
        EXPECT_OK("subject:\n  country: nz\n");
        ck_assert_str_eq(D->country, "NZ");
        EXPECT_OK("subject:\n  country: NO\n"); /* Norway, not a YAML 1.1 boolean */
        ck_assert_str_eq(D->country, "NO");
        EXPECT_OK("subject:\n  organization: \"Ōtautahi Telco & Co: Ltd\"\n");
        ck_assert_str_eq(D->organization, "Ōtautahi Telco & Co: Ltd");

        EXPECT_INVALID("subject:\n  country: NZL\n", 1);
        EXPECT_ERROR(2, 12, "country 'NZL' is not a two-letter country code", "ISO 3166");
        EXPECT_INVALID("subject:\n  country: N1\n", 1);
        EXPECT_ERROR(2, 12, "country 'N1'", NULL);
        EXPECT_INVALID("subject:\n  country: \"Ñ\"\n", 1);
        EXPECT_ERROR(2, 12, "country", NULL);
        EXPECT_INVALID("subject:\n  country: 64\n", 1);
        EXPECT_ERROR(2, 12, "country '64'", NULL);

        EXPECT_INVALID("subject:\n  organization:\n  organizational_unit: NOC\n", 1);
        EXPECT_ERROR(2, 16, "empty value for 'organization'", NULL);
        EXPECT_INVALID("subject:\n  organization: \"\"\n  organizational_unit: ' NOC'\n", 2);
        EXPECT_ERROR(2, 17, "empty value for 'organization'", NULL);
        EXPECT_ERROR(3, 24, "starts or ends with a space", NULL);
        EXPECT_INVALID("subject:\n  organization: [A, B]\n", 1);
        EXPECT_ERROR(2, 17, "'organization' must be a single value, not a list", NULL);
        EXPECT_INVALID("subject:\n  organization: \"Some\\tTelco\"\n", 1);
        EXPECT_ERROR(2, 17, "control character", NULL);
        EXPECT_INVALID("subject:\n  organization: \"Some\\0Telco\"\n", 1);
        EXPECT_ERROR(2, 17, "control character", NULL);

        /* O and OU: at most 64 characters. */
        char yaml[256];
        snprintf(yaml, sizeof yaml, "subject:\n  organizational_unit: %.*s\n", 64,
                 "0123456789012345678901234567890123456789012345678901234567890123456789");
        EXPECT_OK(yaml);
        snprintf(yaml, sizeof yaml, "subject:\n  organizational_unit: %.*s\n", 65,
                 "0123456789012345678901234567890123456789012345678901234567890123456789");
        EXPECT_INVALID(yaml, 1);
        EXPECT_ERROR(2, 24, "longer than 64 characters", NULL);

        EXPECT_INVALID("subject: NZ\n", 1);
        EXPECT_ERROR(1, 10, "'subject' must be a mapping, not a single value", "subject: {");
        EXPECT_INVALID("subject:\n", 1);
        EXPECT_ERROR(1, 9, "empty value for 'subject'", NULL);
}
END_TEST

START_TEST(test_hosts_and_addresses) {
        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    hosts: [rem.sometelco.com, 192.168.10.10]\n",
                       1);
        EXPECT_ERROR(3, 32, "'192.168.10.10' is an IP address, not a host name",
                     "put addresses under 'addresses:'");
        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    hosts:\n"
                       "      - \"2001:db8::1\"\n",
                       1);
        EXPECT_ERROR(4, 9, "is an IP address", "addresses:");

        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    addresses: [rem.sometelco.com]\n",
                       1);
        EXPECT_ERROR(3, 17, "'rem.sometelco.com' is not an IP address",
                     "put host names under 'hosts:'");
        EXPECT_INVALID("services:\n  rem:\n    addresses: [192.168.10.0/24]\n", 1);
        EXPECT_ERROR(3, 17, "is not an IP address", "not a network");
        EXPECT_INVALID("services:\n  rem:\n    addresses: [\"[2001:db8::1]\"]\n", 1);
        EXPECT_ERROR(3, 17, "is not an IP address", "brackets");

        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    hosts:\n"
                       "      - rem_1.sometelco.com\n"
                       "      - \"*.sometelco.com\"\n"
                       "      - https://rem.sometelco.com/\n"
                       "      -\n"
                       "      - [a.example]\n"
                       "      - ''\n",
                       6);
        EXPECT_ERROR(4, 9, "'rem_1.sometelco.com' is not a valid host name", "underscores");
        EXPECT_ERROR(5, 9, "is not a valid host name", "wildcard");
        EXPECT_ERROR(6, 9, "is not a valid host name", "without scheme");
        EXPECT_ERROR(7, 8, "empty entry in 'hosts'", NULL);
        EXPECT_ERROR(8, 9, "an entry of 'hosts' must be a single value, not a list", NULL);
        EXPECT_ERROR(9, 9, "empty entry in 'hosts'", NULL);

        EXPECT_INVALID("services:\n  rem:\n    hosts: rem.sometelco.com\n", 1);
        EXPECT_ERROR(3, 12, "'hosts' must be a list, not a single value",
                     "hosts: [rem.sometelco.com]");
        EXPECT_INVALID("services:\n  rem:\n    hosts:\n", 1);
        EXPECT_ERROR(3, 11, "empty value for 'hosts'", NULL);

        /* Near misses: names and addresses in their places, IPv6, a trailing dot. */
        EXPECT_OK("services:\n"
                  "  rem:\n"
                  "    hosts: [rem.sometelco.com, REM2.SomeTelco.com.]\n"
                  "    addresses: [192.168.10.10, \"2001:db8::1\", \"::1\"]\n");
        ck_assert_str_eq(D->services[0].hosts[1], "REM2.SomeTelco.com.");
        ck_assert_str_eq(D->services[0].addresses[2], "::1");
        EXPECT_OK("services:\n  rem:\n    hosts: []\n    addresses: []\n");
        ck_assert_ptr_null(D->services[0].hosts[0]);
        ck_assert_ptr_null(D->services[0].addresses[0]);
}
END_TEST

START_TEST(test_service_names) {
        EXPECT_INVALID("services:\n  REM:\n    hosts: [rem.example.com]\n", 1);
        EXPECT_ERROR(2, 3, "invalid service name 'REM'", "lower case: 'rem'");
        EXPECT_INVALID("services:\n  rem_1: {}\n  \"a/b\": {}\n  -x: {}\n  \"\": {}\n", 4);
        EXPECT_ERROR(2, 3, "invalid service name 'rem_1'", "<svc>-cert.crt");
        EXPECT_ERROR(3, 3, "invalid service name 'a/b'", NULL);
        EXPECT_ERROR(4, 3, "invalid service name '-x'", NULL);
        EXPECT_ERROR(5, 3, "empty key", NULL);
        /* The body of a badly named service is still checked. */
        EXPECT_INVALID("services:\n  Rem:\n    hots: []\n", 2);
        EXPECT_ERROR(3, 5, "unknown key 'hots'", NULL);

        EXPECT_INVALID("services:\n  rem: [rem.example.com]\n", 1);
        EXPECT_ERROR(2, 8, "'rem' must be a mapping, not a list",
                     "rem: {hosts: [rem.sometelco.com]}");
        EXPECT_INVALID("services:\n  rem:\n", 1);
        EXPECT_ERROR(2, 7, "empty value for 'rem'", NULL);
        EXPECT_INVALID("services: [rem, xcap]\n", 1);
        EXPECT_ERROR(1, 11, "'services' must be a mapping, not a list", NULL);

        /* Near misses. */
        EXPECT_OK("services:\n  my-svc2: {hosts: [svc.example.com]}\n  9lives: {}\n");
        ck_assert_uint_eq(D->n_services, 2);
        ck_assert_str_eq(D->services[0].name, "my-svc2");
        ck_assert_str_eq(D->services[1].name, "9lives");
}
END_TEST

START_TEST(test_duplicate_key) {
        EXPECT_INVALID("mcc: 1\nmnc: 1\nmcc: 2\n", 1);
        EXPECT_ERROR(3, 1, "duplicate key 'mcc' (first at line 1, column 1)", "Remove one");
        EXPECT_INVALID("services:\n  rem: {}\n  xcap: {}\n  rem: {hosts: [x.example]}\n", 1);
        EXPECT_ERROR(4, 3, "duplicate key 'rem' (first at line 2, column 3)", NULL);
        EXPECT_INVALID("services:\n  rem: {hosts: [a.example], hosts: [b.example]}\n", 1);
        EXPECT_ERROR(2, 29, "duplicate key 'hosts'", NULL);

        /* Near miss: the same key in different mappings. */
        EXPECT_OK("services:\n  rem: {hosts: [a.example]}\n  xcap: {hosts: [xcap.example]}\n");
}
END_TEST

START_TEST(test_anchor_alias_tag) {
        EXPECT_INVALID("services:\n"
                       "  rem:\n"
                       "    hosts: &h [rem.sometelco.com]\n"
                       "  xcap:\n"
                       "    hosts: *h\n",
                       2);
        EXPECT_ERROR(3, 12, "YAML anchors (&h) are not supported", "in full");
        EXPECT_ERROR(5, 12, "YAML aliases (*h) are not supported", NULL);

        EXPECT_INVALID("subject: &s {country: NZ}\nother: *s\n", 3);
        EXPECT_ERROR(2, 8, "aliases", NULL);

        EXPECT_INVALID("mcc: !!str 001\nmnc: 1\n", 1);
        EXPECT_ERROR(1, 6, "YAML tags (tag:yaml.org,2002:str) are not supported", "quotes");

        /* Near miss: & and * inside values. */
        EXPECT_OK(
                "subject:\n  organization: Smith & Sons *Telco*\n  organizational_unit: \"&x\"\n");
        ck_assert_str_eq(D->organization, "Smith & Sons *Telco*");
}
END_TEST

START_TEST(test_limits) {
        _cleanup_(freep) char *big = NULL, *deep = NULL, *many = NULL;
        size_t n = 1024 * 1024 + 1;
        FILE *m;
        size_t len;

        big = malloc(n);
        ck_assert_ptr_nonnull(big);
        memset(big, '#', n);
        big[n - 1] = '\n';
        ck_assert_int_eq(deploy_parse("deployment.yaml", big, n, &D, &F), -EINVAL);
        EXPECT_ERROR(0, 0, "larger than", NULL);
        /* Exactly 1 MiB of comments is an empty deployment. */
        findings_clear(&F);
        ck_assert_int_eq(deploy_parse("deployment.yaml", big, n - 1, &D, &F), 0);
        ck_assert_uint_eq(F.n, 0);

        /* Nesting. */
        m = open_memstream(&deep, &len);
        fputs("services:\n  rem:\n    hosts: ", m);
        for (int i = 0; i < 40; i++)
                fputc('[', m);
        for (int i = 0; i < 40; i++)
                fputc(']', m);
        fputc('\n', m);
        fclose(m);
        EXPECT_INVALID(deep, 1);
        EXPECT_ERROR(3, 25, "nested deeper than 16 levels", NULL);
        EXPECT_OK("services:\n  rem:\n    hosts: []\n");

        /* Many errors: the first 50, then one saying the rest were left out. */
        m = open_memstream(&many, &len);
        for (int i = 0; i < 100; i++)
                fprintf(m, "k%d: 1\n", i);
        fclose(m);
        EXPECT_INVALID(many, 51);
        EXPECT_ERROR(50, 1, "unknown key 'k49'", NULL);
        EXPECT_ERROR(51, 1, "more than 50 errors", NULL);

        /* A syntax error after the cap is still reported. */
        free(many);
        m = open_memstream(&many, &len);
        fputs("services:\n  rem:\n    hosts: [", m);
        for (int i = 0; i < 60; i++)
                fprintf(m, "&a%d x.example, ", i);
        fputs("\n", m);
        fclose(m);
        EXPECT_INVALID(many, 52);
        EXPECT_ERROR(4, 1, "YAML syntax error", NULL);

        /* Many values. */
        free(many);
        m = open_memstream(&many, &len);
        fputs("services:\n  rem:\n    hosts: [", m);
        for (int i = 0; i < 10001; i++)
                fputs("a.b,", m);
        fputs("]\n", m);
        fclose(m);
        ck_assert_int_eq(parse(many), -EINVAL);
        ck_assert_uint_eq(F.n, 1);
        ck_assert_ptr_nonnull(strstr(F.items[0].message, "more than 10000 values"));
}
END_TEST

START_TEST(test_long_and_odd_text) {
        _cleanup_(freep) char *yaml = NULL;
        char key[201];

        memset(key, 'x', 200);
        key[200] = 0;
        ck_assert_int_gt(asprintf(&yaml, "%s: 1\n\"a\\nb\": 2\n", key), 0);
        EXPECT_INVALID(yaml, 2);
        /* Quoted text is cut short, control characters shown as '?'. */
        ck_assert_ptr_nonnull(strstr(F.items[0].message, "xxx..."));
        ck_assert_uint_lt(strlen(F.items[0].message), 100);
        EXPECT_ERROR(2, 1, "unknown key 'a?b'", NULL);
}
END_TEST

static void expect_names(const Deployment *d, const char *service, const char *const *want) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t i;

        ck_assert_int_eq(deploy_service_names(d, service, &l), 0);
        ck_assert_ptr_nonnull(l);
        for (i = 0; want[i]; i++) {
                ck_assert_ptr_nonnull(l[i]);
                ck_assert_str_eq(l[i], want[i]);
        }
        ck_assert_ptr_null(l[i]);
}

START_TEST(test_service_names_list) {
        EXPECT_OK("mcc: 1\n"
                  "mnc: 1\n"
                  "services:\n"
                  "  rem:\n"
                  "    hosts: [rem.sometelco.com, REM.sometelco.com.]\n"
                  "    addresses: [192.168.10.10, \"2001:db8::10\", \"2001:DB8:0::10\"]\n"
                  "  xcap:\n"
                  "    hosts: [XCAP.ims.mnc001.mcc001.pub.3gppnetwork.org, xcap.sometelco.com]\n"
                  "    addresses: [192.168.10.10]\n");

        /* The 3GPP name once, although listed (in another case) in hosts. */
        expect_names(D, "xcap",
                     (const char *const[]){"XCAP.ims.mnc001.mcc001.pub.3gppnetwork.org",
                                           "xcap.sometelco.com", "192.168.10.10", NULL});
        /* bsf not configured: the 3GPP name alone. */
        expect_names(D, "bsf",
                     (const char *const[]){"bsf.ims.mnc001.mcc001.pub.3gppnetwork.org", NULL});
        /* rem: no 3GPP name; duplicates folded (case, trailing dot, IPv6 form). */
        expect_names(
                D, "rem",
                (const char *const[]){"rem.sometelco.com", "192.168.10.10", "2001:db8::10", NULL});
        expect_names(D, "other", (const char *const[]){NULL});

        /* Host names first, then the 3GPP name, then addresses. */
        EXPECT_OK("mcc: 530\nmnc: 24\nservices:\n  xcap:\n    hosts: [xcap.example.com]\n"
                  "    addresses: [\"::1\"]\n");
        expect_names(D, "xcap",
                     (const char *const[]){"xcap.example.com",
                                           "xcap.ims.mnc024.mcc530.pub.3gppnetwork.org", "::1",
                                           NULL});

        /* Without MCC/MNC there is no 3GPP name. */
        EXPECT_OK("services:\n  xcap:\n    hosts: [xcap.example.com]\n");
        expect_names(D, "xcap", (const char *const[]){"xcap.example.com", NULL});
        expect_names(D, "bsf", (const char *const[]){NULL});

        expect_names(NULL, "xcap", (const char *const[]){NULL});
}
END_TEST

START_TEST(test_load_at) {
        _cleanup_(freep) char *dir = tu_tmpdir(), *p1 = NULL, *p2 = NULL, *p3 = NULL, *big = NULL,
                              *sub = NULL, *link = NULL;
        _cleanup_(closep) int dfd = -1;
        Deployment *untouched = (Deployment *) &untouched;
        Deployment *d = untouched;

        p1 = tu_write_file(dir, "deployment.yaml", mag_yaml, strlen(mag_yaml));
        p2 = tu_write_file(dir, "bad.yaml", "mcc: 1\nmnc: 1000\n", 17);
        big = calloc(1, 1024 * 1024 + 1);
        ck_assert_ptr_nonnull(big);
        memset(big, '#', 1024 * 1024 + 1);
        p3 = tu_write_file(dir, "big.yaml", big, 1024 * 1024 + 1);
        sub = tu_path(dir, "adir");
        ck_assert_int_eq(mkdir(sub, 0700), 0);
        link = tu_path(dir, "link.yaml");
        ck_assert_int_eq(symlink("deployment.yaml", link), 0);

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(dfd, 0);

        ck_assert_int_eq(deploy_load_at(dfd, "deployment.yaml", "/store/deployment.yaml", &D, &F),
                         0);
        ck_assert_uint_eq(F.n, 0);
        check_mag(D);
        ck_assert_str_eq(D->path, "/store/deployment.yaml");
        D = deploy_free(D);

        /* Missing: -ENOENT, no finding, ret untouched. */
        ck_assert_int_eq(deploy_load_at(dfd, "nosuch.yaml", "/store/nosuch.yaml", &d, &F), -ENOENT);
        ck_assert_uint_eq(F.n, 0);
        ck_assert_ptr_eq(d, untouched);

        /* A value error: the finding names the display path. */
        ck_assert_int_eq(deploy_load_at(dfd, "bad.yaml", "/store/bad.yaml", &d, &F), -EINVAL);
        ck_assert_ptr_eq(d, untouched);
        ck_assert_uint_eq(F.n, 1);
        ck_assert_str_eq(F.items[0].file, "/store/bad.yaml");
        ck_assert_int_eq(F.items[0].line, 2);
        ck_assert_int_eq(F.items[0].column, 6);
        findings_clear(&F);

        /* Not readable as a deployment: a finding naming the file and why. */
        static const struct {
                const char *name, *why;
        } bad[] = {
                {"link.yaml", "symbolic link"},
                {"big.yaml", "larger than 1 MiB"},
                {"adir", "directory"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ck_assert_int_eq(deploy_load_at(dfd, bad[i].name, NULL, &d, &F), -EINVAL);
                ck_assert_ptr_eq(d, untouched);
                ck_assert_uint_eq(F.n, 1);
                ck_assert_int_eq(F.items[0].code, FINDING_CONFIG_INVALID);
                ck_assert_int_eq(F.items[0].severity, SEVERITY_ERROR);
                ck_assert_str_eq(F.items[0].file, bad[i].name);
                ck_assert_ptr_nonnull(strstr(F.items[0].message, bad[i].name));
                ck_assert_msg(strstr(F.items[0].message, bad[i].why), "%s", F.items[0].message);
                findings_clear(&F);
        }

        /* AT_FDCWD: a path an operator names; links are followed. */
        ck_assert_int_eq(deploy_load_at(AT_FDCWD, link, NULL, &D, &F), 0);
        ck_assert_str_eq(D->path, link);
        D = deploy_free(D);
        ck_assert_int_eq(deploy_load_at(AT_FDCWD, p2, NULL, &d, &F), -EINVAL);
        ck_assert_str_eq(F.items[0].file, p2);

        tu_rmdir_r(dir);
}
END_TEST

START_TEST(test_ret_and_null) {
        Deployment *untouched = (Deployment *) &untouched;
        Deployment *d = untouched;
        char **l = NULL;

        ck_assert_ptr_null(deploy_free(NULL));
        ck_assert_ptr_null(deploy_service(NULL, "rem"));

        ck_assert_int_eq(deploy_parse("deployment.yaml", "mcc: x\n", 7, &d, &F), -EINVAL);
        ck_assert_ptr_eq(d, untouched);
        ck_assert_int_eq(deploy_parse("deployment.yaml", "mcc: [\n", 7, &d, &F), -EINVAL);
        ck_assert_ptr_eq(d, untouched);

        /* No path: findings carry none. */
        findings_clear(&F);
        ck_assert_int_eq(deploy_parse(NULL, "foo: 1\n", 7, &d, &F), -EINVAL);
        ck_assert_ptr_null(F.items[0].file);
        ck_assert_int_eq(deploy_parse(NULL, NULL, 0, &D, &F), 0);
        ck_assert_ptr_null(D->path);

        ck_assert_int_eq(deploy_service_names(NULL, NULL, &l), -EINVAL);
        ck_assert_ptr_null(l);
}
END_TEST

static Suite *deploy_suite(void) {
        Suite *s = suite_create("deploy");
        TCase *tc = tcase_create("deploy");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_mag_example);
        tcase_add_test(tc, test_demo_file);
        tcase_add_test(tc, test_empty);
        tcase_add_test(tc, test_unknown_key_suggestions);
        tcase_add_test(tc, test_syntax_error);
        tcase_add_test(tc, test_mcc_mnc);
        tcase_add_test(tc, test_subject);
        tcase_add_test(tc, test_hosts_and_addresses);
        tcase_add_test(tc, test_service_names);
        tcase_add_test(tc, test_duplicate_key);
        tcase_add_test(tc, test_anchor_alias_tag);
        tcase_add_test(tc, test_limits);
        tcase_add_test(tc, test_long_and_odd_text);
        tcase_add_test(tc, test_service_names_list);
        tcase_add_test(tc, test_load_at);
        tcase_add_test(tc, test_ret_and_null);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(deploy_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
