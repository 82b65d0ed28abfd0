#!/usr/bin/env bash
# certconfd check on files made with the openssl command line, as an
# operator makes them: one case per finding code, with a near miss.
. "$(dirname "$0")/lib.sh"

mkroot root "Test Root"
mkinter inter root
mkleaf rem inter "DNS:rem.sometelco.com,IP:192.168.10.10"
cat rem.crt inter.crt root.crt >chain.crt

# --- the good case and the order --------------------------------------------
expect "good chain and key" 0 - --service rem chain.crt rem.key --name rem.sometelco.com --name 192.168.10.10
expect_not "good chain has no errors" CHAIN_ORDER --service rem chain.crt rem.key
cat root.crt inter.crt rem.crt >reversed.crt
expect "reversed chain" 1 CHAIN_ORDER --service rem reversed.crt rem.key
expect_field "order message gives the right order" CHAIN_ORDER message "2 (" --service rem reversed.crt rem.key
cat rem.crt root.crt >gap.crt
expect "intermediate missing" 1 CHAIN_INCOMPLETE --service rem gap.crt rem.key
expect_field "missing issuer named" CHAIN_INCOMPLETE message "CN=inter" --service rem gap.crt rem.key
cat rem.crt inter.crt >noroot.crt
expect "root missing, no trust" 1 CHAIN_INCOMPLETE --service rem noroot.crt rem.key
expect "root from --trust" 0 CHAIN_ROOT_ADDED --service rem noroot.crt rem.key --trust root.crt
mkroot other "Other Root"
for i in $(seq 1 30); do cat other.crt; done >big-trust.pem
cat root.crt >>big-trust.pem
expect "a 31-certificate trust bundle is fine for --trust" 0 CHAIN_ROOT_ADDED --service rem noroot.crt rem.key --trust big-trust.pem
SSL_CERT_FILE="$T/big-trust.pem" expect "root from --system-trust (SSL_CERT_FILE)" 0 CHAIN_ROOT_ADDED --service rem noroot.crt rem.key --system-trust
SSL_CERT_FILE="$T/other.crt" expect "--system-trust without the root" 1 CHAIN_INCOMPLETE --service rem noroot.crt rem.key --system-trust
expect "--trust on a file without certificates" 2 - --service rem noroot.crt rem.key --trust rem.key
if grep -q "fix: Give a file of CA certificates" "$T/stderr"; then ok "--trust failure prints its hint"; else not_ok "--trust failure hint: $(head -c 300 "$T/stderr")"; fi
{ cat root.crt; sed '3s/^..../!!!!/' inter.crt; cat other.crt; } >damaged-trust.pem
expect "--trust with a damaged block among good ones" 2 - --service rem noroot.crt rem.key --trust damaged-trust.pem
if grep -q "Certificate 1 (the 2nd) in damaged-trust.pem is damaged" "$T/stderr" && grep -q "fix: .*copy it again" "$T/stderr"; then
        ok "--trust names the damaged block"
else
        not_ok "--trust damaged block: $(head -c 300 "$T/stderr")"
fi
cat rem.crt >leafonly.crt
expect "--trust with the issuing CA only: a warning" 0 CHAIN_ROOT_ADDED --service rem leafonly.crt rem.key --trust inter.crt
expect_field "an intermediate anchor is not sent by the server" CHAIN_ROOT_ADDED message "the chain ends at 'CN=inter" --service rem leafonly.crt rem.key --trust inter.crt
expect_field "an intermediate anchor: append it" CHAIN_ROOT_ADDED hint "Append 'CN=inter" --service rem leafonly.crt rem.key --trust inter.crt
expect_field "a root anchor: no 'nothing to do'" CHAIN_ROOT_ADDED hint "trusted roots" --service rem noroot.crt rem.key --trust root.crt
cat rem.crt inter.crt root.crt other.crt >extra.crt
expect "unrelated certificate" 1 CHAIN_UNRELATED --service rem extra.crt rem.key
expect_not "near miss: no unrelated" CHAIN_UNRELATED --service rem chain.crt rem.key

