#!/usr/bin/env bash
# XCAP and BSF into PEM files (pem-chain + pem-key) served by ONE TLS unit
# (two `openssl s_server`s, XCAP on 8444 and BSF on 8445), which both
# services list. The agent's first start makes both self-signed
# certificates and starts the unit once; one upload carrying both CA-issued
# pairs restarts it exactly once (counted three ways: an ExecStartPre= that
# appends to a file, InvocationID, and the unit-signalled entries); a client
# trusting only the upload's root verifies both chains and names. A later
# upload that replaces only XCAP leaves BSF's files alone and restarts the
# unit once more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib.sh"

UNIT=mag-https.service
XPORT=8444
BPORT=8445
STARTS=$WORK/mag-https.starts
TG=$AGENT_TARGETS

agent_deployment || fatal "deployment.yaml"
mkdir -p "$TG/xcap" "$TG/bsf" && give_user "$TG"
agent_config <<EOF || fatal "agent_config"
services:
  xcap:
    units: [ $UNIT ]
    action: restart
    targets:
      - format: pem-chain
        path: targets/xcap/xcap-chain.pem
      - format: pem-key
        path: targets/xcap/xcap.key
  bsf:
    units: [ $UNIT ]
    action: restart
    targets:
      - format: pem-chain
        path: targets/bsf/bsf-chain.pem
      - format: pem-key
        path: targets/bsf/bsf.key
EOF
agent_unit_install || fatal "agent_unit_install"

# One unit, two TLS servers; each start appends a line to $STARTS.
tls_unit "$UNIT" "$STARTS" "$XPORT" "$TG/xcap/xcap-chain.pem" "$TG/xcap/xcap.key" \
        "$BPORT" "$TG/bsf/bsf-chain.pem" "$TG/bsf/bsf.key" || fatal "unit $UNIT"
starts() { unit_starts "$STARTS"; }

# ---- first start: both self-signed, the shared unit started once --------------------
check_eq "the TLS unit is not running before the agent" inactive "$(unit_prop "$UNIT" ActiveState)"
check "the agent starts (READY=1)" agent_start
check "the shared unit is signalled" agent_wait unit-signalled UNIT="$UNIT" 60
check_eq "one unit-signalled entry for the shared unit (XCAP and BSF both new)" 1 \
        "$(agent_count unit-signalled UNIT="$UNIT")"
check_eq "the shared unit was started once (action restart)" 1 "$(starts)"
check_eq "it is active" active "$(unit_prop "$UNIT" ActiveState)"
check_eq "two self-signed entries" 2 "$(agent_count self-signed)"
for svc in xcap bsf; do
        cp "$TG/$svc/$svc-chain.pem" "$WORK/$svc-self-signed.crt"
done
check "XCAP serves its self-signed certificate" \
        tls_probe 127.0.0.1 "$XPORT" "$WORK/xcap-self-signed.crt" "$AGENT_XCAP_HOST"
check "BSF serves its self-signed certificate" \
        tls_probe 127.0.0.1 "$BPORT" "$WORK/bsf-self-signed.crt" "$AGENT_BSF_HOST"

# ---- one upload carrying both --------------------------------------------------------
pki=$WORK/pki
make_ca "$pki" && make_inter "$pki" mag-ca || fatal "make_ca/make_inter"
make_leaf "$pki" xcap "DNS:$AGENT_XCAP_HOST" mag-ca && make_upload "$pki" xcap || fatal "xcap pair"
make_leaf "$pki" bsf "DNS:$AGENT_BSF_HOST" mag-ca && make_upload "$pki" bsf || fatal "bsf pair"
inv0=$(unit_prop "$UNIT" InvocationID)
ts0=$(unit_started "$UNIT")
agent_mark
t0=$(now_ms)
agent_upload xcap "$pki/xcap-cert.crt" "$pki/xcap-cert.key" &&
        agent_upload bsf "$pki/bsf-cert.crt" "$pki/bsf-cert.key" || fatal "agent_upload"
check "the shared unit is signalled" agent_wait unit-signalled UNIT="$UNIT" 60
timing "upload-to-unit-restarted" "$(($(now_ms) - t0))"
check "both services are installed" wait_until 10 test "$(agent_count installed)" -ge 2
agent_quiet 1000
check_eq "one unit-signalled entry for the shared unit" 1 "$(agent_count unit-signalled UNIT="$UNIT")"
check_eq "the unit was started exactly once more (ExecStartPre= count)" 2 "$(starts)"
check_ne "a new invocation" "$inv0" "$(unit_prop "$UNIT" InvocationID)"
check_ne "a new ExecMainStartTimestamp" "$ts0" "$(unit_started "$UNIT")"
check_eq "NRestarts stays 0 (no Restart= involved)" 0 "$(unit_prop "$UNIT" NRestarts)"
check_eq "it is active" active "$(unit_prop "$UNIT" ActiveState)"
check_eq "one upload-accepted entry each" "1 1" \
        "$(agent_count upload-accepted CERTCONF_SERVICE=xcap) $(agent_count upload-accepted CERTCONF_SERVICE=bsf)"
