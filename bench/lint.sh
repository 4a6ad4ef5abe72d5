#!/usr/bin/env bash
# Linter benchmark: lint N certificates (default 10,000) with pqsmime's linter and with
# DigiCert pkilint in the same run, and print the ratio.
#
#   bench/lint.sh                 # 10,000 certificates, release build, pkilint on all of them
#   N=2000 bench/lint.sh          # fewer certificates
#   PKILINT_SAMPLE=1000 bench/lint.sh   # time pkilint on the first 1,000 only and extrapolate
#   PROFILE=dev bench/lint.sh     # debug build (faster to compile, slower to run)
#
# Both linters run in-process over the same DER files (read into memory first), with the
# profile detected from the policy OID; pkilint's validators are built once per profile, so
# neither side pays interpreter or process start-up per certificate. pkilint needs
# `pip install pkilint` (tested with 0.13.3).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
PROFILE=${PROFILE:-release}
SAMPLE=${PKILINT_SAMPLE:-$N}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/pqsmime-lint-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

cargo_profile=()
[ "$PROFILE" = release ] && cargo_profile=(--release)
echo "generating and linting $N certificates with pqsmime ($PROFILE build)..." >&2
ours=$(PQSMIME_LINT_BENCH_DIR="$DIR" PQSMIME_LINT_BENCH_N="$N" \
  cargo test -q "${cargo_profile[@]}" -p pqsmime --test lint_bench -- --ignored --nocapture 2>/dev/null \
  | grep '^{' | tail -1)
[ -n "$ours" ] || { echo "the pqsmime benchmark produced no result" >&2; exit 1; }
echo "pqsmime:  $ours"

if ! python3 -c 'import pkilint' 2>/dev/null; then
  echo "pkilint not installed — skipped (pip install pkilint==0.13.3)"
  exit 0
fi
echo "linting $SAMPLE of them with pkilint $(python3 -c 'import importlib.metadata as m; print(m.version("pkilint"))')..." >&2
theirs=$(python3 bench/lint_pkilint.py "$DIR" "$SAMPLE")
echo "pkilint:  $theirs"

python3 - "$ours" "$theirs" "$N" <<'PY'
import json, sys
ours, theirs, n = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
t_ours = ours["seconds"]
t_theirs = theirs["seconds"]
label = "measured"
if theirs["certificates"] != n:
    t_theirs = t_theirs / theirs["certificates"] * n
    label = f"EXTRAPOLATED from {theirs['certificates']} certificates"
print(f"certificates:                 {n}")
print(f"pqsmime lint:                 {t_ours:.3f} s ({n / t_ours:,.0f} certificates/s), {ours['with_errors']} with errors")
print(f"pqsmime lint + ML-DSA verify: {ours['with_issuer_seconds']:.3f} s")
print(f"pkilint:                      {t_theirs:.3f} s ({label}), {theirs['with_errors']} of {theirs['certificates']} with errors")
print(f"ratio pkilint / pqsmime:      {t_theirs / t_ours:,.0f}x")
PY