# --- keys --------------------------------------------------------------------
mkleaf rem2 inter "DNS:rem.sometelco.com"
expect "key of another certificate" 1 KEY_MISMATCH --service rem chain.crt rem2.key
openssl pkey -in rem.key -aes256 -passout pass:secret -out enc.key 2>/dev/null
expect "passphrase-protected key" 1 KEY_ENCRYPTED --service rem chain.crt enc.key
openssl pkcs8 -topk8 -in rem.key -v2 aes256 -passout pass: -out empty-pass.key 2>/dev/null
expect "key with an empty passphrase" 1 KEY_ENCRYPTED --service rem chain.crt empty-pass.key
openssl rsa -in rem.key -traditional -out trad.key 2>/dev/null
expect "traditional RSA key accepted" 0 - --service rem chain.crt trad.key
cat rem.key rem2.key >two.key
expect "two keys" 1 KEY_MULTIPLE --service rem chain.crt two.key
expect "the issuing CA's key" 1 KEY_MISMATCH --service rem chain.crt inter.key
expect_field "the CA's key is named as such" KEY_MISMATCH message "is the private key of the CA 'CN=inter" --service rem chain.crt inter.key
expect_not "the CA's key: the server certificate is not unrelated" CHAIN_UNRELATED --service rem chain.crt inter.key
expect_not "the CA's key: no CA flags on a CA taken for the server's" CHAIN_CA_FLAGS --service rem chain.crt inter.key
cat inter.crt root.crt >noleaf.crt
expect "chain file without the server certificate" 1 CHAIN_INCOMPLETE --service rem noleaf.crt rem.key
expect_field "no server certificate, said so" CHAIN_INCOMPLETE message "has no server certificate: it holds only CA certificates" --service rem noleaf.crt rem.key
expect_not "no server certificate: no SAN findings about a CA" SAN_MISSING --service rem noleaf.crt rem.key
expect_not "no server certificate: no key mismatch" KEY_MISMATCH --service rem noleaf.crt rem.key
cat rem.crt rem2.key inter.crt root.crt >rem-cert.crt
cp rem.key rem-cert.key
expect "a key inside the chain file beside the key file" 1 KEY_MULTIPLE --service rem rem-cert.crt rem-cert.key
expect_field "the key inside the chain file is named" KEY_MULTIPLE message "rem-cert.crt holds a private key; keys belong only in rem-cert.key" --service rem rem-cert.crt rem-cert.key
cat chain.crt rem.key >combined.pem
expect "near miss: combined layout, no key file" 0 - --service rem combined.pem
: >nokey.key
expect "empty key file" 1 KEY_MISSING --service rem chain.crt nokey.key

# --- file formats ----------------------------------------------------------------
openssl x509 -in rem.crt -outform der -out rem.der 2>/dev/null
expect "DER instead of PEM" 1 NOT_PEM --service rem rem.der rem.key
expect_field "DER hint names the conversion" NOT_PEM hint "openssl x509 -inform der" --service rem rem.der rem.key
: >empty.crt
expect "empty chain file" 1 NOT_PEM --service rem empty.crt rem.key
# Binary garbage, the same bytes every run: 0xff runs broken by NULs and control bytes.
{ for i in $(seq 1 64); do head -c 60 /dev/zero | tr '\0' '\377'; printf '\000\001\002\033'; done; } >garbage.crt
expect "binary garbage" 1 NOT_PEM --service rem garbage.crt rem.key
sed 's/$/\r/' chain.crt >crlf.crt
expect "CRLF line ends accepted with a warning" 0 PEM_LAYOUT --service rem crlf.crt rem.key
{ openssl x509 -in rem.crt -text -noout; cat chain.crt; } >text.crt
expect "text before the blocks accepted with a warning" 0 PEM_LAYOUT --service rem text.crt rem.key
tr -d '\n' <chain.crt >oneline.crt
expect "markers not on their own lines" 0 PEM_LAYOUT --service rem oneline.crt rem.key
expect_not "near miss: clean PEM" PEM_LAYOUT --service rem chain.crt rem.key
for i in $(seq 1 17); do cat rem.crt; done >many.crt
expect "17 certificates" 1 FILE_TOO_LARGE --service rem many.crt rem.key
{ cat chain.crt; head -c 1100000 /dev/zero | tr '\0' 'x'; } >big.crt
expect "over 1 MiB" 1 FILE_TOO_LARGE --service rem big.crt rem.key
expect "missing file is unreadable input" 2 FILE_UNREADABLE --service rem nosuch.crt rem.key

