"""Credentials: Data Integrity proofs, VC-JWT and Multikey for Open Badges 3.0."""
