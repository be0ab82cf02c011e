# tf_mirror.sh: sourced by tf_validate.sh and tf_apply_test.sh (needs $SHARED, the folder of
# terraform-env). `tf_use_local_mirror` points Terraform at the local provider mirror
# (../shared/tools/terraform-env) with a private plugin cache, and says which on stderr.
# The cache sits under a ".terraform" folder on purpose: terraform-env's search for a mirror skips
# such folders, so the cache can never be mistaken for the mirror. TF_PLUGIN_MIRROR names the mirror
# and skips the search.
tf_use_local_mirror() {
  local env_tool=$SHARED/terraform-env cache_home mirror="${TF_PLUGIN_MIRROR:-}" cand
  cache_home=${XDG_CACHE_HOME:-$HOME/.cache}/campusbot/.terraform
  mkdir -p "$cache_home"
  if [ -z "$mirror" ]; then
    while IFS= read -r cand; do
      # a real mirror holds provider folders, not symlinks into another cache
      if find "$cand" -mindepth 2 -maxdepth 2 -type d | grep -q .; then
        mirror=${cand%/registry.terraform.io/hashicorp/aws}
        break
      fi
    done < <(find / -maxdepth 6 -type d -path '*/registry.terraform.io/hashicorp/aws' \
      -not -path '/proc/*' -not -path '/sys/*' -not -path '*/.terraform/*' -not -path '*plugin-cache*' 2>/dev/null)
  fi
  if [ -n "$mirror" ] && [ -x "$env_tool" ]; then
    eval "$(XDG_CACHE_HOME=$cache_home TF_PLUGIN_MIRROR=$mirror "$env_tool")"
    echo "provider mirror: $mirror (config $TF_CLI_CONFIG_FILE)" >&2
  else
    echo "no local provider mirror found: terraform init uses the public registry" >&2
  fi
}
