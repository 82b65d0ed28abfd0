#!/usr/bin/env bash
# First start on an empty store that holds only deployment.yaml: the agent
# makes three self-signed certificates (REM into a PKCS#12 keystore, XCAP and
# BSF into PEM files), each valid five years from now (notBefore a few
# minutes back), named from the deployment (REM's host and address, the
# 3GPP XCAP/BSF names from MCC/MNC), keyUsage digitalSignature +
# keyEncipherment, EKU serverAuth; one self-signed journal entry each;
# `status --json` shows them; READY=1 comes. A restart of the agent makes
# none again: same fingerprints, target files untouched (inode, mtime).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"

PASS_FILE=$AGENT_DIR/rem.pass
agent_deployment || fatal "deployment.yaml"
agent_config <<EOF || fatal "agent_config"
services:
  rem:
    action: none
    targets:
      - format: pkcs12
        path: targets/rem.p12
        alias: rem
        password_file: rem.pass
  xcap:
    action: none
    targets:
      - format: pem-chain
        path: targets/xcap-chain.pem
      - format: pem-key
        path: targets/xcap.key
  bsf:
    action: none
    targets:
      - format: pem-chain
        path: targets/bsf-chain.pem
      - format: pem-key
        path: targets/bsf.key
EOF
echo 'first-start keystore pass' >"$PASS_FILE" && chmod 0600 "$PASS_FILE" && give_user "$PASS_FILE"
agent_unit_install || fatal "agent_unit_install"

check_fails "nothing is installed before the agent runs" test -e "$AGENT_TARGETS/rem.p12"
t0=$(now_ms)
check "the agent starts and reports READY=1 (Type=notify start job done)" agent_start
timing "first-start-to-ready" "$(($(now_ms) - t0))"
check_eq "the unit is active" active "$(unit_prop "$AGENT_UNIT" ActiveState)"
status_text=$(unit_prop "$AGENT_UNIT" StatusText)
check_match "STATUS= names the three services as self-signed" \
        '^rem: self-signed, 182[56] days left; xcap: self-signed, 182[56] days left; bsf: self-signed, 182[56] days left$' \
        "$status_text"

# ---- the certificates as installed ------------------------------------------------
pem=$WORK/pem
mkdir -p "$pem"
openssl pkcs12 -in "$AGENT_TARGETS/rem.p12" -passin "file:$PASS_FILE" -nokeys -clcerts \
        -out "$pem/rem.crt" 2>/dev/null || not_ok "the REM keystore opens with its password"
openssl pkcs12 -in "$AGENT_TARGETS/rem.p12" -passin "file:$PASS_FILE" -nocerts -nodes \
        -out "$pem/rem.key" 2>/dev/null || not_ok "the REM keystore holds the key"
cp "$AGENT_TARGETS/xcap-chain.pem" "$pem/xcap.crt"
cp "$AGENT_TARGETS/bsf-chain.pem" "$pem/bsf.crt"
cp "$AGENT_TARGETS/xcap.key" "$pem/xcap.key"
cp "$AGENT_TARGETS/bsf.key" "$pem/bsf.key"

