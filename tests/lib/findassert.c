#include <stdio.h>

#include "findassert.h"

char *fa_describe(const Findings *f) {
        char *s = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&s, &len);

        ck_assert_ptr_nonnull(m);
        for (size_t i = 0; i < f->n; i++)
                fprintf(m, "%s/%s[%d]: %s; ", finding_code_to_string(f->items[i].code),
                        severity_to_string(f->items[i].severity), f->items[i].cert,
                        f->items[i].message);
        if (f->n == 0)
                fputs("(none)", m);
        ck_assert_int_eq(fclose(m), 0);
        return s;
}

const Finding *fa_first(const Findings *f, FindingCode c) {
        for (size_t i = 0; i < f->n; i++)
                if (f->items[i].code == c)
                        return &f->items[i];
        return NULL;
}

size_t fa_count(const Findings *f, FindingCode c) {
        size_t n = 0;

        for (size_t i = 0; i < f->n; i++)
                if (f->items[i].code == c)
                        n++;
        return n;
}

void fa_assert_only_line_ends(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                ck_assert_msg((*p >= 0x20 && *p != 0x7f) || *p == '\n',
                              "raw byte 0x%02x at offset %zu of:\n%s", *p,
                              (size_t) (p - (const unsigned char *) s), s);
}
