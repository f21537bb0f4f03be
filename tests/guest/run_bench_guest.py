#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`vgic bench guest --json [--compare-qemu]` runs the micro-benchmark image and
reports every row for every system it ran (figures are not judged here: speed
lives in the benchmark's output, not in tests).
Usage: run_bench_guest.py VGIC IMAGE [QEMU]"""
import json
import subprocess
import sys

ROWS = ['lpi-int', 'lpi-translater', 'ipi', 'eoi', 'mmio-dist-read', 'psci-version', 'ram-store']


def main():
    vgic, image = sys.argv[1:3]
    cmd = [vgic, 'bench', 'guest', '--json', '--image', image]
    if len(sys.argv) > 3:
        cmd += ['--compare-qemu', '--qemu', sys.argv[3]]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    print(p.stdout[-4000:], p.stderr[-4000:])
    if p.returncode != 0:
        sys.exit(f'exit status {p.returncode}')
    rows = {r['name']: r for r in json.loads(p.stdout)['rows']}
    if sorted(rows) != sorted(ROWS):
        sys.exit(f'rows {sorted(rows)}, expected {sorted(ROWS)}')
    keys = ['vgic_ns'] + (['qemu_ns', 'ratio'] if len(sys.argv) > 3 else [])
    for name, r in rows.items():
        missing = [k for k in keys if not isinstance(r.get(k), (int, float)) or r[k] < 0]
        if missing:
            sys.exit(f'row {name}: no {missing}')
    # A bad image is refused with a message, not a crash or a table of zeros.
    p = subprocess.run([vgic, 'bench', 'guest', '--image', '/nonexistent.bin'],
                       capture_output=True, text=True, timeout=60)
    if p.returncode == 0 or 'nonexistent' not in p.stderr:
        sys.exit(f'missing image: exit {p.returncode}, stderr {p.stderr!r}')
    print('ok')


main()
