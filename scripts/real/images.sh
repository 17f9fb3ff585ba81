#!/usr/bin/env bash
# Builds the real-engine tier's images of the REAL upstream code, offline:  (called by setup.sh)
#   - stack-back v1.5.4 (sidecar and restore drill): its entrypoint and Python package, dcron v4.5
#     at Alpine's paths, restic 0.18.1, the postgres and mariadb clients;
#   - restic-exporter (the release pinned in components/monitoring.ts);
#   - a postgres server (Debian's postgresql-17) for the database dump tests.
# Output: root file system tars and their image settings in $TOOLS/images/ (the tier's dockerd
# imports them: tests/real/support/images.ts). Every way they differ from the published images is
# listed in docs/dev.md ("The real tier's images").
#
# Sources: the upstream archives in ../shared/upstream (checked against the sha256 sums below);
# Debian trixie packages from the mirror in versions.env through a private apt (nothing is installed
# on the machine). restic 0.18.1 is built from its archive with Debian trixie's Go toolchain and
# Debian's packaged Go libraries in GOPATH mode, as Debian builds its own restic package (with
# Debian's two patches: no Azure backend, no self-update), because Debian's restic is 0.18.0, which
# refuses stack-back's `--stdin-filename /databases/...` (restic/restic#5324, fixed in 0.18.1).
#
# Idempotent: a stamp of everything that goes in. Heavy outputs are cached by stamp in
# ${REAL_IMAGE_CACHE:-$HOME/.cache/platform-backups-real}/<stamp>, so a second clone on the same
# machine copies instead of building; a cache miss builds everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT_DIR=$PWD
TOOLS=${TOOLS_DIR:-$ROOT_DIR/.tools}
# shellcheck source=scripts/real/versions.env disable=SC1091 # pinned versions, a plain KEY="value" file
. scripts/real/versions.env
OUT="$TOOLS/images"
# ../shared/upstream beside the checkout, or beside the main checkout of a git worktree.
UPSTREAM=${REAL_UPSTREAM_DIR:-$ROOT_DIR/../shared/upstream}
if [[ -z "${REAL_UPSTREAM_DIR:-}" && ! -d "$UPSTREAM" ]]; then
    common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
    [[ -n "$common" && -d "$common/../../shared/upstream" ]] && UPSTREAM=$(cd "$common/../../shared/upstream" && pwd)
fi
started=$(date +%s)

# The exporter release: the one constant in components/monitoring.ts.
EXPORTER_RELEASE=$(sed -n 's/^export const EXPORTER_VERSION = "\([^"]*\)";$/\1/p' components/monitoring.ts)
case "$EXPORTER_RELEASE" in
    2.0.2) EXPORTER_ARCHIVE_SHA256=164647718d3de68f7aabcf1c264563f785ce2e90807e3fe852586c384b1d7ac9 EXPORTER_COMMIT=694d1d983e90418d00f7163533cba11231405552 ;;
    2.1.2) EXPORTER_ARCHIVE_SHA256=d0e068bc9d46e033687b7e06418bd6ea5fe3c0a3613736acffae838cd4926800 EXPORTER_COMMIT=f355547612b2d62d5d7afea42279843bddcb2f9c ;;
    *) echo "setup:real: no archive known for restic-exporter '$EXPORTER_RELEASE' (components/monitoring.ts EXPORTER_VERSION)" >&2; exit 1 ;;
esac
# archive name, sha256, tag, commit (the commit a checkout of the tag must have).
ARCHIVES=(
    "stack-back-v1.5.4.tar.gz 4af4877ee7bd92abce02032678a8f73ef96507ccb03b983c1d91dba09943b362 github.com/lawndoc/stack-back v1.5.4 a41dc8e38cc311123dcc944841b9effd4274755c"
    "restic-exporter-$EXPORTER_RELEASE.tar.gz $EXPORTER_ARCHIVE_SHA256 github.com/ngosang/restic-exporter $EXPORTER_RELEASE $EXPORTER_COMMIT"
    "restic-v0.18.1.tar.gz a464f40590962f4fec68fbd80172af42d0bfad77dd03f433bc4751623429ba99 github.com/restic/restic v0.18.1 7d0aa7f2e30546fba7c8f1c0bae4d6704e3d8423"
    "dcron-v4.5.tar.gz cfe65b3f204d3fba2e74b308a71a8f62a690bf3a462fabe6ada8b9e684a40e89 github.com/dubiousjim/dcron v4.5 206efcfb05212ea320c53ec4499e21c58e1b7c41"
)

stamp_want=$( (cat scripts/real/images.sh scripts/real/versions.env; echo "$EXPORTER_RELEASE") | sha256sum | cut -c1-16)
if [[ -f "$OUT/.stamp" && "$(cat "$OUT/.stamp")" == "$stamp_want" ]]; then
    echo "setup:real: images in $OUT are up to date (stamp $stamp_want)"
    exit 0
