#!/usr/bin/env bash
# pipelines/release/build.sh — the release archive of this checkout, for this machine's platform:
#
#   pipelines/release/build.sh                 # into .build/dist
#   pipelines/release/build.sh --out DIR
#
# It writes, for version V (the tools' --version) and platform P (linux-x86_64, linux-aarch64):
#   agent-canary-V-P.tar.xz              bin/ (benchmark-gate, canary-deploy, monitor, feedback-export, agent-sim:
#                                        Swift's standard library and Foundation linked in, stripped),
#                                        share/man/man1/ (from argument-parser's generate-manual), pipelines/local/
#                                        (the local loop and its example, which runs bin/), schemas/, README.md,
#                                        bom.json (the bundled libraries with versions and licences, and what the
#                                        tools need from the system)
#   agent-canary-V-P-debug.tar.gz        bin/<tool>.debug: the debug symbols stripped from each tool (gdb finds them
#                                        through the tool's .gnu_debuglink)
#   SHA256SUMS                           both archives' SHA-256 (sha256sum -c SHA256SUMS)
# The tools need only the C library (the glibc of the build machine or newer), libstdc++, SQLite and zlib: on
# Debian or Ubuntu, `apt-get install libsqlite3-0 zlib1g` (and xz-utils to unpack: the five tools share most of
# their 95 MB each, which xz's 192 MiB window stores once: 46 MB instead of gzip's 179 MB). Tests/Validation/check-release proves it on a
# minimal Debian root without Swift. Archives are reproducible: names sorted, owner 0, times from the last
# commit (SOURCE_DATE_EPOCH overrides). Needs Swift, binutils (objcopy, readelf), xz, dpkg-query and python3.
# Exit status 0 when the archives are written, 64 on a bad argument, 70 when a step fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=.build/dist
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (try --help)" >&2; exit 64 ;;
  esac
done
fail() { echo "error: $*" >&2; exit 70; }

tools=(benchmark-gate canary-deploy monitor feedback-export agent-sim)
echo "==> swift build -c release --static-swift-stdlib" >&2
for tool in "${tools[@]}"; do
  swift build -c release --static-swift-stdlib --product "$tool" >&2 || fail "the release build of $tool failed"
done
built=$(swift build -c release --static-swift-stdlib --show-bin-path)

version=$("$built/monitor" --version)
platform=linux-$(uname -m)
name=agent-canary-$version-$platform
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/$name
debug=$stage/$name-debug
mkdir -p "$root/bin" "$root/share/man/man1" "$debug/bin"

echo "==> stripping the tools (debug symbols apart)" >&2
for tool in "${tools[@]}"; do
  objcopy --only-keep-debug "$built/$tool" "$debug/bin/$tool.debug"
  objcopy --strip-all --add-gnu-debuglink="$debug/bin/$tool.debug" "$built/$tool" "$root/bin/$tool"
  "$root/bin/$tool" --version >/dev/null || fail "the stripped $tool does not run"
done

echo "==> man pages (argument-parser's generate-manual)" >&2
tool_named() { find .build -maxdepth 3 -name generate-manual-tool -type f -perm -u+x 2>/dev/null | head -1; }
manual=$(tool_named)
if [ -z "$manual" ]; then
  # The plugin's tool: `swift package plugin generate-manual --help` builds it (and only prints its help).
  swift package plugin generate-manual --help >/dev/null || fail "argument-parser's generate-manual plugin failed"
  manual=$(tool_named)
fi
[ -n "$manual" ] || fail "argument-parser's generate-manual tool could not be built"
for tool in "${tools[@]}"; do
  "$manual" "$root/bin/$tool" --multi-page --date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" \
    --authors "the AgentCanary authors" --output-directory "$root/share/man/man1" >/dev/null ||
    fail "generate-manual failed for $tool"
done

echo "==> the local loop, the schemas and the bill of materials" >&2
mkdir -p "$root/pipelines/local"
cp -R pipelines/local/run.sh pipelines/local/example "$root/pipelines/local/"
cp -R schemas "$root/schemas"
cp README.md "$root/README.md"
needed=$(for tool in "${tools[@]}"; do
  readelf -d "$root/bin/$tool" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
done | sort -u)
glibc=$(for tool in "${tools[@]}"; do
  objdump -T "$root/bin/$tool" | grep -o 'GLIBC_[0-9.]*'
done | sort -u -V | tail -1)
swift_version=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -1)
NEEDED=$needed GLIBC=$glibc SWIFT_VERSION=$swift_version VERSION=$version PLATFORM=$platform \
  python3 - "$root/bom.json" <<'PYTHON' || fail "the bill of materials could not be written"
