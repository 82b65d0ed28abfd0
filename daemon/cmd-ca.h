#pragma once
/* cmd-ca: `certconfd ca init|sign|renew|export` (a private CA in a directory)
 * and `certconfd csr` (a request for a service, its key kept in the state
 * directory). Each returns the exit status: 0 done, 1 refused (the input is
 * wrong; nothing was written), 2 bad usage or a file that cannot be read or
 * written. argv[0] is "ca" or "csr". */

int cmd_ca(int argc, char **argv);
int cmd_csr(int argc, char **argv);