fi
CACHE_ROOT=${REAL_IMAGE_CACHE:-$HOME/.cache/platform-backups-real}
CACHE="$CACHE_ROOT/$stamp_want"
# restic's build changes only with its inputs: its own key, so that editing the images does not
# rebuild it.
RESTIC_CACHE="$CACHE_ROOT/restic-$(echo "restic-v0.18.1 $DEBIAN_RESTIC_SOURCE $DEBIAN_GOLANG_GO gopath-trimpath-cgo0 v1" | sha256sum | cut -c1-16)"

# --- Sources -------------------------------------------------------------------------------------
for entry in "${ARCHIVES[@]}"; do
    read -r file sum repo tag commit <<<"$entry"
    if [[ ! -f "$UPSTREAM/$file" ]]; then
        cat >&2 <<EOF
setup:real: $UPSTREAM/$file is missing. Fetch the tag and check its commit, then make the archive:
    git clone --depth 1 --branch $tag https://$repo src && test "\$(git -C src rev-parse HEAD)" = $commit
    git -C src archive --prefix=${file%.tar.gz}/ -o $UPSTREAM/$file HEAD
(the archives in the project's shared folder have sha256 $sum; a git archive of the same commit
holds the same files). Or set REAL_UPSTREAM_DIR to a folder that holds the archives.
EOF
        exit 1
    fi
    got=$(sha256sum "$UPSTREAM/$file" | cut -d' ' -f1)
    if [[ "$got" != "$sum" && "${REAL_UPSTREAM_CHECKED_BY_COMMIT:-}" != "1" ]]; then
        echo "setup:real: $file has sha256 $got, expected $sum (an archive made from a checkout whose commit is $commit: set REAL_UPSTREAM_CHECKED_BY_COMMIT=1)" >&2
        exit 1
    fi
done

WORK="$TOOLS/images-build"
rm -rf "$WORK" "$OUT"
mkdir -p "$WORK/src" "$OUT" "$CACHE" "$RESTIC_CACHE"
for entry in "${ARCHIVES[@]}"; do
    read -r file _ <<<"$entry"
    tar -C "$WORK/src" -xzf "$UPSTREAM/$file"
done
SB="$WORK/src/stack-back-v1.5.4"
EXP="$WORK/src/restic-exporter-$EXPORTER_RELEASE"

# --- A private apt for Debian trixie (sources too, for Debian's restic patches) -------------------
APT="$WORK/apt"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f "$keyring" ]] || { echo "setup:real: $keyring is missing (package debian-archive-keyring)" >&2; exit 1; }
printf 'deb [signed-by=%s] %s trixie main\ndeb-src [signed-by=%s] %s trixie main\n' "$keyring" "$DEBIAN_MIRROR" "$keyring" "$DEBIAN_MIRROR" >"$APT/sources.list"
: >"$APT/status" # an empty dpkg status: apt resolves every dependency, as for an empty root
cat >"$APT/apt.conf" <<EOF
Dir::Etc::SourceList "$APT/sources.list";
Dir::Etc::SourceParts "/dev/null";
Dir::State::Lists "$APT/lists";
Dir::State::status "$APT/status";
Dir::Cache "$APT/cache";
Debug::NoLocking "1";
APT::Sandbox::User "root";
APT::Architecture "amd64";
APT::Install-Recommends "0";
EOF
export APT_CONFIG="$APT/apt.conf"
echo "setup:real: images: apt-get update (trixie, private lists)"
apt-get -qq update

