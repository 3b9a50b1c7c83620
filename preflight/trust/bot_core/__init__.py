"""bot_core's own trust formats: the HMAC-signed OEM license, the signed fingerprint file, the headless
secrets file, and the two licensing policies (runtime.yaml declared, core.yaml enforced).

Each module reads one format exactly as bot_core (Dudzian/Dudzian ``bot_core/security``) reads it and
writes it the way bot_core's own tools do; where bot_core silently skips a verification, the
``judge_*`` modules report the skip as the finding it is.
"""
