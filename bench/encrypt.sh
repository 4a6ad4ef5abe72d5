#!/usr/bin/env bash
# Side-by-side benchmark: pqsmime vs the OpenSSL 4 CLI, encrypting and decrypting CMS
# (AuthEnvelopedData, AES-256-GCM) — issue 3's three cases, both tools in the same run,
# interleaved (ours, theirs, ours, theirs, ...), printing ratios ours/OpenSSL (below 1 means
# pqsmime is faster).
#
#   bench/encrypt.sh [--runs N] [--recipients R] [--big-mib M] [--big-runs K] [--dir DIR]
#
# (a) a 4 KiB message to one recipient (ML-KEM-768, RSA-2048, ECDH P-256), encrypt and
#     decrypt, DER, median of N runs (default 21). Each run is a whole process, so process
#     start-up (loading certificates and keys, seeding the RNG) is part of the figure; a row
#     with `pqsmime --version` / `openssl version` shows the bare start-up.
# (b) a 4 KiB message encrypted to R ML-KEM-768 recipients (default 1000), median of 5 runs,
#     and the last recipient decrypting it.
# (c) M MiB (default 1024) of random data, signed with ML-DSA-65 (SHA-512) then encrypted to
#     ML-KEM-768 with AES-256-GCM, and decrypted then verified; median of K runs (default 3):
#       ours, one process:  pqsmime encrypt --sign-cert A --sign-key A --to B --format der
#                           pqsmime decrypt --cert B --key B --verify --trust CA -o OUT
#       ours, pipe:         pqsmime sign --format der | pqsmime encrypt --format der
#                           pqsmime decrypt | pqsmime verify
#       OpenSSL, pipe:      openssl cms -sign -nodetach -md sha512 | openssl cms -encrypt
#                           openssl cms -decrypt | openssl cms -verify
#     plus encryption and decryption alone (no signature) for both tools.
#     Wall time, MB/s (10^6 bytes of content per second) and peak RSS (GNU time %M; for a
#     pipe, the largest of its processes).
#
# Files (inputs, outputs and pqsmime's temporary files, TMPDIR) go to DIR: /dev/shm when it
# has room (so that the numbers measure the tools, not the disk), else /tmp. Keys and
# certificates are made by pqsmime. Uses the release binary.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

runs=21
nrecip=1000
big_mib=1024
big_runs=3
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --recipients) nrecip="$2"; shift 2 ;;
    --big-mib) big_mib="$2"; shift 2 ;;
    --big-runs) big_runs="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--recipients R] [--big-mib M] [--big-runs K] [--dir DIR]" >&2; exit 2 ;;
  esac
done

gnu_time=/usr/bin/time
if ! [ -x "$gnu_time" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing GNU time (for peak RSS)..." >&2
    apt-get install -y -qq time >/dev/null
  else
    echo "GNU time (/usr/bin/time) is needed for peak RSS; install the 'time' package" >&2
    exit 2
  fi
fi

echo "building pqsmime (release)..." >&2
(cd "$repo" && cargo build --release --quiet -p pqsmime-cli)
pq="$repo/target/release/pqsmime"
if [ -z "${PQSMIME_OPENSSL:-}" ] || ! [ -x "$PQSMIME_OPENSSL" ]; then
  PQSMIME_OPENSSL="$("$repo/.ci/build-openssl4.sh")"
fi
ossl="$PQSMIME_OPENSSL"
export OPENSSL_CONF
OPENSSL_CONF="$(dirname "$(dirname "$ossl")")/ssl/openssl.cnf"

# Room for the input, two outputs per tool and a spool: about 5 times the big file.
need_kib=$(( big_mib * 1024 * 5 + 1048576 ))
if [ -z "$dir" ]; then
  if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt "$need_kib" ]; then
    dir=/dev/shm
  else
    dir="${TMPDIR:-/tmp}"
  fi
fi
work="$(mktemp -d "$dir/pqsmime-bench-enc.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
export TMPDIR="$work"

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- fixtures ------------------------------------------------------------------------------
echo "making keys and certificates..." >&2
"$pq" key gen --alg ml-dsa-65 -o ca.key 2>/dev/null
"$pq" cert ca --key ca.key --subject "CN=bench encryption root" -o ca.crt
issue() { # alg name usage
  "$pq" key gen --alg "$1" -o "$2.key" 2>/dev/null
  "$pq" key pub "$2.key" -o "$2.pub"
  "$pq" cert issue --ca-cert ca.crt --ca-key ca.key --pub "$2.pub" \
    --email "$2@example.com" --usage "$3" --profile test -o "$2.crt"
}
issue ml-dsa-65 alice sign
for alg in ml-kem-768 rsa-2048 ec-p256; do issue "$alg" "bob-$alg" encrypt; done
mkdir -p many
for i in $(seq "$nrecip"); do issue ml-kem-768 "many/r$i" encrypt; done
head -c 4096 /dev/urandom > small.bin
echo "writing ${big_mib} MiB of random data to $work..." >&2
head -c "$((big_mib * 1024 * 1024))" /dev/urandom > big.bin

