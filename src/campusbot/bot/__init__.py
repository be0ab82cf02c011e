"""The bot definition (definition.yaml) and its typed model."""