# --- validity ------------------------------------------------------------------------
mkleaf short inter "DNS:rem.sometelco.com" 20
cat short.crt inter.crt root.crt >short-chain.crt
expect "valid for 20 days" 1 CERT_EXPIRING --service rem short-chain.crt short.key
expect "valid for 20 days, --min-valid-days 10" 0 - --service rem short-chain.crt short.key --min-valid-days 10
expect "expired (judged a year later)" 1 CERT_EXPIRING --service rem chain.crt rem.key --now "$(date -u -d '+400 days' +%Y-%m-%dT%H:%M:%SZ)"
expect "not yet valid (judged in the past)" 1 CERT_NOT_YET_VALID --service rem chain.crt rem.key --now 2020-01-01T00:00:00Z
expect "bad --now is a usage error" 2 - --service rem chain.crt rem.key --now yesterday

# --- names ------------------------------------------------------------------------------
mkleaf cnonly inter ""
cat cnonly.crt inter.crt root.crt >cnonly-chain.crt
expect "CN only, no SAN" 1 SAN_MISSING --service rem cnonly-chain.crt cnonly.key
mkleaf ipdns inter "DNS:192.168.10.10,DNS:rem.sometelco.com"
cat ipdns.crt inter.crt root.crt >ipdns-chain.crt
expect "IP written as DNS" 1 SAN_IP_AS_DNS --service rem ipdns-chain.crt ipdns.key
expect_not "near miss: IP as IP SAN" SAN_IP_AS_DNS --service rem chain.crt rem.key
expect "name not covered" 1 SAN_NOT_COVERED --service rem chain.crt rem.key --name other.sometelco.com
expect "address not covered" 1 SAN_NOT_COVERED --service rem chain.crt rem.key --name 192.168.10.11
mkleaf wild inter "DNS:*.mx.corp.net"
cat wild.crt inter.crt root.crt >wild-chain.crt
expect "wildcard covers one label" 0 - --service generic wild-chain.crt wild.key --name lim1.mx.corp.net
expect "wildcard does not cover two labels" 1 SAN_NOT_COVERED --service generic wild-chain.crt wild.key --name a.lim1.mx.corp.net
expect "not a name is a usage error" 2 - --service generic wild-chain.crt wild.key --name "bad name!"
if grep -q "'bad name!'" "$T/stderr"; then ok "--name error names the value"; else not_ok "--name error: $(head -c 300 "$T/stderr")"; fi
expect "empty --name" 2 - --service generic wild-chain.crt wild.key --name ""
expect "bracketed IPv6 --name" 2 - --service generic wild-chain.crt wild.key --name "[2001:db8::10]"
if grep -q "without brackets: 2001:db8::10" "$T/stderr"; then ok "--name suggests the address without brackets"; else not_ok "--name brackets: $(head -c 300 "$T/stderr")"; fi
expect_not "near miss: IPv6 --name" NAME_INVALID --service generic wild-chain.crt wild.key --name 2001:db8::10
check_help=$("$CERTCONFD" check --help 2>&1) # whole, before grep -q (no SIGPIPE under pipefail)
if grep -q "every service" <<<"$check_help"; then ok "--help: --name on a store applies to every service"; else not_ok "--help lacks the store --name note"; fi