# --- measurement ---------------------------------------------------------------------------
# measure ACC CMD... : runs once; appends "ns kib" to the file ACC.
measure() {
  local acc="$1"; shift
  local t0 t1
  t0=$(date +%s%N)
  if ! "$gnu_time" -f %M -o rss.tmp "$@" >/dev/null 2>err.tmp; then
    echo "command failed: $*" >&2
    cat err.tmp >&2
    exit 1
  fi
  t1=$(date +%s%N)
  echo "$(( t1 - t0 )) $(tail -n 1 rss.tmp)" >> "$acc"
}

# measure_pipe ACC "CMD1" "CMD2": CMD1 | CMD2 (each a string for bash), GNU time on both;
# appends "ns max_kib".
measure_pipe() {
  local acc="$1" c1="$2" c2="$3"
  local t0 t1
  t0=$(date +%s%N)
  if ! bash -c "set -o pipefail; $gnu_time -f %M -o rss1.tmp $c1 2>err1.tmp | $gnu_time -f %M -o rss2.tmp $c2 >/dev/null 2>err2.tmp"; then
    echo "pipe failed: $c1 | $c2" >&2
    cat err1.tmp err2.tmp >&2
    exit 1
  fi
  t1=$(date +%s%N)
  local r1 r2
  r1=$(tail -n 1 rss1.tmp); r2=$(tail -n 1 rss2.tmp)
  echo "$(( t1 - t0 )) $(( r1 > r2 ? r1 : r2 ))" >> "$acc"
}

median_ns() { awk '{print $1}' "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max_kib() { awk 'BEGIN{m=0} {if ($2>m) m=$2} END {print m}' "$1"; }
fmt_time() { awk -v ns="$1" 'BEGIN { if (ns < 1e9) printf "%.1f ms", ns/1e6; else printf "%.2f s", ns/1e9 }'; }
fmt_rate() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.0f", (b/1e6)/(ns/1e9) }'; }
fmt_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k/1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a/b }'; }

# row CASE OP OURS_ACC THEIRS_ACC BYTES
row() {
  local mo mt
  mo=$(median_ns "$3"); mt=$(median_ns "$4")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" \
    "$(fmt_time "$mo")" "$(fmt_time "$mt")" "$(ratio "$mo" "$mt")" \
    "$(fmt_rate "$5" "$mo")" "$(fmt_rate "$5" "$mt")" \
    "$(fmt_mib "$(max_kib "$3")")" "$(fmt_mib "$(max_kib "$4")")"
}

printf '| case | operation | pqsmime | OpenSSL 4 | ratio | pqsmime MB/s | OpenSSL MB/s | pqsmime RSS MiB | OpenSSL RSS MiB |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'

# (a) 4 KiB, one recipient ------------------------------------------------------------------
small_bytes=$(stat -c %s small.bin)
# What starting the process alone costs (no keys, no crypto).
rm -f a.so a.st
for _ in $(seq "$runs"); do
  measure a.so "$pq" --version
  measure a.st "$ossl" version
done
row "(a) process start-up only (--version)" "-" a.so a.st "$small_bytes"
for alg in ml-kem-768 rsa-2048 ec-p256; do
  b="bob-$alg"
  rm -f a.eo a.et a.do a.dt
  for _ in $(seq "$runs"); do
    measure a.eo "$pq" encrypt --to "$b.crt" --format der -o "a-ours-$alg.der" small.bin
    measure a.et "$ossl" cms -encrypt -binary -aes-256-gcm -outform DER -recip "$b.crt" \
      -in small.bin -out "a-theirs-$alg.der"
  done
  for _ in $(seq "$runs"); do
    measure a.do "$pq" decrypt --cert "$b.crt" --key "$b.key" -o a.out "a-ours-$alg.der"
    measure a.dt "$ossl" cms -decrypt -binary -inform DER -recip "$b.crt" -inkey "$b.key" \
      -in "a-theirs-$alg.der" -out a.out
  done
  row "(a) 4 KiB, 1 recipient, $alg" encrypt a.eo a.et "$small_bytes"
  row "(a) 4 KiB, 1 recipient, $alg" decrypt a.do a.dt "$small_bytes"
done

# (b) 1,000 ML-KEM-768 recipients ---------------------------------------------------------------
ours_to=()
theirs_to=()
for i in $(seq "$nrecip"); do
  ours_to+=(--to "many/r$i.crt")
  theirs_to+=("many/r$i.crt")
done
rm -f b.eo b.et b.do b.dt
for _ in $(seq 5); do
  measure b.eo "$pq" encrypt "${ours_to[@]}" --format der -o b-ours.der small.bin
  measure b.et "$ossl" cms -encrypt -binary -aes-256-gcm -outform DER -in small.bin \
    -out b-theirs.der "${theirs_to[@]}"
done
for _ in $(seq 5); do
  measure b.do "$pq" decrypt --cert "many/r$nrecip.crt" --key "many/r$nrecip.key" -o b.out b-ours.der
  measure b.dt "$ossl" cms -decrypt -binary -inform DER -recip "many/r$nrecip.crt" \
    -inkey "many/r$nrecip.key" -in b-theirs.der -out b.out
