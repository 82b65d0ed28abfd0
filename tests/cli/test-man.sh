#!/usr/bin/env bash
# The man pages certconfd(8) and certconf.yaml(5): each renders with groff and
# with man-db without a single warning, and neither can fall behind the code:
# every option and command of `certconfd --help`, every MESSAGE_ID (with its
# event name), journal field and finding code of the daemon is in
# certconfd(8); every key of etc/certconf.yaml, of the two YAML parsers and of
# docs/deployment-yaml.md is a documented term of certconf.yaml(5), and so is
# every target format and unit action. One direction only: the pages may
# document more (the toolkit commands of issue 5).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/cli/lib.sh"

page8=$top/man/certconfd.8
page5=$top/man/certconf.yaml.5

# ---- tools --------------------------------------------------------------------

missing=""
for t in groff tbl man; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
        not_ok "man pages: not installed:$missing; run make deps (Debian packages groff-base and man-db)"
        finish
        exit 1
fi
for p in "$page8" "$page5"; do
        [ -s "$p" ] || not_ok "man pages: $p is missing"
done
[ "$FAIL" -eq 0 ] || { finish; exit 1; }

# man-db needs a locale it knows; C.UTF-8 renders as a UTF-8 terminal shows it.
locales=$(locale -a 2>/dev/null)
if grep -qiE '^c\.utf-?8$' <<<"$locales"; then
        man_locale=C.UTF-8
else
        man_locale=C
fi

# ---- rendering: warnings are errors --------------------------------------------

