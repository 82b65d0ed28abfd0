#!/usr/bin/env bash
# The harness itself: every real part the agent's cases rely on works.
# (a) a user unit restarted over D-Bus gets a new ExecMainStartTimestamp;
# (b) a structured entry sent by the test user reaches journald, with its
#     own fields, and a unit's output too;
# (c) Tomcat 10 from its own CATALINA_BASE serves a PKCS#12 made by
#     `openssl pkcs12 -export` (OpenSSL 3's default encryption, then 3DES
#     after a restart), a client verifies it, keytool lists it, and a bad
#     keystore fails the restart job;
# (d) an `openssl s_server` unit serves a whole PEM chain, and a key that
#     does not match fails its start.
. "$(dirname "$0")/lib.sh"

# ---- (a) systemd --user over D-Bus ---------------------------------------------
user_unit_install smoke-sleep.service "[Service]
ExecStart=/bin/sh -c 'echo smoke-sleep started as \$(id -un); exec sleep infinity'" ||
        fatal "cannot install a user unit"
check "a user unit starts" user_systemctl start smoke-sleep.service
ts1=$(unit_prop smoke-sleep.service ExecMainStartTimestampMonotonic)
pid1=$(unit_prop smoke-sleep.service MainPID)
t0=$(now_ms)
check "RestartUnit over the user bus returns a job" \
        as_user busctl --user call org.freedesktop.systemd1 /org/freedesktop/systemd1 \
        org.freedesktop.systemd1.Manager RestartUnit ss smoke-sleep.service replace
restarted() { [ "$(unit_prop smoke-sleep.service ExecMainStartTimestampMonotonic)" != "$ts1" ]; }
check "the restart changes ExecMainStartTimestamp" wait_until 10 restarted
timing "dbus-restart-simple-unit" $(($(now_ms) - t0))
check "the unit is active again" wait_active smoke-sleep.service
check_ne "the unit has a new main process" "$pid1" "$(unit_prop smoke-sleep.service MainPID)"
check_eq "the manager runs as the test user" "$TEST_USER" \
        "$(as_user busctl --user get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 \
                org.freedesktop.systemd1.Manager Environment | grep -o "USER=[^\"]*" | cut -d= -f2)"

# ---- (b) journald ------------------------------------------------------------------
code=SMOKE_$RANDOM$RANDOM
msgid=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf 'MESSAGE=certconf harness smoke %s\nMESSAGE_ID=%s\nPRIORITY=5\nCERTCONF_CODE=%s\nCERTCONF_SERVICE=smoke\n' \
        "$code" "$msgid" "$code" | as_user logger --journald || not_ok "logger --journald"
entry=$(journal_wait CERTCONF_CODE="$code")
check_eq "a structured entry with a custom field is in the journal" "$msgid" \
        "$(journal_field "$entry" MESSAGE_ID)"
check_eq "it carries the sender's uid" "$TEST_UID" "$(journal_field "$entry" _UID)"
check_eq "and its other fields" smoke "$(journal_field "$entry" CERTCONF_SERVICE)"
check "a unit's output reaches the journal" \
        journal_wait _SYSTEMD_USER_UNIT=smoke-sleep.service MESSAGE="smoke-sleep started as $TEST_USER"
user_systemctl stop smoke-sleep.service

# ---- (c) Tomcat 10 -------------------------------------------------------------------
pki=$WORK/pki
make_ca "$pki" || fatal "make_ca"
make_leaf "$pki" rem "DNS:rem.test.example,IP:127.0.0.1" || fatal "make_leaf rem"
echo 'k3y-st0re pass' >"$pki/rem.pass" && give_user "$pki/rem.pass"
make_p12 "$pki/rem.p12" "$pki/rem.crt" "$pki/rem.key" tomcat "$pki/rem.pass" || fatal "make_p12 modern"
check_match "the default PKCS#12 is AES-256/PBKDF2 (OpenSSL 3)" "PBKDF2|AES-256" \
        "$(openssl pkcs12 -info -noout -in "$pki/rem.p12" -passin "file:$pki/rem.pass" 2>&1)"
check_match "keytool lists the default PKCS#12" "^Alias name: tomcat" \
        "$(keytool_list "$pki/rem.p12" 'k3y-st0re pass' 2>&1)"

