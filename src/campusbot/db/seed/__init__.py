"""Seed data for campusbot: the record types, the hand-written core set, the generator and the loader."""
