#!/usr/bin/env bash
# certconfd apply, status and the agent's configuration errors, without
# systemd (no units): one reconcile per run, as scripts use it. Also: every
# MESSAGE_ID the daemon can log has a journal catalog entry, and the catalog
# parses. The agent against a real systemd and journald: tests/agent/.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/cli/lib.sh"

# ---- catalog ----------------------------------------------------------------

ids_code=$(grep -oE '"[0-9a-f]{32}"' "$top/daemon/log.c" | tr -d '"' | sort -u)
ids_catalog=$(sed -nE 's/^-- ([0-9a-f]{32})$/\1/p' "$top/systemd/certconf.catalog" | sort -u)
n_code=$(printf '%s\n' "$ids_code" | grep -c .)
if [ "$n_code" -ge 19 ] && [ "$ids_code" = "$ids_catalog" ]; then
        ok "catalog: the $n_code MESSAGE_IDs of daemon/log.c are exactly the catalog's"
else
        not_ok "catalog: MESSAGE_IDs differ: code only: $(comm -23 <(echo "$ids_code") <(echo "$ids_catalog") | tr '\n' ' ') catalog only: $(comm -13 <(echo "$ids_code") <(echo "$ids_catalog") | tr '\n' ' ')"
fi
mkdir -p root/usr/lib/systemd/catalog && cp "$top/systemd/certconf.catalog" root/usr/lib/systemd/catalog/
if journalctl --root=root --update-catalog 2>err &&
        [ "$(journalctl --root=root --list-catalog 2>/dev/null | grep -cE "^($(echo $ids_code | tr ' ' '|')) ")" -eq "$n_code" ]; then
        ok "catalog: journalctl --update-catalog reads every entry"
else
        not_ok "catalog: journalctl does not list every entry: $(cat err)"
fi

# ---- apply ------------------------------------------------------------------

mkroot root
mkleaf rem root "DNS:rem.example.com" 400
mkdir -p store targets/rem targets/xcap
echo "keystore-pw" >targets/rem/pass
cat >certconf.yaml <<'YAML'
store_dir: store
state_dir: state
services:
  rem:
    action: none
    targets:
      - format: pkcs12
        path: targets/rem/rem.p12
        password_file: targets/rem/pass
      - format: pem-chain
        path: targets/rem/chain.pem
  xcap:
    action: none
    targets:
      - format: pem-chain
        path: targets/xcap/chain.pem
      - format: pem-key
        path: targets/xcap/key.pem
YAML
cat >store/deployment.yaml <<'YAML'
mcc: 1
mnc: 1
services:
  rem:
    hosts: [rem.example.com]
YAML

apply() { "$CERTCONFD" apply --config certconf.yaml --log-target stderr "$@" 2>apply.err; }

apply
rc=$?
if [ $rc -eq 0 ] && [ -s targets/rem/rem.p12 ] && [ -s targets/xcap/key.pem ] &&
        [ "$(stat -c %a targets/xcap/key.pem)" = 600 ] && [ "$(stat -c %a targets/rem/rem.p12)" = 600 ]; then
        ok "apply on an empty store: exit 0, self-signed targets, keys 0600"
else
        not_ok "apply on an empty store: rc=$rc $(cat apply.err)"
fi
san=$(openssl x509 -in targets/xcap/chain.pem -noout -ext subjectAltName 2>/dev/null | tail -n 1 | tr -d ' ')
end=$(date -d "$(openssl x509 -in targets/xcap/chain.pem -noout -enddate | cut -d= -f2)" +%s)
days=$(((end - $(date +%s)) / 86400))
if [ "$san" = "DNS:xcap.ims.mnc001.mcc001.pub.3gppnetwork.org" ] && [ "$days" -ge 1824 ] && [ "$days" -le 1826 ]; then
        ok "the self-signed XCAP certificate: the 3GPP name from MCC/MNC, $days days"
else
        not_ok "the self-signed XCAP certificate: san=$san days=$days"
fi
grep -q "self-signed" apply.err && ok "apply logs the self-signed certificates on stderr" ||
        not_ok "apply's log: $(cat apply.err)"