for svc in xcap bsf; do
        fp=$(cert_fp "$pki/$svc.crt")
        check_eq "$svc: one installed entry with the uploaded leaf's SHA-256" 1 \
                "$(agent_count installed CERTCONF_SERVICE="$svc" CERTCONF_SHA256="$fp")"
        check_eq "$svc: the chain file starts with the uploaded leaf" "$fp" "$(cert_fp "$TG/$svc/$svc-chain.pem")"
        check_eq "$svc: then the intermediate and the root, as uploaded" \
                "$(grep -c 'BEGIN CERTIFICATE' "$pki/$svc-cert.crt")" "$(grep -c 'BEGIN CERTIFICATE' "$TG/$svc/$svc-chain.pem")"
        a=$(openssl x509 -in "$pki/$svc.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)
        b=$(openssl pkey -in "$TG/$svc/$svc.key" -pubout -outform DER 2>/dev/null | sha256sum)
        check_eq "$svc: the key file holds the uploaded key" "$a" "$b"
        check_eq "$svc: modes 0644 (chain) and 0600 (key)" "644 600" \
                "$(stat -c %a "$TG/$svc/$svc-chain.pem") $(stat -c %a "$TG/$svc/$svc.key")"
done
check "XCAP serves the upload, verified against the root alone (-verify_hostname 3GPP name)" \
        tls_probe 127.0.0.1 "$XPORT" "$pki/ca.crt" "$AGENT_XCAP_HOST"
check_eq "XCAP's leaf is the uploaded one" "$(cert_fp "$pki/xcap.crt")" "$TLS_FP"
check_eq "XCAP sends leaf, intermediate and root" 3 "$TLS_CHAIN"
check_fails "XCAP's certificate does not pass for the BSF name" \
        tls_probe 127.0.0.1 "$XPORT" "$pki/ca.crt" "$AGENT_BSF_HOST"
check "BSF serves the upload, verified against the root alone (-verify_hostname 3GPP name)" \
        tls_probe 127.0.0.1 "$BPORT" "$pki/ca.crt" "$AGENT_BSF_HOST"
check_eq "BSF's leaf is the uploaded one" "$(cert_fp "$pki/bsf.crt")" "$TLS_FP"

# ---- a later upload of XCAP alone --------------------------------------------------------
bsf_ids="$(file_id "$TG/bsf/bsf-chain.pem") $(file_id "$TG/bsf/bsf.key")"
make_leaf "$pki" xcap2 "DNS:$AGENT_XCAP_HOST" mag-ca || fatal "xcap2"
cat "$pki/xcap2-chain.pem" "$pki/ca.crt" >"$pki/xcap2-cert.crt"
inv1=$(unit_prop "$UNIT" InvocationID)
agent_mark
agent_upload xcap "$pki/xcap2-cert.crt" "$pki/xcap2.key" || fatal "agent_upload xcap2"
check "the unit is signalled again" agent_wait unit-signalled UNIT="$UNIT" 60
check "XCAP is installed" agent_wait installed CERTCONF_SERVICE=xcap
agent_quiet 1000
check_eq "only XCAP is installed" "1 0" \
        "$(agent_count installed CERTCONF_SERVICE=xcap) $(agent_count installed CERTCONF_SERVICE=bsf)"
check_eq "BSF's files are not rewritten" "$bsf_ids" \
        "$(file_id "$TG/bsf/bsf-chain.pem") $(file_id "$TG/bsf/bsf.key")"
check_eq "the unit was started once more" 3 "$(starts)"
check_ne "a new invocation" "$inv1" "$(unit_prop "$UNIT" InvocationID)"
check "XCAP serves the new certificate" tls_probe 127.0.0.1 "$XPORT" "$pki/ca.crt" "$AGENT_XCAP_HOST"
check_eq "XCAP's new leaf" "$(cert_fp "$pki/xcap2.crt")" "$TLS_FP"
check "BSF still serves its upload" tls_probe 127.0.0.1 "$BPORT" "$pki/ca.crt" "$AGENT_BSF_HOST"
check_eq "BSF's leaf unchanged" "$(cert_fp "$pki/bsf.crt")" "$TLS_FP"

AGENT_MARK=$JOURNAL_CURSOR # the whole case
check_eq "no failure, rejection or error entries in the whole case" "0 0 0" \
        "$(agent_count unit-failed) $(agent_count upload-rejected) $(agent_count error)"
check "the agent stops cleanly" agent_stop
check "no sanitizer report on the agent's stderr" agent_sanitizer_clean
