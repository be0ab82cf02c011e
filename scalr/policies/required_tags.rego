# required_tags: every taggable AWS resource carries project, environment and owner.
#
# A resource is taggable when its plan has a tags_all attribute. Its tags are read from tags_all
# (resource tags merged with the provider's default_tags). When the plan cannot show tags_all
# (hashicorp/aws leaves it unknown when the resource has no tags and the provider no default
# tags), the known resource tags plus the aws provider default_tags from the configuration are
# used. A tag whose value is only known at apply counts as present; a resource whose tags are
# entirely unknown at plan time cannot be checked and is skipped.
package terraform

import rego.v1

import input.tfplan as tfplan

tags_required := ["project", "environment", "owner"]

deny contains msg if {
	some rc in tfplan.resource_changes
	rc.mode == "managed"
	rc.change.after != null
	tags_taggable(rc)
	tags := tags_known(rc)
	missing := [key | some key in tags_required; not tags_has(rc, tags, key)]
	count(missing) > 0
	msg := concat("", [
		rc.address, ": missing required tags ", concat(", ", missing),
		" (set them in the provider's default_tags or on the resource)",
	])
}

tags_taggable(rc) if "tags_all" in object.keys(rc.change.after)

tags_taggable(rc) if "tags_all" in object.keys(object.get(rc.change, "after_unknown", {}))

# tags_all when the plan shows it.
tags_known(rc) := rc.change.after.tags_all if is_object(rc.change.after.tags_all)

# Else the resource's own tags (known, possibly null) merged over the provider default tags.
tags_known(rc) := object.union(tags_provider_defaults, tags_object(rc.change.after.tags)) if {
	not is_object(rc.change.after.tags_all)
	not object.get(rc.change, "after_unknown", {}).tags == true
}

tags_object(value) := value if is_object(value)

tags_object(value) := {} if not is_object(value)

tags_has(_, tags, key) if {
	is_string(tags[key])
	tags[key] != ""
}

tags_has(rc, _, key) if rc.change.after_unknown.tags_all[key] == true

tags_has(rc, _, key) if rc.change.after_unknown.tags[key] == true

# default_tags of the root aws provider configurations, literal or from root variables.
tags_provider_defaults := object.union_n([tags | some tags in tags_provider_default_sets])

tags_provider_default_sets contains tags if {
	some key, provider in tfplan.configuration.provider_config
	provider.name == "aws"
	not contains(key, ":")
	some block in provider.expressions.default_tags
	tags := block.tags.constant_value
}

tags_provider_default_sets contains tags if {
	some key, provider in tfplan.configuration.provider_config
	provider.name == "aws"
	not contains(key, ":")
	some block in provider.expressions.default_tags
	some ref in block.tags.references
	startswith(ref, "var.")
	tags := tfplan.variables[substring(ref, 4, -1)].value
}
