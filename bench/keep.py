"""Fill a bench database and keep it, for measuring by hand (profiling a page in process).

    BENCH_SCALE=national BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_NAME \
        python -m bench.keep

Creates the database (dropping a leftover of that name: it must contain "bench"), migrates,
fills the history of BENCH_SCALE (bench/data.py, bench/national.py) and settles the roll-up
(`settle_visits`, in run.prepare_database), then leaves it. Afterwards run Django against it with
DJANGO_SETTINGS_MODULE=bench.settings and DATABASE_URL set to the same URL; drop it yourself.
"""

import os
import sys
import tempfile
from pathlib import Path

from bench import run


def main() -> int:
    database = run.BenchDatabase(os.environ.get("BENCH_DATABASE_URL") or run.DEFAULT_DATABASE_URL)
    static_root = Path(tempfile.mkdtemp(prefix="buurtkamer-bench-"))
    os.environ.update(run.bench_environment(database, static_root))
    run.log(f"creating database {database.name} (kept afterwards)")
    database.create()
    fixture, _came_via, seconds = run.prepare_database()
    run.log(f"{database.url}: {fixture.counts} in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
