#pragma once
/* findassert: what the Check tests of every module assert about a finding
 * list — has a code, lacks it, has none, has no errors — with the whole list
 * in the failure message so a failing test says what it got. */

#include <check.h>

#include "findings.h"

/* "CODE/severity[cert]: message; ..." or "(none)"; malloc'd. */
char *fa_describe(const Findings *f);
/* The first finding of code c, or NULL. */
const Finding *fa_first(const Findings *f, FindingCode c);
size_t fa_count(const Findings *f, FindingCode c);
/* Fails unless s holds no raw control character but '\n' (hostile text
 * from certificates must reach a terminal escaped). */
void fa_assert_only_line_ends(const char *s);

#define ASSERT_HAS(f, c)                                                                   \
        do {                                                                               \
                _cleanup_(freep) char *_d = fa_describe(f);                                \
                ck_assert_msg(findings_has_code((f), (c)), "expected %s; findings: %s",    \
                              finding_code_to_string(c), _d);                              \
        } while (0)

#define ASSERT_LACKS(f, c)                                                                 \
        do {                                                                               \
                _cleanup_(freep) char *_d = fa_describe(f);                                \
                ck_assert_msg(!findings_has_code((f), (c)), "unexpected %s; findings: %s", \
                              finding_code_to_string(c), _d);                              \
        } while (0)

#define ASSERT_NONE(f)                                                                     \
        do {                                                                               \
                _cleanup_(freep) char *_d = fa_describe(f);                                \
                ck_assert_msg((f)->n == 0, "expected no findings; findings: %s", _d);      \
        } while (0)

#define ASSERT_NO_ERRORS(f)                                                                \
        do {                                                                               \
                _cleanup_(freep) char *_d = fa_describe(f);                                \
                ck_assert_msg(!findings_has_errors(f), "expected no errors; findings: %s", \
                              _d);                                                         \
        } while (0)
