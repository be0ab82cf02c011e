# allowed_regions: AWS resources are created only in the regions campusbot runs in.
#
# Read from two places of the plan:
#   * the region of each root aws provider configuration, literal or from a root variable
#     (hashicorp/aws 5.x resources have no region attribute of their own);
#   * the region attribute that every regional resource has on hashicorp/aws 6.x.
# Global services (IAM, CloudFront) have no region and are not affected.
package terraform

import rego.v1

import input.tfplan as tfplan

regions_allowed := {"us-east-1", "us-west-2"}

regions_providers contains {"name": key, "region": region} if {
	some key, provider in tfplan.configuration.provider_config
	provider.name == "aws"
	not contains(key, ":")
	region := provider.expressions.region.constant_value
}

regions_providers contains {"name": key, "region": region} if {
	some key, provider in tfplan.configuration.provider_config
	provider.name == "aws"
	not contains(key, ":")
	some ref in provider.expressions.region.references
	startswith(ref, "var.")
	region := tfplan.variables[substring(ref, 4, -1)].value
}

deny contains msg if {
	some provider in regions_providers
	not provider.region in regions_allowed
	msg := concat("", [
		sprintf("provider %s: region %s is not allowed (allowed: ", [provider.name, provider.region]),
		concat(", ", sort(regions_allowed)), ")",
	])
}

deny contains msg if {
	some rc in tfplan.resource_changes
	rc.mode == "managed"
	rc.change.after != null
	is_string(rc.change.after.region)
	not rc.change.after.region in regions_allowed
	msg := concat("", [
		sprintf("%s: region %s is not allowed (allowed: ", [rc.address, rc.change.after.region]),
		concat(", ", sort(regions_allowed)), ")",
	])
}