# closure <package=version...>: every package (name=version) apt installs into an empty root.
closure() { apt-get -s install "$@" 2>/dev/null | sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p'; }
# unpack <dir> <package=version...>: downloads and unpacks (dpkg -x, no maintainer scripts).
unpack() {
    local dir=$1
    shift
    rm -f "$APT/debs"/*.deb
    (cd "$APT/debs" && apt-get -qq download "$@")
    mkdir -p "$dir"
    # base-files first: it makes /bin, /lib, /sbin the links into /usr that the other packages expect.
    for deb in "$APT/debs"/base-files_*.deb "$APT/debs"/*.deb; do [[ -f "$deb" ]] && dpkg -x "$deb" "$dir"; done
    rm -f "$APT/debs"/*.deb
}

# --- restic 0.18.1 ---------------------------------------------------------------------------------
if [[ -x "$RESTIC_CACHE/restic" ]]; then
    echo "setup:real: images: restic 0.18.1 from the cache ($RESTIC_CACHE)"
else
    t0=$(date +%s)
    (cd "$WORK/src" && apt-get -qq source --download-only "restic=$DEBIAN_RESTIC_SOURCE")
    mkdir -p "$WORK/debian-restic" && tar -C "$WORK/debian-restic" -xf "$WORK/src"/restic_*.debian.tar.xz
    # Build-Depends' Go libraries (golang-*), and the Go toolchain.
    mapfile -t godeps < <(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' "$WORK/src"/restic_*.dsc | sed '$d' |
        sed 's/^Build-Depends://' | tr ',' '\n' | sed 's/(.*)//; s/^ *//; s/ *$//' | grep '^golang-' | grep -vx 'golang-any')
    mapfile -t gopkgs < <(closure "golang-go=$DEBIAN_GOLANG_GO" "${godeps[@]}" | grep '^golang')
    echo "setup:real: images: building restic 0.18.1 with ${#gopkgs[@]} Debian Go packages (a few minutes)"
    unpack "$WORK/go" "${gopkgs[@]}"
    GP="$WORK/gopath/src/github.com/restic"
    mkdir -p "$GP" && mv "$WORK/src/restic-v0.18.1" "$GP/restic"
    # Debian's patches (debian/patches of restic 0.18.0-1): self-update removed; Azure disabled, whose
    # go.mod hunk has no meaning in GOPATH mode, so its global.go part is applied by sed.
    patch -d "$GP/restic" -p1 -s <"$WORK/debian-restic/debian/patches/remove-self-update.patch"
    sed -i '/internal\/backend\/azure"/d; /backends.Register(azure.NewFactory())/d' "$GP/restic/cmd/restic/global.go"
    goroot=$(echo "$WORK"/go/usr/lib/go-*)
    (cd "$GP/restic" && GOROOT="$goroot" GOPATH="$WORK/gopath:$WORK/go/usr/share/gocode" GO111MODULE=off CGO_ENABLED=0 \
        GOCACHE="$WORK/gocache" GOFLAGS='' GOTOOLCHAIN=local GOPROXY=off nice -n 10 "$goroot/bin/go" build -trimpath -o "$RESTIC_CACHE/restic.new" ./cmd/restic)
    mv "$RESTIC_CACHE/restic.new" "$RESTIC_CACHE/restic"
    echo "setup:real: images: restic built in $(($(date +%s) - t0)) s"
fi
"$RESTIC_CACHE/restic" version | grep -q '^restic 0\.18\.1 ' || { echo "setup:real: the built restic is not 0.18.1" >&2; exit 1; }

# --- dcron 4.5, at Alpine's paths (aports community/dcron APKBUILD) ------------------------------------
if [[ ! -x "$CACHE/dcron/usr/sbin/crond" ]]; then
    rm -rf "$CACHE/dcron"
    make -s -C "$WORK/src/dcron-v4.5" CFLAGS="-O2 -Wno-cpp" PREFIX=/usr CRONTABS=/etc/crontabs CRONSTAMPS=/var/spool/cron/cronstamps SCRONTABS=/etc/cron.d >/dev/null
    install -D -m 0755 "$WORK/src/dcron-v4.5/crond" "$CACHE/dcron/usr/sbin/crond"
    install -D -m 0755 "$WORK/src/dcron-v4.5/crontab" "$CACHE/dcron/usr/bin/crontab"
fi

# --- The root file systems ----------------------------------------------------------------------------
read -ra base_pkgs <<<"$IMAGE_PACKAGES"
read -ra pg_pkgs <<<"$POSTGRES_SERVER_PACKAGES"
if [[ -f "$CACHE/base.tar" && -f "$CACHE/postgres.tar" ]]; then
    echo "setup:real: images: root file systems from the cache"
else
    t0=$(date +%s)
    mapfile -t base_closure < <(closure "${base_pkgs[@]}")
    mapfile -t pg_closure < <(closure "${base_pkgs[@]}" "${pg_pkgs[@]}")
    R="$WORK/base"
    echo "setup:real: images: unpacking ${#base_closure[@]} trixie packages"
    unpack "$R" "${base_closure[@]}"
    cp "$R/usr/share/base-passwd/passwd.master" "$R/etc/passwd"
    cp "$R/usr/share/base-passwd/group.master" "$R/etc/group"
    # What libc-bin's maintainer script would write: without it Go programs (restic) ask DNS before
    # /etc/hosts, and a name given by --add-host waits for a DNS timeout first.
    printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' >"$R/etc/nsswitch.conf"
    # /bin/sh: dcron runs jobs with /bin/sh, and stack-back's crontab line `source /.env && rcb backup`
    # needs a shell with `source` (Alpine's is busybox ash). dash has no `source`, and Debian's static
    # busybox runs its own applets before PATH (its crontab, not dcron's), so bash is /bin/sh here.
    ln -sf bash "$R/usr/bin/sh"
    # Alpine's other shell tools: every busybox applet Debian does not provide, except crond and
    # crontab (dcron is the cron of the image).
    for applet in $("$R/usr/bin/busybox" --list); do
        case "$applet" in busybox | crond | crontab) continue ;; esac
        [[ -e "$R/usr/bin/$applet" || -e "$R/usr/sbin/$applet" || -L "$R/usr/bin/$applet" ]] || ln -s busybox "$R/usr/bin/$applet"
    done
    cp -a "$CACHE/dcron/." "$R/"
    mkdir -p "$R/etc/crontabs" "$R/var/spool/cron/cronstamps" "$R/etc/cron.d" "$R/cache" "$R/tmp" "$R/run" "$R/var/run"
    chmod 1777 "$R/tmp"
    install -m 0755 "$RESTIC_CACHE/restic" "$R/usr/bin/restic"
    # The CA bundle that update-ca-certificates (a maintainer script) would write.
    cat "$R"/usr/share/ca-certificates/mozilla/*.crt >"$R/etc/ssl/certs/ca-certificates.crt"
    # Python: /usr/local/bin/python as in the python:*-alpine base of the exporter image.
    mkdir -p "$R/usr/local/bin" && ln -sf /usr/bin/python3 "$R/usr/local/bin/python"
    # stack-back: the package and its console scripts (src/pyproject.toml [project.scripts]); the
    # published image installs it with uv into /restic-compose-backup/.venv, its WORKDIR.
    cp -a "$SB/src" "$R/restic-compose-backup"
    pyver=$(basename "$(echo "$R"/usr/lib/python3.[0-9]*)")
    site="$R/usr/local/lib/$pyver/dist-packages"
    mkdir -p "$site"
    echo "/restic-compose-backup" >"$site/restic_compose_backup.pth"
    for script in rcb restic-compose-backup; do
        printf '#!/usr/bin/python3\nimport sys\nfrom restic_compose_backup.cli import main\nsys.exit(main())\n' >"$R/usr/local/bin/$script"
        chmod 755 "$R/usr/local/bin/$script"
    done
    # The exporter (its Dockerfile: COPY exporter/exporter.py pyproject.toml /app/).
    mkdir -p "$R/app" && cp "$EXP/exporter/exporter.py" "$EXP/pyproject.toml" "$R/app/"
    ln -sf ../bin/tini "$R/usr/sbin/tini"
    # Licences travel with what is built from them.
    mkdir -p "$R/usr/share/doc/platform-backups-real"
    cp "$SB/LICENSE" "$R/usr/share/doc/platform-backups-real/stack-back.LICENSE"
    cp "$EXP/LICENSE" "$R/usr/share/doc/platform-backups-real/restic-exporter.LICENSE"
    tar -xzOf "$UPSTREAM/restic-v0.18.1.tar.gz" restic-v0.18.1/LICENSE >"$R/usr/share/doc/platform-backups-real/restic.LICENSE"
    tar -xzOf "$UPSTREAM/dcron-v4.5.tar.gz" dcron-v4.5/README >"$R/usr/share/doc/platform-backups-real/dcron.README"
    printf '%s\n' "${base_closure[@]}" >"$R/usr/share/doc/platform-backups-real/packages.txt"
    tar -C "$R" -cf "$CACHE/base.tar.new" . && mv "$CACHE/base.tar.new" "$CACHE/base.tar"

    # The postgres server image: the same root plus Debian's postgresql-17 (no maintainer scripts:
    # the user and the cluster are made here and by the container's command).
    mapfile -t pg_extra < <(comm -13 <(printf '%s\n' "${base_closure[@]}" | sort) <(printf '%s\n' "${pg_closure[@]}" | sort))
    unpack "$R" "${pg_extra[@]}"
    echo 'postgres:x:101:101:PostgreSQL administrator:/var/lib/postgresql:/bin/sh' >>"$R/etc/passwd"
    echo 'postgres:x:101:' >>"$R/etc/group"
    mkdir -p "$R/var/lib/postgresql" "$R/var/run/postgresql"
    chown 101:101 "$R/var/lib/postgresql" "$R/var/run/postgresql"
    printf '%s\n' "${pg_closure[@]}" >"$R/usr/share/doc/platform-backups-real/packages.txt"
    tar -C "$R" -cf "$CACHE/postgres.tar.new" . && mv "$CACHE/postgres.tar.new" "$CACHE/postgres.tar"
    echo "setup:real: images: root file systems in $(($(date +%s) - t0)) s"
fi

ln -sf "$CACHE/base.tar" "$OUT/base.tar"
ln -sf "$CACHE/postgres.tar" "$OUT/postgres.tar"
rm -rf "$WORK"
echo "$stamp_want" >"$OUT/.stamp"
echo "setup:real: images ready in $OUT (stamp $stamp_want) in $(($(date +%s) - started)) s"
