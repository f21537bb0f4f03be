#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run a guest image on `vgic run` (and on QEMU's virt for --compare) and
require every check to pass; with --compare, both must print the same check
lines.  With --expect-fail TEXT the guest is hostile: `vgic run` must end
with status 1 and TEXT in its message.
With --stdin TEXT (first), TEXT is the guest's console input.
Usage: run_guest.py VGIC IMAGE SMP [--stdin TEXT] [--compare QEMU | --expect-fail TEXT]"""
import subprocess
import sys

TIMEOUT = 60


def checks(out):
    lines = [l for l in out.splitlines() if l.startswith('check ') or l.startswith('summary:')]
    return lines


STDIN = None


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                           **({'input': STDIN} if STDIN is not None else {'stdin': subprocess.DEVNULL}))
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return -1, (e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or ''), 'timeout'


def passed(name, rc, out, err):
    lines = checks(out)
    summ = [l for l in lines if l.startswith('summary:')]
    ok = rc == 0 and summ and ' 0 failed' in summ[-1]
    print(f'--- {name}: rc={rc}')
    print(out[-4000:])
    if err:
        print(err[-2000:])
    return bool(ok), [l for l in lines if not l.startswith('summary:')]


def main():
    global STDIN
    vgic, image, smp = sys.argv[1:4]
    if len(sys.argv) > 5 and sys.argv[4] == '--stdin':
        STDIN = sys.argv[5]
        del sys.argv[4:6]
    if len(sys.argv) > 5 and sys.argv[4] == '--expect-fail':
        rc, out, err = run([vgic, 'run', '--smp', smp, '--timeout', '3', image])
        print(out[-2000:], err[-2000:])
        ok = rc == 1 and sys.argv[5] in err
        print('ended as expected' if ok else f'expected status 1 and {sys.argv[5]!r}, got {rc}')
        sys.exit(0 if ok else 1)
    ok, mine = passed('vgic', *run([vgic, 'run', '--smp', smp, '--timeout', '30', image]))
    if len(sys.argv) > 5 and sys.argv[4] == '--compare':
        qemu = sys.argv[5]
        qok, theirs = passed('qemu', *run([qemu, '-M', 'virt,gic-version=3', '-cpu', 'max',
                                            '-accel', 'tcg', '-smp', smp, '-m', '256',
                                            '-nographic', '-monitor', 'none', '-serial', 'stdio',
                                            '-kernel', image]))
        if not qok:
            print('QEMU run failed')
            ok = False
        if mine != theirs:
            print('check lines differ between vgic and QEMU:')
            for a, b in zip(mine + [''] * len(theirs), theirs + [''] * len(mine)):
                if a != b:
                    print(f'  vgic: {a!r}\n  qemu: {b!r}')
            ok = False
    sys.exit(0 if ok else 1)


main()
