"""`python -m benchmarks`: run every benchmark and write BENCHMARKS.md."""

from benchmarks.runner import main

main()
