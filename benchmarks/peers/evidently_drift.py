"""Evidently peer for `npm run bench:drift -- --peer 'python3 benchmarks/peers/evidently_drift.py {ref} {cur}'`:
what a data scientist runs — both CSVs read with pandas, then Evidently's DataDriftPreset — as one process,
timed whole by the bench. Prints its own phases on stderr. Usage: evidently_drift.py REF.csv CUR.csv [OUT.json]

Needs a Python where `import evidently` works (pip install evidently==0.7.21, the version the figures were
taken with). Where PyPI is unreachable, see test/fixtures/drift/make_evidently_fixture.py for how it was
run from its source with Debian's packages.
"""
import json
import sys
import time

t0 = time.time()
import pandas as pd  # noqa: E402
from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

t_import = time.time()
reference = pd.read_csv(sys.argv[1])
current = pd.read_csv(sys.argv[2])
t_read = time.time()
snapshot = Report([DataDriftPreset()]).run(current, reference)
t_report = time.time()
if len(sys.argv) > 3:
    with open(sys.argv[3], "w") as f:
        json.dump(snapshot.dict(), f, default=str)
print(f"import {t_import - t0:.2f} s, read {t_read - t_import:.2f} s, report {t_report - t_read:.2f} s", file=sys.stderr)