mkleaf xcapbad inter "DNS:xdms.ims.mnc001.mcc001.pub.3gppnetwork.org"
cat xcapbad.crt inter.crt root.crt >xcapbad-chain.crt
expect "XCAP name without xcap." 1 XCAP_NAME --service xcap xcapbad-chain.crt xcapbad.key
mkleaf xcap inter "DNS:xcap.ims.mnc001.mcc001.pub.3gppnetwork.org"
cat xcap.crt inter.crt root.crt >xcap-chain.crt
expect_not "near miss: good XCAP name" XCAP_NAME --service xcap xcap-chain.crt xcap.key
expect_not "near miss: 3GPP form" NAME_3GPP_FORM --service xcap xcap-chain.crt xcap.key
mkleaf xcapshort inter "DNS:xcap.ims.mnc1.mcc1.pub.3gppnetwork.org"
cat xcapshort.crt inter.crt root.crt >xcapshort-chain.crt
expect "unpadded MNC/MCC" 0 NAME_3GPP_FORM --service xcap xcapshort-chain.crt xcapshort.key
mkleaf bsfbad inter "DNS:xcap.ims.mnc001.mcc001.pub.3gppnetwork.org"
cat bsfbad.crt inter.crt root.crt >bsfbad-chain.crt
expect "BSF certificate with xcap names" 1 BSF_NAME --service bsf bsfbad-chain.crt bsfbad.key

# --- subject, strength, usages ------------------------------------------------------------
openssl req -new -newkey rsa:2048 -nodes -keyout cnsubj.key -out cnsubj.csr -subj "/CN=rem" 2>/dev/null
printf 'subjectAltName=DNS:rem.sometelco.com\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\n' >cnsubj.ext
openssl x509 -req -in cnsubj.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 365 -extfile cnsubj.ext -out cnsubj.crt 2>/dev/null
cat cnsubj.crt inter.crt root.crt >cnsubj-chain.crt
expect "subject with CN only" 0 SUBJECT_FIELDS --service rem cnsubj-chain.crt cnsubj.key
expect_not "near miss: full subject" SUBJECT_FIELDS --service rem chain.crt rem.key

mkleaf weak inter "DNS:rem.sometelco.com" 365 rsa:1024
cat weak.crt inter.crt root.crt >weak-chain.crt
expect "RSA 1024" 1 WEAK_KEY --service rem weak-chain.crt weak.key
mkleaf big3072 inter "DNS:rem.sometelco.com" 365 rsa:3072
cat big3072.crt inter.crt root.crt >big3072-chain.crt
expect_not "RSA 3072 in the default profile" WEAK_KEY --service rem big3072-chain.crt big3072.key
expect "RSA 3072 in the innovaphone profile" 1 WEAK_KEY --service rem big3072-chain.crt big3072.key --profile innovaphone
mkleaf sha1 inter "DNS:rem.sometelco.com" 365 rsa:2048 sha1
cat sha1.crt inter.crt root.crt >sha1-chain.crt
expect "SHA-1 signature" 1 WEAK_SIGNATURE --service rem sha1-chain.crt sha1.key
mkleaf ec inter "DNS:rem.sometelco.com" 365 ec:<(openssl ecparam -name prime256v1)
cat ec.crt inter.crt root.crt >ec-chain.crt
expect "EC P-256 leaf" 0 - --service rem ec-chain.crt ec.key