# bom.json: what the archive bundles (the Swift packages of Package.resolved, Swift's runtime) and what the
# tools load from the system (each library's Debian package on the build machine).
import json, os, pathlib, subprocess, sys

def licence(folder):
    for name in ("LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING"):
        path = folder / name
        if path.exists():
            text = path.read_text(errors="replace")
            if "Apache License" in text and "Version 2.0" in text:
                return "Apache-2.0 WITH Swift-exception" if "Runtime Library Exception" in text else "Apache-2.0"
            if "Permission is hereby granted, free of charge" in text:
                return "MIT"
            if "Redistribution and use in source and binary forms" in text:
                return "BSD-3-Clause" if "Neither the name" in text else "BSD-2-Clause"
    sys.exit(f"error: no licence recognised in {folder}")

# Build-time plugins compile nothing into the tools.
build_only = {"swift-docc-plugin", "swift-docc-symbolkit"}
bundles = {"swift-crypto": "BoringSSL (ISC and OpenSSL licences)", "swift-nio-ssl": "BoringSSL (ISC and OpenSSL licences)"}
resolved = json.loads(pathlib.Path("Package.resolved").read_text())
packages = []
for pin in sorted(resolved["pins"], key=lambda pin: pin["identity"]):
    if pin["identity"] in build_only:
        continue
    checkout = pathlib.Path(".build/checkouts") / pathlib.Path(pin["location"]).name.removesuffix(".git")
    entry = {"name": pin["identity"], "version": pin["state"].get("version") or pin["state"]["revision"],
             "revision": pin["state"]["revision"], "source": pin["location"], "licence": licence(checkout)}
    if pin["identity"] in bundles:
        entry["bundles"] = bundles[pin["identity"]]
    packages.append(entry)
swift = os.environ["SWIFT_VERSION"]
runtime = [
    {"name": "Swift standard library and runtime", "version": swift, "licence": "Apache-2.0 WITH Swift-exception"},
    {"name": "Foundation (swift-foundation, swift-corelibs-foundation)", "version": swift,
     "licence": "Apache-2.0 WITH Swift-exception"},
    {"name": "ICU (swift-foundation-icu)", "version": swift, "licence": "Unicode-3.0"},
    {"name": "Dispatch (swift-corelibs-libdispatch)", "version": swift, "licence": "Apache-2.0 WITH Swift-exception"},
]
system = []
for library in os.environ["NEEDED"].split():
    owner = subprocess.run(["dpkg-query", "-S", f"*/{library}"], capture_output=True, text=True).stdout
    package = owner.split(":")[0].strip() if owner else ""
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True,
                             text=True).stdout if package else ""
    system.append({"library": library, "debian_package": package or None, "built_against": version or None})
bom = {"name": "agent-canary", "version": os.environ["VERSION"], "platform": os.environ["PLATFORM"],
       "requires": {"glibc": os.environ["GLIBC"].removeprefix("GLIBC_") + " or later", "libraries": system},
       "bundled": {"swift_runtime": runtime, "swift_packages": packages}}
pathlib.Path(sys.argv[1]).write_text(json.dumps(bom, indent=2) + "\n")
PYTHON

echo "==> archives" >&2
mkdir -p "$out"
rm -f "$out/$name".tar.* "$out/$name"-debug.tar.* "$out/SHA256SUMS"
pack() { # folder archive compressor...
  local folder=$1 archive=$2
  shift 2
  tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner -C "$stage" -cf - "$folder" |
    "$@" >"$out/$archive.tmp"
  mv "$out/$archive.tmp" "$out/$archive"
}
pack "$name" "$name.tar.xz" xz -q --lzma2=preset=2,dict=192MiB
pack "$name-debug" "$name-debug.tar.gz" gzip -n
(cd "$out" && sha256sum "$name.tar.xz" "$name-debug.tar.gz" >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
ls -l "$out/$name.tar.xz" "$out/$name-debug.tar.gz" >&2
echo "$out/$name.tar.xz"
