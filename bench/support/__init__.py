"""Helpers shared by the benchmarks (not benchmarks themselves: `make bench` runs bench/*.py only)."""