mkleaf kuonly inter "DNS:rem.sometelco.com" 365 rsa:2048 sha256
sed -i 's/^keyUsage=.*/keyUsage=critical,keyCertSign/' kuonly.ext
openssl x509 -req -in kuonly.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 365 -extfile kuonly.ext -out kuonly.crt 2>/dev/null
cat kuonly.crt inter.crt root.crt >kuonly-chain.crt
expect "keyUsage without digitalSignature" 1 KEY_USAGE --service rem kuonly-chain.crt kuonly.key
sed -i 's/^keyUsage=.*/keyUsage=critical,digitalSignature,keyEncipherment/; s/^extendedKeyUsage=.*/extendedKeyUsage=clientAuth/' kuonly.ext
openssl x509 -req -in kuonly.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 365 -extfile kuonly.ext -out ekuc.crt 2>/dev/null
cat ekuc.crt inter.crt root.crt >ekuc-chain.crt
expect "EKU clientAuth only" 1 EKU --service rem ekuc-chain.crt kuonly.key
expect_not "near miss: EKU serverAuth" EKU --service rem chain.crt rem.key
expect "innovaphone wants clientAuth too" 1 EKU --service rem chain.crt rem.key --profile innovaphone

# --- CA flags, signatures, path ----------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.crt -days 365 \
        -subj "/C=NZ/O=SomeTelco/OU=NOC/CN=rem" -addext "subjectAltName=DNS:rem.sometelco.com" 2>/dev/null
expect "self-signed with openssl req -x509 (CA:TRUE)" 1 CHAIN_CA_FLAGS --service rem self.crt self.key
openssl req -x509 -newkey rsa:2048 -nodes -keyout self2.key -out self2.crt -days 365 \
        -subj "/C=NZ/O=SomeTelco/OU=NOC/CN=rem" -addext "subjectAltName=DNS:rem.sometelco.com" \
        -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" 2>/dev/null
expect_not "near miss: self-signed with CA:FALSE" CHAIN_CA_FLAGS --service rem self2.crt self2.key
mkinter notca root
sed -i 's/CA:TRUE/CA:FALSE/' notca.ext
openssl x509 -req -in notca.csr -CA root.crt -CAkey root.key -CAcreateserial -days 1825 -extfile notca.ext -out notca.crt 2>/dev/null
mkleaf undernotca notca "DNS:rem.sometelco.com"
cat undernotca.crt notca.crt root.crt >notca-chain.crt
expect "issuer is not a CA" 1 CHAIN_CA_FLAGS --service rem notca-chain.crt undernotca.key

# A signature that does not verify: flip a byte in the leaf's signature.
openssl x509 -in rem.crt -outform der -out rem-sig.der 2>/dev/null
size=$(stat -c %s rem-sig.der)
printf '\x55' | dd of=rem-sig.der bs=1 seek=$((size - 10)) conv=notrunc 2>/dev/null
openssl x509 -inform der -in rem-sig.der -out badsig.crt 2>/dev/null
cat badsig.crt inter.crt root.crt >badsig-chain.crt
expect "damaged signature" 1 CHAIN_SIGNATURE --service rem badsig-chain.crt rem.key
expect_not "near miss: intact signature" CHAIN_SIGNATURE --service rem chain.crt rem.key

# An extension that does not decode: OpenSSL cannot build the path, and says
# "unable to get local issuer certificate"; CERT_INVALID says why.
mkleaf xbad inter "" 365 rsa:2048 sha256 "2.5.29.17=DER:0403010203"
cat xbad.crt inter.crt root.crt >xbad-chain.crt
expect "malformed subjectAltName" 1 CERT_INVALID --service rem xbad-chain.crt xbad.key
expect_not "malformed extension: no misleading PATH_INVALID" PATH_INVALID --service rem xbad-chain.crt xbad.key
expect_not "malformed extension: no misleading CHAIN_INCOMPLETE" CHAIN_INCOMPLETE --service rem xbad-chain.crt xbad.key
mkinter ibad root "2.5.29.17=DER:0403010203"
mkleaf underibad ibad "DNS:rem.sometelco.com"
cat underibad.crt ibad.crt root.crt >ibad-chain.crt
expect "malformed extension on the issuing CA" 1 CERT_INVALID --service rem ibad-chain.crt underibad.key
expect_not "malformed issuing CA: not a CA without keyCertSign" CHAIN_CA_FLAGS --service rem ibad-chain.crt underibad.key
expect_not "malformed issuing CA: no misleading PATH_INVALID" PATH_INVALID --service rem ibad-chain.crt underibad.key

