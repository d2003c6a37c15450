"""Township birth statistics for county leaders: extract, queries, statistics, charts."""

__version__ = "0.1.0"
