terraform {
  required_version = ">= 1.11"

  required_providers {
    scalr = {
      source  = "scalr/scalr"
      version = "~> 3.0"
    }
  }
}

# Authentication comes from the environment: SCALR_TOKEN (a service-account token), never from code.
provider "scalr" {
  hostname = var.scalr_hostname
}
