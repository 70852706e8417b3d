#!/usr/bin/env bash
# pipelines/release/install.sh — downloads a release archive of the AgentCanary tools, checks its SHA-256 and
# unpacks it; prints the folder of the tools (add it to PATH). What the GitHub action, the GitLab template and
# the Jenkinsfile run instead of building.
#
#   install.sh --version 0.1.0                      # from the project's GitHub releases (tag v0.1.0)
#   install.sh --version 0.1.0 --sha256 HEX         # and the archive must have this digest (pin it in CI)
#   install.sh --version 0.1.0 --base-url URL       # URL/v0.1.0/<archive> and URL/v0.1.0/SHA256SUMS (a mirror)
#   install.sh --version 0.1.0 --dir DIR            # unpack into DIR (default ~/.cache/agent-canary/VERSION)
#
# Without --sha256 the digest is the one the release's SHA256SUMS gives for the archive. Needs curl, sha256sum,
# tar and xz (Debian: xz-utils); the tools then need only the C library, SQLite and zlib (Debian, Ubuntu: libsqlite3-0 zlib1g).
# Exit status: 0 installed (or already there and verified), 64 bad arguments, 69 the archive or its sum could
# not be downloaded, 65 the archive's digest is not the expected one (nothing is unpacked).
set -euo pipefail
base=https://github.com/agent-canary/agent-canary/releases/download
version= sha256= dir=
while [ $# -gt 0 ]; do
  case $1 in
    --version) version=${2#v}; shift 2 ;;
    --sha256) sha256=$2; shift 2 ;;
    --base-url) base=${2%/}; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (try --help)" >&2; exit 64 ;;
  esac
done
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] ||
  { echo "install.sh: --version needs a release version such as 0.1.0, not '$version'" >&2; exit 64; }
[ -z "$sha256" ] || [[ $sha256 =~ ^[0-9a-f]{64}$ ]] ||
  { echo "install.sh: --sha256 needs 64 lowercase hexadecimal digits" >&2; exit 64; }
case $(uname -m) in
  x86_64 | aarch64) platform=linux-$(uname -m) ;;
  *) echo "install.sh: no release archive for $(uname -s) $(uname -m); build from source" >&2; exit 69 ;;
esac
archive=agent-canary-$version-$platform.tar.xz
dir=${dir:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-canary/$version}
if [ -x "$dir/bin/monitor" ] && [ -f "$dir/.sha256" ] && { [ -z "$sha256" ] || [ "$(cat "$dir/.sha256")" = "$sha256" ]; }; then
  echo "$dir/bin"
  exit 0
fi

download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
fetch() { curl --fail --silent --show-error --location --retry 3 --output "$download/$1" "$base/v$version/$1"; }
fetch "$archive" || { echo "install.sh: could not download $base/v$version/$archive" >&2; exit 69; }
if [ -z "$sha256" ]; then
  fetch SHA256SUMS || { echo "install.sh: could not download $base/v$version/SHA256SUMS" >&2; exit 69; }
  sha256=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1 }' "$download/SHA256SUMS")
  [ -n "$sha256" ] || { echo "install.sh: SHA256SUMS of v$version does not list $archive" >&2; exit 65; }
fi
actual=$(sha256sum "$download/$archive" | cut -d' ' -f1)
if [ "$actual" != "$sha256" ]; then
  echo "install.sh: $archive has SHA-256 $actual, expected $sha256: not installed" >&2
  exit 65
fi
mkdir -p "$download/unpacked"
tar -xJf "$download/$archive" -C "$download/unpacked" --strip-components=1
echo "$sha256" >"$download/unpacked/.sha256"
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$download/unpacked" "$dir"
echo "install.sh: AgentCanary $version ($platform) in $dir" >&2
echo "$dir/bin"
