"""Trust: the OEM license, the machine fingerprint, the keychain of API keys and the live-key probe.

Modules import their heavy dependencies (cryptography, jsonschema, ruamel, httpx) inside functions.
"""
