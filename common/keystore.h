#pragma once
/* keystore: write a PKCS#12 keystore Tomcat (Java's PKCS12 KeyStore) opens —
 * one PrivateKeyEntry under an alias, with the whole chain — and read one
 * back. Returns >= 0 or negative errno; never logs; ret_ set only on success. */

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "agentconf.h"

/* The PBKDF2 / PKCS#12 KDF and MAC iteration count: OpenSSL 3's default. */
#define KEYSTORE_ITER 2048

/* Writes a PKCS#12 file (DER) for key and chain. chain: the leaf first (it
 * must match key, else -EINVAL), then its issuers, which go in as the key
 * entry's chain (certificates without attributes: Java makes no entry of its
 * own for them). alias is the friendlyName of the key and the leaf (UTF-8),
 * and both carry the same localKeyID (SHA-1 of the leaf's DER) so Java pairs
 * them. password (UTF-8, not empty) protects the key, the certificates and
 * the MAC: Java needs store and key password equal.
 *   PKCS12_COMPAT_MODERN: PBES2 (PBKDF2 with HMAC-SHA-256, AES-256-CBC) for
 *     the key and the certificates, HMAC-SHA-256 MAC;
 *   PKCS12_COMPAT_LEGACY: pbeWithSHA1And3-KeyTripleDES-CBC for both, SHA-1
 *     MAC (what Java before 11.0.12 and 8u301 reads; no RC2, so OpenSSL's
 *     legacy provider is not needed).
 * Iterations: KEYSTORE_ITER. *ret (malloc'd, *ret_len bytes) holds the
 * encrypted key: the caller wipes it before freeing. */
int keystore_pkcs12(const STACK_OF(X509) * chain, EVP_PKEY *key, const char *alias,
                    const char *password, Pkcs12Compat compat, char **ret, size_t *ret_len);

/* Reads a PKCS#12 file as keystore_pkcs12() writes it: its one private key,
 * the chain (the key's certificate first, paired by localKeyID or else by
 * public key, then its issuer, that one's issuer, ... as far as they are in
 * the file, then any others in file order) and the alias (the
 * key's friendlyName, else the leaf's; *ret_alias NULL when neither has one).
 * Any ret_ may be NULL. Returns -EACCES when the MAC does not match the
 * password (a wrong password), -EBADMSG for a file that does not parse, has
 * no MAC, or whose contents cannot be decrypted or decoded, -ENOKEY when it
 * holds no private key or no certificate for it, -ENOTUNIQ when it holds
 * more than one key. */
int keystore_pkcs12_read(const void *data, size_t len, const char *password, EVP_PKEY **ret_key,
                         STACK_OF(X509) * *ret_chain, char **ret_alias);
