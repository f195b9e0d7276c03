"""Errors raised while securing or checking credentials; each names one way a check fails."""


class CredentialError(Exception):
    """A credential could not be secured or did not pass a check."""


class UnknownContextError(CredentialError):
    """The document names a JSON-LD context that is not bundled; nothing is fetched."""


class UndefinedTermError(CredentialError):
    """A member is not defined by the document's contexts, so a strict verifier would drop it."""


class RelativeIriError(CredentialError):
    """An `id` or `type` does not expand to an absolute IRI, so its statements would be lost."""


class InvalidDocumentError(CredentialError):
    """The document is not JSON-LD that can be canonicalised."""


class DocumentTooComplexError(InvalidDocumentError):
    """Checking the document would take more work than any credential needs."""


class InvalidDateTimeError(CredentialError):
    """A date-time is not an XML Schema dateTimeStamp (a dateTime with a timezone)."""


class InvalidMultikeyError(CredentialError):
    """A Multikey or multibase value is not an Ed25519 key in the expected encoding."""


class UnresolvableKeyError(CredentialError):
    """No public key is known for the verification method or `kid`."""


class MalformedProofError(CredentialError):
    """The proof is missing, or a member has the wrong shape or value."""


class UnsupportedProofError(CredentialError):
    """The proof is well formed but not the type, cryptosuite or purpose we accept."""


class InvalidSignatureError(CredentialError):
    """The signature does not match the content and the key."""


class MalformedTokenError(CredentialError):
    """The JWT is not three canonical base64url parts holding JSON objects."""


class OversizedTokenError(MalformedTokenError):
    """The JWT is longer than we are willing to parse."""


class UnsupportedAlgorithmError(CredentialError):
    """The JWT header names an algorithm, type or critical extension we do not accept."""


class ClaimMismatchError(CredentialError):
    """A JWT claim is missing or disagrees with the credential it secures."""


class OutsideValidityPeriodError(CredentialError):
    """The credential is not yet valid, or no longer valid."""
