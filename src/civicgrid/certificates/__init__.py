"""Signed e-certificates: issuing, wallet, sharing, offline and online verification, revocation."""
