"""raqib: Arabic conflict news into structured events in DuckDB."""

__version__ = "0.1.0"
