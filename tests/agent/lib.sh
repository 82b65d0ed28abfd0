# Helpers for the agent's integration cases (tests/agent/test-*.sh), which
# run as root inside run.sh's private namespaces, one fresh `systemd --user`
# manager per case, running as $TEST_USER, and one journald for the run.
# A case sources this file, makes what it needs in $WORK (cwd, owned by the
# test user) and asserts with check/check_eq/...; the counts are printed on
# exit as "checks: N passed, M failed", which run.sh reads.
#
# Environment (from inner.sh): TOP BUILD_DIR CERTCONFD TEST_USER TEST_UID
# TEST_GID TEST_HOME USER_RUNTIME_DIR WORK CASE_NAME CASE_DIR CASE_CGROUP
# AGENT_BIN JOURNAL_DIR JOURNAL_CURSOR.

set -uo pipefail

: "${USER_RUNTIME_DIR:?lib.sh runs under tests/agent/run.sh}"
cd "$WORK" || exit 1

PASS=0
FAIL=0
LIB_TMP=$(mktemp -d "$CASE_DIR/lib-XXXXXX")

# fd 7 is the case's real stdout: the traps below may run inside `check`,
# whose command's output goes to a temporary file.
exec 7>&1
lib_finish() {
        local rc=$?
        echo "checks: $PASS passed, $FAIL failed" >&7
        rm -rf "$LIB_TMP"
        [ "$rc" -ne 0 ] && exit "$rc"
        [ "$FAIL" -eq 0 ] || exit 1
        exit 0
}
trap lib_finish EXIT
# run.sh's per-case timeout sends TERM: still print the counts.
trap 'echo "FAIL terminated (the case timed out?)" >&7; exit 124' TERM

