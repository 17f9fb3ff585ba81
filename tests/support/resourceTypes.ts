/** The type tokens of the resources AppBackup registers, as the mock engine reports them. */
export const T = {
    bucket: "minio:index/s3Bucket:S3Bucket",
    versioning: "minio:index/s3BucketVersioning:S3BucketVersioning",
    ilm: "minio:index/ilmPolicy:IlmPolicy",
    user: "minio:index/iamUser:IamUser",
    policy: "minio:index/iamPolicy:IamPolicy",
    attachment: "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
    password: "random:index/randomPassword:RandomPassword",
    secret: "vault:kv/secretV2:SecretV2",
    image: "docker:index/remoteImage:RemoteImage",
    container: "docker:index/container:Container",
    command: "command:local:Command",
    volume: "docker:index/volume:Volume",
    vaultPolicy: "vault:index/policy:Policy",
} as const;
