"""Benchmarks: scripts that measure and print figures next to a reference from the same run."""
