output "vpc_id" {
  description = "ID of the VPC."
  value       = try(aws_vpc.this[0].id, null)
}

output "vpc_arn" {
  description = "ARN of the VPC."
  value       = try(aws_vpc.this[0].arn, null)
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = try(aws_vpc.this[0].cidr_block, null)
}

output "azs" {
  description = "Availability zones the subnets span."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (NAT gateways only; nothing else is placed there)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (ECS tasks, Lambdas, internal ALB, interface endpoints)."
  value       = aws_subnet.private[*].id
}

output "database_subnet_ids" {
  description = "IDs of the database subnets (no route to the internet)."
  value       = aws_subnet.database[*].id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables."
  value       = aws_route_table.private[*].id
}

output "database_route_table_ids" {
  description = "IDs of the database route tables."
  value       = aws_route_table.database[*].id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "Elastic IPs of the NAT gateways (the egress addresses of the private subnets)."
  value       = aws_eip.nat[*].public_ip
}

output "vpc_endpoint_s3_id" {
  description = "ID of the S3 gateway endpoint."
  value       = try(aws_vpc_endpoint.s3[0].id, null)
}

output "vpc_endpoint_interface_ids" {
  description = "Interface endpoint IDs by service suffix."
  value       = { for k, v in aws_vpc_endpoint.interface : k => v.id }
}

output "endpoints_security_group_id" {
  description = "ID of the security group of the interface endpoints."
  value       = try(aws_security_group.endpoints[0].id, null)
}

output "default_security_group_id" {
  description = "ID of the VPC's default security group (left without rules)."
  value       = try(aws_default_security_group.this[0].id, null)
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = try(aws_flow_log.this[0].id, null)
}

output "flow_log_cloudwatch_log_group_name" {
  description = "Name of the CloudWatch log group receiving the flow logs."
  value       = try(aws_cloudwatch_log_group.flow_logs[0].name, null)
}
