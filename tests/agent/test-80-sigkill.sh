#!/usr/bin/env bash
# The agent killed with SIGKILL at random points during an install, again
# and again. Three services, seven targets (PKCS#12 and PEM) and the agent's
# own copies and state; two of the services share a unit that takes a while
# to restart (the transaction stays open while it is signalled), the third
# signals nothing. Each round uploads the other of two valid sets (A, B),
# kills the agent 0-300 ms (one round in three: 300-1500 ms) after the
# upload settled, then checks:
#  - right after the kill: every target holds one set, old or new, never a
#    mix (while the install journal exists, a mix would only be allowed in
#    the instant between the renames: it is counted and must be rolled back);
#  - `certconfd apply` on an empty store (the agent's recovery, nothing
#    else): the old set if the journal was there, else as it was; no journal;
#  - the agent restarted: it converges on the store's upload (every target,
#    its copies, status), no journal, no temp file, and a "recovered" entry
#    when it had to roll back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent-lib-failures.sh"

ROUNDS=${CERTCONF_SIGKILL_ROUNDS:-15}
SETTLE_MS=100

pki=$WORK/pki
make_ca "$pki" || fatal "make_ca"
for set in A B; do
        for svc in s1 s2 s3; do
                make_leaf "$pki" "$svc-$set" "DNS:$svc.test.example" || fatal "make_leaf $svc-$set"
        done
done

store=$WORK/store state=$WORK/state tgt=$WORK/targets empty=$WORK/empty-store
mkdir -p "$store" "$empty" "$tgt"/{s1,s2,s3} || fatal "mkdir"
echo 'k3y-st0re pass' >"$WORK/s1.pass" && chmod 0600 "$WORK/s1.pass"
give_user "$store" "$empty" "$tgt" "$WORK/s1.pass"

# (no start rate limit: it is restarted every round)
user_unit_install slow.service "[Unit]
StartLimitIntervalSec=0

[Service]
ExecStartPre=/bin/sleep 0.2
ExecStart=/bin/sleep infinity" || fatal "slow.service"
user_systemctl start slow.service || fatal "start slow.service"

cat >"$WORK/certconf.yaml" <<EOF
store_dir: store
state_dir: state
settle_ms: $SETTLE_MS
unit_timeout_s: 30
trust: [ pki/ca.crt ]
services:
  s1:
    action: none
    profile: generic
    targets:
      - { format: pkcs12, path: targets/s1/s1.p12, password_file: s1.pass, compat: legacy }
      - { format: pem-cert, path: targets/s1/cert.pem }
  s2:
    units: [ slow.service ]
    action: restart
    profile: generic
    targets:
      - { format: pem-chain, path: targets/s2/chain.pem }
      - { format: pem-key, path: targets/s2/key.pem }
      - { format: pem-cert, path: targets/s2/cert.pem }
  s3:
    units: [ slow.service ]
    action: restart
    profile: generic
    targets:
      - { format: pem-chain, path: targets/s3/chain.pem }
      - { format: pem-key, path: targets/s3/key.pem }
EOF
give_user "$WORK/certconf.yaml"
af_agent_unit "$WORK/certconf.yaml" || fatal "agent unit"

# What each file of a set looks like: the SHA-256 of its first PEM block
# as OpenSSL writes it (what the agent writes: a certificate, or the key as
# PKCS#8), and the leaf's fingerprint (PKCS#12 keystores, the state file).
declare -A BLOCK FP
first_block() { sed -n '/-----BEGIN /,/-----END /p' "$1" 2>/dev/null | sed '/-----END /q' | sha256sum | cut -c1-64; }
for set in A B; do
        for svc in s1 s2 s3; do
                openssl x509 -in "$pki/$svc-$set.crt" >"$WORK/$svc-$set.crt.pem" &&
                        openssl pkey -in "$pki/$svc-$set.key" >"$WORK/$svc-$set.key.pem" || fatal "canonical PEM"
                BLOCK[$(first_block "$WORK/$svc-$set.crt.pem")]="$svc $set"
                BLOCK[$(first_block "$WORK/$svc-$set.key.pem")]="$svc $set"
                FP[$(cert_fp "$pki/$svc-$set.crt")]="$svc $set"
        done
