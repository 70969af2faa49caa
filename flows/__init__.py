"""Prefect flows: thin layers over the plain functions of raqib, connectors, extraction and warehouse."""
