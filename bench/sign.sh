#!/usr/bin/env bash
# Side-by-side benchmark: pqsmime vs the OpenSSL 4 CLI, signing and verifying CMS SignedData.
#
#   bench/sign.sh [--runs N] [--big-mib M] [--big-runs K]
#
# For ML-DSA-65 and ECDSA P-256, for a 4 KiB message and a large file (100 MiB by default),
# in DER, detached and encapsulated:
#   ours:   pqsmime sign --cert C --key K [--detached] --format der -o OUT IN
#           pqsmime verify --trust CA [--content IN] -o /dev/null OUT
#   theirs: openssl cms -sign -binary -outform DER [-nodetach] -signer C -inkey K -in IN -out OUT
#           openssl cms -verify -binary -inform DER -CAfile CA [-content IN] -in OUT -out /dev/null
# OpenSSL signs ML-DSA with `-md sha512`, the digest pqsmime uses (OpenSSL's default is
# SHAKE256), so both do the same hashing work; ECDSA P-256 uses SHA-256 in both.
#
# Each tool verifies its own output. Reported per case: median wall time over N runs (4 KiB;
# default 21) or K runs (large file; default 3), throughput, ratio ours/OpenSSL (below 1 means
# pqsmime is faster) and peak RSS (the maximum over the runs, from GNU time's "%M").
# Keys and certificates are made by pqsmime. Uses the release binary.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

runs=21
big_mib=100
big_runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --big-mib) big_mib="$2"; shift 2 ;;
    --big-runs) big_runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--big-mib M] [--big-runs K]" >&2; exit 2 ;;
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

work="$(mktemp -d "${TMPDIR:-/tmp}/pqsmime-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- fixtures ------------------------------------------------------------------------
for alg in ml-dsa-65 ec-p256; do
  "$pq" key gen --alg "$alg" -o "ca-$alg.key" 2>/dev/null
  "$pq" cert ca --key "ca-$alg.key" --subject "CN=bench root $alg" -o "ca-$alg.crt"
  "$pq" key gen --alg "$alg" -o "ee-$alg.key" 2>/dev/null
  "$pq" key pub "ee-$alg.key" -o "ee-$alg.pub"
  "$pq" cert issue --ca-cert "ca-$alg.crt" --ca-key "ca-$alg.key" --pub "ee-$alg.pub" \
    --email bench@example.com --usage sign --profile test -o "ee-$alg.crt"
done
head -c 4096 /dev/urandom > small.bin
head -c "$((big_mib * 1024 * 1024))" /dev/urandom > big.bin

# --- measurement -------------------------------------------------------------------------
# measure OUTVAR CMD... : runs once; appends "seconds kib" to the file named OUTVAR.
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

median_ns() { awk '{print $1}' "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max_kib() { awk 'BEGIN{m=0} {if ($2>m) m=$2} END {print m}' "$1"; }

fmt_time() { # ns -> human
  awk -v ns="$1" 'BEGIN { if (ns < 1e9) printf "%.1f ms", ns/1e6; else printf "%.2f s", ns/1e9 }'
}
fmt_rate() { # bytes ns -> MiB/s
  awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.1f", (b/1048576)/(ns/1e9) }'
}
fmt_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k/1024 }'; }

printf '| op | alg | size | mode | pqsmime | OpenSSL 4 | ratio | pqsmime MiB/s | OpenSSL MiB/s | pqsmime RSS MiB | OpenSSL RSS MiB |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'

for alg in ml-dsa-65 ec-p256; do
  md=()
  [ "$alg" = ml-dsa-65 ] && md=(-md sha512)
  for size in small big; do
    input="$size.bin"
    bytes=$(stat -c %s "$input")
    n=$runs
    label="4 KiB"
    if [ "$size" = big ]; then n=$big_runs; label="$big_mib MiB"; fi
    for mode in detached encapsulated; do
      ours_flags=(--format der)
      theirs_flags=()
      if [ "$mode" = detached ]; then
        ours_flags+=(--detached)
      else
        theirs_flags+=(-nodetach)
      fi
      ours_msg="ours-$alg-$size-$mode.der"
      theirs_msg="theirs-$alg-$size-$mode.der"
      rm -f s.ours s.theirs v.ours v.theirs
      for _ in $(seq "$n"); do
        measure s.ours "$pq" sign --cert "ee-$alg.crt" --key "ee-$alg.key" "${ours_flags[@]}" \
          -o "$ours_msg" "$input"
        measure s.theirs "$ossl" cms -sign -binary -outform DER "${theirs_flags[@]}" "${md[@]}" \
          -signer "ee-$alg.crt" -inkey "ee-$alg.key" -in "$input" -out "$theirs_msg"
      done
      content_ours=()
      content_theirs=()
      if [ "$mode" = detached ]; then
        content_ours=(--content "$input")
        content_theirs=(-content "$input")
      fi
      for _ in $(seq "$n"); do
        measure v.ours "$pq" verify --trust "ca-$alg.crt" "${content_ours[@]}" -o /dev/null "$ours_msg"
        measure v.theirs "$ossl" cms -verify -binary -inform DER -CAfile "ca-$alg.crt" \
          "${content_theirs[@]}" -in "$theirs_msg" -out /dev/null
      done
      for op in sign verify; do
        f=${op:0:1}
        mo=$(median_ns "$f.ours"); mt=$(median_ns "$f.theirs")
        ratio=$(awk -v a="$mo" -v b="$mt" 'BEGIN { printf "%.2f", a/b }')
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
          "$op" "$alg" "$label" "$mode" "$(fmt_time "$mo")" "$(fmt_time "$mt")" "$ratio" \
          "$(fmt_rate "$bytes" "$mo")" "$(fmt_rate "$bytes" "$mt")" \
          "$(fmt_mib "$(max_kib "$f.ours")")" "$(fmt_mib "$(max_kib "$f.theirs")")"
      done
    done
  done
done

echo
echo "runs: $runs (4 KiB), $big_runs (${big_mib} MiB); medians of wall time; RSS = max over runs."
echo "pqsmime: $("$pq" --version 2>/dev/null || echo "$pq") ($(cd "$repo" && git rev-parse --short HEAD))"
echo "openssl: $("$ossl" version)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (at the start: $load_start)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
