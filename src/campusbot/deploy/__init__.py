"""Deploying campusbot: stack order, Terraform, Scalr, images, Lambda packages, LocalStack."""
