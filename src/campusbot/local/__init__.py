"""The local runtime: stand-ins for the AWS services, for a laptop with no account and no Docker."""
