#pragma once
/* profile: the policy a check applies. default is the table of the README;
 * strict adds what browsers and strict TLS stacks enforce on server
 * certificates; innovaphone adds that vendor's limits. Pure data; never logs. */

#include <errno.h>
#include <stdbool.h>

typedef enum Profile {
        PROFILE_DEFAULT,
        PROFILE_STRICT,
        PROFILE_INNOVAPHONE,
        _PROFILE_MAX,
        _PROFILE_INVALID = -EINVAL,
} Profile;

const char *profile_to_string(Profile p);
Profile profile_from_string(const char *s);
