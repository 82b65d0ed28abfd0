#!/usr/bin/env bash
# REM on a real Tomcat 10: the agent writes the PKCS#12 keystore Tomcat
# serves (Tomcat reads the keystore and its password file at start) and a
# second, legacy-compat keystore of the same service. First Tomcat serves the
# agent's self-signed certificate; then a CA-issued REM pair (root ->
# intermediate -> leaf) is uploaded: the agent installs it into both
# keystores, restarts Tomcat once (default action try-reload-or-restart;
# Tomcat has no reload, so a restart), and a client that trusts only the
# upload's root verifies Tomcat's chain and host name and sees the uploaded
# leaf. keytool reads both keystores (modern: AES-256/PBKDF2; legacy:
# 3DES/SHA-1); the journal has upload-accepted, installed and unit-signalled
# (UNIT=) entries. Then the served keystore is reconfigured to compat:
# legacy (SIGHUP): rendered again, Tomcat restarted, and served. A new
# keystore password (SIGHUP): rendered again with it, Tomcat restarted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"

TOMCAT_UNIT=tomcat-rem.service
PORT=8443
PASS_FILE=$AGENT_DIR/rem.pass
PASSWORD='rem keystore: s3cret'

agent_deployment || fatal "deployment.yaml"
agent_config <<EOF || fatal "agent_config"
services:
  rem:
    units: [ $TOMCAT_UNIT ]
    targets:
      - format: pkcs12
        path: targets/rem.p12
        alias: tomcat
        password_file: rem.pass
        compat: modern
      - format: pkcs12
        path: targets/rem-legacy.p12
        alias: tomcat
        password_file: rem.pass
        compat: legacy
EOF
printf '%s\n' "$PASSWORD" >"$PASS_FILE" && chmod 0600 "$PASS_FILE" && give_user "$PASS_FILE"
agent_unit_install || fatal "agent_unit_install"
tomcat_base "$WORK/tomcat" "$PORT" "$AGENT_TARGETS/rem.p12" "$PASS_FILE" tomcat || fatal "tomcat_base"
tomcat_unit "$TOMCAT_UNIT" "$WORK/tomcat" || fatal "tomcat_unit"

# tls_probe_ip HOST PORT CAFILE: as tls_probe, the address verified as an IP SAN.
tls_probe_ip() {
        timeout 10 openssl s_client -connect "$1:$2" -CAfile "$3" -verify_ip "$1" \
                -verify_return_error </dev/null 2>&1 | grep -q '^ *Verify return code: 0 (ok)'
}

# ---- the agent first: it makes the self-signed keystore, Tomcat serves it ----------
check "the agent starts (READY=1)" agent_start
e=$(agent_wait installed CERTCONF_SERVICE=rem)
check_eq "the self-signed REM certificate is installed" 1 "$(printf '%s' "$e" | grep -c .)"
ss_fp=$(journal_field "$e" CERTCONF_SHA256)
e=$(agent_wait unit-signalled UNIT="$TOMCAT_UNIT")
check_match "Tomcat, not running yet, is left stopped (try-reload-or-restart)" "now inactive" \
        "$(journal_field "$e" MESSAGE)"
check_eq "so Tomcat is still inactive" inactive "$(unit_prop "$TOMCAT_UNIT" ActiveState)"

t0=$(now_ms)
check "Tomcat starts on the agent's keystore and password file" user_systemctl start "$TOMCAT_UNIT"
timing "tomcat-start" "$(($(now_ms) - t0))"
openssl pkcs12 -in "$AGENT_TARGETS/rem.p12" -passin "file:$PASS_FILE" -nokeys -clcerts \
        -out "$WORK/self-signed.crt" 2>/dev/null
check "Tomcat serves the self-signed certificate (verified against itself, host name too)" \
        tls_probe 127.0.0.1 "$PORT" "$WORK/self-signed.crt" "$AGENT_REM_HOST"
check_eq "... the one the agent logged" "$ss_fp" "$TLS_FP"
pki=$WORK/pki
make_ca "$pki" || fatal "make_ca"
check_fails "a client that trusts only the CA does not accept it yet" \
        tls_probe 127.0.0.1 "$PORT" "$pki/ca.crt" "$AGENT_REM_HOST"

# ---- a CA-issued upload ---------------------------------------------------------------
make_inter "$pki" rem-ca || fatal "make_inter"
make_leaf "$pki" rem "DNS:$AGENT_REM_HOST,IP:$AGENT_REM_IP" rem-ca || fatal "make_leaf"
make_upload "$pki" rem || fatal "make_upload"
leaf_fp=$(cert_fp "$pki/rem.crt")
leaf_serial=$(cert_serial "$pki/rem.crt")
check "the upload passes certconfd check (the agent's own checks, offline)" \
        "$CERTCONFD" check --service rem --deployment "$AGENT_STORE/deployment.yaml" \
        "$pki/rem-cert.crt" "$pki/rem-cert.key"

