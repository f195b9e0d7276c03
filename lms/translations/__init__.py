"""The message catalogs (`<language>/LC_MESSAGES/messages.po`, compiled to .mo at install time)
and the translator workflow that keeps them in step with the code (`catalogs`)."""
