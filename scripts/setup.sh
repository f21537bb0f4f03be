#!/bin/sh
# Install what vgic needs on Debian 12 (idempotent: apt-get skips what is there).
set -eu
PKGS="build-essential meson ninja-build pkg-config python3
libcmocka-dev liburcu-dev libunicorn-dev libfdt-dev
gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm
libasan8 libubsan1 libtsan2"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