started0=$(unit_started "$TOMCAT_UNIT")
inv0=$(unit_prop "$TOMCAT_UNIT" InvocationID)
ks0=$(file_id "$AGENT_TARGETS/rem.p12")
agent_mark
t0=$(now_ms)
agent_upload rem "$pki/rem-cert.crt" "$pki/rem-cert.key" || fatal "agent_upload"
e=$(agent_wait unit-signalled UNIT="$TOMCAT_UNIT" 120)
check_eq "one unit-signalled entry for Tomcat" 1 "$(printf '%s' "$e" | grep -c .)"
timing "upload-to-tomcat-restarted" "$(($(now_ms) - t0))"
check_match "... that says it was restarted and is active" "signalled \(job done, now active\)" \
        "$(journal_field "$e" MESSAGE)"
check_eq "... with MESSAGE_ID unit-signalled" 3f087eae44044679b7a0465f7e04235a "$(journal_field "$e" MESSAGE_ID)"
check_ne "Tomcat was restarted (ExecMainStartTimestamp changed)" "$started0" "$(unit_started "$TOMCAT_UNIT")"
check_ne "... a new invocation" "$inv0" "$(unit_prop "$TOMCAT_UNIT" InvocationID)"
check_eq "Tomcat is active" active "$(unit_prop "$TOMCAT_UNIT" ActiveState)"
check_ne "the keystore was replaced" "$ks0" "$(file_id "$AGENT_TARGETS/rem.p12")"

check "Tomcat serves the upload, verified against the upload's root alone (-verify_hostname)" \
        tls_probe 127.0.0.1 "$PORT" "$pki/ca.crt" "$AGENT_REM_HOST"
check_eq "the served leaf is the uploaded one (SHA-256)" "$leaf_fp" "$TLS_FP"
check_eq "the served leaf is the uploaded one (serial)" "$leaf_serial" "$TLS_SERIAL"
if [ "$TLS_CHAIN" -ge 2 ]; then
        ok "Tomcat sends the intermediate too ($TLS_CHAIN certificates)"
else
        not_ok "Tomcat sends the intermediate too" "$TLS_CHAIN certificate(s) sent"
fi
check "the address is verified as an IP SAN too" tls_probe_ip 127.0.0.1 "$PORT" "$pki/ca.crt"
check_fails "the self-signed certificate no longer verifies" \
        tls_probe 127.0.0.1 "$PORT" "$WORK/self-signed.crt" "$AGENT_REM_HOST"
check_match "Tomcat serves ROOT/index.html over it" "certconf test tomcat on port $PORT" \
        "$(https_get 127.0.0.1 "$PORT" "$pki/ca.crt" "$AGENT_REM_HOST" /)"

# ---- the journal ------------------------------------------------------------------------
e=$(agent_events upload-accepted CERTCONF_SERVICE=rem)
check_eq "one upload-accepted entry for rem" 1 "$(printf '%s' "$e" | grep -c .)"
check_eq "... MESSAGE_ID upload-accepted" 096725e0200741bb9c325877df40784c "$(journal_field "$e" MESSAGE_ID)"
e=$(agent_events installed CERTCONF_SERVICE=rem)
check_eq "one installed entry for rem" 1 "$(printf '%s' "$e" | grep -c .)"
check_eq "... with the uploaded leaf's SHA-256" "$leaf_fp" "$(journal_field "$e" CERTCONF_SHA256)"
check_eq "... and its subject" "CN=$AGENT_REM_HOST,O=certconf tests,C=NZ" "$(journal_field "$e" CERTCONF_SUBJECT)"
check_eq "... and its notAfter" \
        "$(date -u -d "$(openssl x509 -in "$pki/rem.crt" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)" \
        "$(journal_field "$e" CERTCONF_NOT_AFTER)"
check_eq "since the upload: one unit-signalled and one installed entry in all" \
        "1 1" "$(agent_count unit-signalled) $(agent_count installed)"
check_eq "no rejection, failure or error entries" 0 \
        "$(($(agent_count upload-rejected) + $(agent_count unit-failed) + $(agent_count error) + $(agent_count install-failed)))"
check_eq "Tomcat started once since the upload" 1 \
        "$(JOURNAL_CURSOR=$AGENT_MARK journal_messages_wait "Server startup in" _SYSTEMD_USER_UNIT="$TOMCAT_UNIT" | grep -c 'Server startup in')"

# ---- both keystores, as keytool (Java) and openssl read them ----------------------------
for ks in rem rem-legacy; do
        list=$(keytool_list "$AGENT_TARGETS/$ks.p12" "$PASSWORD" 2>&1)
        check_match "keytool reads $ks.p12: alias tomcat" "^Alias name: tomcat$" "$list"
        check_match "keytool: $ks.p12 holds a private key entry" "^Entry type: PrivateKeyEntry$" "$list"
        check_match "keytool: $ks.p12 holds the whole chain" "^Certificate chain length: 3$" "$list"
        check_match "keytool: $ks.p12's first certificate is the uploaded leaf" \
                "SHA256: $leaf_fp" "$(printf '%s\n' "$list" | sed -n '/^Certificate\[1\]:/,/^Certificate\[2\]:/p')"
        check_eq "$ks.p12 is mode 0600" 600 "$(stat -c %a "$AGENT_TARGETS/$ks.p12")"
