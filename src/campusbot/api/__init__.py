"""The campusbot data service (the ECS service behind the internal ALB)."""
