#pragma once
/* inspect: print a bundle's certificates in file order — subject, issuer,
 * SANs, validity and days left, key, signature algorithm, SHA-256
 * fingerprint, whether each is signed by the next — and its keys. Writes to
 * the FILE* it is given; never logs; never prints key material. */

#include <stdio.h>
#include <time.h>

#include "bundle.h"
#include "loader.h"

int inspect_print(FILE *out, const Bundle *b, time_t now);

/* The same for what loader read from file `file` of s (DER, PKCS#7,
 * PKCS#12, ...): its first line says the format (loader_describe_file()),
 * each certificate from a PKCS#12 names its bag. */
int inspect_print_loaded(FILE *out, const LoaderSet *s, size_t file, time_t now);

/* "AB:CD:..." SHA-256 fingerprint of the DER certificate into buf (>= 96 bytes). */
int inspect_fingerprint(X509 *x, char *buf, size_t size);
/* "RSA 2048 bits", "EC P-256 (256 bits)" into buf. */
void inspect_key_description(EVP_PKEY *k, char *buf, size_t size);
