#include <strings.h>

#include "macro.h"
#include "strv.h"

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

int strv_extend_n(char ***l, const char *s, size_t len) {
        size_t n = strv_length(*l);
        char **nl;
        char *c;

        c = len == (size_t) -1 ? strdup(s) : strndup(s, len);
        if (!c)
                return -ENOMEM;
        nl = reallocarray(*l, n + 2, sizeof(char *));
        if (!nl) {
                free(c);
                return -ENOMEM;
        }
        nl[n] = c;
        nl[n + 1] = NULL;
        *l = nl;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        return strv_extend_n(l, s, (size_t) -1);
}

bool strv_contains(char *const *l, const char *s, bool icase) {
        for (size_t i = 0; l && l[i]; i++)
                if (icase ? strcasecmp(l[i], s) == 0 : streq(l[i], s))
                        return true;
        return false;
}

int strv_extend_unique(char ***l, const char *s, bool icase) {
        if (strv_contains(*l, s, icase))
                return 0;
        return strv_extend(l, s);
}
