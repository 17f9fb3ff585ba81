// Starts s3rver for the real-engine tier (setup.sh copies this file next to its node_modules).
// s3rver 3.7.1 knows a single access key id, S3RVER, and does not verify v4 signatures at all
// (lib/middleware/authentication.js: "Signature version 4 calculation is unimplemeneted"). The
// tests use the component's own key id (the MinIO user name), so this launcher answers every key
// id with s3rver's dummy account. S3 credentials are therefore NOT checked by this tier: MinIO's
// IAM is one of the things no machine here can check (docs/verification.md).
"use strict";
const AWSAccount = require("s3rver/lib/models/account");

const known = AWSAccount.registry.get.bind(AWSAccount.registry);
AWSAccount.registry.get = (accessKeyId) => known(accessKeyId) ?? AWSAccount.DUMMY_ACCOUNT;

// The CLI reads process.argv, as if run directly.
require("s3rver/bin/s3rver.js");
