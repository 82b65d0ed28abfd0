#pragma once
/* render: the bytes of one install target — a Tomcat PKCS#12 keystore or a
 * PEM file — for a service's chain and key. Writes nothing to disk. Returns
 * >= 0 or negative errno; never logs; ret_ set only on success. */

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "agentconf.h"

/* The most a keystore password file may hold. */
#define RENDER_PASSWORD_FILE_MAX 4096

/* The contents of target t for a service's material: chain (leaf first,
 * then its issuers, at least one certificate) and key.
 *   TARGET_PKCS12:    keystore_pkcs12() with alias t->alias, t->compat and
 *                     the password from t->password_file
 *                     (render_read_password());
 *   TARGET_PEM_CHAIN: every certificate, PEM, in order;
 *   TARGET_PEM_CERT:  the leaf, PEM;
 *   TARGET_PEM_KEY:   the key as unencrypted PKCS#8 PEM ("PRIVATE KEY");
 *   TARGET_PEM_BUNDLE_KEY_FIRST: that key, then every certificate in order
 *                     (the MX-ONE eri_sn_cert.pem: key, server certificate,
 *                     intermediates from the one that signed it up, root);
 *   TARGET_PEM_BUNDLE_KEY_LAST: every certificate in order, then the key
 *                     and no other (the innovaphone layout).
 * The chain is written as given: the root is there when the upload has it
 * (`certconfd import` adds it when the trust anchors know it).
 * *ret is malloc'd, *ret_len bytes (NUL-terminated for the PEM formats, the
 * NUL not counted). For the formats that hold the key (target_format_has_key()) it is
 * key material: the caller wipes it (erase_and_free()) — simplest for every
 * format. On a failure that is the operator's to fix (the password file)
 * returns its negative errno and, if ret_error is not NULL, sets *ret_error
 * to a malloc'd one-line message naming the file and saying what to do;
 * other failures (-EINVAL for bad arguments, -ENOMEM, -EIO) leave *ret_error
 * untouched. */
int render_target(const Target *t, const STACK_OF(X509) * chain, EVP_PKEY *key, char **ret,
                  size_t *ret_len, char **ret_error);

/* Reads a keystore password file: its first line, without the line end (LF
 * or CR LF); everything else on the line, blanks included, is the password.
 * Links are followed (it is the administrator's file); at most
 * RENDER_PASSWORD_FILE_MAX bytes. A file that cannot be read, is too large,
 * or whose first line is empty or holds a NUL byte is the operator's to fix:
 * negative errno (-EINVAL for the contents) and *ret_error as for
 * render_target(). *ret is malloc'd, NUL-terminated; the caller wipes it
 * (erase_and_free(p, strlen(p))). */
int render_read_password(const char *path, char **ret, char **ret_error);

/* The SHA-256 (lower-case hex, malloc'd) of the password
 * render_read_password() reads from path: what a keystore target's digest
 * holds, so that a changed password renders the keystore again. Errors as
 * for render_read_password(). */
int render_password_digest(const char *path, char **ret, char **ret_error);
