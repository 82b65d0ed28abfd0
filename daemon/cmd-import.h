#pragma once
/* cmd-import: `certconfd import`: turn what a CA sent (PEM, DER, PKCS#7,
 * PKCS#12, encrypted keys, in any order) into <svc>-cert.crt and
 * <svc>-cert.key in the store, written only when they pass the same checks
 * as `certconfd check --service NAME`. Prints; returns the exit status
 * (0 written, 1 refused, 2 bad usage or an unreadable/unwritable file). */

int cmd_import(int argc, char **argv);
