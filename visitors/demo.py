"""Demo data of the visitors area, loaded by `manage.py demo` after the locations and people."""


def load(*, today, stdout):
    """Add this area's demo data; safe to run again (nothing doubled)."""