fp_before=$(openssl x509 -in targets/xcap/chain.pem -noout -fingerprint -sha256)
ino_before=$(stat -c %i targets/xcap/chain.pem)
apply
rc=$?
if [ $rc -eq 0 ] && [ "$(openssl x509 -in targets/xcap/chain.pem -noout -fingerprint -sha256)" = "$fp_before" ] &&
        [ "$(stat -c %i targets/xcap/chain.pem)" = "$ino_before" ]; then
        ok "apply again: nothing recreated, nothing rewritten"
else
        not_ok "apply again recreated or rewrote: rc=$rc $(cat apply.err)"
fi

cat rem.crt root.crt >store/rem-cert.crt
cp rem.key store/rem-cert.key
apply
rc=$?
if [ $rc -eq 0 ] && [ "$(openssl x509 -in targets/rem/chain.pem -noout -fingerprint -sha256)" = "$(openssl x509 -in rem.crt -noout -fingerprint -sha256)" ] &&
        [ "$(openssl pkcs12 -in targets/rem/rem.p12 -passin pass:keystore-pw -nokeys -clcerts 2>/dev/null | openssl x509 -noout -fingerprint -sha256)" = "$(openssl x509 -in rem.crt -noout -fingerprint -sha256)" ]; then
        ok "apply with a good REM upload: both targets hold it"
else
        not_ok "apply with a good REM upload: rc=$rc $(cat apply.err)"
fi

if "$CERTCONFD" status --config certconf.yaml --json >status.json &&
        [ "$(jq -r '.services[] | select(.service=="rem") | .source' status.json)" = uploaded ] &&
        [ "$(jq -r '.services[] | select(.service=="xcap") | .source' status.json)" = self-signed ] &&
        [ "$(jq -r '.last_upload.result' status.json)" = accepted ]; then
        ok "status --json: rem uploaded, xcap self-signed, last upload accepted"
else
        not_ok "status --json: $(cat status.json)"
fi
"$CERTCONFD" status --config certconf.yaml >status.txt && grep -q "days left" status.txt &&
        ok "status: human form" || not_ok "status: $(cat status.txt)"

# A broken upload: the wrong key. Nothing changes; exit 1; the code is logged.
sum_before=$(cat targets/rem/* | sha256sum)
mkleaf other root "DNS:rem.example.com" 400
cp other.key store/rem-cert.key
apply
rc=$?
if [ $rc -eq 1 ] && [ "$(cat targets/rem/* | sha256sum)" = "$sum_before" ] && grep -q "KEY_MISMATCH" apply.err &&
        grep -q "upload rejected" apply.err; then
        ok "apply with the wrong key: exit 1, KEY_MISMATCH logged, every target unchanged"
else
        not_ok "apply with the wrong key: rc=$rc $(cat apply.err)"
fi
[ "$(jq -r '.last_upload.result' <("$CERTCONFD" status --config certconf.yaml --json))" = rejected ] &&
        ok "status: the last upload was rejected" || not_ok "status after the rejection"

# A symlink in the store pointing out of it is refused.
rm store/rem-cert.key
ln -s "$T/rem.key" store/rem-cert.key
apply
rc=$?
[ $rc -eq 1 ] && [ "$(cat targets/rem/* | sha256sum)" = "$sum_before" ] && grep -q "FILE_UNREADABLE" apply.err &&
        ok "a symlink in the store is refused" || not_ok "symlink: rc=$rc $(cat apply.err)"
rm store/rem-cert.key

# ---- configuration errors ---------------------------------------------------

printf 'store_dir: store\nservices:\n  rem:\n    targets:\n      - format: pkcs13\n        path: /x\n' >bad.yaml
"$CERTCONFD" agent --config bad.yaml --log-target stderr 2>bad.err
rc=$?
if [ $rc -eq 2 ] && grep -qE "bad.yaml:5:[0-9]+" bad.err && grep -q "pkcs13" bad.err; then
        ok "a bad configuration: the agent refuses to start, naming file, line and column"
else
        not_ok "bad configuration: rc=$rc $(cat bad.err)"
fi
"$CERTCONFD" agent --config nonexistent.yaml --log-target stderr 2>bad.err
[ $? -eq 2 ] && grep -q "nonexistent.yaml" bad.err && ok "a missing configuration is named (exit 2)" ||
        not_ok "missing configuration: $(cat bad.err)"

finish
