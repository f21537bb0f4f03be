#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run a guest that prints the migrate prompt across a migration.

  migrate       `vgic run --migrate`: every check passes, the key checks
                included (the VMM typed them into the restored VMs); the
                guest prompts twice, so the migrated VM migrates again.
  save-restore  `vgic run --save F` stops at the first prompt (status 0, only
                the checks before it ran), then `vgic run --migrate --restore
                F` finishes them; together they print the same check lines as
                --migrate.
  corrupt       damaged snapshots (truncated, a flipped bit, another format
                version, trailing bytes, an impossible machine, an altered GIC
                blob with a valid outer CRC) are refused with status 2 and a
                message before the guest runs, as is a machine option given
                with --restore; the intact file still restores.
Usage: run_migrate.py VGIC IMAGE SMP MODE"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

TIMEOUT = 60
PROMPT = 'Now migrate the VM, then press a key to continue...'
HDR_SIZE = 40
CRC_OFF = 32


def run(args):
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -1, '', 'timeout'


def checks(out):
    return [l for l in out.splitlines() if l.startswith('check ')]


def all_pass(out):
    summ = [l for l in out.splitlines() if l.startswith('summary:')]
    return bool(summ) and ' 0 failed' in summ[-1] and checks(out)


def show(name, rc, out, err):
    print(f'--- {name}: rc={rc}')
    print(out[-3000:])
    if err:
        print(err[-1500:])


def migrate(vgic, image, smp):
    rc, out, err = run([vgic, 'run', '--smp', smp, '--timeout', '30', '--migrate', image])
    show('migrate', rc, out, err)
    ok = rc == 0 and all_pass(out) and out.count(PROMPT) == 2 and 'check key: PASS' in out
    return ok, checks(out)


def save(vgic, image, smp, path):
    rc, out, err = run([vgic, 'run', '--smp', smp, '--timeout', '30', '--save', path, image])
    show('save', rc, out, err)
    ok = rc == 0 and PROMPT in out and 'summary:' not in out and 'saved the VM' in err
    ok = ok and all(l.endswith(': PASS') for l in checks(out)) and os.path.exists(path)
    return ok, checks(out)


def restore(vgic, path):
    rc, out, err = run([vgic, 'run', '--timeout', '30', '--migrate', '--restore', path])
    show('restore', rc, out, err)
    return rc == 0 and all_pass(out), checks(out)


def save_restore(vgic, image, smp, tmp):
    path = os.path.join(tmp, 'vm.snap')
    ok1, first = save(vgic, image, smp, path)
    ok2, second = restore(vgic, path)
    ok3, whole = migrate(vgic, image, smp)
    if first + second != whole:
        print('save + restore check lines differ from --migrate:')
        print(first + second, whole, sep='\n')
        return False
    return ok1 and ok2 and ok3


def fix_crc(b):
    b = bytearray(b)
    b[CRC_OFF:CRC_OFF + 4] = b'\0\0\0\0'
    b[CRC_OFF:CRC_OFF + 4] = struct.pack('<I', zlib.crc32(bytes(b)) & 0xffffffff)
    return bytes(b)


def with_u32(b, off, val):
    return fix_crc(b[:off] + struct.pack('<I', val) + b[off + 4:])


def corrupt(vgic, image, smp, tmp):
    good = os.path.join(tmp, 'good.snap')
    if not save(vgic, image, smp, good)[0]:
        return False
    data = open(good, 'rb').read()
    gic = data.find(b'VGICSNAP')
    assert gic > HDR_SIZE, 'no GIC blob in the snapshot'
    flip = lambda b, off: b[:off] + bytes([b[off] ^ 0x10]) + b[off + 1:]
    cases = {
        'empty': (b'', 'not a vgic VM snapshot'),
        'header-only': (data[:20], 'not a vgic VM snapshot'),
        'truncated-half': (data[:len(data) // 2], 'damaged'),
        'truncated-last-byte': (data[:-1], 'damaged'),
        'bit-in-header': (flip(data, 12), 'damaged'),
        'bit-in-vcpu': (flip(data, HDR_SIZE + 64), 'damaged'),
        'bit-in-gic': (flip(data, gic + 48), 'damaged'),
        'bit-in-ram': (flip(data, len(data) - 100), 'damaged'),
        'bad-magic': (fix_crc(b'X' + data[1:]), 'not a vgic VM snapshot'),
        'other-version': (with_u32(data, 8, 99), 'format version 99'),
        'trailing-byte': (fix_crc(data + b'\0'), 'inconsistent'),
        'zero-vcpus': (with_u32(data, 16, 0), 'impossible machine'),
        'more-vcpus': (with_u32(data, 16, int(smp) + 1), 'inconsistent'),
        'gic-blob-altered': (fix_crc(flip(data, gic + 48)), 'restoring the GIC state'),
    }
    ok = True
    for name, (blob, want) in cases.items():
        path = os.path.join(tmp, name + '.snap')
        open(path, 'wb').write(blob)
        rc, out, err = run([vgic, 'run', '--timeout', '10', '--restore', path])
        good_case = rc == 2 and want in err and out == ''
        print(f'{name}: rc={rc} {"refused as expected" if good_case else "WRONG"}: {err.strip()}')
        ok = ok and good_case
    rc, out, err = run([vgic, 'run', '--smp', smp, '--restore', good])
    shaped = rc == 2 and 'from the snapshot' in err and out == ''
    print(f'--smp with --restore: rc={rc} {"refused as expected" if shaped else "WRONG"}')
    return ok and shaped and restore(vgic, good)[0]


def main():
    vgic, image, smp, mode = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as tmp:
        if mode == 'migrate':
            ok = migrate(vgic, image, smp)[0]
        elif mode == 'save-restore':
            ok = save_restore(vgic, image, smp, tmp)
        elif mode == 'corrupt':
            ok = corrupt(vgic, image, smp, tmp)
        else:
            sys.exit(__doc__)
    sys.exit(0 if ok else 1)


main()
