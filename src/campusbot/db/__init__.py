"""Persistence: typed SQLAlchemy 2 models, the async session, Alembic migrations and seed data."""
