#!/bin/bash
# Install, build, and run the main job: boot the bundled demo guest on vgic run.
# A host backend thread raises MSIs through an irqfd routed to the ITS; the
# guest's driver takes each LPI and answers through an ioeventfd doorbell; the
# VMM prints how many were delivered, the rate and the round-trip latency.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
meson setup build --buildtype=release >/dev/null 2>&1 || meson setup --reconfigure build --buildtype=release >/dev/null
ninja -C build >/dev/null
exec ./build/tools/vgic run --timeout 120 build/guest/demo_msi.bin
