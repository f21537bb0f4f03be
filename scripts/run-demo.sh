#!/bin/bash
# Install, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
meson setup build --buildtype=release >/dev/null 2>&1 || meson setup --reconfigure build --buildtype=release >/dev/null
ninja -C build >/dev/null
exec ./build/tools/vgic demo
