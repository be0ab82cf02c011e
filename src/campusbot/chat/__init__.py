"""Talking to a deployed or local campusbot over its chat HTTP API (POST /chat), and smoke conversations."""
