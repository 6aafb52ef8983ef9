"""Helpers for Safeguard's own tests: a throwaway PostgreSQL server and the pytest plugin
that sets up the test environment before Django reads its settings."""
