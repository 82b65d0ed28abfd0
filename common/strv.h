#pragma once
/* strv: NULL-terminated lists of malloc'd strings (free with strv_free from
 * macro.h). Returns >= 0 or negative errno; never logs. */

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *l);
/* Appends a copy of s (its first len bytes; len (size_t)-1 = all). */
int strv_extend_n(char ***l, const char *s, size_t len);
int strv_extend(char ***l, const char *s);
/* Appends unless an equal string (case-insensitive when icase) is present. */
int strv_extend_unique(char ***l, const char *s, bool icase);
bool strv_contains(char *const *l, const char *s, bool icase);