done
info_modern=$(openssl pkcs12 -info -noout -in "$AGENT_TARGETS/rem.p12" -passin "file:$PASS_FILE" 2>&1)
info_legacy=$(openssl pkcs12 -legacy -info -noout -in "$AGENT_TARGETS/rem-legacy.p12" -passin "file:$PASS_FILE" 2>&1)
check_match "rem.p12 (compat: modern) is AES-256 with PBKDF2" "PBKDF2.*AES-256|AES-256.*PBKDF2|PBES2, PBKDF2, AES-256-CBC" "$info_modern"
check_match "rem.p12 (compat: modern) has a SHA-256 MAC" "MAC: sha256" "$info_modern"
check_match "rem-legacy.p12 (compat: legacy) is 3DES" "pbeWithSHA1And3-KeyTripleDES-CBC" "$info_legacy"
check_match "rem-legacy.p12 (compat: legacy) has a SHA-1 MAC" "MAC: sha1" "$info_legacy"
if printf '%s\n' "$info_legacy" | grep -qE 'AES|PBKDF2'; then
        not_ok "rem-legacy.p12 uses nothing newer than 3DES/SHA-1" "$info_legacy"
else
        ok "rem-legacy.p12 uses nothing newer than 3DES/SHA-1"
fi

# ---- reconfigured to compat: legacy (SIGHUP): Tomcat serves the agent's 3DES keystore ---
sed -i '0,/compat: modern/s//compat: legacy/' "$AGENT_CONF"
started1=$(unit_started "$TOMCAT_UNIT")
check "SIGHUP: the agent reloads its configuration" agent_reload
check_eq "... config-reloaded, not config-invalid" "1 0" \
        "$(agent_count config-reloaded) $(agent_count config-invalid)"
check "the keystore is rendered again and Tomcat restarted" agent_wait unit-signalled UNIT="$TOMCAT_UNIT" 120
check_ne "Tomcat was restarted" "$started1" "$(unit_started "$TOMCAT_UNIT")"
check_match "rem.p12 is now 3DES" "pbeWithSHA1And3-KeyTripleDES-CBC" \
        "$(openssl pkcs12 -legacy -info -noout -in "$AGENT_TARGETS/rem.p12" -passin "file:$PASS_FILE" 2>&1)"
check "Tomcat serves the legacy keystore, verified against the upload's root" \
        tls_probe 127.0.0.1 "$PORT" "$pki/ca.crt" "$AGENT_REM_HOST"
check_eq "the same uploaded leaf" "$leaf_fp" "$TLS_FP"
check_eq "no self-signed or upload entry for a reconfiguration" "0 0" \
        "$(agent_count self-signed) $(agent_count upload-accepted)"

st=$(agent_status_json)
check_eq "status: rem is the upload" "uploaded $leaf_fp" \
        "$(jq -r '.services[] | select(.service == "rem") | "\(.source) \(.sha256)"' <<<"$st")"
check_eq "status: the last upload was accepted" accepted "$(jq -r '.last_upload.result' <<<"$st")"

# ---- a new keystore password (the file Tomcat reads too), then SIGHUP --------------------
# The operator changes the password: the keystore is rendered again with it
# and Tomcat restarted, so that Tomcat can open it at its next start.
NEW_PASSWORD='rem keystore: n3w s3cret'
printf '%s\n' "$NEW_PASSWORD" >"$PASS_FILE"
agent_mark
started2=$(unit_started "$TOMCAT_UNIT")
check "a new keystore password, then SIGHUP" agent_reload
check "the keystore is rendered again and Tomcat restarted" agent_wait unit-signalled UNIT="$TOMCAT_UNIT" 120
check_ne "Tomcat was restarted" "$started2" "$(unit_started "$TOMCAT_UNIT")"
check_match "keytool opens rem.p12 with the new password" "^Alias name: tomcat" \
        "$(keytool_list "$AGENT_TARGETS/rem.p12" "$NEW_PASSWORD" 2>&1)"
check_fails "and no longer with the old one" \
        openssl pkcs12 -legacy -info -noout -in "$AGENT_TARGETS/rem.p12" -passin "pass:$PASSWORD"
check "Tomcat serves with the new password" tls_probe 127.0.0.1 "$PORT" "$pki/ca.crt" "$AGENT_REM_HOST"
check_eq "the same uploaded leaf" "$leaf_fp" "$TLS_FP"
agent_mark
check "a second SIGHUP with the same password" agent_reload
agent_quiet
check_eq "renders nothing and restarts nothing" "0 0" \
        "$(agent_count installed) $(agent_count unit-signalled)"

check "the agent stops cleanly" agent_stop
check "no sanitizer report on the agent's stderr" agent_sanitizer_clean