now=$(date +%s)
declare -A FP SERIAL
for svc in rem xcap bsf; do
        crt=$pem/$svc.crt
        check_eq "$svc: one certificate, self-signed (no issuers)" 1 "$(grep -c 'BEGIN CERTIFICATE' "$crt")"
        text=$(openssl x509 -in "$crt" -noout -text 2>&1)
        subj=$(openssl x509 -in "$crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
        issuer=$(openssl x509 -in "$crt" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
        check_eq "$svc: issuer = subject" "$subj" "$issuer"
        check "$svc: its signature verifies with its own key" \
                openssl verify -CAfile "$crt" -check_ss_sig -purpose sslserver "$crt"
        nb=$(date -d "$(openssl x509 -in "$crt" -noout -startdate | cut -d= -f2)" +%s)
        na=$(date -d "$(openssl x509 -in "$crt" -noout -enddate | cut -d= -f2)" +%s)
        back=$((now - nb))
        if [ "$back" -ge 60 ] && [ "$back" -le 900 ]; then
                ok "$svc: notBefore a few minutes in the past ($back s)"
        else
                not_ok "$svc: notBefore a few minutes in the past" "now - notBefore = $back s"
        fi
        days=$(((na - now + 43200) / 86400))
        check_eq "$svc: notAfter - now = 1826 days (5 years)" 1826 "$days"
        check_match "$svc: SHA-256 signature" "Signature Algorithm: sha256WithRSAEncryption" "$text"
        check_match "$svc: RSA 2048 key" "Public-Key: \(2048 bit\)" "$text"
        check_match "$svc: X.509 v3" "Version: 3 \(0x2\)" "$text"
        ku=$(openssl x509 -in "$crt" -noout -ext keyUsage 2>/dev/null)
        check_match "$svc: keyUsage critical" "X509v3 Key Usage: critical" "$ku"
        check_eq "$svc: keyUsage digitalSignature, keyEncipherment" "Digital Signature, Key Encipherment" \
                "$(printf '%s\n' "$ku" | sed -n '2s/^ *//p')"
        check_eq "$svc: EKU serverAuth" "TLS Web Server Authentication" \
                "$(openssl x509 -in "$crt" -noout -ext extendedKeyUsage 2>/dev/null | sed -n '2s/^ *//p')"
        check_match "$svc: basicConstraints CA:FALSE" "CA:FALSE" \
                "$(openssl x509 -in "$crt" -noout -ext basicConstraints 2>/dev/null)"
        SERIAL[$svc]=$(cert_serial "$crt")
        if [ "${#SERIAL[$svc]}" -ge 24 ] && [ "${#SERIAL[$svc]}" -le 32 ]; then
                ok "$svc: a long random serial (${SERIAL[$svc]})"
        else
                not_ok "$svc: a long random serial" "serial ${SERIAL[$svc]}"
        fi
        FP[$svc]=$(cert_fp "$crt")
        a=$(openssl x509 -in "$crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)
        b=$(openssl pkey -in "$pem/$svc.key" -pubout -outform DER 2>/dev/null | sha256sum)
        check_eq "$svc: the installed key belongs to the certificate" "$a" "$b"
done
check_ne "the serials differ (rem, xcap)" "${SERIAL[rem]}" "${SERIAL[xcap]}"
check_ne "the serials differ (xcap, bsf)" "${SERIAL[xcap]}" "${SERIAL[bsf]}"

sans() { openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | sed -n '2s/^ *//p'; }
check_eq "rem: SANs = the deployment's host and address" \
        "DNS:$AGENT_REM_HOST, IP Address:$AGENT_REM_IP" "$(sans "$pem/rem.crt")"
check_eq "xcap: SAN = the 3GPP name from MCC/MNC" "DNS:$AGENT_XCAP_HOST" "$(sans "$pem/xcap.crt")"
check_eq "bsf: SAN = the 3GPP name from MCC/MNC" "DNS:$AGENT_BSF_HOST" "$(sans "$pem/bsf.crt")"
subject_of() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/^subject=//'; }
check_eq "rem: subject from the deployment" \
        "CN=$AGENT_REM_HOST,OU=agent cases,O=certconf tests,C=NZ" "$(subject_of "$pem/rem.crt")"
check_eq "xcap: subject from the deployment" \
        "CN=$AGENT_XCAP_HOST,OU=agent cases,O=certconf tests,C=NZ" "$(subject_of "$pem/xcap.crt")"
check_eq "bsf: subject from the deployment" \
        "CN=$AGENT_BSF_HOST,OU=agent cases,O=certconf tests,C=NZ" "$(subject_of "$pem/bsf.crt")"
check_match "the keystore entry has the configured alias" "^Alias name: rem$" \
        "$(keytool_list "$AGENT_TARGETS/rem.p12" "$(head -n 1 "$PASS_FILE")" 2>&1)"

check_eq "the key files are 0600" "600 600 600" \
        "$(stat -c %a "$AGENT_TARGETS/rem.p12" "$AGENT_TARGETS/xcap.key" "$AGENT_TARGETS/bsf.key" | tr '\n' ' ' | sed 's/ $//')"
check_eq "the chain files are 0644" "644 644" \
        "$(stat -c %a "$AGENT_TARGETS/xcap-chain.pem" "$AGENT_TARGETS/bsf-chain.pem" | tr '\n' ' ' | sed 's/ $//')"
check_eq "nothing written into the store" "deployment.yaml" "$(ls -A "$AGENT_STORE")"

# ---- the journal ---------------------------------------------------------------------
check "a started entry" agent_wait started
for svc in rem xcap bsf; do
        e=$(agent_events self-signed CERTCONF_SERVICE="$svc")
        check_eq "$svc: exactly one self-signed entry" 1 "$(printf '%s' "$e" | grep -c .)"
        check_eq "$svc: its MESSAGE_ID" 95453ab6320749b2823b8343cbdfc9c9 "$(journal_field "$e" MESSAGE_ID)"
        check_eq "$svc: its CERTCONF_SHA256 is the installed certificate's" "${FP[$svc]}" \
                "$(journal_field "$e" CERTCONF_SHA256)"
        check_eq "$svc: its CERTCONF_SUBJECT" "$(subject_of "$pem/$svc.crt")" "$(journal_field "$e" CERTCONF_SUBJECT)"
        check_eq "$svc: its CERTCONF_NOT_AFTER" \
                "$(date -u -d "$(openssl x509 -in "$pem/$svc.crt" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)" \
                "$(journal_field "$e" CERTCONF_NOT_AFTER)"
        check_eq "$svc: one installed entry with that fingerprint" 1 \
                "$(agent_count installed CERTCONF_SERVICE="$svc" CERTCONF_SHA256="${FP[$svc]}")"
done
check_eq "three self-signed entries in all" 3 "$(agent_count self-signed)"
check_eq "no upload entries (nothing was uploaded)" 0 \
        "$(($(agent_count upload-seen) + $(agent_count upload-rejected) + $(agent_count upload-accepted)))"
check_eq "no error entries" 0 "$(agent_count error)"

# ---- certconfd status --json --------------------------------------------------------
st=$(agent_status_json)
check "status --json is JSON" jq -e . <<<"$st"
for svc in rem xcap bsf; do
        check_eq "status: $svc self-signed with its fingerprint" "true self-signed ${FP[$svc]}" \
                "$(jq -r --arg s "$svc" '.services[] | select(.service == $s) | "\(.installed) \(.source) \(.sha256)"' <<<"$st")"
done
check_eq "status: rem's SANs" "$AGENT_REM_HOST $AGENT_REM_IP" \
        "$(jq -r '.services[] | select(.service == "rem") | .sans | join(" ")' <<<"$st")"
check_match "status: xcap has 1825 full days left" '^182[56]$' \
        "$(jq -r '.services[] | select(.service == "xcap") | .days_left' <<<"$st")"

# ---- a restart recreates nothing ------------------------------------------------------
declare -A ID
targets=(rem.p12 xcap-chain.pem xcap.key bsf-chain.pem bsf.key)
for f in "${targets[@]}"; do ID[$f]=$(file_id "$AGENT_TARGETS/$f"); done
state_before=$(file_id "$AGENT_STATE/installed")
pid1=$(agent_pid)
sleep 1.1 # a rewrite would now show in the mtime even on a coarse clock
agent_mark
check "the agent stops cleanly (SIGTERM, exit 0)" agent_stop
check "a stopping entry" agent_wait stopping
t0=$(now_ms)
check "it starts again and reports READY=1" agent_start
timing "restart-to-ready" "$(($(now_ms) - t0))"
check_ne "a new process" "$pid1" "$(agent_pid)"
check "a second started entry" agent_wait started
agent_quiet 500
for f in "${targets[@]}"; do
        check_eq "after the restart, $f is not rewritten (inode, mtime, size, content)" "${ID[$f]}" \
                "$(file_id "$AGENT_TARGETS/$f")"
done
check_eq "the state file is not rewritten" "$state_before" "$(file_id "$AGENT_STATE/installed")"
check_eq "no self-signed entry after the restart" 0 "$(agent_count self-signed)"
check_eq "no installed entry after the restart" 0 "$(agent_count installed)"
st=$(agent_status_json)
for svc in rem xcap bsf; do
        check_eq "status after the restart: $svc keeps its fingerprint" "${FP[$svc]}" \
                "$(jq -r --arg s "$svc" '.services[] | select(.service == $s) | .sha256' <<<"$st")"
done

check "the agent stops cleanly at the end" agent_stop
check "no sanitizer report on the agent's stderr" agent_sanitizer_clean
