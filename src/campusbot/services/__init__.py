"""Use cases of the data service: plain async functions over an AsyncSession, shared by every entry point."""
