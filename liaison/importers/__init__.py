"""`import …`: records from public data files (``nppes``: the CMS NPI registry)."""