# Only OpenSSL's path validation sees this: a name constraint the leaf breaks.
mkinter nc root "nameConstraints=critical,permitted;DNS:.allowed.example"
mkleaf ncleaf nc "DNS:rem.sometelco.com"
cat ncleaf.crt nc.crt root.crt >nc-chain.crt
expect "name constraint violated" 1 PATH_INVALID --service rem nc-chain.crt ncleaf.key

# --- revocation (--crl), with a CRL made as a CA operator makes one ------------------------------
# mkca_conf NAME CERT KEY [crlnumber]: a minimal `openssl ca` configuration for
# the CA CERT/KEY; with "crlnumber" the CRLs carry a CRLNumber (RFC 5280 5.2.3).
mkca_conf() {
        local name=$1 cert=$2 key=$3
        : >"$name-index.txt"
        {
                echo "[ ca ]"
                echo "default_ca = ca_section"
                echo "[ ca_section ]"
                echo "database = $name-index.txt"
                echo "certificate = $cert"
                echo "private_key = $key"
                echo "default_md = sha256"
                echo "default_crl_days = 30"
                echo "unique_subject = no"
                if [ "${4:-}" = crlnumber ]; then
                        echo 01 >"$name-crlnumber"
                        echo "crlnumber = $name-crlnumber"
                fi
        } >"$name.cnf"
}
mkca_conf interca inter.crt inter.key crlnumber
mkleaf revoked inter "DNS:rem.sometelco.com,IP:192.168.10.10"
cat revoked.crt inter.crt root.crt >revoked-chain.crt
openssl ca -config interca.cnf -revoke revoked.crt -crl_reason keyCompromise 2>/dev/null
openssl ca -config interca.cnf -gencrl -out crl.pem 2>/dev/null
expect "revoked certificate" 1 CERT_REVOKED --service rem revoked-chain.crt revoked.key --crl crl.pem
expect_field "revocation reason in the message" CERT_REVOKED message "reason: keyCompromise" --service rem revoked-chain.crt revoked.key --crl crl.pem
expect_field "the CRL's issuer named" CERT_REVOKED message "CN=inter" --service rem revoked-chain.crt revoked.key --crl crl.pem
expect "near miss: a certificate the same CRL does not list" 0 - --service rem chain.crt rem.key --crl crl.pem
expect_not "near miss: not revoked" CERT_REVOKED --service rem chain.crt rem.key --crl crl.pem
expect_not "without --crl, no revocation checking" CERT_REVOKED --service rem revoked-chain.crt revoked.key
openssl crl -in crl.pem -outform der -out crl.der 2>/dev/null
expect "DER CRL" 1 CERT_REVOKED --service rem revoked-chain.crt revoked.key --crl crl.der
mkca_conf rootca root.crt root.key crlnumber
openssl ca -config rootca.cnf -gencrl -out root-crl.pem 2>/dev/null
expect "two --crl options (root's and issuing CA's)" 1 CERT_REVOKED --service rem revoked-chain.crt revoked.key --crl root-crl.pem --crl crl.pem
expect "only the root's CRL: the server certificate unchecked (warning)" 0 CRL_INVALID --service rem chain.crt rem.key --crl root-crl.pem
expect_field "unchecked is a warning" CRL_INVALID severity "warning" --service rem chain.crt rem.key --crl root-crl.pem
expect "stale CRL (judged after its nextUpdate): a warning" 0 CRL_INVALID --service rem chain.crt rem.key --crl crl.pem --now "$(date -u -d '+40 days' +%Y-%m-%dT%H:%M:%SZ)"
expect_field "stale CRL message" CRL_INVALID message "out of date" --service rem chain.crt rem.key --crl crl.pem --now "$(date -u -d '+40 days' +%Y-%m-%dT%H:%M:%SZ)"
expect "stale CRL still revokes" 1 CERT_REVOKED --service rem revoked-chain.crt revoked.key --crl crl.pem --now "$(date -u -d '+40 days' +%Y-%m-%dT%H:%M:%SZ)"
mkca_conf nonumber inter.crt inter.key
openssl ca -config nonumber.cnf -gencrl -out nonumber-crl.pem 2>/dev/null
expect "CRL without CRLNumber (no crlnumber file)" 1 CRL_INVALID --service rem chain.crt rem.key --crl nonumber-crl.pem
expect_field "CRLNumber named" CRL_INVALID message "CRLNumber" --service rem chain.crt rem.key --crl nonumber-crl.pem
# A look-alike CA: the issuing CA's name, another key; it "revokes" revoked.crt too.
mkroot fakeinter inter
mkca_conf otherkey fakeinter.crt fakeinter.key crlnumber
openssl ca -config otherkey.cnf -revoke revoked.crt 2>/dev/null
openssl ca -config otherkey.cnf -gencrl -out otherkey-crl.pem 2>/dev/null
expect "CRL signed with another key" 1 CRL_INVALID --service rem revoked-chain.crt revoked.key --crl otherkey-crl.pem
expect_not "a CRL that does not verify revokes nothing" CERT_REVOKED --service rem revoked-chain.crt revoked.key --crl otherkey-crl.pem
expect "--crl on a certificate file" 2 - --service rem chain.crt rem.key --crl chain.crt
if grep -q "CRL_INVALID\|holds no CRL" "$T/stderr"; then ok "--crl on a certificate file says why"; else not_ok "--crl on a certificate file: $(head -c 300 "$T/stderr")"; fi
expect "--crl on a missing file" 2 - --service rem chain.crt rem.key --crl nosuch.crl
if grep -q -- "--crl FILE" <<<"$check_help"; then ok "--help lists --crl"; else not_ok "--help lacks --crl"; fi
mkdir crlstore
cp revoked-chain.crt crlstore/rem-cert.crt
cp revoked.key crlstore/rem-cert.key
expect "store: revoked certificate" 1 CERT_REVOKED --crl crl.pem crlstore
cp chain.crt crlstore/rem-cert.crt
cp rem.key crlstore/rem-cert.key
expect "store: near miss" 0 - --crl crl.pem crlstore

