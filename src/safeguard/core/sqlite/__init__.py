"""Django's SQLite backend, with the write turn handed over within the process (``base``)."""
