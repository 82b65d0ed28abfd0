#!/usr/bin/env bash
# tests/pkg/run.sh: the packages, built from the working tree. `make deb`,
# then the .deb unpacked into a throwaway root (dpkg -x): every file where
# the unit and the docs say, the conffile, the maintainer scripts' choices,
# `certconfd --version` from there, `systemd-analyze verify` (clean) and
# `security --offline=yes` (exposure printed, at most 1.5) on its unit,
# the unit's CapabilityBoundingSet= exactly what an install for another
# user needs (root only), `lintian` (no errors; every warning justified in
# packaging/README.md); `make rpm` and `rpm -qlp`, and `make install`, with
# the same files. One line per check, then "pkg: N passed, M failed".
# Not root: the capability checks are skipped, loudly (CI runs as root).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# Run from `make check`, the caller's MAKEFLAGS and its command-line
# variables (make exports SAN=1 and O=build/san into the environment) would
# reach the package builds.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES SAN FUZZ O

T=$(mktemp -d "${TMPDIR:-/tmp}/certconf-pkg-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
chmod 0755 "$T"

PASS=0
FAIL=0
SKIP=0
ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
skip() { SKIP=$((SKIP + 1)); echo "SKIP $*"; }
finish() {
        echo "pkg: total $(($(now_ms) - T0)) ms"
        if [ "$SKIP" -gt 0 ]; then
                echo "pkg: $PASS passed, $FAIL failed, $SKIP skipped"
        else
                echo "pkg: $PASS passed, $FAIL failed"
        fi
        [ "$FAIL" -eq 0 ]
        exit
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# show FILE: its last lines, indented (after a failure).
show() { tail -n "${2:-15}" "$1" | sed 's/^/    | /'; }
T0=$(now_ms)

VERSION=$(sed -nE 's/^VERSION *:= *([^ ]+)$/\1/p' Makefile)
ARCH=$(dpkg --print-architecture)
ROOT_USER=
[ "$(id -u)" -eq 0 ] && ROOT_USER=1

# ---- the .deb ----------------------------------------------------------------

DEB=build/certconf_${VERSION}_$ARCH.deb
rm -f "$DEB"
t=$(now_ms)
if make --no-print-directory deb >"$T/deb.log" 2>&1 && [ -f "$DEB" ]; then
        ok "make deb: $DEB in $(($(now_ms) - t)) ms"
else
        not_ok "make deb failed"
        show "$T/deb.log" 30
        finish
fi
# The Debian build flags and the project's warnings, no sanitizer.
if grep -qE '^cc .*-Werror .*-D_FORTIFY_SOURCE=[0-9].*-fstack-protector-strong' "$T/deb.log" &&
        ! grep -q -- '-fsanitize' "$T/deb.log"; then
        ok "the package is built with -Werror and Debian's hardening flags, without sanitizers"
else
        not_ok "the package's compiler flags: $(grep -m1 '^cc ' "$T/deb.log")"
fi

deb_version=$(dpkg-deb -f "$DEB" Version)
changelog_version=$(sed -nE '1s/^certconf \(([^)]+)\).*/\1/p' packaging/debian/changelog)
spec_version=$(sed -nE 's/^Version: *([^ ]+)$/\1/p' packaging/rpm/certconf.spec)
if [ "$deb_version" = "$VERSION" ] && [ "$changelog_version" = "$VERSION" ] && [ "$spec_version" = "$VERSION" ]; then
        ok "version $VERSION in the Makefile, debian/changelog, the spec and the .deb"
else
        not_ok "versions: Makefile $VERSION, changelog $changelog_version, spec $spec_version, .deb $deb_version"
fi

R=$T/root
if ! { mkdir -p "$R" && dpkg -x "$DEB" "$R" && dpkg-deb -e "$DEB" "$T/control"; }; then
        not_ok "dpkg -x $DEB"
        finish
fi

# Every file the unit and the docs name, by path.
expect_file() { # PATH WHY
        if [ -f "$R$1" ]; then ok "$1 ($2)"; else not_ok "$1 missing ($2)"; fi
}
expect_file /usr/sbin/certconfd "the binary"
expect_file /lib/systemd/system/certconfd.service "the unit, where Debian 12 keeps units"
expect_file /usr/lib/systemd/catalog/certconf.catalog "the journal catalog"
expect_file /usr/lib/tmpfiles.d/certconf.conf "tmpfiles.d: the store"
expect_file /etc/certconf/certconf.yaml "the configuration"
expect_file /usr/share/man/man8/certconfd.8.gz "certconfd(8)"
expect_file /usr/share/man/man5/certconf.yaml.5.gz "certconf.yaml(5)"
expect_file /usr/share/doc/certconf/README.md "README, uncompressed: the catalog's Support= path"
expect_file /usr/share/doc/certconf/deployment-yaml.md "the deployment YAML reference"
expect_file /usr/share/doc/certconf/copyright "DEP-5 copyright"

if [ -x "$R/usr/sbin/certconfd" ] && cmp -s "$R/usr/lib/systemd/catalog/certconf.catalog" systemd/certconf.catalog &&
        cmp -s "$R/etc/certconf/certconf.yaml" etc/certconf.yaml &&
        cmp -s "$R/usr/lib/tmpfiles.d/certconf.conf" systemd/certconf.tmpfiles; then
        ok "the binary is executable; catalog, configuration and tmpfiles.d are the tree's"
else
        not_ok "the binary's mode or the catalog, configuration or tmpfiles.d content differ from the tree's"
fi
out=$("$R/usr/sbin/certconfd" --version 2>&1)
if [ "$out" = "certconfd $VERSION" ]; then
        ok "certconfd --version from the unpacked package: $out"
else
        not_ok "certconfd --version from the unpacked package: '$out'"
fi

unit=$R/lib/systemd/system/certconfd.service
exec_start=$(sed -nE 's/^ExecStart=([^ ]+).*/\1/p' "$unit")
if [ "$exec_start" = /usr/sbin/certconfd ] && [ -x "$R$exec_start" ]; then
        ok "the unit's ExecStart= is the packaged binary ($exec_start)"
else
        not_ok "the unit's ExecStart= '$exec_start' is not the packaged binary"
fi
support=$(sed -nE 's/^Support: *(\/[^ ]+)$/\1/p' systemd/certconf.catalog | sort -u)
if [ -n "$support" ] && [ "$(printf '%s\n' "$support" | wc -l)" -eq 1 ] && [ -f "$R$support" ]; then
        ok "the catalog's Support= file is in the package ($support)"
else
        not_ok "the catalog's Support= '$support' is not in the package"
fi

# Every install target of the shipped configuration is in a directory the
# unit makes writable, and the package ships the ones under /etc/certconf.
rw=$(sed -nE 's/^ReadWritePaths=//p' "$unit" | tr ' ' '\n' | sed 's/^-//' | grep .)
bad=
while read -r p; do
        d=$(dirname "$p")
        printf '%s\n' "$rw" | grep -qxF "$d" || bad+=" $p(not in ReadWritePaths=)"
        case $d in /etc/certconf/*) [ -d "$R$d" ] || bad+=" $d(not shipped)" ;; esac
done < <(sed -nE 's/^ *path: *([^ #]+).*/\1/p' etc/certconf.yaml)
if [ -z "$bad" ] && [ -n "$rw" ]; then
        ok "every target of certconf.yaml lies in the unit's ReadWritePaths= ($(printf '%s\n' "$rw" | paste -sd ' '))"
else
        not_ok "targets of certconf.yaml:$bad"
fi

# ---- the maintainer scripts ----------------------------------------------------------

c=$T/control
if grep -qx /etc/certconf/certconf.yaml "$c/conffiles"; then
        ok "/etc/certconf/certconf.yaml is a conffile"
else
        not_ok "conffiles: $(cat "$c/conffiles" 2>/dev/null)"
fi
if grep -q "deb-systemd-helper enable 'certconfd.service'" "$c/postinst" &&
        grep -q "deb-systemd-invoke try-restart 'certconfd.service'" "$c/postinst" &&
        ! grep -qE 'deb-systemd-invoke (start|restart) ' "$c/postinst"; then
        ok "postinst: enables the unit (also without systemd), does not start it, try-restarts it after an upgrade"
else
        not_ok "postinst: enable/start/restart not as packaging/README.md says"
fi
if grep -q 'journalctl --update-catalog' "$c/postinst" && grep -q 'journalctl --update-catalog' "$c/postrm" &&
        grep -q 'systemd-tmpfiles .*--create certconf.conf' "$c/postinst" &&
        grep -q 'deb-systemd-invoke stop certconfd.service' "$c/prerm" &&
        grep -q "deb-systemd-helper purge 'certconfd.service'" "$c/postrm"; then
        ok "postinst/postrm update the catalog; postinst makes the store (tmpfiles); prerm stops, postrm purges the unit"
else
        not_ok "maintainer scripts: catalog, tmpfiles, stop on removal or purge missing"
fi

# ---- the unit ------------------------------------------------------------------------

# verify: a copy whose ExecStart= is the unpacked binary, man pages looked up
# in the unpacked tree (Documentation=man:...).
mkdir -p "$T/verify"
sed "s|^ExecStart=/usr/sbin/certconfd|ExecStart=$R/usr/sbin/certconfd|" "$unit" >"$T/verify/certconfd.service"
out=$(MANPATH=$R/usr/share/man systemd-analyze verify "$T/verify/certconfd.service" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
        ok "systemd-analyze verify: clean (binary and man pages from the package)"
else
        not_ok "systemd-analyze verify (exit $rc):"
        printf '%s\n' "$out" | sed 's/^/    | /'
fi

systemd-analyze security --offline=yes "$unit" >"$T/security" 2>&1
exposure=$(sed -nE 's/.*Overall exposure level for [^:]*: ([0-9]+\.[0-9]+).*/\1/p' "$T/security")
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 1.5) }'; then
        ok "systemd-analyze security --offline=yes: exposure $exposure (at most 1.5)"
        grep '^✗' "$T/security" | sed -E 's/  +/ /g; s/^/    exposed: /'
else
        not_ok "systemd-analyze security --offline=yes: exposure '${exposure:-?}' (at most 1.5)"
        show "$T/security" 80
fi

# The capabilities: certconfd apply with the unit's bounding set installs
# for another user (owner nobody, into a directory of nobody's, mode 0700),
# and again over the files now nobody's (hard-link backups); without any one
# of them it cannot.
caps=$(sed -nE 's/^CapabilityBoundingSet=//p' "$unit")
if [ -z "$ROOT_USER" ]; then
        skip "the unit's capabilities (needs root: CI runs it as root)"
elif ! command -v setpriv >/dev/null; then
        not_ok "the unit's capabilities: no setpriv (util-linux)"
else
        a=$T/caps
        mkdir -p "$a/store" && chmod 0700 "$a/store" && install -d -o 65534 -g 65534 -m 0700 "$a/other"
        printf 'mcc: 1\nmnc: 1\nservices:\n  xcap:\n    hosts: [ xcap.example.org ]\n' >"$a/store/deployment.yaml"
        caps_conf() { # MODE
                cat >"$a/certconf.yaml" <<EOF
store_dir: store
state_dir: state
self_signed: { key: "ec:p256" }
services:
  xcap:
    action: none
    targets:
      - { format: pem-chain, path: other/chain.pem, owner: "65534", group: "65534", mode: "$1" }
      - { format: pem-key, path: other/key.pem, owner: "65534", group: "65534", mode: "0600" }
EOF
        }
        caps_apply() { # SETPRIV_CAPS
                setpriv --bounding-set="-all${1:+,$1}" --inh-caps=-all \
                        "$R/usr/sbin/certconfd" apply --config "$a/certconf.yaml" --log-target stderr >"$a/log" 2>&1
        }
        setpriv_caps() { # CAP_X CAP_Y ... -> +x,+y
                local c out=
                for c in "$@"; do
                        c=${c#CAP_}
                        out+=",+${c,,}"
                done
                echo "${out#,}"
        }
        read -ra capv <<<"$caps"
        caps_conf 0644
        if caps_apply "$(setpriv_caps "${capv[@]}")" && [ "$(stat -c '%u %g %a' "$a/other/chain.pem")" = "65534 65534 644" ]; then
                caps_conf 0640
                if caps_apply "$(setpriv_caps "${capv[@]}")" &&
                        [ "$(stat -c '%u %g %a' "$a/other/chain.pem")" = "65534 65534 640" ]; then
                        ok "with the unit's CapabilityBoundingSet= ($caps) apply installs, then replaces, files of another user in its directory"
                else
                        not_ok "with the unit's capabilities ($caps), replacing another user's files failed"
                        show "$a/log" 5
                fi
        else
                not_ok "with the unit's capabilities ($caps), installing for another user failed"
                show "$a/log" 5
        fi
        for drop in "${capv[@]}"; do
                rest=()
                for c in "${capv[@]}"; do [ "$c" = "$drop" ] || rest+=("$c"); done
                rm -rf "$a/state" "$a/other"/* "$a/other"/.[!.]*
                caps_conf 0644
                if ! caps_apply "$(setpriv_caps "${rest[@]}")" && grep -q 'event=install-failed' "$a/log"; then
                        ok "without $drop the same install fails ($(grep -o 'install failed: [^;]*' "$a/log" | head -n 1 | sed "s|$a/||"))"
                else
                        not_ok "without $drop the install still works: $drop is not needed"
                fi
        done
fi

# ---- lintian ---------------------------------------------------------------------------

lintian_opts=()
[ -n "$ROOT_USER" ] && lintian_opts+=(--allow-root)
t=$(now_ms)
lintian "${lintian_opts[@]}" --display-info --no-tag-display-limit "$DEB" >"$T/lintian" 2>&1
lintian_rc=$?
errors=$(grep -c '^E: ' "$T/lintian")
warnings=$(sed -nE 's/^W: [^:]+: ([a-z0-9.+-]+).*/\1/p' "$T/lintian" | sort -u)
unjustified=
for w in $warnings; do
        grep -qF "\`$w\`" packaging/README.md || unjustified+=" $w"
done
if [ "$errors" -eq 0 ] && [ -z "$unjustified" ] && [ "$lintian_rc" -eq 0 ]; then
        ok "lintian: no errors, warnings: ${warnings:-none} ($(($(now_ms) - t)) ms)"
        grep -E '^[WIP]: ' "$T/lintian" | sed 's/^/    /'
else
        not_ok "lintian (exit $lintian_rc): $errors errors; warnings not justified in packaging/README.md:${unjustified:- none}"
        sed 's/^/    | /' "$T/lintian"
fi

# ---- the .rpm and make install: the same files ---------------------------------------

# normalize: file paths (not directories), the unit under /usr/lib (merged
# /usr), man pages without .gz; the Debian-only changelog and copyright out.
normalize() {
        sed -E -e 's|^/lib/systemd/|/usr/lib/systemd/|' -e 's|\.gz$||' |
                grep -vxE '/usr/share/doc/certconf/(changelog|copyright)' | sort
}
(cd "$R" && find . -type f -o -type l) | sed 's|^\.||' | normalize >"$T/deb.files"

RPM=build/certconf-$VERSION-1.$(rpm --eval '%{_arch}').rpm
rm -f "$RPM"
t=$(now_ms)
if make --no-print-directory rpm >"$T/rpm.log" 2>&1 && [ -f "$RPM" ]; then
        ok "make rpm: $RPM in $(($(now_ms) - t)) ms"
        rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" 2>/dev/null | grep -v '^d' | cut -d' ' -f2- |
                normalize >"$T/rpm.files"
        if [ -s "$T/rpm.files" ] && diff -u "$T/deb.files" "$T/rpm.files" >"$T/rpm.diff"; then
                ok "rpm -qlp lists the .deb's $(wc -l <"$T/rpm.files") files"
        else
                not_ok "rpm -qlp and the .deb differ (- deb, + rpm):"
                sed 's/^/    | /' "$T/rpm.diff"
        fi
        if rpm -qp --scripts "$RPM" 2>/dev/null | tr -d '\n' | grep -q 'preset certconfd.service.*disable --now certconfd.service.*try-restart certconfd.service' &&
                rpm -qpc "$RPM" 2>/dev/null | grep -qx /etc/certconf/certconf.yaml; then
                ok "rpm: %systemd_post/preun/postun_with_restart scriptlets; certconf.yaml is %config"
        else
                not_ok "rpm: scriptlets or %config not as the spec says"
        fi
else
        not_ok "make rpm failed"
        show "$T/rpm.log" 30
fi

D=$T/destdir
if make --no-print-directory O=build install DESTDIR="$D" PREFIX=/usr UNITDIR=/lib/systemd/system \
        >"$T/install.log" 2>&1; then
        (cd "$D" && find . -type f -o -type l) | sed 's|^\.||' | normalize >"$T/install.files"
        if diff -u "$T/deb.files" "$T/install.files" >"$T/install.diff" &&
                grep -qx 'ExecStart=/usr/sbin/certconfd agent' "$D/lib/systemd/system/certconfd.service"; then
                ok "make install DESTDIR= PREFIX=/usr installs the .deb's $(wc -l <"$T/install.files") files"
        else
                not_ok "make install and the .deb differ (- deb, + make install):"
                sed 's/^/    | /' "$T/install.diff"
        fi
else
        not_ok "make install failed"
        show "$T/install.log"
fi
D2=$T/destdir-local
if make --no-print-directory O=build install DESTDIR="$D2" >"$T/install2.log" 2>&1 &&
        grep -qx 'ExecStart=/usr/local/sbin/certconfd agent' "$D2/usr/local/lib/systemd/system/certconfd.service" &&
        [ -x "$D2/usr/local/sbin/certconfd" ] && [ -f "$D2/etc/certconf/certconf.yaml" ]; then
        ok "make install with the default PREFIX=/usr/local: the unit runs /usr/local/sbin/certconfd"
else
        not_ok "make install with PREFIX=/usr/local"
        show "$T/install2.log"
fi

finish
