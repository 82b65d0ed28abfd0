#include <ctype.h>
#include <stdio.h>

#include "macro.h"
#include "timeutil.h"

static int parse_digits(const char **p, int n, int *ret) {
        int v = 0;

        for (int i = 0; i < n; i++) {
                if (!isdigit((unsigned char) (*p)[i]))
                        return -EINVAL;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return 0;
}

int time_parse_rfc3339(const char *s, time_t *ret) {
        struct tm tm = {};
        int y, mo, d, h = 0, mi = 0, sec = 0, offset = 0;
        const char *p = s;
        time_t t;

        if (!s)
                return -EINVAL;
        if (parse_digits(&p, 4, &y) < 0 || *p++ != '-' || parse_digits(&p, 2, &mo) < 0 ||
            *p++ != '-' || parse_digits(&p, 2, &d) < 0)
                return -EINVAL;
        if (*p) {
                if (*p != 'T' && *p != 't' && *p != ' ')
                        return -EINVAL;
                p++;
                if (parse_digits(&p, 2, &h) < 0 || *p++ != ':' || parse_digits(&p, 2, &mi) < 0 ||
                    *p++ != ':' || parse_digits(&p, 2, &sec) < 0)
                        return -EINVAL;
                if (*p == '.') { /* fractional seconds: ignored */
                        p++;
                        if (!isdigit((unsigned char) *p))
                                return -EINVAL;
                        while (isdigit((unsigned char) *p))
                                p++;
                }
                if (*p == 'Z' || *p == 'z')
                        p++;
                else if (*p == '+' || *p == '-') {
                        int sign = *p == '-' ? -1 : 1, oh, om;
                        p++;
                        if (parse_digits(&p, 2, &oh) < 0 || *p++ != ':' ||
                            parse_digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
                                return -EINVAL;
                        offset = sign * (oh * 3600 + om * 60);
                } else
                        return -EINVAL;
                if (*p)
                        return -EINVAL;
        }
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;

        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec == 60 ? 59 : sec; /* a leap second: the last second of its minute */
        t = timegm(&tm);
        if (t == (time_t) -1 && !(y == 1969))
                return -EINVAL;
        if (tm.tm_mday != d) /* Feb 30 and the like */
                return -EINVAL;
        *ret = t - offset;
        return 0;
}

char *time_format_rfc3339(time_t t, char *buf, size_t size) {
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
                if (size > 0)
                        snprintf(buf, size, "%s", "(invalid time)");
        }
        return buf;
}

int time_from_asn1(const ASN1_TIME *a, time_t *ret) {
        struct tm tm = {};
        time_t t;

        if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
                return -EINVAL;
        t = timegm(&tm);
        *ret = t;
        return 0;
}
