#!/usr/bin/env bash
# Runs the whole pqsmime test suite, including the interoperability tests against the
# OpenSSL 4 command-line tool.
#
# The OpenSSL 4 peer is built once by .ci/build-openssl4.sh and cached in ~/.cache/pqsmime
# (6-8 minutes on a fresh 2-core machine; instant afterwards). The suite runs in the debug
# profile (dependencies at opt-level 2): on 2 cores a fresh debug build plus the run is quicker
# than a release build, and debug assertions stay on. Extra arguments go to
# `cargo test` (e.g. `scripts/test.sh -p pqsmime-cli --test tamper`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PQSMIME_OPENSSL:-}" ] || ! [ -x "$PQSMIME_OPENSSL" ]; then
  echo "test.sh: preparing the OpenSSL 4 interop peer (cached in ~/.cache/pqsmime)..." >&2
  PQSMIME_OPENSSL="$(.ci/build-openssl4.sh)"
fi
export PQSMIME_OPENSSL
echo "test.sh: interop peer: $PQSMIME_OPENSSL ($("$PQSMIME_OPENSSL" version))" >&2

exec cargo test --workspace --no-fail-fast "$@"
