#!/usr/bin/env bash
# The pqsmime main job, end to end, with real keys and real messages:
#
#   1. an ML-DSA-65 root CA;
#   2. Alice gets two signing certificates from it: ML-DSA-65 (quantum-safe) and ECDSA P-256
#      (for clients that do not know ML-DSA yet);
#   3. Alice signs one S/MIME message with both keys (two SignerInfos, multipart/signed);
#   4. pqsmime verifies it (policy require-pq) and OpenSSL 4 verifies it independently;
#   5. one changed character, and both reject it.
#
# Builds the release binary and the OpenSSL 4 peer (cached in ~/.cache/pqsmime) when needed.
# Files are left in $DEMO_DIR (default: a fresh temporary directory).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Building pqsmime (release) and the OpenSSL 4 peer"
(cd "$repo" && cargo build --release --quiet -p pqsmime-cli)
pqsmime_bin="$repo/target/release/pqsmime"
if [ -z "${PQSMIME_OPENSSL:-}" ] || ! [ -x "$PQSMIME_OPENSSL" ]; then
  PQSMIME_OPENSSL="$("$repo/.ci/build-openssl4.sh")"
fi
export OPENSSL_CONF="$(dirname "$(dirname "$PQSMIME_OPENSSL")")/ssl/openssl.cnf"
echo "pqsmime: $pqsmime_bin"
echo "openssl: $PQSMIME_OPENSSL ($("$PQSMIME_OPENSSL" version))"

dir="${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pqsmime-demo.XXXXXX")}"
mkdir -p "$dir"
cd "$dir"
echo "working in $dir"
pqsmime() { printf '$ pqsmime %s\n' "$*"; "$pqsmime_bin" "$@"; }
openssl() { printf '$ openssl %s\n' "$*"; "$PQSMIME_OPENSSL" "$@"; }

say "1. A root CA with an ML-DSA-65 key"
pqsmime key gen --alg ml-dsa-65 -o ca.key
pqsmime cert ca --key ca.key --subject "CN=pqsmime Demo Root CA,O=pqsmime demo,C=DE" --days 365 -o ca.crt

say "2. Alice's signing certificates: ML-DSA-65 and ECDSA P-256"
for alg in ml-dsa-65 ec-p256; do
  pqsmime key gen --alg "$alg" -o "alice-$alg.key"
  pqsmime key pub "alice-$alg.key" -o "alice-$alg.pub"
  pqsmime cert issue --ca-cert ca.crt --ca-key ca.key --pub "alice-$alg.pub" \
    --email alice@example.com --usage sign --profile test --days 365 -o "alice-$alg.crt"
done
ls -l ./*.key | awk '{print "  " $1 "  " $NF}'

say "3. Alice signs a message with both keys"
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob,\r\n\r\nthis message carries an ML-DSA-65 and an ECDSA P-256 signature.\r\n\r\nAlice\r\n' > message.txt
pqsmime sign --cert alice-ml-dsa-65.crt --key alice-ml-dsa-65.key \
  --cert alice-ec-p256.crt --key alice-ec-p256.key -o signed.eml message.txt
echo "signed.eml: $(wc -c < signed.eml) bytes; headers:"
sed -n '1,3p' signed.eml | sed 's/^/  /'

say "4a. pqsmime verifies (at least one valid quantum-safe signer required)"
pqsmime verify --trust ca.crt --policy require-pq -o verified.txt signed.eml
cmp message.txt verified.txt && echo "the verified content is exactly what Alice signed"

say "4b. The same result as JSON"
"$pqsmime_bin" verify --trust ca.crt --json signed.eml 2>/dev/null >verify.json
printf '$ pqsmime verify --trust ca.crt --json signed.eml\n'
grep -E '"(valid|algorithm|quantum_safe|signature_valid|chain_valid)"' verify.json | sed 's/^ */  /'

say "4c. OpenSSL 4 verifies the same message independently"
openssl cms -verify -CAfile ca.crt -in signed.eml -out openssl-verified.txt
cmp message.txt openssl-verified.txt && echo "OpenSSL extracted the same content"

say "5. One changed character: both must reject"
sed 's/Hello Bob/Hello Bib/' signed.eml > tampered.eml
set +e
"$pqsmime_bin" verify --trust ca.crt tampered.eml >/dev/null 2>tampered-pqsmime.txt
ours=$?
"$PQSMIME_OPENSSL" cms -verify -CAfile ca.crt -in tampered.eml -out /dev/null 2>tampered-openssl.txt
theirs=$?
set -e
echo "pqsmime verify: exit code $ours ($(grep -m1 'pqsmime: error' tampered-pqsmime.txt || true))"
echo "openssl cms -verify: exit code $theirs ($(head -n1 tampered-openssl.txt))"
if [ "$ours" -ne 1 ] || [ "$theirs" -eq 0 ]; then
  echo "UNEXPECTED: the tampered message was not rejected by both" >&2
  exit 1
fi

say "Done: a hybrid ML-DSA-65 + ECDSA S/MIME message, verified by pqsmime and by OpenSSL 4; tampering detected by both."
echo "files are in $dir"
