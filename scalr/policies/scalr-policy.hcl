# campusbot policy group: one policy per .rego file beside this one (block name = file name).
# hard-mandatory: the run fails; soft-mandatory: the run waits for an approver to override;
# advisory: a warning in the run.
version = "v1"

policy "no_public_data" {
  enabled           = true
  enforcement_level = "hard-mandatory"
}

policy "encryption_at_rest" {
  enabled           = true
  enforcement_level = "hard-mandatory"
}

policy "no_iam_admin_wildcard" {
  enabled           = true
  enforcement_level = "hard-mandatory"
}

policy "no_provisioners" {
  enabled           = true
  enforcement_level = "hard-mandatory"
}

policy "allowed_regions" {
  enabled           = true
  enforcement_level = "hard-mandatory"
}

policy "prod_deletion_protection" {
  enabled           = true
  enforcement_level = "hard-mandatory"
}

policy "required_tags" {
  enabled           = true
  enforcement_level = "soft-mandatory"
}

policy "allowed_sizes" {
  enabled           = true
  enforcement_level = "soft-mandatory"
}

policy "monthly_cost_cap" {
  enabled           = true
  enforcement_level = "soft-mandatory"
}

policy "cloudwatch_logs_kms" {
  enabled           = true
  enforcement_level = "advisory"
}
