# no_iam_admin_wildcard: no IAM identity policy allows every action on every resource.
#
# Looks at:
#   * the JSON policy strings of aws_iam_policy, aws_iam_role_policy, aws_iam_user_policy,
#     aws_iam_group_policy and the inline_policy blocks of aws_iam_role, when the plan knows them;
#   * aws_iam_policy_document data sources whose read waits for the apply (their JSON is then
#     unknown in the policies above, but the statement blocks are in the plan);
#   * attachments of the AWS managed AdministratorAccess policy, the same grant under a name.
# An Allow statement whose Action (or actions) includes "*" and whose Resource includes "*" is
# denied; Action and Resource may be a string or a list.
package terraform

import rego.v1

import input.tfplan as tfplan

iam_policy_types := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

iam_attachment_types := {
	"aws_iam_role_policy_attachment",
	"aws_iam_user_policy_attachment",
	"aws_iam_group_policy_attachment",
	"aws_iam_policy_attachment",
}

iam_resources contains rc if {
	some rc in tfplan.resource_changes
	rc.mode == "managed"
	rc.change.after != null
}

# Where each known identity policy document is, and its JSON text.
iam_documents contains {"where": rc.address, "text": rc.change.after.policy} if {
	some rc in iam_resources
	rc.type in iam_policy_types
	is_string(rc.change.after.policy)
}

iam_documents contains {"where": sprintf("%s inline_policy %s", [rc.address, inline.name]), "text": inline.policy} if {
	some rc in iam_resources
	rc.type == "aws_iam_role"
	some inline in rc.change.after.inline_policy
	is_string(inline.policy)
}

deny contains msg if {
	some doc in iam_documents
	json.is_valid(doc.text)
	some statement in iam_as_array(json.unmarshal(doc.text).Statement)
	statement.Effect == "Allow"
	iam_wildcard(statement.Action)
	iam_wildcard(statement.Resource)
	msg := sprintf("%s: a statement allows every action (*) on every resource (*)", [doc.where])
}

deny contains msg if {
	some rc in tfplan.resource_changes
	rc.mode == "data"
	rc.type == "aws_iam_policy_document"
	some statement in rc.change.after.statement
	object.get(statement, "effect", null) in {null, "Allow"}
	iam_wildcard(statement.actions)
	iam_wildcard(statement.resources)
	msg := sprintf("%s: a statement allows every action (*) on every resource (*)", [rc.address])
}

deny contains msg if {
	some rc in iam_resources
	rc.type in iam_attachment_types
	iam_admin_arn(rc.change.after.policy_arn)
	msg := sprintf("%s: attaches AdministratorAccess", [rc.address])
}

deny contains msg if {
	some rc in iam_resources
	rc.type in {"aws_iam_role", "aws_iam_role_policy_attachments_exclusive"}
	some arn in array.concat(
		iam_as_array(object.get(rc.change.after, "managed_policy_arns", [])),
		iam_as_array(object.get(rc.change.after, "policy_arns", [])),
	)
	iam_admin_arn(arn)
	msg := sprintf("%s: attaches AdministratorAccess", [rc.address])
}

iam_wildcard(value) if {
	some item in iam_as_array(value)
	item in {"*", "*:*"}
}

iam_admin_arn(arn) if {
	is_string(arn)
	endswith(arn, ":iam::aws:policy/AdministratorAccess")
}

iam_as_array(value) := value if is_array(value)

iam_as_array(value) := [value] if not is_array(value)
