"""``preflight init``: provision what a deployment needs before its first run, never overwriting a file."""