tomcat_base "$WORK/tomcat" 8443 "$pki/rem.p12" "$pki/rem.pass" tomcat || fatal "tomcat_base"
tomcat_unit tomcat-rem.service "$WORK/tomcat" || fatal "tomcat_unit"
t0=$(now_ms)
check "Tomcat starts (the job ends when it serves)" user_systemctl start tomcat-rem.service
timing "tomcat-start" $(($(now_ms) - t0))
check "Tomcat serves the default PKCS#12, verified against the root" \
        tls_probe 127.0.0.1 8443 "$pki/ca.crt" rem.test.example
check_eq "it serves the leaf of the keystore" "$(cert_serial "$pki/rem.crt")" "$TLS_SERIAL"
check_fails "a name not in the SANs does not verify" \
        tls_probe 127.0.0.1 8443 "$pki/ca.crt" other.test.example
check_match "Tomcat serves ROOT/index.html over it" "certconf test tomcat on port 8443" \
        "$(https_get 127.0.0.1 8443 "$pki/ca.crt" rem.test.example /)"

# The agent's path: replace the keystore atomically, restart over D-Bus.
make_leaf "$pki" rem2 "DNS:rem.test.example" || fatal "make_leaf rem2"
make_p12 "$pki/rem2.p12" "$pki/rem2.crt" "$pki/rem2.key" tomcat "$pki/rem.pass" "" 3des ||
        fatal "make_p12 3des"
check_match "the -legacy-like PKCS#12 is 3DES/SHA-1" "3-key TripleDES|pbeWithSHA1And3-KeyTripleDES" \
        "$(openssl pkcs12 -info -noout -in "$pki/rem2.p12" -passin "file:$pki/rem.pass" 2>&1)"
check_match "keytool lists the 3DES PKCS#12" "^Alias name: tomcat" \
        "$(keytool_list "$pki/rem2.p12" 'k3y-st0re pass' 2>&1)"
mv -f "$pki/rem2.p12" "$pki/rem.p12"
check "Tomcat restarts with the 3DES keystore (sd-bus RestartUnit, JobRemoved done)" \
        bus_job RestartUnit tomcat-rem.service
timing "tomcat-restart-job" "$JOB_MS"
check "right after the restart job, Tomcat serves the new certificate" \
        tls_probe 127.0.0.1 8443 "$pki/ca.crt" rem.test.example
check_eq "the new leaf" "$(cert_serial "$pki/rem2.crt")" "$TLS_SERIAL"
check_match "Tomcat's log is in the journal" "Server startup in" \
        "$(journal_messages_wait "Server startup in" _SYSTEMD_USER_UNIT=tomcat-rem.service)"

head -c 2000 /dev/urandom >"$pki/rem.p12"
check_fails "a broken keystore fails the restart job" bus_job ReloadOrTryRestartUnit tomcat-rem.service
check_eq "JobRemoved says failed" failed "$JOB_RESULT"
timing "tomcat-failed-restart-job" "$JOB_MS"
check_eq "and leaves the unit failed" failed "$(unit_prop tomcat-rem.service ActiveState)"
check_fails "and nothing serves" tls_probe 127.0.0.1 8443 "$pki/ca.crt" rem.test.example
user_systemctl reset-failed tomcat-rem.service

# ---- (d) openssl s_server with a PEM chain -----------------------------------------
make_inter "$pki" xcap-ca || fatal "make_inter"
make_leaf "$pki" xcap "DNS:xcap.test.example" xcap-ca || fatal "make_leaf xcap"
sserver_unit xcap.service 8444 "$pki/xcap-chain.pem" "$pki/xcap.key" || fatal "sserver_unit"
t0=$(now_ms)
check "s_server starts" user_systemctl start xcap.service
timing "sserver-start" $(($(now_ms) - t0))
check "s_server serves the chain, verified against the root alone" \
        tls_probe 127.0.0.1 8444 "$pki/ca.crt" xcap.test.example
check_eq "the whole chain, leaf once" 2 "$TLS_CHAIN"
check_eq "its leaf" "$(cert_fp "$pki/xcap.crt")" "$TLS_FP"
check "ReloadOrTryRestartUnit restarts it (JobRemoved done)" \
        bus_job ReloadOrTryRestartUnit xcap.service
timing "sserver-restart-job" "$JOB_MS"
cp "$pki/rem.key" "$pki/xcap.key"
check_fails "a key that does not match fails the restart" \
        bus_job ReloadOrTryRestartUnit xcap.service
check_eq "JobRemoved says failed" failed "$JOB_RESULT"
check_match "and says why in the journal" "does not match the certificate" \
        "$(journal_messages_wait "does not match the certificate" SYSLOG_IDENTIFIER=sserver)"