done
# set_of SVC "SVC2 SET": SET if SVC2 is SVC; "?" for anything else (a
# missing or broken file, or another service's material).
set_of() {
        case $2 in
        "$1 A") echo A ;;
        "$1 B") echo B ;;
        *) echo "?" ;;
        esac
}
# sets: one line per file: "SET FILE" for every target, the agent's copies
# and its state file.
sets() {
        local svc f fp
        fp=$(af_fp "$tgt/s1/s1.p12" "$WORK/s1.pass")
        echo "$(set_of s1 "${FP[${fp:-none}]:-}") s1/s1.p12"
        for f in s1/cert.pem s2/chain.pem s2/cert.pem s3/chain.pem s2/key.pem s3/key.pem; do
                echo "$(set_of "${f%%/*}" "${BLOCK[$(first_block "$tgt/$f")]:-}") $f"
        done
        for svc in s1 s2 s3; do
                for f in "$svc.crt" "$svc.key"; do
                        echo "$(set_of $svc "${BLOCK[$(first_block "$state/material/$f")]:-}") material/$f"
                done
        done
        awk '/^\[/ { s = substr($0, 2, length($0) - 2) } /^fingerprint=/ { sub(/^fingerprint=/, ""); print s, $0 }' \
                "$state/installed" 2>/dev/null | while read -r svc fp; do
                echo "$(set_of "$svc" "${FP[$fp]:-}") installed[$svc]"
        done
}
# one_set LINES: the set all 16 lines name, else "mix: LINES".
one_set() {
        local u
        u=$(printf '%s\n' "$1" | cut -d' ' -f1 | sort -u)
        if [ "$(printf '%s\n' "$1" | wc -l)" -eq 16 ] && [ "$(printf '%s\n' "$u" | wc -l)" -eq 1 ] &&
                [ "$u" != "?" ]; then
                echo "$u"
        else
                echo "mix: $(printf '%s\n' "$1" | tr '\n' ' ')"
        fi
}
status_sets() {
        af_certconfd status --config "$WORK/certconf.yaml" --json |
                jq -r '.services[] | "\(.service) \(.sha256) \(.source) \(.failed_upload)"' |
                while read -r svc fp src failed; do
                        echo "$(set_of "$svc" "${FP[$fp]:-}") $svc $src failed=$failed"
                done
}
agent_dead() { [ "$(unit_prop certconfd.service ActiveState)" = failed ]; }
upload_set() {
        af_upload "$store" s1 "$pki/s1-$1-chain.pem" "$pki/s1-$1.key" s2 "$pki/s2-$1-chain.pem" "$pki/s2-$1.key" \
                s3 "$pki/s3-$1-chain.pem" "$pki/s3-$1.key"
}

# ---- set A installed ----------------------------------------------------------------
upload_set A || fatal "upload A"
check "the agent starts" af_agent_start
check_eq "set A is installed everywhere" A "$(one_set "$(sets)")"

# ---- the rounds -----------------------------------------------------------------------
declare -A outcome
bad=0
old=A
t_start=$(now_ms)
for round in $(seq "$ROUNDS"); do
        new=$([ "$old" = A ] && echo B || echo A)
        pid=$(af_agent_pid)
        # Round kinds, in turn: (1) 0-300 ms after the upload settled (check,
        # render, stage, rename); (2) the moment the install journal appears
        # (the renames come right after it); (3) 300-1500 ms (while the
        # shared unit restarts).
        upload_set "$new" || fatal "upload $new"
        t_settled=$(($(now_ms) + SETTLE_MS))
        case $((round % 3)) in
        1)
                delay=$((RANDOM % 301))
                sleep "$(printf '0.%03d' $((SETTLE_MS + delay)))"
                ;;
        2)
                # busy-wait (bash builtins only), at most 5 s
                end=$((${EPOCHREALTIME/./} + 5000000))
                until [ -e "$state/install.journal" ] || [ "${EPOCHREALTIME/./}" -gt "$end" ]; do :; done
                delay=journal
                ;;
        0)
                delay=$((300 + RANDOM % 1201))
                sleep "$(printf '%d.%03d' $(((SETTLE_MS + delay) / 1000)) $(((SETTLE_MS + delay) % 1000)))"
                ;;
        esac
        kill -KILL "$pid"
        if [ "$delay" = journal ]; then
                when="when the journal appeared, $(($(now_ms) - t_settled)) ms after settling"
        else
                when="$delay ms after settling"
        fi
        wait_until 10 agent_dead ||
                not_ok "round $round: the agent did not die"
        journal=no
        [ -e "$state/install.journal" ] && journal=yes
        pre=$(one_set "$(sets)")
        leftover_backups=$(find "$tgt" -name '*.certconf-old' | wc -l)
        case "$journal/$pre" in
        no/"$old") kind=before-install ;;
        no/"$new") kind=after-commit ;;
        yes/"$old") kind=staged ;;
        yes/"$new") kind=committed-unfinished ;;
        yes/mix*) kind=mid-rename ;;
        *) kind=broken ;;
        esac
        outcome[$kind]=$((${outcome[$kind]:-0} + 1))
        echo "round $round: $old -> $new, killed $when: $kind (journal $journal, $pre)"
        if [ "$kind" = broken ]; then
                not_ok "round $round: after the kill, no install journal and not one set" "$pre"
                bad=$((bad + 1))
        fi

        # odd rounds: the agent's recovery alone first (apply on an empty
        # store installs nothing); even rounds: the agent recovers itself
        if [ $((round % 2)) -eq 1 ]; then
                out=$(af_certconfd apply --config "$WORK/certconf.yaml" --user --log-target stderr "$empty" 2>&1)
                rc=$?
                post=$(one_set "$(sets)")
                want=$pre
                [ "$journal" = yes ] && want=$old
                if [ "$rc" -ne 0 ] || [ "$post" != "$want" ] || [ -e "$state/install.journal" ]; then
                        not_ok "round $round: recovery gives set $want" "apply exit $rc, files: $post" "$out"
                        bad=$((bad + 1))
                fi
                if [ "$journal" = yes ] && ! printf '%s\n' "$out" | grep -q "install was interrupted"; then
                        not_ok "round $round: apply says it rolled back an interrupted install" "$out"
                        bad=$((bad + 1))
                fi
        elif [ "$journal" = yes ]; then
                want_recovered=$((${want_recovered:-0} + 1))
        fi

        # the agent again: it converges on the store's upload
        user_systemctl reset-failed certconfd.service
        if ! af_agent_start; then
                not_ok "round $round: the agent starts again" "$(journal_tail 15)"
                bad=$((bad + 1))
                break
        fi
        conv=$(one_set "$(sets)")
        st=$(status_sets)
        temps=$(find "$tgt" "$state" -name '*.certconf-new')
        backups=$(find "$tgt" -name '*.certconf-old' | wc -l)
        # backups are removed by the next install of the path; only a kill
        # after the commit point (journal removed) leaves some behind
        if [ "$conv" != "$new" ] || [ -e "$state/install.journal" ] || [ -n "$temps" ] ||
                [ "$(printf '%s\n' "$st" | grep -c "^$new .* uploaded failed=false$")" -ne 3 ] ||
                { [ "$backups" -ne 0 ] && [ "$kind" != after-commit ]; }; then
                not_ok "round $round: converges on set $new" "files: $conv" "status: $st" \
                        "temps: $temps" "backups: $backups (before the restart: $leftover_backups)"
                bad=$((bad + 1))
        fi
        [ "$backups" -ne 0 ] && outcome[stale-backups]=$((${outcome[stale-backups]:-0} + 1))
        old=$new
done
timing "sigkill-rounds" $(($(now_ms) - t_start))
check_eq "$ROUNDS kills: never a mix, always recovered, always converged" 0 "$bad"
summary=$(for k in "${!outcome[@]}"; do printf '%s=%s ' "$k" "${outcome[$k]}"; done)
echo "time sigkill outcomes ($ROUNDS rounds: killed 0-300 ms after settling, when the install journal appeared, or 300-1500 ms): $summary"
check_ne "some kills landed inside the install transaction (journal present)" 0 \
        $((${outcome[staged]:-0} + ${outcome[committed-unfinished]:-0} + ${outcome[mid-rename]:-0}))
check_eq "the agent logged 'recovered' each time it found a journal itself" "${want_recovered:-0}" \
        "$(af_count recovered)"

check "the agent stops cleanly" af_agent_stop
check_eq "exit status 0" 0 "$(unit_prop certconfd.service ExecMainStatus)"
check "no sanitizer report" af_sanitizer_clean
