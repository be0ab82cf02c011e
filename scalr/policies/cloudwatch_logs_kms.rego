# cloudwatch_logs_kms: log groups encrypt with a customer managed KMS key.
#
# CloudWatch Logs always encrypts log data at rest with AWS-owned keys; a CMK (kms_key_id) adds
# key policy control and audit. This policy is advisory: it warns, it does not stop the run.
# A kms_key_id that is only known at apply (a key created in the same run) counts as set.
package terraform

import rego.v1

import input.tfplan as tfplan

deny contains msg if {
	some rc in tfplan.resource_changes
	rc.mode == "managed"
	rc.type == "aws_cloudwatch_log_group"
	rc.change.after != null
	not logs_kms_key_set(rc)
	msg := sprintf("%s: kms_key_id is not set; encrypt the log group with a customer managed KMS key", [rc.address])
}

logs_kms_key_set(rc) if {
	is_string(rc.change.after.kms_key_id)
	rc.change.after.kms_key_id != ""
}

logs_kms_key_set(rc) if rc.change.after_unknown.kms_key_id == true
