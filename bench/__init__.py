"""`make bench`: the benchmark of issue 7. See bench/run.py and the README's "Performance"."""
