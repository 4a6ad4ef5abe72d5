#!/usr/bin/env bash
# Builds the OpenSSL 4 command-line tool used as the interop peer in the test suite.
#
# The source comes from the `openssl-src` crate on crates.io (the only registry reachable
# from CI). The result is cached under $PQSMIME_PEER_DIR (default ~/.cache/pqsmime), so a
# machine builds it once; a fresh machine needs about 6-8 minutes on 2 cores.
#
# Prints the path of the `openssl` binary on stdout.
set -euo pipefail

version_crate="400.0.2+4.0.3"
peer_dir="${PQSMIME_PEER_DIR:-$HOME/.cache/pqsmime}"
prefix="$peer_dir/openssl-4.0.3"
bin="$prefix/bin/openssl"

if [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -q '^OpenSSL 4\.'; then
  echo "$bin"
  exit 0
fi

mkdir -p "$peer_dir"
work="$(mktemp -d "$peer_dir/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# A throwaway cargo project makes cargo download and unpack the crate.
mkdir -p "$work/fetch/src"
cat > "$work/fetch/Cargo.toml" <<TOML
[package]
name = "fetch-openssl-src"
version = "0.0.0"
edition = "2021"
[dependencies]
openssl-src = "=$version_crate"
TOML
echo 'fn main() {}' > "$work/fetch/src/main.rs"
(cd "$work/fetch" && cargo fetch --quiet >&2)

src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/openssl-src-"$version_crate"/openssl | head -n 1)"
[ -f "$src/Configure" ] || { echo "openssl source not found after cargo fetch" >&2; exit 2; }
cp -r "$src" "$work/openssl"
cd "$work/openssl"
# The build log is long; keep it in a file and show its end only if something fails.
log="$peer_dir/openssl-build.log"
echo "building OpenSSL 4.0.3 into $prefix (log: $log; 6-8 minutes on 2 cores)..." >&2
trap 'status=$?; if [ $status -ne 0 ]; then echo "OpenSSL build failed; last lines of $log:" >&2; tail -n 40 "$log" >&2; fi; rm -rf "$work"' EXIT
# The crate omits files only needed for shared-library and module builds (see shared/spec/peers.md).
./Configure --prefix="$prefix" --libdir=lib no-docs no-tests no-shared no-module >"$log" 2>&1
make -j"$(nproc)" >>"$log" 2>&1
make install_sw >>"$log" 2>&1

# The tarball carries no openssl.cnf; `openssl req` and friends want one.
mkdir -p "$prefix/ssl"
cat > "$prefix/ssl/openssl.cnf" <<CNF
[req]
distinguished_name = dn
[dn]
CNF
"$bin" version >&2
echo "$bin"
