"""annotty's benchmarks: `python -m bench` prints every performance figure beside its baseline."""
