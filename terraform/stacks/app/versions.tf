# Root module of one Scalr workspace. No backend block: the CLI writes backend_override.tf
# (S3 with lockfile on laptops, remote on Scalr, local for LocalStack/moto).
terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
    }
  }
}