done
row "(b) 4 KiB, $nrecip ML-KEM-768 recipients" encrypt b.eo b.et "$small_bytes"
row "(b) 4 KiB, $nrecip ML-KEM-768 recipients" "decrypt (last recipient)" b.do b.dt "$small_bytes"
size_ours=$(stat -c %s b-ours.der); size_theirs=$(stat -c %s b-theirs.der)

# (c) large: encrypt/decrypt alone, then sign-then-encrypt / decrypt-then-verify -------------------
big_bytes=$(stat -c %s big.bin)
label="$big_mib MiB"
B=bob-ml-kem-768
rm -f c.*
# Every output file is removed before the run that writes it: replacing a 1 GiB file on tmpfs
# costs a varying amount of kernel time (0.4-2 s seen) that belongs to neither tool.
for _ in $(seq "$big_runs"); do
  rm -f c-ours.der c-theirs.der
  measure c.eo "$pq" encrypt --to "$B.crt" --format der -o c-ours.der big.bin
  measure c.et "$ossl" cms -encrypt -binary -aes-256-gcm -outform DER -recip "$B.crt" \
    -in big.bin -out c-theirs.der
done
for _ in $(seq "$big_runs"); do
  measure c.do "$pq" decrypt --cert "$B.crt" --key "$B.key" -o c.out c-ours.der
  rm -f c.out
  measure c.dt "$ossl" cms -decrypt -binary -inform DER -recip "$B.crt" -inkey "$B.key" \
    -in c-theirs.der -out c.out
  rm -f c.out
done
rm -f c-ours.der c-theirs.der
row "(c) $label, ML-KEM-768" "encrypt" c.eo c.et "$big_bytes"
row "(c) $label, ML-KEM-768" "decrypt" c.do c.dt "$big_bytes"

for _ in $(seq "$big_runs"); do
  rm -f se-ours.der se-theirs.der
  measure c.seo "$pq" encrypt --sign-cert alice.crt --sign-key alice.key --to "$B.crt" \
    --format der -o se-ours.der big.bin
  measure_pipe c.set \
    "$ossl cms -sign -binary -nodetach -md sha512 -signer alice.crt -inkey alice.key -outform DER -in big.bin" \
    "$ossl cms -encrypt -binary -aes-256-gcm -outform DER -recip $B.crt -out se-theirs.der"
done
for _ in $(seq "$big_runs"); do
  measure c.dvo "$pq" decrypt --cert "$B.crt" --key "$B.key" --verify --trust ca.crt \
    -o dv.out se-ours.der
  cmp -s dv.out big.bin || { echo "pqsmime decrypt --verify: content differs" >&2; exit 1; }
  rm -f dv.out
  measure_pipe c.dvt \
    "$ossl cms -decrypt -binary -inform DER -recip $B.crt -inkey $B.key -in se-theirs.der" \
    "$ossl cms -verify -binary -inform DER -CAfile ca.crt -out dv.out"
  cmp -s dv.out big.bin || { echo "openssl decrypt | verify: content differs" >&2; exit 1; }
  rm -f dv.out
done
row "(c) $label, ML-DSA-65 + ML-KEM-768" "sign-then-encrypt (ours: one process)" c.seo c.set "$big_bytes"
row "(c) $label, ML-DSA-65 + ML-KEM-768" "decrypt-then-verify (ours: one process)" c.dvo c.dvt "$big_bytes"

for _ in $(seq "$big_runs"); do
  rm -f se-pipe.der
  measure_pipe c.sep \
    "$pq sign --cert alice.crt --key alice.key --format der big.bin" \
    "$pq encrypt --to $B.crt --format der -o se-pipe.der"
done
row "(c) $label, ML-DSA-65 + ML-KEM-768" "sign-then-encrypt (ours: sign | encrypt)" c.sep c.set "$big_bytes"
rm -f se-ours.der se-theirs.der
for _ in $(seq "$big_runs"); do
  measure_pipe c.dvp \
    "$pq decrypt --cert $B.crt --key $B.key se-pipe.der" \
    "$pq verify --trust ca.crt -o dv.out"
  cmp -s dv.out big.bin || { echo "pqsmime decrypt | verify: content differs" >&2; exit 1; }
  rm -f dv.out
done
row "(c) $label, ML-DSA-65 + ML-KEM-768" "decrypt-then-verify (ours: decrypt | verify)" c.dvp c.dvt "$big_bytes"

echo
echo "runs: $runs (a), 5 (b), $big_runs (c); medians of wall time; RSS = max over runs (pipes: the largest process)."
echo "(b) message sizes: pqsmime $size_ours bytes, OpenSSL $size_theirs bytes."
echo "files and TMPDIR: $dir ($(df -PT "$dir" | awk 'NR==2 {print $2}'))"
echo "pqsmime: $("$pq" --version 2>/dev/null || echo "$pq") ($(cd "$repo" && git rev-parse --short HEAD))"
echo "openssl: $("$ossl" version)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (at the start: $load_start)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
