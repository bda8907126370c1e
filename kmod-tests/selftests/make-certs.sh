#!/bin/bash
# make-certs.sh DIR: the test PKI, made fresh with openssl for each run.
#   ca.crt            EC P-256 CA the tests trust
#   other-ca.crt      a CA nobody trusts
#   server-ec.*       P-256 leaf, CN/SAN localhost, signed by ca
#   server-rsa.*      RSA-2048 leaf, CN/SAN localhost, signed by ca
#   expired.*         P-256 leaf for localhost whose validity ended in 2020
#   untrusted.*       P-256 leaf for localhost signed by other-ca
#   client.*          P-256 client certificate signed by ca
set -euo pipefail
dir=${1:?usage: make-certs.sh DIR}
cd "$dir"

ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

ca() { # name subject
	ec "$1"
	openssl req -x509 -new -key "$1.key" -out "$1.crt" -days 30 -subj "$2" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
}

leaf() { # name issuer subject [ext]
	openssl req -new -key "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
	printf '%s\n' "${4:-subjectAltName=DNS:localhost}" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
		-days 30 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}

ca ca /CN=ktlsd-test-ca
ca other-ca /CN=ktlsd-other-ca
ec server-ec && leaf server-ec ca /CN=localhost
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server-rsa.key 2>/dev/null
leaf server-rsa ca /CN=localhost
ec untrusted && leaf untrusted other-ca /CN=localhost
ec client && leaf client ca /CN=ktlsd-test-client "extendedKeyUsage=clientAuth"

# An expired certificate needs explicit dates: openssl ca takes them.
ec expired
openssl req -new -key expired.key -out expired.csr -subj /CN=localhost 2>/dev/null
mkdir -p ca-db && : >ca-db/index.txt && echo 01 >ca-db/serial
cat >ca-db/ca.cnf <<'EOF'
[ca]
default_ca = test
[test]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = ext
[any]
commonName = supplied
[ext]
subjectAltName = DNS:localhost
EOF
openssl ca -batch -config ca-db/ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr \
	-out expired.crt -startdate 20200101000000Z -enddate 20200201000000Z >/dev/null 2>&1
# Fail loudly if any of them is missing.
for f in ca other-ca server-ec server-rsa untrusted client expired; do
	test -s "$f.crt" -a -s "$f.key"
done
