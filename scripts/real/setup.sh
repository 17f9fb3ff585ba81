#!/usr/bin/env bash
# Installs the real-engine test tier's tools into .tools/ (or $TOOLS_DIR), at the versions pinned in
# scripts/real/versions.env:  npm run setup:real
#
# - Debian packages come from `apt-get download` with a PRIVATE sources list, package lists and
#   cache (all below .tools/apt): the system's apt sources and state are never changed, nothing is
#   installed system-wide. Packages are unpacked with `dpkg -x` into .tools/root.
# - s3rver comes from the npm registry, with the lockfile in scripts/real/s3rver/.
# - A self-signed CA certificate for 127.0.0.1 and the tier's S3 name (s3rver speaks TLS only: over
#   plain http restic's chunked uploads are stored corrupted).
# - Images of the real upstream code (scripts/real/images.sh, stamped and cached on its own).
# Idempotent: a second run finds the stamp of the same versions and does nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT_DIR=$PWD
TOOLS=${TOOLS_DIR:-$ROOT_DIR/.tools}
# shellcheck source=scripts/real/versions.env disable=SC1091 # pinned versions, a plain KEY="value" file
. scripts/real/versions.env
read -ra trixie_debs <<<"$TRIXIE_PACKAGES"
read -ra bookworm_debs <<<"$BOOKWORM_PACKAGES"

started=$(date +%s)
stamp_want=$(cat scripts/real/versions.env scripts/real/setup.sh scripts/real/s3rver/package-lock.json scripts/real/s3rver/start.js | sha256sum | cut -c1-16)
if [[ -f "$TOOLS/.stamp" && "$(cat "$TOOLS/.stamp")" == "$stamp_want" ]]; then
    echo "setup:real: tools in $TOOLS are up to date (stamp $stamp_want)"
    # The images have a stamp of their own (and a cache across clones).
    TOOLS_DIR="$TOOLS" exec bash scripts/real/images.sh
fi

for tool in apt-get dpkg openssl npm tar; do
    command -v "$tool" >/dev/null || { echo "setup:real: $tool is needed to install the tools" >&2; exit 1; }
done

mkdir -p "$TOOLS"
rm -f "$TOOLS/.stamp"

# --- Debian packages, through a private apt configuration -------------------------------------
APT="$TOOLS/apt"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f "$keyring" ]] || { echo "setup:real: $keyring is missing (package debian-archive-keyring)" >&2; exit 1; }
cat >"$APT/sources.list" <<EOF
deb [signed-by=$keyring] $DEBIAN_MIRROR trixie main
deb [signed-by=$keyring] $DEBIAN_MIRROR bookworm main
EOF
apt_opts=(
    -o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
    -o APT::Default-Release=bookworm -o Debug::NoLocking=1 -o APT::Sandbox::User=root
)
echo "setup:real: apt-get update (private lists in $APT)"
apt-get "${apt_opts[@]}" -qq update

# Shared libraries the bookworm tools need and the host lacks, as apt would install them
# (a simulation against the system's own dpkg status; nothing is installed).
bookworm_names=()
for spec in "${bookworm_debs[@]}"; do bookworm_names+=("${spec%%=*}"); done
missing_deps=()
while read -r name version; do
    case " ${bookworm_names[*]} " in *" $name "*) continue ;; esac
    missing_deps+=("$name=$version")
done < <(apt-get "${apt_opts[@]}" -s install --no-install-recommends "${bookworm_debs[@]}" 2>/dev/null |
    sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p')
((${#missing_deps[@]} == 0)) || echo "setup:real: also unpacking libraries the host lacks: ${missing_deps[*]}"

echo "setup:real: apt-get download ${trixie_debs[*]} ${bookworm_debs[*]} ${missing_deps[*]}"
(cd "$APT/debs" && apt-get "${apt_opts[@]}" -qq download "${trixie_debs[@]}" "${bookworm_debs[@]}" "${missing_deps[@]}")

rm -rf "$TOOLS/root"
mkdir -p "$TOOLS/root"
for deb in "$APT/debs"/*.deb; do dpkg -x "$deb" "$TOOLS/root"; done
rm -f "$APT/debs"/*.deb

# --- Commands, as small wrappers in .tools/bin ----------------------------------------------------
BIN="$TOOLS/bin"
rm -rf "$BIN"
mkdir -p "$BIN"
R="$TOOLS/root"
libs="$R/usr/lib/x86_64-linux-gnu:$R/lib/x86_64-linux-gnu"
wrap() { # wrap <name> <target>: a wrapper that finds the unpacked libraries
    # shellcheck disable=SC2016 # ${LD_LIBRARY_PATH...} and $@ are for the wrapper to expand
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s" "$@"\n' "$libs" "$2" >"$BIN/$1"
    chmod +x "$BIN/$1"
}
for cmd in restic promtool prometheus shellcheck rsvg-convert docker dockerd containerd containerd-shim-runc-v2 runc docker-init docker-proxy; do
    target=""
    for dir in usr/bin usr/sbin sbin bin usr/libexec/docker; do
        [[ -x "$R/$dir/$cmd" ]] && { target="$R/$dir/$cmd"; break; }
    done
    [[ -n "$target" ]] || { echo "setup:real: $cmd not found in the unpacked packages" >&2; exit 1; }
    wrap "$cmd" "$target"
done
[[ -x "$BIN/docker-init" ]] || ln -sf "$R/usr/bin/tini-static" "$BIN/docker-init"
# Compose v2 as a CLI plugin of our own docker CLI config (DOCKER_CONFIG=.tools/docker-config).
mkdir -p "$TOOLS/docker-config/cli-plugins"
ln -sf "$R/usr/bin/docker-compose" "$TOOLS/docker-config/cli-plugins/docker-compose"

# --- s3rver from npm, locked ---------------------------------------------------------------------
mkdir -p "$TOOLS/s3rver"
cp scripts/real/s3rver/package.json scripts/real/s3rver/package-lock.json scripts/real/s3rver/start.js "$TOOLS/s3rver/"
npm ci --prefix "$TOOLS/s3rver" --no-audit --no-fund --silent

# --- A CA certificate for 127.0.0.1, for s3rver's TLS ---------------------------------------------
mkdir -p "$TOOLS/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=platform-backups real tier" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:$REAL_S3_HOSTNAME" \
    -keyout "$TOOLS/certs/key.pem" -out "$TOOLS/certs/cert.pem" 2>/dev/null
chmod 600 "$TOOLS/certs/key.pem"

# --- Images of the real upstream code (stack-back, restic-exporter, dcron, restic 0.18.1) ------------
TOOLS_DIR="$TOOLS" bash scripts/real/images.sh

echo "$stamp_want" >"$TOOLS/.stamp"
echo "setup:real: tools installed in $TOOLS in $(($(date +%s) - started)) s"
"$BIN/restic" version | head -n 1
"$BIN/promtool" --version 2>&1 | head -n 1
"$BIN/prometheus" --version 2>&1 | head -n 1
"$BIN/docker" --version
DOCKER_CONFIG="$TOOLS/docker-config" "$BIN/docker" compose version
"$BIN/shellcheck" --version | sed -n 2p
"$BIN/rsvg-convert" --version
