#!/usr/bin/env bash
# targets/sysroot.sh ARCH [DIR]
#
# Fills DIR (default: build-sysroots/ARCH under the repository root) with
# Debian 12's ARCH builds of the libraries edgeattn links (XNNPACK,
# pthreadpool, cpuinfo, kissfft) and the headers the build needs (flatbuffers,
# nlohmann-json, doctest), using `apt-get download` + `dpkg -x`.
#
#   ARCH: aarch64 (Debian arm64) or armv7 (Debian armhf)
#
# EDGEATTN_SYSROOT_EXTRA="pkg ..." adds packages (recorded in the stamp), e.g.
# targets/python-smoke.sh's Python interpreter, headers and numpy.
#
# The host's apt configuration is not touched: no `dpkg --add-architecture`,
# no file under /etc/apt is written. apt runs with a private state directory
# (DIR/.apt: its own sources list, package lists, cache and an empty dpkg
# status), which stays inside DIR and is removed with it. The C library and
# libstdc++ come from the Debian cross toolchain (/usr/<triple>, package
# libc6-dev-<arch>-cross), so they are not downloaded here.
#
# Idempotent: when DIR/.stamp records the same package list, nothing is
# downloaded (a second run takes well under a second). Set
# EDGEATTN_SYSROOT_REFRESH=1 to download again.
#
# Mirror: EDGEATTN_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# suites bookworm + bookworm-updates. None of the packages has had a security
# update in Debian 12 (the versions equal the host's amd64 ones), so
# bookworm-security is only added when EDGEATTN_DEBIAN_SECURITY_MIRROR is set
# (e.g. http://deb.debian.org/debian-security).
set -euo pipefail

usage() { echo "usage: $0 aarch64|armv7 [DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
arch="$1"
case "$arch" in
  aarch64|arm64) arch=aarch64; debarch=arm64; triple=aarch64-linux-gnu ;;
  armv7|armhf|arm) arch=armv7; debarch=armhf; triple=arm-linux-gnueabihf ;;
  *) usage ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${2:-$root/build-sysroots/$arch}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

# Runtime libraries + their -dev packages (headers, .so links), and the
# header-only / architecture-independent packages the build finds through
# CMAKE_FIND_ROOT_PATH (so nothing is picked up from the host's /usr/include).
packages=(
  libxnnpack0 libxnnpack-dev
  libpthreadpool0 libpthreadpool-dev
  libcpuinfo0 libcpuinfo-dev
  libkissfft-float131 libkissfft-dev
  libstb0 libstb-dev
  libflatbuffers-dev
  nlohmann-json3-dev
  doctest-dev
)
# shellcheck disable=SC2206  # a space-separated list of package names
packages+=(${EDGEATTN_SYSROOT_EXTRA:-})
mirror="${EDGEATTN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${EDGEATTN_DEBIAN_SECURITY_MIRROR:-}"
want="debarch=$debarch packages=${packages[*]} mirror=$mirror security=$security"

if [ -f "$dir/.stamp" ] && [ "$(head -n1 "$dir/.stamp")" = "$want" ] && [ -z "${EDGEATTN_SYSROOT_REFRESH:-}" ]; then
  echo "sysroot: $dir is up to date ($debarch)"
  exit 0
fi

apt_dir="$dir/.apt"
rm -rf "$apt_dir"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
         "$apt_dir/sources.list.d" "$apt_dir/preferences.d" "$apt_dir/debs"
: > "$apt_dir/status"
cat > "$apt_dir/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Architectures: $debarch
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
if [ -n "$security" ]; then
  cat >> "$apt_dir/sources.list.d/debian.sources" <<EOF

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Architectures: $debarch
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
apt_opts=(
  -o "APT::Architecture=$debarch"
  -o "APT::Architectures::=$debarch"
  -o "Dir::State=$apt_dir"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=$apt_dir/status"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::Etc::PreferencesParts=$apt_dir/preferences.d"
  -o "Dir::Etc::Preferences=/dev/null"
  -o "Debug::NoLocking=1"
  -o "Acquire::Languages=none"
)
# apt drops privileges to _apt for downloads; that user cannot write into a
# private directory under root's tree, so download as the invoking user.
if [ "$(id -u)" -eq 0 ]; then apt_opts+=(-o "APT::Sandbox::User=root"); fi

echo "sysroot: downloading Debian 12 $debarch packages into $dir"
# A mirror caught mid-sync fails an index download: retry once.
apt-get "${apt_opts[@]}" -qq update || { sleep 5; apt-get "${apt_opts[@]}" -qq update; }
(cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" -qq download "${packages[@]}")

# Replace the previous contents (but keep DIR itself, it may be a mount).
find "$dir" -mindepth 1 -maxdepth 1 ! -name .apt -exec rm -rf {} +
for deb in "$apt_dir"/debs/*.deb; do
  dpkg -x "$deb" "$dir"
done
# Absolute symlinks (e.g. /usr/lib/<triple>/libfoo.so.0) would point into
# the host: make them relative to DIR.
while IFS= read -r link; do
  target="$(readlink "$link")"
  case "$target" in
    /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$dir$target")" "$link" ;;
  esac
done < <(find "$dir" -path "$apt_dir" -prune -o -type l -print)

# Keep the .debs' versions next to the stamp, drop apt's state (lists ~50 MB).
{
  echo "$want"
  for deb in "$apt_dir"/debs/*.deb; do dpkg-deb -f "$deb" Package Version Architecture | paste -sd' '; done
} > "$dir/.stamp"
rm -rf "$apt_dir"
for lib in libXNNPACK.so libpthreadpool.so libcpuinfo.so; do
  [ -e "$dir/usr/lib/$triple/$lib" ] || { echo "sysroot: missing $dir/usr/lib/$triple/$lib" >&2; exit 1; }
done
echo "sysroot: $dir ready:"
sed -n '2,$p' "$dir/.stamp" | sed 's/^/  /'
