"""The hospital plugin's rules, a package or module per concern; pages and
the API call these, never the tables directly for a write."""