# --- a store, as the agent sees it --------------------------------------------------------------
mkdir store
cp chain.crt store/rem-cert.crt
cp rem.key store/rem-cert.key
cat >store/deployment.yaml <<'YAML'
subject:
  country: NZ
  organization: SomeTelco
  organizational_unit: SomeCity Network Operations Center
mcc: 1
mnc: 1
services:
  rem:
    hosts: [rem.sometelco.com]
    addresses: [192.168.10.10]
YAML
expect "store with a good REM pair" 0 - store
cp xcap-chain.crt store/xcap-cert.crt
expect "store: xcap certificate without its key" 1 PAIR_INCOMPLETE store
cp xcap.key store/xcap-cert.key
mkleaf bsf inter "DNS:bsf.ims.mnc001.mcc001.pub.3gppnetwork.org"
cat bsf.crt inter.crt root.crt >store/bsf-cert.crt
cp bsf.key store/bsf-cert.key
expect "store: full MAG set" 0 - store
mkleaf bsf2 inter "DNS:bsf.ims.mnc002.mcc001.pub.3gppnetwork.org"
cat bsf2.crt inter.crt root.crt >store/bsf-cert.crt
cp bsf2.key store/bsf-cert.key
expect "store: BSF names do not mirror XCAP's" 1 BSF_NAME store
cat bsf.crt inter.crt root.crt >store/bsf-cert.crt
cp bsf.key store/bsf-cert.key
rm store/rem-cert.crt
ln -s "$T/chain.crt" store/rem-cert.crt
expect "store: a symlink is refused" 1 FILE_UNREADABLE store
rm store/rem-cert.crt
cp chain.crt store/rem-cert.crt
printf 'subject:\n  organisation: SomeTelco\n' >store/deployment.yaml
expect "store: unknown key in deployment.yaml" 1 CONFIG_INVALID store
expect_field "store: the nearest key is suggested" CONFIG_INVALID hint "organization" store

