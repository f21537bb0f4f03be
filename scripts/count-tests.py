#!/usr/bin/env python3
"""Count test cases in meson testlog.json files: cmocka binaries report their
own case counts; any other test executable counts as one case."""
import json
import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            out = (t.get("stdout", "") or "") + (t.get("stderr", "") or "")
            ok = t["result"] in ("OK", "EXPECTEDFAIL", "SKIP")
            p = sum(int(n) for n in re.findall(r"\[  PASSED  \] (\d+) test", out))
            fl = sum(int(n) for n in re.findall(r"\[  FAILED  \] (\d+) test", out))
            if p or fl:
                passed += p
                failed += fl
                if not ok and not fl:
                    failed += 1  # crashed or timed out after its cases passed
            elif ok:
                passed += 1
            else:
                failed += 1
print(f"{passed} {failed}")
