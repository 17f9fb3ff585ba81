# Vault policy for the token that `pulumi preview --refresh` uses (preview.yml: secret VAULT_TOKEN of
# the GitHub environment `preview`). It can read the backup secrets and nothing else: no create,
# update or delete anywhere. Facts and sources: see deploy.hcl; checked by tests/vaultPolicy.test.ts.
# A refresh reads each existing SecretV2 (<mount>/data/<name>, then <mount>/metadata/<name>); values
# read stay in the preview's memory, marked secret.

path "auth/token/lookup-self" {
  capabilities = ["read"]
}

# The provider creates its child token in previews too (it inherits only these read rights).
# Not needed when the stack sets vault.skipChildToken: true.
path "auth/token/create" {
  capabilities = ["update"]
}

# prod: namePrefix stackback_
path "ansible/data/stackback_*" {
  capabilities = ["read"]
}
path "ansible/metadata/stackback_*" {
  capabilities = ["read"]
}

# staging: namePrefix staging_stackback_
path "ansible/data/staging_stackback_*" {
  capabilities = ["read"]
}
path "ansible/metadata/staging_stackback_*" {
  capabilities = ["read"]
}
