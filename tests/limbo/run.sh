#!/usr/bin/env bash
# run.sh HARNESS_BIN CORPUS.json.gz core|full
#
# Feeds every SERVER testcase of an x509-limbo corpus to the limbo harness
# (tests/limbo/harness.c) as one TSV line, prints the harness's report, and
# writes the disagreeing ids to $O/limbo-<set>-disagree.txt ($O defaults to
# the directory above the harness's, i.e. the build directory).
#
#   core: fails (exit 1) when fewer cases agree than tests/limbo/floor says.
#   full: only reports.
# Either way it fails when jq or the harness fails (bad input: 2; a crash or a
# sanitizer report: anything else).
#
# TSV columns (tab-separated, text columns escaped by jq's @tsv):
#   1 id   2 expected_result   3 peer name kind (DNS, IP or none)
#   4 peer name value   5 validation_time (RFC 3339; empty: the harness's
#   fixed "now", 2025-01-01T00:00:00Z)   6 trusted_certs   7 peer_certificate
#   8 untrusted_intermediates (6-8: base64 of the concatenated PEM text)
#   9 max_chain_depth (empty: none)   10 extended_key_usage   11 key_usage
#   12 signature_algorithms (10-12 comma-separated)   13 features
#   14 number of CRLs   15 crls (base64 of the concatenated PEM text of the
#   CRLs; empty when there are none)

set -euo pipefail

usage() {
        echo "usage: $0 HARNESS_BIN CORPUS.json.gz core|full" >&2
        exit 2
}

[ $# -eq 3 ] || usage
harness=$1
corpus=$2
set=$3
case "$set" in
core | full) ;;
*) usage ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
floor_file=$here/floor
O=${O:-$(dirname "$(dirname "$harness")")}
disagree=$O/limbo-$set-disagree.txt
report=$O/limbo-$set-report.txt

for f in "$harness" "$corpus"; do
        if [ ! -e "$f" ]; then
                echo "limbo: $f: not found" >&2
                exit 2
        fi
done
command -v jq >/dev/null || {
        echo "limbo: jq not found (make deps installs it)" >&2
        exit 2
}

filter='
def pems: map(if endswith("\n") then . else . + "\n" end) | join("");
"# id\texpected\tname_kind\tname\tvalidation_time\ttrusted\tpeer\tintermediates\tmax_chain_depth\teku\tku\tsignature_algorithms\tfeatures\tn_crls\tcrls",
(.testcases[]
 | select(.validation_kind == "SERVER")
 | [ .id,
     .expected_result,
     (.expected_peer_name.kind // "none"),
     (.expected_peer_name.value // ""),
     (.validation_time // ""),
     ((.trusted_certs // []) | pems | @base64),
     ([.peer_certificate // empty] | pems | @base64),
     ((.untrusted_intermediates // []) | pems | @base64),
     (if .max_chain_depth == null then "" else (.max_chain_depth | tostring) end),
     ((.extended_key_usage // []) | join(",")),
     ((.key_usage // []) | join(",")),
     ((.signature_algorithms // []) | join(",")),
     ((.features // []) | join(",")),
     ((.crls // []) | length | tostring),
     ((.crls // []) | pems | @base64) ]
 | @tsv)'

mkdir -p "$O"
echo "limbo: $set set: $corpus"
start=$(date +%s)

# PIPESTATUS keeps each side's exit status despite pipefail and errexit.
set +e
gzip -dc -- "$corpus" | jq -r "$filter" |
        "$harness" --set "$set" --disagree "$disagree" | tee "$report"
status=("${PIPESTATUS[@]}")
set -e

elapsed=$(($(date +%s) - start))
# The harness first: when it dies, jq and gzip die of SIGPIPE after it.
if [ "${status[2]}" -ne 0 ]; then
        echo "limbo: FAIL: the harness exited with status ${status[2]} (2: bad input; other: a crash or a sanitizer report, see above)" >&2
        exit "${status[2]}"
fi
if [ "${status[0]}" -ne 0 ] || [ "${status[1]}" -ne 0 ]; then
        echo "limbo: FAIL: could not read $corpus (gzip ${status[0]}, jq ${status[1]})" >&2
        exit 2
fi
if [ "${status[3]}" -ne 0 ]; then
        echo "limbo: FAIL: could not write $report" >&2
        exit 1
fi

agreed=$(sed -n "s/^limbo $set: \([0-9][0-9]*\)\/[0-9][0-9]* SERVER cases agree.*/\1/p" "$report")
if [ -z "$agreed" ]; then
        echo "limbo: FAIL: no summary line in the harness's output" >&2
        exit 1
fi
echo "limbo: ${elapsed}s; disagreements listed in $disagree"

if [ "$set" = full ]; then
        exit 0
fi

floor=$(tr -d '[:space:]' <"$floor_file")
case "$floor" in
'' | *[!0-9]*)
        echo "limbo: FAIL: $floor_file does not hold a single integer" >&2
        exit 2
        ;;
esac
if [ "$agreed" -lt "$floor" ]; then
        echo "limbo: FAIL: $agreed core cases agree, below the floor of $floor ($floor_file)" >&2
        exit 1
fi
if [ "$agreed" -gt "$floor" ]; then
        echo "limbo: OK: $agreed agree, above the floor of $floor: raise tests/limbo/floor to $agreed"
else
        echo "limbo: OK: $agreed agree (floor $floor)"
fi
