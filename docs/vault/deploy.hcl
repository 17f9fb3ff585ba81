# Vault policy for the token that `pulumi up` uses (deploy.yml: secret VAULT_TOKEN of the GitHub
# environments `staging` and `prod`). docs/ci.md explains each line; tests/vaultPolicy.test.ts parses
# this file and checks it against Pulumi.staging.yaml and Pulumi.prod.yaml (mount `ansible`, names
# `<namePrefix><app>`). The staging and prod Vaults each hold only their own prefix; one file serves both.
#
# Read in terraform-provider-vault v5.6.0 (bridged by @pulumi/vault 7.x):
# - internal/provider/meta.go: the provider looks its token up (auth/token/lookup-self), then, unless
#   the stack sets vault.skipChildToken, creates a non-renewable child token with
#   ttl = explicit_max_ttl = max_lease_ttl_seconds (default 1200 s = 20 min) via auth/token/create.
#   An update that runs longer than that loses Vault partway through: raise vault.maxLeaseTtlSeconds.
# - vault/resource_kv_secret_v2.go: SecretV2 writes <mount>/data/<name> (create, then update), reads
#   it back, then reads <mount>/metadata/<name> when that answer has a custom_metadata field (KV v2
#   of Vault 1.9+ sends one, null or not); delete is never
#   needed here (AppBackup keeps the secret when an app is removed: retainOnDelete).

# The provider's self lookup (also in Vault's `default` policy; listed for tokens without it).
path "auth/token/lookup-self" {
  capabilities = ["read"]
}

# The 20-minute child token the provider works with (not needed with vault.skipChildToken: true).
path "auth/token/create" {
  capabilities = ["update"]
}

# prod: namePrefix stackback_
path "ansible/data/stackback_*" {
  capabilities = ["create", "update", "read"]
}
path "ansible/metadata/stackback_*" {
  capabilities = ["read"]
}

# staging: namePrefix staging_stackback_
path "ansible/data/staging_stackback_*" {
  capabilities = ["create", "update", "read"]
}
path "ansible/metadata/staging_stackback_*" {
  capabilities = ["read"]
}
