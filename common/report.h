#pragma once
/* report: render check results for people (one block per service, findings
 * with their hints) and for programs (the JSON report documented in
 * README.md). Writes to the FILE* it is given; never logs. */

#include <stdio.h>

#include "check.h"

int report_print_human(FILE *out, const StoreReport *r);
int report_print_json(FILE *out, const StoreReport *r);

/* Writes s as a JSON string literal (with quotes); NULL as null. */
void report_json_string(FILE *out, const char *s);
