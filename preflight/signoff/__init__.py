"""The signed Markdown sign-off: assess a run report item by item, render it, sign it, verify it.

``assess`` decides ticks and the verdict line, ``render`` writes the Markdown, ``sign``/``verify`` hold
the Ed25519 signature block, ``service.create_signoff`` ties them together for the CLI.
"""
