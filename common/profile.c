#include "macro.h"
#include "profile.h"

static const char *const profile_table[_PROFILE_MAX] = {
        [PROFILE_DEFAULT] = "default",
        [PROFILE_STRICT] = "strict",
        [PROFILE_INNOVAPHONE] = "innovaphone",
};

const char *profile_to_string(Profile p) {
        if (p < 0 || p >= _PROFILE_MAX)
                return NULL;
        return profile_table[p];
}

Profile profile_from_string(const char *s) {
        if (!s)
                return _PROFILE_INVALID;
        for (int i = 0; i < _PROFILE_MAX; i++)
                if (streq(profile_table[i], s))
                        return (Profile) i;
        return _PROFILE_INVALID;
}