# Misnamed uploads are not silently ignored.
mkdir names
cp chain.crt names/REM-cert.crt
cp rem.key names/REM-cert.key
printf 'subject:\n  country: NZ\n' >names/deployment.yaml
expect "store: upper-case names" 1 FILE_IGNORED names
expect_field "store: the name meant is given" FILE_IGNORED hint "Rename it to rem-cert.crt" names
if printf '%s' "$OUT" | jq -e '[.services[] | select(.uploaded)] | length == 0' >/dev/null; then
        ok "store: misnamed files are no upload"
else
        not_ok "store: misnamed files: $OUT"
fi
for bad in rem-cert.pem rem-cert.key.txt rem.crt my_svc-cert.crt; do
        rm -f names/*
        cp chain.crt "names/$bad"
        expect "store: $bad is refused" 1 FILE_IGNORED names
done
expect_field "store: my_svc-cert.crt -> my-svc-cert.crt" FILE_IGNORED hint "my-svc-cert.crt" names
rm -f names/*
cp chain.crt names/rem-cert.crt
cp rem.key names/rem-cert.key
printf 'notes\n' >names/README.txt
printf 'a: 1\n' >names/other.yml
expect "store: near miss: right names beside other files" 0 - names
# What operators and editors leave beside an upload is no error.
cp chain.crt names/.rem-cert.crt.swp
cp chain.crt names/rem-cert.crt~
cp chain.crt names/rem-cert.crt.bak
cp rem.csr names/rem-cert.csr
cp root.crt names/ca.crt
mkdir names/ssl.crt
expect "store: backups, a CSR, ca.crt and a directory are no errors" 0 FILE_IGNORED names
expect_field "store: ca.crt is not renamed to a service" FILE_IGNORED hint "The agent reads only" names
rm -rf names/.rem-cert.crt.swp names/rem-cert.crt~ names/rem-cert.crt.bak names/rem-cert.csr names/ca.crt names/ssl.crt
rm names/rem-cert.key
cat chain.crt rem.key >names/rem-cert.crt
expect "store: key inside the chain file, no key file" 1 PAIR_INCOMPLETE names
expect_field "store: move the key into rem-cert.key" PAIR_INCOMPLETE message "move the key into rem-cert.key" names

# --- inspect ----------------------------------------------------------------------------------
if "$CERTCONFD" inspect chain.crt >inspect.out 2>&1 && grep -q "signed by next: yes" inspect.out &&
        grep -q "DNS:rem.sometelco.com" inspect.out && grep -q "SHA-256:" inspect.out; then
        ok "inspect shows the chain"
else
        not_ok "inspect output: $(head -c 400 inspect.out)"
fi
if "$CERTCONFD" inspect reversed.crt 2>&1 | grep -q "signed by next: NO"; then
        ok "inspect shows a reversed chain"
else
        not_ok "inspect on a reversed chain"
fi
if "$CERTCONFD" inspect rem.key >inspect.out 2>&1 && grep -q "0 certificates, 1 private key" inspect.out &&
        grep -q "private key 0: RSA 2048 bits" inspect.out; then
        ok "inspect on a key file"
else
        not_ok "inspect on a key file: $(head -c 400 inspect.out)"
fi
if "$CERTCONFD" inspect rem.csr >inspect.out 2>&1 && grep -q "certificate signing request" inspect.out; then
        ok "inspect on a CSR says what it is"
else
        not_ok "inspect on a CSR: $(head -c 400 inspect.out)"
fi
"$CERTCONFD" inspect garbage.crt >inspect.out 2>&1
if [ $? -eq 2 ] && grep -q INPUT_FORMAT inspect.out; then
        ok "inspect on garbage: exit 2, INPUT_FORMAT"
else
        not_ok "inspect on garbage: $(head -c 400 inspect.out)"
fi

finish
