"""Safeguard: Working Together to Safeguard Children, as software."""