# The lines of standard input wider than 80 characters (not bytes: the
# locale is UTF-8 when it can be).
wide_lines() {
        local line n=0
        while IFS= read -r line; do
                n=$((n + 1))
                [ ${#line} -gt 80 ] && echo "$1:$n: ${#line} columns: $line"
        done
        return 0
}

for p in "$page8" "$page5"; do
        name=$(basename "$p")
        for dev in utf8 ascii; do
                groff -man -t -T"$dev" -ww -z "$p" >/dev/null 2>groff.err
                rc=$?
                if [ $rc -eq 0 ] && [ ! -s groff.err ]; then
                        ok "$name: groff -man -t -T$dev -ww renders without a warning"
                else
                        not_ok "$name: groff -T$dev: exit $rc: $(head -c 600 groff.err)"
                fi
        done
        LC_ALL=$man_locale MANWIDTH=80 MANPAGER=cat PAGER=cat \
                man --warnings -l "$p" >man.out 2>man.err
        rc=$?
        lines=$(wc -l <man.out)
        if [ $rc -eq 0 ] && [ ! -s man.err ] && [ "$lines" -ge 100 ]; then
                ok "$name: man --warnings -l renders $lines lines at 80 columns without a warning"
        else
                not_ok "$name: man -l: exit $rc, $lines lines: $(head -c 600 man.err)"
        fi
        # No line of the rendered page is wider than the terminal.
        wide=$(LC_ALL=$man_locale wide_lines "$name" <man.out | head -3)
        if [ -z "$wide" ]; then
                ok "$name: every rendered line fits 80 columns"
        else
                not_ok "$name: lines wider than 80 columns: $wide"
        fi
done

# The text as a reader sees it, one paragraph per line (no line breaks, no
# hyphenation), hyphen and minus signs as ASCII '-'.
render() {
        groff -man -t -Tutf8 -P-cbou -rLL=4000n "$1" 2>/dev/null | sed 's/‐/-/g; s/−/-/g'
}
text8=$(render "$page8")
text5=$(render "$page5")

# The lines of a section of a rendered page: from its heading (at column 0)
# to the next heading.
section() {
        printf '%s\n' "$1" | awk -v h="$2" '/^[A-Z]/ { on = ($0 == h) ; next } on'
}

# The terms of a page's .TP/.TQ items (the keys and values it documents), as
# plain text: font macros, font escapes, \- and \& removed.
terms() {
        awk 'prev ~ /^\.T[PQ]/ { print } { prev = $0 }' "$1" |
                sed -E 's/^\.[A-Z]+ //; s/\\f[BIRP]//g; s/\\-/-/g; s/\\&//g; s/"//g; s/^ +//'
}
terms5=$(terms "$page5")

# ---- certconfd(8) against the binary ---------------------------------------------

help=$("$CERTCONFD" --help 2>&1)
rc=$?
opts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
n_opts=$(printf '%s\n' "$opts" | grep -c .)
if [ $rc -ne 0 ] || [ "$n_opts" -lt 10 ]; then
        not_ok "certconfd --help: exit $rc, $n_opts options found"
else
        absent=""
        for o in $opts; do
                grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" <<<"$text8" || absent="$absent $o"
        done
        if [ -z "$absent" ]; then
                ok "certconfd.8: all $n_opts long options of certconfd --help"
        else
                not_ok "certconfd.8 lacks options of --help:$absent"
        fi
fi

cmds=$(printf '%s\n' "$help" | sed -nE 's/^  certconfd ([a-z][a-z-]*).*/\1/p' | sort -u)
n_cmds=$(printf '%s\n' "$cmds" | grep -c .)
exit_text=$(section "$text8" "EXIT STATUS")
absent=""
for c in $cmds; do
        grep -qE "^ +certconfd $c( |\$)" <<<"$text8" || absent="$absent $c"
        grep -qwE "^ +$c" <<<"$exit_text" || absent="$absent $c(exit-status)"
done
if [ "$n_cmds" -ge 5 ] && [ -z "$absent" ]; then
        ok "certconfd.8: all $n_cmds commands of --help (${cmds//$'\n'/ }), each with its exit statuses"
else
        not_ok "certconfd.8: $n_cmds commands in --help; missing:$absent"
fi

# ---- certconfd(8) against daemon/log.c -------------------------------------------

ids_code=$(grep -oE '"[0-9a-f]{32}"' "$top/daemon/log.c" | tr -d '"' | sort -u)
ids_page=$(printf '%s\n' "$text8" | grep -oE '(^|[^0-9a-f])[0-9a-f]{32}([^0-9a-f]|$)' | grep -oE '[0-9a-f]{32}' | sort -u)
n_code=$(printf '%s\n' "$ids_code" | grep -c .)
if [ "$n_code" -ge 19 ] && [ "$ids_code" = "$ids_page" ]; then
        ok "certconfd.8: the $n_code MESSAGE_IDs of daemon/log.c are exactly the page's"
else
        not_ok "certconfd.8: MESSAGE_IDs differ: code only: $(comm -23 <(echo "$ids_code") <(echo "$ids_page") | tr '\n' ' ')page only: $(comm -13 <(echo "$ids_code") <(echo "$ids_page") | tr '\n' ' ')"
fi

# Each id beside its event name (CERTCONF_EVENT), on one row of the table.
pairs=$(tr -d '\n' <"$top/daemon/log.c" | grep -oE '\{ *"[a-z-]+", *"[0-9a-f]{32}"' | sed -E 's/[{" ]//g')
n_pairs=$(printf '%s\n' "$pairs" | grep -c .)
wrong=""
for p in $pairs; do
        ev=${p%%,*} id=${p#*,}
        grep -qE "(^|[[:space:]])${ev}[[:space:]]+${id}([[:space:]]|\$)" <<<"$text8" || wrong="$wrong $ev=$id"
done
if [ "$n_pairs" -eq "$n_code" ] && [ -z "$wrong" ]; then
        ok "certconfd.8: each of the $n_pairs MESSAGE_IDs is on the row of its event"
else
        not_ok "certconfd.8: $n_pairs event/id pairs in log.c; not on one row of the page:$wrong"
fi

# Every field the agent sets, in THE JOURNAL.
fields=$( {
        grep -oE '\{ *"[A-Z][A-Z0-9_]+",' "$top/daemon/log.c" | grep -oE '[A-Z][A-Z0-9_]+'
        grep -oE '"[A-Z][A-Z0-9_]+=' "$top/daemon/log.c" | grep -oE '[A-Z][A-Z0-9_]+'
} | sort -u)
n_fields=$(printf '%s\n' "$fields" | grep -c .)
journal_text=$(section "$text8" "THE JOURNAL")
absent=""
for f in $fields; do
        grep -qw -- "$f" <<<"$journal_text" || absent="$absent $f"
done
if [ "$n_fields" -ge 12 ] && [ -z "$absent" ]; then
        ok "certconfd.8: THE JOURNAL names all $n_fields fields the agent sets"
else
        not_ok "certconfd.8: $n_fields journal fields in log.c; not in THE JOURNAL:$absent"
fi

# Every finding code, in FINDINGS.
codes=$(grep -oE '\[FINDING_[A-Z0-9_]+\] = \{ *"[A-Z0-9_]+"' "$top/common/findings.c" | grep -oE '"[A-Z0-9_]+"' | tr -d '"' | sort -u)
n_codes=$(printf '%s\n' "$codes" | grep -c .)
findings_text=$(section "$text8" "FINDINGS")
absent=""
for c in $codes; do
        grep -qw -- "$c" <<<"$findings_text" || absent="$absent $c"
done
if [ "$n_codes" -ge 30 ] && [ -z "$absent" ]; then
        ok "certconfd.8: FINDINGS lists all $n_codes finding codes of common/findings.c"
else
        not_ok "certconfd.8: $n_codes finding codes; not in FINDINGS:$absent"
fi

# ---- certconf.yaml(5) against the configuration and the parsers ---------------------

# expect_terms WHAT KEYS...: each key is the start of a term ("key:").
expect_terms() {
        local what=$1 absent="" n=0
        shift
        for k in "$@"; do
                n=$((n + 1))
                grep -qE "^$k:( |\$)" <<<"$terms5" || absent="$absent $k"
        done
        if [ "$n" -ge "${MIN:-3}" ] && [ -z "$absent" ]; then
                ok "certconf.yaml.5: the $n keys of $what are documented terms"
        else
                not_ok "certconf.yaml.5: $n keys of $what; not documented as 'key:' terms:$absent"
        fi
}

# The keys etc/certconf.yaml uses, but the names of services (the keys right
# under services:).
conf_keys=$(sed 's/#.*//' "$top/etc/certconf.yaml" | awk '
        match($0, /^ *(- +)?[a-z_][a-z0-9_]*:/) {
                s = substr($0, 1, RLENGTH); ind = match(s, /[^ ]/) - 1
                sub(/^ *(- +)?/, "", s); sub(/:$/, "", s)
                if (ind == 0) in_services = (s == "services")
                else if (in_services && ind == 2) next
                print s
        }' | sort -u)
mapfile -t keys <<<"$conf_keys"
MIN=15 expect_terms "etc/certconf.yaml" "${keys[@]}"

# The keys the parsers know: common/agentconf.c and common/deploy.c.
parser_keys() {
        tr -d '\n' <"$1" | grep -oE 'static const char \*const [a-z_]+_keys\[\] = \{[^}]*\}' |
                grep -oE '"[a-z_]+"' | tr -d '"' | sort -u
}
mapfile -t keys < <(parser_keys "$top/common/agentconf.c")
MIN=20 expect_terms "common/agentconf.c" "${keys[@]}"
mapfile -t keys < <(parser_keys "$top/common/deploy.c")
MIN=9 expect_terms "common/deploy.c" "${keys[@]}"

# The keys of the table in docs/deployment-yaml.md (the last part of each dotted key).
doc_keys=$(sed -n '/^## Keys/,/^## /p' "$top/docs/deployment-yaml.md" |
        sed -nE 's/^\| \x60([a-z_.<>]+)\x60 \|.*/\1/p' | sed -E 's/.*\.//' | sort -u)
mapfile -t keys <<<"$doc_keys"
MIN=9 expect_terms "docs/deployment-yaml.md" "${keys[@]}"

# Every target format and unit action of the code is a term; every other value a
# key can take is named.
values() {
        grep -oE "\\[$1[A-Z0-9_]*\\] = \"[a-z0-9:-]+\"" "$2" | grep -oE '"[^"]+"' | tr -d '"' | sort -u
}
absent=""
n=0
for v in $(values TARGET_ "$top/common/agentconf.c") $(values UNIT_ACTION_ "$top/common/agentconf.c"); do
        n=$((n + 1))
        grep -qxF -- "$v" <<<"$terms5" || absent="$absent $v"
done
if [ "$n" -ge 10 ] && [ -z "$absent" ]; then
        ok "certconf.yaml.5: each of the $n target formats and unit actions of the code is a term"
else
        not_ok "certconf.yaml.5: $n formats and actions; not documented as terms:$absent"
fi
absent=""
n=0
for v in $(values PKCS12_COMPAT_ "$top/common/agentconf.c") $(values KEY_SPEC_ "$top/common/agentconf.c") \
        $(values SERVICE_KIND_ "$top/common/agentconf.c") $(values PROFILE_ "$top/common/profile.c"); do
        n=$((n + 1))
        grep -qE -- "(^|[^a-z0-9:-])$v([^a-z0-9:-]|\$)" <<<"$text5" || absent="$absent $v"
done
if [ "$n" -ge 11 ] && [ -z "$absent" ]; then
        ok "certconf.yaml.5: all $n values of compat, self_signed.key, profile and policy are named"
else
        not_ok "certconf.yaml.5: $n values; not named:$absent"
fi

# The defaults the page states are the code's.
defaults=$(tr -d '\n' <"$top/common/agentconf.h" | grep -oE '#define AGENTCONF_DEFAULT_[A-Z_]+ +("[^"]*"|[0-9]+)' |
        sed -E 's/#define AGENTCONF_DEFAULT_([A-Z_]+) +"?([^"]*)"?/\1=\2/')
wrong=""
n=0
for d in $defaults; do
        key=$(printf '%s' "${d%%=*}" | tr '[:upper:]' '[:lower:]') val=${d#*=}
        case $key in
        path) continue ;;
        self_signed_days) key=days ;;
        esac
        n=$((n + 1))
        # The item of the key: its term line and the paragraph under it.
        item=$(awk -v k="$key:" 'index($0, k) && $1 == k { getline; print; exit }' <<<"$text5")
        grep -qE "(^|[^0-9])(default|Default)[^.]*$val([^0-9]|\$)" <<<"$item" || wrong="$wrong $key=$val"
done
if [ "$n" -ge 6 ] && [ -z "$wrong" ]; then
        ok "certconf.yaml.5: the $n defaults of common/agentconf.h are the page's"
else
        not_ok "certconf.yaml.5: $n defaults; stated otherwise or not at all:$wrong"
fi

finish