# ---- assertions -------------------------------------------------------------

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
# not_ok NAME [DETAIL...]: a failed check; the details are printed indented.
not_ok() {
        local name=$1
        shift
        FAIL=$((FAIL + 1))
        echo "FAIL $name"
        [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/       /'
        return 0
}

# check NAME CMD...: passes when CMD exits 0. CMD runs in this shell (a
# function may set variables); its output is shown only on failure.
check() {
        local name=$1 rc
        shift
        "$@" >"$LIB_TMP/out" 2>&1
        rc=$?
        if [ "$rc" -eq 0 ]; then
                ok "$name"
        else
                not_ok "$name" "exit $rc: $*" "$(tail -n 25 "$LIB_TMP/out")"
        fi
        return $rc
}

# check_fails NAME CMD...: passes when CMD exits nonzero.
check_fails() {
        local name=$1 rc
        shift
        "$@" >"$LIB_TMP/out" 2>&1
        rc=$?
        if [ "$rc" -ne 0 ]; then
                ok "$name"
                return 0
        fi
        not_ok "$name" "succeeded, expected a failure: $*" "$(tail -n 25 "$LIB_TMP/out")"
        return 1
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
        if [ "$2" = "$3" ]; then
                ok "$1"
        else
                not_ok "$1" "expected: '$2'" "actual:   '$3'"
                return 1
        fi
}

# check_ne NAME UNEXPECTED ACTUAL
check_ne() {
        if [ "$2" != "$3" ]; then
                ok "$1"
        else
                not_ok "$1" "both are '$3'"
                return 1
        fi
}

# check_match NAME ERE TEXT: TEXT has a line matching the extended regex.
check_match() {
        if printf '%s\n' "$3" | grep -qE -- "$2"; then
                ok "$1"
        else
                not_ok "$1" "no line matches /$2/ in:" "$(printf '%s\n' "$3" | tail -n 20)"
                return 1
        fi
}

# fatal MESSAGE: a failed check that makes the rest pointless; ends the case.
fatal() {
        not_ok "fatal: $*"
        exit 1
}

# now_ms; timing LABEL MS: prints "time LABEL: MS ms" (run.sh shows these).
now_ms() { echo $(($(date +%s%N) / 1000000)); }
timing() { echo "time $1: $2 ms"; }

# wait_until TIMEOUT_S CMD...: polls CMD every 0.1 s until it exits 0.
wait_until() {
        local deadline=$(($(date +%s%N) / 1000000 + $1 * 1000))
        shift
        until "$@" >/dev/null 2>&1; do
                [ "$(now_ms)" -ge "$deadline" ] && return 1
                sleep 0.1
        done
}

# ---- the test user and its manager ------------------------------------------

# as_user CMD...: runs CMD as the test user, with its manager's environment.
as_user() {
        setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --init-groups \
                env HOME="$TEST_HOME" USER="$TEST_USER" LOGNAME="$TEST_USER" \
                XDG_RUNTIME_DIR="$USER_RUNTIME_DIR" \
                DBUS_SESSION_BUS_ADDRESS="unix:path=$USER_RUNTIME_DIR/bus" "$@"
}

# give_user PATH...: the test user owns PATH (recursively).
give_user() { chown -R "$TEST_UID:$TEST_GID" "$@"; }

# user_systemctl ARGS...: systemctl --user as the test user.
user_systemctl() { as_user systemctl --user "$@"; }

# user_unit_install NAME CONTENT: writes ~/.config/systemd/user/NAME (CONTENT
# "-" reads stdin) as the test user, then daemon-reload.
user_unit_install() {
        local name=$1 content=$2 dir=$TEST_HOME/.config/systemd/user
        as_user mkdir -p "$dir" || return 1
        if [ "$content" = - ]; then
                content=$(cat)
        fi
        printf '%s\n' "$content" | as_user tee "$dir/$name" >/dev/null || return 1
        user_systemctl daemon-reload
}

# bus_job METHOD UNIT [MODE=replace] [TIMEOUT_S=120]: what the agent does:
# on the user bus, Subscribe(), METHOD(UNIT, MODE) (RestartUnit,
# ReloadOrTryRestartUnit, ...), wait for the job's JobRemoved. Prints
# "job ID UNIT RESULT MS ms", sets JOB_RESULT and JOB_MS; 0 only for "done".
bus_job() {
        local out rc
        out=$(as_user "$AGENT_BIN/jobwait" "$@" 2>&1)
        rc=$?
        printf '%s\n' "$out"
        # shellcheck disable=SC2034 # for the caller
        JOB_RESULT=$(printf '%s\n' "$out" | sed -nE 's/^job [0-9]+ [^ ]+ ([a-z]+) [0-9]+ ms$/\1/p')
        # shellcheck disable=SC2034
        JOB_MS=$(printf '%s\n' "$out" | sed -nE 's/^job [0-9]+ [^ ]+ [a-z]+ ([0-9]+) ms$/\1/p')
        return $rc
}

# unit_prop UNIT PROP: one property's value.
unit_prop() { user_systemctl show -p "$2" --value "$1"; }

# wait_active UNIT [TIMEOUT_S=30]: until ActiveState=active; fails at once on
# "failed", and on timeout, with the unit's status.
wait_active() {
        local unit=$1 deadline state
        deadline=$(($(now_ms) + ${2:-30} * 1000))
        while :; do
                state=$(unit_prop "$unit" ActiveState)
                [ "$state" = active ] && return 0
                if [ "$state" = failed ] || [ "$(now_ms)" -ge "$deadline" ]; then
                        echo "wait_active $unit: ActiveState=$state"
                        user_systemctl status --no-pager -n 20 "$unit" 2>&1
                        return 1
                fi
                sleep 0.1
        done
}

# ---- the journal --------------------------------------------------------------

# journal_json [FIELD=value... or other journalctl args]: this case's
# entries (from the journal's last entry before the case's manager started,
# excluded), one JSON object a line. (journalctl 252's --after-cursor drops
# the first entry that matches when matches are given; --cursor does not.)
journal_json() {
        if [ -z "${JOURNAL_CURSOR:-}" ]; then
                journalctl -D "$JOURNAL_DIR" -o json --no-pager -q "$@"
                return
        fi
        journalctl -D "$JOURNAL_DIR" -o json --no-pager -q --cursor="$JOURNAL_CURSOR" "$@" |
                jq -c --arg c "$JOURNAL_CURSOR" 'select(.__CURSOR != $c)'
}

# journal_tail [N=30]: the last N entries of this case, readable.
journal_tail() {
        journalctl -D "$JOURNAL_DIR" -o short-monotonic --no-pager -q \
                ${JOURNAL_CURSOR:+--cursor="$JOURNAL_CURSOR"} | tail -n "${1:-30}"
}

# journal_wait FIELD=value... [TIMEOUT_S=10]: waits until an entry of this
# case matches all the filters (journald works asynchronously) and prints
# the matching entries as JSON lines; on timeout, the journal's tail.
journal_wait() {
        local timeout=10 deadline out
        local args=("$@")
        if [ $# -gt 1 ] && [[ ${args[-1]} =~ ^[0-9]+$ ]]; then
                timeout=${args[-1]}
                unset 'args[-1]'
        fi
        deadline=$(($(now_ms) + timeout * 1000))
        while :; do
                out=$(journal_json "${args[@]}" 2>/dev/null)
                if [ -n "$out" ]; then
                        printf '%s\n' "$out"
                        return 0
                fi
                if [ "$(now_ms)" -ge "$deadline" ]; then
                        echo "journal_wait ${args[*]}: nothing after ${timeout} s; the journal's tail:" >&2
                        journal_tail 20 >&2
                        return 1
                fi
                sleep 0.1
        done
}

# journal_messages_wait ERE FIELD=value... : the MESSAGE of every entry of
# this case matching the filters, once one of them matches ERE or after
# 10 s. A unit's output reaches the journal through a stream that journald
# reads on its own schedule, possibly after the job that wrote it has ended:
# a check on it must wait (a slow CI machine saw it lag). A process that
# exits right after writing (an ExecStartPre= that refuses) may lose its
# _SYSTEMD_USER_UNIT: journald reads that from /proc after the process is
# gone. Filter such lines by SYSLOG_IDENTIFIER (from the stream itself).
journal_messages_wait() {
        local ere=$1 deadline out
        shift
        deadline=$(($(now_ms) + 10000))
        while :; do
                out=$(journal_json "$@" 2>/dev/null | jq -r '.MESSAGE // empty')
                if printf '%s\n' "$out" | grep -qE -- "$ere" || [ "$(now_ms)" -ge "$deadline" ]; then
                        printf '%s\n' "$out"
                        return 0
                fi
                sleep 0.1
        done
}

# journal_field JSON_LINES FIELD: FIELD of the last entry (jq).
journal_field() { printf '%s\n' "$1" | tail -n 1 | jq -r --arg f "$2" '.[$f] // empty'; }

# ---- certificates, as an operator makes them ----------------------------------

# make_ca DIR [NAME=ca]: self-signed root CA, DIR/NAME.crt and DIR/NAME.key.
make_ca() {
        local dir=$1 name=${2:-ca}
        mkdir -p "$dir" || return 1
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -out "$dir/$name.crt" \
                -days 3650 -subj "/C=NZ/O=certconf tests/CN=$name root" \
                -addext "basicConstraints=critical,CA:TRUE" \
                -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
        give_user "$dir"
}

# make_inter DIR NAME [ISSUER=ca]: intermediate CA signed by DIR/ISSUER.
make_inter() {
        local dir=$1 name=$2 issuer=${3:-ca}
        openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -out "$dir/$name.csr" \
                -subj "/C=NZ/O=certconf tests/CN=$name" 2>/dev/null || return 1
        printf '%s\n' "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
                "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" >"$dir/$name.ext"
        openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$issuer.crt" -CAkey "$dir/$issuer.key" \
                -CAcreateserial -days 1825 -sha256 -extfile "$dir/$name.ext" \
                -out "$dir/$name.crt" 2>/dev/null || return 1
        # what make_leaf appends after a leaf issued by NAME
        { cat "$dir/$name.crt"; [ -f "$dir/$issuer.chain" ] && cat "$dir/$issuer.chain"; } >"$dir/$name.chain"
        give_user "$dir"
}

# make_leaf DIR SVC SANS [ISSUER=ca] [DAYS=365]: server certificate
# (CA:FALSE, serverAuth, SANs like "DNS:xcap.example.org,IP:127.0.0.1"):
# DIR/SVC.crt, DIR/SVC.key (0600) and DIR/SVC-chain.pem (the leaf, then its
# issuers up to but without the root).
make_leaf() {
        local dir=$1 svc=$2 sans=$3 issuer=${4:-ca} days=${5:-365} cn
        cn=$(printf '%s' "$sans" | sed -nE 's/^(DNS|IP):([^,]*).*/\2/p')
        openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$svc.key" -out "$dir/$svc.csr" \
                -subj "/C=NZ/O=certconf tests/CN=${cn:-$svc}" 2>/dev/null || return 1
        {
                echo "basicConstraints=critical,CA:FALSE"
                echo "keyUsage=critical,digitalSignature,keyEncipherment"
                echo "extendedKeyUsage=serverAuth"
                echo "subjectKeyIdentifier=hash"
                echo "authorityKeyIdentifier=keyid:always"
                [ -n "$sans" ] && echo "subjectAltName=$sans"
        } >"$dir/$svc.ext"
        openssl x509 -req -in "$dir/$svc.csr" -CA "$dir/$issuer.crt" -CAkey "$dir/$issuer.key" \
                -CAcreateserial -days "$days" -sha256 -extfile "$dir/$svc.ext" \
                -out "$dir/$svc.crt" 2>/dev/null || return 1
        chmod 0600 "$dir/$svc.key"
        { cat "$dir/$svc.crt"; [ -f "$dir/$issuer.chain" ] && cat "$dir/$issuer.chain"; } >"$dir/$svc-chain.pem"
        give_user "$dir"
}

# make_p12 OUT CRT KEY ALIAS PASSFILE [CHAIN] [modern|3des]: a PKCS#12 as
# `openssl pkcs12 -export` makes it: OpenSSL 3's default (AES-256-CBC,
# PBKDF2, HMAC-SHA256 MAC) or the old 3DES/SHA-1 one older Java needed.
make_p12() {
        local out=$1 crt=$2 key=$3 alias=$4 passfile=$5 chain=${6:-} mode=${7:-modern}
        local extra=()
        [ -n "$chain" ] && extra+=(-certfile "$chain")
        [ "$mode" = 3des ] && extra+=(-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1)
        openssl pkcs12 -export -in "$crt" -inkey "$key" -name "$alias" \
                -passout "file:$passfile" -out "$out" "${extra[@]}" || return 1
        chmod 0600 "$out" && give_user "$out"
}

# cert_serial FILE / cert_fp FILE: serial (hex, as openssl prints it) and
# SHA-256 fingerprint of the first certificate in FILE.
cert_serial() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }
cert_fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^.*=//'; }

# keytool_list FILE PASSWORD: keytool's verbose listing of a PKCS#12 store.
keytool_list() { keytool -list -v -storetype PKCS12 -keystore "$1" -storepass "$2"; }

# ---- TLS, as a client sees it -------------------------------------------------

# tls_probe HOST PORT CAFILE NAME: handshake with SNI NAME, chain verified
# against CAFILE and the host name against NAME. Returns 0 only on "Verify
# return code: 0". Prints and sets TLS_SUBJECT, TLS_SERIAL, TLS_FP (SHA-256),
# TLS_CHAIN (certificates sent) and TLS_VERIFY.
tls_probe() {
        local host=$1 port=$2 ca=$3 name=$4 out leaf
        TLS_SUBJECT='' TLS_SERIAL='' TLS_FP='' TLS_CHAIN=0 TLS_VERIFY=''
        out=$(timeout 10 openssl s_client -connect "$host:$port" -CAfile "$ca" \
                -verify_hostname "$name" -servername "$name" -showcerts </dev/null 2>&1)
        leaf=$(printf '%s\n' "$out" | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' |
                sed '/-----END CERTIFICATE-----/q')
        TLS_CHAIN=$(printf '%s\n' "$out" | grep -c -- '-----BEGIN CERTIFICATE-----')
        TLS_VERIFY=$(printf '%s\n' "$out" | sed -n 's/^ *Verify return code: //p' | head -n 1)
        if [ -n "$leaf" ]; then
                TLS_SUBJECT=$(printf '%s\n' "$leaf" | openssl x509 -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
                TLS_SERIAL=$(printf '%s\n' "$leaf" | openssl x509 -noout -serial | sed 's/^serial=//')
                TLS_FP=$(printf '%s\n' "$leaf" | openssl x509 -noout -fingerprint -sha256 | sed 's/^.*=//')
        fi
        echo "tls $host:$port ($name): subject=$TLS_SUBJECT serial=$TLS_SERIAL sha256=$TLS_FP chain=$TLS_CHAIN verify=${TLS_VERIFY:-none}"
        if [ -z "$leaf" ]; then
                printf '%s\n' "$out" | tail -n 5
                return 1
        fi
        [ "$TLS_VERIFY" = "0 (ok)" ]
}

# https_get HOST PORT CAFILE NAME PATH: the response (headers and body) to
# a GET over a verified TLS connection.
https_get() {
        printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$5" "$4" |
                timeout 10 openssl s_client -quiet -connect "$1:$2" -CAfile "$3" \
                        -verify_hostname "$4" -servername "$4" -verify_return_error 2>/dev/null
}

# ---- Tomcat 10 ----------------------------------------------------------------

TOMCAT_HOME=/usr/share/tomcat10
JAVA_HOME_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")

# tomcat_base DIR PORT KEYSTORE PASSWORD_FILE ALIAS: a minimal CATALINA_BASE
# with one HTTPS connector on 127.0.0.1:PORT (NIO, JSSE) serving entry ALIAS
# of the PKCS#12 KEYSTORE; Tomcat reads the password from the first line of
# PASSWORD_FILE at each start. No shutdown port, no HTTP connector, a
# ROOT/index.html, conf/web.xml from the package.
tomcat_base() {
        local dir=$1 port=$2 ks=$3 pwf=$4 alias=$5 webxml
        mkdir -p "$dir"/{conf,logs,temp,work,webapps/ROOT} || return 1
        for webxml in /usr/share/tomcat10/etc/web.xml /etc/tomcat10/web.xml; do
                [ -r "$webxml" ] && break
        done
        cp "$webxml" "$dir/conf/web.xml" || return 1
        cat >"$dir/conf/server.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- certconf agent tests: one HTTPS connector, keystore written by the agent -->
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="$port" address="127.0.0.1"
               protocol="org.apache.coyote.http11.Http11NioProtocol"
               SSLEnabled="true" scheme="https" secure="true" maxThreads="10">
      <SSLHostConfig>
        <Certificate certificateKeystoreFile="$ks"
                     certificateKeystorePasswordFile="$pwf"
                     certificateKeyPasswordFile="$pwf"
                     certificateKeyAlias="$alias"
                     certificateKeystoreType="PKCS12"/>
      </SSLHostConfig>
    </Connector>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
EOF
        echo "certconf test tomcat on port $port" >"$dir/webapps/ROOT/index.html"
        echo "$port" >"$dir/conf/certconf-port"
        give_user "$dir"
}

# tomcat_unit NAME BASE: user unit NAME running Tomcat from BASE in the
# foreground. A start or restart job ends only when the connector completes
# a TLS handshake (ExecStartPost=wait-tls); a keystore Tomcat cannot use
# makes Tomcat exit (EXIT_ON_INIT_FAILURE), so the job and the unit fail.
tomcat_unit() {
        local name=$1 base=$2 port
        port=$(cat "$base/conf/certconf-port") || return 1
        user_unit_install "$name" "[Unit]
Description=Tomcat 10 for certconf tests ($base)

[Service]
Type=simple
Environment=CATALINA_HOME=$TOMCAT_HOME
Environment=CATALINA_BASE=$base
Environment=CATALINA_TMPDIR=$base/temp
Environment=JAVA_HOME=$JAVA_HOME_DIR
Environment=\"JAVA_OPTS=-Djava.awt.headless=true -XX:-UsePerfData -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m -Dorg.apache.catalina.startup.EXIT_ON_INIT_FAILURE=true\"
ExecStart=$TOMCAT_HOME/bin/catalina.sh run
ExecStartPost=$AGENT_BIN/wait-tls 127.0.0.1 $port 90
SuccessExitStatus=143
TimeoutStartSec=120
TimeoutStopSec=30"
}

# ---- openssl s_server (XCAP, BSF) -----------------------------------------------

# sserver_unit NAME PORT CERT KEY: user unit NAME serving the PEM chain CERT
# (leaf first, then issuers) with KEY on 127.0.0.1:PORT. ExecStartPre=
# validates and snapshots both (a bad certificate or key fails the start);
# the job ends when it serves.
sserver_unit() {
        local name=$1 port=$2 cert=$3 key=$4
        user_unit_install "$name" "[Unit]
Description=openssl s_server for certconf tests ($cert)

[Service]
Type=simple
RuntimeDirectory=%N
RuntimeDirectoryMode=0700
ExecStartPre=$AGENT_BIN/sserver check $cert $key %t/%N
ExecStart=$AGENT_BIN/sserver serve $port %t/%N
ExecStartPost=$AGENT_BIN/wait-tls 127.0.0.1 $port 30
TimeoutStartSec=60"
}

# ---- the real unit's hardening, for the agent under test ---------------------

# agent_unit_hardening: the [Service] lines of the real unit
# (systemd/certconfd.service.in) that apply to the agent under test, one a
# line: all but the settings the test replaces and those an unprivileged
# user manager refuses (AGENT_UNIT_DROPPED, each with its reason). A setting
# added to the real unit is copied unless it is listed there, so a setting
# that breaks the agent breaks these tests. What systemd 252's user manager
# makes of the rest: the seccomp family (SystemCallFilter=, RestrictAddressFamilies=,
# MemoryDenyWriteExecute=, LockPersonality=, RestrictNamespaces=, ...),
# NoNewPrivileges=, UMask=, WatchdogSec= and NotifyAccess= apply; the mount
# namespace settings (ProtectSystem=, PrivateTmp=, ProtectHome=, ...) are
# ignored without PrivateUsers= (with it, the namespace setup fails in this
# harness); PrivateNetwork=, PrivateIPC= and ProtectHostname= are ignored
# with a log line (no CAP_SYS_ADMIN).
AGENT_UNIT_DROPPED=(
        # the test's own: its build, --config and --user, Restart=no so that a
        # failure shows, a shorter start timeout
        ExecStart Restart RestartSec TimeoutStartSec
        # the real unit's paths (/var/lib/certconf, /etc/certconf and the
        # targets); the test's are under $WORK (see agent_unit_install)
        StateDirectory StateDirectoryMode ConfigurationDirectory
        ConfigurationDirectoryMode ReadWritePaths
        # these drop capabilities from the bounding set, which an unprivileged
        # manager cannot do (no CAP_SETPCAP): the start fails at step
        # CAPABILITIES (218); the test user has no capabilities to drop
        CapabilityBoundingSet PrivateDevices ProtectKernelModules ProtectKernelLogs ProtectClock
)
agent_unit_hardening() {
        local unit=$TOP/systemd/certconfd.service.in line key d section="" n=0 skip
        [ -f "$unit" ] || { echo "agent_unit_hardening: no $unit" >&2; return 1; }
        while IFS= read -r line || [ -n "$line" ]; do
                case $line in
                "[Service]") section=service && continue ;;
                "["*) section="" && continue ;;
                "" | "#"* | ";"*) continue ;;
                esac
                [ "$section" = service ] || continue
                key=${line%%=*}
                skip=
                for d in "${AGENT_UNIT_DROPPED[@]}"; do
                        [ "$key" = "$d" ] && skip=1
                done
                [ -n "$skip" ] && continue
                printf '%s\n' "$line"
                n=$((n + 1))
        done <"$unit"
        # Fewer than this: the parsing above is broken, not the unit.
        [ "$n" -ge 20 ] || { echo "agent_unit_hardening: only $n lines from $unit" >&2; return 1; }
}
